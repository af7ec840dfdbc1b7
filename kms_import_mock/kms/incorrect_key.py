"""IncorrectKeyException: the key a Decrypt (KeyId) or ReEncrypt (SourceKeyId) request names
is not the key that made the ciphertext.

moto answered AccessDeniedException ("The ciphertext refers to a customer master key that does
not exist ...") for Decrypt and ignored ReEncrypt's SourceKeyId altogether. AWS answers
IncorrectKeyException with the message below (as CloudTrail records it) when both keys exist;
a ciphertext whose own key is unknown in the Region stays AccessDeniedException.
"""

from __future__ import annotations

from .errors import IncorrectKeyException

MESSAGE = "The key ID in the request does not identify a CMK that can perform this operation."


def check(requested_key_id: str, ciphertext_key_id: str) -> None:
    """Raise IncorrectKeyException unless the two raw key IDs are the same key."""
    if requested_key_id != ciphertext_key_id:
        raise IncorrectKeyException(MESSAGE)

"""Import tokens: opaque, authenticated, bound to what GetParametersForImport decided.

A token is AES-GCM over the claims under a secret drawn once per process, so nobody can forge
or alter one, and a token minted for another account, Region or key is recognised as such. It
carries the wrapping key's pool slot, never the key.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"
_NONCE_BYTES = 12
_AAD = b"kms-import-mock/import-token/v1"

_secret_lock = threading.Lock()
_secret: bytes | None = None


def _aead() -> AESGCM:
    global _secret
    if _secret is None:
        with _secret_lock:
            if _secret is None:
                _secret = AESGCM.generate_key(bit_length=256)
    return AESGCM(_secret)


class InvalidToken(Exception):
    """Not a token this process minted, or altered since."""


@dataclass(frozen=True)
class TokenClaims:
    account_id: str
    region: str
    key_id: str
    wrapping_algorithm: str
    wrapping_key_spec: str
    slot: int
    valid_to: float  # epoch seconds

    def __repr__(self) -> str:
        return f"<TokenClaims key={self.key_id} {self.wrapping_algorithm}/{self.wrapping_key_spec}>"


def seal(claims: TokenClaims) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    payload = json.dumps(asdict(claims), separators=(",", ":")).encode()
    return _VERSION + nonce + _aead().encrypt(nonce, payload, _AAD)


def open_token(token: bytes) -> TokenClaims:
    if len(token) < 1 + _NONCE_BYTES + 16 or token[:1] != _VERSION:
        raise InvalidToken
    nonce, sealed = token[1 : 1 + _NONCE_BYTES], token[1 + _NONCE_BYTES :]
    try:
        payload = _aead().decrypt(nonce, sealed, _AAD)
    except InvalidTag as exc:
        raise InvalidToken from exc
    return TokenClaims(**json.loads(payload))

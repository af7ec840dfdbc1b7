"""DryRun: check whether a request would succeed, without performing it.

Every KMS operation with a ``DryRun`` member in botocore's model accepts it; moto ignores the
member and performs the operation (``Decrypt(DryRun=True)`` returned the plaintext). Here a
dry run goes through the real action, so it meets exactly the checks a real call meets (unknown
key, disabled key, wrong key usage, bad ciphertext, ...) and answers the same error when one
fails; when none does, the result is thrown away and the answer is ``DryRunOperationException``
(HTTP 412, AWS's message), never a Plaintext, CiphertextBlob or signature.

The cryptographic operations change no state, so running them is safe. The grant operations
(CreateGrant, RetireGrant, RevokeGrant) do: their grants are put back as they were, under the
backend's lock, so no other request sees the grant come and go. Decrypt's DryRun needs no
CiphertextBlob when KeyId names the key: then only the key is checked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from moto.core.utils import camelcase_to_underscores

from . import shapes
from .errors import AwsError, InvalidKeyUsageException, NotFoundException, key_not_found

if TYPE_CHECKING:
    from .backend import ImportKmsBackend


class DryRunnable(Protocol):
    """The request being answered (the mock's KMS Response, which imports this module): its
    parsed body and its backend; its action methods are looked up on the instance."""

    _json: dict[str, Any]

    @property
    def kms_backend(self) -> ImportKmsBackend: ...

#: AWS's message (as CloudTrail records it for a dry run that would have succeeded).
MESSAGE = "The request would have succeeded, but the DryRun option is set."
_GRANT_OPERATIONS = frozenset({"CreateGrant", "RetireGrant", "RevokeGrant"})


class DryRunOperationException(AwsError):
    """The request would have succeeded; HTTP 412 (Precondition Failed), as AWS answers it."""

    code = 412


@functools.cache
def operations() -> frozenset[str]:
    """The KMS operations whose input shape has a ``DryRun`` member, from botocore's model."""
    model = shapes.service_model("kms")
    return frozenset(
        name
        for name in model.operation_names
        if (shape := model.operation_model(name).input_shape) is not None
        and "DryRun" in shape.members
    )


def requested(action: str, data: dict[str, Any]) -> bool:
    """Whether the request (its parsed JSON object) asks ``action`` for a dry run."""
    return data.get("DryRun") is True and action in operations()


def arm(response: DryRunnable, action: str) -> None:
    """Make this request's ``action`` method a dry run of itself (moto's ``call_action`` looks
    the method up on the instance, so the Response class is untouched)."""
    name = camelcase_to_underscores(action)
    real: Callable[[], Any] = getattr(response, name)
    response.__dict__[name] = functools.partial(_perform, response, action, real)


def _perform(response: DryRunnable, action: str, real: Callable[[], Any]) -> Any:
    data = response._json
    if action == "Decrypt" and data.get("CiphertextBlob") is None:
        _check_decrypt_key(response, str(data.get("KeyId")))
    elif action in _GRANT_OPERATIONS:
        backend = response.kms_backend
        with backend.lock:
            saved = {key_id: dict(key.grants) for key_id, key in backend.keys.items()}
            try:
                real()
            finally:
                for key_id, grants in saved.items():
                    if key_id in backend.keys:
                        backend.keys[key_id].grants = grants
    else:
        real()  # its response, with any secret in it, goes nowhere
    raise DryRunOperationException(MESSAGE)


def _check_decrypt_key(response: DryRunnable, key_id: str) -> None:
    """What Decrypt checks of the key it is given, before it reads any ciphertext."""
    backend = response.kms_backend
    raw = backend.any_id_to_key_id(key_id)
    key = backend.keys.get(raw)
    if key is None:
        raise NotFoundException(key_not_found(key_id))
    backend.check_usable(key)
    usage = key.key_usage or "ENCRYPT_DECRYPT"
    if usage != "ENCRYPT_DECRYPT":
        raise InvalidKeyUsageException(
            f"{key.arn} key usage is {usage} which is not valid for Decrypt."
        )

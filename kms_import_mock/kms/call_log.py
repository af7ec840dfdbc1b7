"""Which key an API call used, and what it answered: what the Response layer hands to
:func:`kms_import_mock.kms.events.record_call` for every KMS request.

AWS logs every KMS call in CloudTrail, refused ones with ``errorCode`` and ``errorMessage``
(disable a key and watch for ``DisabledException`` before deleting anything). The key is taken
from the request where it names one, so an ordinary call parses nothing more; from the response
where only KMS knew it (CreateKey, Decrypt without KeyId); from the ciphertext's header when a
Decrypt that named no key was refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kms_import_mock.crypto import ciphertext as _ciphertext

from . import events

if TYPE_CHECKING:
    from moto.kms.models import Key

    from .base import ImportBackendBase

_MOTO_KEY_ID_LEN = 36  # moto's blob header: the key ID's first 36 bytes


def record(
    backend: ImportBackendBase,
    action: str,
    request: Mapping[str, Any],
    status: int,
    headers: Mapping[str, str],
    body: str | bytes,
    caller: tuple[str, str, str],
) -> None:
    """Record one answered request; ``caller`` is (access key id, source IP, user agent)."""
    error = None if status < 300 else _error(body)
    response: dict[str, Any] | None = None
    if error is None and (action == "CreateKey" or not _request_key(action, request)):
        response = _json(body)
    key = _key(backend, action, request, response)
    other = _source_key(backend, request, response) if action == "ReEncrypt" else None
    request_id = str(headers.get("x-amzn-requestid", ""))
    events.record_call(backend, action, request, key, other, request_id, error, caller)


def _request_key(action: str, request: Mapping[str, Any]) -> Any:
    if action == "ReEncrypt":
        return request.get("DestinationKeyId")
    if action in ("CreateAlias", "UpdateAlias"):
        return request.get("TargetKeyId")
    return request.get("KeyId")


def _key(
    backend: ImportBackendBase,
    action: str,
    request: Mapping[str, Any],
    response: Mapping[str, Any] | None,
) -> Key | None:
    ref = _request_key(action, request)
    if ref is None and response is not None:
        ref = response.get("KeyId") or (response.get("KeyMetadata") or {}).get("KeyId")
    if ref is None and action == "Decrypt":
        return _blob_key(backend, request.get("CiphertextBlob"))
    return _lookup(backend, ref)


def _source_key(
    backend: ImportBackendBase, request: Mapping[str, Any], response: Mapping[str, Any] | None
) -> Key | None:
    ref = request.get("SourceKeyId")
    if ref is None and response is not None:
        ref = response.get("SourceKeyId")
    if ref is None:
        return _blob_key(backend, request.get("CiphertextBlob"))
    return _lookup(backend, ref)


def _lookup(backend: ImportBackendBase, ref: Any) -> Key | None:
    if not isinstance(ref, str) or not ref:
        return None
    key = backend.keys.get(ref)  # the common case: a key ID
    if key is not None:
        return key
    try:
        return backend.keys.get(backend.any_id_to_key_id(ref))
    except Exception:  # noqa: BLE001 - an unknown alias is just "no key"
        return None


def _blob_key(backend: ImportBackendBase, encoded: Any) -> Key | None:
    if not isinstance(encoded, str):
        return None
    try:
        blob = base64.b64decode(encoded[:4096], validate=False)
    except (binascii.Error, ValueError):
        return None
    return blob_key(backend, blob)


def blob_key(backend: ImportBackendBase, blob: bytes) -> Key | None:
    """The key a ciphertext names in its header (ours, or moto's 36 bytes of key ID)."""
    header = _ciphertext.parse(blob)
    if header is not None:
        return backend.keys.get(header.key_id)
    prefix = blob[:_MOTO_KEY_ID_LEN].decode("utf-8", "replace")
    key = backend.keys.get(prefix)
    if key is None and prefix.startswith("mrk-"):
        matches = [k for k in backend.keys.values() if k.id[:_MOTO_KEY_ID_LEN] == prefix]
        key = matches[0] if len(matches) == 1 else None
    return key


def _json(body: str | bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _error(body: str | bytes) -> tuple[str, str]:
    """(code, message) of an error body (``{"__type": ..., "message": ...}``)."""
    value = _json(body) or {}
    code = str(value.get("__type") or "InternalFailure").rsplit("#", 1)[-1]
    message = value.get("message") or value.get("Message") or ""
    return code, str(message)

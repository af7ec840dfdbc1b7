"""Envelope encryption as AWS services do it: ask KMS for a data key, ask for it back later.

The one shared piece of the integrated services. A service calls :func:`generate_data_key` (or
:func:`encrypt`) when it writes protected data and :func:`decrypt` of the stored blob when it
needs the data again. These are real calls to the extended KMS backend of the key's account and
Region: they follow the key-state rules and the lazy expiry sweep, so a key that is disabled,
pending deletion or without its imported material is refused here, and reimporting the same
material makes the stored blobs decrypt again. A successful call is recorded as a CloudTrail
event with ``userIdentity.invokedBy`` set to the service principal. A refusal is raised as
:class:`KmsRefusal`, which each service turns into its own error shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moto.core.exceptions import JsonRESTError

from kms_import_mock.kms import call_log, events
from kms_import_mock.kms.errors import NotFoundException

if TYPE_CHECKING:
    from moto.kms.models import Key

    from kms_import_mock.kms.base import ImportBackendBase


class KmsRefusal(Exception):
    """KMS refused a call a service made on the caller's behalf.

    ``code`` is KMS's error code (``KMSInvalidStateException``, ``DisabledException``,
    ``NotFoundException``, ...), ``message`` KMS's message (``<key ARN> is pending import.``).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[KmsRefusal], tuple[str, str]]:
        # Copied (deepcopy, pickle) with both arguments: moto deep-copies the objects a
        # service keeps a refusal on (a DynamoDB table when it is backed up).
        return (type(self), (self.code, self.message))

    @property
    def short_code(self) -> str:
        """The code without its ``Exception`` suffix (``KMSInvalidState``), as SQS names them."""
        return self.code.removesuffix("Exception")


@dataclass(frozen=True)
class DataKey:
    """What GenerateDataKey answers a service: the key's ARN, the data key and its blob."""

    key_arn: str
    plaintext: bytes
    ciphertext_blob: bytes


@dataclass(frozen=True)
class Sealed:
    """What a service keeps with a protected resource: the KMS ciphertext and how to open it.

    The blob is opened in the backend that made it (``account_id``, ``region``) with the same
    encryption context, so a service needs nothing else to ask KMS for it back later.
    """

    account_id: str
    region: str
    key_arn: str
    blob: bytes
    context: Mapping[str, str] = field(default_factory=dict)


def seal_data_key(
    account_id: str,
    region: str,
    key_id: str | None,
    context: dict[str, str],
    principal: str,
    *,
    default_alias: str | None = None,
    with_plaintext: bool = True,
) -> Sealed:
    """GenerateDataKey for a service's write; keeps only the encrypted data key.

    The service's payload stays in moto's own storage, so the plaintext data key is dropped.
    """
    key = generate_data_key(
        account_id,
        region,
        key_id,
        context,
        principal,
        default_alias=default_alias,
        with_plaintext=with_plaintext,
    )
    return Sealed(account_id, region, key.key_arn, key.ciphertext_blob, dict(context))


def seal_value(
    account_id: str,
    region: str,
    key_id: str | None,
    plaintext: bytes,
    context: dict[str, str],
    principal: str,
    *,
    default_alias: str | None = None,
) -> Sealed:
    """Encrypt a (small) value for a service that stores the ciphertext itself, as SSM does."""
    arn, blob = encrypt(
        account_id, region, key_id, plaintext, context, principal, default_alias=default_alias
    )
    return Sealed(account_id, region, arn, blob, dict(context))


def unseal(sealed: Sealed, principal: str) -> bytes:
    """Decrypt what :func:`seal_data_key` or :func:`seal_value` stored, for a service's read."""
    return decrypt(sealed.account_id, sealed.region, sealed.blob, dict(sealed.context), principal)


def usable_key(
    account_id: str, region: str, key_id: str | None, default_alias: str | None = None
) -> Key:
    """The key, if a cryptographic call with it would be accepted now; else ``KmsRefusal``.

    For a service that must refuse before it changes anything but can build its encryption
    context only afterwards (a new secret's ARN). Makes no KMS call, so records no event.
    """
    key = resolve_key(account_id, region, key_id, default_alias)
    try:
        _check_usable(backend(account_id, region), key)
    except JsonRESTError as err:
        raise _refusal(err) from None
    return key


def backend(account_id: str, region: str) -> ImportBackendBase:
    """The extended KMS backend of ``account_id`` in ``region`` (created as moto creates it)."""
    from moto.kms.models import kms_backends

    from kms_import_mock.kms.base import ImportBackendBase

    found = kms_backends[account_id][region]
    assert isinstance(found, ImportBackendBase), "the mock's KMS backend is not installed"
    return found


def resolve_key(
    account_id: str, region: str, key_id: str | None, default_alias: str | None = None
) -> Key:
    """The key ``key_id`` names, as AWS resolves a service's key parameter.

    Key ID, key ARN, alias name or alias ARN; None (or empty) means ``default_alias`` (the AWS
    managed key such as ``alias/aws/s3``, created on first use as moto does). An ARN of another
    account or Region, or a name that names no key: ``KmsRefusal("NotFoundException", ...)``.
    """
    kms = backend(account_id, region)
    ref = key_id or default_alias
    if not ref:
        raise KmsRefusal("NotFoundException", "No KMS key was given and the service has none.")
    if ref == default_alias:
        _ensure_managed_key(kms, ref)
    try:
        if ref.startswith("arn:"):
            _, partition, _, arn_region, arn_account, _ = (ref.split(":", 5) + [""] * 6)[:6]
            if arn_region != region or arn_account != account_id:
                raise NotFoundException(f"Key '{ref}' does not exist")
        raw = kms.any_id_to_key_id(ref)
    except JsonRESTError as err:
        raise _refusal(err) from None
    except (KeyError, TypeError, AttributeError):
        raw = None
    key = kms.keys.get(raw) if raw else None
    if key is None:
        if ref.startswith("alias/") or ":alias/" in ref:
            raise KmsRefusal("NotFoundException", f"Alias {_alias_arn(kms, ref)} is not found.")
        raise KmsRefusal("NotFoundException", f"Key '{_key_arn(kms, ref)}' does not exist")
    return key


def check_usable(account_id: str, region: str, key_id: str) -> Key:
    """The key-state rules alone, with no KMS call recorded: a service's own health check of
    a key it holds a data key under (DynamoDB watching its table key). Refusal: KmsRefusal."""
    key = resolve_key(account_id, region, key_id)
    try:
        _check_usable(backend(account_id, region), key)
    except JsonRESTError as err:
        raise _refusal(err) from None
    return key


def generate_data_key(
    account_id: str,
    region: str,
    key_id: str | None,
    context: dict[str, str],
    principal: str,
    *,
    default_alias: str | None = None,
    caller_access_key: str | None = None,
    with_plaintext: bool = True,
) -> DataKey:
    """GenerateDataKey (AES_256) under the key, for a service writing protected data.

    ``with_plaintext=False`` records the call as GenerateDataKeyWithoutPlaintext (EBS does this);
    the plaintext is still returned, for the service's own use only.
    """
    key = resolve_key(account_id, region, key_id, default_alias)
    kms = backend(account_id, region)
    action = "GenerateDataKey" if with_plaintext else "GenerateDataKeyWithoutPlaintext"
    request: dict[str, Any] = {"keyId": key_id or key.arn, "keySpec": "AES_256"}
    if context:
        request["encryptionContext"] = dict(context)
    try:
        _check_usable(kms, key)
        plaintext, blob, arn = kms.generate_data_key(key.id, context, 0, "AES_256")
    except JsonRESTError as err:
        _record_refused(kms, key, action, request, principal, caller_access_key, err)
        raise _refusal(err) from None
    events.record_service_call(kms, key, action, request, principal, caller_access_key)
    return DataKey(arn, plaintext, blob)


def encrypt(
    account_id: str,
    region: str,
    key_id: str | None,
    plaintext: bytes,
    context: dict[str, str],
    principal: str,
    *,
    default_alias: str | None = None,
    caller_access_key: str | None = None,
) -> tuple[str, bytes]:
    """Encrypt ``plaintext`` under the key (SSM SecureString does this); returns (ARN, blob)."""
    key = resolve_key(account_id, region, key_id, default_alias)
    kms = backend(account_id, region)
    request: dict[str, Any] = {
        "keyId": key_id or key.arn,
        "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
    }
    if context:
        request["encryptionContext"] = dict(context)
    try:
        _check_usable(kms, key)
        blob, arn = kms.encrypt(key.id, plaintext, context)
    except JsonRESTError as err:
        _record_refused(kms, key, "Encrypt", request, principal, caller_access_key, err)
        raise _refusal(err) from None
    events.record_service_call(kms, key, "Encrypt", request, principal, caller_access_key)
    return arn, blob


def decrypt(
    account_id: str,
    region: str,
    blob: bytes,
    context: dict[str, str],
    principal: str,
    *,
    caller_access_key: str | None = None,
) -> bytes:
    """Decrypt a blob a service stored; refused while the key that made it is unusable."""
    kms = backend(account_id, region)
    try:
        plaintext, arn = kms.decrypt(blob, context)
        key = kms.keys[kms.get_key_id(arn)]
        _check_usable(kms, key)
    except JsonRESTError as err:
        named = call_log.blob_key(kms, bytes(blob))
        if named is not None:
            request = _decrypt_request(named, context)
            _record_refused(kms, named, "Decrypt", request, principal, caller_access_key, err)
        raise _refusal(err) from None
    request = _decrypt_request(key, context)
    events.record_service_call(kms, key, "Decrypt", request, principal, caller_access_key)
    return bytes(plaintext)


def _decrypt_request(key: Key, context: dict[str, str]) -> dict[str, Any]:
    request: dict[str, Any] = {"keyId": key.arn, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    if context:
        request["encryptionContext"] = dict(context)
    return request


def _record_refused(
    kms: ImportBackendBase,
    key: Key,
    action: str,
    request: dict[str, Any],
    principal: str,
    caller_access_key: str | None,
    err: JsonRESTError,
) -> None:
    """A refused call is in CloudTrail too, with the error the service met (a disabled key's
    DisabledException is how AWS suggests finding what still uses a key)."""
    error = (str(err.error_type), str(err.message))
    events.record_service_call(kms, key, action, request, principal, caller_access_key, error)


def _ensure_managed_key(kms: ImportBackendBase, alias: str) -> None:
    """Create the service's AWS managed key (``alias/aws/sqs``, ...) on its first use, as AWS
    does and as moto does for ``alias/aws/dynamodb`` and ``alias/aws/ebs``."""
    with kms.lock:
        if not kms.alias_exists(alias):
            service = alias.rsplit("/", 1)[-1]
            key = kms.create_key(
                policy="",
                key_usage="ENCRYPT_DECRYPT",
                key_spec="SYMMETRIC_DEFAULT",
                description=f"Default key that protects my {service} data",
                tags=None,
            )
            kms.create_alias(key.id, alias)


def _check_usable(kms: ImportBackendBase, key: Key) -> None:
    # The key-state rules of cryptographic operations, for every origin: moto itself lets a
    # disabled AWS_KMS key encrypt; a service on AWS would be refused.
    kms.check_usable(key)


def _refusal(err: JsonRESTError) -> KmsRefusal:
    return KmsRefusal(str(err.error_type), str(err.message))


def _key_arn(kms: ImportBackendBase, ref: str) -> str:
    return ref if ref.startswith("arn:") else kms._arn(kms.get_key_id(ref))


def _alias_arn(kms: ImportBackendBase, ref: str) -> str:
    if ref.startswith("arn:"):
        return ref
    return kms._arn("").replace(":key/", ":") + ref

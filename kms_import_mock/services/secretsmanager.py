"""AWS Secrets Manager follows the KMS key: a data key per secret version, asked back on read.

Where Secrets Manager needs a data key: every new secret value (CreateSecret with a value,
PutSecretValue, UpdateSecret with a value) calls GenerateDataKey under the secret's key with the
encryption context ``SecretARN`` and ``SecretVersionId``; ``alias/aws/secretsmanager`` when the
secret names no key. UpdateSecret that changes ``KmsKeyId`` without a value re-encrypts the versions
labelled AWSCURRENT, AWSPENDING and AWSPREVIOUS under the new key, as AWS documents (Decrypt under
the old key, GenerateDataKey under the new one). Where it needs it back: GetSecretValue and
BatchGetSecretValue decrypt the version's data key. How a refusal looks: ``EncryptionFailure`` on
writes, ``DecryptionFailure`` on reads (both HTTP 400, as botocore's model lists them), the
message carrying KMS's reason and code. In BatchGetSecretValue a refused secret lands in
``Errors`` with ``ErrorCode`` DecryptionFailure and the others are returned, as AWS documents for
both ``SecretIdList`` and ``Filters`` (with ``Filters`` its ``SecretId`` is the secret's ARN, a
project decision, and it counts toward the page's ``MaxResults`` where it stands).

moto keeps the secret's value as today; the encrypted data key rides in moto's version record.
A version RotateSecret makes with a value (moto copies the current value with
``RotateImmediately=False``, as AWSPENDING or, without a rotation function, AWSCURRENT) gets a
data key like any other, and RotateSecret is refused first when the key is unusable, with
InvalidRequestException (its model lists no EncryptionFailure) carrying the encryption failure's
message (a project decision; AWS's rotation function writes that version with
PutSecretValue, which needs the key); a rotation function's PutSecretValue is sealed as any
other. Replicas follow their own Region's key (see secretsmanager_replicas).
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.secretsmanager.exceptions import InvalidRequestException

from kms_import_mock.services import envelope, secretsmanager_replicas
from kms_import_mock.services.patching import Patches

PRINCIPAL = "secretsmanager.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/secretsmanager"
#: The member of moto's version record that holds the :class:`envelope.Sealed`.
SEALED = "kms_import_sealed"
#: The versions UpdateSecret re-encrypts when only the key changes.
_RESEALED_STAGES = ("AWSCURRENT", "AWSPENDING", "AWSPREVIOUS")
#: True while a BatchGetSecretValue with ``Filters`` reads its secrets.
_filtering: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "kms_import_sm_filtering", default=False
)
#: The key of the stand-in a refused read answers inside such a batch: its Errors entry.
_REFUSED = "kms_import_refused"


def install(patches: Patches) -> None:
    from moto.secretsmanager.models import SecretsManagerBackend

    for owner, name, wrap in (
        (SecretsManagerBackend, "_add_secret", _add_secret),
        (SecretsManagerBackend, "update_secret", _update_secret),
        (SecretsManagerBackend, "rotate_secret", _rotate_secret),
        (SecretsManagerBackend, "get_secret_value", _get_secret_value),
        (SecretsManagerBackend, "batch_get_secret_value", _batch_get_secret_value),
    ):
        patches.set(owner, name, wrap(patches.original(owner, name)))
    secretsmanager_replicas.install(patches, SEALED)


# -- how a refusal looks -------------------------------------------------------------------


class EncryptionFailure(JsonRESTError):
    def __init__(self, refusal: envelope.KmsRefusal) -> None:
        super().__init__(
            "EncryptionFailure",
            "Secrets Manager can't encrypt the protected secret text using the provided KMS "
            f"key. {refusal.message} ({refusal.code})",
        )


class DecryptionFailure(InvalidRequestException):
    """An InvalidRequestException underneath, so that moto's BatchGetSecretValue (which collects
    exactly those per secret) reports the refused secret in Errors instead of failing."""

    def __init__(self, refusal: envelope.KmsRefusal) -> None:
        JsonRESTError.__init__(
            self,
            "DecryptionFailure",
            "Secrets Manager can't decrypt the protected secret text using the provided KMS "
            f"key. {refusal.message} ({refusal.code})",
        )


@contextmanager
def _as_encryption_failure() -> Iterator[None]:
    try:
        yield
    except envelope.KmsRefusal as refusal:
        raise EncryptionFailure(refusal) from None


# -- where Secrets Manager needs a data key ------------------------------------------------


def _seal(backend: Any, key_id: str | None, arn: str, version_id: str) -> envelope.Sealed:
    with _as_encryption_failure():
        return envelope.seal_data_key(
            backend.account_id,
            backend.region_name,
            key_id,
            {"SecretARN": arn, "SecretVersionId": version_id},
            PRINCIPAL,
            default_alias=DEFAULT_ALIAS,
        )


def _add_secret(original: Callable[..., Any]) -> Callable[..., Any]:
    """Every new version of every write passes here, after moto's own request checks."""
    from moto.secretsmanager.models import FakeSecret

    signature = inspect.signature(original)

    def add_secret(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = signature.bind(self, *args, **kwargs)
        arguments = call.arguments
        if arguments.get("secret_string") is None and arguments.get("secret_binary") is None:
            return original(*call.args, **call.kwargs)
        existing = self.secrets.get(arguments["secret_id"])
        if existing is not None and not isinstance(existing, FakeSecret):
            return original(*call.args, **call.kwargs)  # a replica: moto refuses the write
        key_id = arguments.get("kms_key_id") or (existing.kms_key_id if existing else None)
        version_id = self._from_client_request_token(arguments.get("version_id"))
        arguments["version_id"] = version_id
        if existing is not None:
            # The context is known before the write: refuse before anything changes.
            sealed = _seal(self, key_id, existing.arn, version_id)
            secret, new_version = original(*call.args, **call.kwargs)
        else:
            secret, new_version, sealed = _create(self, original, call, key_id, version_id)
        secret.versions[version_id][SEALED] = sealed
        secretsmanager_replicas.after_write(secret, version_id, sealed)
        return secret, new_version

    return add_secret


def _create(
    backend: Any,
    original: Callable[..., Any],
    call: inspect.BoundArguments,
    key_id: str | None,
    version_id: str,
) -> tuple[Any, bool, envelope.Sealed]:
    """A new secret: its ARN (the context) exists only once moto made it.

    So the key is checked first, under the KMS backend's lock (no KMS call can change the key
    until the data key is made), and should the data key still be refused the new secret is
    taken out again: a refused CreateSecret leaves no secret behind.
    """
    kms = envelope.backend(backend.account_id, backend.region_name)
    with kms.lock:
        with _as_encryption_failure():
            envelope.usable_key(backend.account_id, backend.region_name, key_id, DEFAULT_ALIAS)
        secret, new_version = original(*call.args, **call.kwargs)
        try:
            sealed = _seal(backend, key_id, secret.arn, version_id)
        except EncryptionFailure:
            backend.secrets.pop(secret.secret_id)
            raise
    return secret, new_version, sealed


def _update_secret(original: Callable[..., Any]) -> Callable[..., Any]:
    from moto.secretsmanager.models import FakeSecret

    signature = inspect.signature(original)

    def update_secret(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        new_key = arguments.get("kms_key_id")
        secret = self.secrets.get(arguments["secret_id"])
        has_value = (
            arguments.get("secret_string") is not None or arguments.get("secret_binary") is not None
        )
        if (
            has_value
            or not new_key
            or not isinstance(secret, FakeSecret)  # absent, or a replica moto refuses to change
            or new_key == secret.kms_key_id
        ):
            return original(self, *args, **kwargs)
        # Only the key changes: every KMS call first, so a refusal changes nothing.
        resealed = {}
        for version_id, version in secret.versions.items():
            sealed = version.get(SEALED)
            if isinstance(sealed, envelope.Sealed) and _staged(version):
                _open(sealed)
                resealed[version_id] = _seal(self, new_key, secret.arn, version_id)
        result = original(self, *args, **kwargs)
        for version_id, sealed in resealed.items():
            secret.versions[version_id][SEALED] = sealed
        return result

    return update_secret


def _rotate_secret(original: Callable[..., Any]) -> Callable[..., Any]:
    """A version RotateSecret makes with a value (moto copies the current one, with
    ``RotateImmediately=False``) gets its data key as any other version; refused first."""
    from moto.secretsmanager.models import FakeSecret

    signature = inspect.signature(original)

    def rotate_secret(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        secret = self.secrets.get(arguments["secret_id"])
        if not isinstance(secret, FakeSecret):
            return original(self, *args, **kwargs)
        copies = not arguments.get("rotate_immediately", True) and (
            secret.secret_string is not None or secret.secret_binary is not None
        )
        if copies and secret.versions:
            try:
                envelope.usable_key(
                    self.account_id, self.region_name, secret.kms_key_id, DEFAULT_ALIAS
                )
            except envelope.KmsRefusal as refusal:
                raise _rotation_refused(EncryptionFailure(refusal)) from None
        versions = dict(secret.versions)
        stages = {vid: list(v.get("version_stages", ())) for vid, v in versions.items()}
        default = secret.default_version_id
        result = original(self, *args, **kwargs)
        try:
            for version_id, version in list(secret.versions.items()):
                fresh = versions.get(version_id) is not version and SEALED not in version
                if fresh and ("secret_string" in version or "secret_binary" in version):
                    sealed = _seal(self, secret.kms_key_id, secret.arn, version_id)
                    version[SEALED] = sealed
                    secretsmanager_replicas.after_write(secret, version_id, sealed)
        except EncryptionFailure as failure:  # the key changed between the check and now: undo
            secret.versions = versions
            for version_id, kept in stages.items():
                versions[version_id]["version_stages"] = kept
            secret.default_version_id = default
            raise _rotation_refused(failure) from None
        return result

    return rotate_secret


def _rotation_refused(failure: EncryptionFailure) -> InvalidRequestException:
    """RotateSecret's model lists no EncryptionFailure: the refusal is the request invalid for
    the key's state, with the encryption failure's message."""
    return InvalidRequestException(failure.message)


def _staged(version: dict[str, Any]) -> bool:
    return any(stage in _RESEALED_STAGES for stage in version.get("version_stages", ()))


# -- where Secrets Manager needs it back ---------------------------------------------------


def _open(sealed: envelope.Sealed) -> None:
    try:
        envelope.unseal(sealed, PRINCIPAL)
    except envelope.KmsRefusal as refusal:
        raise DecryptionFailure(refusal) from None


def _open_in_region(secret: Any, version_id: str, sealed: envelope.Sealed) -> None:
    """A replica opens its own data key (its Region's key), a primary the version's."""
    try:
        sealed = secretsmanager_replicas.replica_seal(secret, version_id, sealed)
    except envelope.KmsRefusal as refusal:
        raise DecryptionFailure(refusal) from None
    _open(sealed)


def _get_secret_value(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_secret_value(self: Any, secret_id: str, *args: Any, **kwargs: Any) -> Any:
        response = original(self, secret_id, *args, **kwargs)
        secret = self.secrets[secret_id]
        sealed = secret.versions.get(response["VersionId"], {}).get(SEALED)
        if isinstance(sealed, envelope.Sealed):
            try:
                _open_in_region(secret, response["VersionId"], sealed)
            except DecryptionFailure as failure:
                if not _filtering.get():
                    raise
                # Stands in the page where the value would be; the batch makes it an error.
                error = {
                    "SecretId": response["ARN"],
                    "ErrorCode": failure.error_type,
                    "Message": failure.message,
                }
                return {_REFUSED: error}
        return response

    return get_secret_value


def _batch_get_secret_value(original: Callable[..., Any]) -> Callable[..., Any]:
    """With ``Filters``, a refused secret goes to ``Errors`` as with ``SecretIdList`` (moto's
    filter path has no per-secret errors): AWS documents Errors for either way of choosing.
    The refused secret keeps its place in the page, so paging stays where moto puts it."""
    signature = inspect.signature(original)

    def batch_get_secret_value(self: Any, *args: Any, **kwargs: Any) -> Any:
        token = _filtering.set(bool(signature.bind(self, *args, **kwargs).arguments.get("filters")))
        try:
            page, errors, next_token = original(self, *args, **kwargs)
        finally:
            _filtering.reset(token)
        refused = [value[_REFUSED] for value in page if _REFUSED in value]
        kept = [value for value in page if _REFUSED not in value]
        return kept, list(errors) + refused, next_token

    return batch_get_secret_value

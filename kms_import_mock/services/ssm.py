"""SSM Parameter Store follows the KMS key: SecureString values are KMS ciphertext.

Where Parameter Store needs the key: PutParameter of a SecureString calls Encrypt under its
``KeyId`` (``alias/aws/ssm`` when none is given) with the encryption context ``PARAMETER_ARN`` =
the parameter's ARN, and stores the ciphertext: without decryption, GetParameter and its
siblings return it (base64 of the KMS ciphertext blob), never the plaintext (plain moto stores
``kms:<key id>:<plaintext>``). Where it needs it back: GetParameter, GetParameters,
GetParametersByPath and GetParameterHistory with ``WithDecryption=True`` call Decrypt for each
SecureString they return. How a refusal looks: ``InvalidKeyId`` (HTTP 400), the message wrapping
KMS's error as AWS words it, ``<KMS message> (Service: AWSKMS; Status Code: 400; Error Code:
<KMS code>)``.

Project decisions (AWS is silent): a read of several parameters (GetParameters,
GetParametersByPath, GetParameterHistory) fails as a whole with InvalidKeyId when any one of them
is refused, rather than leaving it out, so the failure cannot pass unnoticed. Advanced-tier
SecureStrings (``Tier=Advanced``, or ``Intelligent-Tiering`` with a value over 4 KB, stored as
Advanced as AWS does) are envelope-encrypted as AWS documents: GenerateDataKey on write, Decrypt of
the data key on read, values up to 8 KB; the stored value is then the base64 of the encrypted data
key (a project decision). A Standard-tier SecureString over 4 KB, or any over 8 KB, is refused
with ValidationException before any KMS call, as AWS refuses it. SecureStrings moto makes by
itself (the ``/aws/reference/secretsmanager/`` passthrough, CloudFormation) keep moto's format;
the first reads its value through Secrets Manager, which follows the key itself.
"""

from __future__ import annotations

import base64
import contextvars
from collections.abc import Callable
from typing import Any

from moto.ssm.exceptions import SSMException, ValidationException

from kms_import_mock.services import envelope
from kms_import_mock.services.patching import Patches

PRINCIPAL = "ssm.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/ssm"
#: The attribute of moto's Parameter that holds the :class:`envelope.Sealed` of its value.
SEALED = "kms_import_sealed"

STANDARD_MAX, ADVANCED_MAX = 4096, 8192
#: The attribute of moto's Parameter that keeps an advanced parameter's value: what it stores is
#: the encrypted data key, and the value is served only once KMS decrypted that key.
PLAINTEXT = "kms_import_plaintext"

#: (account, Region) of the PutParameter in progress: moto's Parameter knows no Region.
_writing: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "kms_import_ssm_writing", default=None
)


def install(patches: Patches) -> None:
    from moto.ssm.models import Parameter, SimpleSystemManagerBackend

    for owner, name, wrap in (
        (SimpleSystemManagerBackend, "put_parameter", _put_parameter),
        (Parameter, "encrypt", _encrypt),
        (Parameter, "decrypt", _decrypt),
    ):
        patches.set(owner, name, wrap(patches.original(owner, name)))


# -- how a refusal looks -------------------------------------------------------------------


class InvalidKeyId(SSMException):
    def __init__(self, refusal: envelope.KmsRefusal) -> None:
        super().__init__(
            "InvalidKeyId",
            f"{refusal.message} (Service: AWSKMS; Status Code: 400; Error Code: {refusal.code})",
        )


# -- where Parameter Store needs the key ---------------------------------------------------


def _put_parameter(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_parameter(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        # moto drops the oldest of 100 versions before it builds the new one: keep the list,
        # so a refused Encrypt leaves the parameter exactly as it was.
        stored = self._parameters.normalize_name(name)
        _check_size(self, stored, *args, **kwargs)
        before = list(dict.get(self._parameters, stored, None) or ())
        token = _writing.set((self.account_id, self.region_name))
        try:
            return original(self, name, *args, **kwargs)
        except InvalidKeyId:
            if before:
                dict.__getitem__(self._parameters, stored)[:] = before
            else:
                dict.pop(self._parameters, stored, None)
            raise
        finally:
            _writing.reset(token)

    return put_parameter


def _check_size(backend: Any, stored: str, *args: Any, **kwargs: Any) -> None:
    """AWS's value limits of a SecureString by tier (moto enforces none), before any change."""
    names = ("description", "value", "parameter_type", "allowed_pattern", "keyid", "overwrite",
             "tags", "data_type", "tier", "policies")
    arguments = dict(zip(names, args, strict=False)) | kwargs
    value, tier = arguments.get("value"), arguments.get("tier")
    if arguments.get("parameter_type") != "SecureString" or not isinstance(value, str):
        return
    if tier is None:
        previous = dict.get(backend._parameters, stored, None) or ()
        tier = previous[-1].tier if previous else backend.default_parameter_tier
    if len(value) > ADVANCED_MAX:
        raise ValidationException(
            "Advanced tier parameters support a maximum parameter value of 8192 characters."
        )
    if len(value) > STANDARD_MAX and tier == "Standard":
        raise ValidationException(
            "Standard tier parameters support a maximum parameter value of 4096 characters. "
            "To create a larger parameter value, upgrade the parameter to use the "
            "advanced-parameter tier. For more information, see https://docs.aws.amazon.com/"
            "systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
        )


def _advanced(parameter: Any, value: str) -> bool:
    if parameter.tier == "Intelligent-Tiering" and len(value) > STANDARD_MAX:
        parameter.tier = "Advanced"  # as AWS promotes it
    return bool(parameter.tier == "Advanced")


def _encrypt(original: Callable[..., Any]) -> Callable[..., Any]:
    def encrypt(self: Any, value: str) -> str:
        where = _writing.get()
        if where is None:
            return str(original(self, value))  # a SecureString moto makes by itself
        from moto.ssm.utils import parameter_arn

        account_id, region = where
        context = {"PARAMETER_ARN": parameter_arn(account_id, region, self.name)}
        if _advanced(self, value):
            try:
                sealed = envelope.seal_data_key(
                    account_id, region, self.keyid, context, PRINCIPAL, default_alias=DEFAULT_ALIAS
                )
            except envelope.KmsRefusal as refusal:
                raise InvalidKeyId(refusal) from None
            setattr(self, SEALED, sealed)
            setattr(self, PLAINTEXT, value)
            return base64.b64encode(sealed.blob).decode("ascii")
        try:
            sealed = envelope.seal_value(
                account_id,
                region,
                self.keyid,
                value.encode("utf-8"),
                {"PARAMETER_ARN": parameter_arn(account_id, region, self.name)},
                PRINCIPAL,
                default_alias=DEFAULT_ALIAS,
            )
        except envelope.KmsRefusal as refusal:
            raise InvalidKeyId(refusal) from None
        setattr(self, SEALED, sealed)
        return base64.b64encode(sealed.blob).decode("ascii")

    return encrypt


# -- where Parameter Store needs it back ---------------------------------------------------


def _decrypt(original: Callable[..., Any]) -> Callable[..., Any]:
    def decrypt(self: Any, value: str) -> str | None:
        sealed = getattr(self, SEALED, None)
        if not isinstance(sealed, envelope.Sealed):
            result: str | None = original(self, value)
            return result
        try:
            opened = envelope.unseal(sealed, PRINCIPAL)
            kept = getattr(self, PLAINTEXT, None)
            return kept if isinstance(kept, str) else opened.decode("utf-8")
        except envelope.KmsRefusal as refusal:
            raise InvalidKeyId(refusal) from None

    return decrypt

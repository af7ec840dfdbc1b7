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
is refused, rather than leaving it out, so the failure cannot pass unnoticed; every SecureString
is encrypted with Encrypt, also in the advanced tier (where AWS uses a data key), so values over
4 KB are refused by KMS's length limit. SecureStrings moto makes by itself (the
``/aws/reference/secretsmanager/`` passthrough, CloudFormation) keep moto's format; the first
reads its value through Secrets Manager, which follows the key itself.
"""

from __future__ import annotations

import base64
import contextvars
from collections.abc import Callable
from typing import Any

from moto.ssm.exceptions import SSMException

from kms_import_mock.services import envelope
from kms_import_mock.services.patching import Patches

PRINCIPAL = "ssm.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/ssm"
#: The attribute of moto's Parameter that holds the :class:`envelope.Sealed` of its value.
SEALED = "kms_import_sealed"

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


def _encrypt(original: Callable[..., Any]) -> Callable[..., Any]:
    def encrypt(self: Any, value: str) -> str:
        where = _writing.get()
        if where is None:
            return str(original(self, value))  # a SecureString moto makes by itself
        from moto.ssm.utils import parameter_arn

        account_id, region = where
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
            return envelope.unseal(sealed, PRINCIPAL).decode("utf-8")
        except envelope.KmsRefusal as refusal:
            raise InvalidKeyId(refusal) from None

    return decrypt

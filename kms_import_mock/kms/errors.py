"""Errors, in two families.

AWS-facing errors subclass moto's ``JsonRESTError`` and are named exactly as AWS names them, so a
boto3 caller gets a ``ClientError`` whose code is the real one, with HTTP 400 and the body
``{"__type": ..., "message": ...}``. Misuse of the library itself raises
:class:`KmsImportMockError`.
"""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError


class AwsError(JsonRESTError):
    """Base of the AWS-shaped errors: the class name is the AWS error code."""

    code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(type(self).__name__, message)


class NotFoundException(AwsError):
    pass


class ValidationException(AwsError):
    pass


class UnsupportedOperationException(AwsError):
    pass


class KMSInvalidStateException(AwsError):
    pass


class DisabledException(AwsError):
    pass


class InvalidImportTokenException(AwsError):
    pass


class ExpiredImportTokenException(AwsError):
    pass


class InvalidCiphertextException(AwsError):
    pass


class IncorrectKeyMaterialException(AwsError):
    pass


class LimitExceededException(AwsError):
    pass


class InvalidKeyUsageException(AwsError):
    pass


class IncorrectKeyException(AwsError):
    pass


class SerializationException(AwsError):
    pass


class AlreadyExistsException(AwsError):
    pass


class InvalidMarkerException(AwsError):
    pass


class KMSInvalidSignatureException(AwsError):
    pass


class KMSInvalidMacException(AwsError):
    pass


# Messages AWS is known to use; each takes the key ARN.
def pending_import(arn: str) -> str:
    return f"{arn} is pending import."


def disabled(arn: str) -> str:
    return f"{arn} is disabled."


def pending_deletion(arn: str) -> str:
    return f"{arn} is pending deletion."


def key_not_found(key_id: str) -> str:
    return f"Key '{key_id}' does not exist"


def not_pending_deletion(arn: str) -> str:
    return f"{arn} is not pending deletion."


def origin_not_valid(arn: str, origin: str) -> str:
    return f"{arn} origin is {origin} which is not valid for this operation."


def key_usage_not_valid(arn: str, key_usage: str, operation: str) -> str:
    # Same form as AWS's origin message; AWS's own text for this case is not documented.
    return f"{arn} key usage is {key_usage} which is not valid for {operation}."


class UnknownOperationException(AwsError):
    """An ``X-Amz-Target`` that names no operation of the service."""

"""Every KMS operation that takes a KeyId answers an unknown key, alias or malformed id with an
AWS error (HTTP 400), never a Python error: moto's grant actions and our alias handling did not."""

from __future__ import annotations

from typing import Any

import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kms_import_mock import mock_kms_import
from kms_import_mock.kms.shapes import service_model

_MODEL = service_model("kms")
#: Actions moto itself does not implement (it answers NotImplementedError for every request).
_NOT_IN_MOTO = {"Decapsulate", "Encapsulate", "UpdatePrimaryRegion"}
OPERATIONS = sorted(
    op
    for op in _MODEL.operation_names
    if op not in _NOT_IN_MOTO
    and _MODEL.operation_model(op).input_shape is not None
    and "KeyId" in _MODEL.operation_model(op).input_shape.members
)
_FILLERS = {"string": "x", "blob": b"x", "integer": 7, "long": 7, "timestamp": 0}
_EXTRA: dict[str, dict[str, Any]] = {
    "CreateGrant": {
        "Operations": ["Encrypt"],
        "GranteePrincipal": "arn:aws:iam::123456789012:role/x",
    },
    "TagResource": {"Tags": [{"TagKey": "a", "TagValue": "b"}]},
    "UntagResource": {"TagKeys": ["a"]},
    "RetireGrant": {"GrantId": "g"},
}


@pytest.fixture(scope="module")
def kms() -> Any:
    with mock_kms_import() as mock:
        yield mock.client(
            config=Config(parameter_validation=False, retries={"total_max_attempts": 1})
        )


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "key_id", ["11111111-2222-3333-4444-555555555555", "alias/nowhere", "not-a-key-id"]
)
def test_unknown_keys_are_aws_errors(kms: Any, operation: str, key_id: str) -> None:
    shape = _MODEL.operation_model(operation).input_shape
    args: dict[str, Any] = {"KeyId": key_id}
    for member in shape.required_members:
        if member != "KeyId":
            args[member] = _FILLERS.get(shape.members[member].type_name, "x")
    args.update(_EXTRA.get(operation, {}))
    with pytest.raises(ClientError) as info:
        getattr(kms, botocore.xform_name(operation))(**args)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] in {
        "NotFoundException",
        "ValidationException",
        "InvalidArnException",
        "UnsupportedOperationException",
        "SerializationException",
        "InvalidKeyUsageException",
    }, response["Error"]


def test_retire_grant_needs_a_token_or_a_key(kms: Any) -> None:
    with pytest.raises(ClientError) as info:
        kms.retire_grant(GrantId="g")
    assert info.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_serialization_errors(constant: str) -> None:
    from kms_import_mock.kms.errors import SerializationException
    from kms_import_mock.kms.params import parse_body

    with pytest.raises(SerializationException):
        parse_body(f'{{"Limit": {constant}}}')

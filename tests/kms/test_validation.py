"""The request constraints of botocore's KMS model (lengths, ranges, patterns), enforced with
AWS's ValidationException wording, every violation listed, secrets never echoed."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config

from kms_import_mock import KmsImportMock
from kms_import_mock.kms import validation
from tests.helpers import aws_error


@pytest.fixture
def raw_kms(kms_import: KmsImportMock) -> Any:
    """A client that skips botocore's own parameter validation, as another SDK might."""
    return kms_import.client(config=Config(parameter_validation=False))


def test_a_long_description_is_refused(raw_kms: Any) -> None:
    description = "d" * (1024 * 1024)
    code, message = aws_error(raw_kms.create_key, Description=description)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'ddd")
    assert message.endswith(
        "...' at 'description' failed to satisfy constraint: "
        "Member must have length less than or equal to 8192"
    )
    assert len(message) < 1000
    # Nothing was created.
    assert raw_kms.list_keys()["Keys"] == []
    assert raw_kms.create_key(Description="d" * 8192)["KeyMetadata"]["Description"] == "d" * 8192


def test_several_violations_are_listed_together(raw_kms: Any) -> None:
    key_id = raw_kms.create_key()["KeyMetadata"]["KeyId"]
    code, message = aws_error(raw_kms.generate_data_key, KeyId=key_id, NumberOfBytes=2000,
                              GrantTokens=["t"] * 11)
    assert code == "ValidationException"
    assert message == (
        "2 validation errors detected: "
        "Value '2000' at 'numberOfBytes' failed to satisfy constraint: "
        "Member must have value less than or equal to 1024; "
        "Value '[t, t, t, t, t, t, t, t, t, t, t]' at 'grantTokens' failed to satisfy "
        "constraint: Member must have length less than or equal to 10"
    )


def test_patterns_and_minimum_lengths(raw_kms: Any) -> None:
    code, message = aws_error(raw_kms.create_alias, AliasName="alias/bad name!", TargetKeyId="k")
    assert code == "ValidationException"
    assert "at 'aliasName' failed to satisfy constraint: Member must satisfy regular " in message
    code, message = aws_error(raw_kms.describe_key, KeyId="")
    assert message == (
        "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_secret_values_are_never_echoed(raw_kms: Any) -> None:
    key_id = raw_kms.create_key()["KeyMetadata"]["KeyId"]
    secret = b"S" * 4097
    code, message = aws_error(raw_kms.encrypt, KeyId=key_id, Plaintext=secret)
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096"
    )
    assert "SSSS" not in message


def test_nested_members_are_checked(raw_kms: Any) -> None:
    code, message = aws_error(
        raw_kms.create_key, Tags=[{"TagKey": "k" * 129, "TagValue": "v"}]
    )
    assert code == "ValidationException"
    assert "at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length " \
        "less than or equal to 128" in message


def test_checks_come_from_the_model_and_are_cached() -> None:
    assert validation._operation_checks("CreateKey") is validation._operation_checks("CreateKey")
    assert "Description" in validation._operation_checks("CreateKey")
    validation.check("CreateKey", {"Description": "fine"})  # no error
    with pytest.raises(validation.ValidationException):
        validation.check("CreateKey", {"Description": "x" * 8193})

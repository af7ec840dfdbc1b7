"""Decrypt with a KeyId, and ReEncrypt with a SourceKeyId, that is not the ciphertext's key:
IncorrectKeyException with AWS's message, for AWS_KMS and EXTERNAL keys, by ID, ARN or alias."""

from __future__ import annotations

from typing import Any

import pytest

from kms_import_mock import KmsImportMock
from kms_import_mock.kms.incorrect_key import MESSAGE
from tests.helpers import aws_error, import_material

MATERIAL = bytes(range(90, 122))


@pytest.fixture
def kms(kms_import: KmsImportMock) -> Any:
    return kms_import.client()


def _key(kms: Any, origin: str) -> dict[str, Any]:
    meta: dict[str, Any] = kms.create_key(Origin=origin)["KeyMetadata"]
    if origin == "EXTERNAL":
        import_material(kms, meta["KeyId"], MATERIAL)
    return meta


@pytest.mark.parametrize("origin", ["AWS_KMS", "EXTERNAL"])
def test_decrypt_with_another_key_is_incorrect_key(kms: Any, origin: str) -> None:
    owner, other = _key(kms, origin), _key(kms, origin)
    kms.create_alias(AliasName="alias/other", TargetKeyId=other["KeyId"])
    blob = kms.encrypt(KeyId=owner["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    for named in (other["KeyId"], other["Arn"], "alias/other"):
        assert aws_error(kms.decrypt, CiphertextBlob=blob, KeyId=named) == (
            "IncorrectKeyException",
            MESSAGE,
        )
    for named in (owner["KeyId"], owner["Arn"]):
        assert kms.decrypt(CiphertextBlob=blob, KeyId=named)["Plaintext"] == b"p"


def test_decrypt_with_an_unknown_key_is_not_found(kms: Any) -> None:
    blob = kms.encrypt(KeyId=_key(kms, "AWS_KMS")["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    code, _ = aws_error(kms.decrypt, CiphertextBlob=blob, KeyId="alias/none")
    assert code == "NotFoundException"


@pytest.mark.parametrize("origin", ["AWS_KMS", "EXTERNAL"])
def test_reencrypt_with_another_source_key_is_incorrect_key(kms: Any, origin: str) -> None:
    owner, other = _key(kms, origin), _key(kms, origin)
    blob = kms.encrypt(KeyId=owner["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    assert aws_error(
        kms.re_encrypt, CiphertextBlob=blob, SourceKeyId=other["KeyId"],
        DestinationKeyId=other["KeyId"],
    ) == ("IncorrectKeyException", MESSAGE)
    moved = kms.re_encrypt(
        CiphertextBlob=blob, SourceKeyId=owner["Arn"], DestinationKeyId=other["KeyId"]
    )
    assert moved["SourceKeyId"] == owner["Arn"]
    code, _ = aws_error(
        kms.re_encrypt, CiphertextBlob=blob, SourceKeyId="alias/none",
        DestinationKeyId=other["KeyId"],
    )
    assert code == "NotFoundException"


def test_dry_run_of_decrypt_with_another_key_is_incorrect_key(kms: Any) -> None:
    owner, other = _key(kms, "AWS_KMS"), _key(kms, "AWS_KMS")
    blob = kms.encrypt(KeyId=owner["KeyId"], Plaintext=b"p")["CiphertextBlob"]
    code, _ = aws_error(kms.decrypt, CiphertextBlob=blob, KeyId=other["KeyId"], DryRun=True)
    assert code == "IncorrectKeyException"

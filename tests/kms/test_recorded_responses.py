"""Responses of AWS_KMS keys against what real AWS was recorded answering.

The expected members and values below are those of LocalStack's KMS snapshot tests that are
marked as validated against AWS (``tests/aws/services/kms/test_kms.snapshot.json``; the test
name and recording date are given on each check). Only the response shape and the fixed values
are compared; ids, blobs and dates differ by nature. docs/fidelity.md lists every comparison.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import aws_error

#: test_describe_with_alias_arn (2025-08-05), test_non_multi_region_keys_should_not_have_multi_
#: region_properties (2025-11-10): KeyMetadata of a symmetric AWS_KMS key.
KEY_METADATA = {
    "AWSAccountId",
    "Arn",
    "CreationDate",
    "CurrentKeyMaterialId",
    "CustomerMasterKeySpec",
    "Description",
    "Enabled",
    "EncryptionAlgorithms",
    "KeyId",
    "KeyManager",
    "KeySpec",
    "KeyState",
    "KeyUsage",
    "MultiRegion",
    "Origin",
}


def _members(response: dict[str, Any]) -> set[str]:
    return set(response) - {"ResponseMetadata"}


def test_create_and_describe_key(kms_import: Any) -> None:
    kms = kms_import.client()
    created = kms.create_key(Description="test - description")["KeyMetadata"]
    assert set(created) == KEY_METADATA
    described = kms.describe_key(KeyId=created["Arn"])["KeyMetadata"]
    assert set(described) == KEY_METADATA
    assert (described["KeyUsage"], described["MultiRegion"]) == ("ENCRYPT_DECRYPT", False)
    assert described["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert described["CurrentKeyMaterialId"] == created["CurrentKeyMaterialId"]


def test_encrypt_and_decrypt(kms_import: Any) -> None:
    """test_encrypt_decrypt_encryption_context (2025-09-22)."""
    kms = kms_import.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    context = {"purpose": "recorded"}
    encrypted = kms.encrypt(KeyId=key_id, Plaintext=b"p", EncryptionContext=context)
    assert _members(encrypted) == {"CiphertextBlob", "EncryptionAlgorithm", "KeyId"}
    assert encrypted["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    blob = encrypted["CiphertextBlob"]
    decrypted = kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)
    assert _members(decrypted) == {"EncryptionAlgorithm", "KeyId", "KeyMaterialId", "Plaintext"}
    assert aws_error(kms.decrypt, CiphertextBlob=blob) == ("InvalidCiphertextException", "")


def test_re_encrypt(kms_import: Any) -> None:
    """test_re_encrypt[SYMMETRIC_DEFAULT-SYMMETRIC_DEFAULT] (2025-06-09). The recording predates
    the key material ids (June 2025); botocore's model now has Source/DestinationKeyMaterialId,
    which the mock returns as well."""
    kms = kms_import.client()
    source, destination = (kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(2))
    blob = kms.encrypt(KeyId=source, Plaintext=b"p")["CiphertextBlob"]
    result = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    recorded = {
        "CiphertextBlob",
        "DestinationEncryptionAlgorithm",
        "KeyId",
        "SourceEncryptionAlgorithm",
        "SourceKeyId",
    }
    assert _members(result) == recorded | {"SourceKeyMaterialId", "DestinationKeyMaterialId"}
    assert result["SourceEncryptionAlgorithm"] == result["DestinationEncryptionAlgorithm"]
    assert result["SourceEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"


def test_generate_data_key(kms_import: Any) -> None:
    """test_generate_data_key (2023-05-11), plus the KeyMaterialId the model added since."""
    kms = kms_import.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    result = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert _members(result) == {"CiphertextBlob", "KeyId", "Plaintext", "KeyMaterialId"}


def test_errors_of_rotation_and_lookup(kms_import: Any) -> None:
    """test_rotate_key_on_demand_raises_error_given_key_is_disabled (2025-03-08),
    ..._given_non_symmetric_key (2025-03-08), test_get_key_in_different_region (2025-11-10)."""
    kms = kms_import.client()
    rsa = kms.create_key(KeySpec="RSA_4096", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    kms.disable_key(KeyId=rsa["KeyId"])
    assert aws_error(kms.rotate_key_on_demand, KeyId=rsa["KeyId"]) == (
        "DisabledException",
        f"{rsa['Arn']} is disabled.",
    )
    kms.enable_key(KeyId=rsa["KeyId"])
    assert aws_error(kms.rotate_key_on_demand, KeyId=rsa["KeyId"]) == (
        "UnsupportedOperationException",
        "",
    )
    elsewhere = kms_import.client(region_name="us-west-2").create_key()["KeyMetadata"]
    assert aws_error(kms.describe_key, KeyId=elsewhere["KeyId"]) == (
        "NotFoundException",
        f"Key '{elsewhere['Arn'].replace('us-west-2', 'us-east-1')}' does not exist",
    )
    assert aws_error(kms.describe_key, KeyId=elsewhere["Arn"]) == (
        "NotFoundException",
        "Invalid arn us-west-2",
    )

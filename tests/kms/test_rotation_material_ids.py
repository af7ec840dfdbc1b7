"""Rotating an AWS_KMS symmetric key gives it new key material with a new id, as on AWS:
CurrentKeyMaterialId changes, ListKeyRotations names each rotation's KeyMaterialId, and a
ciphertext made before still decrypts, naming the material that made it."""

from __future__ import annotations

from typing import Any

import pytest

from kms_import_mock import KmsImportMock

CONTEXT = {"purpose": "rotation"}


@pytest.fixture
def kms(kms_import: KmsImportMock) -> Any:
    return kms_import.client()


def _current(kms: Any, key_id: str) -> str:
    current: str = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    return current


def test_rotation_changes_the_material_id(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    first = _current(kms, key_id)
    old_blob = kms.encrypt(KeyId=key_id, Plaintext=b"old", EncryptionContext=CONTEXT)
    kms.rotate_key_on_demand(KeyId=key_id)
    second = _current(kms, key_id)
    kms.rotate_key_on_demand(KeyId=key_id)
    third = _current(kms, key_id)
    assert len({first, second, third}) == 3
    assert all(len(m) == 64 for m in (first, second, third))

    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [r["KeyMaterialId"] for r in rotations] == [second, third]
    assert all(r["RotationType"] == "ON_DEMAND" for r in rotations)

    # The old ciphertext still decrypts and names the material that made it.
    old = kms.decrypt(CiphertextBlob=old_blob["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert (old["Plaintext"], old["KeyMaterialId"]) == (b"old", first)
    new_blob = kms.encrypt(KeyId=key_id, Plaintext=b"new", EncryptionContext=CONTEXT)
    new = kms.decrypt(CiphertextBlob=new_blob["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert (new["Plaintext"], new["KeyMaterialId"]) == (b"new", third)

    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    assert data_key["KeyMaterialId"] == third

    moved = kms.re_encrypt(
        CiphertextBlob=old_blob["CiphertextBlob"],
        SourceEncryptionContext=CONTEXT,
        DestinationKeyId=key_id,
    )
    assert (moved["SourceKeyMaterialId"], moved["DestinationKeyMaterialId"]) == (first, third)
    assert kms.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"old"


def test_a_wrong_context_still_fails_after_rotation(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"p", EncryptionContext=CONTEXT)["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=key_id)
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "other"})


def test_multi_region_replicas_share_the_new_material(kms_import: KmsImportMock) -> None:
    kms = kms_import.client()
    key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    there = kms_import.client(region_name="eu-west-1")
    before = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    kms.rotate_key_on_demand(KeyId=key_id)
    assert _current(there, key_id) == _current(kms, key_id)
    after = there.encrypt(KeyId=key_id, Plaintext=b"after")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=after)["Plaintext"] == b"after"
    assert there.decrypt(CiphertextBlob=before)["Plaintext"] == b"before"

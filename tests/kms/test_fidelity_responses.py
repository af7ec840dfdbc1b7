"""Response fields, dates and operation names as AWS has them, for keys of every origin.

- Encrypt, Decrypt and ReEncrypt name the encryption algorithm; Decrypt, GenerateDataKey* and
  ReEncrypt name the key material of a symmetric key, the one DescribeKey shows as current.
- CreationDate, DeletionDate and RotationDate follow the mock clock, as ValidTo does.
- An X-Amz-Target that names no KMS operation is UnknownOperationException; an operation moto
  lacks is UnsupportedOperationException; both HTTP 400, never moto's HTTP 500.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import requests

from tests.helpers import aws_error, import_material, kms_model_has_operation

MESSAGE = b"fidelity"
ENDPOINT = "https://kms.us-east-1.amazonaws.com/"
HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "Authorization": (
        "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/kms/aws4_request, "
        "SignedHeaders=host, Signature=0"
    ),
}


def _external(kms: Any) -> str:
    key_id: str = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(kms, key_id, bytes(range(32)))
    return key_id


@pytest.fixture(params=["AWS_KMS", "EXTERNAL"])
def symmetric_key(request: pytest.FixtureRequest, kms_import: Any) -> tuple[Any, str]:
    kms = kms_import.client()
    if request.param == "EXTERNAL":
        return kms, _external(kms)
    return kms, kms.create_key()["KeyMetadata"]["KeyId"]


def _current(kms: Any, key_id: str) -> str:
    material_id: str = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    return material_id


def test_encrypt_and_decrypt_name_algorithm_and_material(symmetric_key: tuple[Any, str]) -> None:
    kms, key_id = symmetric_key
    material_id = _current(kms, key_id)
    assert len(material_id) == 64 and int(material_id, 16) >= 0
    encrypted = kms.encrypt(KeyId=key_id, Plaintext=MESSAGE)
    assert encrypted["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    decrypted = kms.decrypt(CiphertextBlob=encrypted["CiphertextBlob"])
    assert decrypted["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert decrypted["KeyMaterialId"] == material_id
    assert decrypted["Plaintext"] == MESSAGE


def test_data_keys_name_their_material(symmetric_key: tuple[Any, str]) -> None:
    kms, key_id = symmetric_key
    material_id = _current(kms, key_id)
    assert kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")["KeyMaterialId"] == material_id
    without = kms.generate_data_key_without_plaintext(KeyId=key_id, NumberOfBytes=16)
    assert without["KeyMaterialId"] == material_id
    assert "Plaintext" not in without


def test_re_encrypt_names_both_sides(kms_import: Any) -> None:
    kms = kms_import.client()
    source, destination = kms.create_key()["KeyMetadata"]["KeyId"], _external(kms)
    blob = kms.encrypt(KeyId=source, Plaintext=MESSAGE)["CiphertextBlob"]
    result = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    assert result["SourceEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert result["DestinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert result["SourceKeyMaterialId"] == _current(kms, source)
    assert result["DestinationKeyMaterialId"] == _current(kms, destination)
    assert kms.decrypt(CiphertextBlob=result["CiphertextBlob"])["Plaintext"] == MESSAGE


def test_material_ids_are_per_key_and_shared_by_replicas(kms_import: Any) -> None:
    kms = kms_import.client()
    one, two = (kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(2))
    assert _current(kms, one) != _current(kms, two)
    assert _current(kms, one) == _current(kms, one)
    primary = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.replicate_key(KeyId=primary, ReplicaRegion="eu-west-1")
    there = kms_import.client(region_name="eu-west-1")
    assert _current(there, primary) == _current(kms, primary)
    # moto's own Decrypt refused every multi-Region ciphertext (its blob cuts the mrk- ID short).
    blob = kms.encrypt(KeyId=primary, Plaintext=MESSAGE)["CiphertextBlob"]
    for client in (kms, there):
        decrypted = client.decrypt(CiphertextBlob=blob)
        assert (decrypted["Plaintext"], decrypted["KeyMaterialId"]) == (
            MESSAGE,
            _current(kms, primary),
        )
    other = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    assert aws_error(kms.decrypt, CiphertextBlob=blob, KeyId=other)[0] == "IncorrectKeyException"


def test_only_symmetric_keys_show_a_material_id(kms_import: Any) -> None:
    kms = kms_import.client()
    created = kms.create_key()["KeyMetadata"]
    assert created["CurrentKeyMaterialId"] == _current(kms, created["KeyId"])
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert "CurrentKeyMaterialId" not in rsa
    pending = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    assert "CurrentKeyMaterialId" not in pending  # no material imported yet


# -- dates -------------------------------------------------------------------------------------


def _near(value: dt.datetime, expected: dt.datetime) -> bool:
    return abs(value - expected) < dt.timedelta(seconds=5)


@pytest.mark.parametrize("origin", ["AWS_KMS", "EXTERNAL"])
def test_key_dates_follow_the_mock_clock(kms_import: Any, origin: str) -> None:
    when = dt.datetime(2031, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
    kms_import.travel_to(when)
    kms = kms_import.client()
    metadata = kms.create_key(Origin=origin)["KeyMetadata"]
    assert _near(metadata["CreationDate"], when)
    assert _near(kms.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"]["CreationDate"], when)
    kms_import.advance(dt.timedelta(days=3))
    scheduled = kms.schedule_key_deletion(KeyId=metadata["KeyId"], PendingWindowInDays=7)
    assert _near(scheduled["DeletionDate"], when + dt.timedelta(days=10))
    described = kms.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"]
    assert described["DeletionDate"] == scheduled["DeletionDate"]


def test_a_replica_is_created_when_it_is_replicated(kms_import: Any) -> None:
    when = dt.datetime(2031, 5, 1, tzinfo=dt.timezone.utc)
    kms_import.travel_to(when)
    kms = kms_import.client()
    primary = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms_import.advance(dt.timedelta(days=2))
    replica = kms.replicate_key(KeyId=primary, ReplicaRegion="eu-west-1")["ReplicaKeyMetadata"]
    assert _near(replica["CreationDate"], when + dt.timedelta(days=2))
    assert _near(kms.describe_key(KeyId=primary)["KeyMetadata"]["CreationDate"], when)


def test_rotation_dates_follow_the_mock_clock(kms_import: Any) -> None:
    when = dt.datetime(2032, 1, 1, tzinfo=dt.timezone.utc)
    kms_import.travel_to(when)
    kms = kms_import.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.rotate_key_on_demand(KeyId=arn)
    (entry,) = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert _near(entry["RotationDate"], when)
    assert entry["KeyId"] == key_id  # moto echoed the KeyId as given


def test_schedule_key_deletion_answers_as_aws_does(kms_import: Any) -> None:
    kms = kms_import.client()
    metadata = kms.create_key()["KeyMetadata"]
    result = kms.schedule_key_deletion(KeyId=metadata["KeyId"], PendingWindowInDays=9)
    assert result["KeyId"] == metadata["Arn"]
    assert (result["KeyState"], result["PendingWindowInDays"]) == ("PendingDeletion", 9)


# -- operation names ---------------------------------------------------------------------------


def _post(target: str, body: dict[str, Any] | None = None) -> requests.Response:
    headers = dict(HEADERS, **{"X-Amz-Target": target})
    return requests.post(ENDPOINT, data=json.dumps(body or {}), headers=headers, timeout=30)


@pytest.mark.parametrize(
    "target",
    [
        "TrentService.NoSuchOperation",
        "TrentService.import_key_material",  # moto ran the snake_case method
        "TrentService.list_keys",
        "TrentService.__init__",
        "TrentService.",
        "OtherService.ListKeys",
        "ListKeys",
    ],
)
def test_a_target_that_names_no_operation_is_unknown(kms_import: Any, target: str) -> None:
    response = _post(target)
    assert response.status_code == 400
    assert response.json()["__type"] == "UnknownOperationException"
    assert "TrentService.<Operation>" in response.json()["message"]


@pytest.mark.parametrize(
    "operation",
    [
        "Encapsulate",
        "Decapsulate",
        "UpdatePrimaryRegion",
        "ConnectCustomKeyStore",
    ],
)
def test_an_operation_moto_lacks_is_unsupported(kms_import: Any, operation: str) -> None:
    response = _post(f"TrentService.{operation}", {"KeyId": "alias/x"})
    assert response.status_code == 400
    if not kms_model_has_operation(operation):  # botocore older than the operation
        assert response.json()["__type"] == "UnknownOperationException"
        return
    assert response.json() == {
        "__type": "UnsupportedOperationException",
        "message": f"{operation} is an AWS KMS operation that kms-import-mock does not implement.",
    }


def test_get_key_last_usage_is_served_when_the_model_has_it(kms_import: Any) -> None:
    key_id = kms_import.client().create_key()["KeyMetadata"]["KeyId"]
    response = _post("TrentService.GetKeyLastUsage", {"KeyId": key_id})
    if not kms_model_has_operation("GetKeyLastUsage"):  # botocore older than 1.42.97
        assert (response.status_code, response.json()["__type"]) == (
            400,
            "UnknownOperationException",
        )
        return
    assert response.status_code == 200
    assert response.json()["KeyId"] == key_id and response.json()["KeyLastUsage"] == {}


def test_a_known_target_still_works(kms_import: Any) -> None:
    kms_import.client().create_key()
    response = _post("TrentService.ListKeys")
    assert response.status_code == 200
    assert len(response.json()["Keys"]) == 1

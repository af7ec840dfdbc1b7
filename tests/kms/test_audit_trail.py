"""Every KMS call reaches CloudTrail: successes and refusals (errorCode, errorMessage), the
calls integrated services make, never a secret, in a bounded store."""

from __future__ import annotations

import base64
import datetime as dt
import json

import boto3
import pytest
import time_machine

from kms_import_mock import generate_key_material, mock_kms_import
from kms_import_mock.kms import events as _events
from tests.helpers import aws_error, import_material

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _forms(secret: bytes) -> list[str]:
    """How a secret could show in JSON: base64 (whole, or the first 40 characters) and hex."""
    encoded = base64.b64encode(secret).decode()
    return [encoded[:40], secret.hex()[:40]]


def test_every_operation_is_recorded_and_no_secret_appears(m):
    kms = m.client()
    key = kms.create_key(Description="audit")["KeyMetadata"]
    signing = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]
    hmac = kms.create_key(KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")["KeyMetadata"]
    external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    material = generate_key_material()
    import_material(kms, external["KeyId"], material)
    plaintext = b"the plaintext that must never be logged"
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=plaintext)["CiphertextBlob"]
    kms.decrypt(CiphertextBlob=blob)
    data_key = kms.generate_data_key(KeyId=external["KeyId"], KeySpec="AES_256")
    moved = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=external["KeyId"])
    signature = kms.sign(
        KeyId=signing["KeyId"], Message=b"signed msg", SigningAlgorithm="ECDSA_SHA_256"
    )
    kms.verify(
        KeyId=signing["KeyId"], Message=b"signed msg", Signature=signature["Signature"],
        SigningAlgorithm="ECDSA_SHA_256",
    )  # fmt: skip
    mac = kms.generate_mac(KeyId=hmac["KeyId"], Message=b"mac msg", MacAlgorithm="HMAC_SHA_256")
    kms.describe_key(KeyId=key["KeyId"])
    kms.list_keys()

    names = [e["eventName"] for e in m.events()]
    for name in (
        "CreateKey", "GetParametersForImport", "ImportKeyMaterial", "Encrypt", "Decrypt",
        "GenerateDataKey", "ReEncrypt", "Sign", "Verify", "GenerateMac", "DescribeKey", "ListKeys",
    ):  # fmt: skip
        assert name in names, name
    text = json.dumps(m.events())
    secrets = [
        plaintext, blob, material, data_key["Plaintext"], data_key["CiphertextBlob"],
        moved["CiphertextBlob"], signature["Signature"], mac["Mac"], b"signed msg", b"mac msg",
    ]  # fmt: skip
    for secret in secrets:
        for form in _forms(secret):
            assert form not in text
    for member in ("plaintext", "ciphertextBlob", "signature", "message", "mac", "importToken"):
        assert f'"{member}"' not in text

    [reencrypt] = m.events("ReEncrypt")
    assert [r["ARN"] for r in reencrypt["resources"]] == [external["Arn"], key["Arn"]]
    [describe] = m.events("DescribeKey", key_id=key["KeyId"])
    assert describe["requestParameters"] == {"keyId": key["KeyId"]}
    assert describe["readOnly"] is True and describe["responseElements"] is None
    [listing] = m.events("ListKeys")
    assert listing["resources"] == []


def test_a_decrypt_refused_by_a_disabled_key_is_recorded_with_its_error(m):
    kms = m.client()
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key["KeyId"])
    code, message = aws_error(kms.decrypt, CiphertextBlob=blob)  # no KeyId: found in the blob
    assert code == "DisabledException"
    [failed] = [e for e in m.events("Decrypt", key_id=key["Arn"]) if "errorCode" in e]
    assert failed["errorCode"] == "DisabledException"
    assert failed["errorMessage"] == message
    assert failed["resources"][0]["ARN"] == key["Arn"]
    assert failed["eventType"] == "AwsApiCall" and failed["responseElements"] is None
    keys = list(failed)
    assert keys.index("userAgent") < keys.index("errorCode") < keys.index("requestParameters")
    # What AWS suggests before deleting: look up the DisabledException entries.
    trail = boto3.client("cloudtrail", region_name="us-east-1")
    found = trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": key["Arn"]}]
    )["Events"]
    errors = [json.loads(e["CloudTrailEvent"]).get("errorCode") for e in found]
    assert errors.count("DisabledException") == 1


def test_pending_deletion_and_pending_import_refusals(m):
    kms = m.client()
    key = kms.create_key()["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
    external = m.create_imported_key()
    kms.delete_imported_key_material(KeyId=external.key_id)
    aws_error(kms.generate_data_key, KeyId=external.key_id, KeySpec="AES_256")
    refused = [(e["eventName"], e["errorCode"]) for e in m.events() if "errorCode" in e]
    assert refused == [
        ("Encrypt", "KMSInvalidStateException"),
        ("GenerateDataKey", "KMSInvalidStateException"),
    ]


def test_validation_refusals_and_unknown_keys_are_recorded(m):
    kms = m.client()
    unknown = "0" * 8 + "-0000-0000-0000-" + "0" * 12
    aws_error(kms.describe_key, KeyId="alias/nothing-here")
    aws_error(kms.enable_key, KeyId=unknown)
    aws_error(kms.list_keys, Limit=1001)
    recorded = [(e["eventName"], e["errorCode"], e["resources"]) for e in m.events()]
    assert recorded == [
        ("DescribeKey", "NotFoundException", []),
        ("EnableKey", "NotFoundException", []),
        ("ListKeys", "ValidationException", []),
    ]
    assert m.events("DescribeKey")[0]["requestParameters"] == {"keyId": "alias/nothing-here"}
    assert m.events("ListKeys")[0]["requestParameters"] == {"limit": 1001}


def test_service_calls_are_recorded_refused_ones_too(m):
    kms = m.client()
    key = m.create_imported_key()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="audit-bucket")
    s3.put_object(Bucket="audit-bucket", Key="k", Body=b"data", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key.key_id)  # fmt: skip
    kms.disable_key(KeyId=key.key_id)
    aws_error(s3.get_object, Bucket="audit-bucket", Key="k")
    service = [e for e in m.events(key_id=key.arn) if e["userIdentity"].get("invokedBy")]
    assert [(e["eventName"], e.get("errorCode")) for e in service] == [
        ("GenerateDataKey", None),
        ("Decrypt", "DisabledException"),
    ]
    assert all(e["userIdentity"]["invokedBy"] == "s3.amazonaws.com" for e in service)


def test_event_ids_and_request_ids_are_distinct_and_stable(m):
    kms = m.client()
    key = kms.create_key()["KeyMetadata"]
    answers = [kms.describe_key(KeyId=key["KeyId"]) for _ in range(3)]
    described = m.events("DescribeKey")
    assert [e["requestID"] for e in described] == [
        a["ResponseMetadata"]["RequestId"] for a in answers
    ]
    assert len({e["eventID"] for e in described}) == 3
    assert m.events("DescribeKey") == described  # the same ids on every read


def test_the_store_is_bounded_oldest_first_out(monkeypatch):
    monkeypatch.setattr(_events, "MAX_EVENTS", 5)
    with mock_kms_import() as m:
        kms = m.client()
        key = kms.create_key()["KeyMetadata"]
        answers = [kms.describe_key(KeyId=key["KeyId"]) for _ in range(7)]
        events = m.events()
        assert len(events) == 5
        assert [e["requestID"] for e in events] == [
            a["ResponseMetadata"]["RequestId"] for a in answers[2:]
        ]


def test_the_default_bound():
    assert _events.MAX_EVENTS == 100_000

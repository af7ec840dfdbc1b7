"""GetKeyLastUsage: the last successful cryptographic operation of each key, with the eventID
of its CloudTrail record and its request id, on the mock clock."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
import time_machine

from kms_import_mock import mock_kms_import
from tests.helpers import aws_error, kms_model_has_operation

# The supported botocore floor predates the operation: its client cannot call it, and the mock
# answers UnknownOperationException (test_fidelity_responses checks both ends).
pytestmark = pytest.mark.skipif(
    not kms_model_has_operation("GetKeyLastUsage"),
    reason="GetKeyLastUsage needs botocore 1.42.97 or later",
)

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _usage(kms, key_id):
    answer = kms.get_key_last_usage(KeyId=key_id)
    answer.pop("ResponseMetadata")
    return answer


def _event_of(m, name, request_id):
    [event] = [e for e in m.events(name) if e["requestID"] == request_id]
    return event


def test_an_unused_key_has_empty_usage_and_its_creation_date(m):
    kms = m.client()
    meta = kms.create_key()["KeyMetadata"]
    m.advance(dt.timedelta(days=2))
    kms.describe_key(KeyId=meta["KeyId"])  # not a cryptographic operation
    usage = _usage(kms, meta["Arn"])
    assert usage == {
        "KeyId": meta["KeyId"],
        "KeyLastUsage": {},
        "TrackingStartDate": T0,
        "KeyCreationDate": T0,
    }
    assert meta["CreationDate"] == usage["KeyCreationDate"]


def test_the_last_successful_operation_with_its_event_and_request_ids(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    m.advance(dt.timedelta(hours=1))
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    m.advance(dt.timedelta(hours=1))
    answer = kms.decrypt(CiphertextBlob=blob)
    request_id = answer["ResponseMetadata"]["RequestId"]
    last = _usage(kms, key_id)["KeyLastUsage"]
    assert last == {
        "Operation": "Decrypt",
        "Timestamp": T0 + dt.timedelta(hours=2),
        "CloudTrailEventId": _event_of(m, "Decrypt", request_id)["eventID"],
        "KmsRequestId": request_id,
    }
    # LookupEvents finds the very record by that id.
    trail = boto3.client("cloudtrail", region_name="us-east-1")
    attrs = [{"AttributeKey": "EventId", "AttributeValue": last["CloudTrailEventId"]}]
    [found] = trail.lookup_events(LookupAttributes=attrs)["Events"]
    assert found["EventName"] == "Decrypt"


def test_failed_operations_leave_the_last_usage_alone(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)
    m.advance(60)
    aws_error(kms.decrypt, CiphertextBlob=blob)
    kms.enable_key(KeyId=key_id)
    last = _usage(kms, key_id)["KeyLastUsage"]
    assert (last["Operation"], last["Timestamp"]) == ("Encrypt", T0)


@pytest.mark.parametrize(
    ("spec", "usage", "call", "operation"),
    [
        ("SYMMETRIC_DEFAULT", None, lambda k, i: k.generate_data_key(KeyId=i, KeySpec="AES_256"),
         "GenerateDataKey"),
        ("SYMMETRIC_DEFAULT", None,
         lambda k, i: k.generate_data_key_without_plaintext(KeyId=i, KeySpec="AES_256"),
         "GenerateDataKeyWithoutPlaintext"),
        ("ECC_NIST_P256", "SIGN_VERIFY",
         lambda k, i: k.sign(KeyId=i, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"), "Sign"),
        ("HMAC_256", "GENERATE_VERIFY_MAC",
         lambda k, i: k.generate_mac(KeyId=i, Message=b"m", MacAlgorithm="HMAC_SHA_256"),
         "GenerateMac"),
    ],
)  # fmt: skip
def test_each_cryptographic_operation_counts(m, spec, usage, call, operation):
    kms = m.client()
    kwargs = {"KeySpec": spec, **({"KeyUsage": usage} if usage else {})}
    key_id = kms.create_key(**kwargs)["KeyMetadata"]["KeyId"]
    call(kms, key_id)
    assert _usage(kms, key_id)["KeyLastUsage"]["Operation"] == operation


def test_reencrypt_counts_for_both_keys_with_one_event(m):
    kms = m.client()
    source = kms.create_key()["KeyMetadata"]["KeyId"]
    destination = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=source, Plaintext=b"x")["CiphertextBlob"]
    m.advance(60)
    answer = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    event = _event_of(m, "ReEncrypt", answer["ResponseMetadata"]["RequestId"])
    for key_id in (source, destination):
        last = _usage(kms, key_id)["KeyLastUsage"]
        assert last["Operation"] == "ReEncrypt"
        assert last["CloudTrailEventId"] == event["eventID"]
        assert last["Timestamp"] == T0 + dt.timedelta(seconds=60)


def test_primary_and_replica_are_tracked_separately(m):
    east, west = m.client("us-east-1"), m.client("eu-west-1")
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    west.encrypt(KeyId=primary["KeyId"], Plaintext=b"x")
    assert _usage(east, primary["KeyId"])["KeyLastUsage"] == {}
    assert _usage(west, primary["KeyId"])["KeyLastUsage"]["Operation"] == "Encrypt"
    east.generate_data_key(KeyId=primary["KeyId"], KeySpec="AES_256")
    assert _usage(east, primary["KeyId"])["KeyLastUsage"]["Operation"] == "GenerateDataKey"
    assert _usage(west, primary["KeyId"])["KeyLastUsage"]["Operation"] == "Encrypt"


def test_a_service_using_the_key_counts(m):
    key = m.create_imported_key()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="usage-bucket")
    s3.put_object(Bucket="usage-bucket", Key="k", Body=b"d", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId=key.key_id)  # fmt: skip
    last = _usage(m.client(), key.key_id)["KeyLastUsage"]
    [event] = m.events("GenerateDataKey", key_id=key.arn)
    assert last["Operation"] == "GenerateDataKey"
    assert last["CloudTrailEventId"] == event["eventID"]
    assert last["KmsRequestId"] == event["requestID"]


def test_unknown_keys_and_aliases_are_not_found(m):
    kms = m.client()
    unknown = "0" * 8 + "-0000-0000-0000-" + "0" * 12
    code, message = aws_error(kms.get_key_last_usage, KeyId=unknown)
    assert code == "NotFoundException" and unknown in message
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/used", TargetKeyId=key_id)
    assert aws_error(kms.get_key_last_usage, KeyId="alias/used")[0] == "NotFoundException"


def test_moto_reset_forgets_usage():
    from moto.kms.models import kms_backends

    with mock_kms_import() as m:
        kms = m.client()
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
        kms_backends["123456789012"]["us-east-1"].reset()
        assert aws_error(kms.get_key_last_usage, KeyId=key_id)[0] == "NotFoundException"

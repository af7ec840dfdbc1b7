"""Kinesis Data Streams under a KMS key: puts and reads refused with Kinesis's own KMS codes
while the key is unusable, nothing stored; every earlier record reads back in order afterwards."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import boto3
import botocore
import pytest
import time_machine
from moto.kinesis.models import kinesis_backends

from kms_import_mock import mock_kms_import
from kms_import_mock.services import kinesis as kinesis_service
from tests.helpers import aws_error

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MATERIAL = bytes(range(32))


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _kinesis():
    return boto3.client("kinesis", region_name="us-east-1")


def _stream(key_ref=None, name="s"):
    _kinesis().create_stream(StreamName=name, ShardCount=1)
    if key_ref is not None:
        _kinesis().start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key_ref)
    return name


def _read(name):
    shard = _kinesis().describe_stream(StreamName=name)["StreamDescription"]["Shards"][0]
    iterator = _kinesis().get_shard_iterator(
        StreamName=name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return _kinesis().get_records(ShardIterator=iterator)


def _data(name):
    return [record["Data"] for record in _read(name)["Records"]]


def _put(name, data):
    return _kinesis().put_record(StreamName=name, Data=data, PartitionKey="pk")


def _kinesis_events(m, name=None):
    """The KMS calls kinesis made that succeeded (refused ones are recorded with errorCode)."""
    return [
        e
        for e in m.events(name)
        if e["userIdentity"].get("invokedBy") == "kinesis.amazonaws.com" and "errorCode" not in e
    ]


def test_the_kms_error_codes_are_the_kinesis_models_exception_shapes():
    data = pathlib.Path(botocore.__file__).parent / "data" / "kinesis"
    (model_file,) = data.glob("*/service-2.json*")
    raw = model_file.read_bytes()
    model = json.loads(gzip.decompress(raw) if model_file.suffix == ".gz" else raw)
    assert model["metadata"]["protocol"] == "json"
    for operation in ("PutRecord", "PutRecords", "GetRecords", "StartStreamEncryption"):
        errors = {e["shape"] for e in model["operations"][operation]["errors"]}
        assert set(kinesis_service.KINESIS_CODES.values()) <= errors
    for code in kinesis_service.KINESIS_CODES.values():
        shape = model["shapes"][code]
        assert shape["exception"] is True and "error" not in shape  # the shape name is the code


def test_put_and_get_call_kms_with_the_stream_context(m):
    key = m.create_imported_key(key_material=MATERIAL)
    name = _stream(key.key_id)
    _put(name, b"hello")
    assert _data(name) == [b"hello"]
    described = _kinesis().describe_stream(StreamName=name)["StreamDescription"]
    assert described["EncryptionType"] == "KMS"
    (generated,) = _kinesis_events(m, "GenerateDataKey")  # one data key, reused
    context = {"aws:kinesis:arn": described["StreamARN"]}
    assert generated["requestParameters"]["encryptionContext"] == context
    assert generated["resources"][0]["ARN"] == key.arn
    # Read within the reuse period of the data key Kinesis generated: no Decrypt yet.
    assert _kinesis_events(m, "Decrypt") == []
    m.advance(301)
    assert _data(name) == [b"hello"]
    (decrypted,) = _kinesis_events(m, "Decrypt")
    assert decrypted["requestParameters"]["encryptionContext"] == context


def test_a_disabled_key_refuses_puts_and_reads_and_stores_nothing(m):
    key = m.create_imported_key(key_material=MATERIAL)
    name = _stream(key.key_id)
    _put(name, b"one")
    _kinesis().put_records(
        StreamName=name,
        Records=[{"Data": b"two", "PartitionKey": "a"}, {"Data": b"three", "PartitionKey": "b"}],
    )
    m.client().disable_key(KeyId=key.key_id)

    code, message = aws_error(_put, name, b"refused")
    assert code == "KMSDisabledException"
    assert f"{key.arn} is disabled." in message and "Error Code: DisabledException" in message
    code, _ = aws_error(
        _kinesis().put_records,
        StreamName=name,
        Records=[{"Data": b"refused-a", "PartitionKey": "a"}],
    )
    assert code == "KMSDisabledException"
    assert aws_error(_read, name)[0] == "KMSDisabledException"

    m.client().enable_key(KeyId=key.key_id)
    assert _data(name) == [b"one", b"two", b"three"]  # nothing refused was stored
    _put(name, b"four")
    assert _data(name) == [b"one", b"two", b"three", b"four"]


def test_material_deleted_or_deletion_pending_is_invalid_state_until_usable_again(m):
    key = m.create_imported_key(key_material=MATERIAL)
    name = _stream(key.key_id)
    _put(name, b"before")
    m.client().delete_imported_key_material(KeyId=key.key_id)
    code, message = aws_error(_put, name, b"refused")
    assert code == "KMSInvalidStateException"
    assert f"{key.arn} is pending import." in message
    assert aws_error(_read, name)[0] == "KMSInvalidStateException"

    m.import_key_material(key.key_id, MATERIAL)  # the same material: readable again
    _put(name, b"after")
    assert _data(name) == [b"before", b"after"]

    m.client().schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
    assert aws_error(_put, name, b"refused")[0] == "KMSInvalidStateException"
    assert aws_error(_read, name)[0] == "KMSInvalidStateException"
    m.client().cancel_key_deletion(KeyId=key.key_id)
    m.client().enable_key(KeyId=key.key_id)  # cancelling leaves the key disabled, as on AWS
    assert _data(name) == [b"before", b"after"]


def test_expired_material_refuses_puts(m):
    key = m.create_imported_key(key_material=MATERIAL, valid_to=dt.timedelta(hours=1))
    name = _stream(key.key_id)
    _put(name, b"in time")
    m.advance(dt.timedelta(hours=2))
    assert aws_error(_put, name, b"late")[0] == "KMSInvalidStateException"
    m.import_key_material(key.key_id, MATERIAL)
    assert _data(name) == [b"in time"]


def test_start_stream_encryption_under_an_unusable_key_changes_nothing(m):
    key = m.create_imported_key(key_material=MATERIAL)
    name = _stream()
    m.client().disable_key(KeyId=key.key_id)
    code, _ = aws_error(
        _kinesis().start_stream_encryption,
        StreamName=name,
        EncryptionType="KMS",
        KeyId=key.key_id,
    )
    assert code == "KMSDisabledException"
    code, message = aws_error(
        _kinesis().start_stream_encryption,
        StreamName=name,
        EncryptionType="KMS",
        KeyId="alias/no-such-alias",
    )
    assert code == "KMSNotFoundException" and "alias/no-such-alias" in message
    described = _kinesis().describe_stream(StreamName=name)["StreamDescription"]
    assert described["EncryptionType"] == "NONE"
    _put(name, b"plain")  # the stream is still unencrypted and never asks KMS
    assert _data(name) == [b"plain"]
    assert _kinesis_events(m) == []
    refused = [e for e in m.events() if e.get("errorCode")]  # CloudTrail shows the refusal
    assert [e["errorCode"] for e in refused] == ["DisabledException"]
    assert refused[0]["userIdentity"]["invokedBy"] == "kinesis.amazonaws.com"


def test_the_aws_managed_key_is_created_on_first_use(m):
    name = _stream("alias/aws/kinesis")
    _put(name, b"managed")
    assert _data(name) == [b"managed"]
    aliases = m.client().list_aliases()["Aliases"]
    assert "alias/aws/kinesis" in {a["AliasName"] for a in aliases}


def test_stop_stream_encryption_stops_following_the_key_for_new_records(m):
    key = m.create_imported_key(key_material=MATERIAL)
    name = _stream(key.key_id)
    _put(name, b"sealed")
    _kinesis().stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key.key_id)
    m.client().disable_key(KeyId=key.key_id)
    _put(name, b"plain")  # no key named any more
    # The record written while encrypted still needs its data key.
    assert aws_error(_read, name)[0] == "KMSDisabledException"
    m.client().enable_key(KeyId=key.key_id)
    assert _data(name) == [b"sealed", b"plain"]


def test_only_encrypted_streams_get_a_wrapper(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _stream(key.key_id, name="sealed")
    _stream(name="plain")
    streams = kinesis_backends["123456789012"]["us-east-1"].streams
    assert "put_record" in vars(streams["sealed"])
    assert "put_record" not in vars(streams["plain"])


def test_cloudtrail_lookup_events_shows_the_calls_invoked_by_kinesis(m):
    key = m.create_imported_key(key_material=MATERIAL)
    name = _stream(key.key_id)
    _put(name, b"audited")
    m.advance(301)
    _data(name)
    trail = boto3.client("cloudtrail", region_name="us-east-1")
    records = [json.loads(e["CloudTrailEvent"]) for e in trail.lookup_events()["Events"]]
    by_kinesis = [
        r["eventName"]
        for r in records
        if r["userIdentity"].get("invokedBy") == "kinesis.amazonaws.com"
    ]
    assert sorted(by_kinesis) == ["Decrypt", "GenerateDataKey"]

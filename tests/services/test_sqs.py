"""SQS under a KMS key: data keys reused for KmsDataKeyReusePeriodSeconds on the mock clock,
then refused with SQS's own KMS codes; reimport brings everything back."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import boto3
import botocore
import pytest
import time_machine
from moto import mock_aws
from moto.sqs.models import SQSBackend

from kms_import_mock import mock_kms_import
from kms_import_mock.services import sqs as sqs_service
from tests.helpers import aws_error

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MATERIAL = bytes(range(32))


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _sqs():
    return boto3.client("sqs", region_name="us-east-1")


def _queue(key_ref, name="q", **attributes):
    attrs = {"KmsMasterKeyId": key_ref, **{k: str(v) for k, v in attributes.items()}}
    return _sqs().create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]


def _bodies(url, count=10):
    messages = _sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=count).get("Messages", [])
    return sorted(message["Body"] for message in messages)


def _sqs_events(m, name=None):
    return [e for e in m.events(name) if e["userIdentity"].get("invokedBy") == "sqs.amazonaws.com"]


def test_the_kms_error_codes_are_the_sqs_models_exception_shapes():
    """Every code the mock answers is an exception shape of SendMessage and ReceiveMessage
    in botocore's SQS model (the JSON protocol's wire code is the shape name)."""
    data = pathlib.Path(botocore.__file__).parent / "data" / "sqs"
    (model_file,) = data.glob("*/service-2.json.gz")
    model = json.loads(gzip.decompress(model_file.read_bytes()))
    assert model["metadata"]["protocol"] == "json"
    for operation in ("SendMessage", "SendMessageBatch", "ReceiveMessage"):
        errors = {e["shape"] for e in model["operations"][operation]["errors"]}
        assert set(sqs_service.SQS_CODES.values()) <= errors
    for code in sqs_service.SQS_CODES.values():
        shape = model["shapes"][code]
        assert shape["exception"] is True and "error" not in shape  # no other wire code


def test_send_and_receive_call_kms_with_the_queue_context(m):
    key = m.create_imported_key(key_material=MATERIAL)
    url = _queue(key.key_id)
    _sqs().send_message(QueueUrl=url, MessageBody="hello")
    assert _bodies(url) == ["hello"]
    (generated,) = _sqs_events(m, "GenerateDataKey")
    arn = _sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    context = {"aws:sqs:arn": arn["Attributes"]["QueueArn"]}
    assert generated["requestParameters"]["encryptionContext"] == context
    assert generated["resources"][0]["ARN"] == key.arn
    # Received within the reuse period of the data key SQS generated: no Decrypt yet.
    assert _sqs_events(m, "Decrypt") == []


def test_the_seed_story_material_deleted_reuse_period_refusal_reimport(m):
    key = m.create_imported_key(key_material=MATERIAL)
    url = _queue(key.key_id, KmsDataKeyReusePeriodSeconds=120)
    _sqs().send_message(QueueUrl=url, MessageBody="before")
    m.client().delete_imported_key_material(KeyId=key.key_id)

    m.advance(119)  # still within the period: the data key in hand keeps working
    _sqs().send_message(QueueUrl=url, MessageBody="within")
    _sqs().send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": "a", "MessageBody": "batch-a"}, {"Id": "b", "MessageBody": "batch-b"}],
    )
    assert len(_sqs_events(m, "GenerateDataKey")) == 1

    m.advance(1)  # the period is over: SQS must ask KMS again, which refuses
    code, message = aws_error(_sqs().send_message, QueueUrl=url, MessageBody="after")
    assert code == "KmsInvalidState"
    assert f"{key.arn} is pending import." in message
    assert "Error Code: KMSInvalidStateException" in message
    code, _ = aws_error(
        _sqs().send_message_batch, QueueUrl=url, Entries=[{"Id": "c", "MessageBody": "x"}]
    )
    assert code == "KmsInvalidState"
    # Already-sent messages need their data key decrypted: refused too, and kept in the queue.
    assert aws_error(_sqs().receive_message, QueueUrl=url)[0] == "KmsInvalidState"
    attrs = _sqs().get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "4"

    m.import_key_material(key.key_id, MATERIAL)  # the same material
    assert _bodies(url) == ["batch-a", "batch-b", "before", "within"]
    # The refused receive is recorded with its error; the successful Decrypt after reimport:
    (decrypt,) = [e for e in _sqs_events(m, "Decrypt") if "errorCode" not in e]
    assert [e["errorCode"] for e in _sqs_events(m, "Decrypt") if "errorCode" in e] == [
        "KMSInvalidStateException"
    ]
    assert decrypt["resources"][0]["ARN"] == key.arn
    _sqs().send_message(QueueUrl=url, MessageBody="again")
    assert _bodies(url) == ["again"]


def test_the_default_reuse_period_is_300_seconds(m):
    key = m.create_imported_key(key_material=MATERIAL)
    url = _queue(key.key_id)
    _sqs().send_message(QueueUrl=url, MessageBody="one")
    m.client().disable_key(KeyId=key.key_id)
    m.advance(299)
    _sqs().send_message(QueueUrl=url, MessageBody="two")
    assert _bodies(url) == ["one", "two"]
    m.advance(1)
    assert aws_error(_sqs().send_message, QueueUrl=url, MessageBody="x")[0] == "KmsDisabled"


def test_received_messages_are_decrypted_once_per_period(m):
    key = m.create_imported_key(key_material=MATERIAL)
    url = _queue(key.key_id, KmsDataKeyReusePeriodSeconds=60)
    _sqs().send_message(QueueUrl=url, MessageBody="one")
    m.advance(60)
    _sqs().send_message(QueueUrl=url, MessageBody="two")  # a new data key
    assert len(_sqs_events(m, "GenerateDataKey")) == 2
    assert _bodies(url) == ["one", "two"]  # only the first data key needs Decrypt
    assert len(_sqs_events(m, "Decrypt")) == 1


def test_expiry_on_the_mock_clock(m):
    key = m.create_imported_key(key_material=MATERIAL, valid_to=dt.timedelta(hours=1))
    url = _queue(key.key_id, KmsDataKeyReusePeriodSeconds=60)
    m.advance(dt.timedelta(minutes=59, seconds=30))
    _sqs().send_message(QueueUrl=url, MessageBody="just in time")
    m.advance(45)  # the material expired 15 s ago; the data key is 45 s old
    _sqs().send_message(QueueUrl=url, MessageBody="reused")
    m.advance(15)
    assert aws_error(_sqs().send_message, QueueUrl=url, MessageBody="x")[0] == "KmsInvalidState"
    assert aws_error(_sqs().receive_message, QueueUrl=url)[0] == "KmsInvalidState"


def test_a_disabled_aws_kms_key_is_refused_with_kms_disabled(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    url = _queue(key_id, KmsDataKeyReusePeriodSeconds=60)
    _sqs().send_message(QueueUrl=url, MessageBody="one")
    kms.disable_key(KeyId=key_id)
    m.advance(60)
    code, message = aws_error(_sqs().send_message, QueueUrl=url, MessageBody="x")
    assert code == "KmsDisabled" and "is disabled." in message
    assert aws_error(_sqs().receive_message, QueueUrl=url)[0] == "KmsDisabled"
    kms.enable_key(KeyId=key_id)
    assert _bodies(url) == ["one"]


def test_an_alias_and_its_arn_name_the_key(m):
    key = m.create_imported_key(key_material=MATERIAL)
    m.client().create_alias(AliasName="alias/queue-key", TargetKeyId=key.key_id)
    for number, ref in enumerate(
        ("alias/queue-key", key.arn.replace(f"key/{key.key_id}", "alias/queue-key"))
    ):
        url = _queue(ref, name=f"q{number}")
        _sqs().send_message(QueueUrl=url, MessageBody="x")
    assert {e["resources"][0]["ARN"] for e in _sqs_events(m, "GenerateDataKey")} == {key.arn}


def test_alias_aws_sqs_is_created_on_first_use(m):
    url = _queue("alias/aws/sqs")
    _sqs().send_message(QueueUrl=url, MessageBody="x")
    aliases = m.client().list_aliases()["Aliases"]
    managed = [a for a in aliases if a["AliasName"] == "alias/aws/sqs"]
    assert len(managed) == 1 and managed[0]["TargetKeyId"]
    assert _bodies(url) == ["x"]


def test_an_unknown_key_is_kms_not_found(m):
    url = _queue("alias/nothing-here")
    code, message = aws_error(_sqs().send_message, QueueUrl=url, MessageBody="x")
    assert code == "KmsNotFound" and "alias/nothing-here is not found" in message


def test_botocore_raises_the_modeled_exception(m):
    key = m.create_imported_key(key_material=MATERIAL)
    url = _queue(key.key_id)
    m.client().disable_key(KeyId=key.key_id)
    client = _sqs()
    with pytest.raises(client.exceptions.KmsDisabled):
        client.send_message(QueueUrl=url, MessageBody="x")


@pytest.mark.parametrize("value", ["59", "86401", "soon"])
def test_the_reuse_period_range_is_checked(m, value):
    attrs = {"KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": value}
    code, message = aws_error(_sqs().create_queue, QueueName="bad", Attributes=attrs)
    assert code == "InvalidAttributeValue" and "KmsDataKeyReusePeriodSeconds" in message
    url = _sqs().create_queue(QueueName="good")["QueueUrl"]
    code, _ = aws_error(_sqs().set_queue_attributes, QueueUrl=url, Attributes=attrs)
    assert code == "InvalidAttributeValue"
    assert _sqs().list_queues()["QueueUrls"] == [url]


def test_changing_the_queue_key_takes_a_new_data_key_and_old_messages_keep_theirs(m):
    first = m.create_imported_key(key_material=MATERIAL)
    second = m.create_imported_key()
    url = _queue(first.key_id)
    _sqs().send_message(QueueUrl=url, MessageBody="under first")
    _sqs().set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": second.key_id})
    _sqs().send_message(QueueUrl=url, MessageBody="under second")
    keys = [e["resources"][0]["ARN"] for e in _sqs_events(m, "GenerateDataKey")]
    assert keys == [first.arn, second.arn]
    m.client().delete_imported_key_material(KeyId=first.key_id)
    m.advance(300)
    assert aws_error(_sqs().receive_message, QueueUrl=url)[0] == "KmsInvalidState"


def test_queues_without_a_key_never_call_kms(m):
    url = _sqs().create_queue(QueueName="plain")["QueueUrl"]
    _sqs().send_message(QueueUrl=url, MessageBody="x")
    assert _bodies(url) == ["x"]
    assert _sqs_events(m) == []


def test_plain_mock_aws_sqs_is_untouched_afterwards():
    before = {name: vars(SQSBackend)[name] for name in sqs_service._WRAPPERS}
    with mock_kms_import():
        assert all(vars(SQSBackend)[name] is not before[name] for name in before)
    assert {name: vars(SQSBackend)[name] for name in before} == before
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key_id)
        url = _queue(key_id, KmsDataKeyReusePeriodSeconds=10)  # moto checks neither
        _sqs().send_message(QueueUrl=url, MessageBody="plain moto")
        assert _bodies(url) == ["plain moto"]

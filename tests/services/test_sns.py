"""SNS under a KMS key (``KmsMasterKeyId``): Publish and PublishBatch refused with SNS's own KMS
codes while the key is unusable, nothing delivered to an SQS subscriber; delivery resumes after."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import pathlib

import boto3
import botocore
import pytest
import time_machine
from botocore.exceptions import ClientError
from moto.sns.models import sns_backends

from kms_import_mock import mock_kms_import
from kms_import_mock.services import sns as sns_service
from tests.helpers import aws_error

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MATERIAL = bytes(range(32))


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _sns():
    return boto3.client("sns", region_name="us-east-1")


def _sqs():
    return boto3.client("sqs", region_name="us-east-1")


def _topic_with_subscriber(key_ref=None, name="t"):
    """A topic (with ``KmsMasterKeyId`` when given) and the URL of an SQS queue subscribed."""
    attributes = {"KmsMasterKeyId": key_ref} if key_ref else {}
    arn = _sns().create_topic(Name=name, Attributes=attributes)["TopicArn"]
    url = _sqs().create_queue(QueueName=f"{name}-subscriber")["QueueUrl"]
    queue_arn = _sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    _sns().subscribe(
        TopicArn=arn,
        Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    return arn, url


def _delivered(url):
    messages = _sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return sorted(message["Body"] for message in messages)


def _sns_events(m, name=None):
    return [e for e in m.events(name) if e["userIdentity"].get("invokedBy") == "sns.amazonaws.com"]


def test_the_kms_error_shapes_are_the_sns_models_and_answer_their_wire_codes():
    data = pathlib.Path(botocore.__file__).parent / "data" / "sns"
    (model_file,) = data.glob("*/service-2.json*")
    raw = model_file.read_bytes()
    model = json.loads(gzip.decompress(raw) if model_file.suffix == ".gz" else raw)
    assert model["metadata"]["protocol"] == "query"
    for operation in ("Publish", "PublishBatch"):
        errors = {e["shape"] for e in model["operations"][operation]["errors"]}
        assert set(sns_service.SNS_SHAPES.values()) <= errors
    codes = {model["shapes"][s]["error"]["code"] for s in sns_service.SNS_SHAPES.values()}
    assert {"KMSDisabled", "KMSInvalidState", "KMSNotFound", "KMSAccessDenied"} <= codes


def test_publish_calls_kms_with_the_topic_context_and_delivers(m):
    key = m.create_imported_key(key_material=MATERIAL)
    arn, url = _topic_with_subscriber(key.key_id)
    _sns().publish(TopicArn=arn, Message="hello")
    _sns().publish(TopicArn=arn, Message="again")
    assert _delivered(url) == ["again", "hello"]
    (generated,) = _sns_events(m, "GenerateDataKey")  # one data key, reused
    assert generated["requestParameters"]["encryptionContext"] == {"aws:sns:topicArn": arn}
    assert generated["resources"][0]["ARN"] == key.arn
    m.advance(300)  # the reuse period is over: a new data key
    _sns().publish(TopicArn=arn, Message="later")
    assert len(_sns_events(m, "GenerateDataKey")) == 2


def test_a_disabled_key_refuses_publish_and_publish_batch_and_delivers_nothing(m):
    key = m.create_imported_key(key_material=MATERIAL)
    arn, url = _topic_with_subscriber(key.key_id)
    _sns().publish(TopicArn=arn, Message="before")
    assert _delivered(url) == ["before"]
    m.client().disable_key(KeyId=key.key_id)

    code, message = aws_error(_sns().publish, TopicArn=arn, Message="refused")
    assert code == "KMSDisabled"
    assert f"{key.arn} is disabled." in message and "Error Code: DisabledException" in message
    code, _ = aws_error(
        _sns().publish_batch,
        TopicArn=arn,
        PublishBatchRequestEntries=[
            {"Id": "a", "Message": "refused-a"},
            {"Id": "b", "Message": "refused-b"},
        ],
    )
    assert code == "KMSDisabled"
    assert _delivered(url) == []
    topic = sns_backends["123456789012"]["us-east-1"].topics[arn]
    assert [sent[1] for sent in topic.sent_notifications] == ["before"]

    m.client().enable_key(KeyId=key.key_id)
    _sns().publish(TopicArn=arn, Message="after")
    answer = _sns().publish_batch(
        TopicArn=arn,
        PublishBatchRequestEntries=[{"Id": "a", "Message": "batch-a"}],
    )
    assert [entry["Id"] for entry in answer["Successful"]] == ["a"] and answer["Failed"] == []
    assert _delivered(url) == ["after", "batch-a"]


def test_material_deleted_or_deletion_pending_is_invalid_state(m):
    key = m.create_imported_key(key_material=MATERIAL)
    arn, url = _topic_with_subscriber(key.key_id)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    code, message = aws_error(_sns().publish, TopicArn=arn, Message="refused")
    assert code == "KMSInvalidState" and f"{key.arn} is pending import." in message
    m.import_key_material(key.key_id, MATERIAL)
    _sns().publish(TopicArn=arn, Message="reimported")
    m.client().schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
    assert aws_error(_sns().publish, TopicArn=arn, Message="x")[0] == "KMSInvalidState"
    assert _delivered(url) == ["reimported"]


def test_a_key_named_later_by_set_topic_attributes_is_followed(m):
    key = m.create_imported_key(key_material=MATERIAL)
    arn, url = _topic_with_subscriber()
    _sns().publish(TopicArn=arn, Message="plain")
    _sns().set_topic_attributes(
        TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue=key.arn
    )
    m.client().disable_key(KeyId=key.key_id)
    assert aws_error(_sns().publish, TopicArn=arn, Message="x")[0] == "KMSDisabled"
    _sns().set_topic_attributes(TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue="")
    _sns().publish(TopicArn=arn, Message="plain again")  # no key named: no KMS call
    assert _delivered(url) == ["plain", "plain again"]


def test_an_unknown_key_is_kms_not_found(m):
    arn, _ = _topic_with_subscriber("alias/no-such-alias")
    with pytest.raises(ClientError) as info:
        _sns().publish(TopicArn=arn, Message="x")
    assert info.value.response["Error"]["Code"] == "KMSNotFound"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_aws_managed_key_is_created_on_first_use(m):
    arn, url = _topic_with_subscriber("alias/aws/sns")
    _sns().publish(TopicArn=arn, Message="managed")
    assert _delivered(url) == ["managed"]
    aliases = {a["AliasName"] for a in m.client().list_aliases()["Aliases"]}
    assert "alias/aws/sns" in aliases


def test_only_topics_that_name_a_key_get_a_wrapper(m):
    key = m.create_imported_key(key_material=MATERIAL)
    sealed, _ = _topic_with_subscriber(key.key_id, name="sealed")
    plain, _ = _topic_with_subscriber(name="plain")
    topics = sns_backends["123456789012"]["us-east-1"].topics
    assert "publish" in vars(topics[sealed])
    assert "publish" not in vars(topics[plain])


def test_cloudtrail_lookup_events_shows_the_call_invoked_by_sns(m):
    key = m.create_imported_key(key_material=MATERIAL)
    arn, _ = _topic_with_subscriber(key.key_id)
    _sns().publish(TopicArn=arn, Message="audited")
    trail = boto3.client("cloudtrail", region_name="us-east-1")
    found = trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GenerateDataKey"}]
    )["Events"]
    (record,) = [json.loads(e["CloudTrailEvent"]) for e in found]
    assert record["userIdentity"]["invokedBy"] == "sns.amazonaws.com"
    assert record["requestParameters"]["encryptionContext"] == {"aws:sns:topicArn": arn}


@pytest.mark.parametrize(
    ("kms_code", "sns_code", "status"),
    [
        ("KMSOptInRequired", "KMSOptInRequired", 403),
        ("ThrottlingException", "KMSThrottling", 400),
        ("AccessDeniedException", "KMSAccessDenied", 400),
        ("InvalidKeyUsageException", "KMSAccessDenied", 400),
    ],
)
def test_rarer_kms_refusals_answer_the_models_code_and_status(
    m, monkeypatch, kms_code, sns_code, status
):
    """KMS refusals no key state produces here, injected: the wire code and HTTP status come
    from botocore's SNS model (``KMSOptInRequired`` is the one 403)."""
    key = m.create_imported_key(key_material=MATERIAL)
    arn, url = _topic_with_subscriber(key.key_id)

    def refuse(*args, **kwargs):
        raise sns_service.envelope.KmsRefusal(kms_code, "refused by KMS")

    monkeypatch.setattr(sns_service.held_keys, "seal", refuse)
    with pytest.raises(ClientError) as info:
        _sns().publish(TopicArn=arn, Message="x")
    assert info.value.response["Error"]["Code"] == sns_code
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert _delivered(url) == []

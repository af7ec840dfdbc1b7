"""EventBridge: KMS's material-expiration and rotation events reach a rule's SQS target,
exactly once per occurrence; plain mock_aws is untouched afterwards."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest
import time_machine
from moto import mock_aws

from kms_import_mock import generate_key_material, mock_kms_import
from tests.rotation_helpers import NEW, imp

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


def subscribe(detail_type: str | None = None, region: str = "us-east-1", **client_kwargs):
    """A queue receiving every aws.kms event (of ``detail_type``) of the default bus."""
    sqs = boto3.client("sqs", region_name=region, **client_kwargs)
    events = boto3.client("events", region_name=region, **client_kwargs)
    url = sqs.create_queue(QueueName="kms-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern: dict = {"source": ["aws.kms"]}
    if detail_type:
        pattern["detail-type"] = [detail_type]
    events.put_rule(Name="kms", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="kms", Targets=[{"Id": "queue", "Arn": arn}])
    return sqs, url


def received(sqs, url):
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(message["Body"]) for message in messages]


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def test_material_expiration_arrives_once(m):
    sqs, url = subscribe("KMS Imported Key Material Expiration")
    key = m.create_imported_key(valid_to=dt.timedelta(hours=1))
    material_id = m.client().describe_key(KeyId=key.key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert received(sqs, url) == []
    m.advance(dt.timedelta(hours=2))
    [event] = received(sqs, url)
    assert event["source"] == "aws.kms"
    assert event["detail-type"] == "KMS Imported Key Material Expiration"
    assert event["resources"] == [key.arn]
    assert event["region"] == "us-east-1"
    assert event["detail"] == {"key-id": key.key_id, "key-material-id": material_id}
    assert event["time"] == "2030-05-01T13:00:00Z"  # when the material expired
    # Noticed again by other calls and reads: still one event.
    m.client().describe_key(KeyId=key.key_id)
    m.events()
    m.advance(dt.timedelta(days=1))
    assert received(sqs, url) == []


def test_each_expiry_is_an_event_and_other_regions_are_separate(m):
    sqs, url = subscribe()
    west_sqs, west_url = subscribe(region="eu-west-1")
    a = m.create_imported_key(valid_to=dt.timedelta(hours=1))
    b = m.create_imported_key(valid_to=dt.timedelta(hours=3))
    m.advance(dt.timedelta(hours=4))
    events = received(sqs, url)
    assert sorted(e["resources"][0] for e in events) == sorted([a.arn, b.arn])
    assert west_sqs.receive_message(QueueUrl=west_url).get("Messages", []) == []


def test_on_demand_rotation_arrives_with_both_material_ids(m):
    sqs, url = subscribe("KMS CMK Rotation")
    kms = m.client()
    meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    first = imp(kms, meta["KeyId"], generate_key_material())["KeyMaterialId"]
    second = imp(kms, meta["KeyId"], generate_key_material(), ImportType=NEW)["KeyMaterialId"]
    kms.rotate_key_on_demand(KeyId=meta["KeyId"])
    [event] = received(sqs, url)
    assert event["resources"] == [meta["Arn"]]
    assert event["detail"] == {
        "key-id": meta["KeyId"],
        "key-origin": "EXTERNAL",
        "rotation-type": "ON_DEMAND",
        "previous-key-material-id": first,
        "current-key-material-id": second,
    }
    assert received(sqs, url) == []


def test_no_rule_means_nothing_is_put(m):
    from moto.events.models import events_backends

    key = m.create_imported_key(valid_to=dt.timedelta(hours=1))
    m.advance(dt.timedelta(hours=2))
    assert m.events("DeleteExpiredKeyMaterial")[0]["resources"][0]["ARN"] == key.arn
    backend = events_backends["123456789012"]["us-east-1"]
    assert backend.event_buses["default"].rules == {}


def test_plain_mock_aws_sends_nothing_afterwards():
    with mock_kms_import():
        pass
    with mock_aws():
        sqs, url = subscribe()
        kms = boto3.client("kms", region_name="us-east-1")
        kms.create_key(Origin="EXTERNAL")
        assert received(sqs, url) == []


def test_rotation_of_an_aws_kms_key_arrives_with_its_material_ids(m):
    sqs, url = subscribe("KMS CMK Rotation")
    kms = m.client()
    meta = kms.create_key()["KeyMetadata"]
    before = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
    kms.rotate_key_on_demand(KeyId=meta["KeyId"])
    after = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
    assert before != after
    [event] = received(sqs, url)
    assert event["resources"] == [meta["Arn"]]
    assert event["detail"] == {
        "key-id": meta["KeyId"],
        "key-origin": "AWS_KMS",
        "rotation-type": "ON_DEMAND",
        "previous-key-material-id": before,
        "current-key-material-id": after,
    }
    assert received(sqs, url) == []


def test_a_multi_region_aws_kms_key_rotates_in_each_region(m):
    kms = m.client()
    primary = kms.create_key(MultiRegion=True)["KeyMetadata"]
    kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    home = subscribe("KMS CMK Rotation")
    away = subscribe("KMS CMK Rotation", region="eu-west-1")
    kms.rotate_key_on_demand(KeyId=primary["KeyId"])
    [here], [there] = received(*home), received(*away)
    assert here["region"] == "us-east-1" and there["region"] == "eu-west-1"
    assert here["detail"] == there["detail"]
    assert there["resources"] == [primary["Arn"].replace("us-east-1", "eu-west-1")]

"""The end of a waiting period on the mock clock: the key is deleted as AWS KMS deletes it.

NotFoundException afterwards, its aliases and ListKeys entry gone, one ``DeleteKey`` CloudTrail
record by AWS KMS and one ``KMS CMK Deletion`` event at the DeletionDate, the multi-Region
rules, and a cancelled deletion that never happens.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
import time_machine
from botocore.exceptions import ClientError

from kms_import_mock import mock_kms_import
from tests.kms.test_eventbridge import received, subscribe

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
WEEK = dt.timedelta(days=7)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def code(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return str(err.value.response["Error"]["Code"])


def deletions(m) -> list[dict]:
    return [e for e in m.events() if e["eventName"] == "DeleteKey"]


@pytest.mark.parametrize("origin", ["EXTERNAL", "AWS_KMS"])
def test_the_key_is_gone_once_its_waiting_period_ends(m, origin):
    kms = m.client()
    if origin == "EXTERNAL":
        key_id = m.create_imported_key().key_id
    else:
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/going", TargetKeyId=key_id)
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "team", "TagValue": "payments"}])
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"kept")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    m.advance(WEEK - SECOND)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert deletions(m) == []

    m.advance(SECOND)
    with pytest.raises(ClientError) as err:
        kms.describe_key(KeyId=key_id)
    assert err.value.response["Error"]["Code"] == "NotFoundException"
    arn = f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
    assert err.value.response["Error"]["Message"] == f"Key '{arn}' does not exist"
    assert code(kms.describe_key, KeyId="alias/going") == "NotFoundException"
    assert code(kms.encrypt, KeyId=key_id, Plaintext=b"x") == "NotFoundException"
    assert code(kms.cancel_key_deletion, KeyId=key_id) == "NotFoundException"
    assert code(kms.list_resource_tags, KeyId=key_id) == "NotFoundException"
    # The ciphertext names a key the Region no longer has, as any unknown key's does.
    assert code(kms.decrypt, CiphertextBlob=blob) == "AccessDeniedException"
    assert key_id not in [k["KeyId"] for k in kms.list_keys()["Keys"]]
    assert "alias/going" not in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    # The alias name is free again.
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/going", TargetKeyId=other)


def test_deletekey_is_in_cloudtrail_once_dated_at_the_deletion_date(m):
    kms = m.client()
    key = m.create_imported_key()
    kms.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=10)
    m.advance(dt.timedelta(days=40))  # noticed late: still dated at the DeletionDate
    kms.list_keys()
    [record] = deletions(m)
    assert record["eventTime"] == "2030-05-11T12:00:00Z"
    assert record["eventType"] == "AwsServiceEvent"
    assert record["userIdentity"] == {"accountId": "123456789012", "invokedBy": "AWS Internal"}
    assert record["requestParameters"] is None
    assert record["responseElements"] == {"keyId": key.arn}
    assert record["readOnly"] is False
    assert record["resources"] == [
        {"accountId": "123456789012", "type": "AWS::KMS::Key", "ARN": key.arn}
    ]
    assert "serviceEventDetails" not in record
    # CloudTrail's LookupEvents serves it too.
    trail = boto3.client("cloudtrail", region_name="us-east-1")
    found = trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "DeleteKey"}]
    )["Events"]
    assert [e["EventId"] for e in found] == [record["eventID"]]


def test_material_that_would_expire_after_the_deletion_does_not_expire(m):
    kms = m.client()
    key = m.create_imported_key(valid_to=dt.timedelta(days=20))
    early = m.create_imported_key(valid_to=dt.timedelta(days=3))
    kms.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
    kms.schedule_key_deletion(KeyId=early.key_id, PendingWindowInDays=7)
    m.advance(dt.timedelta(days=30))
    names = [(e["eventName"], e["resources"][0]["ARN"]) for e in m.events()
             if e["eventType"] == "AwsServiceEvent"]  # fmt: skip
    # The early material expired on day 3, before its key went; the other key went first.
    assert names == [
        ("DeleteExpiredKeyMaterial", early.arn),
        ("DeleteKey", key.arn),
        ("DeleteKey", early.arn),
    ]


def test_a_cancelled_deletion_never_happens(m):
    kms = m.client()
    key = m.create_imported_key()
    kms.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
    kms.cancel_key_deletion(KeyId=key.key_id)
    m.advance(dt.timedelta(days=30))
    assert kms.describe_key(KeyId=key.key_id)["KeyMetadata"]["KeyState"] == "Disabled"
    # Scheduled again: the new window counts from now.
    kms.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=8)
    m.advance(WEEK)
    assert kms.describe_key(KeyId=key.key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    m.advance(dt.timedelta(days=1))
    assert code(kms.describe_key, KeyId=key.key_id) == "NotFoundException"
    assert len(deletions(m)) == 1


def test_kms_cmk_deletion_reaches_a_rule_once(m):
    sqs, url = subscribe("KMS CMK Deletion")
    kms = m.client()
    key = m.create_imported_key()
    kms.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
    m.advance(dt.timedelta(days=8))
    [event] = received(sqs, url)
    assert event["source"] == "aws.kms"
    assert event["detail-type"] == "KMS CMK Deletion"
    assert event["resources"] == [key.arn]
    assert event["detail"] == {"key-id": key.key_id}
    assert event["time"] == "2030-05-08T12:00:00Z"
    m.events()
    kms.list_keys()
    m.advance(dt.timedelta(days=1))
    assert received(sqs, url) == []


def test_a_primary_waits_for_its_replicas_then_its_own_window(m):
    kms = m.client()
    west = m.client(region_name="eu-west-1")
    key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingReplicaDeletion"
    m.advance(dt.timedelta(days=2))
    west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=10)  # gone on day 12
    m.advance(dt.timedelta(days=30))  # day 32: the primary's 7 days ran from day 12
    assert code(west.describe_key, KeyId=key_id) == "NotFoundException"
    assert code(kms.describe_key, KeyId=key_id) == "NotFoundException"
    times = {e["awsRegion"]: e["eventTime"] for e in deletions(m)}
    assert times == {"eu-west-1": "2030-05-13T12:00:00Z", "us-east-1": "2030-05-20T12:00:00Z"}


@pytest.mark.parametrize("origin", ["EXTERNAL", "AWS_KMS"])
def test_a_deleted_replica_leaves_its_primary(m, origin):
    kms = m.client()
    west = m.client(region_name="eu-west-1")
    if origin == "EXTERNAL":
        key_id = m.create_imported_key(multi_region=True).key_id
    else:
        key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    west.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    m.advance(WEEK)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert metadata["MultiRegionConfiguration"]["ReplicaKeys"] == []
    assert metadata["KeyState"] == "Enabled"
    # The primary can be replicated to that Region again.
    kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    assert west.describe_key(KeyId=key_id)["KeyMetadata"]["KeyId"] == key_id


def test_other_keys_and_regions_are_untouched(m):
    kms = m.client()
    going = kms.create_key()["KeyMetadata"]["KeyId"]
    staying = kms.create_key()["KeyMetadata"]["KeyId"]
    west = m.client(region_name="eu-west-1").create_key()["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=going, PendingWindowInDays=7)
    m.advance(dt.timedelta(days=8))
    assert [k["KeyId"] for k in kms.list_keys()["Keys"]] == [staying]
    assert kms.describe_key(KeyId=staying)["KeyMetadata"]["KeyState"] == "Enabled"
    west_keys = m.client(region_name="eu-west-1").list_keys()["Keys"]
    assert [k["KeyId"] for k in west_keys] == [west]

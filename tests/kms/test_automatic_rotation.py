"""Automatic rotation on the mock clock: EnableKeyRotation's schedule is carried out.

New material at each NextRotationDate, a ListKeyRotations entry of type AUTOMATIC, a RotateKey
CloudTrail record and a ``KMS CMK Rotation`` event, each dated at the rotation; the rules for
keys that cannot rotate when their date comes, multi-Region keys, and plain moto afterwards.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
import time_machine
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from kms_import_mock import mock_kms_import
from tests.kms.test_eventbridge import received, subscribe

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def material(kms, key_id: str) -> str:
    return str(kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"])


def rotations(kms, key_id: str) -> list[tuple[str, dt.datetime]]:
    return [(r["RotationType"], r["RotationDate"]) for r in
            kms.list_key_rotations(KeyId=key_id)["Rotations"]]  # fmt: skip


def rotate_records(m) -> list[tuple[str, str, str]]:
    return [
        (e["awsRegion"], e["eventTime"], e["serviceEventDetails"]["rotationType"])
        for e in m.events()
        if e["eventName"] == "RotateKey"
    ]


def test_the_key_rotates_every_period_with_new_material(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    first = material(kms, key_id)
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is True
    assert status["KeyId"] == f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
    assert status["RotationPeriodInDays"] == 90
    assert status["NextRotationDate"] == T0 + 90 * DAY

    m.advance(90 * DAY - dt.timedelta(seconds=1))
    assert material(kms, key_id) == first
    m.advance(dt.timedelta(days=100))  # past two dates at once: each one rotates
    assert rotations(kms, key_id) == [("AUTOMATIC", T0 + 90 * DAY), ("AUTOMATIC", T0 + 180 * DAY)]
    current = material(kms, key_id)
    assert current != first
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"][-1]["KeyMaterialId"] == current
    assert kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"] == T0 + 270 * DAY
    # Older ciphertexts still decrypt, naming the material that made them.
    decrypted = kms.decrypt(CiphertextBlob=blob)
    assert decrypted["Plaintext"] == b"before"
    assert decrypted["KeyMaterialId"] == first
    assert rotate_records(m) == [
        ("us-east-1", "2030-07-30T12:00:00Z", "AUTOMATIC"),
        ("us-east-1", "2030-10-28T12:00:00Z", "AUTOMATIC"),
    ]


def test_the_default_period_is_365_days_and_disabling_stops_it(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["RotationPeriodInDays"] == 365
    kms.disable_key_rotation(KeyId=key_id)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is False
    assert "NextRotationDate" not in status and "RotationPeriodInDays" not in status
    m.advance(400 * DAY)
    assert rotations(kms, key_id) == []


def test_a_new_period_keeps_the_start_of_the_current_one(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=365)
    m.advance(30 * DAY)
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=100)
    assert kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"] == T0 + 100 * DAY


def test_a_key_disabled_on_its_date_rotates_when_enabled_again(m):
    kms = m.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    m.advance(80 * DAY)
    kms.disable_key(KeyId=key_id)
    m.advance(20 * DAY)  # day 100: the date (day 90) passed while it was disabled
    assert rotations(kms, key_id) == []
    kms.enable_key(KeyId=key_id)
    assert rotations(kms, key_id) == [("AUTOMATIC", T0 + 100 * DAY)]
    assert kms.get_key_rotation_status(KeyId=key_id)["NextRotationDate"] == T0 + 190 * DAY


def test_kms_cmk_rotation_arrives_once_per_region_of_a_multi_region_key(m):
    sqs, url = subscribe("KMS CMK Rotation")
    west_sqs, west_url = subscribe("KMS CMK Rotation", region="eu-west-1")
    kms, west = m.client(), m.client(region_name="eu-west-1")
    key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    old = material(kms, key_id)
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    assert west.get_key_rotation_status(KeyId=key_id)["NextRotationDate"] == T0 + 90 * DAY
    m.advance(91 * DAY)
    [event] = received(sqs, url)
    [west_event] = received(west_sqs, west_url)
    new = material(kms, key_id)
    assert material(west, key_id) == new
    assert event["detail"] == {
        "key-id": key_id, "key-origin": "AWS_KMS", "rotation-type": "AUTOMATIC",
        "previous-key-material-id": old, "current-key-material-id": new,
    }  # fmt: skip
    assert event["time"] == west_event["time"] == "2030-07-30T12:00:00Z"
    assert west_event["resources"] == [f"arn:aws:kms:eu-west-1:123456789012:key/{key_id}"]
    m.events()
    m.advance(DAY)
    assert received(sqs, url) == [] and received(west_sqs, west_url) == []


def test_a_replica_refuses_the_rotation_settings(m):
    kms, west = m.client(), m.client(region_name="eu-west-1")
    key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
    for call in (west.enable_key_rotation, west.disable_key_rotation):
        with pytest.raises(ClientError) as err:
            call(KeyId=key_id)
        assert err.value.response["Error"]["Code"] == "UnsupportedOperationException"


def test_a_period_outside_the_models_range_is_refused(m):
    kms = m.client(config=Config(parameter_validation=False))  # as another SDK may send it
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as err:
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=30)
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False


def test_plain_mock_aws_never_rotates_afterwards():
    with mock_kms_import() as m:
        key_id = m.client().create_key()["KeyMetadata"]["KeyId"]
        m.client().enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    with mock_aws(), time_machine.travel(T0, tick=False) as traveller:
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.enable_key_rotation(KeyId=key_id)
        traveller.shift(400 * DAY)
        assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
        status = kms.get_key_rotation_status(KeyId=key_id)
        del status["ResponseMetadata"]
        assert status == {"KeyRotationEnabled": True}  # moto's own answer


def test_a_request_in_the_replicas_region_alone_sees_the_rotation():
    with time_machine.travel(T0, tick=False) as traveller, mock_kms_import() as m:
        kms, west = m.client(), m.client(region_name="eu-west-1")
        key_id = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
        kms.replicate_key(KeyId=key_id, ReplicaRegion="eu-west-1")
        old = material(west, key_id)
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
        traveller.shift(91 * DAY)  # the time moves; no request in us-east-1 follows
        assert material(west, key_id) != old
        assert [r["RotationType"] for r in west.list_key_rotations(KeyId=key_id)["Rotations"]] == [
            "AUTOMATIC"
        ]

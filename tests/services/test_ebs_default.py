"""EBS encryption by default: once EnableEbsEncryptionByDefault is on, every new volume is
encrypted under the account's default key (ModifyEbsDefaultKmsKeyId, else aws/ebs) and
follows that key like an explicitly encrypted volume."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.services.test_ebs import IMAGE, ZONE, _attached_to, _describe_instance, _volume


@pytest.fixture
def ec2(kms_import: Any) -> Any:
    client = boto3.client("ec2", region_name="us-east-1")
    client.enable_ebs_encryption_by_default()
    return client


def _instance(ec2: Any, **kwargs: Any) -> str:
    instance_id: str = ec2.run_instances(
        ImageId=IMAGE, MinCount=1, MaxCount=1, Placement={"AvailabilityZone": ZONE}, **kwargs
    )["Instances"][0]["InstanceId"]
    return instance_id


def _root_volume(ec2: Any, instance_id: str) -> dict[str, Any]:
    mappings = _describe_instance(ec2, instance_id)["BlockDeviceMappings"]
    return _volume(ec2, mappings[0]["Ebs"]["VolumeId"])


def _ebs_events(kms_import: Any) -> list[dict[str, Any]]:
    return [
        e
        for e in kms_import.events("GenerateDataKeyWithoutPlaintext")
        if e["userIdentity"].get("invokedBy") == "ec2.amazonaws.com"
    ]


def test_create_volume_without_encrypted_uses_the_default_key_and_follows_it(
    kms_import: Any, ec2: Any
) -> None:
    key = kms_import.create_imported_key()
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key.key_id)
    volume_id = ec2.create_volume(Size=8, AvailabilityZone=ZONE)["VolumeId"]
    volume = _volume(ec2, volume_id)
    assert (volume["Encrypted"], volume["KmsKeyId"]) == (True, key.arn)
    (event,) = _ebs_events(kms_import)
    assert event["requestParameters"]["encryptionContext"] == {"aws:ebs:id": volume_id}

    instance_id = _instance(ec2)
    kms_import.client().delete_imported_key_material(KeyId=key.key_id)
    answer = ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert answer["State"] == "attaching"
    assert _attached_to(ec2, volume_id) == []

    kms_import.import_key_material(key.key_id, key.key_material)
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert _attached_to(ec2, volume_id) == [instance_id]


def test_without_a_default_key_it_is_aws_ebs(kms_import: Any, ec2: Any) -> None:
    volume_id = ec2.create_volume(Size=8, AvailabilityZone=ZONE)["VolumeId"]
    aws_ebs = kms_import.client().describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]["Arn"]
    volume = _volume(ec2, volume_id)
    assert (volume["Encrypted"], volume["KmsKeyId"]) == (True, aws_ebs)


def test_a_default_key_that_is_unusable_fails_the_new_volume(kms_import: Any, ec2: Any) -> None:
    key = kms_import.create_imported_key()
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key.key_id)
    kms_import.client().delete_imported_key_material(KeyId=key.key_id)
    volume_id = ec2.create_volume(Size=8, AvailabilityZone=ZONE)["VolumeId"]
    assert _volume(ec2, volume_id)["State"] == "error"


def test_run_instances_block_devices_and_root_are_encrypted_under_the_default_key(
    kms_import: Any, ec2: Any
) -> None:
    key = kms_import.create_imported_key()
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key.key_id)
    mapped = _instance(
        ec2, BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}]
    )
    root = _instance(ec2)
    for instance_id in (mapped, root):
        volume = _root_volume(ec2, instance_id)
        assert (volume["Encrypted"], volume["KmsKeyId"]) == (True, key.arn)
        assert _describe_instance(ec2, instance_id)["State"]["Name"] == "running"

    kms_import.client().delete_imported_key_material(KeyId=key.key_id)
    for instance_id in (mapped, root):
        ec2.stop_instances(InstanceIds=[instance_id])
        ec2.start_instances(InstanceIds=[instance_id])
        instance = _describe_instance(ec2, instance_id)
        assert instance["State"]["Name"] == "stopped"
        assert instance["StateReason"]["Code"] == "Client.InternalError"
    for kwargs in (
        {"BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}]},
        {},
    ):
        instance = _describe_instance(ec2, _instance(ec2, **kwargs))
        assert instance["State"]["Name"] == "terminated"


def test_disabled_again_new_volumes_are_plain(kms_import: Any, ec2: Any) -> None:
    ec2.disable_ebs_encryption_by_default()
    volume_id = ec2.create_volume(Size=8, AvailabilityZone=ZONE)["VolumeId"]
    assert _volume(ec2, volume_id)["Encrypted"] is False
    assert _ebs_events(kms_import) == []

"""EBS and EC2 follow the KMS key: encrypted volumes, snapshots, attachments, launches."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from moto import mock_aws

from kms_import_mock import mock_kms_import
from kms_import_mock.services import ebs
from tests.helpers import aws_error, key_state
from tests.services.service_helpers import endpoint_client, import_material, imported_key

ZONE = "us-east-1a"
IMAGE = "ami-12c6146b"


@pytest.fixture
def ec2(kms_import: Any) -> Any:
    return boto3.client("ec2", region_name="us-east-1")


def _volume(ec2: Any, volume_id: str) -> dict[str, Any]:
    volume: dict[str, Any] = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    return volume


def _encrypted_volume(ec2: Any, key_id: str | None = None) -> str:
    kwargs = {"KmsKeyId": key_id} if key_id else {}
    volume_id: str = ec2.create_volume(Size=8, AvailabilityZone=ZONE, Encrypted=True, **kwargs)[
        "VolumeId"
    ]
    return volume_id


def _instance(ec2: Any, **kwargs: Any) -> dict[str, Any]:
    instance: dict[str, Any] = ec2.run_instances(
        ImageId=IMAGE, MinCount=1, MaxCount=1, Placement={"AvailabilityZone": ZONE}, **kwargs
    )["Instances"][0]
    return instance


def _describe_instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    instance: dict[str, Any] = reservations[0]["Instances"][0]
    return instance


def _attached_to(ec2: Any, volume_id: str) -> list[str]:
    return [a["InstanceId"] for a in _volume(ec2, volume_id)["Attachments"]]


# -- the seed scenario -----------------------------------------------------------------------


def test_attached_volume_keeps_working_the_next_attach_fails_reimport_revives(
    kms_import: Any, ec2: Any
) -> None:
    key = kms_import.create_imported_key(valid_to=dt.timedelta(days=30))
    volume_id = _encrypted_volume(ec2, key.key_id)
    instance_id = _instance(ec2)["InstanceId"]
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert _volume(ec2, volume_id)["State"] == "in-use"

    kms_import.client().delete_imported_key_material(KeyId=key.key_id)
    # EC2 holds the plaintext data key while the volume is attached: nothing changes.
    assert _volume(ec2, volume_id)["State"] == "in-use"
    assert _attached_to(ec2, volume_id) == [instance_id]

    ec2.detach_volume(VolumeId=volume_id, InstanceId=instance_id)
    answer = ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert answer["State"] == "attaching"  # as AWS answers; the attachment then fails
    assert _volume(ec2, volume_id)["State"] == "available"
    assert _attached_to(ec2, volume_id) == []

    kms_import.import_key_material(key.key_id, key.key_material)
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert _attached_to(ec2, volume_id) == [instance_id]


def test_describe_volumes_shows_the_key_arn_and_events_name_ec2(kms_import: Any, ec2: Any) -> None:
    key = kms_import.create_imported_key()
    volume_id = _encrypted_volume(ec2, key.key_id)
    volume = _volume(ec2, volume_id)
    assert volume["Encrypted"] is True
    assert volume["KmsKeyId"] == key.arn
    instance_id = _instance(ec2)["InstanceId"]
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    made = kms_import.events(name="GenerateDataKeyWithoutPlaintext", key_id=key.key_id)
    assert [e["userIdentity"]["invokedBy"] for e in made] == ["ec2.amazonaws.com"]
    assert made[0]["requestParameters"]["encryptionContext"] == {"aws:ebs:id": volume_id}
    opened = kms_import.events(name="Decrypt", key_id=key.key_id)
    assert [e["userIdentity"]["invokedBy"] for e in opened] == ["ec2.amazonaws.com"]


def test_expiry_on_the_mock_clock_breaks_the_next_attach(kms_import: Any, ec2: Any) -> None:
    key = kms_import.create_imported_key(valid_to=dt.timedelta(hours=1))
    volume_id = _encrypted_volume(ec2, key.key_id)
    instance_id = _instance(ec2)["InstanceId"]
    kms_import.advance(dt.timedelta(hours=2))
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert _attached_to(ec2, volume_id) == []
    assert key_state(kms_import.client(), key.key_id) == "PendingImport"


@pytest.mark.parametrize("form", ["alias", "alias_arn", "key_arn"])
def test_key_ids_in_every_form(kms_import: Any, ec2: Any, form: str) -> None:
    key = kms_import.create_imported_key()
    kms = kms_import.client()
    kms.create_alias(AliasName="alias/volumes", TargetKeyId=key.key_id)
    ref = {
        "alias": "alias/volumes",
        "alias_arn": key.arn.replace(f"key/{key.key_id}", "alias/volumes"),
        "key_arn": key.arn,
    }[form]
    volume_id = _encrypted_volume(ec2, ref)
    assert _volume(ec2, volume_id)["KmsKeyId"] == key.arn


def test_default_keys_alias_aws_ebs_then_the_account_default(kms_import: Any, ec2: Any) -> None:
    kms = kms_import.client()
    volume_id = _encrypted_volume(ec2)
    managed = kms.describe_key(KeyId="alias/aws/ebs")["KeyMetadata"]["Arn"]
    assert _volume(ec2, volume_id)["KmsKeyId"] == managed

    key = kms_import.create_imported_key()
    assert ec2.modify_ebs_default_kms_key_id(KmsKeyId=key.key_id)["KmsKeyId"] == key.arn
    volume_id = _encrypted_volume(ec2)
    assert _volume(ec2, volume_id)["KmsKeyId"] == key.arn


def test_a_disabled_aws_kms_key_at_create_time_puts_the_volume_in_error(
    kms_import: Any, ec2: Any
) -> None:
    kms = kms_import.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    volume_id = _encrypted_volume(ec2, key_id)
    assert _volume(ec2, volume_id)["State"] == "error"
    instance_id = _instance(ec2)["InstanceId"]
    code, message = aws_error(
        ec2.attach_volume, VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf"
    )
    assert code == "IncorrectState" and volume_id in message


def test_an_unknown_key_at_create_time_puts_the_volume_in_error(kms_import: Any, ec2: Any) -> None:
    volume_id = _encrypted_volume(ec2, "11111111-2222-3333-4444-555555555555")
    assert _volume(ec2, volume_id)["State"] == "error"


def test_a_disabled_aws_kms_key_breaks_the_next_attach(kms_import: Any, ec2: Any) -> None:
    kms = kms_import.client()
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    volume_id = _encrypted_volume(ec2, key_id)
    instance_id = _instance(ec2)["InstanceId"]
    kms.disable_key(KeyId=key_id)
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert _attached_to(ec2, volume_id) == []
    kms.enable_key(KeyId=key_id)
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert _attached_to(ec2, volume_id) == [instance_id]


# -- snapshots -----------------------------------------------------------------------------------


def test_snapshots_and_their_volumes_keep_the_key_and_data_key(kms_import: Any, ec2: Any) -> None:
    key = kms_import.create_imported_key()
    volume_id = _encrypted_volume(ec2, key.key_id)
    snapshot = ec2.create_snapshot(VolumeId=volume_id)
    assert snapshot["Encrypted"] is True
    assert snapshot["KmsKeyId"] == key.arn  # plain moto drops it
    restored = ec2.create_volume(AvailabilityZone=ZONE, SnapshotId=snapshot["SnapshotId"])
    assert restored["Encrypted"] is True and restored["KmsKeyId"] == key.arn
    generated = kms_import.events(name="GenerateDataKeyWithoutPlaintext", key_id=key.key_id)
    assert len(generated) == 1  # the volume from the snapshot reuses the snapshot's data key

    instance_id = _instance(ec2)["InstanceId"]
    kms_import.client().delete_imported_key_material(KeyId=key.key_id)
    ec2.attach_volume(VolumeId=restored["VolumeId"], InstanceId=instance_id, Device="/dev/sdg")
    assert _attached_to(ec2, restored["VolumeId"]) == []


def test_copy_snapshot_to_another_key_needs_both_keys(kms_import: Any, ec2: Any) -> None:
    source_key = kms_import.create_imported_key()
    target_key = kms_import.create_imported_key()
    snapshot_id = ec2.create_snapshot(VolumeId=_encrypted_volume(ec2, source_key.key_id))[
        "SnapshotId"
    ]
    copy_id = ec2.copy_snapshot(
        SourceSnapshotId=snapshot_id, SourceRegion="us-east-1", KmsKeyId=target_key.key_id
    )["SnapshotId"]
    copied = ec2.describe_snapshots(SnapshotIds=[copy_id])["Snapshots"][0]
    assert copied["KmsKeyId"] == target_key.arn and copied["State"] == "completed"

    # The copy is under the target key only: the source key's material can go.
    kms = kms_import.client()
    kms.delete_imported_key_material(KeyId=source_key.key_id)
    volume_id = ec2.create_volume(AvailabilityZone=ZONE, SnapshotId=copy_id)["VolumeId"]
    instance_id = _instance(ec2)["InstanceId"]
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert _attached_to(ec2, volume_id) == [instance_id]

    # With the source key unusable, a new copy cannot be re-encrypted: it fails.
    failed_id = ec2.copy_snapshot(
        SourceSnapshotId=snapshot_id, SourceRegion="us-east-1", KmsKeyId=target_key.key_id
    )["SnapshotId"]
    assert ec2.describe_snapshots(SnapshotIds=[failed_id])["Snapshots"][0]["State"] == "error"


def test_copy_snapshot_without_a_key_keeps_the_source_key(kms_import: Any, ec2: Any) -> None:
    key = kms_import.create_imported_key()
    snapshot_id = ec2.create_snapshot(VolumeId=_encrypted_volume(ec2, key.key_id))["SnapshotId"]
    copy_id = ec2.copy_snapshot(SourceSnapshotId=snapshot_id, SourceRegion="us-east-1")[
        "SnapshotId"
    ]
    assert ec2.describe_snapshots(SnapshotIds=[copy_id])["Snapshots"][0]["KmsKeyId"] == key.arn


# -- instances ---------------------------------------------------------------------------------

_ENCRYPTED_ROOT = {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "Encrypted": True}}


def test_run_instances_with_an_unusable_key_terminates_with_client_internal_error(
    kms_import: Any, ec2: Any
) -> None:
    key = kms_import.create_imported_key()
    kms_import.client().delete_imported_key_material(KeyId=key.key_id)
    mapping = {**_ENCRYPTED_ROOT, "Ebs": {**_ENCRYPTED_ROOT["Ebs"], "KmsKeyId": key.key_id}}
    instance_id = _instance(ec2, BlockDeviceMappings=[mapping])["InstanceId"]
    instance = _describe_instance(ec2, instance_id)
    assert instance["State"]["Name"] == "terminated"
    assert instance["StateReason"] == {
        "Code": "Client.InternalError",
        "Message": "Client.InternalError: Client error on launch",
    }


def test_running_instance_keeps_working_the_next_start_fails(kms_import: Any, ec2: Any) -> None:
    key = kms_import.create_imported_key()
    mapping = {**_ENCRYPTED_ROOT, "Ebs": {**_ENCRYPTED_ROOT["Ebs"], "KmsKeyId": key.key_id}}
    instance_id = _instance(ec2, BlockDeviceMappings=[mapping])["InstanceId"]
    assert _describe_instance(ec2, instance_id)["State"]["Name"] == "running"

    kms_import.client().delete_imported_key_material(KeyId=key.key_id)
    assert _describe_instance(ec2, instance_id)["State"]["Name"] == "running"
    ec2.stop_instances(InstanceIds=[instance_id])
    ec2.start_instances(InstanceIds=[instance_id])
    instance = _describe_instance(ec2, instance_id)
    assert instance["State"]["Name"] == "stopped"
    assert instance["StateReason"]["Code"] == "Client.InternalError"

    kms_import.import_key_material(key.key_id, key.key_material)
    ec2.start_instances(InstanceIds=[instance_id])
    assert _describe_instance(ec2, instance_id)["State"]["Name"] == "running"


# -- moto's errors on this path are AWS errors -------------------------------------------------


def test_detach_volume_without_instance_id(kms_import: Any, ec2: Any) -> None:
    volume_id = _encrypted_volume(ec2, kms_import.create_imported_key().key_id)
    instance_id = _instance(ec2)["InstanceId"]
    code, _ = aws_error(ec2.detach_volume, VolumeId=volume_id)
    assert code == "IncorrectState"
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert ec2.detach_volume(VolumeId=volume_id)["InstanceId"] == instance_id
    assert _attached_to(ec2, volume_id) == []


def test_modify_ebs_default_kms_key_id_with_an_unknown_key(kms_import: Any, ec2: Any) -> None:
    code, message = aws_error(ec2.modify_ebs_default_kms_key_id, KmsKeyId="alias/nope")
    assert code == "InvalidParameterValue" and "alias/nope" in message


# -- restore and server mode -------------------------------------------------------------------


def test_plain_mock_aws_after_stop_ignores_the_key() -> None:
    with mock_kms_import():
        pass
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        ec2 = boto3.client("ec2", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key_id)
        volume_id = _encrypted_volume(ec2, key_id)
        assert _volume(ec2, volume_id)["State"] == "available"
        snapshot = ec2.create_snapshot(VolumeId=volume_id)
        assert "KmsKeyId" not in snapshot  # moto's own behaviour, back again
    from moto.ec2.models.elastic_block_store import EBSBackend

    assert EBSBackend.attach_volume.__module__ == "moto.ec2.models.elastic_block_store"
    assert ebs.SEALED not in vars(EBSBackend)


def test_ebs_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    ec2 = endpoint_client("ec2", kms_import_server)
    key_id, arn, material = imported_key(kms)
    volume_id = _encrypted_volume(ec2, key_id)
    assert _volume(ec2, volume_id)["KmsKeyId"] == arn
    instance_id = _instance(ec2)["InstanceId"]
    kms.delete_imported_key_material(KeyId=key_id)
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert _attached_to(ec2, volume_id) == []
    import_material(kms, key_id, material)
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    assert _attached_to(ec2, volume_id) == [instance_id]

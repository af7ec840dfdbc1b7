"""The demo behind ``make demo``: AWS's "deleting imported key material" story, end to end.

An imported key protects an EBS volume attached to an instance and an SSE-KMS object in S3. The
material is deleted: the attached volume keeps working (EC2 holds its data key), the S3 read is
refused, and after a detach the next attach fails. Reimporting the same material brings both
back. The CloudTrail events, the services' own KMS calls among them, close the story.
"""

from __future__ import annotations

import datetime as _dt
import textwrap
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from ._mock import KmsImportMock, mock_kms_import

REGION = "us-east-1"
ZONE = "us-east-1a"
IMAGE_ID = "ami-12c6146b"  # an image moto knows
BUCKET = "demo-bucket"
OBJECT_KEY = "reports/2026.csv"
WIDTH = 98  # every printed line stays under 100 characters


def _heading(text: str) -> None:
    print()
    print(f"== {text} ".ljust(WIDTH, "="))


def _line(text: str) -> None:
    print(f"   {text}"[:WIDTH])


def _utc(when: _dt.datetime) -> str:
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _expect_refusal(what: str, call: Callable[[], Any]) -> None:
    """Run ``call``, which must be refused, and print the refusal as the expected outcome."""
    try:
        call()
    except ClientError as err:
        error = err.response["Error"]
        _line(f"{what}: refused, as expected")
        for part in textwrap.wrap(
            f"{error['Code']}: {error['Message']}", WIDTH - 6, break_on_hyphens=False
        ):
            _line(f"  {part}")
        return
    raise AssertionError(f"{what} was expected to be refused, and was not")


def _key_state(kms: Any, key_id: str) -> str:
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    valid_to = f", ValidTo {_utc(meta['ValidTo'])}" if "ValidTo" in meta else ""
    return f"key {meta['KeyState']}{valid_to}"


def _volume(ec2: Any, volume_id: str) -> str:
    volume = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    attached = ", ".join(a["InstanceId"] for a in volume["Attachments"]) or "nothing"
    return f"volume {volume['State']}, attached to {attached}"


def run() -> None:
    with mock_kms_import() as mock:
        _story(mock)


def _story(mock: KmsImportMock) -> None:
    import boto3

    kms = mock.client(REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)

    _heading("1. Import key material that expires in 30 days")
    key = mock.create_imported_key(valid_to=_dt.timedelta(days=30), description="demo")
    _line(f"{key.arn}")
    _line(f"now {_utc(mock.now())}; {_key_state(kms, key.key_id)}")

    _heading("2. Protect data with it: an EBS volume and an S3 object")
    volume_id = ec2.create_volume(
        Size=8, AvailabilityZone=ZONE, Encrypted=True, KmsKeyId=key.key_id
    )["VolumeId"]
    instance_id = ec2.run_instances(
        ImageId=IMAGE_ID, MinCount=1, MaxCount=1, Placement={"AvailabilityZone": ZONE}
    )["Instances"][0]["InstanceId"]
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    _line(f"encrypted {volume_id} -> {_volume(ec2, volume_id)}")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET,
        Key=OBJECT_KEY,
        Body=b"quarter,revenue\nQ4,42\n",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key.key_id,
    )
    body = s3.get_object(Bucket=BUCKET, Key=OBJECT_KEY)["Body"].read()
    _line(f"s3://{BUCKET}/{OBJECT_KEY} (SSE-KMS) reads {len(body)} bytes")

    _heading("3. Delete the imported key material")
    kms.delete_imported_key_material(KeyId=key.key_id)
    _line(_key_state(kms, key.key_id))

    _heading("4. What still works, and what breaks")
    _line(f"attached volume keeps working: {_volume(ec2, volume_id)}")
    _expect_refusal("S3 GetObject", lambda: s3.get_object(Bucket=BUCKET, Key=OBJECT_KEY))
    ec2.detach_volume(VolumeId=volume_id, InstanceId=instance_id)
    _line(f"detached: {_volume(ec2, volume_id)}")
    answer = ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    _line(f"next AttachVolume answers {answer['State']!r}, then fails, as expected:")
    _line(f"  {_volume(ec2, volume_id)}")

    _heading("5. Reimport the same material")
    mock.import_key_material(key.key_id, key.key_material, valid_to=_dt.timedelta(days=30))
    _line(_key_state(kms, key.key_id))
    ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device="/dev/sdf")
    _line(f"attach works again: {_volume(ec2, volume_id)}")
    body = s3.get_object(Bucket=BUCKET, Key=OBJECT_KEY)["Body"].read()
    _line(f"S3 GetObject works again: {body!r}")

    _heading("6. The CloudTrail events of the key")
    for event in mock.events(key_id=key.key_id):
        by = event["userIdentity"].get("invokedBy", "you")
        _line(f"{event['eventTime']}  {event['eventName']:<32} by {by}")

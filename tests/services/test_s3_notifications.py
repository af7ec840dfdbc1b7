"""S3 event notification records name the caller; a queue's key governs their delivery."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3

BUCKET = "notified-bucket"


def _notifying_queue(sqs: Any, s3: Any, **attributes: str) -> str:
    url: str = sqs.create_queue(QueueName="events", Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    return url


def records(sqs: Any, url: str) -> list[dict[str, Any]]:
    """The S3 event records waiting in the queue (the configuration's test event left out)."""
    found: list[dict[str, Any]] = []
    for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found += json.loads(message["Body"]).get("Records", [])
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_a_record_of_an_sse_kms_object_names_the_caller(kms_import: Any, imported: Any) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    user = iam.create_user(UserName="writer")["User"]
    keys = iam.create_access_key(UserName="writer")["AccessKey"]
    as_writer = boto3.Session(
        aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
        region_name="us-east-1",
    )
    sqs, s3 = boto3.client("sqs", region_name="us-east-1"), as_writer.client("s3")
    url = _notifying_queue(sqs, boto3.client("s3", region_name="us-east-1"))
    s3.put_object(
        Bucket=BUCKET, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
        SSEKMSKeyId=imported.key_id,
    )
    [record] = records(sqs, url)
    assert record["userIdentity"] == {"principalId": f"AWS:{user['UserId']}"}
    assert record["requestParameters"]["sourceIPAddress"]
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    assert record["s3"]["object"]["key"] == "k"


def test_a_record_is_not_delivered_to_a_queue_under_an_unusable_key(
    kms_import: Any, imported: Any
) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    s3 = boto3.client("s3", region_name="us-east-1")
    url = _notifying_queue(
        sqs, s3, KmsMasterKeyId=imported.key_id, KmsDataKeyReusePeriodSeconds="60"
    )
    records(sqs, url)  # the configuration's test event
    kms_import.advance(dt.timedelta(seconds=61))
    kms_import.client().delete_imported_key_material(KeyId=imported.key_id)
    s3.put_object(Bucket=BUCKET, Key="lost", Body=b"x")  # succeeds; S3 cannot deliver
    kms_import.import_key_material(imported.key_id, imported.key_material)
    s3.put_object(Bucket=BUCKET, Key="kept", Body=b"x")
    assert [r["s3"]["object"]["key"] for r in records(sqs, url)] == ["kept"]

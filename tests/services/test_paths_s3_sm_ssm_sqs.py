"""Paths that must need the KMS key as the ordinary reads do (S3 Select, Secrets Manager batch
reads with filters and replicas, SSM advanced parameters, SQS long polls), in-process."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.helpers import aws_error

BUCKET = "select-bucket"
CSV = b"name,qty\nbolt,3\nnut,5\n"


def select(s3: Any, key: str) -> bytes:
    """The records SelectObjectContent streams back for ``SELECT * FROM S3Object``."""
    answer = s3.select_object_content(
        Bucket=BUCKET,
        Key=key,
        Expression="SELECT * FROM S3Object",
        ExpressionType="SQL",
        InputSerialization={"CSV": {"FileHeaderInfo": "USE"}},
        OutputSerialization={"JSON": {}},
    )
    return b"".join(e["Records"]["Payload"] for e in answer["Payload"] if "Records" in e)


def test_s3_select_of_an_sse_kms_object_needs_the_key(kms_import: Any, imported: Any) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET, Key="rows.csv", Body=CSV, ServerSideEncryption="aws:kms",
        SSEKMSKeyId=imported.key_id,
    )
    s3.put_object(Bucket=BUCKET, Key="plain.csv", Body=CSV)
    assert b"bolt" in select(s3, "rows.csv")

    kms_import.client().delete_imported_key_material(KeyId=imported.key_id)
    assert aws_error(select, s3, "rows.csv") == (
        "KMS.KMSInvalidStateException",
        f"{imported.arn} is pending import.",
    )
    assert b"nut" in select(s3, "plain.csv")  # an object under no KMS key needs none
    with pytest.raises(ClientError) as missing:  # moto's own answer comes first
        select(s3, "absent.csv")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"

    kms_import.import_key_material(imported.key_id, imported.key_material)
    assert b"bolt" in select(s3, "rows.csv")


@pytest.mark.parametrize("state", ["disabled", "pending_deletion"])
def test_s3_select_refused_under_a_disabled_or_deleted_key(
    kms_import: Any, imported: Any, state: str
) -> None:
    kms, s3 = kms_import.client(), boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET, Key="rows.csv", Body=CSV, ServerSideEncryption="aws:kms",
        SSEKMSKeyId=imported.key_id,
    )
    if state == "disabled":
        kms.disable_key(KeyId=imported.key_id)
        expected = "KMS.DisabledException"
    else:
        kms.schedule_key_deletion(KeyId=imported.key_id, PendingWindowInDays=7)
        expected = "KMS.KMSInvalidStateException"
    assert aws_error(select, s3, "rows.csv")[0] == expected


def _batch_by_filter(sm: Any, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = sm.batch_get_secret_value(
        Filters=[{"Key": "name", "Values": ["app/"]}], **extra
    )
    return answer


def test_batch_get_secret_value_with_filters_lists_each_refused_secret(
    kms_import: Any, imported: Any
) -> None:
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    refused_arn = sm.create_secret(Name="app/db", SecretString="s1", KmsKeyId=imported.key_id)[
        "ARN"
    ]
    sm.create_secret(Name="app/cache", SecretString="s2")  # aws/secretsmanager: stays readable
    kms_import.client().delete_imported_key_material(KeyId=imported.key_id)

    answer = _batch_by_filter(sm)
    assert [v["SecretString"] for v in answer["SecretValues"]] == ["s2"]
    [error] = answer["Errors"]
    assert (error["SecretId"], error["ErrorCode"]) == (refused_arn, "DecryptionFailure")
    assert f"{imported.arn} is pending import." in error["Message"]
    # The SecretIdList way answers the same (the id as the caller gave it).
    by_id = sm.batch_get_secret_value(SecretIdList=["app/db", "app/cache"])
    assert [e["SecretId"] for e in by_id["Errors"]] == ["app/db"]

    # Paging: the refused secret takes its place in the page that would have held it.
    first = _batch_by_filter(sm, MaxResults=1)
    second = _batch_by_filter(sm, MaxResults=1, NextToken=first["NextToken"])
    pages = [first, second]
    assert sorted(len(p["SecretValues"]) + len(p["Errors"]) for p in pages) == [1, 1]
    assert sum(len(p["Errors"]) for p in pages) == 1

    kms_import.import_key_material(imported.key_id, imported.key_material)
    again = _batch_by_filter(sm)
    assert sorted(v["SecretString"] for v in again["SecretValues"]) == ["s1", "s2"]
    assert again["Errors"] == []


BIG = "x" * 6000


@pytest.mark.parametrize("tier", ["Advanced", "Intelligent-Tiering"])
def test_ssm_advanced_securestring_over_4_kb_follows_the_key(
    kms_import: Any, imported: Any, tier: str
) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    put = ssm.put_parameter(
        Name="/big", Value=BIG, Type="SecureString", KeyId=imported.key_id, Tier=tier
    )
    assert put["Tier"] == "Advanced"
    assert ssm.get_parameter(Name="/big")["Parameter"]["Value"] != BIG  # stored encrypted
    assert ssm.get_parameter(Name="/big", WithDecryption=True)["Parameter"]["Value"] == BIG
    names = [e["eventName"] for e in kms_import.events() if e.get("userIdentity", {}).get(
        "invokedBy") == "ssm.amazonaws.com"]
    assert names == ["GenerateDataKey", "Decrypt"]

    kms_import.client().delete_imported_key_material(KeyId=imported.key_id)
    code, message = aws_error(ssm.get_parameter, Name="/big", WithDecryption=True)
    assert code == "InvalidKeyId" and f"{imported.arn} is pending import." in message
    assert aws_error(
        ssm.put_parameter, Name="/big", Value=BIG + "y", Type="SecureString", Overwrite=True,
        KeyId=imported.key_id, Tier="Advanced",
    )[0] == "InvalidKeyId"
    for read in (ssm.get_parameter_history, ssm.get_parameters_by_path):
        assert aws_error(read, **_where(read), WithDecryption=True)[0] == "InvalidKeyId"
    kms_import.import_key_material(imported.key_id, imported.key_material)
    assert ssm.get_parameter(Name="/big", WithDecryption=True)["Parameter"]["Value"] == BIG
    [version] = ssm.get_parameter_history(Name="/big", WithDecryption=True)["Parameters"]
    assert (version["Value"], version["Tier"]) == (BIG, "Advanced")
    [listed] = ssm.get_parameters_by_path(Path="/", WithDecryption=True)["Parameters"]
    assert listed["Value"] == BIG


def _where(read: Any) -> dict[str, str]:
    return {"Name": "/big"} if read.__name__ == "get_parameter_history" else {"Path": "/"}


def test_ssm_oversized_value_leaves_the_parameter_unchanged(kms_import: Any, imported: Any) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.put_parameter(Name="/p", Value="v1", Type="SecureString", KeyId=imported.key_id)
    before = len(kms_import.events())
    code, _ = aws_error(
        ssm.put_parameter, Name="/p", Value=BIG, Type="SecureString", Overwrite=True
    )  # the parameter's tier (Standard) is kept, so 6000 characters are too many
    assert code == "ValidationException"
    assert len(kms_import.events()) == before  # refused before any KMS call
    [only] = ssm.get_parameter_history(Name="/p", WithDecryption=True)["Parameters"]
    assert (only["Version"], only["Value"]) == (1, "v1")


def test_ssm_securestring_size_limits(kms_import: Any, imported: Any) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    code, message = aws_error(
        ssm.put_parameter, Name="/std", Value=BIG, Type="SecureString", KeyId=imported.key_id
    )
    assert code == "ValidationException" and "maximum parameter value of 4096" in message
    code, message = aws_error(
        ssm.put_parameter, Name="/adv", Value="x" * 8193, Type="SecureString",
        KeyId=imported.key_id, Tier="Advanced",
    )
    assert code == "ValidationException" and "8192" in message
    assert ssm.describe_parameters()["Parameters"] == []  # nothing stored
    small = "s" * 100  # a small Advanced parameter takes the data-key path too
    ssm.put_parameter(Name="/s", Value=small, Type="SecureString", Tier="Advanced")
    assert ssm.get_parameter(Name="/s", WithDecryption=True)["Parameter"]["Value"] == small


def _delayed_under_a_lost_key(kms_import: Any, imported: Any, sqs: Any) -> str:
    """A queue whose one message becomes due only while a long poll waits, its data key no
    longer decryptable (the reuse period over, the material deleted)."""
    url: str = sqs.create_queue(
        QueueName="slow",
        Attributes={"KmsMasterKeyId": imported.key_id, "KmsDataKeyReusePeriodSeconds": "60"},
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=1)
    kms_import.advance(dt.timedelta(seconds=61))
    kms_import.client().delete_imported_key_material(KeyId=imported.key_id)
    return url


def test_sqs_messages_arriving_during_a_long_poll_need_the_key(
    kms_import: Any, imported: Any
) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = _delayed_under_a_lost_key(kms_import, imported, sqs)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []  # not due yet
    code, message = aws_error(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=3)
    assert code == "KmsInvalidState" and f"{imported.arn} is pending import." in message
    kms_import.import_key_material(imported.key_id, imported.key_material)
    [got] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    assert got["Body"] == "late"  # the refused poll left it in the queue

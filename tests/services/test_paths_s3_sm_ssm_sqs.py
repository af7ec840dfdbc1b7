"""Paths that must need the KMS key as the ordinary reads do (S3 Select, Secrets Manager batch
reads with filters and replicas, SSM advanced parameters, SQS long polls), in-process."""

from __future__ import annotations

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

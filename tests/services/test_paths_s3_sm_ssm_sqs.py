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

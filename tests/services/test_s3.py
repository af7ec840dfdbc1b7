"""S3 SSE-KMS under mock_kms_import, end to end with boto3: S3 asks KMS on every write and read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest

from kms_import_mock import generate_key_material
from tests.helpers import aws_error

BUCKET = "protected-bucket"


@pytest.fixture
def s3(kms_import: Any) -> Any:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


def put(s3: Any, key: str, key_id: str | None, body: bytes = b"payload") -> dict[str, Any]:
    extra = {"SSEKMSKeyId": key_id} if key_id else {}
    result: dict[str, Any] = s3.put_object(
        Bucket=BUCKET, Key=key, Body=body, ServerSideEncryption="aws:kms", **extra
    )
    return result


def body(s3: Any, key: str, **kwargs: Any) -> bytes:
    data: bytes = s3.get_object(Bucket=BUCKET, Key=key, **kwargs)["Body"].read()
    return data


def keys(s3: Any) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def pending_import(arn: str) -> tuple[str, str]:
    return "KMS.KMSInvalidStateException", f"{arn} is pending import."


def test_material_deleted_then_the_same_material_reimported(
    kms_import: Any, s3: Any, imported: Any
) -> None:
    kms = kms_import.client()
    written = put(s3, "reports/q1.csv", imported.key_id, b"a,b\n1,2\n")
    assert (written["ServerSideEncryption"], written["SSEKMSKeyId"]) == ("aws:kms", imported.arn)
    assert body(s3, "reports/q1.csv") == b"a,b\n1,2\n"

    kms.delete_imported_key_material(KeyId=imported.key_id)
    assert aws_error(s3.get_object, Bucket=BUCKET, Key="reports/q1.csv") == pending_import(
        imported.arn
    )
    assert aws_error(
        s3.get_object, Bucket=BUCKET, Key="reports/q1.csv", Range="bytes=0-2"
    ) == pending_import(imported.arn)
    assert aws_error(put, s3, "reports/q2.csv", imported.key_id) == pending_import(imported.arn)
    assert keys(s3) == ["reports/q1.csv"]  # the refused write stored nothing
    head = s3.head_object(Bucket=BUCKET, Key="reports/q1.csv")  # metadata needs no KMS call
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", imported.arn)

    kms_import.import_key_material(imported.key_id, imported.key_material)
    assert body(s3, "reports/q1.csv") == b"a,b\n1,2\n"
    assert body(s3, "reports/q1.csv", Range="bytes=4-6") == b"1,2"


def test_expiry_on_the_mock_clock(kms_import: Any, s3: Any) -> None:
    key = kms_import.create_imported_key(valid_to=dt.timedelta(hours=1))
    put(s3, "k", key.arn)
    kms_import.advance(dt.timedelta(hours=2))
    assert aws_error(s3.get_object, Bucket=BUCKET, Key="k") == pending_import(key.arn)
    kms_import.import_key_material(key.key_id, key.key_material)
    assert body(s3, "k") == b"payload"


def test_disabled_aws_kms_key(kms_import: Any, s3: Any) -> None:
    kms = kms_import.client()
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    put(s3, "k", arn)
    kms.disable_key(KeyId=arn)
    assert aws_error(s3.get_object, Bucket=BUCKET, Key="k") == (
        "KMS.DisabledException",
        f"{arn} is disabled.",
    )
    assert aws_error(put, s3, "other", arn) == ("KMS.DisabledException", f"{arn} is disabled.")
    kms.enable_key(KeyId=arn)
    assert body(s3, "k") == b"payload"


def test_key_pending_deletion(kms_import: Any, s3: Any, imported: Any) -> None:
    kms = kms_import.client()
    put(s3, "k", imported.key_id)
    kms.schedule_key_deletion(KeyId=imported.key_id, PendingWindowInDays=7)
    assert aws_error(s3.get_object, Bucket=BUCKET, Key="k") == (
        "KMS.KMSInvalidStateException",
        f"{imported.arn} is pending deletion.",
    )
    kms.cancel_key_deletion(KeyId=imported.key_id)
    kms.enable_key(KeyId=imported.key_id)
    assert body(s3, "k") == b"payload"


def test_alias_name_and_alias_arn_name_the_key(kms_import: Any, s3: Any, imported: Any) -> None:
    kms = kms_import.client()
    kms.create_alias(AliasName="alias/reports", TargetKeyId=imported.key_id)
    alias_arn = imported.arn.replace(f"key/{imported.key_id}", "alias/reports")
    assert put(s3, "by-name", "alias/reports")["SSEKMSKeyId"] == imported.arn
    assert put(s3, "by-arn", alias_arn)["SSEKMSKeyId"] == imported.arn
    kms.delete_imported_key_material(KeyId=imported.key_id)
    for name in ("by-name", "by-arn"):
        assert aws_error(s3.get_object, Bucket=BUCKET, Key=name) == pending_import(imported.arn)
    code, message = aws_error(put, s3, "x", "alias/missing")
    assert code == "KMS.NotFoundException" and "alias/missing" in message


def test_unknown_key_on_write(kms_import: Any, s3: Any) -> None:
    code, message = aws_error(put, s3, "k", "0b0b0b0b-0000-4000-8000-000000000000")
    assert code == "KMS.NotFoundException"
    assert message.endswith("key/0b0b0b0b-0000-4000-8000-000000000000' does not exist")
    assert keys(s3) == []


def test_bucket_default_encryption(kms_import: Any, s3: Any, imported: Any) -> None:
    kms = kms_import.client()
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [rule]})
    managed = s3.put_object(Bucket=BUCKET, Key="managed", Body=b"m")
    # No key named: the AWS managed key alias/aws/s3, created on first use.
    assert managed["SSEKMSKeyId"] == kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]

    rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = imported.key_id
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [rule]})
    assert s3.put_object(Bucket=BUCKET, Key="ours", Body=b"o")["SSEKMSKeyId"] == imported.arn
    kms.delete_imported_key_material(KeyId=imported.key_id)
    assert aws_error(s3.get_object, Bucket=BUCKET, Key="ours") == pending_import(imported.arn)
    assert aws_error(s3.put_object, Bucket=BUCKET, Key="new", Body=b"n") == pending_import(
        imported.arn
    )
    assert body(s3, "managed") == b"m"  # the AWS managed key is unaffected
    kms_import.import_key_material(imported.key_id, imported.key_material)
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="by-default")
    assert (upload["ServerSideEncryption"], upload["SSEKMSKeyId"]) == ("aws:kms", imported.arn)


def test_copy_object_reads_the_source_and_writes_the_destination(
    kms_import: Any, s3: Any, imported: Any
) -> None:
    kms = kms_import.client()
    other = kms_import.create_imported_key()
    put(s3, "src", imported.key_id, b"copy me")
    copied = s3.copy_object(
        Bucket=BUCKET,
        Key="dst",
        CopySource={"Bucket": BUCKET, "Key": "src"},
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=other.key_id,
    )
    assert copied["SSEKMSKeyId"] == other.arn
    assert body(s3, "dst") == b"copy me"

    kms.delete_imported_key_material(KeyId=imported.key_id)  # the source's key
    copy = {
        "Bucket": BUCKET,
        "Key": "dst2",
        "CopySource": {"Bucket": BUCKET, "Key": "src"},
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": other.key_id,
    }
    assert aws_error(s3.copy_object, **copy) == pending_import(imported.arn)
    kms_import.import_key_material(imported.key_id, imported.key_material)
    kms.delete_imported_key_material(KeyId=other.key_id)  # the destination's key
    assert aws_error(s3.copy_object, **copy) == pending_import(other.arn)
    assert sorted(keys(s3)) == ["dst", "src"]


def test_multipart_upload(kms_import: Any, s3: Any, imported: Any) -> None:
    kms = kms_import.client()
    upload = s3.create_multipart_upload(
        Bucket=BUCKET, Key="big", ServerSideEncryption="aws:kms", SSEKMSKeyId=imported.key_id
    )
    assert upload["SSEKMSKeyId"] == imported.arn  # the key ARN, as S3 answers
    upload_id = upload["UploadId"]
    part = {"Bucket": BUCKET, "Key": "big", "UploadId": upload_id}
    first = s3.upload_part(PartNumber=1, Body=b"a" * 5 * 1024 * 1024, **part)

    kms.delete_imported_key_material(KeyId=imported.key_id)
    assert aws_error(s3.upload_part, PartNumber=2, Body=b"b", **part) == pending_import(
        imported.arn
    )
    done = {"MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": first["ETag"]}]}}
    assert aws_error(s3.complete_multipart_upload, **part, **done) == pending_import(imported.arn)
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=BUCKET)["Uploads"]] == [
        upload_id
    ]
    assert keys(s3) == []

    kms_import.import_key_material(imported.key_id, imported.key_material)
    second = s3.upload_part(PartNumber=2, Body=b"b", **part)
    done["MultipartUpload"]["Parts"].append({"PartNumber": 2, "ETag": second["ETag"]})
    completed = s3.complete_multipart_upload(**part, **done)
    assert completed["SSEKMSKeyId"] == imported.arn
    assert body(s3, "big", Range="bytes=5242879-5242880") == b"ab"
    kms.delete_imported_key_material(KeyId=imported.key_id)
    assert aws_error(s3.get_object, Bucket=BUCKET, Key="big") == pending_import(imported.arn)
    names = [e["eventName"] for e in kms_import.events(key_id=imported.key_id)]
    # One data key for the upload (S3 reuses it for the object), decrypted for each step.
    assert names.count("GenerateDataKey") == 1


def test_rotation_keeps_older_objects_readable(kms_import: Any, s3: Any, imported: Any) -> None:
    kms = kms_import.client()
    put(s3, "old", imported.key_id, b"under material A")
    kms_import.import_key_material(
        imported.key_id, generate_key_material("SYMMETRIC_DEFAULT"), ImportType="NEW_KEY_MATERIAL"
    )
    kms.rotate_key_on_demand(KeyId=imported.key_id)
    put(s3, "new", imported.key_id, b"under material B")
    assert body(s3, "old") == b"under material A"
    assert body(s3, "new") == b"under material B"


def test_multi_region_replica_key_in_the_buckets_region(kms_import: Any) -> None:
    kms = kms_import.client()
    key = kms_import.create_imported_key(multi_region=True)
    kms.replicate_key(KeyId=key.key_id, ReplicaRegion="eu-west-1")
    eu = kms_import.client("eu-west-1")
    kms_import.import_key_material(key.key_id, key.key_material, region_name="eu-west-1")
    replica_arn = key.arn.replace("us-east-1", "eu-west-1")
    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(
        Bucket="eu-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    written = s3.put_object(
        Bucket="eu-bucket",
        Key="k",
        Body=b"eu",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=replica_arn,
    )
    assert written["SSEKMSKeyId"] == replica_arn
    # A key ARN of another Region names no key for this bucket.
    code, _ = aws_error(
        s3.put_object,
        Bucket="eu-bucket",
        Key="x",
        Body=b"x",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key.arn,
    )
    assert code == "KMS.NotFoundException"
    eu.delete_imported_key_material(KeyId=key.key_id)
    assert aws_error(s3.get_object, Bucket="eu-bucket", Key="k") == pending_import(replica_arn)
    kms_import.import_key_material(key.key_id, key.key_material, region_name="eu-west-1")
    assert s3.get_object(Bucket="eu-bucket", Key="k")["Body"].read() == b"eu"


def test_kms_calls_are_recorded_as_invoked_by_s3(kms_import: Any, s3: Any, imported: Any) -> None:
    kms = kms_import.client()
    put(s3, "k", imported.key_id)
    body(s3, "k")
    kms.delete_imported_key_material(KeyId=imported.key_id)
    aws_error(s3.get_object, Bucket=BUCKET, Key="k")  # refused: recorded with its error
    service_events = [
        e
        for e in kms_import.events(key_id=imported.key_id)
        if e["userIdentity"].get("invokedBy") == "s3.amazonaws.com"
    ]
    assert [(e["eventName"], e.get("errorCode")) for e in service_events] == [
        ("GenerateDataKey", None),
        ("Decrypt", None),
        ("Decrypt", "KMSInvalidStateException"),
    ]
    context = {"aws:s3:arn": f"arn:aws:s3:::{BUCKET}/k"}
    assert all(e["requestParameters"]["encryptionContext"] == context for e in service_events)
    assert service_events[0]["requestParameters"]["keySpec"] == "AES_256"
    assert all(e["sourceIPAddress"] == "s3.amazonaws.com" for e in service_events)
    trail = boto3.client("cloudtrail", region_name="us-east-1")
    looked_up = trail.lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GenerateDataKey"}]
    )["Events"]
    assert [e["EventName"] for e in looked_up] == ["GenerateDataKey"]


def test_objects_without_sse_kms_make_no_kms_call(kms_import: Any, s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="plain", Body=b"p")
    s3.put_object(Bucket=BUCKET, Key="sse-s3", Body=b"s", ServerSideEncryption="AES256")
    assert body(s3, "plain") == b"p" and body(s3, "sse-s3") == b"s"
    assert kms_import.events() == []

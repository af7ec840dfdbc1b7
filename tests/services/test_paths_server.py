"""Server mode: the paths of test_paths_s3_sm_ssm_sqs need the KMS key over HTTP too."""

from __future__ import annotations

import boto3

from tests.helpers import aws_error
from tests.services.service_helpers import (
    advance_clock,
    endpoint_client,
    import_material,
    imported_key,
)
from tests.services.test_paths_s3_sm_ssm_sqs import BUCKET, CSV, select
from tests.services.test_s3_notifications import records


def test_s3_select_over_http(kms_import_server: str) -> None:
    kms, s3 = endpoint_client("kms", kms_import_server), endpoint_client("s3", kms_import_server)
    key_id, arn, material = imported_key(kms)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET, Key="rows.csv", Body=CSV, ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id
    )
    assert b"bolt" in select(s3, "rows.csv")
    kms.delete_imported_key_material(KeyId=key_id)
    assert aws_error(select, s3, "rows.csv") == (
        "KMS.KMSInvalidStateException",
        f"{arn} is pending import.",
    )
    import_material(kms, key_id, material)
    assert b"bolt" in select(s3, "rows.csv")


def test_batch_get_secret_value_with_filters_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    sm = endpoint_client("secretsmanager", kms_import_server)
    key_id, arn, _ = imported_key(kms)
    refused_arn = sm.create_secret(Name="app/db", SecretString="s1", KmsKeyId=key_id)["ARN"]
    sm.create_secret(Name="app/cache", SecretString="s2")
    kms.delete_imported_key_material(KeyId=key_id)
    answer = sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": ["app/"]}])
    assert [v["SecretString"] for v in answer["SecretValues"]] == ["s2"]
    [error] = answer["Errors"]
    assert (error["SecretId"], error["ErrorCode"]) == (refused_arn, "DecryptionFailure")
    assert f"{arn} is pending import." in error["Message"]


def test_ssm_advanced_securestring_over_http(kms_import_server: str) -> None:
    kms, ssm = endpoint_client("kms", kms_import_server), endpoint_client("ssm", kms_import_server)
    key_id, arn, material = imported_key(kms)
    big = "x" * 6000
    ssm.put_parameter(Name="/big", Value=big, Type="SecureString", KeyId=key_id, Tier="Advanced")
    assert ssm.get_parameter(Name="/big", WithDecryption=True)["Parameter"]["Value"] == big
    kms.delete_imported_key_material(KeyId=key_id)
    code, message = aws_error(ssm.get_parameter, Name="/big", WithDecryption=True)
    assert code == "InvalidKeyId" and f"{arn} is pending import." in message
    import_material(kms, key_id, material)
    assert ssm.get_parameter(Name="/big", WithDecryption=True)["Parameter"]["Value"] == big


def test_secrets_manager_replica_follows_its_own_key_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    sm = endpoint_client("secretsmanager", kms_import_server)
    far_kms = endpoint_client("kms", kms_import_server, "eu-west-1")
    far = endpoint_client("secretsmanager", kms_import_server, "eu-west-1")
    key_id, _, material = imported_key(kms)
    far_key, far_arn, far_material = imported_key(far_kms)
    sm.create_secret(
        Name="app/db", SecretString="s1", KmsKeyId=key_id,
        AddReplicaRegions=[{"Region": "eu-west-1", "KmsKeyId": far_key}],
    )
    kms.delete_imported_key_material(KeyId=key_id)
    assert far.get_secret_value(SecretId="app/db")["SecretString"] == "s1"
    assert aws_error(sm.get_secret_value, SecretId="app/db")[0] == "DecryptionFailure"
    import_material(kms, key_id, material)
    far_kms.delete_imported_key_material(KeyId=far_key)
    code, message = aws_error(far.get_secret_value, SecretId="app/db")
    assert code == "DecryptionFailure" and f"{far_arn} is pending import." in message
    assert sm.get_secret_value(SecretId="app/db")["SecretString"] == "s1"
    import_material(far_kms, far_key, far_material)
    assert far.get_secret_value(SecretId="app/db")["SecretString"] == "s1"


def test_sqs_long_poll_checks_what_arrives_over_http(kms_import_server: str) -> None:
    kms, sqs = endpoint_client("kms", kms_import_server), endpoint_client("sqs", kms_import_server)
    key_id, arn, material = imported_key(kms)
    url = sqs.create_queue(
        QueueName="slow-http",
        Attributes={"KmsMasterKeyId": key_id, "KmsDataKeyReusePeriodSeconds": "60"},
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=1)
    advance_clock(kms_import_server, 61)
    kms.delete_imported_key_material(KeyId=key_id)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    code, message = aws_error(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=3)
    assert code == "KmsInvalidState" and f"{arn} is pending import." in message
    import_material(kms, key_id, material)
    [got] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    assert got["Body"] == "late"


def test_secrets_manager_rotation_version_follows_the_key_over_http(
    kms_import_server: str,
) -> None:
    kms = endpoint_client("kms", kms_import_server)
    sm = endpoint_client("secretsmanager", kms_import_server)
    key_id, arn, material = imported_key(kms)
    sm.create_secret(Name="rotated/db", SecretString="v1", KmsKeyId=key_id)
    sm.rotate_secret(SecretId="rotated/db", RotateImmediately=False)
    kms.delete_imported_key_material(KeyId=key_id)
    code, message = aws_error(sm.get_secret_value, SecretId="rotated/db")
    assert code == "DecryptionFailure" and f"{arn} is pending import." in message
    assert aws_error(sm.rotate_secret, SecretId="rotated/db", RotateImmediately=False)[0] == (
        "InvalidRequestException"
    )
    import_material(kms, key_id, material)
    assert sm.get_secret_value(SecretId="rotated/db")["SecretString"] == "v1"


def test_s3_notification_record_names_the_caller_over_http(kms_import_server: str) -> None:
    kms, s3 = endpoint_client("kms", kms_import_server), endpoint_client("s3", kms_import_server)
    sqs, iam = endpoint_client("sqs", kms_import_server), endpoint_client("iam", kms_import_server)
    key_id, _, _ = imported_key(kms)
    user = iam.create_user(UserName="http-writer")["User"]
    keys = iam.create_access_key(UserName="http-writer")["AccessKey"]
    writer = boto3.client(
        "s3", endpoint_url=kms_import_server, region_name="us-east-1",
        aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
    )
    url = sqs.create_queue(QueueName="events-http")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.create_bucket(Bucket="notified-http")
    s3.put_bucket_notification_configuration(
        Bucket="notified-http",
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    writer.put_object(
        Bucket="notified-http", Key="k", Body=b"x", ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key_id,
    )
    [record] = records(sqs, url)
    assert record["userIdentity"] == {"principalId": f"AWS:{user['UserId']}"}

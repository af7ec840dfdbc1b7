"""After the mock stops, the paths of test_paths_s3_sm_ssm_sqs are plain moto again."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from kms_import_mock import mock_kms_import
from tests.services.test_s3_notifications import BUCKET, _notifying_queue, records


def _vars() -> list[dict[str, Any]]:
    from moto.s3 import notifications
    from moto.s3.responses import S3Response
    from moto.secretsmanager.models import FakeSecret, ReplicaSecret
    from moto.sqs.models import Queue
    from moto.ssm.models import SimpleSystemManagerBackend

    owners = (FakeSecret, ReplicaSecret, SimpleSystemManagerBackend, Queue, S3Response,
              notifications)
    return [dict(vars(owner)) for owner in owners]


def test_plain_moto_after_stop() -> None:
    before = _vars()
    with mock_kms_import():
        assert _vars() != before
    assert _vars() == before
    with mock_aws():
        kms = boto3.client("kms", region_name="eu-west-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key_id)
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        sm.create_secret(
            Name="s", SecretString="v",
            AddReplicaRegions=[{"Region": "eu-west-1", "KmsKeyId": key_id}],
        )
        # moto's own replica: its default key shown, no KMS asked even with the key disabled
        [status] = sm.describe_secret(SecretId="s")["ReplicationStatus"]
        assert status["KmsKeyId"] == "alias/aws/secretsmanager"
        far = boto3.client("secretsmanager", region_name="eu-west-1")
        assert far.get_secret_value(SecretId="s")["SecretString"] == "v"
        # moto checks no size: a Standard SecureString of 6000 characters is stored as is
        ssm = boto3.client("ssm", region_name="us-east-1")
        ssm.put_parameter(Name="/big", Value="x" * 6000, Type="SecureString")
        value = ssm.get_parameter(Name="/big", WithDecryption=True)["Parameter"]["Value"]
        assert value == "x" * 6000
        # moto's long poll: a disabled queue key refuses nothing
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="q", Attributes={"KmsMasterKeyId": key_id})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="m", DelaySeconds=1)
        [got] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3)["Messages"]
        assert got["Body"] == "m"
        # moto's own S3 event records: no userIdentity
        s3 = boto3.client("s3", region_name="us-east-1")
        _notifying_queue(sqs, s3)
        sqs_url = sqs.get_queue_url(QueueName="events")["QueueUrl"]
        records(sqs, sqs_url)
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
        [record] = records(sqs, sqs_url)
        assert "userIdentity" not in record

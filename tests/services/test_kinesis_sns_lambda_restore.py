"""Kinesis, SNS and Lambda patches: installed once for nested use, restored exactly (classes and
the streams and topics that got a wrapper), and plain ``mock_aws`` never asks KMS after stop."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.awslambda.models import LambdaBackend, LambdaFunction
from moto.awslambda.responses import LambdaResponse
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.kinesis.models import KinesisBackend, kinesis_backends
from moto.sns.models import SNSBackend, sns_backends

from kms_import_mock import mock_kms_import
from kms_import_mock.services import registry
from tests.helpers import aws_error

CLASSES = (KinesisBackend, SNSBackend, LambdaBackend, LambdaSimpleBackend)
NO_DOCKER: Any = {"lambda": {"use_docker": False}}
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _snapshot() -> list[dict[str, object]]:
    return [dict(vars(cls)) for cls in CLASSES]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _encrypted_resources(key_arn: str) -> tuple[Any, Any, Any, str]:
    """A stream, a topic and a function under ``key_arn``; the clients and the topic ARN."""
    kinesis = boto3.client("kinesis", region_name="us-east-1")
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="s", EncryptionType="KMS", KeyId=key_arn)
    kinesis.put_record(StreamName="s", Data=b"sealed", PartitionKey="pk")
    sns = boto3.client("sns", region_name="us-east-1")
    topic = sns.create_topic(Name="t", Attributes={"KmsMasterKeyId": key_arn})["TopicArn"]
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    awslambda = boto3.client("lambda", region_name="us-east-1", config=ONE_ATTEMPT)
    awslambda.create_function(
        FunctionName="fn",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": _zip()},
        Environment={"Variables": {"SECRET": "s"}},
        KMSKeyArn=key_arn,
    )
    return kinesis, sns, awslambda, topic


def _records(kinesis: Any) -> list[bytes]:
    shard = kinesis.describe_stream(StreamName="s")["StreamDescription"]["Shards"][0]
    iterator = kinesis.get_shard_iterator(
        StreamName="s", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]]


def test_the_three_services_are_registered() -> None:
    assert {"kinesis", "sns", "awslambda"} <= set(registry.INTEGRATED)
    assert registry.MOTO_PACKAGE["awslambda"] == "moto.awslambda"


def test_nested_mocks_install_once_and_restore_on_the_last_stop() -> None:
    before = _snapshot()
    with mock_kms_import():
        inside = _snapshot()
        assert inside != before
        with mock_kms_import():
            assert _snapshot() == inside
        assert _snapshot() == inside  # the inner stop leaves the outer mock's patches
    assert _snapshot() == before


def test_plain_mock_aws_after_stop_never_asks_kms() -> None:
    with mock_kms_import(config=NO_DOCKER):
        pass
    with mock_aws(config=NO_DOCKER):
        kms = boto3.client("kms", region_name="us-east-1")
        key = kms.create_key()["KeyMetadata"]
        kms.disable_key(KeyId=key["KeyId"])
        kinesis, sns, awslambda, topic = _encrypted_resources(key["Arn"])
        # Plain moto: a disabled key refuses nothing.
        assert _records(kinesis) == [b"sealed"]
        assert sns.publish(TopicArn=topic, Message="plain")["MessageId"]
        assert awslambda.invoke(FunctionName="fn", Payload=b"{}")["StatusCode"] == 200


def test_resources_made_under_the_mock_are_served_plain_by_an_outer_mock_aws() -> None:
    with mock_aws(config=NO_DOCKER):
        with mock_kms_import(config=NO_DOCKER) as m:
            key = m.create_imported_key()
            kinesis, sns, awslambda, topic = _encrypted_resources(key.arn)
            m.client().disable_key(KeyId=key.key_id)
            assert aws_error(_records, kinesis)[0] == "KMSDisabledException"
            assert aws_error(sns.publish, TopicArn=topic, Message="x")[0] == "KMSDisabled"
            stream = kinesis_backends["123456789012"]["us-east-1"].streams["s"]
            topic_object = sns_backends["123456789012"]["us-east-1"].topics[topic]
            assert "put_record" in vars(stream) and "publish" in vars(topic_object)
        # The per-resource wrappers are gone too, and plain moto never looks at the key.
        assert "put_record" not in vars(stream) and "publish" not in vars(topic_object)
        kinesis.put_record(StreamName="s", Data=b"plain", PartitionKey="pk")
        assert _records(kinesis) == [b"sealed", b"plain"]
        assert sns.publish(TopicArn=topic, Message="plain")["MessageId"]
        assert awslambda.invoke(FunctionName="fn", Payload=b"{}")["StatusCode"] == 200


def test_invoke_async_is_plain_moto_again_after_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    # moto's InvokeAsync runs the code in Docker even docker-less: answer the event instead.
    monkeypatch.setattr(
        LambdaFunction, "_invoke_lambda", lambda self, event=None: ("{}", False, "")
    )
    before = dict(vars(LambdaResponse))
    with mock_aws(config=NO_DOCKER):
        with mock_kms_import(config=NO_DOCKER) as m:
            key = m.create_imported_key()
            _, _, awslambda, _ = _encrypted_resources(key.arn)
            m.client().disable_key(KeyId=key.key_id)
            with pytest.raises(ClientError) as info:
                awslambda.invoke_async(FunctionName="fn", InvokeArgs=b"{}")
            assert info.value.response["Error"]["Code"] == "KMSDisabledException"
            assert dict(vars(LambdaResponse)) != before
        assert dict(vars(LambdaResponse)) == before
        # Plain moto: the disabled key refuses nothing.
        assert awslambda.invoke_async(FunctionName="fn", InvokeArgs=b"{}")["Status"] == 202


def test_the_config_applies_only_while_the_mock_runs() -> None:
    from moto.core.config import default_user_config

    assert default_user_config["lambda"]["use_docker"] is True
    with mock_kms_import(config=NO_DOCKER):
        assert default_user_config["lambda"]["use_docker"] is False
    assert default_user_config["lambda"]["use_docker"] is True

"""Server mode: Kinesis, SNS and Lambda of ``kms-import-mock serve`` follow the KMS key too, for
raw boto3 clients, and the service's KMS calls are recorded as invoked by that service."""

from __future__ import annotations

import io
import zipfile

import pytest
from botocore.exceptions import ClientError

from tests.helpers import aws_error
from tests.services.service_helpers import endpoint_client, import_material, imported_key, invokers


def test_kinesis_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    kinesis = endpoint_client("kinesis", kms_import_server)
    key_id, arn, material = imported_key(kms)
    kinesis.create_stream(StreamName="served", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="served", EncryptionType="KMS", KeyId=key_id)
    kinesis.put_record(StreamName="served", Data=b"one", PartitionKey="pk")
    shard = kinesis.describe_stream(StreamName="served")["StreamDescription"]["Shards"][0]

    def read() -> list[bytes]:
        iterator = kinesis.get_shard_iterator(
            StreamName="served", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        return [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]]

    kms.delete_imported_key_material(KeyId=key_id)
    code, message = aws_error(kinesis.put_record, StreamName="served", Data=b"x", PartitionKey="p")
    assert code == "KMSInvalidStateException" and f"{arn} is pending import." in message
    assert aws_error(read)[0] == "KMSInvalidStateException"
    import_material(kms, key_id, material)
    kms.disable_key(KeyId=key_id)
    assert aws_error(read)[0] == "KMSDisabledException"
    kms.enable_key(KeyId=key_id)
    kinesis.put_record(StreamName="served", Data=b"two", PartitionKey="pk")
    assert read() == [b"one", b"two"]
    assert invokers(kms_import_server, "GenerateDataKey") == {"kinesis.amazonaws.com"}


def test_sns_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    sns = endpoint_client("sns", kms_import_server)
    sqs = endpoint_client("sqs", kms_import_server)
    key_id, arn, _ = imported_key(kms)
    topic = sns.create_topic(Name="served", Attributes={"KmsMasterKeyId": key_id})["TopicArn"]
    url = sqs.create_queue(QueueName="subscriber")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    kms.disable_key(KeyId=key_id)
    code, message = aws_error(sns.publish, TopicArn=topic, Message="refused")
    assert code == "KMSDisabled" and f"{arn} is disabled." in message
    code, _ = aws_error(
        sns.publish_batch,
        TopicArn=topic,
        PublishBatchRequestEntries=[{"Id": "a", "Message": "refused"}],
    )
    assert code == "KMSDisabled"
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    kms.enable_key(KeyId=key_id)
    sns.publish(TopicArn=topic, Message="delivered")
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]]
    assert bodies == ["delivered"]
    assert invokers(kms_import_server, "GenerateDataKey") == {"sns.amazonaws.com"}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def test_lambda_over_http(docker_less: str) -> None:
    kms = endpoint_client("kms", docker_less)
    iam, awslambda = endpoint_client("iam", docker_less), endpoint_client("lambda", docker_less)
    key_id, arn, _ = imported_key(kms)
    role = iam.create_role(RoleName="runner", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    awslambda.create_function(
        FunctionName="served",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": _zip()},
        Environment={"Variables": {"SECRET": "s"}},
        KMSKeyArn=arn,
    )
    assert awslambda.invoke(FunctionName="served", Payload=b"{}")["StatusCode"] == 200
    kms.disable_key(KeyId=key_id)
    with pytest.raises(ClientError) as info:
        awslambda.invoke(FunctionName="served", Payload=b"{}")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert info.value.response["Error"]["Code"] == "KMSDisabledException"
    assert f"{arn} is disabled." in info.value.response["Error"]["Message"]
    kms.enable_key(KeyId=key_id)
    assert awslambda.invoke(FunctionName="served", Payload=b"{}")["StatusCode"] == 200
    assert invokers(docker_less, "Decrypt") == {"lambda.amazonaws.com"}

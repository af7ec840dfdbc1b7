"""Integrated services: S3 PutObject+GetObject with SSE-KMS, ``mock_kms_import`` vs ``mock_aws``.

Under the mock every PutObject asks KMS for a data key and every GetObject for it back (two KMS
calls, two CloudTrail records); plain moto only stores the key id. The key is an EXTERNAL key
with imported material on our side and an AWS_KMS key on moto's, each created outside the timed
block, so the figure is the per-request cost of following the key.

S2a and S2b are the other way round: an SNS Publish to a topic and a Kinesis PutRecord to a stream
that name no KMS key, where following keys must cost nothing (only resources that name a key
get a wrapper).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from benchmarks._harness import Batch, Report, Stopwatch, side_by_side

REGION = "us-east-1"
BUCKET = "bench-bucket"
BODY = os.urandom(1024)
QUICK = os.environ.get("BENCH_QUICK") == "1"
OPERATIONS = 40


def _rounds(n: int) -> int:
    return max(3, n // 3) if QUICK else n


def _put_get(mock: Callable[[], Any], make_key: Callable[[Any], str]) -> Batch:
    def batch() -> tuple[int, float]:
        import boto3

        with mock() as handle:
            s3 = boto3.client("s3", region_name=REGION)
            s3.create_bucket(Bucket=BUCKET)
            key_id = make_key(handle)
            with Stopwatch() as watch:
                for i in range(OPERATIONS):
                    s3.put_object(
                        Bucket=BUCKET,
                        Key=f"object-{i}",
                        Body=BODY,
                        ServerSideEncryption="aws:kms",
                        SSEKMSKeyId=key_id,
                    )
                    s3.get_object(Bucket=BUCKET, Key=f"object-{i}")["Body"].read()
        return OPERATIONS, watch.elapsed

    return batch


def _imported_key(handle: Any) -> str:
    key_id: str = handle.create_imported_key().key_id
    return key_id


def _aws_kms_key(handle: Any) -> str:
    import boto3

    key_id: str = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["KeyId"]
    return key_id


def _publish(mock: Callable[[], Any]) -> Batch:
    def batch() -> tuple[int, float]:
        import boto3

        with mock():
            sns = boto3.client("sns", region_name=REGION)
            topic = sns.create_topic(Name="bench-topic")["TopicArn"]
            sns.publish(TopicArn=topic, Message="warm")
            with Stopwatch() as watch:
                for i in range(OPERATIONS):
                    sns.publish(TopicArn=topic, Message=f"message-{i}")
        return OPERATIONS, watch.elapsed

    return batch


def _put_record(mock: Callable[[], Any]) -> Batch:
    def batch() -> tuple[int, float]:
        import boto3

        with mock():
            kinesis = boto3.client("kinesis", region_name=REGION)
            kinesis.create_stream(StreamName="bench-stream", ShardCount=1)
            kinesis.put_record(StreamName="bench-stream", Data=BODY, PartitionKey="warm")
            with Stopwatch() as watch:
                for i in range(OPERATIONS):
                    kinesis.put_record(StreamName="bench-stream", Data=BODY, PartitionKey=f"{i}")
        return OPERATIONS, watch.elapsed

    return batch


def run(report: Report) -> None:
    from moto import mock_aws

    from kms_import_mock import mock_kms_import

    c = side_by_side(
        _put_get(mock_kms_import, _imported_key), _put_get(mock_aws, _aws_kms_key), _rounds(15)
    )
    report.compare("S1 S3 PutObject+GetObject SSE-KMS: ours / mock_aws", c, at_most=1.3)
    c = side_by_side(_publish(mock_kms_import), _publish(mock_aws), _rounds(15))
    report.compare("S2a SNS Publish, unencrypted topic: ours / mock_aws", c, at_most=1.05)
    c = side_by_side(_put_record(mock_kms_import), _put_record(mock_aws), _rounds(15))
    report.compare("S2b Kinesis PutRecord, unencrypted stream: ours / mock_aws", c, at_most=1.05)


if __name__ == "__main__":
    from benchmarks._harness import print_header

    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    os.environ.pop("AWS_PROFILE", None)
    print_header()
    run(Report())

"""The integrated services through aiobotocore: S3 bodies, paginators, waiters, and every
service's refusal under a key whose material is deleted, as boto3 sees it."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.asyncio

BUCKET = "async-bucket"
DATA = bytes(range(256)) * 40  # 10,240 bytes: ten of aiobotocore's default 1 KiB chunks


def _seen(error: ClientError) -> tuple[str, str, int]:
    """(code, message, HTTP status); a message's per-call request ID is left out."""
    response = error.response
    message = re.sub(r"Request ID: [0-9a-f-]+; ", "", response["Error"].get("Message", ""))
    return response["Error"]["Code"], message, response["ResponseMetadata"]["HTTPStatusCode"]


async def refusal(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        await call(**kwargs)
    return _seen(info.value)


def boto3_refusal(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return _seen(info.value)


async def test_s3_sse_kms_bodies_read_whole_in_chunks_and_in_async_with(
    kms_import: Any, aio: Any
) -> None:
    key = kms_import.create_imported_key()
    async with aio("s3") as s3:
        await s3.create_bucket(Bucket=BUCKET)
        put = await s3.put_object(
            Bucket=BUCKET, Key="blob", Body=DATA, ServerSideEncryption="aws:kms",
            SSEKMSKeyId=key.key_id,
        )  # fmt: skip
        assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == key.arn

        got = await s3.get_object(Bucket=BUCKET, Key="blob")
        assert got["SSEKMSKeyId"] == key.arn and got["ContentLength"] == len(DATA)
        assert await got["Body"].read() == DATA

        got = await s3.get_object(Bucket=BUCKET, Key="blob")
        chunks = [chunk async for chunk in got["Body"].iter_chunks(4096)]
        assert [len(c) for c in chunks] == [4096, 4096, 2048] and b"".join(chunks) == DATA

        got = await s3.get_object(Bucket=BUCKET, Key="blob")
        body = got["Body"]
        first = await body.read(100)
        rest = [chunk async for chunk in body]  # 1 KiB at a time
        assert first + b"".join(rest) == DATA and body.tell() == len(DATA)

        got = await s3.get_object(Bucket=BUCKET, Key="blob", ChecksumMode="ENABLED")
        async with got["Body"] as stream:
            assert await stream.read() == DATA

        ranged = await s3.get_object(Bucket=BUCKET, Key="blob", Range="bytes=10-19")
        assert await ranged["Body"].read() == DATA[10:20]

        # Text lines, uploaded from a file-like body.
        import io

        await s3.put_object(Bucket=BUCKET, Key="lines", Body=io.BytesIO(b"a\nbb\nccc\n"))
        got = await s3.get_object(Bucket=BUCKET, Key="lines")
        assert [line async for line in got["Body"].iter_lines()] == [b"a", b"bb", b"ccc"]


async def test_s3_paginator_and_waiter(kms_import: Any, aio: Any) -> None:
    async with aio("s3") as s3:
        await s3.create_bucket(Bucket=BUCKET)
        await s3.get_waiter("bucket_exists").wait(Bucket=BUCKET, WaiterConfig={"Delay": 0})
        for i in range(5):
            await s3.put_object(Bucket=BUCKET, Key=f"k{i}", Body=b"x")
        paginator = s3.get_paginator("list_objects_v2")
        pages = [page async for page in paginator.paginate(Bucket=BUCKET, MaxKeys=2)]
        assert [len(page["Contents"]) for page in pages] == [2, 2, 1]
        keys = [o["Key"] async for o in paginator.paginate(Bucket=BUCKET).search("Contents[]")]
        assert keys == [f"k{i}" for i in range(5)]
        await s3.delete_object(Bucket=BUCKET, Key="k0")
        await s3.get_waiter("object_not_exists").wait(
            Bucket=BUCKET, Key="k0", WaiterConfig={"Delay": 0}
        )
        code = await refusal(s3.head_bucket, Bucket="no-such-async-bucket")
        assert code[0] == "404" and code[2] == 404


async def test_s3_refuses_a_key_without_material_as_boto3_does(kms_import: Any, aio: Any) -> None:
    key = kms_import.create_imported_key()
    sync = boto3.client("s3", region_name="us-east-1")
    async with aio("s3") as s3:
        await s3.create_bucket(Bucket=BUCKET)
        await s3.put_object(
            Bucket=BUCKET, Key="k", Body=b"v", ServerSideEncryption="aws:kms",
            SSEKMSKeyId=key.key_id,
        )  # fmt: skip
        kms_import.client().delete_imported_key_material(KeyId=key.key_id)
        read = await refusal(s3.get_object, Bucket=BUCKET, Key="k")
        assert read == boto3_refusal(sync.get_object, Bucket=BUCKET, Key="k")
        assert read == ("KMS.KMSInvalidStateException", f"{key.arn} is pending import.", 400)
        write = {"Bucket": BUCKET, "Key": "k2", "Body": b"v", "ServerSideEncryption": "aws:kms",
                 "SSEKMSKeyId": key.key_id}  # fmt: skip
        assert await refusal(s3.put_object, **write) == boto3_refusal(sync.put_object, **write)
        kms_import.import_key_material(key.key_id, key.key_material)
        assert await (await s3.get_object(Bucket=BUCKET, Key="k"))["Body"].read() == b"v"


async def test_secrets_manager_ssm_sqs_and_dynamodb_refuse_as_with_boto3(
    kms_import: Any, aio: Any
) -> None:
    key = kms_import.create_imported_key()
    arn = key.arn
    table = {
        "TableName": "t",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": arn},
    }
    async with aio("secretsmanager") as sm, aio("ssm") as ssm, aio("sqs") as sqs, aio(
        "dynamodb"
    ) as ddb:
        await sm.create_secret(Name="s", SecretString="v", KmsKeyId=arn)
        await ssm.put_parameter(Name="/p", Value="v", Type="SecureString", KeyId=arn)
        url = (await sqs.create_queue(QueueName="q", Attributes={"KmsMasterKeyId": arn}))[
            "QueueUrl"
        ]
        await ddb.create_table(**table)
        await ddb.put_item(TableName="t", Item={"pk": {"S": "a"}})
        # All four work while the key is usable.
        assert (await sm.get_secret_value(SecretId="s"))["SecretString"] == "v"
        parameter = await ssm.get_parameter(Name="/p", WithDecryption=True)
        assert parameter["Parameter"]["Value"] == "v"
        assert "MessageId" in await sqs.send_message(QueueUrl=url, MessageBody="m")
        assert (await ddb.get_item(TableName="t", Key={"pk": {"S": "a"}}))["Item"]

        kms_import.client().delete_imported_key_material(KeyId=key.key_id)
        kms_import.advance(301)  # past SQS's data key reuse period
        calls = [
            (sm, "secretsmanager", "get_secret_value", {"SecretId": "s"}, "DecryptionFailure"),
            (ssm, "ssm", "get_parameter", {"Name": "/p", "WithDecryption": True}, "InvalidKeyId"),
            (sqs, "sqs", "send_message", {"QueueUrl": url, "MessageBody": "n"}, "KmsInvalidState"),
            (ddb, "dynamodb", "get_item", {"TableName": "t", "Key": {"pk": {"S": "a"}}},
             "AccessDeniedException"),
        ]  # fmt: skip
        for client, service, operation, params, expected in calls:
            sync = boto3.client(service, region_name="us-east-1")  # type: ignore[call-overload]
            seen = await refusal(getattr(client, operation), **params)
            assert seen == boto3_refusal(getattr(sync, operation), **params), service
            assert seen[0] == expected and seen[2] == 400, (service, seen)
            assert "pending import" in seen[1], (service, seen)

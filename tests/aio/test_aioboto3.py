"""aioboto3 (clients and resources over aiobotocore) against the mock in-process."""

from __future__ import annotations

from typing import Any

import aioboto3
import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from kms_import_mock import mock_kms_import
from tests.aio.test_aio_select import ROWS, put_rows, records, select_events, select_refusal

pytestmark = pytest.mark.asyncio


async def test_an_aioboto3_kms_client() -> None:
    async with mock_kms_import() as m:
        key = m.create_imported_key()
        async with aioboto3.Session().client("kms", region_name="us-east-1") as kms:
            blob = (await kms.encrypt(KeyId=key.key_id, Plaintext=b"p"))["CiphertextBlob"]
            assert (await kms.decrypt(CiphertextBlob=blob))["Plaintext"] == b"p"
            await kms.delete_imported_key_material(KeyId=key.key_id)
            with pytest.raises(ClientError) as info:
                await kms.decrypt(CiphertextBlob=blob)
    assert info.value.response["Error"]["Code"] == "KMSInvalidStateException"


async def test_the_s3_resource_under_an_imported_key(kms_import: Any) -> None:
    key = kms_import.create_imported_key()
    async with aioboto3.Session().resource("s3", region_name="us-east-1") as s3:
        bucket = await s3.create_bucket(Bucket="resource-bucket")
        await bucket.put_object(
            Key="doc", Body=b"resource body", ServerSideEncryption="aws:kms",
            SSEKMSKeyId=key.key_id,
        )  # fmt: skip
        obj = await s3.Object("resource-bucket", "doc")
        assert await obj.ssekms_key_id == key.arn
        got = await obj.get()
        assert await got["Body"].read() == b"resource body"
        assert [o.key async for o in bucket.objects.all()] == ["doc"]

        kms_import.client().delete_imported_key_material(KeyId=key.key_id)
        with pytest.raises(ClientError) as info:
            await obj.get()
        assert info.value.response["Error"]["Code"] == "KMS.KMSInvalidStateException"


async def test_a_dynamodb_table_resource_under_an_imported_key(kms_import: Any) -> None:
    key = kms_import.create_imported_key()
    async with aioboto3.Session().resource("dynamodb", region_name="us-east-1") as ddb:
        table = await ddb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key.arn},
        )
        await table.wait_until_exists()
        await table.put_item(Item={"pk": "a", "total": 3})
        async with table.batch_writer() as batch:
            for i in range(30):
                await batch.put_item(Item={"pk": f"b{i}", "total": i})
        assert (await table.get_item(Key={"pk": "a"}))["Item"]["total"] == 3
        assert (await table.query(KeyConditionExpression=Key("pk").eq("b7")))["Count"] == 1
        description = (await table.sse_description)
        assert description["KMSMasterKeyArn"] == key.arn

        kms_import.client().delete_imported_key_material(KeyId=key.key_id)
        with pytest.raises(ClientError) as info:
            await table.get_item(Key={"pk": "a"})
        assert info.value.response["Error"]["Code"] == "AccessDeniedException"


async def test_select_through_an_aioboto3_client(kms_import: Any) -> None:
    key = kms_import.create_imported_key()
    async with aioboto3.Session().client("s3", region_name="us-east-1") as s3:
        await put_rows(s3, key.key_id)
        events = await select_events(s3, "rows.csv")
        assert records(events) == ROWS and events[-1] == {"End": {}}

        kms_import.client().delete_imported_key_material(KeyId=key.key_id)
        assert (await select_refusal(s3, "rows.csv"))[0] == "KMS.KMSInvalidStateException"

        kms_import.import_key_material(key.key_id, key.key_material)
        assert records(await select_events(s3, "rows.csv")) == ROWS

"""S3 SelectObjectContent through aiobotocore and aioboto3: its event stream is read whole, as
boto3 reads it, and an object under an imported key whose material is deleted is refused (as
boto3 sees it) until the material is imported again."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from kms_import_mock._aio import AsyncBody

pytestmark = pytest.mark.asyncio

BUCKET = "async-select-bucket"
CSV = b"name,qty\nbolt,3\nnut,5\n"
SELECT = {
    "Bucket": BUCKET,
    "Expression": "SELECT * FROM S3Object",
    "ExpressionType": "SQL",
    "InputSerialization": {"CSV": {"FileHeaderInfo": "USE"}},
    "OutputSerialization": {"JSON": {}},
}


async def select_events(s3: Any, key: str) -> list[dict[str, Any]]:
    """Every event of the answer's stream, read to its end."""
    answer = await s3.select_object_content(Key=key, **SELECT)
    assert answer["ResponseMetadata"]["HTTPHeaders"]["content-type"] == (
        "application/vnd.amazon.eventstream"
    )
    return [event async for event in answer["Payload"]]


def records(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The rows the Records events carry (their Payload bytes joined), non-empty ones only."""
    payload = b"".join(e["Records"]["Payload"] for e in events if "Records" in e)
    return [row for line in payload.splitlines() if (row := json.loads(line)).get("qty")]


def boto3_events(key: str) -> list[dict[str, Any]]:
    sync = boto3.client("s3", region_name="us-east-1")
    return list(sync.select_object_content(Key=key, **SELECT)["Payload"])


def _seen(error: ClientError) -> tuple[str, str, int]:
    """(code, message, HTTP status); a message's per-call request ID is left out."""
    response = error.response
    message = re.sub(r"Request ID: [0-9a-f-]+; ", "", response["Error"].get("Message", ""))
    return response["Error"]["Code"], message, response["ResponseMetadata"]["HTTPStatusCode"]


async def select_refusal(s3: Any, key: str) -> tuple[str, str, int]:
    """The refusal of a select: the call itself raises, so no stream is handed back at all."""
    answer = None
    with pytest.raises(ClientError) as info:
        answer = await s3.select_object_content(Key=key, **SELECT)
    assert answer is None
    return _seen(info.value)


def boto3_refusal(key: str) -> tuple[str, str, int]:
    sync = boto3.client("s3", region_name="us-east-1")
    with pytest.raises(ClientError) as info:
        list(sync.select_object_content(Key=key, **SELECT)["Payload"])
    return _seen(info.value)


async def put_rows(s3: Any, key_id: str) -> None:
    await s3.create_bucket(Bucket=BUCKET)
    put = await s3.put_object(
        Bucket=BUCKET, Key="rows.csv", Body=CSV, ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key_id,
    )  # fmt: skip
    assert put["ServerSideEncryption"] == "aws:kms"


ROWS = [{"name": "bolt", "qty": "3"}, {"name": "nut", "qty": "5"}]


async def test_select_streams_records_then_is_refused_then_works_after_reimport(
    kms_import: Any, aio: Any
) -> None:
    key = kms_import.create_imported_key()
    async with aio("s3") as s3:
        await put_rows(s3, key.key_id)
        await s3.put_object(Bucket=BUCKET, Key="plain.csv", Body=CSV)
        assert (await s3.head_object(Bucket=BUCKET, Key="rows.csv"))["SSEKMSKeyId"] == key.arn

        events = await select_events(s3, "rows.csv")
        assert records(events) == ROWS
        assert events[-1] == {"End": {}} and "Records" in events[0]
        assert events == boto3_events("rows.csv")  # the same events as boto3 reads

        kms_import.client().delete_imported_key_material(KeyId=key.key_id)
        refused = await select_refusal(s3, "rows.csv")
        assert refused == ("KMS.KMSInvalidStateException", f"{key.arn} is pending import.", 400)
        assert refused == boto3_refusal("rows.csv")
        # An object under no KMS key needs none; a missing one is moto's own answer first.
        assert records(await select_events(s3, "plain.csv")) == ROWS
        assert (await select_refusal(s3, "absent.csv"))[0] == "NoSuchKey"

        kms_import.import_key_material(key.key_id, key.key_material)
        again = await select_events(s3, "rows.csv")
        assert again == events and records(again) == ROWS


@pytest.mark.parametrize("state", ["disabled", "pending_deletion"])
async def test_select_refused_under_a_disabled_or_deleted_key(
    kms_import: Any, aio: Any, state: str
) -> None:
    key = kms_import.create_imported_key()
    kms = kms_import.client()
    async with aio("s3") as s3:
        await put_rows(s3, key.key_id)
        if state == "disabled":
            kms.disable_key(KeyId=key.key_id)
            expected = "KMS.DisabledException"
        else:
            kms.schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
            expected = "KMS.KMSInvalidStateException"
        refused = await select_refusal(s3, "rows.csv")
        assert refused[0] == expected and refused[2] == 400
        assert refused == boto3_refusal("rows.csv")


async def test_a_stream_left_after_its_first_event_can_be_closed(kms_import: Any, aio: Any) -> None:
    key = kms_import.create_imported_key()
    async with aio("s3") as s3:
        await put_rows(s3, key.key_id)
        answer = await s3.select_object_content(Key="rows.csv", **SELECT)
        stream = answer["Payload"]
        async for event in stream:
            assert records([event]) == ROWS
            break
        stream.close()


async def test_the_in_memory_body_yields_chunks_as_aiohttp_does() -> None:
    # aiobotocore reads an event stream as ``(data, end_of_http_chunk)`` tuples until
    # ``readchunk`` gives ``(b"", False)``; without them the stream fails to read.
    body = AsyncBody(b"abc")
    assert [chunk async for chunk in body.iter_chunks()] == [(b"abc", False)]
    assert await body.readchunk() == (b"", False) and body.at_eof()
    assert [chunk async for chunk in AsyncBody(b"").iter_chunks()] == []
    partly = AsyncBody(b"abcdef")
    assert await partly.read(2) == b"ab"
    assert [chunk async for chunk in partly.iter_chunks()] == [(b"cdef", False)]

"""KMS key import through real aiobotocore clients, in the three ways users start the mock."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from kms_import_mock import current, generate_key_material, mock_kms_import, wrap_key_material

pytestmark = pytest.mark.asyncio

WRAPPING = "RSAES_OAEP_SHA_256"


async def import_through(kms: Any, key_id: str, material: bytes) -> dict[str, Any]:
    """GetParametersForImport + ImportKeyMaterial on an aiobotocore client."""
    params = await kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=WRAPPING, WrappingKeySpec="RSA_2048"
    )
    assert params["KeyId"].endswith(key_id)
    response: dict[str, Any] = await kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(params["PublicKey"], material, WRAPPING),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    return response


async def client_error(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        await call(**kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def boto3_error(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


async def test_the_import_lifecycle_as_boto3_sees_it(kms_import: Any, aio: Any) -> None:
    """Import, use, delete and reimport material: the async client's answers, errors included,
    are the ones a boto3 client of the same mock gets."""
    material = generate_key_material()
    sync = boto3.client("kms", region_name="us-east-1")
    async with aio("kms") as kms:
        key_id = (await kms.create_key(Origin="EXTERNAL"))["KeyMetadata"]["KeyId"]
        described = await kms.describe_key(KeyId=key_id)
        assert described["KeyMetadata"]["KeyState"] == "PendingImport"

        await import_through(kms, key_id, material)
        assert (await kms.describe_key(KeyId=key_id))["KeyMetadata"]["KeyState"] == "Enabled"
        blob = (await kms.encrypt(KeyId=key_id, Plaintext=b"secret"))["CiphertextBlob"]
        assert (await kms.decrypt(CiphertextBlob=blob))["Plaintext"] == b"secret"
        assert sync.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"  # one backend

        await kms.delete_imported_key_material(KeyId=key_id)
        refused = await client_error(kms.decrypt, CiphertextBlob=blob)
        assert refused == ("KMSInvalidStateException", 400)
        assert refused == boto3_error(sync.decrypt, CiphertextBlob=blob)
        assert (await kms.describe_key(KeyId=key_id))["KeyMetadata"]["KeyState"] == "PendingImport"

        await import_through(kms, key_id, material)  # the same material: old ciphertext is back
        assert (await kms.decrypt(CiphertextBlob=blob))["Plaintext"] == b"secret"


async def test_errors_are_botocore_client_errors_with_boto3s_codes(
    kms_import: Any, aio: Any
) -> None:
    sync = boto3.client("kms", region_name="us-east-1")
    async with aio("kms") as kms:
        key_id = (await kms.create_key(Origin="EXTERNAL"))["KeyMetadata"]["KeyId"]
        cases: list[tuple[str, dict[str, Any]]] = [
            ("describe_key", {"KeyId": "alias/nothing"}),
            ("encrypt", {"KeyId": key_id, "Plaintext": b"x"}),  # pending import
            ("get_parameters_for_import",
             {"KeyId": key_id, "WrappingAlgorithm": "RSAES_OAEP_SHA_1", "WrappingKeySpec": "NOPE"}),
            ("import_key_material",
             {"KeyId": key_id, "ImportToken": b"t" * 16, "EncryptedKeyMaterial": b"m" * 16,
              "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
        ]  # fmt: skip
        seen = []
        for operation, params in cases:
            code = await client_error(getattr(kms, operation), **params)
            assert code == boto3_error(getattr(sync, operation), **params)
            seen.append(code)
        modeled = await client_error(kms.describe_key, KeyId="alias/nothing")
        assert modeled == ("NotFoundException", 400)
        with pytest.raises(kms.exceptions.NotFoundException):  # the modeled exception class
            await kms.describe_key(KeyId="alias/nothing")
    assert seen[1] == ("KMSInvalidStateException", 400)
    assert seen[2][1] == 400 and seen[3][1] == 400


async def test_a_paginator_walks_every_page(kms_import: Any, aio: Any) -> None:
    async with aio("kms") as kms:
        made = {(await kms.create_key())["KeyMetadata"]["KeyId"] for _ in range(7)}
        pages = [page async for page in kms.get_paginator("list_keys").paginate(Limit=3)]
        assert len(pages) == 3
        assert {k["KeyId"] for page in pages for k in page["Keys"]} == made
        assert [page["Truncated"] for page in pages] == [True, True, False]


async def test_fifty_concurrent_calls_on_one_client(kms_import: Any, aio: Any) -> None:
    key = kms_import.create_imported_key()
    async with aio("kms") as kms:
        plaintexts = [f"message {i}".encode() for i in range(50)]
        encrypted = await asyncio.gather(
            *(kms.encrypt(KeyId=key.key_id, Plaintext=p) for p in plaintexts)
        )
        decrypted = await asyncio.gather(
            *(kms.decrypt(CiphertextBlob=e["CiphertextBlob"]) for e in encrypted)
        )
    assert [d["Plaintext"] for d in decrypted] == plaintexts
    assert {d["KeyId"] for d in decrypted} == {key.arn}


async def test_async_with_starts_and_stops_the_mock(aio: Any) -> None:
    async with mock_kms_import() as m:
        key = m.create_imported_key()
        async with aio("kms") as kms:
            blob = (await kms.encrypt(KeyId=key.key_id, Plaintext=b"p"))["CiphertextBlob"]
            assert (await kms.decrypt(CiphertextBlob=blob))["Plaintext"] == b"p"
    assert not m.started


@mock_kms_import
async def decorated(aio: Any) -> tuple[bytes, bool]:
    m = current()  # the decorator's activation is running while the coroutine does
    key = m.create_imported_key()
    async with aio("kms") as kms:
        await kms.delete_imported_key_material(KeyId=key.key_id)
        code = await client_error(kms.encrypt, KeyId=key.key_id, Plaintext=b"x")
        await import_through(kms, key.key_id, key.key_material)
        blob = (await kms.encrypt(KeyId=key.key_id, Plaintext=b"d"))["CiphertextBlob"]
        plain = (await kms.decrypt(CiphertextBlob=blob))["Plaintext"]
    return plain, code == ("KMSInvalidStateException", 400)


async def test_a_decorated_coroutine_runs_inside_the_mock(aio: Any) -> None:
    import inspect

    from kms_import_mock import _activation

    assert inspect.iscoroutinefunction(decorated)  # still awaitable, still a coroutine function
    pending = decorated(aio)
    assert not _activation.active()  # created, not yet awaited: the mock is not running
    assert await pending == (b"d", True)
    assert not _activation.active()


async def test_two_decorated_coroutines_gathered_each_get_their_own_activation(aio: Any) -> None:
    assert await asyncio.gather(decorated(aio), decorated(aio)) == [(b"d", True)] * 2


@pytest.mark.kms_import(now="2031-01-01T00:00:00Z")
async def test_the_fixture_in_an_async_test(kms_import: Any, aio: Any) -> None:
    key = kms_import.create_imported_key(valid_to=kms_import.now().replace(year=2031, month=2))
    async with aio("kms") as kms:
        metadata = (await kms.describe_key(KeyId=key.key_id))["KeyMetadata"]
        assert metadata["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
        assert metadata["ValidTo"].year == 2031
        blob = (await kms.encrypt(KeyId=key.key_id, Plaintext=b"f"))["CiphertextBlob"]
        kms_import.advance(60 * 60 * 24 * 40)  # past ValidTo on the mock's clock
        code = await client_error(kms.decrypt, CiphertextBlob=blob)
    assert code == ("KMSInvalidStateException", 400)

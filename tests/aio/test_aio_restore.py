"""aiobotocore is plain again after stop: the wrapped functions are the originals, plain
``mock_aws`` fails with aiobotocore as moto does, boto3 is untouched, nesting keeps the shim
until the outermost stop, and an aiobotocore imported mid-mock is served too."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import boto3
import pytest
from aiobotocore import endpoint
from botocore import hooks
from moto import mock_aws

from kms_import_mock import _activation, mock_kms_import

ORIGINAL_PICK = hooks.first_non_none_response
ORIGINAL_SEND = vars(endpoint.AioEndpoint)["_do_get_response"]


def assert_plain() -> None:
    assert endpoint.first_non_none_response is ORIGINAL_PICK
    assert vars(endpoint.AioEndpoint)["_do_get_response"] is ORIGINAL_SEND
    assert len(_activation._aio_patches) == 0


async def create_key(aio: Any) -> str:
    async with aio("kms") as kms:
        key_id: str = (await kms.create_key())["KeyMetadata"]["KeyId"]
        return key_id


@pytest.mark.asyncio
async def test_only_the_two_functions_are_wrapped_and_stop_puts_them_back(aio: Any) -> None:
    assert_plain()
    async with mock_kms_import():
        assert endpoint.first_non_none_response is not ORIGINAL_PICK
        assert vars(endpoint.AioEndpoint)["_do_get_response"] is not ORIGINAL_SEND
        assert len(_activation._aio_patches) == 2
        await create_key(aio)
    assert_plain()


@pytest.mark.asyncio
async def test_plain_mock_aws_after_stop_fails_with_aiobotocore_as_moto_does(aio: Any) -> None:
    async def plain_moto() -> str:
        with mock_aws():
            with pytest.raises(TypeError) as info:
                await create_key(aio)
            # boto3 under the same mock_aws is served as ever.
            sync = boto3.client("kms", region_name="us-east-1")
            assert sync.describe_key(KeyId=sync.create_key()["KeyMetadata"]["KeyId"])
        return str(info.value)

    before = await plain_moto()
    async with mock_kms_import():
        assert await create_key(aio)
    assert await plain_moto() == before
    assert "can't be used in 'await' expression" in before
    assert_plain()


@pytest.mark.asyncio
async def test_boto3_inside_the_mock_never_reaches_the_shim(aio: Any, monkeypatch: Any) -> None:
    async with mock_kms_import():
        calls = []
        wrapped = endpoint.first_non_none_response
        monkeypatch.setattr(
            endpoint, "first_non_none_response", lambda *a: calls.append(a) or wrapped(*a)
        )
        sync = boto3.client("kms", region_name="us-east-1")
        blob = sync.encrypt(KeyId=sync.create_key()["KeyMetadata"]["KeyId"], Plaintext=b"b")
        assert sync.decrypt(CiphertextBlob=blob["CiphertextBlob"])["Plaintext"] == b"b"
        assert calls == []
        await create_key(aio)
        assert calls  # the aiobotocore call did
        monkeypatch.undo()
    assert_plain()


@pytest.mark.asyncio
async def test_nested_activations_keep_the_shim_until_the_outermost_stop(aio: Any) -> None:
    async with mock_kms_import():
        async with mock_kms_import():
            assert len(_activation._aio_patches) == 2  # installed once
            await create_key(aio)
        await create_key(aio)  # the outer activation still serves aiobotocore
        assert len(_activation._aio_patches) == 2
    assert_plain()


@pytest.mark.asyncio
async def test_inside_an_outer_mock_aws_the_outer_mock_is_plain_again(aio: Any) -> None:
    with mock_aws():
        async with mock_kms_import():
            assert await create_key(aio)
        assert_plain()
        with pytest.raises(TypeError):
            await create_key(aio)


LAZY = textwrap.dedent(
    """
    import asyncio, sys
    from kms_import_mock import mock_kms_import, _activation

    async def call():
        from aiobotocore.session import get_session
        async with get_session().create_client("kms", region_name="us-east-1") as kms:
            return (await kms.create_key())["KeyMetadata"]["KeyState"]

    # Started and stopped before aiobotocore is imported: nothing is left waiting for it.
    with mock_kms_import():
        assert _activation._aio.waiting
    assert not any(type(f).__name__ == "AfterImport" for f in sys.meta_path)
    assert "aiobotocore.endpoint" not in sys.modules

    async def main():
        async with mock_kms_import():
            assert "aiobotocore.endpoint" not in sys.modules and _activation._aio.waiting
            print(await call())  # imported here, served at once
            assert _activation._aio.installed
        assert not any(type(f).__name__ == "AfterImport" for f in sys.meta_path)
        from aiobotocore import endpoint
        from botocore import hooks
        assert endpoint.first_non_none_response is hooks.first_non_none_response
        assert len(_activation._aio_patches) == 0
        print("restored")

    asyncio.run(main())
    """
)


def test_aiobotocore_imported_while_the_mock_runs_is_served_then_restored() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LAZY], capture_output=True, text=True, timeout=120,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Enabled", "restored"]

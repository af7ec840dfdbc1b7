"""mock_kms_import as decorator, class decorator, (async) context manager; nesting; cleanup."""

from __future__ import annotations

import asyncio
import unittest
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.models import MockAWS
from moto.kms.models import KmsBackend, kms_backends

from kms_import_mock import KmsImportMock, KmsImportMockError, _activation, mock_kms_import
from kms_import_mock.kms import clock as _clock
from kms_import_mock.kms.backend import ImportKmsBackend


def _external_state() -> str:
    kms = boto3.client("kms", region_name="us-east-1")
    state: str = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyState"]
    return state


def _assert_restored() -> None:
    assert not _activation.active()
    assert kms_backends.backend is KmsBackend
    for regions in kms_backends.values():
        assert regions.backend is KmsBackend
        assert not any(isinstance(b, ImportKmsBackend) for b in regions.values())
    assert _clock.offset().total_seconds() == 0


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Any:
    yield
    _assert_restored()
    assert MockAWS._nested_count == 0


def test_bare_decorator() -> None:
    @mock_kms_import
    def run(x: int) -> tuple[int, str]:
        return x, _external_state()

    assert run(3) == (3, "PendingImport")


def test_called_decorator() -> None:
    @mock_kms_import()
    def run() -> str:
        return _external_state()

    assert run() == "PendingImport"
    assert run() == "PendingImport"  # reusable


def test_async_decorator_runs_the_await_mocked() -> None:
    @mock_kms_import
    async def run() -> str:
        await asyncio.sleep(0)
        assert _activation.active()
        return _external_state()

    assert asyncio.run(run()) == "PendingImport"


def test_async_context_manager() -> None:
    async def run() -> str:
        async with mock_kms_import() as m:
            assert isinstance(m, KmsImportMock)
            return _external_state()

    assert asyncio.run(run()) == "PendingImport"


def test_context_manager_yields_handle_with_client() -> None:
    with mock_kms_import() as m:
        kms = m.client(region_name="eu-west-1")
        meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        assert meta["Arn"].startswith("arn:aws:kms:eu-west-1:")


def test_exception_inside_block_still_stops() -> None:
    with pytest.raises(ZeroDivisionError), mock_kms_import():
        _ = 1 / 0
    _assert_restored()


@mock_kms_import
class TestPlainClass:
    def test_one(self) -> None:
        assert _external_state() == "PendingImport"

    def test_two_starts_empty(self) -> None:
        kms = boto3.client("kms", region_name="us-east-1")
        assert kms.list_keys()["Keys"] == []


@mock_kms_import
class TestUnittestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.kms = boto3.client("kms", region_name="us-east-1")
        self.key_id = self.kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]

    def test_setup_ran_mocked(self) -> None:
        state = self.kms.describe_key(KeyId=self.key_id)["KeyMetadata"]["KeyState"]
        self.assertEqual(state, "PendingImport")


def test_each_use_starts_empty() -> None:
    with mock_kms_import() as m:
        m.client().create_key(Origin="EXTERNAL")
    with mock_kms_import() as m:
        assert m.client().list_keys()["Keys"] == []


def test_nested_mock_kms_import_shares_state_and_restores_on_outermost() -> None:
    with mock_kms_import() as outer:
        key_id = outer.client().create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        with mock_kms_import() as inner:
            assert inner.client().describe_key(KeyId=key_id)["KeyMetadata"]["Origin"] == "EXTERNAL"
        assert _activation.active()
        assert (
            outer.client().describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
        )


def test_mock_aws_inside_mock_kms_import() -> None:
    with mock_kms_import() as m:
        key_id = m.client().create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        with mock_aws():
            kms = boto3.client("kms", region_name="us-east-1")
            assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
        assert _external_state() == "PendingImport"


def test_mock_kms_import_inside_mock_aws_before_any_kms_call() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="kept")
        with mock_kms_import():
            assert _external_state() == "PendingImport"
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept"]
        # The outer mock_aws goes on with plain moto KMS and its other state intact.
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept"]
        kms = boto3.client("kms", region_name="us-east-1")
        meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        assert meta["KeyState"] == "Enabled"  # moto's own behaviour again
        assert type(kms_backends["123456789012"]["us-east-1"]) is KmsBackend


def test_plain_mock_aws_afterwards_is_plain_moto() -> None:
    with mock_kms_import():
        assert _external_state() == "PendingImport"
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        assert kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyState"] == "Enabled"
        with pytest.raises(NotImplementedError):
            kms.get_parameters_for_import(
                KeyId="x", WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
            )


def test_start_stop_misuse() -> None:
    m = mock_kms_import()
    with pytest.raises(KmsImportMockError, match="not started"):
        m.stop()
    m.start()
    try:
        with pytest.raises(KmsImportMockError, match="already started"):
            m.start()
    finally:
        m.stop()


def test_refuses_a_moto_that_implements_import(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.kms.responses import KmsResponse

    monkeypatch.setattr(KmsResponse, "import_key_material", lambda self: "{}", raising=False)
    with pytest.raises(KmsImportMockError, match="natively"):
        mock_kms_import().start()


def test_other_services_see_the_same_key_states() -> None:
    """moto's EBS calls the KMS backend directly: it must meet the extended backend."""
    with mock_kms_import() as m:
        key_id = m.client().create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        backend = kms_backends["123456789012"]["us-east-1"]
        assert isinstance(backend, ImportKmsBackend)
        assert backend.describe_key(key_id).key_state == "PendingImport"


def test_clock_controls() -> None:
    import datetime as dt

    with mock_kms_import() as m:
        start = m.now()
        assert start.tzinfo is not None
        after = m.advance(3600)
        assert dt.timedelta(seconds=3599) < after - start < dt.timedelta(seconds=3700)
        target = dt.datetime(2031, 1, 1, tzinfo=dt.timezone.utc)
        assert abs((m.travel_to(target) - target).total_seconds()) < 5
        with pytest.raises(KmsImportMockError):
            m.advance(-1)


def test_other_services_use_the_extended_backend_through_the_api() -> None:
    """DynamoDB creates its default KMS key in, and the tagging API reads keys from, the same
    extended backend the KMS API serves."""
    with mock_kms_import() as m:
        kms = m.client()
        key = kms.create_key(Origin="EXTERNAL", Tags=[{"TagKey": "team", "TagValue": "byok"}])
        arn = key["KeyMetadata"]["Arn"]
        tagging = boto3.client("resourcegroupstaggingapi", region_name="us-east-1")
        found = tagging.get_resources(TagFilters=[{"Key": "team", "Values": ["byok"]}])
        assert [r["ResourceARN"] for r in found["ResourceTagMappingList"]] == [arn]

        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            SSESpecification={"Enabled": True, "SSEType": "KMS"},
        )
        aliases = {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
        assert "alias/aws/dynamodb" in aliases
        assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "PendingImport"

"""``kms_import_mock.current()``: the active handle from every form of the mock."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import unittest

import pytest

import kms_import_mock
from kms_import_mock import KmsImportMock, KmsImportMockError, current, mock_kms_import


def _uses_the_handle() -> KmsImportMock:
    """What a user does with the handle: make a key, move the clock, read the events."""
    m = current()
    key = m.create_imported_key(valid_to=dt.timedelta(days=1))
    m.advance(dt.timedelta(days=2))
    state = m.client().describe_key(KeyId=key.key_id)["KeyMetadata"]["KeyState"]
    assert state == "PendingImport"
    assert [e["eventName"] for e in m.events("DeleteExpiredKeyMaterial")] == [
        "DeleteExpiredKeyMaterial"
    ]
    return m


def test_exported():
    assert "current" in kms_import_mock.__all__
    assert kms_import_mock.current is current


def test_none_active_raises_with_what_to_do():
    with pytest.raises(KmsImportMockError, match="no mock_kms_import\\(\\) active.*decorated"):
        current()


def test_bare_decorator():
    @mock_kms_import
    def decorated() -> KmsImportMock:
        return _uses_the_handle()

    handle = decorated()
    assert not handle.started
    with pytest.raises(KmsImportMockError):
        current()


def test_called_decorator():
    @mock_kms_import()
    def decorated() -> KmsImportMock:
        return _uses_the_handle()

    assert isinstance(decorated(), KmsImportMock)


def test_async_decorator():
    @mock_kms_import
    async def decorated() -> KmsImportMock:
        await asyncio.sleep(0)
        return _uses_the_handle()

    assert isinstance(asyncio.run(decorated()), KmsImportMock)


def test_context_managers_give_the_same_object():
    with mock_kms_import() as m:
        assert current() is m

    async def run() -> None:
        async with mock_kms_import() as m:
            assert current() is m

    asyncio.run(run())


def test_fixture_gives_the_same_object(kms_import):
    assert current() is kms_import
    _uses_the_handle()


def test_innermost_wins_and_outer_returns():
    with mock_kms_import() as outer:
        with mock_kms_import() as inner:
            assert current() is inner
        assert current() is outer
    with pytest.raises(KmsImportMockError):
        current()


def test_stopped_out_of_order():
    outer = mock_kms_import().start()
    inner = mock_kms_import().start()
    outer.stop()
    assert current() is inner
    inner.stop()
    with pytest.raises(KmsImportMockError):
        current()


@mock_kms_import
class TestDecoratedClass:
    def test_method(self):
        _uses_the_handle()


@mock_kms_import
class TestDecoratedClassWithSetup:
    def setup_method(self):
        self.handle = current()
        self.key = self.handle.create_imported_key()

    def test_setup_and_test_share_the_handle(self):
        assert current() is self.handle
        meta = current().client().describe_key(KeyId=self.key.key_id)["KeyMetadata"]
        assert meta["KeyState"] == "Enabled"


@mock_kms_import
class DecoratedTestCase(unittest.TestCase):
    def setUp(self):
        self.handle = current()

    def test_handle(self):
        assert current() is self.handle
        _uses_the_handle()


def test_unittest_class_runs_green():
    result = unittest.TextTestRunner(stream=io.StringIO()).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(DecoratedTestCase)
    )
    assert result.wasSuccessful() and result.testsRun == 1

"""The handle refuses what it cannot honour: use after stop, unnatural arguments; decorators
wrap pytest classes with setup_method(method), generators and async generators; decorated
async defs stay coroutine functions for mypy --strict."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from kms_import_mock import KmsImportMockError, _activation, mock_kms_import
from kms_import_mock.kms import clock as _clock

UTC = dt.timezone.utc

# -- a pytest class whose setup_method/teardown_method take pytest's ``method`` argument ---------

_SEEN: list[str] = []


@mock_kms_import
class TestSetupMethodTakesMethod:
    def setup_method(self, method: Any) -> None:
        _SEEN.append(f"setup {method.__name__} {_activation.active()}")
        self.key_id = boto3.client("kms", region_name="us-east-1").create_key(Origin="EXTERNAL")[
            "KeyMetadata"
        ]["KeyId"]

    def teardown_method(self, method: Any) -> None:
        _SEEN.append(f"teardown {method.__name__} {_activation.active()}")

    def test_shares_the_activation_with_setup(self) -> None:
        kms = boto3.client("kms", region_name="us-east-1")
        state = kms.describe_key(KeyId=self.key_id)["KeyMetadata"]["KeyState"]
        assert state == "PendingImport"
        assert _SEEN[-1] == "setup test_shares_the_activation_with_setup True"


def test_setup_method_without_argument_still_works() -> None:
    calls: list[str] = []

    @mock_kms_import
    class Plain:
        def setup_method(self) -> None:
            calls.append("setup")

        def teardown_method(self) -> None:
            calls.append("teardown")

    obj = Plain()
    obj.setup_method()  # type: ignore[call-arg]  # pytest's way when nothing is declared
    assert _activation.active()
    obj.teardown_method()  # type: ignore[call-arg]
    assert calls == ["setup", "teardown"] and not _activation.active()


# -- a handle after stop raises, and never builds a client ----------------------------------------

_AFTER_STOP: list[tuple[str, tuple[Any, ...]]] = [
    ("now", ()),
    ("advance", (dt.timedelta(days=10),)),
    ("travel_to", (dt.datetime(2030, 1, 1, tzinfo=UTC),)),
    ("client", ()),
    ("events", ()),
    ("create_imported_key", ()),
    ("import_key_material", ("key", b"\0" * 32)),
]


@pytest.mark.parametrize(("method", "args"), _AFTER_STOP, ids=[m for m, _ in _AFTER_STOP])
def test_every_method_raises_after_stop(
    method: str, args: tuple[Any, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []
    with mock_kms_import() as m:
        pass
    monkeypatch.setattr(boto3, "client", lambda *a, **k: built.append(a) or None)
    with pytest.raises(KmsImportMockError, match=rf"m\.{method}\(\).*stopped.*start a new"):
        getattr(m, method)(*args)
    assert built == []  # no client was built: nothing could reach real AWS
    assert _clock.offset() == dt.timedelta(0)  # the next test's clock did not move
    assert repr(m) == "<KmsImportMock stopped>" and not m.started


def test_methods_raise_before_start_too() -> None:
    m = mock_kms_import()
    with pytest.raises(KmsImportMockError, match="not started"):
        m.advance(1)


def test_a_stray_advance_after_stop_does_not_move_the_next_activation() -> None:
    with mock_kms_import() as first:
        pass
    with pytest.raises(KmsImportMockError):
        first.advance(dt.timedelta(days=10))
    with mock_kms_import() as second:
        assert abs(second.now() - dt.datetime.now(UTC)) < dt.timedelta(seconds=5)


# -- natural arguments are accepted, others refused with the package's error ---------------------


def test_travel_to_accepts_iso_strings_and_dates() -> None:
    with mock_kms_import() as m:
        assert m.travel_to("2030-01-01").date() == dt.date(2030, 1, 1)
        assert m.travel_to("2031-02-03T04:05:06Z").year == 2031
        assert m.travel_to(dt.date(2032, 3, 4)).date() == dt.date(2032, 3, 4)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda m: m.advance("1 day"), r"timedelta or a number of seconds.*'1 day'"),
        (lambda m: m.advance(True), "timedelta or a number of seconds"),
        (lambda m: m.advance(float("nan")), "finite"),
        (lambda m: m.travel_to("next tuesday"), "not an ISO 8601 time"),
        (lambda m: m.travel_to(1893456000), "datetime, a date or an ISO 8601 string"),
        (lambda m: m.import_key_material("k", "00" * 32), "key_material must be bytes"),
        (lambda m: m.create_imported_key(key_material="secret"), "key_material must be bytes"),
        (lambda m: m.create_imported_key(valid_to="soon"), "valid_to got 'soon'"),
    ],
)
def test_unnatural_arguments_raise_the_package_error(call: Any, match: str) -> None:
    with mock_kms_import() as m:
        before = m.now()
        with pytest.raises(KmsImportMockError, match=match):
            call(m)
        assert m.now() - before < dt.timedelta(seconds=5)  # nothing moved
        assert m.client().list_keys()["Keys"] == []  # nothing created


def test_key_material_as_bytearray_and_valid_to_as_iso_string() -> None:
    with mock_kms_import() as m:
        m.travel_to("2030-01-01")
        key = m.create_imported_key(key_material=bytearray(32), valid_to="2030-06-01T00:00:00Z")
        meta = m.client().describe_key(KeyId=key.key_id)["KeyMetadata"]
        assert meta["ValidTo"] == dt.datetime(2030, 6, 1, tzinfo=UTC)
        assert key.key_material == bytes(32)


# -- generators and async generators run their body mocked ---------------------------------------


def test_decorated_generator_runs_its_body_mocked() -> None:
    @mock_kms_import
    def states() -> Iterator[str]:
        kms = boto3.client("kms", region_name="us-east-1")
        for _ in range(2):
            yield kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyState"]

    assert not _activation.active()
    assert list(states()) == ["PendingImport", "PendingImport"]
    assert not _activation.active()


def test_decorated_generator_closed_early_stops_the_mock() -> None:
    @mock_kms_import
    def counting() -> Iterator[int]:
        yield from range(10)

    gen = counting()
    assert next(gen) == 0 and _activation.active()
    gen.close()
    assert not _activation.active()


def test_decorated_async_generator_runs_its_body_mocked() -> None:
    @mock_kms_import
    async def states() -> AsyncIterator[str]:
        kms = boto3.client("kms", region_name="us-east-1")
        for _ in range(2):
            await asyncio.sleep(0)
            yield kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyState"]

    async def collect() -> list[str]:
        return [state async for state in states()]

    assert inspect.isasyncgenfunction(states)
    assert asyncio.run(collect()) == ["PendingImport", "PendingImport"]
    assert not _activation.active()


def test_decorated_async_def_stays_a_coroutine_function() -> None:
    @mock_kms_import
    async def state() -> str:
        kms = boto3.client("kms", region_name="us-east-1")
        return str(kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyState"])

    assert inspect.iscoroutinefunction(state)
    assert asyncio.run(state()) == "PendingImport"


# -- typing, as a user's mypy --strict sees the decorated forms ----------------------------------

_USER_FILE = """
from __future__ import annotations

import asyncio
from collections.abc import Iterator

from kms_import_mock import KmsImportMock, mock_kms_import


@mock_kms_import
def sync_form(x: int) -> str:
    return str(x)


@mock_kms_import()
async def async_form(x: int) -> str:
    return str(x)


@mock_kms_import
def generator_form() -> Iterator[int]:
    yield 1


@mock_kms_import
class Tests:
    def test_it(self) -> None:
        pass


def use() -> None:
    a: str = sync_form(1)
    b: str = asyncio.run(async_form(2))
    c: list[int] = list(generator_form())
    with mock_kms_import() as m:
        handle: KmsImportMock = m
        handle.advance(60)
    Tests().test_it()
    print(a, b, c)
"""


def test_decorated_forms_type_check_for_users(tmp_path: Path) -> None:
    user = tmp_path / "user_code.py"
    user.write_text(textwrap.dedent(_USER_FILE))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(user)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr

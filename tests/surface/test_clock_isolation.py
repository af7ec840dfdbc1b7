"""Each activation owns its clock: nested handles, threads, the marker under a module-scoped
activation; every move is validated first (a refused one changes nothing); material whose
ValidTo the clock passed stays expired when the clock goes back."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest

from kms_import_mock import KmsImportMock, KmsImportMockError, mock_kms_import
from kms_import_mock.kms import clock as _clock
from tests.helpers import key_state

UTC = dt.timezone.utc


def _near(a: dt.datetime, b: dt.datetime) -> bool:
    return abs(a - b) < dt.timedelta(seconds=5)


def test_nested_handles_keep_their_own_offsets() -> None:
    with mock_kms_import() as outer:
        outer.advance(dt.timedelta(days=1))
        with mock_kms_import() as inner:
            assert _near(inner.now(), outer.now())  # starts at the time its starter saw
            inner.advance(dt.timedelta(days=30))
            assert _near(_clock.now(), inner.now())  # the backend reads the inner clock
            assert inner.now() - outer.now() > dt.timedelta(days=29)
        # the inner stop put back the clock the outer had
        assert _near(_clock.now(), dt.datetime.now(UTC) + dt.timedelta(days=1))
    assert _clock.offset() == dt.timedelta(0)


def test_two_threads_with_their_own_activations_do_not_share_offsets() -> None:
    barrier = threading.Barrier(2, timeout=30)
    seen: dict[str, dt.timedelta] = {}
    errors: list[BaseException] = []

    def run(name: str, days: int) -> None:
        try:
            with mock_kms_import() as m:
                m.advance(dt.timedelta(days=days))
                barrier.wait()  # both have moved their clocks
                seen[name] = _clock.offset()
                barrier.wait()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, d)) for n, d in (("a", 3), ("b", 400))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert dt.timedelta(days=3) <= seen["a"] < dt.timedelta(days=3, seconds=5)
    assert dt.timedelta(days=400) <= seen["b"] < dt.timedelta(days=400, seconds=5)
    assert _clock.offset() == dt.timedelta(0)


def test_a_worker_thread_without_an_activation_sees_the_running_one() -> None:
    with mock_kms_import() as m:
        m.travel_to("2030-01-01")
        years: list[int] = []
        worker = threading.Thread(target=lambda: years.append(_clock.now().year))
        worker.start()
        worker.join(30)
        assert years == [2030]


def test_stopping_out_of_order_leaves_the_running_clock() -> None:
    first = mock_kms_import().start()
    first.travel_to("2031-01-01")
    second = mock_kms_import().start()
    second.travel_to("2035-01-01")
    first.stop()  # not the innermost
    assert _clock.now().year == 2035
    second.stop()
    assert _clock.offset() == dt.timedelta(0)


# -- validated moves -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "move",
    [
        lambda m: m.advance(1e12),
        lambda m: m.advance(dt.timedelta(days=999_999_999)),
        lambda m: m.advance(1e300),
        lambda m: m.travel_to(dt.datetime.max),
        lambda m: m.travel_to(dt.datetime.min),
        lambda m: m.travel_to("9999-01-01"),
        lambda m: m.travel_to("0001-01-01"),
    ],
)
def test_a_refused_move_changes_nothing(move: object) -> None:
    with mock_kms_import() as m:
        key = m.create_imported_key(valid_to=dt.timedelta(days=1))
        before = _clock.offset()
        with pytest.raises(KmsImportMockError, match="cannot move|was not changed|out of range"):
            move(m)  # type: ignore[operator]
        assert _clock.offset() == before
        kms = m.client()
        # every later call with an expiring key still works
        assert key_state(kms, key.key_id) == "Enabled"
        kms.encrypt(KeyId=key.key_id, Plaintext=b"x")
        kms.get_parameters_for_import(
            KeyId=key.key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )


def test_the_clock_range_edges_are_usable() -> None:
    with mock_kms_import() as m:
        assert m.travel_to(_clock.LATEST) <= _clock.LATEST + dt.timedelta(seconds=1)
        assert m.travel_to(_clock.EARLIEST) >= _clock.EARLIEST


# -- expiry when the mock's own clock goes past ValidTo and back ----------------------------------


def test_past_valid_to_and_back_without_a_call_still_expires() -> None:
    with mock_kms_import() as m:
        start = m.now()
        key = m.create_imported_key(valid_to=dt.timedelta(hours=1))
        m.advance(dt.timedelta(hours=2))
        m.travel_to(start)  # back before ValidTo, no KMS call in between
        kms = m.client()
        assert key_state(kms, key.key_id) == "PendingImport"
        # Filtered by key: under random order a module-scoped activation of this file may be
        # running around this test, with its own keys' events.
        expired = m.events(name="DeleteExpiredKeyMaterial", key_id=key.key_id)
        assert [e["eventName"] for e in expired] == ["DeleteExpiredKeyMaterial"]


# -- the marker's now= under a module-scoped activation --------------------------------------------


@pytest.fixture(scope="module")
def module_mock() -> Iterator[KmsImportMock]:
    with mock_kms_import() as m:
        yield m


@pytest.mark.kms_import(now="2030-06-01T00:00:00Z")
def test_marker_inside_module_activation(module_mock: KmsImportMock) -> None:
    assert _clock.now().year == 2030


def test_after_the_marked_test_the_module_activation_keeps_its_time(
    module_mock: KmsImportMock,
) -> None:
    # pytest-randomly may run this first or last: either way the module's clock is process time.
    assert _near(module_mock.now(), dt.datetime.now(UTC))
    assert _near(_clock.now(), dt.datetime.now(UTC))


def test_two_asyncio_tasks_with_their_own_activations_keep_their_own_clocks() -> None:
    import asyncio

    async def run(days: int) -> int:
        async with mock_kms_import() as m:
            m.advance(dt.timedelta(days=days))
            await asyncio.sleep(0.01)  # the other task moves its clock meanwhile
            return (_clock.offset() // dt.timedelta(days=1)) if _clock.offset() else 0

    async def both() -> list[int]:
        return list(await asyncio.gather(run(5), run(50)))

    assert asyncio.run(both()) == [5, 50]
    assert _clock.offset() == dt.timedelta(0)

"""Fixtures of kms-import-mock, available in every pytest run once the package is installed.

pytest imports this module in every run of the environment, so it imports neither moto nor
kms_import_mock at module level: the cost is paid only by tests that use a fixture.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from kms_import_mock import KmsImportMock
    from kms_import_mock.server.process import ServerProcess

MARKER = "kms_import"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(now=None): run the test inside mock_kms_import (the kms_import fixture); "
        "now= (datetime or ISO 8601 string) sets the mock's clock first.",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A marked test gets the fixture even when it does not ask for it by name.
    for item in items:
        if item.get_closest_marker(MARKER) and "kms_import" not in getattr(
            item, "fixturenames", ("kms_import",)
        ):
            names: list[str] = item.fixturenames  # type: ignore[attr-defined]
            names.insert(_first_function_fixture(item, names), "kms_import")


def _first_function_fixture(item: pytest.Item, names: list[str]) -> int:
    """Where the function-scoped ``kms_import`` goes among the test's fixtures: after every
    broader-scoped one (so an enclosing module-scoped activation starts first, and the marker's
    clock stays inside the test's own activation), before the test's function fixtures (so they
    run mocked)."""
    info = getattr(item, "_fixtureinfo", None)
    defs: dict[str, Any] = getattr(info, "name2fixturedefs", {}) or {}
    position = 0
    for index, name in enumerate(names):
        fixture_defs = defs.get(name)
        if fixture_defs and getattr(fixture_defs[-1], "scope", "function") != "function":
            position = index + 1
    return position


def _marker_now(marker: pytest.Mark) -> _dt.datetime | None:
    kwargs: dict[str, Any] = dict(marker.kwargs)
    if marker.args:
        if len(marker.args) > 1 or "now" in kwargs:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes one argument, now=.")
        kwargs["now"] = marker.args[0]
    unknown = sorted(set(kwargs) - {"now"})
    if unknown:
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} got unknown argument(s) {', '.join(unknown)}; it takes now=."
        )
    now = kwargs.get("now")
    if now is None or isinstance(now, _dt.datetime):
        return now
    if isinstance(now, str):
        try:
            return _dt.datetime.fromisoformat(now.strip().replace("Z", "+00:00"))
        except ValueError:
            raise pytest.UsageError(
                f"@pytest.mark.{MARKER}(now={now!r}) is not an ISO 8601 time; pass a datetime "
                'or a string such as "2030-01-01T00:00:00Z".'
            ) from None
    raise pytest.UsageError(
        f"@pytest.mark.{MARKER}(now=...) takes a datetime or an ISO 8601 string, "
        f"not {type(now).__name__}."
    )


@pytest.fixture
def kms_import(request: pytest.FixtureRequest) -> Iterator[KmsImportMock]:
    """AWS mocked as by ``mock_aws``, with KMS key import; yields the mock's handle.

    ``@pytest.mark.kms_import(now=...)`` on the test sets the mock's clock before it runs.
    """
    marker = request.node.get_closest_marker(MARKER)
    now = _marker_now(marker) if marker is not None else None

    from kms_import_mock import mock_kms_import

    # The fixture's own activation: the marker's now= moves only its clock, which its stop
    # puts back, so an enclosing (module- or session-scoped) activation keeps its time.
    with mock_kms_import() as handle:
        if now is not None:
            handle.travel_to(now)
        yield handle


@pytest.fixture(scope="session")
def kms_import_server_session() -> Iterator[ServerProcess]:
    """``kms-import-mock serve`` on a free 127.0.0.1 port, in a child process, for the session."""
    from kms_import_mock.server.process import ServerProcess

    server = ServerProcess().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kms_import_server(kms_import_server_session: ServerProcess) -> str:
    """The endpoint URL of the session's server, with every backend empty and the clock reset.

    Point any client at it: ``boto3.client("kms", endpoint_url=url)``, ``aws --endpoint-url``,
    or a program in another language.
    """
    kms_import_server_session.reset()
    return kms_import_server_session.url

"""Fixtures of the reliability suite (issue 8): hypothesis profiles, fuzz counters, a server.

``HYPOTHESIS_PROFILE=fuzz`` (what ``make fuzz`` sets) selects the large profile; the default
profile keeps ``make test`` quick. Profiles are applied per test with :data:`FUZZ`, not loaded
globally, so other suites' hypothesis settings are untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from reliability_support import COUNTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if COUNTS:
        total = sum(COUNTS.values())
        terminalreporter.write_sep("-", f"reliability: {total} fuzz/tamper cases run")
        for name, count in sorted(COUNTS.items()):
            terminalreporter.write_line(f"  {name}: {count}")


@pytest.fixture
def server(kms_import_server: str) -> str:
    """The URL of ``kms-import-mock serve`` (the plugin's session server), reset for this test."""
    return kms_import_server


@pytest.fixture(scope="module")
def inprocess_server() -> Iterator[str]:
    """moto's ThreadedMotoServer on 127.0.0.1 in this process, serving the extended backend.

    What ``kms-import-mock serve`` runs, but in-process, so a fuzz test can snapshot the backend's
    state directly before and after each raw request. Installed only for this module.
    """
    import requests
    from moto.server import ThreadedMotoServer

    from kms_import_mock import _activation

    _activation.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        requests.post(f"{url}/moto-api/reset", timeout=10)
        yield url
    finally:
        requests.post(f"{url}/moto-api/reset", timeout=10)
        server.stop()
        _activation.uninstall()

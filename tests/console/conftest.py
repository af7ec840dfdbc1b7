"""Console tests: headless Chromium (Debian's ``chromium`` package, driven by Playwright)
against a ``kms-import-mock serve`` child process.

No browser can be downloaded where these tests run, so Playwright launches the system Chromium
(``/usr/bin/chromium``, or the path in ``KMS_IMPORT_MOCK_CHROMIUM``). A missing browser fails
the tests with what to install: a skipped browser test would hide a console nobody tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from conftest_plugin.plugin import kms_import_server, kms_import_server_session
from tests.console.support import chromium_path

__all__ = ["kms_import_server", "kms_import_server_session"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per module (each test gets its own context).

    Not per session: Playwright's sync API keeps an asyncio loop marked running in this thread
    while it is open, so a test of another module that calls ``asyncio.run`` on the same
    worker would fail. A module's tests run together, and the loop closes after them.
    """
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright is missing: install the test extra, pip install -e '.[test]'.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, kms_import_server: str) -> Iterator[Any]:
    """A fresh browser page (own cookies and storage) whose relative URLs go to the server."""
    context = browser.new_context(
        base_url=kms_import_server, viewport={"width": 1280, "height": 720}
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def kms(kms_import_server: str) -> Any:
    """A boto3 KMS client of the server in us-east-1 (no retries: every 5xx surfaces)."""
    return boto3.client(
        "kms",
        endpoint_url=kms_import_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )

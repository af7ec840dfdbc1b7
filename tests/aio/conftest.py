"""aiobotocore and aioboto3 against the mock in-process (``make test-async`` runs these).

Where aiobotocore is not installed (the ordinary ``.venv``) this directory is not collected,
and the run's header says so; where it is installed every test here runs: a missing aioboto3
or pytest-asyncio fails loudly instead of skipping.
"""

from __future__ import annotations

import importlib.util
import pathlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

HERE = pathlib.Path(__file__).parent
AIOBOTOCORE = importlib.util.find_spec("aiobotocore") is not None

if not AIOBOTOCORE:
    collect_ignore = sorted(p.name for p in HERE.glob("test_*.py"))


def pytest_report_header() -> str | None:
    if AIOBOTOCORE:
        return None
    return "tests/aio: not collected, aiobotocore is not installed (make test-async runs them)"


AioClient = Callable[..., AbstractAsyncContextManager[Any]]


@pytest.fixture
def aio() -> AioClient:
    """``aio("kms")``: an aiobotocore client as an async context manager (us-east-1)."""
    from aiobotocore.session import get_session

    session = get_session()

    def client(service: str, **kwargs: Any) -> AbstractAsyncContextManager[Any]:
        kwargs.setdefault("region_name", "us-east-1")
        return session.create_client(service, **kwargs)  # type: ignore[no-any-return]

    return client

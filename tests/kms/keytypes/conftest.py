"""One mock and client per module for the key-type suites.

These modules run hundreds of parametrized cases against keys they create themselves, so one
activation per module (not per test) keeps them fast; each module still starts empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.keymaterial import module_mock


@pytest.fixture(scope="module")
def mock() -> Iterator[Any]:
    with module_mock() as handle:
        yield handle


@pytest.fixture(scope="module")
def kms(mock: Any) -> Any:
    return mock.client()

"""Fixtures of kms-import-mock, available in every pytest run once the package is installed.

pytest imports this module in every run of the environment, so it imports neither moto nor
kms_import_mock at module level: the cost is paid only by tests that use a fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kms_import_mock import KmsImportMock


@pytest.fixture
def kms_import() -> Iterator[KmsImportMock]:
    """AWS mocked as by ``mock_aws``, with KMS key import; yields the mock's handle."""
    from kms_import_mock import mock_kms_import

    with mock_kms_import() as handle:
        yield handle

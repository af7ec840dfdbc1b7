"""Fixtures of the integrated-service tests: the plugin's server fixture (also from a checkout
where the package is not installed), and a customer managed key with imported material."""

from __future__ import annotations

from typing import Any

import pytest

from conftest_plugin.plugin import kms_import_server, kms_import_server_session

__all__ = ["kms_import_server", "kms_import_server_session"]


@pytest.fixture
def imported(kms_import: Any) -> Any:
    """An EXTERNAL symmetric key with material imported (no expiry), in us-east-1."""
    return kms_import.create_imported_key(description="protects the service data")

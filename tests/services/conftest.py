"""Fixtures of the integrated-service tests: the plugin's server fixture (also from a checkout
where the package is not installed), a customer managed key with imported material, and the
server with moto's docker-less Lambda."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from conftest_plugin.plugin import kms_import_server, kms_import_server_session

__all__ = ["kms_import_server", "kms_import_server_session"]


@pytest.fixture
def imported(kms_import: Any) -> Any:
    """An EXTERNAL symmetric key with material imported (no expiry), in us-east-1."""
    return kms_import.create_imported_key(description="protects the service data")


def set_lambda_config(url: str, use_docker: bool) -> None:
    """Set moto's Lambda ``use_docker`` on the server at ``url`` (moto's config API)."""
    request = urllib.request.Request(
        f"{url}/moto-api/config",
        data=json.dumps({"lambda": {"use_docker": use_docker}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert json.load(reply)["lambda"]["use_docker"] is use_docker


@pytest.fixture
def docker_less(kms_import_server: str) -> Iterator[str]:
    """The server with moto's docker-less Lambda, put back to moto's default afterwards."""
    set_lambda_config(kms_import_server, use_docker=False)
    try:
        yield kms_import_server
    finally:
        set_lambda_config(kms_import_server, use_docker=True)

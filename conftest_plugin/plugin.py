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
    from kms_import_mock._serverproc import ServerProcess


@pytest.fixture
def kms_import() -> Iterator[KmsImportMock]:
    """AWS mocked as by ``mock_aws``, with KMS key import; yields the mock's handle."""
    from kms_import_mock import mock_kms_import

    with mock_kms_import() as handle:
        yield handle


@pytest.fixture(scope="session")
def kms_import_server_session() -> Iterator[ServerProcess]:
    """``kms-import-mock serve`` on a free 127.0.0.1 port, in a child process, for the session."""
    from kms_import_mock._serverproc import ServerProcess

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

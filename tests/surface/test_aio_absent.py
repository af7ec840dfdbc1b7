"""Without aiobotocore the mock installs nothing for it: no patch, no import hook waiting."""

from __future__ import annotations

import sys
from typing import Any

from kms_import_mock import _activation, mock_kms_import
from kms_import_mock._aio import ENDPOINT_MODULE, available
from kms_import_mock.services.import_hook import AfterImport


def _watching_aiobotocore() -> list[AfterImport]:
    return [f for f in sys.meta_path if isinstance(f, AfterImport) and ENDPOINT_MODULE in f._names]


def test_nothing_is_installed_when_aiobotocore_cannot_be_imported(monkeypatch: Any) -> None:
    # As if not installed (None in sys.modules makes an import fail), whatever this venv holds.
    monkeypatch.delitem(sys.modules, ENDPOINT_MODULE, raising=False)
    monkeypatch.setitem(sys.modules, "aiobotocore", None)
    assert not available()
    with mock_kms_import() as m:
        assert _activation._aio is not None
        assert not _activation._aio.installed and not _activation._aio.waiting
        assert len(_activation._aio_patches) == 0
        assert _watching_aiobotocore() == []
        kms = m.client()
        assert kms.describe_key(KeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    assert _activation._aio is None and _watching_aiobotocore() == []

"""A user's test code type-checks under ``mypy --strict``, with boto3-stubs' KMS client types.

The user module below is what a typed project writes: decorated sync and async functions, the
handle from ``with`` and ``current()``, the ``kms_import`` fixture. mypy runs on it as a user's
mypy would (``--strict``, the package found as a typed package). A second module with a wrong
KMS parameter must fail, which proves ``m.client()`` is the stubs' ``KMSClient``, not ``Any``.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("types_boto3_kms", reason="the types extra is part of the test extra")

ROOT = pathlib.Path(__file__).resolve().parents[2]

USER_MODULE = '''
from __future__ import annotations

import datetime as dt
from typing import Any, assert_type

import pytest
from types_boto3_kms import KMSClient

from kms_import_mock import ImportedKey, KmsImportMock, current, mock_kms_import


@mock_kms_import
def sync_user(times: int) -> str:
    m = current()
    assert_type(m, KmsImportMock)
    kms = m.client()
    assert_type(kms, KMSClient)
    key = m.create_imported_key("HMAC_256", valid_to=dt.timedelta(days=1))
    assert_type(key, ImportedKey)
    assert_type(m.advance(dt.timedelta(days=2)), dt.datetime)
    return key.key_id * times


@mock_kms_import()
async def async_user(name: str) -> int:
    return len(current().events(name))


async def awaits_it() -> int:
    result = await async_user("ImportKeyMaterial")
    assert_type(result, int)
    return result


def test_with_block() -> None:
    assert_type(sync_user(2), str)
    with mock_kms_import() as m:
        assert_type(m, KmsImportMock)
        assert_type(m.events(key_id="k"), list[dict[str, Any]])


def test_fixture(kms_import: KmsImportMock) -> None:
    meta = kms_import.client().describe_key(KeyId="alias/x")["KeyMetadata"]
    state: str = meta["KeyState"]
    assert state


@pytest.mark.kms_import(now="2030-01-01T00:00:00Z")
def test_marker(kms_import: KmsImportMock) -> None:
    assert kms_import.now().year == 2030


@mock_kms_import
class TestDecoratedClass:
    def test_method(self) -> None:
        current().client().list_keys()
'''

WRONG_MODULE = '''
from __future__ import annotations

from kms_import_mock import mock_kms_import

with mock_kms_import() as m:
    m.client().describe_key(KeyIdentifier="x")
'''


def _mypy(tmp_path: pathlib.Path, name: str, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / name).write_text(source, encoding="utf-8")
    # The package from the source tree, its own modules analysed but not reported on: what a
    # user's mypy does with an installed typed package (the editable install's import hook is
    # invisible to mypy, hence MYPYPATH).
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\n[mypy-kms_import_mock.*,conftest_plugin.*]\nfollow_imports = silent\n"
        "[mypy-boto3.*,botocore.*]\nignore_missing_imports = true\n",
        encoding="utf-8",
    )
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version",
         "3.11", name],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_user_code_type_checks_strict(tmp_path: pathlib.Path):
    done = _mypy(tmp_path, "test_user_code.py", USER_MODULE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_client_is_the_stubs_kms_client(tmp_path: pathlib.Path):
    done = _mypy(tmp_path, "wrong_kms_call.py", WRONG_MODULE)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'Unexpected keyword argument "KeyIdentifier"' in done.stdout, done.stdout

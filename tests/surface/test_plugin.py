"""The pytest plugin: registered by entry point, import-light, fixture yields the handle."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]


def test_fixture_is_available_without_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from kms_import_mock import KmsImportMock

        def test_it(kms_import):
            assert isinstance(kms_import, KmsImportMock)
            kms = kms_import.client()
            meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
            assert meta["KeyState"] == "PendingImport"

        def test_next_starts_empty(kms_import):
            assert kms_import.client().list_keys()["Keys"] == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_plugin_module_does_not_import_moto() -> None:
    code = (
        "import sys, conftest_plugin.plugin; "
        "heavy = ('moto', 'kms_import_mock', 'boto3'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in heavy]; "
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_entry_point_is_registered() -> None:
    from importlib.metadata import entry_points

    names = {ep.value for ep in entry_points(group="pytest11")}
    assert "conftest_plugin.plugin" in names


def test_package_import_changes_nothing_in_moto() -> None:
    code = (
        "import moto.kms.models as m; before = m.kms_backends.backend; "
        "import kms_import_mock; "
        "assert m.kms_backends.backend is before is m.KmsBackend; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr

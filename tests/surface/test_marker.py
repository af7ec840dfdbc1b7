"""The pytest plugin: the kms_import fixture, the kms_import(now=...) marker, import-lightness."""

from __future__ import annotations

import subprocess
import sys

import pytest

MARKED = """
import datetime as dt
import pytest

from kms_import_mock import _activation

UTC = dt.timezone.utc


@pytest.mark.kms_import(now="2030-05-01T12:00:00Z")
def test_iso_string(kms_import):
    assert abs(kms_import.now() - dt.datetime(2030, 5, 1, 12, tzinfo=UTC)) < dt.timedelta(seconds=5)


@pytest.mark.kms_import(dt.datetime(2031, 1, 1, tzinfo=UTC))
def test_positional_datetime(kms_import):
    assert kms_import.now().year == 2031


@pytest.mark.kms_import
def test_marker_alone_activates_the_mock_without_naming_the_fixture():
    assert _activation.active()


@pytest.mark.kms_import(now="2030-05-01T12:00:00Z")
class TestOnAClass:
    def test_method(self, kms_import):
        assert kms_import.now().year == 2030


def test_fixture_without_marker_keeps_real_time(kms_import):
    assert abs(kms_import.now() - dt.datetime.now(UTC)) < dt.timedelta(seconds=5)


def test_unmarked_tests_are_not_mocked():
    assert not _activation.active()
"""

BAD = """
import pytest


@pytest.mark.kms_import(when="2030-01-01")
def test_unknown_argument(kms_import):
    pass


@pytest.mark.kms_import(now=12)
def test_wrong_type(kms_import):
    pass
"""


def test_marker_presets_the_clock_and_activates_the_fixture(pytester: pytest.Pytester):
    pytester.makepyfile(test_marked=MARKED, test_bad=BAD)
    result = pytester.runpytest_subprocess(
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",
        "--strict-markers",
    )
    result.assert_outcomes(passed=6, errors=2)
    result.stdout.fnmatch_lines(
        ["*got unknown argument(s) when; it takes now=*", "*takes a datetime or an ISO 8601*"]
    )


def test_marker_is_registered(pytester: pytest.Pytester):
    result = pytester.runpytest_subprocess("--markers", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["@pytest.mark.kms_import(now=None):*"])


def test_plugin_module_does_not_import_moto():
    code = (
        "import sys, conftest_plugin.plugin; "
        "bad = [m for m in ('moto', 'kms_import_mock', 'boto3') if m in sys.modules]; "
        "print(*bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

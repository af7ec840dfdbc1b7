"""The README's Python examples run: each block is a test module of its own, run by pytest."""

from __future__ import annotations

import pathlib
import re

import pytest

from tests.helpers import kms_model_has_operation

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)


def test_readme_has_recipes():
    text = README.read_text(encoding="utf-8")
    for title in (
        "Testing expiry",
        "Testing reimport after deletion",
        "Testing the rotation runbook",
        "Asserting audit events",
    ):
        assert f"### {title}" in text
    assert len(BLOCKS) >= 8


def test_readme_python_blocks_run(pytester: pytest.Pytester):
    """Module-level code runs on import; ``test_*`` functions run with the plugin's fixtures."""
    # A block that calls an operation newer than the installed botocore's model cannot run on
    # it (the supported floor predates GetKeyLastUsage); it says so, as checked below.
    runnable = [b for b in BLOCKS if kms_model_has_operation("GetKeyLastUsage") or not _newer(b)]
    for number, block in enumerate(runnable):
        pytester.makepyfile(**{f"test_readme_block_{number:02d}": block})
    expected_tests = sum(len(re.findall(r"^def test_", block, re.M)) for block in runnable)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"
    )
    result.assert_outcomes(passed=expected_tests)


#: What the base install brings (the package's dependencies, and pytest for the fixture blocks).
BASE = {"kms_import_mock", "boto3", "botocore", "moto", "cryptography", "pytest"}


def _needs(block: str) -> str:
    return " ".join(line for line in block.splitlines() if line.startswith("#"))


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_each_block_says_what_it_needs_beyond_the_base_install(number: int):
    import sys

    block = BLOCKS[number]
    imported = set(re.findall(r"^\s*(?:from|import) ([A-Za-z_]\w*)", block, re.M))
    extra = sorted(imported - BASE - set(sys.stdlib_module_names))
    for name in extra:
        assert f"pip install {name}" in _needs(block), (name, block[:200])
    if "kms_import_server" in block:
        assert "pip install 'kms-import-mock[server]'" in _needs(block)
    if re.search(r"\baws kms\b", block):
        assert "awscli" in _needs(block)


def _newer(block: str) -> bool:
    return "get_key_last_usage" in block


def test_a_block_using_a_newer_operation_names_the_botocore_it_needs():
    newer = [block for block in BLOCKS if _newer(block)]
    assert newer
    for block in newer:
        assert "botocore 1.42.97 or later" in _needs(block), block[:200]


def test_blocks_end_in_assertions_not_ellipses():
    for block in BLOCKS:
        assert not re.search(r"^\s*\.\.\.", block, re.M), block[:200]


def test_the_plugin_loads_by_name_when_autoload_is_off(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    text = README.read_text(encoding="utf-8")
    assert "PYTEST_DISABLE_PLUGIN_AUTOLOAD=1" in text and "pytest -p kms_import_mock" in text
    pytester.makepyfile(
        "def test_fixture(kms_import):\n    assert kms_import.client().list_keys()['Keys'] == []\n"
    )
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    without = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    without.assert_outcomes(errors=1)
    assert "fixture 'kms_import' not found" in without.stdout.str()
    for name in ("kms_import_mock", "conftest_plugin.plugin"):
        loaded = pytester.runpytest_subprocess("-p", name, "-p", "no:cacheprovider")
        loaded.assert_outcomes(passed=1)

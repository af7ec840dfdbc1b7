"""The README's Python examples run: each block is a test module of its own, run by pytest."""

from __future__ import annotations

import pathlib
import re

import pytest

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
    for number, block in enumerate(BLOCKS):
        pytester.makepyfile(**{f"test_readme_block_{number:02d}": block})
    expected_tests = sum(len(re.findall(r"^def test_", block, re.M)) for block in BLOCKS)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"
    )
    result.assert_outcomes(passed=expected_tests)

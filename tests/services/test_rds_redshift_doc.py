"""The RDS / Redshift page's recipes run: each Python block is a test module."""

from __future__ import annotations

import pathlib
import re

import pytest

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "services-redshift-rds.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.M | re.S)


def test_one_recipe_per_service_and_the_page_is_in_the_toctree():
    text = PAGE.read_text(encoding="utf-8")
    for title in ("Amazon RDS and Aurora", "Amazon Redshift"):
        assert f"## {title}" in text
    assert len(BLOCKS) == 2
    assert "Decision" in text
    index = (PAGE.parent / "index.md").read_text(encoding="utf-8")
    assert "\nservices-redshift-rds\n" in index


def test_the_recipes_run(pytester: pytest.Pytester):
    for number, block in enumerate(BLOCKS):
        pytester.makepyfile(**{f"test_rds_redshift_recipe_{number}": block})
    expected = sum(len(re.findall(r"^def test_", block, re.M)) for block in BLOCKS)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"
    )
    result.assert_outcomes(passed=expected)

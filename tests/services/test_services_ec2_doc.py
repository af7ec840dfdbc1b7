"""docs/services-ec2.md: the seed scenario recipe runs as a test of its own."""

from __future__ import annotations

import pathlib
import re

import pytest

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "services-ec2.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.M | re.S)


def test_the_page_has_the_recipe_and_marks_its_decisions() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert len(BLOCKS) == 1
    assert text.count("**decision**") >= 5


def test_the_seed_scenario_runs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_seed_scenario=BLOCKS[0])
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"
    )
    result.assert_outcomes(passed=1)

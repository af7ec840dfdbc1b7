"""docs/services.md: its Python examples run, each block as a test module of its own."""

from __future__ import annotations

import pathlib
import re

import pytest

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "services.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S)


def test_the_page_has_its_recipe_and_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "## What breaks when the material goes" in text
    assert "| Service | Operation |" in text
    assert len(BLOCKS) >= 1


def test_python_blocks_run(pytester: pytest.Pytester) -> None:
    for number, block in enumerate(BLOCKS):
        pytester.makepyfile(**{f"test_services_doc_block_{number:02d}": block})
    expected = sum(len(re.findall(r"^def test_", block, re.M)) for block in BLOCKS)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"
    )
    # Module-level code runs at collection: a failing example is a collection error.
    result.assert_outcomes(passed=expected)
    assert result.ret in (0, 5)  # 5: nothing to run but nothing failed

"""docs/services.md: the behaviours table, with the recipe it points to in the README."""

from __future__ import annotations

import pathlib

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "services.md"


def test_the_page_has_its_recipe_and_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "## What breaks when the material goes" in text
    assert "| Service | Operation |" in text
    assert text.count("**decision**") >= 5
    # The recipe lives in the README's guide, where the suite runs it; it must be there.
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "## What breaks when the material goes" in readme
    assert "secrets.get_secret_value" in readme and "s3.get_object" in readme

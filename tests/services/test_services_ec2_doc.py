"""docs/services-ec2.md: the behaviours table; its seed-scenario recipe runs from the README."""

from __future__ import annotations

import pathlib

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "services-ec2.md"


def test_the_page_marks_its_decisions_and_the_readme_has_the_recipe() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert text.count("**decision**") >= 5
    readme = (PAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "def test_attached_volume_survives_the_next_attach_does_not(kms_import):" in readme

"""The documentation site builds with warnings as errors, and its API reference is complete."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

import kms_import_mock
from kms_import_mock import KmsImportMock

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("docs") / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_every_public_name_has_a_reference_entry(built_site: pathlib.Path):
    api = (built_site / "api.html").read_text(encoding="utf-8")
    for name in kms_import_mock.__all__:
        assert f'id="kms_import_mock.{name}"' in api, name


def test_every_handle_method_is_documented_with_its_parameters(built_site: pathlib.Path):
    api = (built_site / "api.html").read_text(encoding="utf-8")
    public = [n for n in vars(KmsImportMock) if not n.startswith("_")]
    assert {"client", "advance", "travel_to", "events", "create_imported_key"} <= set(public)
    for name in public:
        assert f'id="kms_import_mock.KmsImportMock.{name}"' in api, name
    # parameters with their defaults, from the signature
    assert "multi_region" in api and "SYMMETRIC_DEFAULT" in api and "us-east-1" in api


def test_pages_carry_the_readme_guide_and_the_behaviour_reference(built_site: pathlib.Path):
    guide = (built_site / "guide.html").read_text(encoding="utf-8")
    assert "Testing the rotation runbook" in guide and "Control API" in guide
    behaviour = (built_site / "behaviour.html").read_text(encoding="utf-8")
    assert "Deliberate differences from AWS" in behaviour
    for page in ("install", "api", "contributing", "benchmarks", "reliability", "design", "peer",
                 "changelog"):
        assert (built_site / f"{page}.html").is_file(), page


def test_no_internal_section_or_issue_numbers_in_user_facing_text():
    import re

    pattern = re.compile(r"spec §|§[0-9]|issue [0-9]+")
    paths = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    for package in ("kms_import_mock", "conftest_plugin"):
        paths += (ROOT / package).rglob("*.py")
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in paths
        if "_build" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []

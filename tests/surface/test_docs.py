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
    public = [n for n in dir(KmsImportMock) if not n.startswith("_")]
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


def _docs_conf():
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_conf", ROOT / "docs" / "conf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_refuses_unfilled_placeholders_outside_code():
    find = _docs_conf().unfilled_placeholders
    assert find("<p>{kt}</p>") == ["{kt}"]
    assert find("<p>see {{doc}}<a>x</a></p>") == ["{{", "}}"]
    assert find("<p>a {kt} and <code>{ok}</code></p><pre>{\"a\": {b}}</pre>") == ["{kt}"]
    assert find("<p>a dict such as {1: 2} or {'k': v} is prose</p>") == []


def test_a_page_with_a_placeholder_fails_the_build(tmp_path: pathlib.Path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text((ROOT / "docs" / "conf.py").read_text(encoding="utf-8"))
    (src / "index.md").write_text("# Page\n\n{kt}\n\nSee {{doc}}`other`.\n")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode != 0
    assert "unfilled placeholders" in done.stderr and "{kt}" in done.stderr


def test_the_key_state_table_on_the_behaviour_page_is_the_one_the_tests_walk():
    from tests.kms.test_key_state_table import ROWS, STATES

    cell = {
        "OK": "OK",
        "[1]": "`DisabledException` … is disabled.",
        "[3]": "`KMSInvalidStateException` … is pending deletion.",
        "[4]": "`KMSInvalidStateException` … is not pending deletion.",
        "[5]": "`KMSInvalidStateException` … is pending import.",
        "[7]": "`UnsupportedOperationException` (origin EXTERNAL)",
        "nothing pending": "`KMSInvalidStateException` (no material pending rotation)",
    }
    walked: dict[str, list[str]] = {}
    for row in ROWS:
        walked.setdefault(row.operation.split(" (")[0], [cell[o] for o in row.outcomes])
    page = (ROOT / "docs" / "behaviour.md").read_text(encoding="utf-8")
    header = "| operation on an imported-material key | " + " | ".join(f"`{s}`" for s in STATES)
    assert header in page
    documented = {}
    for line in page.split(header, 1)[1].splitlines()[2:]:
        if not line.startswith("|"):
            break
        name, *cells = [c.strip() for c in line.strip("|").split("|")]
        documented[name] = cells
    assert documented == walked

"""What we declare supported is what the matrix tests: pyproject.toml, noxfile.py and the
README's table name the same ends of every range, and the environment the suite runs in is
inside them."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import pathlib
import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _nox() -> dict[str, object]:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.isupper()
    }


def _requirements() -> list[Requirement]:
    project = _pyproject()["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        found += [Requirement(r) for r in extra]
    return found


def _bounds(name: str) -> set[tuple[str, str]]:
    """Every (operator, version) any requirement of ``name`` declares, extras included."""
    return {
        (spec.operator, spec.version)
        for req in _requirements()
        if req.name == name
        for spec in req.specifier
    }


def test_moto_is_bounded_by_the_oldest_and_newest_release_the_matrix_tests():
    nox = _nox()
    assert _bounds("moto") == {(">=", nox["MOTO_OLDEST"]), ("<=", nox["MOTO_NEWEST"])}
    moto_requirements = [r for r in _requirements() if r.name == "moto"]
    # the package, [server], [test] and [test-async]: all alike
    assert len(moto_requirements) == 4
    assert len({str(r.specifier) for r in moto_requirements}) == 1


def test_boto3_botocore_and_cryptography_floors_are_the_matrix_floors():
    nox = _nox()
    assert _bounds("boto3") == {(">=", nox["BOTO_OLDEST"])}
    assert _bounds("botocore") == {(">=", nox["BOTO_OLDEST"])}
    assert _bounds("cryptography") == {(">=", nox["CRYPTOGRAPHY_OLDEST"])}


def test_aiobotocore_is_bounded_by_the_ends_the_matrix_tests():
    nox = _nox()
    oldest, newest = nox["AIOBOTOCORE_OLDEST"], nox["AIOBOTOCORE_NEWEST"]
    assert _bounds("aiobotocore") == {(">=", oldest), ("<=", newest)}
    # Each end is tested with one botocore, inside the botocore range the package declares.
    assert set(nox["AIOBOTOCORE_BOTO"]) == {oldest, newest}
    for boto in nox["AIOBOTOCORE_BOTO"].values():
        assert Version(boto) >= Version(nox["BOTO_OLDEST"])
    assert set(nox["AIOBOTO3"]) <= {oldest, newest}
    source = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    assert "[(PYTHONS[0], AIOBOTOCORE_OLDEST), (PYTHONS[-1], AIOBOTOCORE_NEWEST)]" in source


def test_python_range_matches_the_matrix_and_the_classifiers():
    project = _pyproject()["project"]
    oldest, newest = _nox()["PYTHONS"]
    assert project["requires-python"] == f">={oldest}"
    listed = sorted(
        (c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
         if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)),
        key=Version,
    )
    assert (listed[0], listed[-1]) == (oldest, newest)


def test_the_readme_table_names_the_same_ends():
    nox = _nox()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    oldest, newest = nox["PYTHONS"]
    assert f"| Python | {oldest} to {newest} |" in text
    assert f"| moto | {nox['MOTO_OLDEST']} to {nox['MOTO_NEWEST']} |" in text
    assert f"| boto3, botocore | {nox['BOTO_OLDEST']} and later |" in text
    boto = nox["AIOBOTOCORE_BOTO"]
    oldest_aio, newest_aio = nox["AIOBOTOCORE_OLDEST"], nox["AIOBOTOCORE_NEWEST"]
    assert f"| aiobotocore (`[async]`) | {oldest_aio} to {newest_aio} |" in text
    for end in (oldest_aio, newest_aio):
        assert f"aiobotocore {end} with botocore and boto3 {boto[end]}" in text
    crypto_major = str(nox["CRYPTOGRAPHY_OLDEST"]).split(".")[0]
    assert f"| cryptography | {crypto_major} and later |" in text
    matrix = f"moto {nox['MOTO_OLDEST']} and {nox['MOTO_NEWEST']}, each on Python {oldest} and"
    assert f"{matrix} {newest}" in text.replace("\n", " ")


def test_this_run_is_inside_the_declared_ranges():
    """The suite never passes on versions the package does not declare (a matrix session that
    installed something else would prove nothing)."""
    names = ["moto", "boto3", "botocore", "cryptography"]
    if importlib.util.find_spec("aiobotocore") is not None:  # the async venv and sessions
        names.append("aiobotocore")
    installed = {name: Version(importlib.metadata.version(name)) for name in names}
    for req in _requirements():
        if req.name in installed and not req.marker:
            assert req.specifier.contains(installed[req.name], prereleases=True), (req, installed)
    oldest, newest = _nox()["PYTHONS"]
    assert Version(oldest) <= Version(f"{sys.version_info[0]}.{sys.version_info[1]}")
    assert Version(f"{sys.version_info[0]}.{sys.version_info[1]}") <= Version(newest)

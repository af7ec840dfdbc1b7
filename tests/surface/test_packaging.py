"""The distributions: the sdist carries the test suite, and the wheel works in a fresh venv.

Offline and quick: the wheel is built without build isolation from a copy of the tree, installed
with ``--no-deps --no-index`` into a venv made with ``python -m venv`` whose dependencies come
from this environment's site-packages through a ``.pth`` file. A small user project outside the
tree then runs the fixture, the marker and the decorator against the installed wheel.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_SKIP = {".venv", ".nox", ".git", "dist", "build", "_build", ".mypy_cache", ".ruff_cache",
         ".pytest_cache", ".hypothesis", ".peer-cache", "__pycache__"}


def _run(*args: str | pathlib.Path, cwd: pathlib.Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """sdist + wheel of a copy of the tree (no build artefacts left in the real one)."""
    base = tmp_path_factory.mktemp("dist")
    tree = base / "tree"
    shutil.copytree(ROOT, tree, ignore=lambda _d, names: [n for n in names if n in _SKIP
                                                          or n.endswith(".egg-info")])
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", base / "out", ".", cwd=tree)
    return base / "out"


def test_sdist_carries_what_the_tests_need(dists: pathlib.Path):
    [sdist] = dists.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    expected = {
        "LICENSE", "CHANGELOG.md", "README.md", "Makefile", "noxfile.py", "pyproject.toml",
        "tests/conftest.py", "tests/helpers.py", "tests/keymaterial.py",
        "tests/kms/keytypes/conftest.py", "tests/reliability/conftest.py",
        "tests/server/conftest.py", "tests/peer/run_peer.py", "docs/conf.py", "docs/peer.md",
        "benchmarks/__main__.py", "kms_import_mock/crypto/wrapping_keys.bin",
    }
    assert expected <= names, sorted(expected - names)
    in_tree = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert in_tree <= names, sorted(in_tree - names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_metadata(dists: pathlib.Path):
    import zipfile

    [wheel] = dists.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read("kms_import_mock-0.1.0.dist-info/METADATA").decode()
        names = set(archive.namelist())
    assert "License-Expression: Apache-2.0" in metadata
    assert "Classifier: Framework :: Pytest" in metadata
    assert "kms_import_mock-0.1.0.dist-info/licenses/LICENSE" in names
    assert {"kms_import_mock/py.typed", "conftest_plugin/py.typed",
            "kms_import_mock/crypto/wrapping_keys.bin",
            "kms_import_mock/server/console/static/console.js",
            "kms_import_mock/server/console/static/console.css"} <= names
    assert not [n for n in names if n.startswith(("tests/", "docs/", "benchmarks/"))]


USER_TEST = '''
import datetime as dt
import pathlib
import sys

import pytest

import kms_import_mock
from kms_import_mock import current, mock_kms_import


def test_imported_from_the_installed_wheel():
    assert pathlib.Path(kms_import_mock.__file__).is_relative_to(pathlib.Path(sys.prefix))
    assert "site-packages" in kms_import_mock.__file__


def test_fixture(kms_import):
    key = kms_import.create_imported_key(valid_to=dt.timedelta(days=1))
    kms_import.advance(dt.timedelta(days=2))
    meta = kms_import.client().describe_key(KeyId=key.key_id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingImport"


@pytest.mark.kms_import(now="2030-01-01T00:00:00Z")
def test_marker():
    assert current().now().year == 2030


@mock_kms_import
def test_decorator():
    key = current().create_imported_key("HMAC_256")
    mac = current().client().generate_mac(
        KeyId=key.key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert len(mac) == 32
'''


def test_wheel_in_a_fresh_venv_runs_a_user_project(
    dists: pathlib.Path, tmp_path: pathlib.Path
):
    [wheel] = dists.glob("*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = pathlib.Path(_run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
    ).strip())
    # The dependencies (moto, boto3, pytest, ...) from this environment, after the venv's own
    # site-packages on sys.path, so the wheel's kms_import_mock wins over the source tree's.
    (purelib / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--no-index", wheel, cwd=tmp_path)

    project = tmp_path / "user-project"
    project.mkdir()
    (project / "test_user.py").write_text(textwrap.dedent(USER_TEST))
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTEST_ADDOPTS"}}
    located = _run(python, "-c", "import kms_import_mock; print(kms_import_mock.__file__)",
                   cwd=project, env=env).strip()
    assert pathlib.Path(located).is_relative_to(venv), located
    out = _run(python, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
               cwd=project, env=env)
    assert "4 passed" in out, out
    assert "usage: kms-import-mock" in _run(venv / "bin" / "kms-import-mock", "--help",
                                            cwd=project, env=env)

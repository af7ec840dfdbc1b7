"""The supported-version matrix: the oldest and newest supported moto on the oldest and newest
supported Python (``make matrix``). Everything installs from PyPI into nox's own virtualenvs.

The oldest moto is the lower bound in pyproject.toml: moto 5.2.0 to 5.2.3 and 5.1 lack the
request attributes the extended KMS Response builds on (tried: their suites fail).
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHONS = ["3.10", "3.13"]
#: the lower bound of pyproject.toml's ``moto`` requirement, and the newest release tested
MOTO_OLDEST = "5.2.4"
MOTO_NEWEST = "5.2.5"


@nox.session(python=PYTHONS)
@nox.parametrize("moto", [MOTO_OLDEST, MOTO_NEWEST])
def tests(session: nox.Session, moto: str) -> None:
    """The whole suite (two workers) against one moto release."""
    session.install("-e", ".[test]", f"moto[server]=={moto}")
    session.run("python", "-c", "import moto, sys; print('moto', moto.__version__, sys.version)")
    session.run("python", "-m", "pytest", "-q", "-n", "2", *session.posargs)

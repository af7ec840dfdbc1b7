"""The supported-version matrix (``make matrix``): both ends of every declared range.

- ``tests``: the oldest and the newest supported moto, each on the oldest and the newest
  supported Python (four sessions), with the newest boto3, botocore and cryptography that pip
  resolves, as a new user gets them.
- ``oldest``: every dependency at the lower bound pyproject.toml declares (moto, boto3,
  botocore, cryptography) on the oldest Python.
- ``aio``: the async clients' tests (``tests/aio``) at both ends of the ``async`` extra's
  aiobotocore range, each with the botocore and boto3 that aiobotocore release pins (it accepts
  only a few patch releases of botocore), the oldest on the oldest Python, the newest on the
  newest. aioboto3's newest release pins aiobotocore exactly, so aioboto3 is tested at the end
  it pins; at the other end its test file is left out by name.

moto is capped at the newest release tested here: the mock builds on moto's internals, and a
moto patch release has changed behaviour the suite checks (5.2.6's ListBackups). A new moto
release is supported once this matrix passes on it and ``MOTO_NEWEST`` and pyproject.toml's cap
move together (a test checks that they, and the README, agree). boto3 and botocore have no upper
bound: ``make test`` resolves their newest release on every run. The lower bounds are where the
suite passes: moto 5.2.0 to 5.2.3 and 5.1 lack request attributes the extended KMS Response
builds on. ``BOTO_OLDEST`` is the oldest botocore aiobotocore and aioboto3 accept; its KMS model
lacks the newest operations and key specs, which the suite then checks are refused.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHONS = ["3.10", "3.13"]
#: the lower bound of pyproject.toml's ``moto`` requirement
MOTO_OLDEST = "5.2.4"
#: the newest moto release tested, and pyproject.toml's upper bound
MOTO_NEWEST = "5.2.6"
#: the lower bound of pyproject.toml's ``boto3`` and ``botocore`` requirements
BOTO_OLDEST = "1.40.46"
#: the lower bound of pyproject.toml's ``cryptography`` requirement
CRYPTOGRAPHY_OLDEST = "42.0.0"
#: the lower and upper bounds of pyproject.toml's ``aiobotocore`` requirement (the async extra)
AIOBOTOCORE_OLDEST = "2.25.1"
AIOBOTOCORE_NEWEST = "3.10.0"
#: the botocore (and boto3) each end of the aiobotocore range is tested with: one it accepts
AIOBOTOCORE_BOTO = {"2.25.1": "1.40.61", "3.10.0": "1.43.117"}
#: aioboto3 releases by the aiobotocore they pin (aioboto3 15.5.0 requires aiobotocore==2.25.1)
AIOBOTO3 = {"2.25.1": "15.5.0"}


def _suite(session: nox.Session) -> None:
    session.run(
        "python",
        "-c",
        "import sys, boto3, botocore, cryptography, moto; print('Python', sys.version.split()[0],"
        " 'moto', moto.__version__, 'boto3', boto3.__version__, 'botocore', botocore.__version__,"
        " 'cryptography', cryptography.__version__)",
    )
    session.run("python", "-m", "pytest", "-q", "-n", "2", *session.posargs)


@nox.session(python=PYTHONS)
@nox.parametrize("moto", [MOTO_OLDEST, MOTO_NEWEST])
def tests(session: nox.Session, moto: str) -> None:
    """The whole suite (two workers) against one moto release."""
    session.install("-e", ".[test]", f"moto[server]=={moto}")
    _suite(session)


@nox.session(python=PYTHONS[0])
def oldest(session: nox.Session) -> None:
    """The whole suite with every runtime dependency at its declared lower bound."""
    session.install(
        "-e",
        ".[test]",
        f"moto[server]=={MOTO_OLDEST}",
        f"boto3=={BOTO_OLDEST}",
        f"botocore=={BOTO_OLDEST}",
        f"cryptography=={CRYPTOGRAPHY_OLDEST}",
    )
    _suite(session)


@nox.session(python=None)
@nox.parametrize(
    "python,aiobotocore",
    [(PYTHONS[0], AIOBOTOCORE_OLDEST), (PYTHONS[-1], AIOBOTOCORE_NEWEST)],
)
def aio(session: nox.Session, aiobotocore: str) -> None:
    """aiobotocore (and aioboto3 where it fits) in-process, at one end of the async range."""
    boto = AIOBOTOCORE_BOTO[aiobotocore]
    pins = [f"aiobotocore=={aiobotocore}", f"botocore=={boto}", f"boto3=={boto}"]
    session.install("-e", ".[test-async]", f"moto=={MOTO_NEWEST}", *pins)
    ignore = []
    if aiobotocore in AIOBOTO3:
        session.install(f"aioboto3=={AIOBOTO3[aiobotocore]}", *pins)
    else:
        readme = "tests/aio/test_aio_readme.py::test_the_readme_async_blocks_run[aioboto3]"
        ignore = ["--ignore", "tests/aio/test_aioboto3.py", "--deselect", readme]
    session.run(
        "python",
        "-c",
        "import sys, aiobotocore, boto3, botocore, moto; print('Python', sys.version.split()[0],"
        " 'aiobotocore', aiobotocore.__version__, 'botocore', botocore.__version__,"
        " 'boto3', boto3.__version__, 'moto', moto.__version__)",
    )
    session.run(
        "python", "-m", "pytest", "-q", "tests/aio", "tests/surface/test_aio_absent.py",
        *ignore, *session.posargs,
    )

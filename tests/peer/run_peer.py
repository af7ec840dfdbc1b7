"""Run moto's own KMS tests with ``moto.mock_aws`` replaced by ``mock_kms_import``.

``python tests/peer/run_peer.py [pytest args]`` (what ``make peer`` runs):

1. finds the installed moto version and fetches that version's source distribution with
   ``pip download`` into ``.peer-cache/`` (gitignored; ``MOTO_SDIST=<path>`` uses a local copy);
2. copies ``tests/__init__.py``, ``tests/conftest.py`` and ``tests/test_kms/`` into a temporary
   directory, rewriting ``from moto import mock_aws`` to import ``mock_kms_import`` under that
   name, so every ``@mock_aws``/``with mock_aws()`` of the suite runs under our mock;
3. runs pytest there, and compares the failures with :data:`AWS_DIVERGENCES`: tests that assert
   moto's non-AWS behaviour (documented in docs/peer.md). Any other
   failure is a regression of ours, and the exit status says so.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".peer-cache"

_KMS = "tests.test_kms.test_kms::"
_ARN_RESPONSE = (
    "ScheduleKeyDeletion answers KeyId as the key ARN (botocore's model: 'The Amazon Resource "
    "Name (key ARN) of the KMS key'); moto echoed the KeyId as given"
)
_TAG_PENDING = (
    "TagResource of a key pending deletion is KMSInvalidStateException '<arn> is pending "
    "deletion.' (key-state table); moto tagged it"
)
_OTHER_ACCOUNT = (
    "an ARN of account 012345678912 names no key of the mock's account 123456789012: "
    "NotFoundException; moto stripped the ARN to the local key ID"
)

_CONSTRAINT = (
    "a request that breaks a constraint of botocore's KMS model is refused with AWS's "
    "ValidationException wording, which names the member in camelCase ('message', "
    "'signature', 'retiringPrincipal'); moto wrote the member's name as given or accepted it"
)

#: test id -> the AWS behaviour we follow instead of what the moto test asserts (docs/peer.md).
AWS_DIVERGENCES: dict[str, str] = {
    _KMS + "test_schedule_key_deletion": _ARN_RESPONSE,
    _KMS + "test_schedule_key_deletion_custom": _ARN_RESPONSE,
    _KMS + "test_tag_resource": _TAG_PENDING,
    _KMS + "test_list_resource_tags": _TAG_PENDING,
    _KMS + "test_list_resource_tags_with_arn": _TAG_PENDING,
    _KMS + "test_generate_data_key_all_valid_key_ids[arn:aws:kms:us-east-1:012345678912:alias/"
    "DoesExist-False]": _OTHER_ACCOUNT,
    _KMS + "test_generate_data_key_all_valid_key_ids[arn:aws:kms:us-east-1:012345678912:key/"
    "-True]": _OTHER_ACCOUNT,
    _KMS + "test_decrypt_validates_key_id": (
        "Decrypt with a KeyId that is not the ciphertext's key is IncorrectKeyException "
        "(the Decrypt API reference); moto answered AccessDeniedException"
    ),
    _KMS + "test_sign_invalid_message": _CONSTRAINT,
    _KMS + "test_verify_invalid_message": _CONSTRAINT,
    _KMS + "test_verify_empty_signature": _CONSTRAINT,
    "tests.test_kms.test_kms_grants::test_list_retirable_grants": _CONSTRAINT,
}

_IMPORT = re.compile(r"^from moto import mock_aws$", re.MULTILINE)
_PYTEST_INI = """\
[pytest]
markers =
    network: requires network connection
    requires_docker: requires running docker
    aws_verified: verified against AWS
    requires_clean_slate: requires a clean slate
filterwarnings =
    ignore::DeprecationWarning
"""


def sdist(version: str) -> Path:
    local = os.environ.get("MOTO_SDIST")
    if local:
        return Path(local)
    target = CACHE / f"moto-{version}.tar.gz"
    if not target.exists():
        CACHE.mkdir(exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"moto=={version}",
                "-d",
                str(CACHE),
            ],
            check=True,
        )
    return target


def extract(archive: Path, version: str, dest: Path) -> int:
    """Copy the KMS tests into ``dest/tests`` with the import rewritten; returns files rewritten."""
    prefix = f"moto-{version}/tests/"
    wanted = (prefix + "__init__.py", prefix + "conftest.py", prefix + "test_kms/")
    rewritten = 0
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith(wanted):
                continue
            out = dest / "tests" / member.name[len(prefix) :]
            out.parent.mkdir(parents=True, exist_ok=True)
            handle = tar.extractfile(member)
            assert handle is not None
            text = handle.read().decode()
            text, n = _IMPORT.subn("from kms_import_mock import mock_kms_import as mock_aws", text)
            rewritten += n
            out.write_text(text)
    (dest / "pytest.ini").write_text(_PYTEST_INI)
    return rewritten


def main(argv: list[str]) -> int:
    version = importlib.metadata.version("moto")
    archive = sdist(version)
    with tempfile.TemporaryDirectory(prefix="kim-peer-") as tmp:
        work = Path(tmp)
        rewritten = extract(archive, version, work)
        report = work / "junit.xml"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), env_path()]))
        for name in ("AWS_PROFILE", "TEST_SERVER_MODE", "MOTO_TEST_ALLOW_AWS_REQUEST"):
            env.pop(name, None)
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        parallel = ["-n", "2"] if _has_xdist() else []
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_kms",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            f"--junitxml={report}",
            *parallel,
            *argv,
        ]
        print(f"peer: moto {version} tests/test_kms, {rewritten} imports of mock_aws rewritten")
        subprocess.run(cmd, cwd=work, env=env, check=False)
        return summarise(report)


def env_path() -> str:
    return os.environ.get("PYTHONPATH", "")


def _has_xdist() -> bool:
    try:
        importlib.metadata.version("pytest-xdist")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def summarise(report: Path) -> int:
    if not report.exists():
        print("peer: pytest produced no report")
        return 2
    passed, skipped, failed = 0, 0, []
    ran: set[str] = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        ran.add(test_id)
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(test_id)
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    expected = [t for t in failed if t in AWS_DIVERGENCES]
    unexpected = [t for t in failed if t not in AWS_DIVERGENCES]
    stale = [t for t in AWS_DIVERGENCES if t in ran and t not in failed]
    print(
        f"peer: {passed} passed, {skipped} skipped, {len(expected)} failed as documented "
        f"(AWS behaviour), {len(unexpected)} unexpected failures"
    )
    for test_id in unexpected:
        print(f"peer: UNEXPECTED {test_id}")
    for test_id in stale:
        # A documented divergence that now passes: the table (and docs/peer.md) is out of date.
        print(f"peer: DOCUMENTED DIVERGENCE PASSED {test_id}")
    return 1 if unexpected or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""B6, the figure a user feels: a 50-test pytest file under ``kms_import`` vs the same-size file
written for plain moto, each run by pytest in a subprocess; wall time, median of 3.

Each of our tests creates an imported key and runs import, Encrypt, DeleteImportedKeyMaterial,
reimport and Decrypt through the ``kms_import`` fixture; each plain test creates an ordinary key
under ``@mock_aws`` and runs Encrypt and Decrypt. Both files are generated into a temporary
directory; the two runs alternate.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._harness import Report

TESTS = 50

OURS = """
def test_imported_{n}(kms_import):
    key = kms_import.create_imported_key()
    kms = kms_import.client()
    blob = kms.encrypt(KeyId=key.key_id, Plaintext=b"payload")["CiphertextBlob"]
    kms.delete_imported_key_material(KeyId=key.key_id)
    kms_import.import_key_material(key.key_id, key.key_material)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"payload"
"""

PLAIN_HEADER = "import boto3\nfrom moto import mock_aws\n"
PLAIN = """
@mock_aws
def test_plain_{n}():
    kms = boto3.client("kms", region_name="us-east-1")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"payload")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"payload"
"""


def _write(directory: Path) -> tuple[Path, Path]:
    ours = directory / "test_b6_ours.py"
    plain = directory / "test_b6_plain.py"
    ours.write_text("".join(OURS.format(n=n) for n in range(TESTS)))
    plain.write_text(PLAIN_HEADER + "".join(PLAIN.format(n=n) for n in range(TESTS)))
    return ours, plain


def _run(path: Path) -> float:
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    env.pop("AWS_PROFILE", None)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         str(path)],
        cwd=path.parent,
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or f"{TESTS} passed" not in done.stdout:
        raise RuntimeError(f"B6 run of {path.name} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def run(report: Report, rounds: int = 3) -> None:
    with tempfile.TemporaryDirectory(prefix="kms-import-b6-") as tmp:
        ours_file, plain_file = _write(Path(tmp))
        ours, plain = [], []
        for i in range(rounds):
            if i % 2 == 0:
                ours.append(_run(ours_file))
                plain.append(_run(plain_file))
            else:
                plain.append(_run(plain_file))
                ours.append(_run(ours_file))
    report.ratio(
        f"B6 {TESTS}-test pytest file, kms_import / mock_aws (wall)",
        statistics.median(ours),
        statistics.median(plain),
        at_most=0.5,
        unit="s",
    )

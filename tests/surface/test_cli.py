"""The console script and the demo behind ``make demo``."""

from __future__ import annotations

import subprocess
import sys


def test_demo_walks_the_whole_lifecycle() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kms_import_mock", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert all(len(line) < 100 for line in out.splitlines()), "lines stay under 100 characters"
    headings = [line for line in out.splitlines() if line.startswith("== ")]
    assert [h.split(" ")[1] for h in headings] == ["1.", "2.", "3.", "4.", "5.", "6."]
    story = out.split("== ")
    assert "key Enabled, ValidTo" in story[1] and " UTC" in story[1]
    assert "volume in-use" in story[2] and "(SSE-KMS) reads 22 bytes" in story[2]
    assert "key PendingImport" in story[3]
    # The attached volume keeps working; S3 refuses; after a detach the next attach fails.
    assert "attached volume keeps working: volume in-use" in story[4]
    assert "S3 GetObject: refused, as expected" in story[4]
    refusal = " ".join(story[4].split())  # the message wraps over two lines
    assert "KMS.KMSInvalidStateException: arn:aws:kms:" in refusal
    assert "is pending import." in refusal
    assert "answers 'attaching', then fails, as expected" in story[4]
    assert "volume available, attached to nothing" in story[4].split("then fails")[1]
    assert "attach works again: volume in-use" in story[5]
    assert "S3 GetObject works again: b'quarter,revenue" in story[5]
    events = story[6]
    for name, by in [
        ("DeleteImportedKeyMaterial", "you"),
        ("GenerateDataKeyWithoutPlaintext", "ec2.amazonaws.com"),
        ("GenerateDataKey ", "s3.amazonaws.com"),
        ("Decrypt", "ec2.amazonaws.com"),
        ("Decrypt", "s3.amazonaws.com"),
    ]:
        assert any(name in line and line.endswith(f"by {by}") for line in events.splitlines())

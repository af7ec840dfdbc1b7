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
    steps = [line for line in out.splitlines() if line[:2] in {f"{i}." for i in range(1, 8)}]
    assert len(steps) == 7
    assert "KeyState=PendingImport" in steps[0]
    assert "KeyState=Enabled" in steps[1]
    assert "KeyState=PendingImport" in steps[3]
    assert "is pending import." in out
    assert "IncorrectKeyMaterialException" in steps[4]
    assert "old ciphertext -> b'hello', data key matches: True" in steps[5]
    assert "KeyState=PendingImport" in steps[6]

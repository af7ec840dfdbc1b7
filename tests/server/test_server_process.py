"""``kms-import-mock serve`` as a process: the printed URL, loopback by default, clean stops."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_port_0_prints_a_loopback_url_and_stops_cleanly(sig: signal.Signals) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kms_import_mock", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)\b", line)
        assert match, line
        assert int(match.group(1)) != 0
        url = match.group(0)
        with urllib.request.urlopen(f"{url}/_kms_import/clock", timeout=30) as response:
            assert json.load(response)["offset_seconds"] == 0
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert err.rstrip().endswith("kms-import-mock: stopped")


def test_serve_help_documents_host_and_port() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kms_import_mock", "serve", "--help"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "--host" in result.stdout and "--port" in result.stdout
    assert "127.0.0.1" in result.stdout


def test_the_plugin_module_is_import_light() -> None:
    code = (
        "import sys, conftest_plugin.plugin; "
        "print(sorted(m for m in ('moto', 'boto3', 'kms_import_mock') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"

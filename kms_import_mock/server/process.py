"""``kms-import-mock serve`` in a child process, for the ``kms_import_server`` pytest fixtures.

A child process, not a thread: the server keeps moto's KMS backend class swapped for its whole
life (server mode activates once per process), and the test process stays free to use plain
``mock_aws`` and ``mock_kms_import`` without seeing the server's state or its activation.
Imports only the standard library, so the pytest plugin stays import-light.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path
from typing import IO

from kms_import_mock._errors import KmsImportMockError

_URL = re.compile(r"http://\S+?(?=\s|$)")
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


class ServerProcess:
    """One ``kms-import-mock serve`` child on ``host:port`` (port 0: a free port)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, startup_timeout: float = 60.0
    ) -> None:
        self.host = host
        self.port = port
        self.startup_timeout = startup_timeout
        self.url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> ServerProcess:
        env = dict(os.environ)
        # The child imports this very copy of the package, installed or not.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the child
        command = [sys.executable, "-m", "kms_import_mock", "serve"]
        command += ["--host", self.host, "--port", str(self.port)]
        self._proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log, env=env
        )
        line = _first_line(self._proc, self.startup_timeout)
        match = _URL.search(line)
        if match is None:
            exit_code = _exit_code(self._proc)
            self._terminate()
            output = f"{line}{self.log_tail()}"
            self.stop()
            if exit_code is not None:
                # It died at once (moto's server extras missing, a bad port, ...): say so,
                # rather than blame a timeout that never ran out.
                raise KmsImportMockError(
                    f"kms-import-mock serve exited with code {exit_code} before it started."
                    + _as_lines(output)
                )
            raise KmsImportMockError(
                f"kms-import-mock serve did not start within {self.startup_timeout:g} s."
                + _as_lines(output)
            )
        self.url = match.group(0)
        return self

    def reset(self) -> None:
        """Empty every moto backend and set the mock clock back to process time."""
        request = urllib.request.Request(f"{self.url}/_kms_import/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait, then SIGKILL if needed; returns the exit code."""
        code = self._terminate(timeout)
        log, self._log = self._log, None
        if log is not None:
            log.close()
        return code

    def _terminate(self, timeout: float = 15.0) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if proc.stdout is not None:
            proc.stdout.close()
        return proc.returncode

    def log_tail(self, limit: int = 4000) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-limit:]

    def __repr__(self) -> str:
        return f"<ServerProcess {self.url or 'not started'}>"


def _first_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """The child's first stdout line, or "" if it exits or stays silent for ``timeout`` s."""
    lines: queue.Queue[bytes] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True)
    reader.start()
    try:
        return lines.get(timeout=timeout).decode(errors="replace")
    except queue.Empty:
        return ""


def _exit_code(proc: subprocess.Popen[bytes], grace: float = 5.0) -> int | None:
    """The child's exit code if it has exited (its stdout closed, so it is about to), else None."""
    try:
        return proc.wait(grace)
    except subprocess.TimeoutExpired:
        return None


def _as_lines(output: str) -> str:
    """The child's output under the message, one indented line per line it printed, so that
    pytest shows it as the child printed it (not as one quoted string full of ``\\n``)."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    if not lines:
        return " It printed nothing."
    return " Its output:\n" + "\n".join(f"    {line}" for line in lines)

"""B5: requests per second against a server, ours vs moto's own ``ThreadedMotoServer``.

Both servers run in subprocesses started the same way (see ``_serve``); one boto3 client per
server sends requests sequentially from this process, the two alternating round by round.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from benchmarks._harness import Batch, Report, Stopwatch, side_by_side
from benchmarks.inprocess import REGION, _rounds, import_cycle, plain_cycle


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux ``/proc``; 0.0 where unavailable)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    url: str
    pid: int


@contextmanager
def serving(kind: str) -> Iterator[Server]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._serve", kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        if not port:
            raise RuntimeError(f"the {kind} server did not start")
        yield Server(f"http://127.0.0.1:{port}", proc.pid)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _client(endpoint: str) -> Any:
    import boto3

    return boto3.client("kms", region_name=REGION, endpoint_url=endpoint)


def run(report: Report) -> None:
    material = os.urandom(32)
    with serving("ours") as ours_server, serving("plain") as plain_server:
        ours, plain = _client(ours_server.url), _client(plain_server.url)
        server_cpu: dict[int, list[float]] = {ours_server.pid: [], plain_server.pid: []}

        def encrypts(kms: Any, pid: int) -> Batch:
            key_id = kms.create_key()["KeyMetadata"]["KeyId"]

            def batch() -> tuple[int, float]:
                cpu = cpu_seconds(pid)
                with Stopwatch(time.perf_counter) as watch:
                    for _ in range(20):
                        kms.encrypt(KeyId=key_id, Plaintext=b"benchmark")
                server_cpu[pid].append((cpu_seconds(pid) - cpu) / 20)
                return 20, watch.elapsed

            return batch

        c = side_by_side(
            encrypts(ours, ours_server.pid), encrypts(plain, plain_server.pid), _rounds(31)
        )
        report.ratio(
            "B5 server Encrypt req/s: ours / moto server",
            1 / c.ours,
            1 / c.plain,
            measured_ratio=1 / c.ratio,
            at_least=0.9,
            unit="req/s",
        )
        encrypt_rate = 1 / c.plain
        cpu_ours, cpu_plain = (
            statistics.mean(server_cpu[s.pid]) for s in (ours_server, plain_server)
        )
        if cpu_plain > 0:
            report.ratio("   (server CPU per Encrypt) ours / moto server", cpu_ours, cpu_plain)

        def ours_cycles() -> tuple[int, float]:
            with Stopwatch(time.perf_counter) as watch:
                for _ in range(3):
                    import_cycle(ours, material)
            return 3 * 5, watch.elapsed  # CreateKey, GetParametersForImport, Import, Enc, Dec

        def plain_cycles() -> tuple[int, float]:
            with Stopwatch(time.perf_counter) as watch:
                for _ in range(2):
                    plain_cycle(plain)
            return 2 * 3, watch.elapsed  # CreateKey, Encrypt, Decrypt

        c = side_by_side(ours_cycles, plain_cycles, _rounds(15))
        report.ratio(
            "B5 server import-cycle req/s / moto CreateKey+Enc+Dec",
            1 / c.ours,
            1 / c.plain,
            measured_ratio=1 / c.ratio,
            at_least=0.9,
            unit="req/s",
        )
        report.ratio(
            "   (stricter) import-cycle req/s / moto Encrypt req/s",
            1 / c.ours,
            encrypt_rate,
            unit="req/s",
        )

"""``make bench`` (or ``python -m benchmarks``): every ratio of the performance targets.

``BENCH_QUICK=1`` runs fewer rounds (a smoke test of the benchmarks, not figures to quote).
"""

from __future__ import annotations

import os
import platform
import sys
import time

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ.pop("AWS_PROFILE", None)


def main() -> int:
    import moto

    from benchmarks import inprocess, savings, server, services, suite
    from benchmarks._harness import Report, print_header

    print(
        f"kms-import-mock benchmarks: Python {platform.python_version()}, moto {moto.__version__}, "
        f"{os.cpu_count()} CPUs\n"
        "Medians per operation after a warm-up round; ratio = median of per-round ratios, the two\n"
        "sides alternating round by round. In-process: thread CPU time; server: wall time.\n",
        flush=True,
    )
    started = time.perf_counter()
    report = Report()
    print_header()
    inprocess.run(report)
    savings.run(report)
    services.run(report)
    server.run(report)
    suite.run(report, rounds=1 if os.environ.get("BENCH_QUICK") == "1" else 3)
    status = report.summary()
    print(f"({time.perf_counter() - started:.0f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())

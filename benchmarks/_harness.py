"""Timing and reporting shared by the benchmarks.

Every ratio is measured side by side in one process run: the two contenders alternate round by
round (so drift of a noisy machine hits both), each round times a batch of operations, the first
round is a warm-up and is discarded, and the reported figure is the median per-operation time.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Batch = Callable[[], "tuple[int, float]"]
"""Runs one batch and returns (operations run, seconds they took).

Batches time themselves, so set-up inside a batch (entering a mock, creating the key the
operations use) stays out of the figure.
"""


class Stopwatch:
    """Accumulates the time spent inside ``with watch:`` blocks.

    In-process benchmarks use this thread's CPU time (the default): everything they time runs
    on this thread without waiting on I/O, so it equals wall time on an idle machine, and it is
    not inflated when other processes take the CPU, which on a shared 2-core machine otherwise
    decides the result. Server benchmarks, where two processes take turns, pass
    ``time.perf_counter`` (wall time).
    """

    def __init__(self, clock: Callable[[], float] = time.thread_time) -> None:
        self.elapsed = 0.0
        self._clock = clock
        self._start = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = self._clock()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed += self._clock() - self._start


def time_batch(batch: Batch) -> float:
    n, elapsed = batch()
    return elapsed / n


@dataclass(frozen=True)
class Comparison:
    ours: float  # median seconds per operation
    plain: float
    ratio: float  # median of the per-round ratios ours/plain


def side_by_side(ours: Batch, plain: Batch, rounds: int) -> Comparison:
    """``ours`` and ``plain`` alternating round by round, after a warm-up round of each.

    The ratio is the median of the per-round ratios: each round's pair ran back to back, so a
    burst of load from elsewhere on the machine inflates both sides of one pair rather than
    one side of the comparison.
    """
    time_batch(ours)
    time_batch(plain)
    a: list[float] = []
    b: list[float] = []
    for i in range(rounds):
        # Alternate who goes first, so neither always runs right after the other's garbage.
        if i % 2 == 0:
            a.append(time_batch(ours))
            b.append(time_batch(plain))
        else:
            b.append(time_batch(plain))
            a.append(time_batch(ours))
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    return Comparison(statistics.median(a), statistics.median(b), statistics.median(ratios))


def rss_bytes() -> int:
    """Resident set size now (Linux ``/proc``; elsewhere the peak from ``getrusage``)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass
class Row:
    name: str
    ours: str
    plain: str
    ratio: float | None
    target: str = ""
    ok: bool | None = None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def compare(
        self,
        name: str,
        c: Comparison,
        *,
        at_most: float | None = None,
        at_least: float | None = None,
    ) -> Row:
        return self.ratio(
            name, c.ours, c.plain, measured_ratio=c.ratio, at_most=at_most, at_least=at_least
        )

    def ratio(
        self,
        name: str,
        ours: float,
        plain: float,
        *,
        measured_ratio: float | None = None,
        at_most: float | None = None,
        at_least: float | None = None,
        unit: str = "ms",
    ) -> Row:
        ratio = ours / plain if measured_ratio is None else measured_ratio
        if at_most is not None:
            target, ok = f"<= {at_most:g}", ratio <= at_most
        elif at_least is not None:
            target, ok = f">= {at_least:g}", ratio >= at_least
        else:
            target, ok = "(info)", None
        row = Row(name, _fmt(ours, unit), _fmt(plain, unit), ratio, target, ok)
        self.rows.append(row)
        _print_row(row)
        return row

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  - {text}", flush=True)

    def summary(self) -> int:
        print()
        print(_header())
        for row in self.rows:
            _print_row(row)
        failed = [r for r in self.rows if r.ok is False]
        print()
        for text in self.notes:
            print(f"  - {text}")
        verdict = "all targets met" if not failed else f"{len(failed)} target(s) missed"
        print(f"\n{verdict} ({sum(r.ok is True for r in self.rows)} PASS, {len(failed)} FAIL)")
        return 1 if failed else 0


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value * 1000:.3f} ms"
    if unit == "req/s":
        return f"{value:.0f} req/s"
    return f"{value:g} {unit}"


def _header() -> str:
    return f"{'benchmark':<58} {'ours':>13} {'plain moto':>13} {'ratio':>7}  {'target':<8} result"


def _print_row(row: Row) -> None:
    verdict = {True: "PASS", False: "FAIL", None: ""}[row.ok]
    ratio = f"{row.ratio:.3f}" if row.ratio is not None else "-"
    print(
        f"{row.name:<58} {row.ours:>13} {row.plain:>13} {ratio:>7}  {row.target:<8} {verdict}",
        flush=True,
    )


def print_header() -> None:
    print(_header(), flush=True)

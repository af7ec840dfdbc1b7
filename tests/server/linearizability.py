"""A small linearizability checker (Wing & Gong search with memoisation) for the parallel test.

Each recorded call has the client-side interval [start, end] in which the server executed it and
the outcome the client saw. A history is explained when some serial order of all calls (a) puts a
call before another whenever the first ended before the second started, and (b) replayed on the
model from the initial state, yields exactly the outcomes seen. Keys are independent objects, so
each key's history is checked on its own (P-compositionality), which keeps the search small.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    thread: int
    op: str
    start: float
    end: float
    outcome: Hashable

    def __repr__(self) -> str:
        return f"T{self.thread}:{self.op}->{self.outcome}"


Step = Callable[[Any, str], tuple[Any, Hashable]]


def serial_order(calls: Sequence[Call], initial: Hashable, step: Step) -> list[Call] | None:
    """A serial order of ``calls`` that explains every outcome, or None if there is none."""
    n = len(calls)
    full = (1 << n) - 1
    dead: set[tuple[int, Hashable]] = set()
    order: list[int] = []

    def search(done: int, state: Hashable) -> bool:
        if done == full:
            return True
        if (done, state) in dead:
            return False
        remaining = [i for i in range(n) if not done >> i & 1]
        earliest_end = min(calls[i].end for i in remaining)
        for i in remaining:
            if calls[i].start > earliest_end:
                continue  # another remaining call finished before this one began
            new_state, expected = step(state, calls[i].op)
            if expected != calls[i].outcome:
                continue
            order.append(i)
            if search(done | 1 << i, new_state):
                return True
            order.pop()
        dead.add((done, state))
        return False

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * n + 100))
    try:
        found = search(0, initial)
    finally:
        sys.setrecursionlimit(limit)
    return [calls[i] for i in order] if found else None

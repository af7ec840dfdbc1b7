"""When each imported material expires: a min-heap with one entry per material, never more.

A plain ``heapq`` list cannot remove or move an entry, so every reimport of a material with a
new ValidTo (and every DeleteImportedKeyMaterial) used to leave a stale entry behind, skipped
only once its old time came. This heap also keeps each entry's position, so scheduling a
material again moves its one entry and cancelling removes it, both in O(log n).
"""

from __future__ import annotations

import heapq
import itertools

#: (ValidTo epoch, tie-breaker in scheduling order, key id, material id). The tie-breaker is
#: unique, so comparing two entries never reaches the ids.
Entry = tuple[float, int, str, str]
#: Due entries popped one by one before the rest are taken in one pass.
_ONE_BY_ONE = 32


class ExpiryHeap:
    """Materials by ValidTo, earliest first. Not locked: the backend's lock guards changes."""

    def __init__(self) -> None:
        self._heap: list[Entry] = []
        self._where: dict[tuple[str, str], int] = {}
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def earliest(self) -> float | None:
        """The first ValidTo (epoch seconds), or None; safe to call without the lock."""
        try:
            return self._heap[0][0]
        except IndexError:
            return None

    def when(self, key_id: str, material_id: str) -> float | None:
        """The time the entry of ``material_id`` of ``key_id`` is due, or None."""
        i = self._where.get((key_id, material_id))
        return None if i is None else self._heap[i][0]

    def schedule(self, key_id: str, material_id: str, valid_to: float) -> None:
        """Expire ``material_id`` of ``key_id`` at ``valid_to``, replacing its earlier time."""
        entry = (valid_to, next(self._seq), key_id, material_id)
        i = self._where.get((key_id, material_id))
        if i is None:
            self._heap.append(entry)
            self._sift_up(len(self._heap) - 1)
        else:
            self._heap[i] = entry
            self._sift_up(i)
            self._sift_down(self._where[(key_id, material_id)])

    def cancel(self, key_id: str, material_id: str) -> None:
        """Forget the material's expiry (deleted, or reimported without one)."""
        i = self._where.pop((key_id, material_id), None)
        if i is None:
            return
        last = self._heap.pop()
        if i < len(self._heap):
            self._heap[i] = last
            self._where[(last[2], last[3])] = i
            self._sift_up(i)
            self._sift_down(self._where[(last[2], last[3])])

    def pop_due(self, now: float) -> Entry | None:
        """The earliest entry if its ValidTo is at or before ``now`` (removed), else None."""
        heap = self._heap
        if not heap or heap[0][0] > now:
            return None
        first = heap[0]
        self.cancel(first[2], first[3])
        return first

    def pop_all_due(self, now: float) -> list[Entry]:
        """Every entry due at ``now``, earliest first, removed. A few are popped one by one;
        when many fall due at once (a clock advanced past thousands of ValidTo), the rest are
        split off in one pass over the heap and the heap rebuilt, instead of a sift for each."""
        due: list[Entry] = []
        while len(due) < _ONE_BY_ONE:
            entry = self.pop_due(now)
            if entry is None:
                return due
            due.append(entry)
        if self.earliest() is None or self.earliest() > now:  # type: ignore[operator]
            return due
        rest = [e for e in self._heap if e[0] > now]
        due.extend(sorted(e for e in self._heap if e[0] <= now))
        heapq.heapify(rest)
        self._heap = rest
        self._where = {(e[2], e[3]): i for i, e in enumerate(rest)}
        return due

    def entries(self) -> list[Entry]:
        """Every entry, in no particular order (for tests)."""
        return list(self._heap)

    def _sift_up(self, i: int) -> None:
        heap, where = self._heap, self._where
        entry = heap[i]
        while i > 0:
            parent = (i - 1) // 2
            if heap[parent] <= entry:
                break
            heap[i] = heap[parent]
            where[(heap[i][2], heap[i][3])] = i
            i = parent
        heap[i] = entry
        where[(entry[2], entry[3])] = i

    def _sift_down(self, i: int) -> None:
        heap, where = self._heap, self._where
        n = len(heap)
        entry = heap[i]
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            if child + 1 < n and heap[child + 1] < heap[child]:
                child += 1
            if entry <= heap[child]:
                break
            heap[i] = heap[child]
            where[(heap[i][2], heap[i][3])] = i
            i = child
        heap[i] = entry
        where[(entry[2], entry[3])] = i

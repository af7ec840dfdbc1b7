"""Wrap-and-restore for moto's classes: every attribute set on start is put back on stop.

Each integrated service sets its wrappers through one :class:`Patches`, which remembers what was
there before (or that nothing was, for an attribute a class inherited), so restoring leaves every
class exactly as moto defined it and plain ``mock_aws`` behaves as before.
"""

from __future__ import annotations

from typing import Any

_ABSENT = object()


class Patches:
    """The attributes replaced while the mock is active, restored in reverse order."""

    def __init__(self) -> None:
        self._saved: list[tuple[Any, str, Any]] = []

    def set(self, owner: Any, name: str, value: Any) -> None:
        """Replace ``owner.name`` (a class or module attribute) until :meth:`restore`."""
        self._saved.append((owner, name, vars(owner).get(name, _ABSENT)))
        setattr(owner, name, value)

    def original(self, owner: Any, name: str) -> Any:
        """What ``owner.name`` resolves to now (before a :meth:`set` of it): the thing to wrap."""
        return getattr(owner, name)

    def restore(self) -> None:
        while self._saved:
            owner, name, before = self._saved.pop()
            if before is _ABSENT:
                delattr(owner, name)
            else:
                setattr(owner, name, before)

    def __len__(self) -> int:
        return len(self._saved)

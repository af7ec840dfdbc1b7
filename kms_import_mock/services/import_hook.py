"""Run a callback right after a named module is first imported.

Importing moto's EC2, SSM, S3, DynamoDB, ... packages costs most of a second together, and a
test suite that never touches EC2 should not pay for it because the mock patches EC2. So a
service is patched when moto's package for it is imported (moto imports each service lazily, on
its first request), not on start. Python has no post-import hook; :class:`AfterImport` is a
``sys.meta_path`` finder that finds the module's spec through the other finders and wraps that
one module's ``exec_module``, so the module, its loader and its ``__spec__`` stay the ones the
import system made (resource loading and ``isinstance`` checks see nothing different).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any


class AfterImport(importlib.abc.MetaPathFinder):
    """Calls ``callback(name)`` once each watched module has executed, while on ``sys.meta_path``.

    The callback runs in the importing thread, after the module's body and before the import
    statement returns, so the caller sees the module already patched.
    """

    def __init__(self, names: Sequence[str], callback: Callable[[str], None]) -> None:
        self._names = set(names)
        self._callback = callback
        self._lock = threading.Lock()

    def add(self) -> None:
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def remove(self) -> None:
        while self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        with self._lock:
            if fullname not in self._names:
                return None
            self._names.discard(fullname)  # once: a failed import is not retried by us
        spec = _spec_from_others(self, fullname, path, target)
        loader = getattr(spec, "loader", None)
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module
        callback = self._callback

        def exec_module(module: ModuleType) -> None:
            try:
                execute(module)
            finally:
                # The loader belongs to this one module; give it back its own method.
                vars(loader).pop("exec_module", None)
            callback(fullname)

        loader.exec_module = exec_module
        return spec


def _spec_from_others(
    hook: AfterImport, fullname: str, path: Sequence[str] | None, target: ModuleType | None
) -> importlib.machinery.ModuleSpec | None:
    for finder in list(sys.meta_path):
        if finder is hook:
            continue
        find: Any = getattr(finder, "find_spec", None)
        if find is None:
            continue
        spec: importlib.machinery.ModuleSpec | None = find(fullname, path, target)
        if spec is not None:
            return spec
    return None


__all__ = ["AfterImport"]

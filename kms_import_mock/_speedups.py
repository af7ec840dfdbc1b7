"""Savings on moto's and botocore's own costs, installed on start and restored on stop.

None of them changes what a request answers; each removes work moto or botocore repeats:

* ``kms.lazy_keys``: moto's CreateKey no longer generates a private key nobody uses.
* ``_botocore_reuse``: the first client of an activation no longer re-parses botocore's models.
* action names here: moto's ``BaseResponse.call_action`` runs ``inspect.getmembers`` on the
  Response class for every request, only to ask whether the action is one of its functions.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .services.patching import Patches


class ActionNames:
    """The function names of a Response class, answering ``name in names`` in O(1).

    Exactly moto's test: ``inspect.getmembers(cls, inspect.isfunction)`` lists the names in
    ``dir(cls)`` whose attribute is a function. ``dir`` is taken once; whether the attribute is
    a function is read on every question, so a method replaced or removed while the mock runs is
    seen as moto would see it, and a name missing from the remembered ``dir`` is looked up again.
    """

    __slots__ = ("_cls", "_names", "_original")

    def __init__(self, cls: type, original: Callable[[object], list[str]]) -> None:
        self._cls = cls
        self._original = original
        self._names = frozenset(dir(cls))

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or not inspect.isfunction(getattr(self._cls, name, None)):
            return False
        if name in self._names:
            return True
        return name in self._original(self._cls)  # added after we looked: moto's own way

    def __iter__(self) -> Any:
        return iter(self._original(self._cls))


def install_action_names(patches: Patches) -> None:
    from moto.core import responses

    original = patches.original(responses, "method_names_from_class")
    cache: dict[type, ActionNames] = {}

    def method_names_from_class(clazz: Any) -> ActionNames:
        names = cache.get(clazz)
        if names is None:
            names = cache[clazz] = ActionNames(clazz, original)
        return names

    patches.set(responses, "method_names_from_class", method_names_from_class)


def install(patches: Patches) -> None:
    from . import _botocore_reuse
    from .kms import lazy_keys

    lazy_keys.install(patches)
    install_action_names(patches)
    _botocore_reuse.install(patches)

"""Savings on moto's and botocore's own costs, installed on start and restored on stop.

None of them changes what a request answers; each removes work moto or botocore repeats:

* ``kms.lazy_keys``: moto's CreateKey no longer generates a private key nobody uses.
* ``_botocore_reuse``: the first client of an activation no longer re-parses botocore's models.
* action names here: moto's ``BaseResponse.call_action`` runs ``inspect.getmembers`` on the
  Response class for every request, only to ask whether the action is one of its functions.
* the KMS guard here: moto finds a request's service by trying its URL patterns one by one in
  Python, and KMS comes about a hundred patterns in; one compiled pattern in front answers KMS
  requests at once, and costs other services a single failed match.
* random strings here: every response's 52-character request id was 104 Python calls of
  ``Random.choice``; the same draws from the same generator now give the same string in one
  loop, so a seeded moto (``/moto-api/seed``) still makes exactly its ids.
"""

from __future__ import annotations

import inspect
import random
import re
import string
from collections.abc import Callable, Sequence
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


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_SCHEME = "https?://"
_KMS_HOST = "kms."  # every URL moto's KMS pattern matches has a host that starts so
_LITERAL = re.compile(r"(?:[A-Za-z0-9-]|\\\.)*")


def _may_match_host(source: str, host_start: str) -> bool:
    """False only when ``source`` provably matches no URL whose host starts with
    ``host_start``: its host begins with literal characters that disagree with it. Anything
    this cannot read (a class, a group, a quantifier) counts as a possible match."""
    if not source.startswith(_SCHEME) or "|" in source:  # an alternative may start elsewhere
        return True
    rest = source[len(_SCHEME) :]
    literal = _LITERAL.match(rest)
    text = literal.group() if literal else ""
    following = rest[len(text) : len(text) + 1]
    if following and following in "*+?{":  # the last literal is optional or repeated
        text = text[:-2] if text.endswith("\\.") else text[:-1]
    prefix = text.replace("\\.", ".")
    common = min(len(prefix), len(host_start))
    return prefix[:common] == host_start[:common]


def kms_guard(patterns: Sequence[tuple[str, re.Pattern[str]]]) -> re.Pattern[str] | None:
    """A pattern matching exactly the URLs whose first match in ``patterns`` is KMS's.

    moto answers a request with the service of the first pattern that matches its URL. The guard
    is KMS's pattern behind a negative lookahead of every pattern before it, so putting it first
    changes no answer: a URL it matches is one the scan would have given to KMS, and any other
    URL fails it (at KMS's host name, almost always) and goes on to the unchanged list. None
    when ``patterns`` has no KMS entry or its patterns cannot be combined (a backreference).
    """
    position = next((i for i, (service, _) in enumerate(patterns) if service == "kms"), None)
    if position is None:
        return None
    kms_source = patterns[position][1].pattern
    sources = [
        pattern.pattern
        for _, pattern in patterns[:position]
        if _may_match_host(pattern.pattern, _KMS_HOST)
    ]
    sources.append(kms_source)
    if any("(?P=" in source or re.search(r"\\\d", source) for source in sources):
        return None
    # Group names would clash once combined; only whether a pattern matches matters here.
    *earlier, kms = (_NAMED_GROUP.sub("(?:", source) for source in sources)
    before = "|".join(f"(?:{source})" for source in earlier) or "(?!)"
    try:
        return re.compile(f"(?=(?:{kms}))(?!{before})", patterns[position][1].flags)
    except re.error:
        return None


#: The last guard built, with the patterns it was built from: building it compiles a pattern of
#: a hundred alternatives (a third of a millisecond), and moto's list is the same on every start.
_last_guard: list[tuple[tuple[tuple[str, re.Pattern[str]], ...], re.Pattern[str] | None]] = []


def install_kms_guard(patches: Patches) -> None:
    from moto import backend_index

    patterns = backend_index.backend_url_patterns
    current = tuple(patterns)
    if _last_guard and _last_guard[0][0] == current:
        guard = _last_guard[0][1]
    else:
        guard = kms_guard(patterns)
        _last_guard[:] = [(current, guard)]
    if guard is not None:
        patches.set(backend_index, "backend_url_patterns", [("kms", guard), *patterns])


_POOLS = {True: string.ascii_letters + string.digits, False: string.ascii_letters}


def random_string(
    self: random.Random, length: int = 20, include_digits: bool = True, lower_case: bool = False
) -> str:
    """moto's ``MotoRandom.get_random_string``: ``choice`` inlined, draw for draw.

    ``Random.choice(pool)`` is ``pool[self._randbelow(len(pool))]``, and ``_randbelow`` (with
    ``getrandbits``, as for every ``Random`` subclass that overrides neither) draws
    ``len(pool).bit_length()`` bits until the number falls below ``len(pool)``.
    """
    pool = _POOLS[bool(include_digits)]
    n = len(pool)
    k = n.bit_length()
    bits = self.getrandbits
    chars = []
    for _ in range(length):
        r = bits(k)
        while r >= n:
            r = bits(k)
        chars.append(pool[r])
    text = "".join(chars)
    return text.lower() if lower_case else text


def _draws_as_choice(cls: type) -> bool:
    """Whether ``cls.choice`` is the standard library's, drawing through ``getrandbits``."""
    return (
        cls.choice is random.Random.choice  # type: ignore[attr-defined]
        and cls._randbelow is random.Random._randbelow_with_getrandbits  # type: ignore[attr-defined]
        and cls.getrandbits is random.Random.getrandbits  # type: ignore[attr-defined]
    )


def install_random_string(patches: Patches) -> None:
    from moto.moto_api._internal.moto_random import MotoRandom

    original = MotoRandom.__dict__.get("get_random_string")
    if original is not None and _draws_as_choice(MotoRandom):
        patches.set(MotoRandom, "get_random_string", random_string)


def install(patches: Patches) -> None:
    from . import _botocore_reuse
    from .kms import lazy_keys

    lazy_keys.install(patches)
    install_action_names(patches)
    install_kms_guard(patches)
    install_random_string(patches)
    _botocore_reuse.install(patches)

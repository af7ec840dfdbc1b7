"""The one place the mock reads the time.

Token expiry (``ParametersValidTo``) and material expiry (``ValidTo``) are both evaluated against
:func:`now`. It follows ``datetime.now`` at call time, so freezegun and time-machine move
it, and adds an offset that the handle's clock controls shift without touching the process clock.
"""

from __future__ import annotations

import datetime as _dt
import threading

_lock = threading.Lock()
_offset = _dt.timedelta(0)


def now() -> _dt.datetime:
    """Aware UTC time as the mock sees it: process time (possibly frozen) plus the offset."""
    # Look ``datetime.datetime`` up on every call: freezegun swaps the class on the module.
    return _dt.datetime.now(_dt.timezone.utc) + _offset


def timedelta_zero() -> _dt.timedelta:
    return _dt.timedelta(0)


def offset() -> _dt.timedelta:
    return _offset


def set_offset(delta: _dt.timedelta) -> None:
    global _offset
    with _lock:
        _offset = delta


def shift(delta: _dt.timedelta) -> None:
    global _offset
    with _lock:
        _offset = _offset + delta

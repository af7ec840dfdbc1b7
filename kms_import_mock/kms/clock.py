"""The one place the mock reads the time.

Token expiry (``ParametersValidTo``) and material expiry (``ValidTo``) are both evaluated against
:func:`now`. It follows ``datetime.now`` at call time, so freezegun and time-machine move it, and
adds an offset that the handle's clock controls shift without touching the process clock.

Whose offset: every activation of the mock owns a :class:`Frame`. A frame starts with the offset of
its starter's own activation (a nested activation starts at the time its parent shows; one started
in a thread or task without an activation starts at process time) and then keeps its own, so
moving one handle's clock never moves another's, and stopping an activation puts back the clock
its starter saw. The current frame is kept in a context variable: nested ``with``
blocks, threads and asyncio tasks that each start an activation each see their own. Code that runs
in a context without an activation of its own (a worker thread, a server thread) sees the most
recently started activation that is still running, or the process-wide root frame (server mode).

Every move is validated before it is committed (:func:`check_move`): a refused move changes
nothing. The mock's time stays between :data:`EARLIEST` and :data:`LATEST`, so that the dates KMS
derives from it (token expiry 24 hours on, deletion dates, rotation dates) always fit a datetime
and an epoch timestamp.
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import threading

UTC = _dt.timezone.utc
#: The earliest time the mock's clock accepts (AWS timestamps are epoch seconds).
EARLIEST = _dt.datetime(1970, 1, 1, tzinfo=UTC)
#: The latest time the mock's clock accepts: far enough from ``datetime.max`` that every date KMS
#: computes from "now" (at most a few years on) still fits.
LATEST = _dt.datetime(9000, 1, 1, tzinfo=UTC)


class ClockMoveError(ValueError):
    """A clock move that would leave the supported range; nothing was changed."""


class Frame:
    """One activation's clock offset. ``parent`` is the frame its starter saw."""

    __slots__ = ("offset", "parent", "live")

    def __init__(self, parent: Frame | None, offset: _dt.timedelta) -> None:
        self.parent = parent
        self.offset = offset
        self.live = True

    def now(self) -> _dt.datetime:
        return _process_now() + self.offset

    def move_to(self, when: _dt.datetime) -> _dt.datetime:
        """Set this frame's time to ``when`` (aware); validated first, returns the new now."""
        with _lock:
            self.offset = check_move(when) - _process_now()
        return self.now()

    def shift(self, delta: _dt.timedelta) -> _dt.datetime:
        """Move this frame's time by ``delta``; validated first, returns the new now."""
        with _lock:
            base = _process_now()
            try:
                target = base + self.offset + delta
            except OverflowError:
                raise ClockMoveError(_out_of_range(f"now + {delta}")) from None
            self.offset = check_move(target) - base
        return self.now()


_lock = threading.RLock()
_ROOT = Frame(None, _dt.timedelta(0))
#: Frames of the running activations, in start order (the fallback for contexts without one).
_live: list[Frame] = []
_current: contextvars.ContextVar[Frame | None] = contextvars.ContextVar(
    "kms_import_mock_clock", default=None
)


def _process_now() -> _dt.datetime:
    # Look ``datetime.datetime`` up on every call: freezegun swaps the class on the module.
    return _dt.datetime.now(UTC)


def _out_of_range(what: object) -> str:
    return (
        f"The mock's clock cannot move to {what}: it stays between {EARLIEST:%Y-%m-%d} and "
        f"{LATEST:%Y-%m-%d} UTC, so that the dates KMS derives from it still fit. "
        "The clock was not changed."
    )


def check_move(when: _dt.datetime) -> _dt.datetime:
    """``when`` as aware UTC if the clock may move there; else :class:`ClockMoveError`."""
    if when.tzinfo is None:
        raise ClockMoveError("The clock needs an aware datetime; naive ones are taken as UTC.")
    try:
        aware = when.astimezone(UTC)
    except OverflowError:
        raise ClockMoveError(_out_of_range(when.isoformat())) from None
    if not EARLIEST <= aware <= LATEST:
        raise ClockMoveError(_out_of_range(aware.isoformat()))
    return aware


def current() -> Frame:
    """The frame whose offset :func:`now` adds in this context."""
    frame = _current.get()
    while frame is not None and not frame.live:
        frame = frame.parent  # its activation stopped out of order: the nearest running one
    if frame is not None:
        return frame
    with _lock:
        return _live[-1] if _live else _ROOT


def push() -> Frame:
    """A new frame for an activation started in this context, at the time this context's own
    activation shows (process time when it has none: another thread's clock is not ours)."""
    with _lock:
        parent = _current.get()
        while parent is not None and not parent.live:
            parent = parent.parent
        parent = parent or _ROOT
        frame = Frame(parent, parent.offset)
        _live.append(frame)
    _current.set(frame)
    return frame


def pop(frame: Frame) -> None:
    """End ``frame``'s activation: this context sees its parent's clock again."""
    with _lock:
        frame.live = False
        if frame in _live:
            _live.remove(frame)
    if _current.get() is frame:
        parent = frame.parent
        while parent is not None and not parent.live:
            parent = parent.parent
        _current.set(None if parent is _ROOT else parent)


def now() -> _dt.datetime:
    """Aware UTC time as the mock sees it: process time (possibly frozen) plus the offset."""
    return _process_now() + current().offset


def timedelta_zero() -> _dt.timedelta:
    return _dt.timedelta(0)


def offset() -> _dt.timedelta:
    return current().offset


def set_offset(delta: _dt.timedelta) -> None:
    """Set the current frame's offset (validated; a refused offset changes nothing)."""
    with _lock:
        frame = current()
        try:
            target = _process_now() + delta
        except OverflowError:
            raise ClockMoveError(_out_of_range(f"an offset of {delta}")) from None
        check_move(target)
        frame.offset = delta


def shift(delta: _dt.timedelta) -> None:
    """Move the current frame's time by ``delta`` (validated)."""
    current().shift(delta)


def reset_root() -> None:
    """The process-wide offset back to 0 (the last activation of the process stopped)."""
    with _lock:
        _ROOT.offset = _dt.timedelta(0)

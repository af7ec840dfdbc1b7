"""What the handle, the pytest marker and the control API accept as a clock move, and what a
move does besides moving the clock.

Values are checked here, before anything changes, and refused with a sentence that says what to
pass. After a move, every extended KMS backend runs its expiry check at the new time: material
whose ``ValidTo`` the clock passed is gone even if the clock goes back before the next KMS call,
as it would be in AWS (where time only runs forward).
"""

from __future__ import annotations

import datetime as _dt
import math

from ._errors import KmsImportMockError
from .kms import clock as _clock

UTC = _dt.timezone.utc


def to_step(delta: object) -> _dt.timedelta:
    """``delta`` (a timedelta, or seconds as int/float) as a timedelta; else the package error."""
    if isinstance(delta, _dt.timedelta):
        return delta
    if isinstance(delta, (int, float)) and not isinstance(delta, bool):
        if not math.isfinite(delta):
            raise KmsImportMockError(f"advance() needs a finite number of seconds, not {delta!r}.")
        try:
            return _dt.timedelta(seconds=delta)
        except OverflowError:
            raise KmsImportMockError(_clock_refusal(f"now + {delta!r} s")) from None
    raise KmsImportMockError(
        "advance() takes a timedelta or a number of seconds, for example "
        f"m.advance(timedelta(days=1)) or m.advance(86400); got {delta!r}."
    )


def to_when(when: object, what: str = "travel_to()") -> _dt.datetime:
    """``when`` as an aware datetime: a datetime (naive is UTC), a date (its midnight UTC) or an
    ISO 8601 string ("2030-01-01", "2030-01-01T00:00:00Z"); else the package error."""
    if isinstance(when, str):
        try:
            parsed = _dt.datetime.fromisoformat(when.strip().replace("Z", "+00:00"))
        except ValueError:
            raise KmsImportMockError(
                f"{what} got {when!r}, which is not an ISO 8601 time; pass a datetime or a "
                'string such as "2030-01-01" or "2030-01-01T12:00:00Z".'
            ) from None
        when = parsed
    elif isinstance(when, _dt.date) and not isinstance(when, _dt.datetime):
        when = _dt.datetime(when.year, when.month, when.day)
    if not isinstance(when, _dt.datetime):
        raise KmsImportMockError(
            f"{what} takes a datetime, a date or an ISO 8601 string such as "
            f'"2030-01-01T00:00:00Z"; got {type(when).__name__} {when!r}.'
        )
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _clock_refusal(what: str) -> str:
    return (
        f"The mock's clock cannot move to {what}: it stays between "
        f"{_clock.EARLIEST:%Y-%m-%d} and {_clock.LATEST:%Y-%m-%d} UTC. The clock was not changed."
    )


def sweep_all() -> None:
    """Run the expiry check of every extended KMS backend of this process at the mock's now."""
    from moto.kms.models import kms_backends

    from .kms.backend import ImportKmsBackend

    for regions in list(kms_backends.values()):
        for backend in list(regions.values()):
            if isinstance(backend, ImportKmsBackend):
                backend.sweep()

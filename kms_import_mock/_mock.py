"""``mock_kms_import``: moto's ``mock_aws`` with KMS key import, as decorator or context manager.

One object, two primitives: :meth:`KmsImportMock.start` and :meth:`KmsImportMock.stop` do the
work; ``with``, ``async with``, the function, coroutine, generator and class decorators
(``_decorate``) delegate to them. Each start composes a fresh ``mock_aws()`` (subclassing
``MockAWS`` would split its nesting counter), so every other AWS service stays mocked as usual.

Each activation owns its clock (``kms.clock.Frame``): it starts at the time its starter saw and
puts that back on stop. A handle works only while it is started; afterwards every method but
``started`` and ``repr`` raises, so that a stray call can neither move another test's clock nor
build a client that would reach real AWS.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from . import _activation, _decorate, _timetravel
from ._errors import KmsImportMockError
from .kms import clock as _clock

if TYPE_CHECKING:
    from moto.core.models import MockAWS

    from ._imported import ImportedKey
    from ._remote import RemoteControl

P = ParamSpec("P")
T = TypeVar("T")
C = TypeVar("C", bound=type)

_When = _dt.datetime | _dt.date | str
_ValidTo = _dt.datetime | _dt.timedelta | str | None


class KmsImportMock:
    """Controller and handle of one activation of the mock.

    ``with mock_kms_import() as m`` and the ``kms_import`` pytest fixture give you this object.
    """

    def __init__(self) -> None:
        self._inner: MockAWS | None = None
        self._frame: _clock.Frame | None = None
        self._remote: RemoteControl | None = None
        self._remote_offset: float | None = None
        self._was_started = False
        self._lock = threading.Lock()

    # -- the two primitives --------------------------------------------------------------------

    def start(self) -> KmsImportMock:
        with self._lock:
            if self._inner is not None:
                raise KmsImportMockError(
                    "This mock_kms_import() is already started; stop() it first, "
                    "or use a new mock_kms_import() to nest."
                )
            from moto import mock_aws, settings

            _activation.install()
            inner = mock_aws()
            try:
                inner.start()
            except BaseException:
                _activation.uninstall()
                raise
            if settings.TEST_SERVER_MODE:
                self._connect_server(settings.test_server_mode_endpoint())
            self._frame = _clock.push()
            self._inner = inner
            self._was_started = True
        return self

    def _connect_server(self, endpoint: str) -> None:
        from ._remote import RemoteControl

        self._remote = RemoteControl(endpoint)
        try:
            self._remote_offset = self._remote.offset_seconds()  # put back on stop
        except KmsImportMockError:
            # Not a kms-import-mock server (or not up yet): clients still work; the clock
            # and events methods raise, with the reason, when called.
            self._remote_offset = None

    def stop(self) -> None:
        with self._lock:
            inner, self._inner = self._inner, None
            if inner is None:
                raise KmsImportMockError(
                    "stop() was called on a mock_kms_import() that is not started."
                )
            frame, self._frame = self._frame, None
            remote, self._remote = self._remote, None
            try:
                if remote is not None and self._remote_offset is not None:
                    remote.set_offset(self._remote_offset)
            finally:
                if frame is not None:
                    _clock.pop(frame)
                try:
                    inner.stop()
                finally:
                    _activation.uninstall()

    @property
    def started(self) -> bool:
        return self._inner is not None

    def _live(self, method: str) -> _clock.Frame:
        """This activation's clock; raises when the handle is not started (every method's
        first line, so a stray call after the block changes nothing)."""
        frame = self._frame
        if frame is None or self._inner is None:
            state = "stopped" if self._was_started else "not started"
            raise KmsImportMockError(
                f"m.{method}() was called on a mock_kms_import() handle that is {state}; a "
                "handle works only while its activation runs (inside its with block, decorated "
                "function or fixture). Call it there, or start a new mock_kms_import()."
            )
        return frame

    # -- context managers ----------------------------------------------------------------------

    def __enter__(self) -> KmsImportMock:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> KmsImportMock:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- decorators ----------------------------------------------------------------------------

    @overload
    def __call__(self, target: C) -> C: ...

    @overload
    def __call__(
        self, target: Callable[P, Coroutine[Any, Any, T]]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...

    @overload
    def __call__(self, target: Callable[P, T]) -> Callable[P, T]: ...

    def __call__(self, target: Any) -> Any:
        # A fresh controller per call, so recursion and threads each get their own start/stop.
        return _decorate.decorate(target, KmsImportMock)

    # -- handle --------------------------------------------------------------------------------

    def now(self) -> _dt.datetime:
        """The mock's time (aware UTC): process time, frozen or not, plus this handle's offset.

        In moto's server mode (``TEST_SERVER_MODE=true``), the server's clock.
        """
        frame = self._live("now")
        if self._remote is not None:
            return self._remote.now()
        return frame.now()

    def advance(self, delta: _dt.timedelta | float) -> _dt.datetime:
        """Move the mock's clock forward by ``delta`` (a timedelta or seconds); returns the new now.

        Only the mock's clock moves; material whose ValidTo it passes expires at once, tokens
        are checked on their next use. A refused move (backwards, out of range) changes nothing.
        """
        frame = self._live("advance")
        step = _timetravel.to_step(delta)
        if step < _dt.timedelta(0):
            raise KmsImportMockError("advance() moves forward only; use travel_to() to go back.")
        if self._remote is not None:
            return self._remote.advance(step)
        try:
            frame.shift(step)
        except _clock.ClockMoveError as exc:
            raise KmsImportMockError(str(exc)) from None
        _timetravel.sweep_all()
        return frame.now()

    def travel_to(self, when: _When) -> _dt.datetime:
        """Set the mock's clock to ``when``: a datetime (naive is UTC), a date, or an ISO 8601
        string such as ``"2030-01-01"``. Returns the new now; a refused move changes nothing."""
        frame = self._live("travel_to")
        target = _timetravel.to_when(when)
        if self._remote is not None:
            return self._remote.travel_to(target)
        try:
            frame.move_to(target)
        except _clock.ClockMoveError as exc:
            raise KmsImportMockError(str(exc)) from None
        _timetravel.sweep_all()
        return frame.now()

    def client(self, region_name: str = "us-east-1", **kwargs: Any) -> Any:
        """A boto3 KMS client served by this mock (by the server, in moto's server mode)."""
        self._live("client")
        import boto3

        return boto3.client("kms", region_name=region_name, **kwargs)

    def events(self, name: str | None = None, key_id: str | None = None) -> list[dict[str, Any]]:
        """CloudTrail-shaped records of the import lifecycle, oldest first.

        ``name`` filters on ``eventName``, ``key_id`` (key ID or ARN) on the key. The same
        records are readable through CloudTrail's ``LookupEvents`` in this mock.
        """
        self._live("events")
        if self._remote is not None:
            return self._remote.events(name, key_id)
        from .kms.events import list_events

        return list_events(name=name, key_id=key_id)

    def create_imported_key(
        self,
        key_spec: str = "SYMMETRIC_DEFAULT",
        *,
        key_material: bytes | None = None,
        valid_to: _ValidTo = None,
        region_name: str = "us-east-1",
        multi_region: bool = False,
        key_usage: str | None = None,
        description: str = "",
    ) -> ImportedKey:
        """An EXTERNAL key of ``key_spec`` with ``key_material`` (generated when None) imported.

        ``valid_to``: a datetime or ISO 8601 string, a timedelta from :meth:`now`, or None for
        material that does not expire. Goes through the real API, so checks apply and events
        are recorded.
        """
        self._live("create_imported_key")
        material = None if key_material is None else _material(key_material)
        from ._imported import create_imported_key

        return create_imported_key(
            self.client(region_name),
            key_spec,
            key_material=material,
            valid_to=self._valid_to(valid_to),
            multi_region=multi_region,
            key_usage=key_usage,
            description=description,
        )

    def import_key_material(
        self,
        key_id: str,
        key_material: bytes,
        *,
        valid_to: _ValidTo = None,
        region_name: str = "us-east-1",
        wrapping_algorithm: str | None = None,
        wrapping_key_spec: str | None = None,
        **import_kwargs: Any,
    ) -> dict[str, Any]:
        """GetParametersForImport + wrap + ImportKeyMaterial through the real API.

        Chooses an allowed wrapping for the key's spec when not given. ``import_kwargs`` go to
        ImportKeyMaterial as they are (``ImportType=...``, ``KeyMaterialId=...``). Returns
        ImportKeyMaterial's response (``KeyId``, and ``KeyMaterialId`` for symmetric keys).
        """
        self._live("import_key_material")
        material = _material(key_material)
        from ._imported import import_key_material

        return import_key_material(
            self.client(region_name),
            key_id,
            material,
            valid_to=self._valid_to(valid_to),
            wrapping_algorithm=wrapping_algorithm,
            wrapping_key_spec=wrapping_key_spec,
            **import_kwargs,
        )

    def _valid_to(self, valid_to: _ValidTo) -> _dt.datetime | None:
        # Resolved here, against this handle's (or the server's) clock.
        if valid_to is None:
            return None
        if isinstance(valid_to, _dt.timedelta):
            return self.now() + valid_to
        return _timetravel.to_when(valid_to, "valid_to")

    def __repr__(self) -> str:
        return f"<KmsImportMock {'started' if self.started else 'stopped'}>"


def _material(value: object) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise KmsImportMockError(
        f"key_material must be bytes, not {type(value).__name__}; decode text first, for "
        "example bytes.fromhex(...) or base64.b64decode(...), or pass None to generate it."
    )


@overload
def mock_kms_import() -> KmsImportMock: ...


@overload
def mock_kms_import(target: C) -> C: ...


@overload
def mock_kms_import(
    target: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]: ...


@overload
def mock_kms_import(target: Callable[P, T]) -> Callable[P, T]: ...


def mock_kms_import(target: Any = None) -> Any:
    """Mock AWS (like ``moto.mock_aws``) with KMS key import.

    ``@mock_kms_import``, ``@mock_kms_import()`` (functions, ``async def`` functions, generators,
    classes) or ``with mock_kms_import() as m:`` / ``async with``. Each outermost use starts from
    empty state and leaves moto exactly as it was.
    """
    mock = KmsImportMock()
    return mock if target is None else mock(target)

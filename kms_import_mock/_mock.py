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
import functools
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from . import _activation, _decorate, _timetravel
from ._errors import KmsImportMockError
from ._imported import HandleHelpers
from .kms import clock as _clock

if TYPE_CHECKING:
    from moto.core.config import DefaultConfig
    from moto.core.models import MockAWS

    # boto3-stubs' KMS client (the optional ``types`` extra); without it the name is Any to
    # type checkers, and at run time it is never imported.
    from types_boto3_kms import KMSClient

    from .server.remote import RemoteControl

P = ParamSpec("P")
T = TypeVar("T")
C = TypeVar("C", bound=type)

_When = _dt.datetime | _dt.date | str

# Started handles, innermost last, so current() can hand the decorator forms (which create their
# handle themselves) the one that is active. A plain list under a lock: start/stop are rare.
_STARTED: list[KmsImportMock] = []
_STARTED_LOCK = threading.Lock()


def current() -> KmsImportMock:
    """The handle of the innermost active mock: what ``with mock_kms_import() as m`` would give.

    Use it inside a function or class decorated with ``@mock_kms_import``, whose handle is
    created by the decorator, to reach :meth:`KmsImportMock.advance`, :meth:`KmsImportMock.events`
    and the other handle methods. The ``kms_import`` fixture and ``with`` give the same object.

    Raises:
        KmsImportMockError: no mock_kms_import() is active.
    """
    with _STARTED_LOCK:
        if _STARTED:
            return _STARTED[-1]
    raise KmsImportMockError(
        "kms_import_mock.current() was called with no mock_kms_import() active; call it inside "
        "a function or class decorated with @mock_kms_import, a `with mock_kms_import():` block "
        "or a test using the kms_import fixture."
    )


class KmsImportMock(HandleHelpers):
    """Controller and handle of one activation of the mock.

    ``with mock_kms_import() as m``, ``async with``, the ``kms_import`` pytest fixture and
    :func:`current` (inside a decorated function or class) give you this object. Create it with
    :func:`mock_kms_import`; one object is started once at a time (use a new one to nest).
    """

    def __init__(self, config: DefaultConfig | None = None) -> None:
        #: moto's user configuration for this activation (``mock_aws(config=...)``), such as
        #: ``{"lambda": {"use_docker": False}}``; None keeps moto's defaults.
        self._config = config
        self._inner: MockAWS | None = None
        self._frame: _clock.Frame | None = None
        self._remote: RemoteControl | None = None
        self._remote_offset: float | None = None
        self._was_started = False
        self._lock = threading.Lock()
        #: ``client()``'s clients of this activation, by (Region, keyword arguments).
        self._clients: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}
        self._clients_lock = threading.Lock()

    # -- the two primitives --------------------------------------------------------------------

    def start(self) -> KmsImportMock:
        """Activate the mock (what ``with`` does on entry); returns ``self``.

        Starts a fresh ``moto.mock_aws()`` inside, so every other AWS service is mocked too.

        Raises:
            KmsImportMockError: this object is already started, or a ``mock_aws`` that already
                built plain KMS state is active (the message says what to do instead).
        """
        with self._lock:
            if self._inner is not None:
                raise KmsImportMockError(
                    "This mock_kms_import() is already started; stop() it first, "
                    "or use a new mock_kms_import() to nest."
                )
            from moto import mock_aws, settings

            _activation.install()
            inner = mock_aws(config=self._config)
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
            with _STARTED_LOCK:
                _STARTED.append(self)
        return self

    def _connect_server(self, endpoint: str) -> None:
        from .server.remote import RemoteControl

        self._remote = RemoteControl(endpoint)
        try:
            self._remote_offset = self._remote.offset_seconds()  # put back on stop
        except KmsImportMockError:
            # Not a kms-import-mock server (or not up yet): clients still work; the clock
            # and events methods raise, with the reason, when called.
            self._remote_offset = None

    def stop(self) -> None:
        """Deactivate the mock (what ``with`` does on exit); the outermost stop restores moto.

        Raises:
            KmsImportMockError: this object is not started.
        """
        with self._lock:
            inner, self._inner = self._inner, None
            if inner is None:
                raise KmsImportMockError(
                    "stop() was called on a mock_kms_import() that is not started."
                )
            frame, self._frame = self._frame, None
            remote, self._remote = self._remote, None
            with _STARTED_LOCK:
                _STARTED.remove(self)
            with self._clients_lock:
                self._clients.clear()  # the next activation starts from fresh clients
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
        """Whether this object is between :meth:`start` and :meth:`stop`."""
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
        return _decorate.decorate(target, functools.partial(KmsImportMock, self._config))

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

        Raises:
            KmsImportMockError: ``delta`` is negative (use :meth:`travel_to` to go back), the
                move would leave the clock's range, or the handle is not running.
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
        """Set the mock's clock to ``when``, forward or back; returns the new now.

        Args:
            when: a ``datetime.datetime`` (naive ones are taken as UTC), a ``datetime.date``
                (its midnight UTC) or an ISO 8601 string such as ``"2030-01-01"``. The clock
                runs on from ``when``.

        Raises:
            KmsImportMockError: ``when`` is of another type or outside the clock's range, or
                the handle is not running. A refused move changes nothing.
        """
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

    def client(self, region_name: str = "us-east-1", **kwargs: Any) -> KMSClient:
        """A boto3 KMS client served by this mock.

        While the handle runs, the same arguments give the same client (making a boto3 client
        costs milliseconds; one client is safe to share between threads). Arguments that
        cannot be a dictionary key give a new client each time.

        Args:
            region_name: the client's AWS Region.
            **kwargs: passed to ``boto3.client("kms", ...)`` as they are (``config=``, ...).

        Returns:
            The client, typed as ``types_boto3_kms.KMSClient`` when ``types-boto3-kms`` is
            installed (``pip install 'kms-import-mock[types]'``), else as ``Any``.
        """
        self._live("client")
        import boto3

        try:
            cache_key: tuple[str, tuple[tuple[str, Any], ...]] | None = (
                region_name,
                tuple(sorted(kwargs.items())),
            )
            hash(cache_key)
        except TypeError:
            cache_key = None
        if cache_key is None:
            client: KMSClient = boto3.client("kms", region_name=region_name, **kwargs)
            return client
        with self._clients_lock:
            cached = self._clients.get(cache_key)
            if cached is None:
                cached = self._clients[cache_key] = boto3.client(
                    "kms", region_name=region_name, **kwargs
                )
        return cached  # type: ignore[no-any-return]

    def events(self, name: str | None = None, key_id: str | None = None) -> list[dict[str, Any]]:
        """CloudTrail-shaped records of every KMS call, oldest first.

        Recorded: every KMS request, refused ones with ``errorCode`` and ``errorMessage``; the
        calls integrated services make on a caller's behalf; the service events
        ``DeleteExpiredKeyMaterial`` and ``RotateKey``. Plaintext, ciphertext, key material and
        tokens never are. The newest 100,000 events of each account and Region are kept. The
        same records are readable through CloudTrail's ``LookupEvents``.

        Args:
            name: keep only records whose ``eventName`` is this.
            key_id: keep only records about this key (key ID or key ARN).
        """
        self._live("events")
        if self._remote is not None:
            return self._remote.events(name, key_id)
        from .kms.events import list_events

        return list_events(name=name, key_id=key_id)

    def __repr__(self) -> str:
        return f"<KmsImportMock {'started' if self.started else 'stopped'}>"


@overload
def mock_kms_import(*, config: DefaultConfig | None = None) -> KmsImportMock: ...


@overload
def mock_kms_import(target: C) -> C: ...


@overload
def mock_kms_import(
    target: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]: ...


@overload
def mock_kms_import(target: Callable[P, T]) -> Callable[P, T]: ...


def mock_kms_import(target: Any = None, *, config: DefaultConfig | None = None) -> Any:
    """Mock AWS (like ``moto.mock_aws``) with KMS key import.

    ``@mock_kms_import``, ``@mock_kms_import()`` (functions, ``async def`` functions, generators,
    classes, ``unittest.TestCase`` classes) or ``with mock_kms_import() as m:`` / ``async with``.
    Each outermost use starts from empty state and leaves moto exactly as it was. A decorated
    function gets a fresh activation per call; reach its handle with :func:`current`.

    Args:
        target: the function or class to decorate; omitted, you get a :class:`KmsImportMock`
            to use as a context manager or decorator.
        config: moto's user configuration, passed to ``mock_aws(config=...)`` as it is: for
            example ``{"lambda": {"use_docker": False}}`` for moto's docker-less Lambda. Only
            with the call forms (``@mock_kms_import(config=...)``, ``with
            mock_kms_import(config=...)``).

    Raises:
        TypeError: ``target`` is neither a class nor a callable.
    """
    mock = KmsImportMock(config)
    return mock if target is None else mock(target)

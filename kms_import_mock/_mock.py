"""``mock_kms_import``: moto's ``mock_aws`` with KMS key import, as decorator or context manager.

One object, two primitives: :meth:`KmsImportMock.start` and :meth:`KmsImportMock.stop` do the
work; ``with``, ``async with``, the function, coroutine and class decorators delegate to them.
Each start composes a fresh ``mock_aws()`` (subclassing ``MockAWS`` would split its nesting
counter), so every other AWS service stays mocked as usual.
"""

from __future__ import annotations

import datetime as _dt
import functools
import inspect
import threading
import unittest
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, overload

from . import _activation
from ._errors import KmsImportMockError
from .kms import clock as _clock

if TYPE_CHECKING:
    from moto.core.models import MockAWS

    from ._imported import ImportedKey

P = ParamSpec("P")
T = TypeVar("T")
C = TypeVar("C", bound=type)


class KmsImportMock:
    """Controller and handle of one activation of the mock.

    ``with mock_kms_import() as m`` and the ``kms_import`` pytest fixture give you this object.
    """

    def __init__(self) -> None:
        self._inner: MockAWS | None = None
        self._lock = threading.Lock()
        #: ``client()``'s clients of this activation, by (Region, keyword arguments).
        self._clients: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}
        self._clients_lock = threading.Lock()

    # -- the two primitives --------------------------------------------------------------------

    def start(self) -> KmsImportMock:
        with self._lock:
            if self._inner is not None:
                raise KmsImportMockError(
                    "This mock_kms_import() is already started; stop() it first, "
                    "or use a new mock_kms_import() to nest."
                )
            from moto import mock_aws

            _activation.install()
            inner = mock_aws()
            try:
                inner.start()
            except BaseException:
                _activation.uninstall()
                raise
            self._inner = inner
        return self

    def stop(self) -> None:
        with self._lock:
            inner, self._inner = self._inner, None
            if inner is None:
                raise KmsImportMockError(
                    "stop() was called on a mock_kms_import() that is not started."
                )
            with self._clients_lock:
                self._clients.clear()  # the next activation starts from fresh clients
            try:
                inner.stop()
            finally:
                _activation.uninstall()

    @property
    def started(self) -> bool:
        return self._inner is not None

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
    def __call__(self, target: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]: ...

    @overload
    def __call__(self, target: Callable[P, T]) -> Callable[P, T]: ...

    def __call__(self, target: Any) -> Any:
        if inspect.isclass(target):
            return _decorate_class(target)
        if inspect.iscoroutinefunction(target):
            return _decorate_coroutine(target)
        if callable(target):
            return _decorate_callable(target)
        raise TypeError(f"mock_kms_import cannot decorate {type(target).__name__} objects")

    # -- handle --------------------------------------------------------------------------------

    def now(self) -> _dt.datetime:
        """The mock's time (aware UTC): process time, frozen or not, plus the mock's offset."""
        return _clock.now()

    def advance(self, delta: _dt.timedelta | float) -> _dt.datetime:
        """Move the mock's clock forward by ``delta`` (a timedelta or seconds); returns the new now.

        Only the mock's clock moves; token and material expiry follow it on the next call.
        """
        step = delta if isinstance(delta, _dt.timedelta) else _dt.timedelta(seconds=delta)
        if step < _dt.timedelta(0):
            raise KmsImportMockError("advance() moves forward only; use travel_to() to go back.")
        _clock.shift(step)
        return _clock.now()

    def travel_to(self, when: _dt.datetime) -> _dt.datetime:
        """Set the mock's clock to ``when`` (naive datetimes are taken as UTC)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.timezone.utc)
        _clock.shift(when - _clock.now())
        return _clock.now()

    def client(self, region_name: str = "us-east-1", **kwargs: Any) -> Any:
        """A boto3 KMS client served by this mock.

        While started, the same arguments give the same client for the rest of the activation
        (creating a boto3 client costs milliseconds; using one from several threads is safe).
        Arguments that cannot be a dictionary key (a dict of ``config`` values, ...) give a new
        client each time.
        """
        import boto3

        try:
            cache_key = (region_name, tuple(sorted(kwargs.items())))
            hash(cache_key)
        except TypeError:
            cache_key = None
        if cache_key is None or self._inner is None:
            return boto3.client("kms", region_name=region_name, **kwargs)
        with self._clients_lock:
            cached = self._clients.get(cache_key)
            if cached is None:
                cached = self._clients[cache_key] = boto3.client(
                    "kms", region_name=region_name, **kwargs
                )
        return cached

    def events(self, name: str | None = None, key_id: str | None = None) -> list[dict[str, Any]]:
        """CloudTrail-shaped records of the import lifecycle, oldest first (spec §6).

        ``name`` filters on ``eventName``, ``key_id`` (key ID or ARN) on the key. The same
        records are readable through CloudTrail's ``LookupEvents`` in this mock.
        """
        from .kms.events import list_events

        return list_events(name=name, key_id=key_id)

    def create_imported_key(
        self,
        key_spec: str = "SYMMETRIC_DEFAULT",
        *,
        key_material: bytes | None = None,
        valid_to: _dt.datetime | _dt.timedelta | None = None,
        region_name: str = "us-east-1",
        multi_region: bool = False,
        key_usage: str | None = None,
        description: str = "",
    ) -> ImportedKey:
        """An EXTERNAL key of ``key_spec`` with ``key_material`` (generated when None) imported.

        ``valid_to``: a datetime, a timedelta from :meth:`now`, or None for material that does
        not expire. Goes through the real API, so checks apply and events are recorded.
        """
        from ._imported import create_imported_key

        return create_imported_key(
            self.client(region_name),
            key_spec,
            key_material=key_material,
            valid_to=valid_to,
            multi_region=multi_region,
            key_usage=key_usage,
            description=description,
        )

    def import_key_material(
        self,
        key_id: str,
        key_material: bytes,
        *,
        valid_to: _dt.datetime | _dt.timedelta | None = None,
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
        from ._imported import import_key_material

        return import_key_material(
            self.client(region_name),
            key_id,
            key_material,
            valid_to=valid_to,
            wrapping_algorithm=wrapping_algorithm,
            wrapping_key_spec=wrapping_key_spec,
            **import_kwargs,
        )

    def __repr__(self) -> str:
        return f"<KmsImportMock {'started' if self.started else 'stopped'}>"


def _decorate_callable(func: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        # A fresh controller per call, so recursion and threads each get their own start/stop.
        with KmsImportMock():
            return func(*args, **kwargs)

    return wrapper


def _decorate_coroutine(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        # The mock must be active while the coroutine runs, not while it is created.
        async with KmsImportMock():
            return await func(*args, **kwargs)

    return wrapper


def _decorate_class(cls: C) -> C:
    if issubclass(cls, unittest.TestCase):
        # setUp and tearDown run inside the mock too, as users expect of moto's decorator.
        original_setup = cls.setUp

        def setUp(self: unittest.TestCase) -> None:  # noqa: N802 - unittest's name
            mock = KmsImportMock().start()
            self.addCleanup(mock.stop)
            original_setup(self)

        cls.setUp = setUp  # type: ignore[method-assign]
        return cls
    if callable(getattr(cls, "setup_method", None)):
        # pytest-style class with setup_method: like moto's decorator, setup_method and the test
        # share one activation (state created in setup_method is there in the test); it stops
        # after teardown_method.
        return _decorate_setup_method_class(cls)
    for name in dir(cls):
        if not name.startswith("test"):
            continue
        attr = inspect.getattr_static(cls, name)
        if isinstance(attr, (staticmethod, classmethod)) or not inspect.isfunction(attr):
            continue
        setattr(cls, name, KmsImportMock()(attr))
    return cls


_ACTIVE_ATTR = "_kms_import_mock_active"


def _decorate_setup_method_class(cls: C) -> C:
    original_setup = getattr(cls, "setup_method")  # noqa: B009 - C is any class
    original_teardown = getattr(cls, "teardown_method", None)

    def setup_method(self: Any, *args: Any, **kwargs: Any) -> None:
        mock = KmsImportMock().start()
        setattr(self, _ACTIVE_ATTR, mock)
        try:
            original_setup(self, *args, **kwargs)
        except BaseException:
            delattr(self, _ACTIVE_ATTR)
            mock.stop()
            raise

    def teardown_method(self: Any, *args: Any, **kwargs: Any) -> None:
        mock = getattr(self, _ACTIVE_ATTR, None)
        try:
            if original_teardown is not None:
                original_teardown(self, *args, **kwargs)
        finally:
            if mock is not None:
                delattr(self, _ACTIVE_ATTR)
                mock.stop()

    functools.update_wrapper(setup_method, original_setup)
    setattr(cls, "setup_method", setup_method)  # noqa: B010
    setattr(cls, "teardown_method", teardown_method)  # noqa: B010
    return cls


@overload
def mock_kms_import() -> KmsImportMock: ...


@overload
def mock_kms_import(target: C) -> C: ...


@overload
def mock_kms_import(target: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]: ...


@overload
def mock_kms_import(target: Callable[P, T]) -> Callable[P, T]: ...


def mock_kms_import(target: Any = None) -> Any:
    """Mock AWS (like ``moto.mock_aws``) with KMS key import.

    ``@mock_kms_import``, ``@mock_kms_import()`` (functions, ``async def`` functions, classes) or
    ``with mock_kms_import() as m:`` / ``async with``. Each outermost use starts from empty state
    and leaves moto exactly as it was.
    """
    mock = KmsImportMock()
    return mock if target is None else mock(target)

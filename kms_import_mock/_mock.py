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

    # boto3-stubs' KMS client (the optional ``types`` extra); without it the name is Any to
    # type checkers, and at run time it is never imported.
    from types_boto3_kms import KMSClient

    from ._imported import ImportedKey

P = ParamSpec("P")
T = TypeVar("T")
C = TypeVar("C", bound=type)

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


class KmsImportMock:
    """Controller and handle of one activation of the mock.

    ``with mock_kms_import() as m``, ``async with``, the ``kms_import`` pytest fixture and
    :func:`current` (inside a decorated function or class) give you this object. Create it with
    :func:`mock_kms_import`; one object is started once at a time (use a new one to nest).
    """

    def __init__(self) -> None:
        self._inner: MockAWS | None = None
        self._lock = threading.Lock()

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
            from moto import mock_aws

            _activation.install()
            inner = mock_aws()
            try:
                inner.start()
            except BaseException:
                _activation.uninstall()
                raise
            self._inner = inner
            with _STARTED_LOCK:
                _STARTED.append(self)
        return self

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
            with _STARTED_LOCK:
                _STARTED.remove(self)
            try:
                inner.stop()
            finally:
                _activation.uninstall()

    @property
    def started(self) -> bool:
        """Whether this object is between :meth:`start` and :meth:`stop`."""
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

        Raises:
            KmsImportMockError: ``delta`` is negative (use :meth:`travel_to` to go back).
        """
        step = delta if isinstance(delta, _dt.timedelta) else _dt.timedelta(seconds=delta)
        if step < _dt.timedelta(0):
            raise KmsImportMockError("advance() moves forward only; use travel_to() to go back.")
        _clock.shift(step)
        return _clock.now()

    def travel_to(self, when: _dt.datetime) -> _dt.datetime:
        """Set the mock's clock to ``when``, forward or back; returns the new now.

        Args:
            when: a ``datetime.datetime``; naive ones are taken as UTC. The offset it sets stays
                while time passes, so the clock runs on from ``when``.
        """
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.timezone.utc)
        _clock.shift(when - _clock.now())
        return _clock.now()

    def client(self, region_name: str = "us-east-1", **kwargs: Any) -> KMSClient:
        """A boto3 KMS client served by this mock.

        Args:
            region_name: the client's AWS Region.
            **kwargs: passed to ``boto3.client("kms", ...)`` as they are (``config=``, ...).

        Returns:
            The client, typed as ``types_boto3_kms.KMSClient`` when ``types-boto3-kms`` is
            installed (``pip install 'kms-import-mock[types]'``), else as ``Any``.
        """
        import boto3

        client: KMSClient = boto3.client("kms", region_name=region_name, **kwargs)
        return client

    def events(self, name: str | None = None, key_id: str | None = None) -> list[dict[str, Any]]:
        """CloudTrail-shaped records of the import lifecycle, oldest first.

        Recorded: successful ``GetParametersForImport``, ``ImportKeyMaterial``,
        ``DeleteImportedKeyMaterial`` and ``RotateKeyOnDemand`` calls, and the service events
        ``DeleteExpiredKeyMaterial`` and ``RotateKey``. Key material, tokens and wrapped blobs
        never are. The same records are readable through CloudTrail's ``LookupEvents``.

        Args:
            name: keep only records whose ``eventName`` is this.
            key_id: keep only records about this key (key ID or key ARN).
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
        """An EXTERNAL key of ``key_spec`` with key material imported, in one call.

        Goes through the real API (CreateKey, GetParametersForImport, wrap, ImportKeyMaterial),
        so every check applies and every audit event is recorded.

        Args:
            key_spec: any importable KMS key spec: ``SYMMETRIC_DEFAULT``, ``HMAC_224`` ...
                ``HMAC_512``, ``RSA_2048/3072/4096``, ``ECC_NIST_P256/P384/P521``,
                ``ECC_SECG_P256K1``.
            key_material: the plaintext material; generated with :func:`generate_key_material`
                when None.
            valid_to: a ``datetime`` (naive is UTC), a ``timedelta`` from :meth:`now`, or None
                for material that does not expire.
            region_name: the Region of the key.
            multi_region: create a multi-Region primary key.
            key_usage: CreateKey's ``KeyUsage``; None takes CreateKey's default for the spec
                (``ENCRYPT_DECRYPT`` for symmetric and RSA, ``GENERATE_VERIFY_MAC`` for HMAC,
                ``SIGN_VERIFY`` for ECC).
            description: CreateKey's ``Description``.

        Returns:
            The key's ID, ARN, material and (symmetric keys only) key material ID.

        Raises:
            botocore.exceptions.ClientError: AWS refuses the combination (for example a
                ``key_usage`` the spec does not allow, or material of the wrong form).
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

        Args:
            key_id: an EXTERNAL key (key ID or ARN).
            key_material: the plaintext material (see :func:`generate_key_material`).
            valid_to: a ``datetime`` (naive is UTC), a ``timedelta`` from :meth:`now`, or None
                for material that does not expire (unless ``import_kwargs`` set the expiry).
            region_name: the Region of the key.
            wrapping_algorithm: GetParametersForImport's ``WrappingAlgorithm``; None chooses
                one the key's spec allows.
            wrapping_key_spec: GetParametersForImport's ``WrappingKeySpec``; None chooses the
                smallest the algorithm allows.
            **import_kwargs: passed to ImportKeyMaterial as they are (``ImportType=...``,
                ``KeyMaterialId=...``, ``ValidTo=...``).

        Returns:
            ImportKeyMaterial's response without ``ResponseMetadata``: ``KeyId``, and
            ``KeyMaterialId`` for symmetric keys.

        Raises:
            botocore.exceptions.ClientError: AWS would refuse the import (the key's state, the
                material, a wrapping combination the spec does not allow).
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

    ``@mock_kms_import``, ``@mock_kms_import()`` (functions, ``async def`` functions, classes,
    ``unittest.TestCase`` classes) or ``with mock_kms_import() as m:`` / ``async with``. Each
    outermost use starts from empty state and leaves moto exactly as it was. A decorated
    function gets a fresh activation per call; reach its handle with :func:`current`.

    Args:
        target: the function or class to decorate; omitted, you get a :class:`KmsImportMock`
            to use as a context manager or decorator.

    Raises:
        TypeError: ``target`` is neither a class nor a callable.
    """
    mock = KmsImportMock()
    return mock if target is None else mock(target)

"""The decorator forms of ``mock_kms_import``: functions, coroutines, generators, classes.

Each wrapper starts a fresh controller per call (so recursion and threads each get their own
activation) and keeps it running for as long as the wrapped body runs: for a coroutine while it
is awaited, for a generator or async generator until it is exhausted or closed (the body runs
between the values it yields, so the mock stays active while it is suspended).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import unittest
from collections.abc import AsyncGenerator, Callable, Coroutine, Generator, Iterator
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
C = TypeVar("C", bound=type)


class _Controller(Protocol):
    def start(self) -> Any: ...

    def stop(self) -> None: ...


Factory = Callable[[], _Controller]


@contextlib.contextmanager
def _active(factory: Factory) -> Iterator[None]:
    mock = factory()
    mock.start()
    try:
        yield
    finally:
        mock.stop()


def decorate(target: Any, factory: Factory) -> Any:
    if inspect.isclass(target):
        return _decorate_class(target, factory)
    if inspect.iscoroutinefunction(target):
        return _decorate_coroutine(target, factory)
    if inspect.isasyncgenfunction(target):
        return _decorate_async_generator(target, factory)
    if inspect.isgeneratorfunction(target):
        return _decorate_generator(target, factory)
    if callable(target):
        return _decorate_callable(target, factory)
    raise TypeError(f"mock_kms_import cannot decorate {type(target).__name__} objects")


def _decorate_callable(func: Callable[..., T], factory: Factory) -> Callable[..., T]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with _active(factory):
            return func(*args, **kwargs)

    return wrapper


def _decorate_coroutine(
    func: Callable[..., Coroutine[Any, Any, T]], factory: Factory
) -> Callable[..., Coroutine[Any, Any, T]]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> T:
        # The mock must be active while the coroutine runs, not while it is created.
        with _active(factory):
            return await func(*args, **kwargs)

    return wrapper


def _decorate_generator(
    func: Callable[..., Generator[Any, Any, T]], factory: Factory
) -> Callable[..., Generator[Any, Any, T]]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, T]:
        with _active(factory):
            return (yield from func(*args, **kwargs))  # send/throw/close are forwarded

    return wrapper


def _decorate_async_generator(
    func: Callable[..., AsyncGenerator[Any, Any]], factory: Factory
) -> Callable[..., AsyncGenerator[Any, Any]]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        with _active(factory):
            inner = func(*args, **kwargs)
            try:
                value = await inner.__anext__()
                while True:
                    try:
                        sent = yield value
                    except GeneratorExit:
                        raise
                    except BaseException as exc:  # athrow(): hand it to the body
                        value = await inner.athrow(exc)
                    else:
                        value = await inner.asend(sent)
            except StopAsyncIteration:
                return
            finally:
                await inner.aclose()

    return wrapper


def _decorate_class(cls: C, factory: Factory) -> C:
    if issubclass(cls, unittest.TestCase):
        # setUp and tearDown run inside the mock too, as users expect of moto's decorator.
        original_setup = cls.setUp

        def setUp(self: unittest.TestCase) -> None:  # noqa: N802 - unittest's name
            mock = factory()
            mock.start()
            self.addCleanup(mock.stop)
            original_setup(self)

        cls.setUp = setUp  # type: ignore[method-assign]
        return cls
    if callable(getattr(cls, "setup_method", None)):
        # pytest-style class with setup_method: like moto's decorator, setup_method and the test
        # share one activation (state created in setup_method is there in the test); it stops
        # after teardown_method.
        return _decorate_setup_method_class(cls, factory)
    for name in dir(cls):
        if not name.startswith("test"):
            continue
        attr = inspect.getattr_static(cls, name)
        if isinstance(attr, (staticmethod, classmethod)) or not inspect.isfunction(attr):
            continue
        setattr(cls, name, decorate(attr, factory))
    return cls


_ACTIVE_ATTR = "_kms_import_mock_active"


def _takes_method(func: Callable[..., Any]) -> bool:
    """Whether pytest would pass ``method`` to ``func`` (an unbound ``setup_method``).

    pytest counts positional parameters the same way; mirror it, so the wrapper (which always
    takes ``method``) passes it on exactly when the original expects it.
    """
    code = getattr(inspect.unwrap(func), "__code__", None)
    if code is None:
        return True
    return bool(code.co_argcount > 1 or code.co_flags & inspect.CO_VARARGS)


def _call_with_optional_method(func: Callable[..., Any], self: Any, method: Any) -> None:
    if _takes_method(func):
        func(self, method)
    else:
        func(self)


def _decorate_setup_method_class(cls: C, factory: Factory) -> C:
    original_setup = getattr(cls, "setup_method")  # noqa: B009 - C is any class
    original_teardown = getattr(cls, "teardown_method", None)

    # ``method`` is a named parameter so that pytest, which inspects the signature, passes it.
    def setup_method(self: Any, method: Any = None) -> None:
        mock = factory()
        mock.start()
        setattr(self, _ACTIVE_ATTR, mock)
        try:
            _call_with_optional_method(original_setup, self, method)
        except BaseException:
            delattr(self, _ACTIVE_ATTR)
            mock.stop()
            raise

    def teardown_method(self: Any, method: Any = None) -> None:
        mock = getattr(self, _ACTIVE_ATTR, None)
        try:
            if original_teardown is not None:
                _call_with_optional_method(original_teardown, self, method)
        finally:
            if mock is not None:
                delattr(self, _ACTIVE_ATTR)
                mock.stop()

    functools.update_wrapper(setup_method, original_setup)
    del setup_method.__wrapped__  # type: ignore[attr-defined]  # pytest must see our signature
    setattr(cls, "setup_method", setup_method)  # noqa: B010
    setattr(cls, "teardown_method", teardown_method)  # noqa: B010
    return cls

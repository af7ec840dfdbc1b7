"""aiobotocore (and so aioboto3) served in-process while the mock runs.

moto answers in-process calls from a ``before-send`` handler that returns a plain botocore
``AWSResponse`` whose raw body is a ``BytesIO``. aiobotocore goes through the same handler (its
sessions copy botocore's built-in handlers, moto's among them) but then awaits
``http_response.content`` and reads streaming bodies through ``raw.content.read()``, as it would
an aiohttp response: the call fails with ``TypeError: object bytes can't be used in 'await'
expression``. moto treats that as out of scope. Two small wraps bridge it, both at the one place
aiobotocore sends a request (``aiobotocore.endpoint``):

* the answer: ``first_non_none_response`` is where aiobotocore picks the ``before-send``
  handler's response. A plain ``AWSResponse`` chosen there is handed on as an
  ``AioAWSResponse`` over an in-memory async body, so everything after it (parsing, checksums,
  errors, retries, streaming bodies, paginators, waiters) is aiobotocore's own code.
* the request: a body aiobotocore reads asynchronously (the ``aws-chunked`` wrapper it puts
  around S3 uploads for their trailing checksum, or any body whose ``read`` is a coroutine
  function) is read to bytes before the ``before-send`` handlers run, because moto's handler
  reads it synchronously. The bytes are the ones aiohttp would have sent.

Nothing else of aiobotocore or botocore changes, and boto3 never reaches either wrap. In moto's
server mode (``TEST_SERVER_MODE``) both step aside: requests go over HTTP as usual.

Installed through the activation's :class:`~kms_import_mock.services.patching.Patches`: on start
if ``aiobotocore.endpoint`` is already imported, otherwise the moment it is first imported while
the mock runs; restored on stop. When aiobotocore is not installed nothing is installed at all.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import io
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any

from .services.import_hook import AfterImport
from .services.patching import Patches

#: The aiobotocore module whose request path is wrapped.
ENDPOINT_MODULE = "aiobotocore.endpoint"


class AsyncBody:
    """The body as aiohttp's ``StreamReader`` offers it: what ``StreamingBody`` reads from.

    aiobotocore reads ``raw.content.read(n)``, and an event stream (S3 SelectObjectContent's
    answer) ``raw.content.iter_chunks()``; users who reach past the ``StreamingBody`` (as they
    may with a real aiohttp response) find the reader's other common methods too.
    """

    __slots__ = ("_buffer", "_size")

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)
        self._size = len(data)

    async def read(self, n: int | None = -1) -> bytes:
        return self._buffer.read(-1 if n is None or n < 0 else n)

    async def readany(self) -> bytes:
        return self._buffer.read()

    async def readline(self) -> bytes:
        return self._buffer.readline()

    async def readexactly(self, n: int) -> bytes:
        data = self._buffer.read(n)
        if len(data) < n:
            # aiohttp raises asyncio's IncompleteReadError here, with what was read.
            import asyncio

            raise asyncio.IncompleteReadError(data, n)
        return data

    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        while chunk := self._buffer.read(n):
            yield chunk

    async def iter_any(self) -> AsyncIterator[bytes]:
        if chunk := self._buffer.read():
            yield chunk

    async def readchunk(self) -> tuple[bytes, bool]:
        """``(data, end_of_http_chunk)``: all that is left, then ``(b"", False)`` at the end."""
        return self._buffer.read(), False

    async def iter_chunks(self) -> AsyncIterator[tuple[bytes, bool]]:
        """:meth:`readchunk`'s tuples until the end, as aiohttp's ``iter_chunks`` yields them."""
        while (chunk := await self.readchunk())[0]:
            yield chunk

    def at_eof(self) -> bool:
        return self._buffer.tell() >= self._size


class AsyncRawResponse:
    """The raw response aiobotocore expects: an aiohttp ``ClientResponse``'s reading surface.

    ``await read()`` gives the whole body (``AioAWSResponse.content``; like aiohttp's, a second
    call gives it again), ``content`` the stream that ``StreamingBody`` reads in chunks.
    ``async with body`` yields this object on aiobotocore 2 (as aiohttp yields its response).
    """

    def __init__(self, data: bytes, url: str) -> None:
        self._data = data
        self.content = AsyncBody(data)
        self.url = url

    async def read(self) -> bytes:
        return self._data

    def at_eof(self) -> bool:
        return self.content.at_eof()

    def release(self) -> None:
        """Nothing to give back to a connection pool: the body is already in memory."""

    def close(self) -> None:
        """As :meth:`release`."""

    async def __aenter__(self) -> AsyncRawResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


def _body_of(response: Any) -> bytes:
    """The bytes of moto's answer, read once (its raw is a ``BytesIO``)."""
    raw = response.raw
    if raw is None:
        return b""
    data = raw.read() if hasattr(raw, "read") else raw
    return bytes(data or b"")


def to_aio(response: Any) -> Any:
    """An ``AioAWSResponse`` with the same status, headers and body as moto's ``AWSResponse``."""
    from aiobotocore.awsrequest import AioAWSResponse

    return AioAWSResponse(
        response.url,
        response.status_code,
        response.headers,
        AsyncRawResponse(_body_of(response), response.url),
    )


async def read_async_body(request: Any) -> None:
    """Replace a body read by coroutine with its bytes, for moto's synchronous handler."""
    read = getattr(request.body, "read", None)
    if read is not None and inspect.iscoroutinefunction(read):
        request.body = bytes(await read())


def _server_mode() -> bool:
    from moto import settings

    return bool(settings.TEST_SERVER_MODE)


def install(patches: Patches) -> None:
    """Wrap aiobotocore's request path (see the module docstring)."""
    from aiobotocore import endpoint
    from aiobotocore.awsrequest import AioAWSResponse
    from botocore.awsrequest import AWSResponse

    pick = patches.original(endpoint, "first_non_none_response")

    def first_non_none_response(responses: Any, default: Any = None) -> Any:
        chosen = pick(responses, default)
        if isinstance(chosen, AWSResponse) and not isinstance(chosen, AioAWSResponse):
            return to_aio(chosen)
        return chosen

    send = patches.original(endpoint.AioEndpoint, "_do_get_response")

    async def _do_get_response(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not _server_mode():
            await read_async_body(request)
        return await send(self, request, *args, **kwargs)

    patches.set(endpoint, "first_non_none_response", first_non_none_response)
    patches.set(endpoint.AioEndpoint, "_do_get_response", _do_get_response)


def available() -> bool:
    """Whether aiobotocore can be imported here (without importing it)."""
    if "aiobotocore" in sys.modules:
        return sys.modules["aiobotocore"] is not None
    return _installed()


@functools.cache
def _installed() -> bool:
    """Looked up once per process: searching the path took a tenth of a millisecond of every
    start (a package installed while the process runs is not seen until it is imported)."""
    try:
        return importlib.util.find_spec("aiobotocore") is not None
    except (ImportError, ValueError):
        return False


class AioInstaller:
    """The shim of one activation: installed when aiobotocore is, restored on stop."""

    def __init__(self, patches: Patches) -> None:
        self._patches = patches
        self._hook: AfterImport | None = None
        self._installed = False
        self._lock = threading.RLock()

    @property
    def installed(self) -> bool:
        return self._installed

    @property
    def waiting(self) -> bool:
        """Whether the import hook waits for aiobotocore to be imported."""
        return self._hook is not None

    def start(self) -> None:
        with self._lock:
            if ENDPOINT_MODULE in sys.modules:
                self._install()
            elif available():
                # Installed but not imported yet: wait for it, at no cost meanwhile.
                self._hook = AfterImport([ENDPOINT_MODULE], self._loaded)
                self._hook.add()
            # Not installed at all: nothing to do, nothing left on sys.meta_path.

    def _loaded(self, name: str) -> None:
        with self._lock:
            if self._hook is not None:  # still running: a stop during the import wins
                self._install()

    def _install(self) -> None:
        if not self._installed:
            self._installed = True
            install(self._patches)

    def stop(self) -> None:
        with self._lock:
            if self._hook is not None:
                self._hook.remove()
                self._hook = None
            self._installed = False
            self._patches.restore()


__all__ = ["AioInstaller", "AsyncRawResponse", "available", "install", "to_aio"]

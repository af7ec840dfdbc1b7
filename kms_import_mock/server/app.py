"""Server mode: moto's HTTP server with the import extension active, plus a small control API.

Why not ``mock_aws()`` here: ``mock_aws`` patches botocore and ``responses`` *in the calling
process* so that in-process clients never reach the network, and it wipes every backend on its
first start and last stop. A server needs none of that: requests arrive over real HTTP, and moto's
own ``moto_server`` serves them from the backends directly without ever starting ``mock_aws``. So
the server only swaps the KMS backend class (``_activation.install()``), once, before it accepts
the first request, and keeps it swapped until it closes. That order matters: moto's dispatcher
builds and caches one Flask app per service on the first request for that service, from the
backend's URL table, and the KMS URL table is what routes requests to ``ImportKmsResponse``.

Everything that does not start with :data:`CONTROL_PREFIX` goes to moto's
``DomainDispatcherApplication`` exactly as ``moto_server`` would serve it, ``/moto-api/`` included.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
import os
import signal
import sys
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from kms_import_mock import _activation, _timetravel
from kms_import_mock._errors import KmsImportMockError
from kms_import_mock.kms import clock as _clock
from kms_import_mock.kms import events as _events
from kms_import_mock.kms.params import nested_too_deep

from .console import ConsoleApp

CONTROL_PREFIX = "/_kms_import/"
#: The web console (HTML pages and their JSON API), served by :class:`.console.ConsoleApp`.
CONSOLE_PREFIX = CONTROL_PREFIX + "console/"
#: The largest control-API body accepted; larger ones answer 413 (the bodies are a few bytes).
MAX_BODY = 64 * 1024

_StartResponse = Callable[..., Any]
_Environ = dict[str, Any]


class _ControlError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _jsonable(value: object) -> object:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def _clock_body() -> dict[str, Any]:
    now = _clock.now()
    return {
        "now": now.isoformat(),
        "epoch": now.timestamp(),
        "offset_seconds": _clock.offset().total_seconds(),
    }


def _json_body(request: Request) -> dict[str, Any]:
    try:
        raw = request.get_data(cache=False)
    except HTTPException as exc:  # RequestEntityTooLarge: over MAX_BODY
        raise _too_large() if exc.code == 413 else _ControlError(400, str(exc)) from None
    if len(raw) > MAX_BODY:  # a chunked body has no Content-Length for werkzeug to check
        raise _too_large()
    if not raw.strip():
        return {}
    try:
        if nested_too_deep(raw):
            raise ValueError("nested too deep")
        body = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json parses
        raise _ControlError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise _ControlError(400, "The request body must be a JSON object.")
    return body


def _too_large() -> _ControlError:
    return _ControlError(413, f"The request body is larger than {MAX_BODY} bytes.")


def _move(move: Callable[[], object]) -> None:
    """Run a clock move (validated by the clock, so a refused one changes nothing) and the
    expiry check at the new time; a refusal is a 400."""
    try:
        move()
    except _clock.ClockMoveError as exc:
        raise _ControlError(400, str(exc)) from None
    _timetravel.sweep_all()


def _number(body: dict[str, Any], name: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _ControlError(400, f'"{name}" must be a finite number, for example {{"{name}": 60}}.')
    return float(value)


class ControlApp:
    """The control API under :data:`CONTROL_PREFIX`, JSON in and out; the rest goes to moto.

    ``GET clock``, ``POST clock/advance {"seconds": n}``, ``POST clock/set {"now": iso|epoch}``
    (or ``{"offset_seconds": n}``, what the handle uses to put back the offset it found),
    ``GET events[?name=&key_id=]``, ``POST reset``. Errors are ``{"message": ...}`` with a 4xx
    status; a body over :data:`MAX_BODY` bytes is a 413. The web console under
    :data:`CONSOLE_PREFIX` is its own app.
    """

    def __init__(self, moto_app: Callable[[_Environ, _StartResponse], Iterable[bytes]]) -> None:
        self._moto_app = moto_app
        self.console = ConsoleApp(moto_app)
        self._routes: dict[str, dict[str, Callable[[Request], tuple[int, object]]]] = {
            "clock": {"GET": self._get_clock},
            "clock/advance": {"POST": self._advance},
            "clock/set": {"POST": self._set_clock},
            "events": {"GET": self._events},
            "reset": {"POST": self._reset},
        }

    def __call__(self, environ: _Environ, start_response: _StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not (path + "/").startswith(CONTROL_PREFIX):
            return self._moto_app(environ, start_response)
        if (path + "/").startswith(CONSOLE_PREFIX):
            return self.console(environ, start_response)
        request = Request(environ)
        # One byte over: werkzeug stops a chunked body at the limit without saying so, and a
        # body that reaches MAX_BODY + 1 bytes is then known to be too large.
        request.max_content_length = MAX_BODY + 1
        headers: dict[str, str] = {}
        try:
            if (request.content_length or 0) > MAX_BODY:
                raise _too_large()  # on every route, before anything reads the body
            status, body = self._dispatch(request, path[len(CONTROL_PREFIX) :].strip("/"))
        except _ControlError as err:
            status, body, headers = err.status, {"message": err.message}, err.headers
        response = Response(
            json.dumps(body, default=_jsonable), status=status, mimetype="application/json"
        )
        response.headers.update(headers)
        return response(environ, start_response)

    def _dispatch(self, request: Request, route: str) -> tuple[int, object]:
        methods = self._routes.get(route)
        if methods is None:
            known = ", ".join(CONTROL_PREFIX + name for name in [*self._routes, "console/"])
            raise _ControlError(
                404, f"No control endpoint {request.path}; the endpoints are {known}."
            )
        handler = methods.get(request.method)
        if handler is None:
            allowed = ", ".join(methods)
            raise _ControlError(
                405, f"{request.path} accepts {allowed} only.", headers={"Allow": allowed}
            )
        return handler(request)

    def _get_clock(self, request: Request) -> tuple[int, object]:
        return 200, _clock_body()

    def _advance(self, request: Request) -> tuple[int, object]:
        seconds = _number(_json_body(request), "seconds")
        if seconds < 0:
            raise _ControlError(400, "The clock moves forward only; use clock/set to go back.")
        try:
            step = _dt.timedelta(seconds=seconds)
        except OverflowError:
            raise _ControlError(400, f'"seconds" is out of range: {seconds!r}.') from None
        _move(lambda: _clock.shift(step))
        return 200, _clock_body()

    def _set_clock(self, request: Request) -> tuple[int, object]:
        body = _json_body(request)
        if "offset_seconds" in body and "now" not in body:
            seconds = _number(body, "offset_seconds")
            try:
                offset = _dt.timedelta(seconds=seconds)
            except OverflowError:
                message = f'"offset_seconds" is out of range: {seconds!r}.'
                raise _ControlError(400, message) from None
            _move(lambda: _clock.set_offset(offset))
            return 200, _clock_body()
        value = body.get("now")
        when: _dt.datetime
        if isinstance(value, str):
            try:
                when = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise _ControlError(400, f'"now" is not an ISO 8601 time: {value!r}.') from None
            if when.tzinfo is None:
                when = when.replace(tzinfo=_dt.timezone.utc)  # naive means UTC, as on the handle
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                when = _dt.datetime.fromtimestamp(value, _dt.timezone.utc)
            except (OverflowError, OSError, ValueError):
                raise _ControlError(400, f'"now" is out of range: {value!r}.') from None
        else:
            raise _ControlError(
                400,
                '"now" must be an ISO 8601 time or epoch seconds, for example '
                '{"now": "2030-01-01T00:00:00Z"}.',
            )
        _move(lambda: _clock.current().move_to(when))
        return 200, _clock_body()

    def _events(self, request: Request) -> tuple[int, object]:
        name = request.args.get("name") or None
        key_id = request.args.get("key_id") or None
        return 200, {"events": _events.list_events(name=name, key_id=key_id)}

    def _reset(self, request: Request) -> tuple[int, object]:
        _json_body(request)  # takes no parameters, but a malformed body is still refused
        reset()
        return 200, {"status": "ok"}


def reset() -> None:
    """What ``POST /moto-api/reset`` does (every backend emptied), and the clock offset to 0."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
    _clock.reset_root()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class KmsImportServer:
    """A threaded HTTP server on ``host:port`` (0 = any free port) serving moto plus the extension.

    :meth:`start` activates the extension and binds; :meth:`serve_forever` handles requests,
    each on its own thread; :meth:`close` stops listening and deactivates.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 5000, *, quiet: bool = False) -> None:
        self.host = host
        self.port = port
        self._quiet = quiet
        self._server: BaseWSGIServer | None = None

    def start(self) -> KmsImportServer:
        try:
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                create_backend_app,
            )
        except ImportError as exc:
            raise KmsImportMockError(
                f"Server mode needs moto's server extras ({exc}); "
                "install them with: pip install 'kms-import-mock[server]'"
            ) from None

        _activation.install()  # before the first request: moto caches the KMS app on first use
        try:
            app = ControlApp(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(
                self.host,
                self.port,
                app,
                threaded=True,
                request_handler=_QuietHandler if self._quiet else None,
            )
        except BaseException:
            _activation.uninstall()
            raise
        self.port = self._server.server_port
        return self

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        assert self._server is not None, "start() first"
        self._server.serve_forever()

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.server_close()
            _activation.uninstall()


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def serve(host: str, port: int) -> int:
    """``kms-import-mock serve``: run until SIGINT or SIGTERM, then close and return 0."""
    try:
        server = KmsImportServer(host, port).start()
    except KmsImportMockError as exc:
        print(f"kms-import-mock: {exc}", file=sys.stderr)
        return 1
    # As moto_server does: moto builds some self-referencing URLs (Lambda, SQS) from MOTO_PORT.
    os.environ.setdefault("MOTO_PORT", str(server.port))
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    print(
        f"kms-import-mock: moto with KMS key import on {server.url} "
        f"(control API {server.url}{CONTROL_PREFIX}, console {server.url}{CONSOLE_PREFIX}; "
        "Ctrl+C to stop)",
        flush=True,
    )
    try:
        server.serve_forever()
    except _Stop:
        pass
    finally:
        server.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("kms-import-mock: stopped", file=sys.stderr, flush=True)
    return 0

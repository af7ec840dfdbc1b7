"""The web console of ``kms-import-mock serve``, at ``/_kms_import/console/``.

Server-rendered pages (the keys of a Region, one key with its key material and history) and a
small JSON API under ``api/`` that ``console.js`` calls. Everything it reads or changes goes
through real KMS requests to the server's own moto app (see :mod:`.kms`), so a deletion from
the console is a ``DeleteImportedKeyMaterial`` with its CloudTrail record, and material the
mock clock expired shows as **Pending import** on the next load.

Safety: a page on another site must not be able to delete material through a developer's
running server. State-changing requests therefore need the console's CSRF token (a random
value per server, embedded in every page, which another origin cannot read) in the
``X-CSRF-Token`` header, a JSON body (so a cross-site form cannot send one), and, when the
browser names an ``Origin`` (or ``Sec-Fetch-Site``), the console's own; anything else is a 403.
While the server listens on a loopback address, the console also refuses requests naming any
other host, so that a site whose name is rebound to 127.0.0.1 cannot read a page (and its token).
"""

from __future__ import annotations

import datetime as _dt
import hmac
import ipaddress
import json
import secrets
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any

from werkzeug.wrappers import Request, Response

from kms_import_mock.kms import clock as _clock
from kms_import_mock.kms import events as _events

from . import pages, timeline, view
from .kms import KmsCaller, KmsCallError

PREFIX = pages.ROOT
CSRF_HEADER = "X-CSRF-Token"
#: No framing (clickjacking), nothing loaded from elsewhere: the console ships all it uses.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_STATIC = {"console.css": "text/css", "console.js": "text/javascript"}
_MAX_BODY = 64 * 1024

_WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ConsoleApp:
    """The console's WSGI app: ``moto_app`` is the server's moto dispatcher."""

    def __init__(self, moto_app: _WsgiApp) -> None:
        self._moto_app = moto_app
        self.csrf_token = secrets.token_urlsafe(32)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = _MAX_BODY
        return self._respond(request)(environ, start_response)

    # -- routing ---------------------------------------------------------------------------

    def _respond(self, request: Request) -> Response:
        account = request.args.get("account") or view.default_account()
        bad_account = None if view.valid_account(account) else account
        if bad_account is not None:
            account = view.default_account()
        pages.ACCOUNT.set(account)
        pages.ACCOUNTS.set(view.accounts(account))
        foreign_host = _foreign_host(request)
        if foreign_host is not None:
            return _json(403, {"message": foreign_host})
        route = request.path[len(PREFIX) :] if request.path.startswith(PREFIX) else None
        if route is None:  # /_kms_import/console without the slash
            return Response(status=308, headers={"Location": PREFIX})
        if route.startswith("api/"):
            return self._api(request, route[len("api/") :])
        if route.startswith("static/"):
            return self._static(request, route[len("static/") :])
        region = request.args.get("region") or view.DEFAULT_REGION
        try:
            if request.method not in ("GET", "HEAD"):
                raise _Refusal(405, f"{request.path} accepts GET only.")
            if bad_account is not None:
                raise _Refusal(400, f"{bad_account!r} is not a 12-digit AWS account ID.")
            if not view.valid_region(region):
                region, bad = view.DEFAULT_REGION, region
                raise _Refusal(400, f"{bad!r} is not a Region name such as us-east-1.")
            kms = KmsCaller(
                self._moto_app, region, request.remote_addr or "127.0.0.1", pages.ACCOUNT.get()
            )
            if route == "":
                html = pages.keys_page(
                    region, view.regions(region), view.key_rows(kms), self.csrf_token, _now()
                )
            elif route.startswith("keys/") and route.count("/") == 1:
                html = self._key_page(kms, route[len("keys/") :])
            else:
                raise _Refusal(404, f"No console page {request.path}.")
        except _Refusal as refusal:
            return self._error_page(refusal.status, refusal.message, region)
        except KmsCallError as err:
            return self._error_page(err.status, f"{err.code}: {err.message}", region)
        return _html(html)

    def _key_page(self, kms: KmsCaller, key_id: str) -> str:
        row = view.key_row(kms, key_id)
        moments = timeline.history(_events.list_events(key_id=row.arn))
        return pages.key_page(
            kms.region,
            view.regions(kms.region),
            row,
            view.materials(kms, row),
            moments,
            self.csrf_token,
            _now(),
        )

    def _error_page(self, status: int, message: str, region: str) -> Response:
        html = pages.error_page(
            status, message, region, view.regions(region), self.csrf_token, _now()
        )
        return _html(html, status)

    def _static(self, request: Request, name: str) -> Response:
        mimetype = _STATIC.get(name)
        if mimetype is None:
            return _json(404, {"message": f"No console file {request.path}."})
        data = resources.files(__package__).joinpath("static", name).read_bytes()
        response = Response(data, mimetype=mimetype)
        response.headers.update(SECURITY_HEADERS)
        return response

    # -- the JSON API ----------------------------------------------------------------------

    def _api(self, request: Request, route: str) -> Response:
        try:
            if route == "keys":
                if request.method != "GET":
                    raise _Refusal(405, f"{request.path} accepts GET only.")
                kms = self._caller(request, request.args.get("region"))
                rows = view.key_rows(kms)
                return _json(200, {"Region": kms.region, "Keys": [r.as_json() for r in rows]})
            if route == "delete-key-material":
                if request.method != "POST":
                    raise _Refusal(405, f"{request.path} accepts POST only.")
                return self._delete(request)
            raise _Refusal(404, f"No console API endpoint {request.path}.")
        except _Refusal as refusal:
            return _json(refusal.status, {"message": refusal.message})
        except KmsCallError as err:
            return _json(err.status, {"code": err.code, "message": err.message})

    def _caller(self, request: Request, region: object, account: object = None) -> KmsCaller:
        if region is None:
            region = view.DEFAULT_REGION
        if not isinstance(region, str) or not view.valid_region(region):
            raise _Refusal(400, f'"region" must be a Region name such as us-east-1: {region!r}.')
        if account is None:
            account = pages.ACCOUNT.get()
        if not isinstance(account, str) or not view.valid_account(account):
            raise _Refusal(400, f'"account" must be a 12-digit AWS account ID: {account!r}.')
        return KmsCaller(self._moto_app, region, request.remote_addr or "127.0.0.1", account)

    def _delete(self, request: Request) -> Response:
        """DeleteImportedKeyMaterial of the key (its current material), then the key's row."""
        self._check_same_origin(request)
        body = _json_body(request)
        key_id = body.get("key_id")
        if not isinstance(key_id, str) or not key_id:
            raise _Refusal(400, '"key_id" must be the key ID of the key, as a string.')
        kms = self._caller(request, body.get("region"), body.get("account"))
        answer = kms("DeleteImportedKeyMaterial", KeyId=key_id)
        row = view.key_row(kms, key_id)
        return _json(200, {**answer, "Key": row.as_json()})

    def _check_same_origin(self, request: Request) -> None:
        """The CSRF defence: see the module docstring."""
        own = f"{request.scheme}://{request.host}"
        origin = request.headers.get("Origin")
        if origin is not None and origin != own:
            raise _Refusal(
                403,
                f"Cross-origin request refused: Origin {origin} is not the console's "
                f"origin {own}.",
            )
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None and site not in ("same-origin", "none"):
            raise _Refusal(403, f"Cross-site request refused (Sec-Fetch-Site: {site}).")
        token = request.headers.get(CSRF_HEADER)
        if not token:
            raise _Refusal(
                403,
                f"Missing CSRF token: send the token of a console page (its "
                f'<meta name="kms-import-mock-csrf">) in the {CSRF_HEADER} header.',
            )
        if not hmac.compare_digest(token.encode(), self.csrf_token.encode()):
            raise _Refusal(
                403,
                f"Wrong CSRF token in {CSRF_HEADER}: reload the console page and try again.",
            )
        if request.mimetype != "application/json":
            raise _Refusal(415, "The request body must be JSON (Content-Type: application/json).")


def _loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _foreign_host(request: Request) -> str | None:
    """Why a request to a server listening on a loopback address names another host (DNS
    rebinding: a foreign site's name made to point at 127.0.0.1, so that its pages could read
    the console as same-origin), or None when the host is fine."""
    bound = str(request.environ.get("SERVER_NAME", ""))
    if not _loopback(bound):
        return None  # served beyond this machine on purpose (--host): any name may reach it
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    if _loopback(host):
        return None
    return (
        f"The console answers only to this machine's own names (127.0.0.1, localhost) while the "
        f"server listens on {bound}; this request names the host {request.host}."
    )


def _now() -> _dt.datetime:
    return _clock.now()


def _json_body(request: Request) -> dict[str, Any]:
    try:
        raw = request.get_data(cache=False)
        body = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json parses
        raise _Refusal(400, "The request body is not valid JSON.") from None
    except Exception:  # noqa: BLE001 - werkzeug's RequestEntityTooLarge
        raise _Refusal(413, f"The request body is larger than {_MAX_BODY} bytes.") from None
    if not isinstance(body, dict):
        raise _Refusal(400, "The request body must be a JSON object.")
    return body


def _html(html: str, status: int = 200) -> Response:
    response = Response(html, status=status, mimetype="text/html")
    response.headers.update(SECURITY_HEADERS)
    return response


def _json(status: int, body: object) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers.update(SECURITY_HEADERS)
    return response

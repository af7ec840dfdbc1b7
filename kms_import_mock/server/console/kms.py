"""The console's KMS calls: real KMS API requests, served in-process by the same moto app.

The console never reads or changes the backend behind the API's back. Each call is a KMS
JSON request (``X-Amz-Target: TrentService.<Action>``) handed to the very WSGI app that serves
SDK clients, so it runs the same Response layer: the lazy expiry check of the mock clock, the
key-state rules, the error shapes and, for ``DeleteImportedKeyMaterial``, the CloudTrail record
(with the console's user agent and the browser's address as ``sourceIPAddress``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.test import EnvironBuilder, run_wsgi_app

#: What the console's requests show as ``userAgent`` in their CloudTrail records.
USER_AGENT = "kms-import-mock-console"
#: moto's default access key: its calls land in moto's default account, as an SDK client's do.
ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"

_WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class KmsCallError(Exception):
    """A KMS error answer: its AWS error code, message and HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class KmsCaller:
    """Calls KMS actions in one Region through ``moto_app``, as an SDK client would."""

    def __init__(
        self, moto_app: _WsgiApp, region: str, remote_addr: str = "127.0.0.1", account: str = ""
    ) -> None:
        self._app = moto_app
        self.region = region
        self.account = account
        self._remote_addr = remote_addr

    def __call__(self, action: str, **params: Any) -> dict[str, Any]:
        scope = f"{ACCESS_KEY_ID}/20000101/{self.region}/kms/aws4_request"
        headers: dict[str, str] = {
            "X-Amz-Target": f"TrentService.{action}",
            "Content-Type": "application/x-amz-json-1.1",
            "User-Agent": USER_AGENT,
            # Unchecked by moto; the credential scope is how it finds the Region and service.
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"
            ),
        }
        if self.account:
            # moto's own way of choosing a request's account (BaseResponse.get_current_account).
            headers["x-moto-account-id"] = self.account
        builder = EnvironBuilder(
            path="/",
            method="POST",
            base_url=f"http://kms.{self.region}.amazonaws.com/",
            data=json.dumps(params),
            headers=list(headers.items()),
            environ_overrides={"REMOTE_ADDR": self._remote_addr},
        )
        try:
            app_iter, status, _ = run_wsgi_app(self._app, builder.get_environ(), buffered=True)
        finally:
            builder.close()
        raw = b"".join(app_iter)
        code = int(status.split()[0])
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = {"message": raw.decode(errors="replace")}
        if not isinstance(body, dict):
            body = {"message": str(body)}
        if code >= 400:
            error = str(body.get("__type", "InternalFailure")).rsplit("#", 1)[-1]
            message = str(body.get("message") or body.get("Message") or "")
            raise KmsCallError(code, error, message)
        return body

    def pages(self, action: str, member: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paged listing (``Marker`` / ``NextMarker``), in order."""
        items: list[dict[str, Any]] = []
        marker: str | None = None
        while True:
            page = self(action, **params, **({"Marker": marker} if marker else {}))
            items.extend(page.get(member, []))
            marker = page.get("NextMarker")
            if not page.get("Truncated") or not marker:
                return items

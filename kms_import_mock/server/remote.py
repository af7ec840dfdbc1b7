"""The handle's clock and events in moto's server mode (``TEST_SERVER_MODE=true``).

There the handle's clients talk to a server process, so the clock and the recorded events that
matter are the server's: this talks to its control API (``/_kms_import/``, see ``server.app``).
A server without that API (plain ``moto_server``) cannot honour ``m.advance()`` and the rest,
so they refuse with a sentence saying to run ``kms-import-mock serve`` instead.
"""

from __future__ import annotations

import datetime as _dt
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from kms_import_mock._errors import KmsImportMockError

CONTROL_PREFIX = "/_kms_import/"


class RemoteControl:
    """The control API of the server at ``endpoint``."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")

    def _call(self, route: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.endpoint}{CONTROL_PREFIX}{route}",
            data=data,
            method="GET" if data is None else "POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as err:
            body = _json_or_none(err)
            if body is None or "message" not in body:
                raise self._no_control_api() from None  # moto_server answers it (S3 paths)
            raise KmsImportMockError(str(body["message"])) from None
        except ValueError:
            raise self._no_control_api() from None
        except (urllib.error.URLError, OSError) as err:
            raise KmsImportMockError(
                f"The server at {self.endpoint} (TEST_SERVER_MODE) did not answer ({err}); "
                "start it with `kms-import-mock serve`, or set TEST_SERVER_MODE_ENDPOINT."
            ) from None
        if not isinstance(answer, dict):
            raise self._no_control_api()
        return answer

    def _no_control_api(self) -> KmsImportMockError:
        return KmsImportMockError(
            f"The server at {self.endpoint} (TEST_SERVER_MODE) has no kms-import-mock "
            "control API, so the handle cannot read or move its clock or read its events; run "
            "`kms-import-mock serve` there instead of moto_server."
        )


    def now(self) -> _dt.datetime:
        return _dt.datetime.fromisoformat(self._call("clock")["now"])

    def offset_seconds(self) -> float:
        return float(self._call("clock")["offset_seconds"])

    def advance(self, step: _dt.timedelta) -> _dt.datetime:
        answer = self._call("clock/advance", {"seconds": step.total_seconds()})
        return _dt.datetime.fromisoformat(answer["now"])

    def travel_to(self, when: _dt.datetime) -> _dt.datetime:
        answer = self._call("clock/set", {"now": when.isoformat()})
        return _dt.datetime.fromisoformat(answer["now"])

    def set_offset(self, seconds: float) -> None:
        self._call("clock/set", {"offset_seconds": seconds})

    def events(self, name: str | None, key_id: str | None) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode(
            {k: v for k, v in (("name", name), ("key_id", key_id)) if v is not None}
        )
        events: list[dict[str, Any]] = self._call("events" + (f"?{query}" if query else ""))[
            "events"
        ]
        return events


def _json_or_none(err: urllib.error.HTTPError) -> dict[str, Any] | None:
    try:
        body = json.loads(err.read())
    except (ValueError, OSError):
        return None
    return body if isinstance(body, dict) else None

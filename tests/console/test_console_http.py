"""The console over plain HTTP: the CSRF defence of its one state-changing request, its errors
(JSON for the API, a page for pages, never a 500), what it ships and the headers it sends."""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPConnection
from typing import Any

import pytest

from tests.console.support import (
    CHROMIUM_ENV,
    CONSOLE,
    chromium_path,
    control,
    external_key,
    http,
    key_state,
)


def _page(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers), err.read().decode()


def _token(url: str) -> str:
    status, _, html = _page(f"{url}{CONSOLE}")
    assert status == 200
    found = re.search(r'<meta name="kms-import-mock-csrf" content="([^"]+)">', html)
    assert found is not None
    return found.group(1)


def _delete(url: str, key_id: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
    body = {"region": "us-east-1", "key_id": key_id} if body is None else body
    return http(f"{url}{CONSOLE}api/delete-key-material", body, headers)


def _deletions(url: str, key_id: str) -> list[Any]:
    events: list[Any] = control(url, f"events?name=DeleteImportedKeyMaterial&key_id={key_id}")[
        1
    ]["events"]
    return events


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing CSRF token"),
        ({"X-CSRF-Token": "not-the-token"}, "Wrong CSRF token"),
        ({"X-CSRF-Token": "{token}", "Origin": "http://evil.example"}, "Cross-origin request"),
        ({"X-CSRF-Token": "{token}", "Origin": "null"}, "Cross-origin request"),
        ({"X-CSRF-Token": "{token}", "Sec-Fetch-Site": "cross-site"}, "Cross-site request"),
        (
            {"X-CSRF-Token": "{token}", "Content-Type": "text/plain"},
            "The request body must be JSON",
        ),
    ],
)
def test_deletion_without_the_token_or_from_another_origin_is_refused(
    kms: Any, kms_import_server: str, headers: dict[str, str], message: str
) -> None:
    key_id = external_key(kms)
    token = _token(kms_import_server)
    sent = {name: value.format(token=token) for name, value in headers.items()}

    status, body = _delete(kms_import_server, key_id, sent)

    assert status == (415 if "JSON" in message else 403)
    assert body["message"].startswith(message), body
    assert key_state(kms, key_id) == "Enabled"
    assert _deletions(kms_import_server, key_id) == []


def test_deletion_with_the_token_from_the_same_origin_is_a_real_delete(
    kms: Any, kms_import_server: str
) -> None:
    key_id = external_key(kms)
    material_id = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    headers = {"X-CSRF-Token": _token(kms_import_server), "Origin": kms_import_server}

    status, body = _delete(kms_import_server, key_id, headers)

    assert status == 200, body
    assert body["KeyMaterialId"] == material_id
    assert body["Key"]["Status"] == "Pending import"
    assert key_state(kms, key_id) == "PendingImport"
    (event,) = _deletions(kms_import_server, key_id)
    assert event["userAgent"] == "kms-import-mock-console"
    # Twice: as in KMS, deleting material that is already gone succeeds and changes nothing.
    status, body = _delete(kms_import_server, key_id, headers)
    assert status == 200 and body["Key"]["Status"] == "Pending import", body


def test_api_errors_are_json_4xx(kms: Any, kms_import_server: str) -> None:
    headers = {"X-CSRF-Token": _token(kms_import_server)}
    aws_key = kms.create_key()["KeyMetadata"]["KeyId"]
    status, body = _delete(kms_import_server, aws_key, headers)
    assert (status, body["code"]) == (400, "UnsupportedOperationException"), body
    status, body = _delete(kms_import_server, "", headers, {"region": "us-east-1"})
    assert status == 400 and '"key_id"' in body["message"]
    status, body = _delete(kms_import_server, "", headers, {"key_id": "x", "region": "moon"})
    assert status == 400 and '"region"' in body["message"]
    status, body = _delete(kms_import_server, "", headers, b"{not json")
    assert status == 400 and "not valid JSON" in body["message"]
    missing = "11111111-2222-3333-4444-555555555555"
    status, body = _delete(kms_import_server, missing, headers)
    assert (status, body["code"]) == (400, "NotFoundException"), body
    status, body = http(f"{kms_import_server}{CONSOLE}api/delete-key-material")
    assert status == 405
    status, body = http(f"{kms_import_server}{CONSOLE}api/nothing")
    assert status == 404 and "No console API endpoint" in body["message"]


def test_keys_api_lists_the_regions_keys(kms: Any, kms_import_server: str) -> None:
    key_id = external_key(kms, alias="api")
    status, body = http(f"{kms_import_server}{CONSOLE}api/keys?region=us-east-1")
    assert status == 200
    (key,) = body["Keys"]
    assert key["KeyId"] == key_id
    assert (key["Alias"], key["Status"], key["Origin"]) == ("api", "Enabled", "External")
    assert key["MaterialExpiry"] == "does not expire" and key["DeleteKeyMaterial"] is True
    assert http(f"{kms_import_server}{CONSOLE}api/keys?region=eu-west-3")[1]["Keys"] == []


def test_pages_errors_and_headers(kms: Any, kms_import_server: str) -> None:
    status, headers, html = _page(f"{kms_import_server}{CONSOLE}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    # Everything the page loads comes from the console itself: no CDN, no other host.
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []
    for name, kind in (("console.js", "text/javascript"), ("console.css", "text/css")):
        status, headers, text = _page(f"{kms_import_server}{CONSOLE}static/{name}")
        assert status == 200 and headers["Content-Type"].startswith(kind) and text
    assert _page(f"{kms_import_server}{CONSOLE}static/secret.py")[0] == 404

    missing = "11111111-2222-3333-4444-555555555555"
    status, _, html = _page(f"{kms_import_server}{CONSOLE}keys/{missing}")
    assert status == 400 and "NotFoundException" in html
    status, _, html = _page(f"{kms_import_server}{CONSOLE}?region=%3Cscript%3E")
    assert status == 400 and "<script>" not in html and "&lt;script&gt;" in html
    assert _page(f"{kms_import_server}{CONSOLE}elsewhere")[0] == 404
    # Without the slash: redirected to the console (308; urllib follows it only from 3.11).
    host, port = kms_import_server.removeprefix("http://").split(":")
    connection = HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", "/_kms_import/console")
        answer = connection.getresponse()
        assert answer.status in (301, 308), answer.status
        location = answer.getheader("Location") or ""
    finally:
        connection.close()
    assert location.endswith("/_kms_import/console/"), location
    status, _, html = _page(urllib.parse.urljoin(kms_import_server, location))
    assert status == 200 and "<title>Keys" in html


def test_a_missing_chromium_fails_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install chromium"):
        chromium_path()
    monkeypatch.delenv(CHROMIUM_ENV)
    assert chromium_path() == "/usr/bin/chromium" and os.access("/usr/bin/chromium", os.X_OK)


def test_key_page_of_an_asymmetric_key_names_no_material_id(
    kms: Any, kms_import_server: str
) -> None:
    from tests.helpers import import_material as import_any
    from tests.keymaterial import pkcs8

    key_id = kms.create_key(Origin="EXTERNAL", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")[
        "KeyMetadata"
    ]["KeyId"]
    import_any(kms, key_id, pkcs8("RSA_2048"))
    status, _, html = _page(f"{kms_import_server}{CONSOLE}keys/{key_id}")
    assert status == 200
    fields = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", html))
    assert fields["Key material state"] == "Imported"
    assert fields["Key material ID"] == "\u2014"  # KMS names none for asymmetric material
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", fields["Imported"])
    assert fields["Expiration"] == "does not expire"
    assert "All key material" not in html  # only symmetric keys list their materials

    headers = {"X-CSRF-Token": _token(kms_import_server)}
    assert _delete(kms_import_server, key_id, headers)[0] == 200
    status, _, html = _page(f"{kms_import_server}{CONSOLE}keys/{key_id}")
    fields = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", html))
    assert (fields["Key material state"], fields["Imported"]) == ("Pending import", "\u2014")
    assert re.search(r'data-action="delete-key-material"\s+disabled>', html)


def test_a_rebound_host_name_cannot_read_the_console(kms_import_server: str) -> None:
    """A foreign site whose name is made to resolve to 127.0.0.1 (DNS rebinding) would be
    same-origin with the server: the console answers only to this machine's own names."""
    port = kms_import_server.rsplit(":", 1)[1]
    for path in (CONSOLE, f"{CONSOLE}api/keys"):
        status, body = http(f"{kms_import_server}{path}", headers={"Host": f"evil.example:{port}"})
        assert status == 403 and "evil.example" in body["message"], body
    status, body = http(
        f"{kms_import_server}{CONSOLE}api/delete-key-material",
        {"key_id": "x"},
        headers={"Host": f"evil.example:{port}"},
    )
    assert status == 403 and "this machine's own names" in body["message"]
    for name in ("localhost", "127.0.0.1", "app.localhost"):
        status, body = http(
            f"{kms_import_server}{CONSOLE}api/keys", headers={"Host": f"{name}:{port}"}
        )
        assert status == 200, (name, body)

"""Helpers of the console tests: server clients, material imports, raw HTTP."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kms_import_mock import generate_key_material, wrap_key_material

CHROMIUM_ENV = "KMS_IMPORT_MOCK_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CONSOLE = "/_kms_import/console/"
#: The README's picture of the console: the screenshot test writes it there when
#: ``KMS_IMPORT_MOCK_SCREENSHOT=1`` (else into its tmp_path, so a test run leaves the tree clean).
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "_static" / "console-keys.png"
SCREENSHOT_ENV = "KMS_IMPORT_MOCK_SCREENSHOT"


def chromium_path() -> str:
    path = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"No Chromium at {path}: the console's browser tests need Debian's chromium "
            f"package; install it with `apt-get install chromium` (or set {CHROMIUM_ENV} to "
            "the path of a Chromium binary).",
            pytrace=False,
        )
    return path


def import_material(kms: Any, key_id: str, material: bytes | None = None, **kwargs: Any) -> bytes:
    """Import ``material`` (new symmetric material when None) into ``key_id``; returns it."""
    material = material or generate_key_material("SYMMETRIC_DEFAULT")
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    if "ValidTo" not in kwargs and "ExpirationModel" not in kwargs:
        kwargs["ExpirationModel"] = "KEY_MATERIAL_DOES_NOT_EXPIRE"
    kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256"),
        **kwargs,
    )
    return material


def external_key(kms: Any, *, alias: str | None = None, **import_kwargs: Any) -> str:
    """A new EXTERNAL symmetric key with material imported (and ``alias``, if given)."""
    key_id: str = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(kms, key_id, **import_kwargs)
    if alias:
        kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key_id)
    return key_id


def server_now(url: str) -> dt.datetime:
    return dt.datetime.fromisoformat(control(url, "clock")[1]["now"])


def control(url: str, path: str, body: object = None) -> tuple[int, Any]:
    """A control-API request (POST when there is a body); (status, JSON body)."""
    return http(f"{url}/_kms_import/{path}", body)


def http(
    url: str, body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
        method="GET" if data is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.load(err)


def key_state(kms: Any, key_id: str) -> str:
    state: str = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    return state


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, pixels) of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium
    writes), decoded with the standard library: each pixel as its RGB bytes."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat = 8, b""
    width = height = channels = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunk = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    pixels: list[bytes] = []
    for row in range(height):
        start = row * (stride + 1)
        kind_of_filter, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind_of_filter == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind_of_filter == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind_of_filter == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind_of_filter == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + predictor) & 0xFF
        pixels.extend(bytes(line[i : i + 3]) for i in range(0, stride, channels))
        previous = line
    return width, height, pixels


@contextlib.contextmanager
def other_site() -> Iterator[str]:
    """Another web site on this machine (a plain page on its own port), for cross-origin
    tests; yields its URL."""
    import http.server
    import threading

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = b"<!doctype html><title>cats</title><h1>cat pictures</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

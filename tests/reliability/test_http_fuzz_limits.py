"""Raw HTTP at the limits: bodies nested 1,000 levels deep, oversized bodies and values,
X-Amz-Target values outside botocore's KMS model; the control API's bodies and clock moves.

Extends ``test_http_fuzz``: every answer is a 4xx with a JSON body naming the error, never a 500,
and a refused request changes no key, records no event and leaves the server working.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from reliability_support import backend, snapshot
from test_http_fuzz import HEADERS, OPERATIONS, post, post_cloudtrail

DEPTH = 1000
NESTED = [
    ("[" * DEPTH + "]" * DEPTH).encode(),
    ('{"a":' * DEPTH + "1" + "}" * DEPTH).encode(),
    b'{"KeyId": ' + ("[" * DEPTH + "]" * DEPTH).encode() + b"}",
    b'{"EncryptionContext": ' + ('{"a":' * DEPTH + '"x"' + "}" * DEPTH).encode() + b"}",
]


def _error(response: requests.Response) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = json.loads(response.text)
    assert body.get("message") or body.get("Message"), body
    return str(body.get("__type", ""))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_deeply_nested_bodies_are_serialization_errors(
    inprocess_server: str, operation: str
) -> None:
    before = snapshot(backend())
    for body in NESTED:
        assert _error(post(inprocess_server, operation, body)) == "SerializationException"
    assert snapshot(backend()) == before


def test_deeply_nested_lookup_events_is_a_serialization_error(inprocess_server: str) -> None:
    for body in NESTED[:2]:
        assert _error(post_cloudtrail(inprocess_server, body)) == "SerializationException"


@pytest.mark.parametrize(
    "operation", ["Encrypt", "ImportKeyMaterial", "DescribeKey", "GenerateMac"]
)
def test_oversized_values_are_refused(inprocess_server: str, operation: str) -> None:
    huge = "A" * (1024 * 1024)  # valid base64 too
    payload = {"KeyId": huge, "Plaintext": huge, "Description": huge, "ImportToken": huge}
    before = snapshot(backend())
    code = _error(post(inprocess_server, operation, json.dumps(payload).encode()))
    assert code in {"ValidationException", "NotFoundException"}, code
    assert snapshot(backend()) == before


@pytest.mark.parametrize(
    "target",
    [
        "TrentService.import_key_material",
        "TrentService.describe_key",
        "TrentService.__init__",
        "TrentService._get_param",
        "TrentService.call_action",
        "TrentService.",
        "TrentService.DescribeKeys",
        "Other.DescribeKey",
        "DescribeKey",
    ],
)
def test_targets_outside_the_model_are_unknown_operations(
    inprocess_server: str, target: str
) -> None:
    from kms_import_mock.kms.events import list_events

    events = len(list_events())
    before = snapshot(backend())
    headers = dict(HEADERS, **{"X-Amz-Target": target})
    response = requests.post(inprocess_server, data=b"{}", headers=headers, timeout=30)
    assert _error(response) == "UnknownOperationException"
    assert snapshot(backend()) == before and len(list_events()) == events


# -- the control API of ``kms-import-mock serve`` ------------------------------------------------


def _control(url: str, path: str, data: object) -> requests.Response:
    return requests.post(f"{url}/_kms_import/{path}", data=data, timeout=30)


def _offset(url: str) -> float:
    return float(requests.get(f"{url}/_kms_import/clock", timeout=30).json()["offset_seconds"])


@pytest.mark.parametrize("path", ["clock/advance", "clock/set", "reset"])
def test_control_api_deep_nesting_is_400(server: str, path: str) -> None:
    for body in NESTED[:2]:
        response = _control(server, path, body)
        assert response.status_code == 400, response.text
        assert "not valid JSON" in response.json()["message"]
    assert _offset(server) == 0


def _chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // 1024):
        yield b" " * 1024


@pytest.mark.parametrize("path", ["clock/advance", "clock/set", "clock", "events", "reset"])
def test_control_api_bodies_over_64_kib_are_413(server: str, path: str) -> None:
    body = json.dumps({"seconds": 60, "pad": "x" * (65 * 1024)})
    response = _control(server, path, body)
    assert response.status_code == 413, (response.status_code, response.text)
    assert "larger than 65536 bytes" in response.json()["message"]
    chunked = _control(server, path, _chunks(70 * 1024))  # no Content-Length
    assert chunked.status_code in (405, 413), (chunked.status_code, chunked.text)
    assert _offset(server) == 0


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("clock/advance", {"seconds": 1e12}),
        ("clock/advance", {"seconds": 1e300}),
        ("clock/set", {"now": "9999-01-01T00:00:00Z"}),
        ("clock/set", {"now": "0001-01-01T00:00:00Z"}),
        ("clock/set", {"now": -1e11}),
        ("clock/set", {"offset_seconds": 1e13}),
    ],
)
def test_control_api_refused_clock_moves_change_nothing(
    server: str, path: str, body: dict[str, object]
) -> None:
    response = _control(server, path, json.dumps(body))
    assert response.status_code == 400, (response.status_code, response.text)
    assert _offset(server) == 0
    # The server still answers every later call, LookupEvents included.
    key = post(server, "CreateKey", b'{"Origin": "EXTERNAL"}').json()["KeyMetadata"]["KeyId"]
    params = {
        "KeyId": key,
        "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
        "WrappingKeySpec": "RSA_2048",
    }
    assert post(server, "GetParametersForImport", json.dumps(params).encode()).status_code == 200
    assert post_cloudtrail(server, b"{}").status_code == 200

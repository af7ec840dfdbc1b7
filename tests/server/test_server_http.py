"""The server over HTTP with boto3: the control API, expiry by the server's clock, other moto
services and ``/moto-api/``, and the per-test reset of the ``kms_import_server`` fixture."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from kms_import_mock import generate_key_material, wrap_key_material


def control(url: str, path: str, body: object = None, method: str | None = None) -> tuple[int, Any]:
    data = (
        None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    )
    request = urllib.request.Request(
        f"{url}/_kms_import/{path}", data=data, method=method or ("GET" if data is None else "POST")
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Content-Type"] == "application/json"
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        with err:
            assert err.headers["Content-Type"] == "application/json"
            return err.code, json.load(err)


def error_code(call: Callable[..., Any], **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    code: str = info.value.response["Error"]["Code"]
    return code


def import_symmetric(kms: Any, key_id: str, **expiry: Any) -> None:
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    blob = wrap_key_material(
        params["PublicKey"], generate_key_material("SYMMETRIC_DEFAULT"), "RSAES_OAEP_SHA_256"
    )
    kms.import_key_material(
        KeyId=key_id, ImportToken=params["ImportToken"], EncryptedKeyMaterial=blob, **expiry
    )


def state(kms: Any, key_id: str) -> str:
    result: str = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    return result


def test_the_clock_endpoints(kms_import_server: str) -> None:
    status, clock = control(kms_import_server, "clock")
    assert status == 200 and clock["offset_seconds"] == 0
    status, moved = control(kms_import_server, "clock/advance", {"seconds": 3600})
    assert status == 200 and moved["offset_seconds"] == 3600
    assert moved["epoch"] - clock["epoch"] >= 3600
    status, set_ = control(kms_import_server, "clock/set", {"now": "2030-01-01T00:00:00Z"})
    assert status == 200 and set_["now"].startswith("2030-01-01T00:00:0")
    status, set_ = control(kms_import_server, "clock/set", {"now": 1893456000})  # 2030-01-01
    assert status == 200 and set_["now"].startswith("2030-01-01T00:00:0")
    assert control(kms_import_server, "reset", method="POST") == (200, {"status": "ok"})
    assert control(kms_import_server, "clock")[1]["offset_seconds"] == 0


@pytest.mark.parametrize(
    ("path", "body", "method", "status"),
    [
        ("clock/advance", {"seconds": -1}, None, 400),
        ("clock/advance", {"seconds": "1"}, None, 400),
        ("clock/advance", b"{not json", None, 400),
        ("clock/set", {"now": "yesterday"}, None, 400),
        ("clock/set", {}, None, 400),
        ("clock", None, "POST", 405),
        ("reset", None, "GET", 405),
        ("nothing-here", None, None, 404),
    ],
)
def test_control_errors_are_json_with_a_message(
    kms_import_server: str, path: str, body: object, method: str | None, status: int
) -> None:
    got, answer = control(kms_import_server, path, body, method)
    assert got == status
    assert set(answer) == {"message"} and answer["message"]
    assert control(kms_import_server, "clock")[1]["offset_seconds"] == 0  # nothing moved


def test_events_endpoint(kms_import_server: str, kms_client: Callable[..., Any]) -> None:
    kms = kms_client()
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    kms.get_parameters_for_import(
        KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    status, answer = control(kms_import_server, f"events?key_id={key['Arn']}")
    assert status == 200
    assert [e["eventName"] for e in answer["events"]] == [
        "CreateKey",
        "GetParametersForImport",
        "DeleteImportedKeyMaterial",
    ]
    assert answer["events"][1]["readOnly"] is True
    status, answer = control(kms_import_server, "events?name=ImportKeyMaterial")
    assert (status, answer) == (200, {"events": []})
    control(kms_import_server, "reset", {}, "POST")
    assert control(kms_import_server, "events")[1] == {"events": []}


def test_material_and_token_expire_by_the_servers_clock(
    kms_import_server: str, kms_client: Callable[..., Any]
) -> None:
    kms = kms_client()
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    now = dt.datetime.fromisoformat(control(kms_import_server, "clock")[1]["now"])
    import_symmetric(kms, key_id, ValidTo=now + dt.timedelta(days=1))
    assert state(kms, key_id) == "Enabled"
    kms.encrypt(KeyId=key_id, Plaintext=b"x")

    control(kms_import_server, "clock/advance", {"seconds": 2 * 86400})
    assert state(kms, key_id) == "PendingImport"
    assert error_code(kms.encrypt, KeyId=key_id, Plaintext=b"x") == "KMSInvalidStateException"

    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    control(kms_import_server, "clock/advance", {"seconds": 25 * 3600})
    blob = wrap_key_material(params["PublicKey"], b"\0" * 32, "RSAES_OAEP_SHA_256")
    code = error_code(
        kms.import_key_material,
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=blob,
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    assert code == "ExpiredImportTokenException"


def test_other_services_and_moto_api_are_served(kms_import_server: str) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=kms_import_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="kms-import-mock-server")
    s3.put_object(Bucket="kms-import-mock-server", Key="k", Body=b"v")
    assert s3.get_object(Bucket="kms-import-mock-server", Key="k")["Body"].read() == b"v"

    for path, body in (("seed?a=42", b""), ("reset", b"")):
        request = urllib.request.Request(
            f"{kms_import_server}/moto-api/{path}", data=body, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
    assert s3.list_buckets()["Buckets"] == []


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_starts_from_an_empty_server(
    kms_import_server: str, kms_client: Callable[..., Any], round_: int
) -> None:
    kms = kms_client()
    assert kms.list_keys()["Keys"] == []
    assert control(kms_import_server, "clock")[1]["offset_seconds"] == 0
    kms.create_key(Origin="EXTERNAL")
    control(kms_import_server, "clock/advance", {"seconds": 60})

"""Raw HTTP fuzzing against the server (issue 8 §1): malformed JSON, base64 and types.

Every KMS operation this project adds or changes, and CloudTrail ``LookupEvents``, against
EXTERNAL keys of several specs (symmetric multi-Region, HMAC, RSA, ECC key agreement). Every
answer is HTTP 200 or HTTP 400 with a JSON body ``{"__type": <known code>, "message"}``, never a
500 or a traceback, and a refused request changes no key.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import requests
from hypothesis import given
from hypothesis import strategies as st
from reliability_support import (
    CLOUDTRAIL_CODES,
    COUNTS,
    KNOWN_CODES,
    backend,
    check_error,
    fuzz_settings,
    snapshot,
)

from kms_import_mock import generate_key_material, wrap_key_material
from kms_import_mock.kms.shapes import service_model

#: Every KMS operation this project adds or changes, with its request members (botocore's model).
OPERATIONS = (
    "GetParametersForImport",
    "ImportKeyMaterial",
    "DeleteImportedKeyMaterial",
    "Encrypt",
    "Decrypt",
    "DescribeKey",
    "CreateKey",
    "RotateKeyOnDemand",
    "ListKeyRotations",
    "ReplicateKey",
    "Sign",
    "Verify",
    "GenerateMac",
    "VerifyMac",
    "GetPublicKey",
    "DeriveSharedSecret",
    "EnableKey",
    "DisableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "EnableKeyRotation",
    "GetKeyRotationStatus",
    "GenerateDataKey",
    "ReEncrypt",
)


def _members(service: str, operation: str) -> tuple[str, ...]:
    model = service_model(service)
    return tuple(model.operation_model(operation).input_shape.members)


MEMBERS: dict[str, tuple[str, ...]] = {op: _members("kms", op) for op in OPERATIONS}
HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "Authorization": (
        "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/kms/aws4_request, "
        "SignedHeaders=host, Signature=0"
    ),
}
CLOUDTRAIL_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
CLOUDTRAIL_HEADERS = dict(
    HEADERS, Authorization=HEADERS["Authorization"].replace("/kms/", "/cloudtrail/")
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
bad_base64 = st.sampled_from(["!!", "A", "AAA", "====", "AA==AA==", "é", " ", "\n", "AAAA\x00"])


def post(url: str, operation: str, body: bytes) -> requests.Response:
    headers = dict(HEADERS, **{"X-Amz-Target": f"TrentService.{operation}"})
    return requests.post(url, data=body, headers=headers, timeout=30)


def post_cloudtrail(url: str, body: bytes, operation: str = "LookupEvents") -> requests.Response:
    headers = dict(CLOUDTRAIL_HEADERS, **{"X-Amz-Target": f"{CLOUDTRAIL_TARGET}.{operation}"})
    return requests.post(url, data=body, headers=headers, timeout=30)


def check_answer(
    response: requests.Response, sent: str, known: frozenset[str] = KNOWN_CODES
) -> str | None:
    assert response.status_code in (200, 400), (response.status_code, response.text[:500])
    if response.status_code == 200:
        json.loads(response.text)
        return None
    body = json.loads(response.text)
    code = body["__type"]
    check_error(code, body.get("message", body.get("Message", "")), 400, sent=[sent], known=known)
    return str(code)


def _world(url: str) -> dict[str, Any]:
    def call(op: str, **payload: Any) -> Any:
        r = post(url, op, json.dumps(payload).encode())
        assert r.status_code == 200, r.text
        return r.json()

    sym = call("CreateKey", Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    params = call(
        "GetParametersForImport",
        KeyId=sym,
        WrappingAlgorithm="RSAES_OAEP_SHA_256",
        WrappingKeySpec="RSA_2048",
    )
    # EXTERNAL keys of several specs with material, so requests naming them reach our code.
    imported = []
    for spec, usage, multi_region in (
        ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", True),
        ("HMAC_256", "GENERATE_VERIFY_MAC", False),
        ("RSA_2048", "SIGN_VERIFY", False),
        ("ECC_NIST_P256", "KEY_AGREEMENT", False),
    ):
        key_id = call(
            "CreateKey", Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage, MultiRegion=multi_region
        )["KeyMetadata"]["KeyId"]
        algorithm = (
            "RSAES_OAEP_SHA_256"
            if spec in ("SYMMETRIC_DEFAULT", "HMAC_256")
            else ("RSA_AES_KEY_WRAP_SHA_256")
        )
        wrapping = call(
            "GetParametersForImport",
            KeyId=key_id,
            WrappingAlgorithm=algorithm,
            WrappingKeySpec="RSA_2048",
        )
        blob = wrap_key_material(
            base64.b64decode(wrapping["PublicKey"]), generate_key_material(spec), algorithm
        )
        call(
            "ImportKeyMaterial",
            KeyId=key_id,
            ImportToken=wrapping["ImportToken"],
            EncryptedKeyMaterial=base64.b64encode(blob).decode(),
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
        imported.append(key_id)
    ciphertext = call("Encrypt", KeyId=imported[0], Plaintext=base64.b64encode(b"x").decode())
    return {
        "key_id": sym,
        "token": params["ImportToken"],
        "public": params["PublicKey"],
        "imported": imported,
        "ciphertext": ciphertext["CiphertextBlob"],
    }


def test_raw_http_fuzz(inprocess_server: str) -> None:
    server = inprocess_server
    world = _world(server)
    good = st.sampled_from(
        [
            world["key_id"],
            *world["imported"],
            world["token"],
            world["public"],
            world["ciphertext"],
            "RSAES_OAEP_SHA_256",
            "RSA_2048",
            "EXTERNAL",
            "RSASSA_PSS_SHA_256",
            "HMAC_SHA_256",
            "ECDH",
            "AES_256",
            "eu-west-1",
            "ALL_KEY_MATERIAL",
            "bWVzc2FnZQ==",
        ]
    )

    def bodies(operation: str) -> st.SearchStrategy[bytes]:
        members = MEMBERS[operation]
        objects = st.dictionaries(
            st.sampled_from(members) | st.text(max_size=10),
            json_values | good | bad_base64,
            max_size=len(members) + 1,
        ).map(lambda d: json.dumps(d).encode())
        return st.one_of(
            objects,
            objects.flatmap(lambda b: st.integers(0, max(0, len(b) - 1)).map(lambda n: b[:n])),
            json_values.map(lambda v: json.dumps(v).encode()),
            st.binary(max_size=200),
            st.sampled_from([b"", b"{", b"null", b"[]", b'"x"', b"\xff\xfe{}", b"{}" * 3]),
        )

    @fuzz_settings(1.2)
    @given(data=st.data(), operation=st.sampled_from(sorted(MEMBERS)))
    def run(data: st.DataObject, operation: str) -> None:
        COUNTS[f"raw HTTP {operation}"] += 1
        body = data.draw(bodies(operation))
        before = snapshot(backend())
        response = post(server, operation, body)
        code = check_answer(response, body.decode("utf-8", "replace"))
        if code is not None:
            assert snapshot(backend()) == before, code
        elif operation in ("DisableKey", "ScheduleKeyDeletion"):
            restore()

    def restore() -> None:
        """Undo a successful DisableKey/ScheduleKeyDeletion so later bodies see usable keys."""
        for key_id in (world["key_id"], *world["imported"]):
            post(server, "CancelKeyDeletion", json.dumps({"KeyId": key_id}).encode())
            post(server, "EnableKey", json.dumps({"KeyId": key_id}).encode())

    run()
    # The token survived everything above.
    r = post(
        server,
        "ImportKeyMaterial",
        json.dumps(
            {
                "KeyId": world["key_id"],
                "ImportToken": world["token"],
                "EncryptedKeyMaterial": base64.b64encode(b"\x00" * 8).decode(),
                "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
            }
        ).encode(),
    )
    assert r.json()["__type"] == "InvalidCiphertextException", r.text


def test_raw_http_fuzz_lookup_events(inprocess_server: str) -> None:
    """CloudTrail LookupEvents (ours) over raw HTTP: HTTP 200 or a CloudTrail 400, and looking
    up never changes anything."""
    server = inprocess_server
    _world(server)  # some events to find
    members = _members("cloudtrail", "LookupEvents")
    first = json.loads(post_cloudtrail(server, b'{"MaxResults": 1}').text)
    good = st.sampled_from(
        [first["NextToken"], "insight", "EventName", "ImportKeyMaterial", 1, 50, 1.0e9]
    )
    attributes = st.lists(
        st.dictionaries(
            st.sampled_from(["AttributeKey", "AttributeValue"]) | st.text(max_size=5),
            json_values | st.sampled_from(["EventName", "ReadOnly", "GetParametersForImport"]),
            max_size=3,
        ),
        max_size=3,
    )
    objects = st.dictionaries(
        st.sampled_from(members) | st.text(max_size=10),
        json_values | good | attributes,
        max_size=len(members) + 1,
    ).map(lambda d: json.dumps(d).encode())
    bodies = st.one_of(
        objects,
        objects.flatmap(lambda b: st.integers(0, max(0, len(b) - 1)).map(lambda n: b[:n])),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=200),
        st.sampled_from([b"", b"{", b"null", b"[]", b"\xff\xfe{}", b'{"MaxResults": NaN}']),
    )

    @fuzz_settings(0.5)
    @given(body=bodies)
    def run(body: bytes) -> None:
        COUNTS["raw HTTP LookupEvents"] += 1
        before = snapshot(backend())
        response = post_cloudtrail(server, body)
        check_answer(response, body.decode("utf-8", "replace"), CLOUDTRAIL_CODES)
        assert snapshot(backend()) == before

    run()


def test_empty_bodies_are_validation_errors(server: str) -> None:
    for op in ("GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial"):
        response = post(server, op, b"{}")
        assert check_answer(response, "") == "ValidationException"


def test_lookup_events_malformed_bodies_are_400(inprocess_server: str) -> None:
    """LookupEvents answered HTTP 500 with a traceback for these bodies (wrong JSON types, a
    body that is not a JSON object or not UTF-8, a time beyond any float)."""
    expected = {
        b'{"MaxResults":"x"}': "SerializationException",
        b'{"MaxResults":1e400}': "SerializationException",
        b'{"NextToken":5}': "SerializationException",
        b'{"LookupAttributes":"x"}': "SerializationException",
        b'{"LookupAttributes":["x"]}': "SerializationException",
        b"[]": "SerializationException",
        b"\xff\xfe{}": "SerializationException",
        b'{"StartTime":1' + b"0" * 400 + b"}": "InvalidTimeRangeException",
        b'{"LookupAttributes":[{"AttributeKey":"Color","AttributeValue":"x"}]}': (
            "InvalidLookupAttributesException"
        ),
    }
    for body, code in expected.items():
        response = post_cloudtrail(inprocess_server, body)
        sent = body.decode("utf-8", "replace")
        assert check_answer(response, sent, CLOUDTRAIL_CODES) == code, body
    assert post_cloudtrail(inprocess_server, b"{}").status_code == 200


def test_non_finite_integers_are_serialization_errors(inprocess_server: str) -> None:
    """1e400 (a float overflow), Infinity and NaN for an integer member made the type check
    itself raise OverflowError/ValueError (HTTP 500)."""
    for number in ("1e400", "-1e400", "Infinity", "NaN"):
        body = f'{{"KeyId": "alias/none", "Limit": {number}}}'
        response = post(inprocess_server, "ListKeyRotations", body.encode())
        assert check_answer(response, body) == "SerializationException", response.text

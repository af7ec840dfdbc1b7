"""CloudTrail-shaped audit events of the import lifecycle: shapes, no secrets,
once-per-expiry, filters (every other KMS call: tests/kms/test_audit_trail.py)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest
import time_machine

from kms_import_mock import generate_key_material, mock_kms_import, wrap_key_material
from kms_import_mock.kms.events import list_events
from tests.helpers import aws_error, key_state

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
COMMON = {
    "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
    "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "eventID",
    "readOnly", "resources", "eventType", "managementEvent", "recipientAccountId", "eventCategory",
}  # fmt: skip


@pytest.fixture
def m():
    # The process clock stands still at T0 (only ``m.advance`` moves time), so eventTime and
    # ValidTo comparisons do not depend on how long the machine takes between two calls.
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


_LIFECYCLE = frozenset(
    {
        "GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial",
        "RotateKeyOnDemand", "DeleteExpiredKeyMaterial", "RotateKey",
    }
)  # fmt: skip


def _key(kms, **kwargs):
    return kms.create_key(Origin="EXTERNAL", **kwargs)["KeyMetadata"]


def _params(kms, key_id, algorithm="RSAES_OAEP_SHA_256"):
    return kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_2048"
    )


def _import(kms, key_id, params, material, **kwargs):
    blob = wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256")
    kwargs = kwargs or {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
    return kms.import_key_material(
        KeyId=key_id, ImportToken=params["ImportToken"], EncryptedKeyMaterial=blob, **kwargs
    )


def _assert_common(event, name, arn, event_type="AwsApiCall"):
    assert event.keys() >= COMMON
    assert event["eventVersion"] == "1.11"
    assert event["eventSource"] == "kms.amazonaws.com"
    assert event["eventName"] == name
    assert event["eventType"] == event_type
    assert TIME.match(event["eventTime"])
    assert event["awsRegion"] == arn.split(":")[3]
    assert event["recipientAccountId"] == arn.split(":")[4]
    assert event["eventCategory"] == "Management"
    assert event["managementEvent"] is True
    assert re.fullmatch(r"[0-9a-f-]{36}", event["eventID"])
    assert event["resources"] == [
        {"accountId": arn.split(":")[4], "type": "AWS::KMS::Key", "ARN": arn}
    ]


def test_get_parameters_for_import_event(m):
    kms = m.client()
    meta = _key(kms)
    _params(kms, meta["KeyId"])
    [event] = m.events("GetParametersForImport")
    _assert_common(event, "GetParametersForImport", meta["Arn"])
    assert event["readOnly"] is True
    assert event["responseElements"] is None
    assert event["requestParameters"] == {
        "keyId": meta["KeyId"],
        "wrappingAlgorithm": "RSAES_OAEP_SHA_256",
        "wrappingKeySpec": "RSA_2048",
    }
    assert event["eventTime"] == "2030-05-01T12:00:00Z"
    identity = event["userIdentity"]
    assert identity["accountId"] == "123456789012"
    assert identity["type"] == "IAMUser" and identity["userName"] == "moto"
    assert identity["accessKeyId"]
    assert "serviceEventDetails" not in event


def test_import_key_material_event_request_and_response_elements(m):
    kms = m.client()
    meta = _key(kms)
    params = _params(kms, meta["Arn"])
    valid_to = dt.datetime(2030, 5, 21, 5, 47, 45, tzinfo=UTC)
    material = generate_key_material()
    response = _import(
        kms, meta["Arn"], params, material,
        ValidTo=valid_to, ExpirationModel="KEY_MATERIAL_EXPIRES",
        ImportType="NEW_KEY_MATERIAL", KeyMaterialDescription="first one",
    )  # fmt: skip
    [event] = m.events("ImportKeyMaterial")
    _assert_common(event, "ImportKeyMaterial", meta["Arn"])
    assert event["readOnly"] is False
    assert event["requestParameters"] == {
        "keyId": meta["Arn"],
        "validTo": "May 21, 2030, 5:47:45 AM",  # CloudTrail's human-readable form
        "expirationModel": "KEY_MATERIAL_EXPIRES",
        "importType": "NEW_KEY_MATERIAL",
        "keyMaterialDescription": "first one",
    }
    assert event["responseElements"] == {
        "keyId": meta["Arn"],
        "keyMaterialId": response["KeyMaterialId"],
    }


def test_afternoon_valid_to_is_pm():
    from kms_import_mock.kms.events import _human_time

    when = dt.datetime(2030, 12, 1, 17, 5, 9, tzinfo=UTC).timestamp()
    assert _human_time(when) == "Dec 1, 2030, 5:05:09 PM"
    noon = dt.datetime(2030, 12, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    assert _human_time(noon) == "Dec 1, 2030, 12:00:00 PM"


def test_delete_imported_key_material_event(m):
    kms = m.client()
    meta = _key(kms)
    material_id = _import(kms, meta["KeyId"], _params(kms, meta["KeyId"]), generate_key_material())[
        "KeyMaterialId"
    ]
    kms.delete_imported_key_material(KeyId=meta["KeyId"], KeyMaterialId=material_id)
    [event] = m.events("DeleteImportedKeyMaterial")
    _assert_common(event, "DeleteImportedKeyMaterial", meta["Arn"])
    assert event["readOnly"] is False
    assert event["requestParameters"] == {"keyId": meta["KeyId"], "keyMaterialId": material_id}
    assert event["responseElements"] == {"keyId": meta["Arn"], "keyMaterialId": material_id}


def test_rotate_key_on_demand_api_event_is_recorded_generically(m):
    kms = m.client()
    meta = kms.create_key()["KeyMetadata"]  # moto's own RotateKeyOnDemand, any key
    kms.rotate_key_on_demand(KeyId=meta["KeyId"])
    [event] = m.events("RotateKeyOnDemand")
    _assert_common(event, "RotateKeyOnDemand", meta["Arn"])
    assert event["requestParameters"] == {"keyId": meta["KeyId"]}
    assert event["responseElements"] == {"keyId": meta["Arn"]}
    assert event["readOnly"] is False


def test_refused_requests_are_recorded_with_their_error(m):
    kms = m.client()
    meta = _key(kms)
    plain = kms.create_key()["KeyMetadata"]
    aws_error(_params, kms, meta["KeyId"], "RSA_AES_KEY_WRAP_SHA_256")
    aws_error(_params, kms, plain["KeyId"])
    params = _params(kms, meta["KeyId"])
    material = generate_key_material()
    aws_error(_import, kms, meta["KeyId"], params, material, ValidTo=T0 - dt.timedelta(days=1))
    aws_error(_import, kms, meta["KeyId"], params, b"x" * 31)
    m.advance(dt.timedelta(hours=24))
    aws_error(_import, kms, meta["KeyId"], params, material)
    aws_error(kms.delete_imported_key_material, KeyId=plain["KeyId"])
    aws_error(kms.rotate_key_on_demand, KeyId="0" * 8 + "-0000-0000-0000-" + "0" * 12)
    lifecycle = [e for e in m.events() if e["eventName"] in _LIFECYCLE]
    assert [(e["eventName"], e.get("errorCode")) for e in lifecycle] == [
        ("GetParametersForImport", "ValidationException"),
        ("GetParametersForImport", "UnsupportedOperationException"),
        ("GetParametersForImport", None),
        ("ImportKeyMaterial", "ValidationException"),
        ("ImportKeyMaterial", "IncorrectKeyMaterialException"),
        ("ImportKeyMaterial", "ExpiredImportTokenException"),
        ("DeleteImportedKeyMaterial", "UnsupportedOperationException"),
        ("RotateKeyOnDemand", "NotFoundException"),
    ]
    assert all(e["errorMessage"] for e in lifecycle if "errorCode" in e)
    assert all(e["responseElements"] is None for e in lifecycle if "errorCode" in e)


def test_no_secrets_in_any_record(m):
    kms = m.client()
    meta = _key(kms)
    params = _params(kms, meta["KeyId"])
    material = generate_key_material()
    blob = wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256")
    kms.import_key_material(
        KeyId=meta["KeyId"], ImportToken=params["ImportToken"], EncryptedKeyMaterial=blob,
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )  # fmt: skip
    kms.delete_imported_key_material(KeyId=meta["KeyId"])
    text = json.dumps(m.events())
    for secret in (params["ImportToken"], params["PublicKey"], blob, material):
        for form in (base64.b64encode(secret).decode(), secret.hex()):
            assert form[:40] not in text
    for name in ("importToken", "encryptedKeyMaterial", "publicKey", "ImportToken", "PublicKey"):
        assert name not in text


def _expiring_key(m, kms, days):
    meta = _key(kms)
    material = generate_key_material()
    response = _import(
        kms, meta["KeyId"], _params(kms, meta["KeyId"]), material,
        ValidTo=m.now() + dt.timedelta(days=days),
    )  # fmt: skip
    return meta, material, response["KeyMaterialId"]


def test_delete_expired_key_material_once_per_expiry_at_valid_to(m):
    kms = m.client()
    meta, material, material_id = _expiring_key(m, kms, days=3)
    m.advance(dt.timedelta(days=10))  # noticed a week late
    for _ in range(3):
        assert key_state(kms, meta["KeyId"]) == "PendingImport"
        m.events()
    [event] = m.events("DeleteExpiredKeyMaterial")
    _assert_common(event, "DeleteExpiredKeyMaterial", meta["Arn"], "AwsServiceEvent")
    assert event["eventTime"] == "2030-05-04T12:00:00Z"  # the ValidTo, not the detection time
    assert event["serviceEventDetails"] == {"keyId": meta["KeyId"], "keyMaterialId": material_id}
    assert event["userIdentity"] == {"accountId": "123456789012", "invokedBy": "AWS Internal"}
    assert event["sourceIPAddress"] == event["userAgent"] == "AWS Internal"
    assert event["requestParameters"] is None and event["responseElements"] is None
    assert event["readOnly"] is False


def test_expiry_is_noticed_by_events_alone(m):
    kms = m.client()
    _expiring_key(m, kms, days=1)
    m.advance(dt.timedelta(days=2))
    assert len(m.events("DeleteExpiredKeyMaterial")) == 1  # no KMS call in between


def test_each_expiry_is_recorded_and_stale_schedules_are_not(m):
    kms = m.client()
    meta, material, _ = _expiring_key(m, kms, days=5)
    # Reimport before expiry moves ValidTo to day 2: only the new ValidTo expires.
    _import(
        kms, meta["KeyId"], _params(kms, meta["KeyId"]), material,
        ValidTo=m.now() + dt.timedelta(days=2),
    )  # fmt: skip
    m.advance(dt.timedelta(days=6))
    assert [e["eventTime"] for e in m.events("DeleteExpiredKeyMaterial")] == [
        "2030-05-03T12:00:00Z"
    ]
    # Reimport after expiry and let it expire again: a second event.
    _import(
        kms, meta["KeyId"], _params(kms, meta["KeyId"]), material,
        ValidTo=m.now() + dt.timedelta(days=1),
    )  # fmt: skip
    m.advance(dt.timedelta(days=1, seconds=1))
    assert [e["eventTime"] for e in m.events("DeleteExpiredKeyMaterial")] == [
        "2030-05-03T12:00:00Z",
        "2030-05-08T12:00:00Z",
    ]


def test_events_are_oldest_first_with_expiry_placed_at_valid_to(m):
    kms = m.client()
    meta, _, _ = _expiring_key(m, kms, days=1)
    m.advance(dt.timedelta(days=3))
    other = _key(kms)
    _params(kms, other["KeyId"])  # this call notices the expiry first, then is recorded
    names = [(e["eventName"], e["eventTime"]) for e in m.events() if e["eventName"] in _LIFECYCLE]
    assert names == [
        ("GetParametersForImport", "2030-05-01T12:00:00Z"),
        ("ImportKeyMaterial", "2030-05-01T12:00:00Z"),
        ("DeleteExpiredKeyMaterial", "2030-05-02T12:00:00Z"),
        ("GetParametersForImport", "2030-05-04T12:00:00Z"),
    ]


def test_rotate_key_service_event_through_the_backend_hook(m):
    from moto.kms.models import kms_backends

    kms = m.client()
    meta = _key(kms)
    backend = kms_backends["123456789012"]["us-east-1"]
    key = backend.keys[meta["KeyId"]]
    previous, current = "a" * 64, "b" * 64
    backend.on_key_rotated(key, previous, current)
    [event] = m.events("RotateKey")
    _assert_common(event, "RotateKey", meta["Arn"], "AwsServiceEvent")
    assert event["serviceEventDetails"] == {
        "rotationType": "ON_DEMAND",
        "keyOrigin": "EXTERNAL",
        "previousKeyMaterialId": previous,
        "currentKeyMaterialId": current,
        "keyId": meta["KeyId"],
    }
    assert event["userIdentity"]["invokedBy"] == "AWS Internal"
    assert event["eventTime"] == "2030-05-01T12:00:00Z"


def test_filters_by_name_and_key_id_or_arn(m):
    kms = m.client()
    a, b = _key(kms), _key(kms)
    _params(kms, a["KeyId"])
    _params(kms, b["KeyId"])
    _import(kms, a["KeyId"], _params(kms, a["KeyId"]), generate_key_material())
    assert len(m.events(key_id=a["KeyId"])) == 4  # CreateKey too
    assert m.events(key_id=a["Arn"]) == m.events(key_id=a["KeyId"])
    assert len(m.events("GetParametersForImport", key_id=a["KeyId"])) == 2
    assert len(m.events("GetParametersForImport")) == 3
    assert m.events("NoSuchEvent") == []
    assert m.events() == list_events()


def test_events_span_regions_and_are_copies(m):
    east, west = m.client("us-east-1"), m.client("eu-west-1")
    _params(east, _key(east)["KeyId"])
    _params(west, _key(west)["KeyId"])
    events = m.events("GetParametersForImport")
    assert [e["awsRegion"] for e in events] == ["us-east-1", "eu-west-1"]
    m.events()[0]["eventName"] = "changed"
    assert m.events()[0]["eventName"] == "CreateKey"


def test_moto_reset_and_a_new_mock_clear_events(m):
    from moto.kms.models import kms_backends

    kms = m.client()
    _params(kms, _key(kms)["KeyId"])
    kms_backends["123456789012"]["us-east-1"].reset()
    assert m.events() == []
    _params(kms, _key(kms)["KeyId"])
    m.stop()
    m.start()
    assert m.events() == []

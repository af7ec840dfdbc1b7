"""Server mode: every call in the control API's events and LookupEvents, GetKeyLastUsage, and
KMS's EventBridge events delivered to an SQS target of the server."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from tests.helpers import aws_error, kms_model_has_operation
from tests.services.service_helpers import endpoint_client


def _events(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/_kms_import/events", timeout=30) as reply:
        body = json.load(reply)
    return list(body["events"] if isinstance(body, dict) else body)


def _advance(url: str, seconds: float) -> None:
    request = urllib.request.Request(
        f"{url}/_kms_import/clock/advance",
        data=json.dumps({"seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 200


def _queue_for(url: str, name: str, pattern: dict[str, Any]) -> tuple[Any, str]:
    """An SQS queue behind a rule of the served default bus: (sqs client, queue URL)."""
    sqs = endpoint_client("sqs", url)
    bus = endpoint_client("events", url)
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    bus.put_rule(Name=name, EventPattern=json.dumps(pattern))
    bus.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    return sqs, queue


def _bodies(sqs: Any, queue: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_refused_decrypt_and_last_usage_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret over http")["CiphertextBlob"]
    encrypted = _events(kms_import_server)[-1]
    kms.disable_key(KeyId=key["KeyId"])
    assert aws_error(kms.decrypt, CiphertextBlob=blob)[0] == "DisabledException"
    refused = [e for e in _events(kms_import_server) if e.get("errorCode")]
    assert [(e["eventName"], e["errorCode"]) for e in refused] == [
        ("Decrypt", "DisabledException")
    ]
    assert refused[0]["resources"][0]["ARN"] == key["Arn"]
    assert "c2VjcmV0IG92ZXIgaHR0cA" not in json.dumps(_events(kms_import_server))
    trail = endpoint_client("cloudtrail", kms_import_server)
    if not kms_model_has_operation("GetKeyLastUsage"):  # botocore older than 1.42.97
        names = [e["EventName"] for e in trail.lookup_events()["Events"]]
        assert names[:2] == ["Decrypt", "DisableKey"]
        return
    last = kms.get_key_last_usage(KeyId=key["KeyId"])["KeyLastUsage"]
    assert last["Operation"] == "Encrypt"
    assert last["CloudTrailEventId"] == encrypted["eventID"]
    names = [e["EventName"] for e in trail.lookup_events()["Events"]]
    assert names[:3] == ["GetKeyLastUsage", "Decrypt", "DisableKey"]


def test_expiration_event_reaches_sqs_over_http(kms_import_server: str) -> None:
    from kms_import_mock import generate_key_material, wrap_key_material

    kms = endpoint_client("kms", kms_import_server)
    sqs, url = _queue_for(kms_import_server, "served-kms-events", {"source": ["aws.kms"]})
    meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    params = kms.get_parameters_for_import(
        KeyId=meta["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    material = generate_key_material()
    kms.import_key_material(
        KeyId=meta["KeyId"], ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256"),
        ValidTo=params["ParametersValidTo"],
    )  # fmt: skip
    _advance(kms_import_server, 2 * 86400)
    kms.describe_key(KeyId=meta["KeyId"])  # noticed again: still one event
    bodies = _bodies(sqs, url)
    assert [b["detail-type"] for b in bodies] == ["KMS Imported Key Material Expiration"]
    assert bodies[0]["resources"] == [meta["Arn"]]


def test_key_deletion_completes_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    sqs, url = _queue_for(kms_import_server, "gone", {"detail-type": ["KMS CMK Deletion"]})
    meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
    _advance(kms_import_server, 8 * 86400)
    assert aws_error(kms.describe_key, KeyId=meta["KeyId"])[0] == "NotFoundException"
    bodies = _bodies(sqs, url)
    assert [(b["detail-type"], b["detail"]) for b in bodies] == [
        ("KMS CMK Deletion", {"key-id": meta["KeyId"]})
    ]
    names = [e["eventName"] for e in _events(kms_import_server)]
    assert names.count("DeleteKey") == 1


def test_automatic_rotation_over_http(kms_import_server: str) -> None:
    kms = endpoint_client("kms", kms_import_server)
    sqs, url = _queue_for(kms_import_server, "turn", {"detail-type": ["KMS CMK Rotation"]})
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    _advance(kms_import_server, 91 * 86400)
    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["AUTOMATIC"]
    details = [b["detail"] for b in _bodies(sqs, url)]
    assert [(d["key-id"], d["rotation-type"]) for d in details] == [(key_id, "AUTOMATIC")]

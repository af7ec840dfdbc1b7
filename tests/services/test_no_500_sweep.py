"""No patched operation answers a 500 or raises a Python exception, whatever the key's state.

Every moto attribute any integrated service patches is listed in ``sweep_scenarios.COVERS``
with a call that reaches it (a new patch fails :func:`test_the_table_covers_every_patch` until
it is added there). With the key disabled, pending deletion, pending import (material deleted),
with its material expired and once it is deleted, each call is made through boto3 with
plausible arguments; the answer must be AWS-shaped: a success, or a ClientError whose code
botocore's model lists for that operation (or a KMS code the service passes through), with the
HTTP status of that error shape or a 4xx.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from kms_import_mock import mock_kms_import
from kms_import_mock.services import registry
from kms_import_mock.services.patching import Patches
from tests.services.service_helpers import endpoint_client, imported_key, streams_client
from tests.services.sweep_scenarios import COVERS, SCENARIOS, Call, Client, Key
from tests.services.test_lambda import NO_DOCKER

#: How each unusable state is reached from a usable key (the expired one by the clock).
BREAK: dict[str, Callable[[Any, str], None]] = {
    "disabled": lambda kms, key_id: kms.disable_key(KeyId=key_id),
    "pending-deletion": lambda kms, key_id: kms.schedule_key_deletion(
        KeyId=key_id, PendingWindowInDays=7
    ),
    "material-deleted": lambda kms, key_id: kms.delete_imported_key_material(KeyId=key_id),
    "material-expired": lambda kms, key_id: None,
    "key-deleted": lambda kms, key_id: kms.schedule_key_deletion(
        KeyId=key_id, PendingWindowInDays=7
    ),
}
#: How far the clock moves after the key is broken: past the caches, or past the deletion.
LATER = {"key-deleted": dt.timedelta(days=8)}


def _patched() -> set[str]:
    """``service: owner.attribute`` of everything the services install, read from Patches."""
    found: set[str] = set()
    for service in registry.INTEGRATED:
        patches = Patches()
        try:
            registry.install(service, patches)
            for owner, name, _before in patches._saved:
                label = getattr(owner, "__qualname__", None) or owner.__name__
                found.add(f"{service}: {label}.{name}")
        finally:
            patches.restore()
    return found


def test_the_table_covers_every_patch() -> None:
    patched = _patched()
    assert sorted(patched - set(COVERS)) == [], "add these to sweep_scenarios.COVERS"
    assert sorted(set(COVERS) - patched) == [], "no longer patched: drop from COVERS"


def _allowed(client: Any, operation: str) -> dict[str, int | None]:
    """The error codes botocore's model lists for the operation, with their HTTP status."""
    model = client.meta.service_model.operation_model(operation)
    codes: dict[str, int | None] = {}
    for shape in model.error_shapes:
        error = shape.metadata.get("error", {})
        status = error.get("httpStatusCode")
        codes[shape.name] = status
        if error.get("code"):
            codes[error["code"]] = status
    return codes


#: AWS's common errors, which any operation of the JSON and query services may answer (4xx).
COMMON = {
    "AccessDeniedException", "ValidationException", "ValidationError", "InvalidParameterValue",
    "InvalidParameterCombination", "MissingParameter", "ThrottlingException",
}


#: Codes newer botocore models list that the supported floor's lacks (the mock answers AWS's
#: code whatever botocore is installed): Redshift's DependentServiceAccessDeniedFault, and
#: Lambda's KMS errors for InvokeAsync (the floor lists them for Invoke only).
#: Each with the HTTP status those models give it.
NEWER_MODELS = {
    ("redshift", "DependentServiceAccessDenied"): 403,
    **{("lambda", code): 502 for code in ("KMSDisabledException", "KMSInvalidStateException",
                                          "KMSNotFoundException", "KMSAccessDeniedException")},
}  # fmt: skip


def _passthrough(service: str, code: str) -> bool:
    """A code AWS answers that no operation's model lists: S3's ``KMS.<code>``, the common
    errors, and EC2's (botocore models no EC2 error at all)."""
    if (service, code) in NEWER_MODELS:
        return True
    return (service == "s3" and code.startswith("KMS.")) or code in COMMON or service == "ec2"


def check(client: Any, service: str, operation: str, arguments: dict[str, Any]) -> str:
    """Make one call; return ``ok`` or the error code, after checking the answer's shape."""
    try:
        result = getattr(client, xform_name(operation))(**arguments)
        if operation == "GetObject":
            result["Body"].read()
        if operation == "SelectObjectContent":
            list(result["Payload"])
        return "ok"
    except ClientError as error:
        code = error.response["Error"]["Code"]
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        allowed = _allowed(client, operation)
        where = f"{service}.{operation} -> {status} {code}: {error}"
        assert code in allowed or _passthrough(service, code), where
        expected = allowed.get(code) or NEWER_MODELS.get((service, code))
        assert status == expected if expected else 400 <= status < 500, where
        return str(code)


#: Reads of protected data: refused in every unusable state (the sweep is not all successes).
MUST_REFUSE = {
    "s3.GetObject", "s3.SelectObjectContent", "secretsmanager.GetSecretValue", "ssm.GetParameter",
    "sqs.ReceiveMessage", "dynamodb.GetItem", "kinesis.GetRecords", "lambda.Invoke",
}


def sweep(
    c: Client, kms: Any, key: Key, state: str, groups: list[str], later: Any
) -> dict[str, set[str]]:
    """Set up every group under the usable key, break the key, make every call; the answers
    (``ok`` or the error code) by ``service.Operation``."""
    made = {group: SCENARIOS[group][0](c, key) for group in groups}
    BREAK[state](kms, key.key_id)
    later()  # past the services' data-key caches (and, when it expires, the material)
    called: dict[str, set[str]] = {}
    problems: list[str] = []
    for group in groups:
        calls: list[Call] = SCENARIOS[group][1](made[group])
        for service, operation, arguments in calls:
            try:
                answer = check(c(service), service, operation, arguments)
            except AssertionError as problem:
                problems.append(str(problem).splitlines()[0])
                answer = "malformed"
            called.setdefault(f"{service}.{operation}", set()).add(answer)
    assert problems == []
    return called


@pytest.mark.parametrize("state", list(BREAK))
def test_in_process(state: str) -> None:
    with mock_kms_import(config=NO_DOCKER) as m:
        expires = dt.timedelta(minutes=30) if state == "material-expired" else None
        imported = m.create_imported_key(valid_to=expires)
        clients: dict[tuple[str, str], Any] = {}

        def c(service: str, region: str = "us-east-1") -> Any:
            if (service, region) not in clients:
                clients[service, region] = (
                    streams_client() if service == "dynamodbstreams"
                    else boto3.client(service, region_name=region)
                )
            return clients[service, region]

        called = sweep(
            c, m.client(), Key(imported.key_id, imported.arn), state, list(SCENARIOS),
            lambda: m.advance(LATER.get(state, dt.timedelta(hours=1))),
        )
        assert set(COVERS.values()) <= set(called)
        refused = {name for name in MUST_REFUSE if "ok" not in called[name]}
        assert refused == MUST_REFUSE


#: Over HTTP: this branch's services (the others have their own server-mode state tests).
SERVER_GROUPS = ["s3", "secrets", "sqs"]


@pytest.mark.parametrize("state", ["disabled", "material-deleted"])
def test_over_http(kms_import_server: str, state: str) -> None:
    import json
    import urllib.request

    kms = endpoint_client("kms", kms_import_server)
    key_id, arn, _material = imported_key(kms)

    def c(service: str, region: str = "us-east-1") -> Any:
        return endpoint_client(service, kms_import_server, region)

    def later() -> None:
        body = json.dumps({"seconds": 3600}).encode()
        request = urllib.request.Request(
            f"{kms_import_server}/_kms_import/clock/advance", data=body, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200

    called = sweep(c, kms, Key(key_id, arn), state, SERVER_GROUPS, later)
    mine = {"s3.GetObject", "s3.SelectObjectContent", "secretsmanager.GetSecretValue",
            "ssm.GetParameter", "sqs.ReceiveMessage"}
    assert {name for name in mine if "ok" not in called[name]} == mine

"""InvokeAsync (deprecated, still served) of a function whose environment variables are under an
unusable ``KMSKeyArn``: Lambda's KMS errors with HTTP 502, as for Invoke, and the function is not
run; 202 again once the key is usable. With moto's docker-less Lambda, and over HTTP."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import pathlib
import zipfile
from typing import Any

import boto3
import botocore
import pytest
import time_machine
from botocore.exceptions import ClientError
from moto.awslambda.models import LambdaFunction

from kms_import_mock import mock_kms_import
from kms_import_mock.services import awslambda as lambda_service
from tests.services.service_helpers import endpoint_client
from tests.services.test_lambda import MATERIAL, NO_DOCKER, ONE_ATTEMPT, T0


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import(config=NO_DOCKER) as handle:
        yield handle


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions moto ran. moto's InvokeAsync runs the code in Docker even
    with the docker-less Lambda; here a run is recorded and answers its event instead."""
    ran: list[str] = []

    def run(self: Any, event: Any = None) -> tuple[str, bool, str]:
        ran.append(self.function_name)
        return json.dumps(event), False, ""

    monkeypatch.setattr(LambdaFunction, "_invoke_lambda", run)
    return ran


def _lambda(url: str | None = None) -> Any:
    if url is not None:
        return endpoint_client("lambda", url)
    return boto3.client("lambda", region_name="us-east-1", config=ONE_ATTEMPT)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _function(client: Any, iam: Any, key_ref: str | None = None, name: str = "fn") -> str:
    try:
        role = iam.get_role(RoleName="runner")["Role"]["Arn"]
    except ClientError:
        role = iam.create_role(RoleName="runner", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    spec: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": role,
        "Handler": "index.handler",
        "Code": {"ZipFile": _zip()},
        "Environment": {"Variables": {"SECRET": "s"}},
    }
    if key_ref:
        spec["KMSKeyArn"] = key_ref
    arn: str = client.create_function(**spec)["FunctionArn"]
    return arn


def _iam() -> Any:
    return boto3.client("iam", region_name="us-east-1")


def _async(client: Any, name: str = "fn") -> int:
    status: int = client.invoke_async(FunctionName=name, InvokeArgs=b'{"ping": 1}')["Status"]
    return status


def _refused(client: Any, name: str = "fn") -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        client.invoke_async(FunctionName=name, InvokeArgs=b"{}")
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 502
    return response["Error"]["Code"], response["Error"].get("Message", "")


def _lambda_events(m: Any, name: str | None = None) -> list[dict[str, Any]]:
    return [
        e for e in m.events(name) if e["userIdentity"].get("invokedBy") == "lambda.amazonaws.com"
    ]


def test_the_lambda_model_lists_the_kms_errors_for_invoke_async_too():
    data = pathlib.Path(botocore.__file__).parent / "data" / "lambda" / "2015-03-31"
    model = json.loads(gzip.decompress((data / "service-2.json.gz").read_bytes()))
    operation = model["operations"]["InvokeAsync"]
    assert operation["deprecated"] is True and operation["http"]["responseCode"] == 202
    codes = set(lambda_service.LAMBDA_CODES.values())
    assert codes <= {e["shape"] for e in model["operations"]["Invoke"]["errors"]}
    assert {model["shapes"][code]["error"]["httpStatusCode"] for code in codes} == {502}
    # Current models list them for InvokeAsync too; the supported floor's (botocore 1.40.46)
    # lists none of them there yet.
    assert codes & {e["shape"] for e in operation["errors"]} in (set(), codes)


def test_invoke_async_needs_the_key_and_runs_nothing_until_it_is_usable(m, runs):
    key = m.create_imported_key(key_material=MATERIAL)
    arn = _function(_lambda(), _iam(), key.key_id)
    assert _async(_lambda()) == 202 and runs == ["fn"]
    (generated,) = _lambda_events(m, "GenerateDataKey")
    assert generated["requestParameters"]["encryptionContext"] == {"aws:lambda:FunctionArn": arn}

    m.client().disable_key(KeyId=key.key_id)
    code, message = _refused(_lambda())
    assert code == "KMSDisabledException"
    assert message.startswith("Lambda couldn't decrypt the environment variables because")
    assert f"{key.arn} is disabled." in message
    assert runs == ["fn"]  # the refused call ran nothing

    m.client().enable_key(KeyId=key.key_id)
    assert _async(_lambda()) == 202 and runs == ["fn", "fn"]


def test_every_unusable_state_and_an_unknown_key(m, runs):
    key = m.create_imported_key(key_material=MATERIAL, valid_to=dt.timedelta(hours=1))
    _function(_lambda(), _iam(), key.key_id)
    _function(
        _lambda(),
        _iam(),
        "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000",
        name="lost",
    )
    m.client().delete_imported_key_material(KeyId=key.key_id)
    code, message = _refused(_lambda())
    assert code == "KMSInvalidStateException" and f"{key.arn} is pending import." in message
    m.import_key_material(key.key_id, MATERIAL, valid_to=dt.timedelta(hours=1))
    assert _async(_lambda()) == 202
    m.advance(dt.timedelta(hours=2))  # the material expired
    assert _refused(_lambda())[0] == "KMSInvalidStateException"
    m.import_key_material(key.key_id, MATERIAL)
    m.client().schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
    assert _refused(_lambda())[0] == "KMSInvalidStateException"
    assert _refused(_lambda(), "lost")[0] == "KMSNotFoundException"
    assert runs == ["fn"]
    m.client().cancel_key_deletion(KeyId=key.key_id)
    m.client().enable_key(KeyId=key.key_id)
    assert _async(_lambda()) == 202 and runs == ["fn", "fn"]


def test_invoke_and_invoke_async_share_one_execution_environment(m, runs):
    key = m.create_imported_key(key_material=MATERIAL)
    _function(_lambda(), _iam(), key.arn)
    assert _lambda().invoke(FunctionName="fn", Payload=b"{}")["StatusCode"] == 200
    assert _async(_lambda()) == 202
    assert len(_lambda_events(m, "Decrypt")) == 1  # kept five minutes, whichever call came
    m.advance(300)
    assert _async(_lambda()) == 202
    assert len(_lambda_events(m, "Decrypt")) == 2


def test_functions_without_a_key_and_unknown_functions_answer_as_moto_does(m, runs):
    key = m.create_imported_key(key_material=MATERIAL)
    _function(_lambda(), _iam(), name="plain")
    m.client().disable_key(KeyId=key.key_id)
    assert _async(_lambda(), "plain") == 202 and runs == ["plain"]
    assert _lambda_events(m) == []
    with pytest.raises(ClientError) as info:
        _async(_lambda(), "missing")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_function_named_by_its_arn(m, runs):
    key = m.create_imported_key(key_material=MATERIAL)
    arn = _function(_lambda(), _iam(), key.key_id)
    m.client().disable_key(KeyId=key.key_id)
    assert _refused(_lambda(), arn)[0] == "KMSDisabledException"
    assert runs == []


def test_invoke_async_over_http(docker_less: str) -> None:
    kms = endpoint_client("kms", docker_less)
    awslambda = _lambda(docker_less)
    key = kms.create_key()["KeyMetadata"]
    _function(awslambda, endpoint_client("iam", docker_less), key["Arn"], name="served")
    assert _async(awslambda, "served") == 202
    kms.disable_key(KeyId=key["KeyId"])
    code, message = _refused(awslambda, "served")
    assert code == "KMSDisabledException" and f"{key['Arn']} is disabled." in message
    kms.enable_key(KeyId=key["KeyId"])
    assert _async(awslambda, "served") == 202

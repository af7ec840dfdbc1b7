"""Lambda environment variables under a KMS key (``KMSKeyArn``): Invoke refused with Lambda's own
KMS errors and HTTP 502 while the key is unusable, with moto's docker-less Lambda; works again
after the key is usable."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import pathlib
import zipfile

import boto3
import botocore
import pytest
import time_machine
from botocore.config import Config
from botocore.exceptions import ClientError

from kms_import_mock import current, mock_kms_import
from kms_import_mock.services import awslambda as lambda_service

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
MATERIAL = bytes(range(32))
NO_DOCKER = {"lambda": {"use_docker": False}}
# Lambda's KMS errors are HTTP 502, which botocore retries: one attempt keeps the count exact.
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import(config=NO_DOCKER) as handle:
        yield handle


def _lambda():
    return boto3.client("lambda", region_name="us-east-1", config=ONE_ATTEMPT)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _function(key_ref=None, name="fn", variables=None):
    iam = boto3.client("iam", region_name="us-east-1")
    try:
        role = iam.get_role(RoleName="runner")["Role"]["Arn"]
    except ClientError:
        role = iam.create_role(RoleName="runner", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    spec = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": role,
        "Handler": "index.handler",
        "Code": {"ZipFile": _zip()},
        "Environment": {"Variables": variables if variables is not None else {"SECRET": "s"}},
    }
    if key_ref:
        spec["KMSKeyArn"] = key_ref
    return _lambda().create_function(**spec)["FunctionArn"]


def _invoke(name="fn", payload=b'{"ping": 1}'):
    return _lambda().invoke(FunctionName=name, Payload=payload)


def _refused(name="fn"):
    """Invoke that must fail: (code, message) after checking HTTP 502."""
    with pytest.raises(ClientError) as info:
        _invoke(name)
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 502
    return response["Error"]["Code"], response["Error"].get("Message", "")


def _lambda_events(m, name=None):
    return [
        e for e in m.events(name) if e["userIdentity"].get("invokedBy") == "lambda.amazonaws.com"
    ]


def test_the_kms_error_codes_are_the_lambda_models_502_shapes():
    data = pathlib.Path(botocore.__file__).parent / "data" / "lambda" / "2015-03-31"
    model = json.loads(gzip.decompress((data / "service-2.json.gz").read_bytes()))
    errors = {e["shape"] for e in model["operations"]["Invoke"]["errors"]}
    assert set(lambda_service.LAMBDA_CODES.values()) <= errors
    for code in lambda_service.LAMBDA_CODES.values():
        assert model["shapes"][code]["error"]["httpStatusCode"] == 502


def test_invoke_decrypts_the_variables_under_the_function_context(m):
    key = m.create_imported_key(key_material=MATERIAL)
    arn = _function(key.arn)
    answer = _invoke()
    assert answer["StatusCode"] == 200 and answer["Payload"].read() == b'{"ping": 1}'
    _invoke()
    (generated,) = _lambda_events(m, "GenerateDataKey")
    (decrypted,) = _lambda_events(m, "Decrypt")  # the environment is kept five minutes
    assert generated["requestParameters"]["encryptionContext"] == {"aws:lambda:FunctionArn": arn}
    assert decrypted["resources"][0]["ARN"] == key.arn
    m.advance(300)
    _invoke()
    assert len(_lambda_events(m, "Decrypt")) == 2


def test_a_disabled_key_fails_invoke_with_502_until_enabled(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _function(key.key_id)
    _invoke()
    m.client().disable_key(KeyId=key.key_id)
    code, message = _refused()
    assert code == "KMSDisabledException"
    assert message.startswith("Lambda couldn't decrypt the environment variables because")
    assert f"{key.arn} is disabled." in message
    m.client().enable_key(KeyId=key.key_id)
    assert _invoke()["StatusCode"] == 200


def test_material_deleted_expired_or_deletion_pending_is_invalid_state(m):
    key = m.create_imported_key(key_material=MATERIAL, valid_to=dt.timedelta(hours=1))
    _function(key.key_id)
    m.client().delete_imported_key_material(KeyId=key.key_id)
    code, message = _refused()
    assert code == "KMSInvalidStateException" and f"{key.arn} is pending import." in message
    m.import_key_material(key.key_id, MATERIAL, valid_to=dt.timedelta(hours=1))
    assert _invoke()["StatusCode"] == 200
    m.advance(dt.timedelta(hours=2))  # the material expired
    assert _refused()[0] == "KMSInvalidStateException"
    m.import_key_material(key.key_id, MATERIAL)
    m.client().schedule_key_deletion(KeyId=key.key_id, PendingWindowInDays=7)
    assert _refused()[0] == "KMSInvalidStateException"
    m.client().cancel_key_deletion(KeyId=key.key_id)
    m.client().enable_key(KeyId=key.key_id)
    assert _invoke()["StatusCode"] == 200


def test_an_unknown_key_is_kms_not_found(m):
    _function("arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000")
    assert _refused()[0] == "KMSNotFoundException"


def test_functions_without_variables_or_key_never_ask_kms(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _function(key.key_id, name="no-vars", variables={})
    _function(name="no-key")
    m.client().disable_key(KeyId=key.key_id)
    assert _invoke("no-vars")["StatusCode"] == 200
    assert _invoke("no-key")["StatusCode"] == 200
    assert _lambda_events(m) == []


def test_a_key_set_by_update_function_configuration_is_followed(m):
    key = m.create_imported_key(key_material=MATERIAL)
    _function()
    updated = _lambda().update_function_configuration(FunctionName="fn", KMSKeyArn=key.arn)
    assert updated["KMSKeyArn"] == key.arn
    m.client().disable_key(KeyId=key.key_id)
    assert _refused()[0] == "KMSDisabledException"
    _lambda().update_function_configuration(FunctionName="fn", KMSKeyArn="")
    assert _invoke()["StatusCode"] == 200


@mock_kms_import(config=NO_DOCKER)
def test_the_decorator_form_passes_the_config_through():
    key = current().create_imported_key(key_material=MATERIAL)
    _function(key.key_id)
    current().client().disable_key(KeyId=key.key_id)
    assert _refused()[0] == "KMSDisabledException"


def test_a_published_version_follows_the_key_it_was_published_with(m):
    key = m.create_imported_key(key_material=MATERIAL)
    arn = _function(key.key_id)
    version = _lambda().publish_version(FunctionName="fn")["Version"]
    answer = _lambda().invoke(FunctionName="fn", Qualifier=version, Payload=b"{}")
    assert answer["StatusCode"] == 200
    (generated,) = _lambda_events(m, "GenerateDataKey")
    # The context is the unqualified function ARN, for a version too.
    assert generated["requestParameters"]["encryptionContext"] == {"aws:lambda:FunctionArn": arn}
    m.client().disable_key(KeyId=key.key_id)
    with pytest.raises(ClientError) as info:
        _lambda().invoke(FunctionName="fn", Qualifier=version, Payload=b"{}")
    assert info.value.response["Error"]["Code"] == "KMSDisabledException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502

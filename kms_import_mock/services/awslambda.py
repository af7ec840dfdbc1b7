"""AWS Lambda environment variables encrypted under a customer managed key (``KMSKeyArn``).

Where Lambda needs the key: Invoke of a function (or version, or alias) that has environment
variables and a ``KMSKeyArn``. Lambda holds the variables encrypted under a data key made with
the context ``{"aws:lambda:FunctionArn": <function ARN>}`` (GenerateDataKey on the first Invoke
under that key and those variables) and decrypts it when it starts an execution environment;
the mock keeps an environment five minutes on its clock (one Decrypt per period, invoked by
``lambda.amazonaws.com``) and checks the key's state on every Invoke. A refusal is Lambda's own
error from botocore's Lambda model, HTTP 502: ``KMSDisabledException``,
``KMSInvalidStateException``, ``KMSNotFoundException``, else ``KMSAccessDeniedException``, worded
as the model words it with KMS's reason appended; the function is not run. Once the key is
usable again, Invoke works. A function without environment variables (or without
``KMSKeyArn``) never asks KMS, as on AWS. UpdateFunctionConfiguration's ``KMSKeyArn`` (which
moto ignores) is kept, so a key named or removed later is followed.

InvokeAsync (deprecated, still in botocore's model, with the same KMS errors in current ones)
needs the key as Invoke does: moto's response layer runs the function there without the
backend's Invoke, so its request is wrapped and checks the key first; refused, the function is
not run. Usable, moto's answer stands (HTTP 202).

Both moto's Lambda backends are wrapped: the Docker one and the docker-less one
(``mock_kms_import(config={"lambda": {"use_docker": False}})``, as with ``mock_aws``), which
answers Invoke without running code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaBackend

from kms_import_mock.services import envelope, held_keys

if TYPE_CHECKING:
    from moto.awslambda.models import LambdaFunction

    from kms_import_mock.services.patching import Patches

PRINCIPAL = "lambda.amazonaws.com"

#: KMS's error code -> Lambda's (botocore's Lambda model: rest-json, shape names, HTTP 502).
LAMBDA_CODES = {
    "DisabledException": "KMSDisabledException",
    "KMSInvalidStateException": "KMSInvalidStateException",
    "NotFoundException": "KMSNotFoundException",
    "AccessDeniedException": "KMSAccessDeniedException",
}
_FALLBACK_CODE = "KMSAccessDeniedException"
#: The model's documentation of each error, which is what Lambda answers.
_WORDING = {
    "KMSDisabledException": "the KMS key used is disabled. Check the Lambda function's KMS key "
    "settings.",
    "KMSInvalidStateException": "the state of the KMS key used is not valid for Decrypt. Check "
    "the function's KMS key settings.",
    "KMSNotFoundException": "the KMS key was not found. Check the function's KMS key settings.",
    "KMSAccessDeniedException": "KMS access was denied. Check the Lambda function's KMS "
    "permissions.",
}


class KmsError(LambdaClientError):
    """Lambda's KMS errors are server-side faults: HTTP 502 (botocore's Lambda model)."""

    code = 502


def refusal(err: envelope.KmsRefusal) -> LambdaClientError:
    """Lambda's error for a KMS refusal, worded as Lambda words it, KMS's reason appended."""
    code = LAMBDA_CODES.get(err.code, _FALLBACK_CODE)
    return KmsError(
        code,
        f"Lambda couldn't decrypt the environment variables because {_WORDING[code]} "
        f"KMS Exception: {err.code} KMS Message: {err.message}",
    )


def check(fn: LambdaFunction) -> None:
    """What Lambda does with the key before it runs ``fn``; Lambda's error when KMS refuses."""
    key_ref = getattr(fn, "kms_key_arn", None)
    if not key_ref or not getattr(fn, "environment_vars", None):
        return
    # The unqualified ARN, for versions too (``arn:aws:lambda:<region>:<account>:function:<name>``).
    context = {"aws:lambda:FunctionArn": ":".join(str(fn.function_arn).split(":")[:7])}
    keys = held_keys.held(fn)
    # The variables are encrypted again when they or the key change.
    version = f"{key_ref}\n{json.dumps(fn.environment_vars, sort_keys=True)}"
    try:
        if keys.encrypting is None or keys.key_ref != version:
            sealed = envelope.seal_data_key(fn.account_id, fn.region, key_ref, context, PRINCIPAL)
            keys.key_ref, keys.encrypting = version, sealed
            keys.decrypted.clear()
        held_keys.unseal(fn, keys.encrypting, PRINCIPAL)
    except envelope.KmsRefusal as err:
        raise refusal(err) from None


def _wrap_invoke(original: Callable[..., Any]) -> Callable[..., Any]:
    def invoke(
        self: LambdaBackend, function_name: str, qualifier: str | None, *args: Any, **kwargs: Any
    ) -> Any:
        check(self.get_function(function_name, qualifier))
        return original(self, function_name, qualifier, *args, **kwargs)

    return invoke


def _wrap_invoke_async(original: Callable[..., Any]) -> Callable[..., Any]:
    def invoke_async(self: Any) -> Any:
        # The function as moto's invoke_async finds it (``.../functions/<name>/invoke-async/``).
        name = unquote(self.path.rsplit("/", 3)[-3 if self.path.endswith("/") else -2])
        check(self.backend.get_function(name, None))
        return original(self)

    return invoke_async


def _wrap_update(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_function_configuration(
        self: LambdaBackend, function_name: str, qualifier: str, body: dict[str, Any]
    ) -> Any:
        answer = original(self, function_name, qualifier, body)
        if "KMSKeyArn" in body:
            fn = self.get_function(function_name, qualifier)
            fn.kms_key_arn = body["KMSKeyArn"] or None  # an empty string removes the key
            if isinstance(answer, dict):
                answer["KMSKeyArn"] = fn.kms_key_arn
        return answer

    return update_function_configuration


def install(patches: Patches) -> None:
    """Wrap Invoke of moto's Lambda backend and of its docker-less subclass, InvokeAsync of
    the response layer both share, and keep UpdateFunctionConfiguration's key."""
    from moto.awslambda.responses import LambdaResponse
    from moto.awslambda_simple.models import LambdaSimpleBackend

    for cls in (LambdaBackend, LambdaSimpleBackend):
        original = patches.original(cls, "invoke")
        wrapper = _wrap_invoke(original)
        wrapper.__name__ = "invoke"
        wrapper.__doc__ = original.__doc__
        patches.set(cls, "invoke", wrapper)
    invoke_async = patches.original(LambdaResponse, "invoke_async")
    patches.set(LambdaResponse, "invoke_async", _wrap_invoke_async(invoke_async))
    update = patches.original(LambdaBackend, "update_function_configuration")
    patches.set(LambdaBackend, "update_function_configuration", _wrap_update(update))

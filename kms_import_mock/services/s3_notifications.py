"""S3 event notification records name the caller, as AWS documents their structure.

moto's records (to SQS, SNS and Lambda) carry no ``userIdentity``, ``requestParameters`` or
``responseElements``; AWS's carry ``userIdentity.principalId`` (who caused the event),
``requestParameters.sourceIPAddress`` and the request's ids. While the mock runs, every record
gets them: the principal as moto's STS ``GetCallerIdentity`` names the request's access key,
``AWS:<UserId>`` (a project decision: moto knows no canonical customer id). Nothing in a record
depends on the object's KMS key (AWS's records hold none of it). Delivering a record to a queue
or topic under a KMS key needs that key as any SendMessage or Publish does: under an unusable
key the record is not delivered, and the S3 call still succeeds (moto drops it, as AWS does).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from kms_import_mock.services.patching import Patches

#: The S3 request being served on this context (its caller is read only if a record is made).
_serving: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "kms_import_s3_serving", default=None
)


def install(patches: Patches) -> None:
    from moto.s3 import notifications
    from moto.s3.responses import S3Response

    if not hasattr(notifications, "_get_s3_event"):
        return  # a moto without the record builder: its records stay as they are
    setup = patches.original(S3Response, "setup_class")
    patches.set(S3Response, "setup_class", _setup_class(setup))
    original = patches.original(notifications, "_get_s3_event")
    patches.set(notifications, "_get_s3_event", _get_s3_event(original))


def _setup_class(original: Callable[..., Any]) -> Callable[..., Any]:
    def setup_class(self: Any, *args: Any, **kwargs: Any) -> Any:
        _serving.set(self)
        return original(self, *args, **kwargs)

    return setup_class


def _caller() -> tuple[str, str]:
    """(access key id, source address) of the S3 request being served."""
    response = _serving.get()
    try:
        request = getattr(response, "normalized_request", None) or response.request
        address = str(getattr(request, "remote_addr", None) or "127.0.0.1")
        return str(response.get_access_key()), address
    except Exception:  # noqa: BLE001 - the identity is cosmetic; never fail the request
        return "AKIAIOSFODNN7EXAMPLE", "127.0.0.1"


def _principal(account_id: str, region: str, access_key_id: str) -> str:
    user_id = "AKIAIOSFODNN7EXAMPLE"  # moto's default user, as its GetCallerIdentity answers
    try:
        from moto.sts.models import sts_backends

        partition = "aws-cn" if region.startswith("cn-") else "aws"
        user_id = sts_backends[account_id][partition].get_caller_identity(access_key_id, region)[0]
    except Exception:  # noqa: BLE001 - as above
        pass
    return f"AWS:{user_id}"


def _get_s3_event(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> Any:
        body = original(event_name, bucket, key, notification_id)
        access_key, address = _caller()
        principal = _principal(bucket.account_id, bucket.region_name, access_key)
        for record in body.get("Records", ()):
            record.setdefault("userIdentity", {"principalId": principal})
            record.setdefault("requestParameters", {"sourceIPAddress": address})
            record.setdefault("responseElements", _request_ids())
        return body

    return get_s3_event


def _request_ids() -> dict[str, str]:
    import base64

    from moto.moto_api._internal import mock_random

    extended = base64.b64encode(mock_random.getrandbits(448).to_bytes(56, "big")).decode()
    return {"x-amz-request-id": f"{mock_random.getrandbits(64):016X}", "x-amz-id-2": extended}

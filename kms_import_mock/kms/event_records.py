"""How a recorded event is kept, and the CloudTrail record built from it when read.

Tens of thousands of events are common in a long test run. A CloudTrail record is a dict of
~18 members with nested dicts (~2 KiB); an event is kept instead as the few values that vary,
times as epochs, UUIDs as integers, and repeated values (user agent, identity) shared between
events, and the dict is built, member for member in the same order, each time it is read.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import uuid
from collections.abc import Callable, Mapping
from typing import Any

EVENT_VERSION = "1.11"
EVENT_SOURCE = "kms.amazonaws.com"
KEY_RESOURCE_TYPE = "AWS::KMS::Key"
AWS_INTERNAL = "AWS Internal"
_READ_ONLY = frozenset({"GetParametersForImport"})


class Recorded:
    """One stored event: what ordering and filtering need, and the record in compact form.

    Tens of thousands of events are common in a long test run, so an event is kept as the few
    values that vary (times as epochs, ids as integers where they are UUIDs, repeated strings
    such as the user agent and identity shared between events) and the CloudTrail dict is built
    each time :attr:`record` is read: a dict of ~18 members and its nested dicts cost ~2 KiB an
    event, this ~0.3 KiB.
    """

    __slots__ = ("_args", "_build", "epoch", "key_id", "seq")

    #: Whether the call succeeded: an event other than a recorded API call always did.
    @property
    def ok(self) -> bool:
        return self._build not in _WITH_ERRORS or self._args[_ERROR_AT] is None

    def __init__(
        self,
        epoch: float,
        seq: int,
        key_id: str,
        build: Callable[..., dict[str, Any]],
        args: tuple[Any, ...],
    ) -> None:
        self.epoch, self.seq, self.key_id = epoch, seq, key_id
        self._build, self._args = build, args

    @property
    def record(self) -> dict[str, Any]:
        """The CloudTrail record: a new dict on every read (callers may change it)."""
        return self._build(self.epoch, *self._args)

    @property
    def event_name(self) -> str:
        name: str = self._args[0]
        return name

    @property
    def arn(self) -> str:
        arn: str = self._args[1]
        return arn


#: What ``uuid.UUID(int=bits, version=4)`` keeps of 128 random bits, and what it sets.
_UUID4_KEEP = ~(0xC000 << 48) & ~(0xF000 << 64)
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def uuid4_bits(bits: int) -> int:
    """The integer of ``uuid.UUID(int=bits, version=4)`` for 128 random ``bits``, without
    building the UUID."""
    return (bits & _UUID4_KEEP) | _UUID4_SET


def uuid4_int(draws: bytes, index: int) -> int:
    """The ``index``-th of several ``uuid4()`` ids drawn at once, as its integer: ``draws`` is
    ``getrandbits(128 * n)`` as little-endian bytes (the words n single draws would take)."""
    return uuid4_bits(int.from_bytes(draws[16 * index : 16 * index + 16], "little"))


def expired_material_record(
    epoch: float,
    name: str,
    arn: str,
    account_id: str,
    region: str,
    key_id: str,
    material_id: str,
    draws: bytes,
    index: int,
) -> dict[str, Any]:
    """``DeleteExpiredKeyMaterial`` as the sweep keeps it: the id still in its batch's draw."""
    details = (("keyId", key_id), ("keyMaterialId", material_id))
    return service_event_record(
        epoch, name, arn, account_id, region, details, uuid4_int(draws, index)
    )


def frozen(mapping: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...] | None:
    return None if mapping is None else tuple(mapping.items())


def compact_id(value: str) -> int | str:
    """A canonical lower-case UUID string as its integer (28 bytes instead of 85)."""
    try:
        parsed = uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return value
    return parsed.int if str(parsed) == value else value


def _full_id(value: int | str) -> str:
    return str(uuid.UUID(int=value)) if isinstance(value, int) else value


def _event_time(when: _dt.datetime) -> str:
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _resources(account_id: str, arn: str, *more: str | None) -> list[dict[str, str]]:
    arns = [a for a in (arn, *more) if a]
    return [{"accountId": account_id, "type": KEY_RESOURCE_TYPE, "ARN": a} for a in arns]


def api_call_record(
    epoch: float,
    action: str,
    arn: str,
    account_id: str,
    region: str,
    identity: tuple[tuple[str, Any], ...],
    source_ip: str,
    user_agent: str,
    request_names: tuple[str, ...],
    request_values: tuple[Any, ...],
    response_names: tuple[str, ...] | None,
    response_values: tuple[Any, ...],
    request_id: int | str,
    event_id: int | str,
) -> dict[str, Any]:
    return {
        "eventVersion": EVENT_VERSION,
        "userIdentity": dict(identity),
        "eventTime": _event_time(_at(epoch)),
        "eventSource": EVENT_SOURCE,
        "eventName": action,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
        "requestParameters": dict(zip(request_names, request_values, strict=True)),
        "responseElements": (
            None
            if response_names is None
            else dict(zip(response_names, response_values, strict=True))
        ),
        "requestID": _full_id(request_id),
        "eventID": _full_id(event_id),
        "readOnly": action in _READ_ONLY,
        "resources": _resources(account_id, arn),
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account_id,
        "eventCategory": "Management",
    }


def _at(epoch: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc)


def _head(
    epoch: float,
    action: str,
    region: str,
    identity: dict[str, Any],
    source_ip: str,
    user_agent: str,
    error_code: str | None,
    error_message: str | None,
) -> dict[str, Any]:
    """The members every KMS CloudTrail record starts with, and a refused call's error."""
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": _event_time(_at(epoch)),
        "eventSource": EVENT_SOURCE,
        "eventName": action,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
    }
    if error_code is not None:
        record["errorCode"] = error_code
        record["errorMessage"] = error_message or ""
    return record


def service_call_record(
    epoch: float,
    action: str,
    arn: str,
    account_id: str,
    region: str,
    identity: tuple[tuple[str, Any], ...],
    principal: str,
    request: dict[str, Any],
    request_id: int | str,
    event_id: int | str,
    error_code: str | None = None,
    error_message: str | None = None,
) -> dict[str, Any]:
    record = _head(
        epoch, action, region, dict(identity), principal, principal, error_code, error_message
    )
    return record | {
        "requestParameters": copy.deepcopy(request),
        "responseElements": None,
        "requestID": _full_id(request_id),
        "eventID": _full_id(event_id),
        "readOnly": True,
        "resources": _resources(account_id, arn),
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account_id,
        "eventCategory": "Management",
    }


def service_event_record(
    epoch: float,
    name: str,
    arn: str,
    account_id: str,
    region: str,
    details: tuple[tuple[str, Any], ...],
    event_id: int | str,
) -> dict[str, Any]:
    return {
        "eventVersion": EVENT_VERSION,
        "userIdentity": {"accountId": account_id, "invokedBy": AWS_INTERNAL},
        "eventTime": _event_time(_at(epoch)),
        "eventSource": EVENT_SOURCE,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": AWS_INTERNAL,
        "userAgent": AWS_INTERNAL,
        "requestParameters": None,
        "responseElements": None,
        "eventID": _full_id(event_id),
        "readOnly": False,
        "resources": _resources(account_id, arn),
        "eventType": "AwsServiceEvent",
        "managementEvent": True,
        "recipientAccountId": account_id,
        "serviceEventDetails": dict(details),
        "eventCategory": "Management",
    }


def deleted_key_record(
    epoch: float, name: str, arn: str, account_id: str, region: str, event_id: int | str
) -> dict[str, Any]:
    """``DeleteKey`` at the end of a waiting period: a service event without details, whose
    ``responseElements.keyId`` holds the key ARN (CloudTrail records since December 2022)."""
    record = service_event_record(epoch, name, arn, account_id, region, (), event_id)
    del record["serviceEventDetails"]
    record["responseElements"] = {"keyId": arn}
    return record


#: Action name prefixes CloudTrail marks ``readOnly: false``; reads and cryptographic
#: operations (Encrypt, Decrypt, Sign, ...) are ``readOnly: true``, as AWS logs them.
_WRITES = (
    "Cancel", "Connect", "Create", "Delete", "Disable", "Disconnect", "Enable", "Import",
    "Put", "Replicate", "Retire", "Revoke", "Rotate", "Schedule", "Tag", "Untag", "Update",
)  # fmt: skip


def read_only(action: str) -> bool:
    return not action.startswith(_WRITES)


def derived_event_id(request_id: str, seq: int) -> str:
    """The eventID of a call recorded without one: a UUID (version 4 layout) hashed from the
    request's id and its place in the event order, so recording draws nothing from moto's
    seeded random source (a seeded run makes the same key ids as under plain moto)."""
    digest = hashlib.blake2b(f"{request_id}/{seq}".encode(), digest_size=16).digest()
    return str(uuid.UUID(int=uuid4_bits(int.from_bytes(digest, "little"))))


def user_identity(account_id: str, region: str, access_key_id: str) -> dict[str, Any]:
    """The caller as moto's STS ``GetCallerIdentity`` names it (moto's default user otherwise)."""
    from moto.utilities.utils import get_partition

    partition = get_partition(region)
    user_id, arn = "AKIAIOSFODNN7EXAMPLE", f"arn:{partition}:sts::{account_id}:user/moto"
    try:
        from moto.sts.models import sts_backends

        user_id, arn, account_id = sts_backends[account_id][partition].get_caller_identity(
            access_key_id, region
        )
    except Exception:  # noqa: BLE001 - identity is cosmetic; never fail the recorded call
        pass
    identity_type = "AssumedRole" if ":assumed-role/" in arn else "IAMUser"
    identity: dict[str, Any] = {
        "type": identity_type,
        "principalId": user_id,
        "arn": arn,
        "accountId": account_id,
        "accessKeyId": access_key_id,
    }
    if identity_type == "IAMUser":
        identity["userName"] = arn.rsplit("/", 1)[-1]
    return identity


def _access_key(authorization: str) -> str:
    """The access key id moto's ``get_access_key`` finds in an ``Authorization`` header (kept as
    the header, so that recording a call does not parse it): moto's default when none is."""
    from moto.core.responses import BaseResponse

    found = BaseResponse.access_key_regex.search(authorization)
    if found:
        return str(found.group(1))
    return "AKIAEXAMPLE" if authorization.startswith("AWS") else authorization


#: Where ``call_record``'s error code sits in a Recorded's args (after the epoch).
_ERROR_AT = 9


def call_record(
    epoch: float,
    action: str,
    arn: str,
    account_id: str,
    region: str,
    access_key_id: str,
    source_ip: str,
    user_agent: str,
    parameters: tuple[tuple[str, Any], ...],
    request_id: str,
    error_code: str | None,
    error_message: str | None,
    seq: int,
    other_arn: str | None,
) -> dict[str, Any]:
    """Any KMS API call, kept as :func:`kms_import_mock.kms.events.record_call` keeps it: the
    identity is looked up and the event id derived here, when the record is read."""
    identity = user_identity(account_id, region, _access_key(access_key_id))
    record = _head(
        epoch, action, region, identity, source_ip, user_agent, error_code, error_message
    )
    record.update(
        {
            "requestParameters": {name: copy.deepcopy(value) for name, value in parameters},
            "responseElements": None,
            "requestID": request_id,
            "eventID": derived_event_id(request_id, seq),
            "readOnly": read_only(action),
            "resources": _resources(account_id, arn, other_arn),
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": account_id,
            "eventCategory": "Management",
        }
    )
    return record


#: The builders whose records can be of a refused call (error code at ``_ERROR_AT``).
_WITH_ERRORS = (call_record, service_call_record)

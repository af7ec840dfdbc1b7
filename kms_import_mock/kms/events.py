"""CloudTrail-shaped audit events of the import lifecycle.

Records are built here and kept on the KMS backend that served the request (per account and
Region), so moto's reset clears them with everything else. API calls (``GetParametersForImport``,
``ImportKeyMaterial``, ``DeleteImportedKeyMaterial``, ``RotateKeyOnDemand``) are recorded by the
Response layer after a successful request only; the service events ``DeleteExpiredKeyMaterial`` and
``RotateKey`` by the backend's hooks.

Request and response members reach a record only through per-action allow-lists: key material,
import tokens, wrapped blobs and public keys can never be recorded, whatever a request carries.
"""

from __future__ import annotations

import copy
import datetime as _dt
import functools
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import clock
from .event_records import (
    Recorded,
    api_call_record,
    call_record,
    compact_id,
    deleted_key_record,
    expired_material_record,
    frozen,
    service_call_record,
    service_event_record,
    user_identity,
    uuid4_bits,
)

if TYPE_CHECKING:
    from moto.kms.models import Key

    from .audited import AuditedBackend


#: Action -> the request members CloudTrail shows. Secrets are not listed.
_REQUEST_MEMBERS: dict[str, tuple[str, ...]] = {
    "GetParametersForImport": ("KeyId", "WrappingAlgorithm", "WrappingKeySpec"),
    "ImportKeyMaterial": (
        "KeyId",
        "ValidTo",
        "ExpirationModel",
        "ImportType",
        "KeyMaterialId",
        "KeyMaterialDescription",
    ),
    "DeleteImportedKeyMaterial": ("KeyId", "KeyMaterialId"),
    "RotateKeyOnDemand": ("KeyId",),
}

#: Action -> the response members CloudTrail shows; None: ``responseElements`` is null.
_RESPONSE_MEMBERS: dict[str, tuple[str, ...] | None] = {
    "GetParametersForImport": None,  # the response holds the public key and the token
    "ImportKeyMaterial": ("KeyId", "KeyMaterialId"),
    "DeleteImportedKeyMaterial": ("KeyId", "KeyMaterialId"),
    "RotateKeyOnDemand": ("KeyId",),
}

API_ACTIONS = frozenset(_REQUEST_MEMBERS)

#: How many events each backend (account and Region) keeps; older ones are dropped first.
#: A recorded call costs ~0.3 KiB, so a full store is ~30 MiB.
MAX_EVENTS = 100_000

#: Orders events recorded at the same instant, across all backends.
_sequence = itertools.count()


@dataclass(frozen=True)
class Caller:
    """Who made an API call, as the Response layer sees the request."""

    access_key_id: str
    user_agent: str
    source_ip: str
    request_id: str


# -- storage ---------------------------------------------------------------------------------


def stored(backend: AuditedBackend) -> deque[Recorded]:
    """The backend's events, created on first use; what a sweep expired is made into entries
    here, on the first read after it.

    Kept in the backend's ``__dict__`` (moto's reset replaces that dict, dropping the events)
    rather than set in ``__init__``, so this module owns the attribute.
    """
    events = _entries(backend)
    if backend.__dict__.get("_expired_batches"):
        with backend.lock:
            batches = backend.__dict__.pop("_expired_batches", ())
            for batch in batches:
                events.extend(_expired_entries(backend, *batch))
    return events


def _entries(backend: AuditedBackend) -> deque[Recorded]:
    """At most :data:`MAX_EVENTS` a backend: the oldest recorded goes when one more comes."""
    events: deque[Recorded] | None = backend.__dict__.get("_audit_events")
    if events is None:
        events = backend.__dict__.setdefault("_audit_events", deque(maxlen=MAX_EVENTS))
    return events


def _store(
    backend: AuditedBackend,
    when: _dt.datetime,
    key_id: str,
    build: Callable[..., dict[str, Any]],
    *args: Any,
) -> Recorded:
    """Keep an event: ``build(epoch, *args)`` makes its record when read. ``args`` start with
    the event name and the key ARN."""
    entry = Recorded(when.timestamp(), next(_sequence), key_id, build, args)
    with backend.lock:
        _entries(backend).append(entry)
    return entry


def _shared(backend: AuditedBackend, value: Any) -> Any:
    """``value``, or an equal one stored earlier in this backend: one copy of each user agent,
    identity, ... however many events repeat it (dropped with the backend on reset)."""
    pool: dict[Any, Any] | None = backend.__dict__.get("_audit_shared")
    if pool is None:
        pool = backend.__dict__.setdefault("_audit_shared", {})
    return pool.setdefault(value, value)


# -- formatting ------------------------------------------------------------------------------


def _human_time(value: Any) -> Any:
    """``May 21, 2025, 5:47:45 AM``: how CloudTrail shows ImportKeyMaterial's ValidTo."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    when = _dt.datetime.fromtimestamp(value, _dt.timezone.utc)
    hour = when.hour % 12 or 12
    half = "AM" if when.hour < 12 else "PM"
    return f"{when:%b} {when.day}, {when.year}, {hour}:{when:%M:%S} {half}"


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _pick(source: Mapping[str, Any], members: Iterable[str]) -> dict[str, Any]:
    picked: dict[str, Any] = {}
    for member in members:
        if source.get(member) is not None:
            value = source[member]
            picked[_camel(member)] = _human_time(value) if member == "ValidTo" else value
    return picked


#: Request members whose values come from a short list: one copy of each value is kept.
_ENUM_MEMBERS = frozenset({"wrappingAlgorithm", "wrappingKeySpec", "expirationModel", "importType"})


def _members(
    backend: AuditedBackend, key: Key, picked: dict[str, Any] | None
) -> tuple[tuple[str, ...] | None, tuple[Any, ...]]:
    """``picked`` as (names, values), keeping no string the backend already holds twice: the
    key's id and ARN and its material ids are the backend's own objects, enum values and the
    tuple of names are shared between events."""
    if picked is None:
        return None, ()
    known = {key.id: key.id, key.arn: key.arn}
    state = backend.imports.get(key.id)
    if state is not None:
        known.update((m.material_id, m.material_id) for m in state.materials)
    values = []
    for name, value in picked.items():
        if isinstance(value, str):
            if value in known:
                value = known[value]
            elif name in _ENUM_MEMBERS:
                value = _shared(backend, value)
        values.append(value)
    return _shared(backend, tuple(picked)), tuple(values)


def _response_elements(
    response: Mapping[str, Any], members: Iterable[str], key: Key
) -> dict[str, Any]:
    elements = _pick(response, members)
    if "keyId" in elements:
        # AWS answers all four actions with the key ARN; moto's RotateKeyOnDemand echoes the input.
        elements["keyId"] = key.arn
    return elements


def _new_id() -> str:
    from moto.moto_api._internal import mock_random

    return str(mock_random.uuid4())


def _new_compact_id() -> int:
    """A new event id as ``compact_id`` keeps it: moto's ``uuid4()`` as an integer, from the
    same single 128-bit draw of moto's (seedable) random source, without building a UUID."""
    from moto.moto_api._internal import mock_random

    return uuid4_bits(mock_random.getrandbits(128))


_user_identity = user_identity


# -- recording -------------------------------------------------------------------------------


def _key(backend: AuditedBackend, *refs: Any) -> Key | None:
    for ref in refs:
        if isinstance(ref, str) and ref:
            try:
                key = backend.keys.get(backend.any_id_to_key_id(ref))
            except Exception:  # noqa: BLE001 - an unknown alias is just "no key"
                key = None
            if key is not None:
                return key
    return None


def record_api_call(
    backend: AuditedBackend,
    action: str,
    request: Mapping[str, Any],
    response: Mapping[str, Any],
    caller: Caller,
) -> None:
    """Record a successful API call (``eventType`` AwsApiCall)."""
    key = _key(backend, response.get("KeyId"), request.get("KeyId"))
    if action not in API_ACTIONS or key is None:
        return
    when = clock.now()
    members = _RESPONSE_MEMBERS[action]
    identity = _user_identity(backend.account_id, backend.region_name, caller.access_key_id)
    response_elements = None if members is None else _response_elements(response, members, key)
    _store(
        backend,
        when,
        key.id,
        api_call_record,
        action,
        key.arn,
        backend.account_id,
        backend.region_name,
        _shared(backend, frozen(identity)),
        _shared(backend, caller.source_ip),
        _shared(backend, caller.user_agent),
        *_members(backend, key, _pick(request, _REQUEST_MEMBERS[action])),
        *_members(backend, key, response_elements),
        compact_id(caller.request_id),
        _new_compact_id(),
    )


#: The operations GetKeyLastUsage reports (botocore's KeyLastUsageTrackingOperation).
TRACKED_OPERATIONS = frozenset(
    {
        "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac",
        "ReEncrypt", "Sign", "Verify", "VerifyMac", "Encapsulate", "Decapsulate",
    }
)  # fmt: skip


def _holds_secret(shape: Any, seen: frozenset[str] = frozenset()) -> bool:
    """Whether a member of this shape could carry data, a key or a token: any blob, any member
    the model marks sensitive, anywhere inside it."""
    if shape.type_name == "blob" or shape.metadata.get("sensitive") or shape.name in seen:
        return True
    seen = seen | {shape.name}
    if shape.type_name == "structure":
        return any(_holds_secret(m, seen) for m in shape.members.values())
    if shape.type_name == "list":
        return _holds_secret(shape.member, seen)
    if shape.type_name == "map":
        return _holds_secret(shape.key, seen) or _holds_secret(shape.value, seen)
    return False


@functools.cache
def shown_members(action: str) -> tuple[tuple[str, str], ...]:
    """(member, camelCase name) of the request members CloudTrail shows for ``action``: every
    member of botocore's input shape except those that can hold a secret (Plaintext,
    CiphertextBlob, EncryptedKeyMaterial, ImportToken, Message, Signature, Recipient, ...)."""
    from .shapes import service_model

    try:
        shape = service_model("kms").operation_model(action).input_shape
    except Exception:  # noqa: BLE001 - not in the model: show nothing
        return ()
    if shape is None:
        return ()
    return tuple(
        (name, _camel(name))
        for name, member in shape.members.items()
        if not _holds_secret(member) and name != "GrantTokens"
    )


def record_call(
    backend: AuditedBackend,
    action: str,
    request: Mapping[str, Any],
    key: Key | None,
    other: Key | None,
    request_id: str,
    error: tuple[str, str] | None,
    caller: tuple[str, str, str],
) -> Recorded:
    """Record any KMS API call, successful (``error`` None) or refused (its code and message).

    Cheap on purpose, since every request passes here: the record keeps references to the
    request's values (of the members :func:`shown_members` allows) and the caller's
    (access key id, source IP, user agent); identity and event id are made when it is read.
    ``key`` is the key the call used, ``other`` ReEncrypt's source key. A successful
    cryptographic operation is the keys' last usage (GetKeyLastUsage).
    """
    parameters = tuple(
        (camel, request[name]) for name, camel in shown_members(action) if name in request
    )
    seq = next(_sequence)
    entry = Recorded(
        clock.now().timestamp(),
        seq,
        key.id if key is not None else "",
        call_record,
        (
            action,
            key.arn if key is not None else "",
            backend.account_id,
            backend.region_name,
            *caller,
            parameters,
            request_id,
            *(error or (None, None)),
            seq,
            other.arn if other is not None and other is not key else None,
        ),
    )
    with backend.lock:
        _entries(backend).append(entry)
        if error is None and action in TRACKED_OPERATIONS:
            _note_usage(backend, action, entry, key, other)
    return entry


def _note_usage(
    backend: AuditedBackend, action: str, entry: Recorded, *keys: Key | None
) -> None:
    usage: dict[str, tuple[str, Recorded]] | None = backend.__dict__.get("_last_usage")
    if usage is None:
        usage = backend.__dict__.setdefault("_last_usage", {})
    for key in keys:
        if key is not None:
            usage[key.id] = (action, entry)


def last_usage(backend: AuditedBackend, key: Key) -> dict[str, Any]:
    """GetKeyLastUsage's ``KeyLastUsage`` for ``key``: empty while it has not been used."""
    usage: dict[str, tuple[str, Recorded]] = backend.__dict__.get("_last_usage") or {}
    found = usage.get(key.id)
    if found is None:
        return {}
    operation, entry = found
    record = entry.record
    return {
        "Operation": operation,
        "Timestamp": entry.epoch,
        "CloudTrailEventId": record["eventID"],
        "KmsRequestId": record["requestID"],
    }


def record_service_call(
    backend: AuditedBackend,
    key: Key,
    action: str,
    request: dict[str, Any],
    principal: str,
    access_key_id: str | None = None,
    error: tuple[str, str] | None = None,
) -> None:
    """A KMS call an AWS service made for its caller (S3's GenerateDataKey, EBS's Decrypt, ...);
    ``error`` (code, message) when KMS refused it. A successful one is the key's last usage.

    As CloudTrail shows them: the caller's identity with ``invokedBy`` set to the service
    principal, which is also the source address and user agent. ``request`` holds only what
    CloudTrail shows (key, encryption context, key spec), never data or data keys.
    """
    when = clock.now()
    identity = _user_identity(
        backend.account_id, backend.region_name, access_key_id or "AKIAIOSFODNN7EXAMPLE"
    )
    identity["invokedBy"] = principal
    request_id = _new_compact_id()  # drawn first, as before: seeded ids stay the same
    entry = _store(
        backend,
        when,
        key.id,
        service_call_record,
        action,
        key.arn,
        backend.account_id,
        backend.region_name,
        _shared(backend, frozen(identity)),
        principal,
        copy.deepcopy(request),
        request_id,
        _new_compact_id(),
        *(error or (None, None)),
    )
    if error is None and action in TRACKED_OPERATIONS:
        with backend.lock:
            _note_usage(backend, action, entry, key)


def _service_event(
    backend: AuditedBackend, key: Key, name: str, when: _dt.datetime, details: dict[str, Any]
) -> None:
    _store(
        backend,
        when,
        key.id,
        service_event_record,
        name,
        key.arn,
        backend.account_id,
        backend.region_name,
        frozen(details),
        _new_compact_id(),
    )


def record_materials_expired(
    backend: AuditedBackend, items: list[tuple[Key, str, float]]
) -> None:
    """``DeleteExpiredKeyMaterial`` for each (key, material id, ValidTo), in that order, each
    dated at its material's ValidTo however late it is noticed.

    A clock jump can expire thousands of materials in one sweep, so the sweep keeps them as one
    batch: their places in the event order and their ids are fixed now (one draw of moto's
    random source gives exactly the bits as many single ``uuid4()`` draws would), and the
    entries are made by :func:`stored` on the next read.
    """
    if not items:
        return
    from moto.moto_api._internal import mock_random

    # getrandbits(128 * n) takes the same 32-bit words as n draws of 128 bits, lowest first.
    draws = mock_random.getrandbits(128 * len(items)).to_bytes(16 * len(items), "little")
    sequence = list(itertools.islice(_sequence, len(items)))
    with backend.lock:
        backend.__dict__.setdefault("_expired_batches", []).append((items, draws, sequence))


def _expired_entries(
    backend: AuditedBackend,
    items: list[tuple[Key, str, float]],
    draws: bytes,
    sequence: list[int],
) -> list[Recorded]:
    account, region, name = backend.account_id, backend.region_name, "DeleteExpiredKeyMaterial"
    build = expired_material_record
    return [
        Recorded(
            valid_to,
            sequence[i],
            key.id,
            build,
            (name, key.arn, account, region, key.id, material_id, draws, i),
        )
        for i, (key, material_id, valid_to) in enumerate(items)
    ]


def record_key_rotated(
    backend: AuditedBackend,
    key: Key,
    previous_material_id: str | None,
    current_material_id: str | None,
    rotation_type: str = "ON_DEMAND",
    when: _dt.datetime | None = None,
) -> None:
    """``RotateKey``: a rotation (on demand, or an automatic one at ``when``) completed."""
    details = {
        "rotationType": rotation_type,
        "keyOrigin": key.origin,
        "previousKeyMaterialId": previous_material_id,
        "currentKeyMaterialId": current_material_id,
        "keyId": key.id,
    }
    _service_event(backend, key, "RotateKey", when or clock.now(), details)


def record_key_deleted(backend: AuditedBackend, key: Key, when: _dt.datetime) -> None:
    """``DeleteKey``: AWS KMS deleted the key at the end of its waiting period."""
    _store(
        backend,
        when,
        key.id,
        deleted_key_record,
        "DeleteKey",
        key.arn,
        backend.account_id,
        backend.region_name,
        _new_compact_id(),
    )


# -- reading ---------------------------------------------------------------------------------


def _extended_backends() -> list[AuditedBackend]:
    from moto.kms.models import kms_backends

    from .audited import AuditedBackend

    found: list[AuditedBackend] = []
    for regions in list(kms_backends.values()):
        for backend in list(regions.values()):
            if isinstance(backend, AuditedBackend):
                found.append(backend)
    return found


def collect(backends: Iterable[AuditedBackend]) -> list[Recorded]:
    """Every event of ``backends``, oldest first, after their lazy expiry check has run."""
    entries: list[Recorded] = []
    for backend in backends:
        backend.sweep()  # so material past ValidTo shows its DeleteExpiredKeyMaterial now
        with backend.lock:
            entries.extend(stored(backend))
    entries.sort(key=lambda e: (e.epoch, e.seq))
    return entries


def names_key(entry: Recorded, key_id: str) -> bool:
    """Whether ``key_id`` (a key ID or key ARN) is the entry's key."""
    return key_id in (entry.key_id, entry.arn)


def list_events(name: str | None = None, key_id: str | None = None) -> list[dict[str, Any]]:
    """The recorded events of every account and Region, oldest first (by ``eventTime``).

    ``name`` filters on ``eventName``; ``key_id`` (key ID or key ARN) on the event's key. Each
    call returns fresh copies, so a caller may change them freely.
    """
    return [
        entry.record
        for entry in collect(_extended_backends())
        if (name is None or entry.event_name == name)
        and (key_id is None or names_key(entry, key_id))
    ]

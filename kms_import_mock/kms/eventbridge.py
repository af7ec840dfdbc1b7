"""The events AWS KMS sends to EventBridge, put on moto's default event bus.

AWS KMS sends ``KMS Imported Key Material Expiration`` when it deletes expired material,
``KMS CMK Rotation`` when a rotation completes and ``KMS CMK Deletion`` when it deletes a key at
the end of its waiting period (source ``aws.kms``, the key ARN in ``resources``). They go
through moto's ``PutEvents``, so the rules of the account and Region and their targets (SQS,
SNS, Lambda, logs) receive them as AWS would deliver them; nothing is put while the default bus
has no rule (no events backend is made for nothing).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moto.kms.models import Key

SOURCE = "aws.kms"
MATERIAL_EXPIRATION = "KMS Imported Key Material Expiration"
ROTATION = "KMS CMK Rotation"
DELETION = "KMS CMK Deletion"


def _bus_rules(account_id: str, region: str) -> Any:
    """moto's events backend of the account and Region, if its default bus has a rule.

    Found without making anything: a rule exists only where someone made the events backend
    (moto's BackendDict creates one on lookup) and so imported moto's events package, both of
    which cost milliseconds that an expiry sweep would otherwise pay for nothing."""
    models = sys.modules.get("moto.events.models")
    if models is None:
        return None
    accounts = dict.get(models.events_backends, account_id)
    backend = dict.get(accounts, region) if accounts is not None else None
    if backend is None:
        return None
    bus = backend.event_buses.get("default")
    return backend if bus is not None and bus.rules else None


def put(
    account_id: str, region: str, detail_type: str, entries: list[tuple[Key, float, dict[str, Any]]]
) -> None:
    """One event per (key, when, detail), in order; ten to a PutEvents call, as AWS allows."""
    backend = _bus_rules(account_id, region)
    if backend is None or not entries:
        return
    requests = [
        {
            "Source": SOURCE,
            "DetailType": detail_type,
            # Epoch seconds, as moto's PutEvents keeps a request's Time (its targets' JSON
            # templates expect a number there).
            "Time": when,
            "Resources": [key.arn],
            "Detail": json.dumps(detail),
        }
        for key, when, detail in entries
    ]
    for start in range(0, len(requests), 10):
        backend.put_events(requests[start : start + 10])


def materials_expired(account_id: str, region: str, items: list[tuple[Key, str, float]]) -> None:
    """``KMS Imported Key Material Expiration`` for each (key, material id, ValidTo)."""
    if _bus_rules(account_id, region) is None:
        return  # before building an entry for each of what may be thousands
    entries = [
        (key, valid_to, {"key-id": key.id, "key-material-id": material_id})
        for key, material_id, valid_to in items
    ]
    put(account_id, region, MATERIAL_EXPIRATION, entries)


def key_rotated(
    account_id: str,
    region: str,
    key: Key,
    when: float,
    previous_material_id: str | None,
    current_material_id: str | None,
    rotation_type: str = "ON_DEMAND",
) -> None:
    """``KMS CMK Rotation`` of a rotation (``ON_DEMAND`` or ``AUTOMATIC``), with the detail
    AWS documents."""
    detail = {
        "key-id": key.id,
        "key-origin": key.origin,
        "rotation-type": rotation_type,
        "previous-key-material-id": previous_material_id,
        "current-key-material-id": current_material_id,
    }
    put(account_id, region, ROTATION, [(key, when, detail)])


def keys_deleted(account_id: str, region: str, items: list[tuple[Key, float]]) -> None:
    """``KMS CMK Deletion`` for each (key, DeletionDate as epoch seconds)."""
    put(account_id, region, DELETION, [(key, when, {"key-id": key.id}) for key, when in items])

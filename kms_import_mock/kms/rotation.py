"""On-demand rotation and ListKeyRotations of EXTERNAL symmetric keys, as pure functions.

The backend decides *whether* a rotation may happen and which related keys take part; these
functions change one key's :class:`KeyImport` and shape the ListKeyRotations entries and pages.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from .state import CURRENT, NON_CURRENT, KeyImport, KeyMaterial

ON_DEMAND = "ON_DEMAND"
#: RotateKeyOnDemand quota per key (API reference 2025; it was 10 before mid-2025).
ROTATION_QUOTA = 25
DEFAULT_LIMIT = 100


def rotate(state: KeyImport, material_id: str, when: _dt.datetime) -> str | None:
    """Make ``material_id`` CURRENT and the current material NON_CURRENT; returns the previous
    current material's id. The rotation completes at once (AWS takes up to a minute)."""
    record = state.find(material_id)
    assert record is not None and not record.permanent
    previous = state.current
    if previous is not None:
        previous.state = NON_CURRENT
    record.state = CURRENT
    record.rotation_date = when
    record.rotation_type = ON_DEMAND
    state.current_material_id = material_id
    state.on_demand_rotations += 1
    return previous.material_id if previous is not None else None


def entry(key_id: str, material: KeyMaterial, shown_state: str) -> dict[str, Any]:
    """One ``RotationsListEntry``: each field present exactly when AWS presents it."""
    result: dict[str, Any] = {"KeyId": key_id, "KeyMaterialId": material.material_id}
    if material.description is not None:
        result["KeyMaterialDescription"] = material.description
    result["ImportState"] = "IMPORTED" if material.imported else "PENDING_IMPORT"
    result["KeyMaterialState"] = shown_state
    if material.imported and material.expiration_model is not None:
        result["ExpirationModel"] = material.expiration_model
        if material.valid_to is not None:
            result["ValidTo"] = material.valid_to.timestamp()
    # Absent for the first material and for material pending rotation.
    if material.rotation_date is not None:
        result["RotationDate"] = material.rotation_date.timestamp()
        result["RotationType"] = material.rotation_type
    return result


def entries(
    key_id: str,
    state: KeyImport,
    include_all: bool,
    shown_state: Callable[[KeyMaterial], str],
) -> list[dict[str, Any]]:
    """ROTATIONS_ONLY lists the materials that became current through a rotation;
    ALL_KEY_MATERIAL adds the first material and any material pending rotation. Oldest first."""
    return [
        entry(key_id, m, shown_state(m))
        for m in state.materials
        if include_all or m.rotation_date is not None
    ]


def page(
    items: list[dict[str, Any]], limit: int, marker: str | None
) -> tuple[list[dict[str, Any]], str | None] | None:
    """``limit`` items starting at ``marker`` and the next marker; None when the marker is not
    one this listing handed out. A marker is the KeyMaterialId of the first entry of the page,
    so a page stays right when materials are added between calls."""
    start = 0
    if marker is not None:
        ids = [item["KeyMaterialId"] for item in items]
        if marker not in ids:
            return None
        start = ids.index(marker)
    chunk = items[start : start + limit]
    rest = items[start + limit :]
    return chunk, (rest[0]["KeyMaterialId"] if rest else None)

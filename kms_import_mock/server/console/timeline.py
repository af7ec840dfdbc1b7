"""A key's material history from its recorded CloudTrail events, and its SVG timeline.

The history is read from the same records ``m.events()`` and ``GET /_kms_import/events`` serve,
so the picture never disagrees with the audit trail: ``ImportKeyMaterial`` (imported, or
reimported when that material, or for keys without material ids the key, had material before),
``DeleteImportedKeyMaterial`` (deleted), ``DeleteExpiredKeyMaterial`` (expired) and
``RotateKey`` (rotated, the service event of a completed on-demand rotation).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from html import escape
from typing import Any

IMPORTED, REIMPORTED, DELETED, EXPIRED, ROTATED = (
    "imported",
    "reimported",
    "deleted",
    "expired",
    "rotated",
)
#: Marker colours: material arriving is green, leaving red or amber, rotation blue.
_COLOUR = {
    IMPORTED: "#1d8102",
    REIMPORTED: "#1d8102",
    DELETED: "#d13212",
    EXPIRED: "#b0630a",
    ROTATED: "#0073bb",
}
_STEP, _MARGIN, _HEIGHT = 150, 80, 150


@dataclass(frozen=True)
class Moment:
    """One point of the material history."""

    kind: str
    time: str  # CloudTrail's eventTime, ``2026-12-06T19:20:00Z``
    material_id: str | None

    @property
    def label_time(self) -> str:
        moment = _dt.datetime.strptime(self.time, "%Y-%m-%dT%H:%M:%SZ")
        return moment.strftime("%Y-%m-%d %H:%M")


def _member(record: dict[str, Any], section: str, name: str) -> str | None:
    value = (record.get(section) or {}).get(name)
    return value if isinstance(value, str) else None


def history(records: list[dict[str, Any]]) -> list[Moment]:
    """The material moments among ``records`` (one key's events, oldest first)."""
    moments: list[Moment] = []
    seen: set[str | None] = set()
    for record in records:
        name, time = record.get("eventName"), str(record.get("eventTime", ""))
        if name == "ImportKeyMaterial":
            material = _member(record, "responseElements", "keyMaterialId") or _member(
                record, "requestParameters", "keyMaterialId"
            )
            kind = REIMPORTED if material in seen else IMPORTED
            seen.add(material)
            moments.append(Moment(kind, time, material))
        elif name == "DeleteImportedKeyMaterial":
            material = _member(record, "responseElements", "keyMaterialId")
            moments.append(Moment(DELETED, time, material))
        elif name == "DeleteExpiredKeyMaterial":
            material = _member(record, "serviceEventDetails", "keyMaterialId")
            moments.append(Moment(EXPIRED, time, material))
        elif name == "RotateKey":
            material = _member(record, "serviceEventDetails", "currentKeyMaterialId")
            moments.append(Moment(ROTATED, time, material))
    return moments


def last_import(moments: list[Moment], material_id: str | None) -> str | None:
    """When ``material_id`` (any material when None) was last imported, as an eventTime."""
    for moment in reversed(moments):
        if moment.kind in (IMPORTED, REIMPORTED) and (
            material_id is None or moment.material_id == material_id
        ):
            return moment.time
    return None


def svg(moments: list[Moment], key_name: str) -> str:
    """The history as an inline SVG picture (role ``img``, named "Key material timeline of
    …"), one marker per moment, evenly spaced in time order, with its kind and time."""
    width = max(600, 2 * _MARGIN + _STEP * max(len(moments) - 1, 0))
    title = f"Key material timeline of {key_name}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="timeline" '
        f'aria-labelledby="timeline-title timeline-desc" width="{width}" height="{_HEIGHT}" '
        f'viewBox="0 0 {width} {_HEIGHT}">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">{escape(describe(moments))}</desc>',
    ]
    axis = _HEIGHT // 2
    if not moments:
        parts.append(
            f'<text x="{width // 2}" y="{axis}" text-anchor="middle" fill="#545b64" '
            'font-size="14">No key material events recorded</text>'
        )
    else:
        last = _MARGIN + _STEP * (len(moments) - 1)
        parts.append(
            f'<line x1="{_MARGIN - 40}" y1="{axis}" x2="{last + 40}" y2="{axis}" '
            'stroke="#879596" stroke-width="2"/>'
        )
    for index, moment in enumerate(moments):
        x = _MARGIN + _STEP * index
        colour = _COLOUR[moment.kind]
        material = f" ({moment.material_id[:8]}…)" if moment.material_id else ""
        parts.append(
            f'<g class="moment moment-{moment.kind}" data-kind="{moment.kind}">'
            f"<title>{escape(moment.kind)} {escape(moment.time)}{escape(material)}</title>"
            f'<circle cx="{x}" cy="{axis}" r="9" fill="{colour}" stroke="#ffffff" '
            'stroke-width="2"/>'
            f'<text x="{x}" y="{axis - 22}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="{colour}">{escape(moment.kind)}</text>'
            f'<text x="{x}" y="{axis + 32}" text-anchor="middle" font-size="12" '
            f'fill="#16191f">{escape(moment.label_time)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def describe(moments: list[Moment]) -> str:
    """The history in words, for the picture's description."""
    if not moments:
        return "No key material events recorded."
    return "; ".join(f"{m.kind} {m.time}" for m in moments) + "."

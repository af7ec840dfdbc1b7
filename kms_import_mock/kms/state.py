"""Import state of EXTERNAL keys, in plain dataclasses kept on the backend.

Not moto ``BaseModel``s: moto's reset re-runs the backend's ``__init__``, which drops them, and
moto's model registry stays untouched.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from kms_import_mock.crypto.material import Material

CURRENT = "CURRENT"
NON_CURRENT = "NON_CURRENT"
PENDING_ROTATION = "PENDING_ROTATION"
PENDING_MRK = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION"
PERMANENT = (CURRENT, NON_CURRENT)

EXPIRES = "KEY_MATERIAL_EXPIRES"
DOES_NOT_EXPIRE = "KEY_MATERIAL_DOES_NOT_EXPIRE"


@dataclass(repr=False)
class KeyMaterial:
    """One material associated with a key, imported or (after delete/expiry) awaiting reimport."""

    material_id: str
    state: str
    material: Material | None = None
    expiration_model: str | None = None
    valid_to: _dt.datetime | None = None
    description: str | None = None
    rotation_date: _dt.datetime | None = None
    rotation_type: str | None = None
    #: bumped on every import, so a stale expiry entry for an earlier import is ignored
    generation: int = 0

    @property
    def imported(self) -> bool:
        return self.material is not None

    @property
    def permanent(self) -> bool:
        return self.state in PERMANENT

    def forget(self) -> None:
        """Delete the material but keep the association (ImportState becomes PENDING_IMPORT)."""
        self.material = None
        self.expiration_model = None
        self.valid_to = None
        self.generation += 1

    def __repr__(self) -> str:
        return (
            f"<KeyMaterial {self.material_id} {self.state} "
            f"{'IMPORTED' if self.imported else 'PENDING_IMPORT'}>"
        )


@dataclass(repr=False)
class KeyImport:
    """Everything the import lifecycle knows about one EXTERNAL key."""

    key_id: str
    key_spec: str
    materials: list[KeyMaterial] = field(default_factory=list)
    current_material_id: str | None = None
    on_demand_rotations: int = 0

    def find(self, material_id: str) -> KeyMaterial | None:
        for m in self.materials:
            if m.material_id == material_id:
                return m
        return None

    @property
    def current(self) -> KeyMaterial | None:
        return self.find(self.current_material_id) if self.current_material_id else None

    @property
    def pending(self) -> KeyMaterial | None:
        for m in self.materials:
            if not m.permanent:
                return m
        return None

    @property
    def permanent(self) -> list[KeyMaterial]:
        return [m for m in self.materials if m.permanent]

    @property
    def complete(self) -> bool:
        """Every permanently associated material is imported (and there is at least one)."""
        # A loop rather than ``permanent``'s list: the expiry sweep asks this for every
        # material it expires.
        found = False
        for m in self.materials:
            if m.state in PERMANENT:
                if m.material is None:
                    return False
                found = True
        return found

    def expiration(self) -> tuple[str | None, _dt.datetime | None]:
        """KeyMetadata's ExpirationModel and ValidTo, by the rules for several materials."""
        imported = [m for m in self.permanent if m.imported]
        if not imported:
            return None, None
        expiring = [m.valid_to for m in imported if m.valid_to is not None]
        if not expiring:
            return DOES_NOT_EXPIRE, None
        return EXPIRES, min(expiring)

    def __repr__(self) -> str:
        return f"<KeyImport {self.key_id} materials={len(self.materials)}>"

"""What the console shows of a key, worded as the AWS console words it, from KMS API answers."""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .kms import KmsCaller

#: KeyState as the AWS console's Status column shows it.
STATUS = {
    "Creating": "Creating",
    "Enabled": "Enabled",
    "Disabled": "Disabled",
    "PendingDeletion": "Pending deletion",
    "PendingImport": "Pending import",
    "PendingReplicaDeletion": "Pending replica deletion",
    "Unavailable": "Unavailable",
    "Updating": "Updating",
}
#: Origin as the AWS console shows it.
ORIGIN = {
    "AWS_KMS": "AWS KMS",
    "EXTERNAL": "External",
    "AWS_CLOUDHSM": "AWS CloudHSM",
    "EXTERNAL_KEY_STORE": "External key store",
}
DEFAULT_REGION = "us-east-1"
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
NO_VALUE = "\u2014"  # an em dash, as the AWS console shows an empty cell


def default_account() -> str:
    """moto's default account: MOTO_ACCOUNT_ID's when set, else 123456789012."""
    import os

    from moto.core.models import DEFAULT_ACCOUNT_ID

    return os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID


def valid_account(account: str) -> bool:
    return re.fullmatch(r"[0-9]{12}", account) is not None


def accounts(current: str) -> tuple[str, ...]:
    """The accounts with KMS keys in some Region (moto's kms_backends), the default and current."""
    from moto.kms.models import kms_backends

    found = {default_account(), current}
    for account_id, by_region in list(kms_backends.items()):
        if any(getattr(b, "keys", None) for b in list(by_region.values())):
            found.add(account_id)
    return tuple(sorted(found))


def valid_region(region: str) -> bool:
    return bool(_REGION.match(region))


def regions(current: str) -> list[str]:
    """The Regions of the selector: every commercial Region with KMS (botocore's endpoint
    data), and ``current`` if it is another one a client used."""
    return sorted(set(_kms_regions()) | {current})


@functools.cache
def _kms_regions() -> tuple[str, ...]:
    import boto3

    return tuple(boto3.session.Session().get_available_regions("kms"))


def when(epoch: float | None) -> str:
    """A time as the console shows it: ``2026-12-06 19:20:00 UTC``."""
    if epoch is None:
        return NO_VALUE
    moment = _dt.datetime.fromtimestamp(float(epoch), _dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass
class KeyRow:
    """One key as the keys table and the key page show it."""

    key_id: str
    arn: str
    alias: str | None
    state: str
    origin: str
    key_spec: str
    description: str
    expiration_model: str | None
    valid_to: float | None
    current_material_id: str | None
    metadata: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def status(self) -> str:
        return STATUS.get(self.state, self.state)

    @property
    def origin_label(self) -> str:
        return ORIGIN.get(self.origin, self.origin)

    @property
    def external(self) -> bool:
        return self.origin == "EXTERNAL"

    @property
    def has_material(self) -> bool:
        """DescribeKey names an ExpirationModel exactly while imported material is there."""
        return self.external and self.expiration_model is not None

    @property
    def deletable(self) -> bool:
        """Whether **Delete key material** is offered: EXTERNAL keys with material only."""
        return self.has_material

    @property
    def name(self) -> str:
        """How the console names the key in a dialog: its alias, else its key ID."""
        return self.alias or self.key_id

    @property
    def expiry(self) -> str:
        """``expires …`` / ``does not expire`` for imported material, an em dash otherwise."""
        if not self.has_material:
            return NO_VALUE
        if self.valid_to is None:
            return "does not expire"
        return f"expires {when(self.valid_to)}"

    def as_json(self) -> dict[str, Any]:
        return {
            "KeyId": self.key_id,
            "Arn": self.arn,
            "Alias": self.alias,
            "Status": self.status,
            "KeyState": self.state,
            "Origin": self.origin_label,
            "KeySpec": self.key_spec,
            "MaterialExpiry": self.expiry,
            "DeleteKeyMaterial": self.deletable,
        }


def _aliases(kms: KmsCaller) -> dict[str, str]:
    """Key ID -> its first alias (in name order), without the ``alias/`` prefix."""
    found: dict[str, str] = {}
    for entry in sorted(kms.pages("ListAliases", "Aliases"), key=lambda a: a["AliasName"]):
        target = entry.get("TargetKeyId")
        if target and target not in found:
            found[target] = entry["AliasName"].removeprefix("alias/")
    return found


def _row(metadata: dict[str, Any], alias: str | None) -> KeyRow:
    return KeyRow(
        key_id=metadata["KeyId"],
        arn=metadata["Arn"],
        alias=alias,
        state=metadata.get("KeyState", ""),
        origin=metadata.get("Origin", ""),
        key_spec=metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec", ""),
        description=metadata.get("Description", ""),
        expiration_model=metadata.get("ExpirationModel"),
        valid_to=metadata.get("ValidTo"),
        current_material_id=metadata.get("CurrentKeyMaterialId"),
        metadata=metadata,
    )


def key_rows(kms: KmsCaller) -> list[KeyRow]:
    """Every key of the Region (ListKeys, then DescribeKey each), oldest first."""
    aliases = _aliases(kms)
    rows = []
    for entry in kms.pages("ListKeys", "Keys"):
        metadata = kms("DescribeKey", KeyId=entry["KeyId"])["KeyMetadata"]
        rows.append(_row(metadata, aliases.get(metadata["KeyId"])))
    rows.sort(key=lambda r: (r.metadata.get("CreationDate", 0), r.key_id))
    return rows


def key_row(kms: KmsCaller, key_id: str) -> KeyRow:
    metadata = kms("DescribeKey", KeyId=key_id)["KeyMetadata"]
    return _row(metadata, _aliases(kms).get(metadata["KeyId"]))


def materials(kms: KmsCaller, row: KeyRow) -> list[dict[str, Any]]:
    """ListKeyRotations with every key material, for EXTERNAL symmetric keys (the only keys
    that list their materials); none for the others."""
    if not row.external or row.key_spec != "SYMMETRIC_DEFAULT":
        return []
    return kms.pages(
        "ListKeyRotations", "Rotations", KeyId=row.key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL"
    )

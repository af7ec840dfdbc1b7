"""How a request's key reference is resolved, for keys of every origin.

moto resolves any ARN by stripping it to its key ID and raises KeyError for what names no key;
these lookups answer None (leaving the unknown key to moto's own validation, which words it as
AWS does) or refuse an ARN that names another Region or account.
"""

from __future__ import annotations

from moto.kms.models import Key, KmsBackend
from moto.utilities.utils import get_partition

from .errors import NotFoundException, key_not_found


class KeyLookups(KmsBackend):
    """Key lookups shared by every mixin of the extended backend."""

    def known_key(self, key_id: str | None) -> Key | None:
        """The key ``key_id`` (key ID, key ARN, alias name or alias ARN) names, or None: moto's
        own validation then reports the unknown key as it always did."""
        if not key_id:
            return None
        try:
            raw = self.any_id_to_key_id(key_id)
        except (KeyError, AttributeError, TypeError):
            return None
        return self.keys.get(raw)

    def refuse_foreign_arn(self, key_id: str) -> None:
        """NotFoundException for a key or alias ARN of another partition, Region or account.

        moto strips any ARN to its key ID, so an ARN naming the key in another Region (a
        multi-Region replica, say) or account was served as this backend's key. The mock keeps
        no cross-account grants or policies, so such an ARN names no key it can use.
        """
        if not key_id.startswith("arn:"):
            return
        parts = key_id.split(":", 5)
        local = ["arn", get_partition(self.region_name), "kms", self.region_name, self.account_id]
        if len(parts) == 6 and parts[:5] == local[:5]:
            return
        if len(parts) == 6 and parts[3] != local[3]:
            # Recorded from AWS (DescribeKey with the key ARN of another Region).
            raise NotFoundException(f"Invalid arn {parts[3]}")
        if len(parts) == 6 and parts[5].startswith("alias/"):
            raise NotFoundException(f"Alias {key_id} is not found.")
        raise NotFoundException(key_not_found(key_id))

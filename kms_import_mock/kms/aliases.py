"""Aliases resolved in O(1), and ListKeys in pages, however many keys a Region holds.

moto keeps each alias only inside its key (``key.aliases``) and finds an alias by scanning every
key: CreateAlias, UpdateAlias, DeleteAlias and every request naming a key by alias scan the
Region two to four times (Encrypt by alias was 1.9x slower at 50,000 keys than at 10). ListKeys
returned every key in one response. This mixin keeps, next to moto's ``key.aliases`` (which
stay the truth and are still what ListAliases shows):

* ``_alias_targets``: alias name → key id, kept by CreateAlias, UpdateAlias, DeleteAlias and key
  deletion; an entry is checked against ``key.aliases`` on every use, so an entry left by a key
  deleted some other way is dropped instead of believed.
* ``_alias_shared``: ids of keys whose ``aliases`` dict another Region's key shares. moto's
  ReplicateKey of an ordinary key is a shallow copy, so the replica and its primary hold one
  dict, and an alias made in either Region is visible in both; an alias not in the index is
  looked for in those keys only (usually none).
* the order keys were created in (``keys`` is a :class:`KeyOrder`), so a ListKeys page starts
  at its marker without walking the keys before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.kms.models import Alias, Key
from moto.kms.utils import RESERVED_ALIASES

from .base import ImportBackendBase

#: ListKeys without ``Limit`` returns at most this many keys, as AWS does.
DEFAULT_LIST_LIMIT = 100


class KeyOrder(dict[str, Key]):
    """moto's ``keys`` dict, also remembering the order key ids were added in.

    Reads are plain ``dict`` reads. Each new id is appended to ``order`` and its position kept
    in ``position``; a removed key leaves its slot behind (skipped when listing), so positions
    never move and a marker stays valid while keys come and go.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.order: list[str] = []
        self.position: dict[str, int] = {}
        for key_id, key in dict(*args, **kwargs).items():
            self[key_id] = key

    def __setitem__(self, key_id: str, key: Key) -> None:
        if key_id not in self:
            self.position[key_id] = len(self.order)
            self.order.append(key_id)
        super().__setitem__(key_id, key)

    def page(self, start: int, limit: int) -> tuple[list[Key], int | None]:
        """Up to ``limit`` keys from slot ``start`` on, and the slot of the next page (or None)."""
        found: list[Key] = []
        order, i = self.order, start
        while i < len(order) and len(found) < limit:
            key = self.get(order[i])
            if key is not None and self.position.get(order[i]) == i:
                found.append(key)
            i += 1
        while i < len(order) and (order[i] not in self or self.position.get(order[i]) != i):
            i += 1  # so that a last full page does not promise another one
        return found, (i if i < len(order) else None)


class AliasIndex(ImportBackendBase):
    """The alias index and the key order over moto's backend (see the module docstring)."""

    def init_import_state(self) -> None:
        super().init_import_state()
        self._key_order = KeyOrder(self.keys)
        self.keys = self._key_order
        self._alias_targets: dict[str, str] = {}
        self._alias_shared: set[str] = set()

    def _alias_target(self, alias_name: str) -> str | None:
        """The id of the key holding ``alias_name`` in this Region, or None."""
        key_id = self._alias_targets.get(alias_name)
        if key_id is not None:
            key = self.keys.get(key_id)
            if key is not None and alias_name in key.aliases:
                return key_id
            self._alias_targets.pop(alias_name, None)  # its key went away
        for shared_id in self._alias_shared:
            key = self.keys.get(shared_id)
            if key is not None and alias_name in key.aliases:
                return shared_id
        return None

    # -- moto's alias methods, the same answers without the scans ---------------------------

    def alias_exists(self, alias_name: str) -> bool:
        return self._alias_target(alias_name) is not None

    def get_key_id_from_alias(self, alias_name: str) -> str | None:
        key_id = self._alias_target(alias_name)
        if key_id is None and alias_name in RESERVED_ALIASES:
            return self._generate_default_keys(alias_name)  # moto's aws/* keys, made on demand
        return key_id

    def create_alias(self, target_key_id: str, alias_name: str) -> Alias:
        alias = super().create_alias(target_key_id, alias_name)
        self._alias_targets[alias_name] = self.get_key_id(target_key_id)
        return alias

    def update_alias(self, target_key_id: str, alias_name: str) -> Alias:
        raw_key_id = self.get_key_id(target_key_id)
        current = self._alias_target(alias_name)
        if current is not None and current != raw_key_id:
            alias = self.keys[current].aliases.pop(alias_name)
            alias.target_key_id = raw_key_id
            self.keys[raw_key_id].aliases[alias_name] = alias
            self._alias_targets[alias_name] = raw_key_id
            return alias
        # TargetKeyId has not changed: nothing to update (moto's answer, KeyError included).
        return self.keys[raw_key_id].aliases[alias_name]

    def delete_alias(self, alias_name: str) -> None:
        key_id = self._alias_target(alias_name)
        self._alias_targets.pop(alias_name, None)
        if key_id is not None:
            self.keys[key_id].aliases.pop(alias_name, None)

    def list_aliases(self, key_id: str | None = None) -> Iterable[Alias]:
        if not key_id:
            yield from super().list_aliases()
            return
        key = self.keys.get(key_id)
        if key is not None:
            yield from key.aliases.values()

    def delete_key(self, key_id: str) -> None:
        key = self.keys.get(key_id)
        if key is not None:
            for alias_name in key.aliases:
                if self._alias_targets.get(alias_name) == key_id:
                    del self._alias_targets[alias_name]
            self._alias_shared.discard(key_id)
        super().delete_key(key_id)

    def replicate_key(self, key_id: str, replica_region: str) -> Key:
        replica: Key = super().replicate_key(key_id, replica_region)
        primary = self.keys.get(replica.id)
        if primary is not None and primary.aliases is replica.aliases:
            # moto's shallow copy: one aliases dict for both Regions (see the module docstring).
            target = self._backend_of(replica_region)
            self._alias_shared.add(replica.id)
            if target is not None:
                target._alias_shared.add(replica.id)
        return replica

    def _backend_of(self, region: str) -> AliasIndex | None:
        from moto.kms.models import kms_backends

        backend = kms_backends[self.account_id].get(region)
        return backend if isinstance(backend, AliasIndex) else None

    # -- ListKeys ----------------------------------------------------------------------------

    def list_keys_page(self, limit: int, marker: str | None) -> tuple[list[Key], str | None]:
        """One ListKeys page and the marker of the next, or None when this is the last page.

        The marker is the next page's first slot in creation order; ``ValueError`` for a marker
        this Region did not hand out.
        """
        start = 0
        if marker is not None:
            if not marker.isdigit() or int(marker) >= len(self._key_order.order):
                raise ValueError(marker)
            start = int(marker)
        keys, next_slot = self._key_order.page(start, limit)
        return keys, (None if next_slot is None else str(next_slot))

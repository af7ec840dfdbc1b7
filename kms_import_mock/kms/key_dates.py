"""Every date a key shows follows the mock clock.

moto stamps ``CreationDate`` (and ``RotationDate`` of an on-demand rotation) with the process
time, while ValidTo, token expiry and event times follow ``clock.now()``; after
``m.advance()`` or ``m.travel_to()`` a key created "later" showed an earlier CreationDate than
its own ValidTo implied. ``DeletionDate`` is set in ``key_state_rules`` and replicas' creation
in ``rotation_operations``, both from the same clock.
"""

from __future__ import annotations

from moto.kms.models import Key

from . import clock
from .base import ImportBackendBase


class KeyDates(ImportBackendBase):
    """CreationDate from the mock clock, for keys of every origin."""

    def create_key(
        self,
        policy: str | None,
        key_usage: str,
        key_spec: str,
        description: str,
        tags: list[dict[str, str]] | None,
        multi_region: bool = False,
        origin: str = "AWS_KMS",
    ) -> Key:
        key = super().create_key(
            policy, key_usage, key_spec, description, tags, multi_region, origin
        )
        key.creation_date = clock.now().timestamp()
        return key

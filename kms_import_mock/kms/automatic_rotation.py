"""Automatic rotation on the mock clock, as AWS KMS performs it.

moto's EnableKeyRotation only sets a flag: no key was ever rotated on its schedule, so no test
could see the new material, the ``RotateKey`` CloudTrail record or the ``KMS CMK Rotation``
event a user's alarm listens for. Here EnableKeyRotation (an ``AWS_KMS`` symmetric key;
imported material can never rotate automatically) takes ``RotationPeriodInDays`` (default
365) and the key rotates every period after it, on the mock clock, noticed by the lazy sweep
and dated at its NextRotationDate however late that is. Each rotation gives the key (and the
related keys of a multi-Region key, which share it) new material, a ListKeyRotations entry of
type ``AUTOMATIC``, a ``RotateKey`` record and an event in each Region.

A key that is disabled or pending deletion when its date comes is not rotated; it rotates when
it is enabled again (AWS: "if the key material is older than the rotation period, KMS rotates
it immediately"), and its next period starts then. Changing the period of a key already
rotating keeps the start of its current period. Rotation is a property of the primary key: a
replica refuses EnableKeyRotation and DisableKeyRotation and reports its primary's schedule,
and a request in a replica's Region after the date lets the primary rotate first.
"""

from __future__ import annotations

import datetime as _dt

from moto.kms.models import Key, kms_backends

from . import aws_kms_rotation, clock, eventbridge, events
from .errors import UnsupportedOperationException
from .key_state_rules import KeyStateRules
from .rotation_operations import RotationOperations

DEFAULT_PERIOD_DAYS = 365
_DAY = 86400.0


class AutomaticRotation(RotationOperations, KeyStateRules):
    """EnableKeyRotation's schedule, kept and carried out (see the module docstring)."""

    def enable_key_rotation(self, key_id: str, rotation_period_in_days: int | None = None) -> None:
        key = self.known_key(key_id)
        if key is not None:
            self._refuse_on_replica(key, "EnableKeyRotation")
        super().enable_key_rotation(key_id)
        if key is None:
            return
        period = rotation_period_in_days or DEFAULT_PERIOD_DAYS
        with self.lock:
            current = self.rotation_schedules.get(key.id)
            start = current[1] if current is not None else clock.now().timestamp()
            self._schedule_rotation(key, period, start)

    def disable_key_rotation(self, key_id: str) -> None:
        key = self.known_key(key_id)
        if key is not None:
            self._refuse_on_replica(key, "DisableKeyRotation")
        super().disable_key_rotation(key_id)
        if key is None:
            return
        with self.lock:
            self.rotation_schedules.pop(key.id, None)
            for related in self._same_key_everywhere(key):
                related.key_rotation_status = False
                backend = kms_backends[related.account_id][related.region]
                if isinstance(backend, AutomaticRotation):
                    backend._rotations.cancel(key.id, "")

    def rotation_schedule(self, key: Key) -> tuple[int, float] | None:
        """(RotationPeriodInDays, NextRotationDate as epoch seconds) of ``key``, or None when
        automatic rotation is off; a replica answers its primary's."""
        owner: KeyStateRules = self
        if self._is_replica(key):
            region = key.multi_region_configuration["PrimaryKey"]["Region"]
            found = kms_backends[self.account_id][region]
            if not isinstance(found, AutomaticRotation):
                return None
            owner = found
        owner.sweep()
        schedule = owner.rotation_schedules.get(key.id)
        if schedule is None:
            return None
        period, start = schedule
        return period, start + period * _DAY

    def enable_key(self, key_id: str) -> None:
        super().enable_key(key_id)
        key = self.known_key(key_id)
        if key is None or key.id not in self.rotation_schedules:
            return
        period, start = self.rotation_schedules[key.id]
        if start + period * _DAY <= clock.now().timestamp():
            # Overdue while it could not rotate: at once, and the next period starts now.
            self._rotate(key, clock.now().timestamp())

    def complete_rotations(self) -> None:
        now = clock.now().timestamp()
        with self.lock:
            due = self._rotations.pop_all_due(now)
        for _, _, key_id, _ in due:
            key = self.keys.get(key_id)
            if key is not None and self._is_replica(key):
                self._sweep_primary(key)  # the primary rotates both (locks: primary first)
                continue
            if key is None or key.id not in self.rotation_schedules:
                continue
            period, start = self.rotation_schedules[key.id]
            when = start + period * _DAY
            while key.key_state == "Enabled" and when <= now:
                self._rotate(key, when)
                period, start = self.rotation_schedules[key.id]
                when = start + period * _DAY
            # Not Enabled: no entry until EnableKey, which rotates it then.

    def _rotate(self, key: Key, when: float) -> None:
        """One automatic rotation at ``when``; the next period starts then."""
        with self.lock:
            everywhere = self._same_key_everywhere(key)
            old_id = aws_kms_rotation.material_id(key.id, bytes(key.key_material or b""))
            new_id = aws_kms_rotation.rotate(everywhere)
            entry = {
                "KeyId": key.id,
                "KeyMaterialId": new_id,
                "RotationDate": when,
                "RotationType": "AUTOMATIC",
            }
            seen: set[int] = set()
            for related in everywhere:
                if id(related.rotations) not in seen:  # moto's replicas share the list
                    seen.add(id(related.rotations))
                    related.rotations.append(dict(entry))
            period, _ = self.rotation_schedules[key.id]
            self._schedule_rotation(key, period, when)
        at = _dt.datetime.fromtimestamp(when, _dt.timezone.utc)
        # Outside the lock, as for expiry: a rule's target may call back into KMS.
        for related in everywhere:
            backend = kms_backends[related.account_id][related.region]
            if isinstance(backend, KeyStateRules):
                events.record_key_rotated(backend, related, old_id, new_id, "AUTOMATIC", at)
            eventbridge.key_rotated(
                related.account_id, related.region, related, when, old_id, new_id, "AUTOMATIC"
            )

    def _schedule_rotation(self, key: Key, period: int, start: float) -> None:
        """The primary keeps the schedule; each replica's Region an entry at the same date, so
        that a request there lets the primary rotate first."""
        self.rotation_schedules[key.id] = (period, start)
        due = start + period * _DAY
        for related in self._same_key_everywhere(key):
            related.key_rotation_status = True
            backend = kms_backends[related.account_id][related.region]
            if isinstance(backend, AutomaticRotation):
                backend._rotations.schedule(key.id, "", due)

    def _refuse_on_replica(self, key: Key, operation: str) -> None:
        if self._is_replica(key):
            raise UnsupportedOperationException(self._replica_refusal(key, f"call {operation}"))

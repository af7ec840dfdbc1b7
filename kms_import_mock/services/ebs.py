"""Amazon EBS and EC2 follow the KMS key: a data key per encrypted volume, asked back on attach.

Where EBS needs a data key: CreateVolume with ``Encrypted``, or any new volume (CreateVolume,
RunInstances block devices and root volume) once EnableEbsEncryptionByDefault is on (the
request's ``KmsKeyId``, else the account's EBS default key, else ``alias/aws/ebs``), as
GenerateDataKeyWithoutPlaintext with the encryption context ``aws:ebs:id``; snapshots and
volumes made from them keep the volume's key and data key, and CopySnapshot to another key
decrypts the source's and makes a new one. Where it needs it back: AttachVolume, and
StartInstances for the encrypted volumes an instance has; the plaintext data key then stays with
the attachment, so making the key unusable changes nothing for an attached volume or a running
instance, until it is detached or the instance stops.

How a refusal looks (AWS checks KMS asynchronously and documents no synchronous error, so these
are project decisions): a volume whose data key cannot be made goes to state ``error``; an
attach whose data key cannot be decrypted answers ``attaching`` and leaves the volume
``available`` with no attachment; RunInstances and StartInstances leave the instance
``terminated`` / ``stopped`` with StateReason ``Client.InternalError``.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Callable
from typing import Any

from kms_import_mock.services import envelope
from kms_import_mock.services.patching import Patches

PRINCIPAL = "ec2.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/ebs"
#: Attributes kept on moto's Volume / Snapshot objects (moto's reset drops them with the object).
SEALED = "kms_import_sealed"
FAILED = "kms_import_failed"
LAUNCH_FAILURE = ("Client.InternalError: Client error on launch", "Client.InternalError")

#: Set while RunInstances attaches its block devices: a failed volume then just stays detached.
_launching: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "kms_import_ec2_launching", default=False
)


def install(patches: Patches) -> None:
    from moto.ec2.models.elastic_block_store import EBSBackend, Snapshot, Volume
    from moto.ec2.models.instances import InstanceBackend

    for owner, name, wrap in (
        (EBSBackend, "create_volume", _create_volume),
        (EBSBackend, "create_snapshot", _create_snapshot),
        (EBSBackend, "copy_snapshot", _copy_snapshot),
        (EBSBackend, "attach_volume", _attach_volume),
        (EBSBackend, "detach_volume", _detach_volume),
        (EBSBackend, "modify_ebs_default_kms_key_id", _modify_default_key),
        (InstanceBackend, "run_instances", _run_instances),
        (InstanceBackend, "start_instances", _start_instances),
    ):
        patches.set(owner, name, wrap(patches.original(owner, name)))
    patches.set(Volume, "status", property(_volume_status(patches.original(Volume, "status"))))
    patches.set(Snapshot, "status", _FailedSnapshotStatus())


# -- how a refusal looks ---------------------------------------------------------------------


def _ec2_error(code: str, message: str) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError(code, message)


def _volume_status(original: Any) -> Callable[[Any], str]:
    def status(volume: Any) -> str:
        return "error" if getattr(volume, FAILED, None) else str(original.fget(volume))

    return status


class _FailedSnapshotStatus:
    """moto's Snapshot keeps ``status`` as an instance attribute; a failed copy reads ``error``."""

    def __get__(self, snapshot: Any, owner: Any = None) -> Any:
        if snapshot is None:
            return self
        if getattr(snapshot, FAILED, None):
            return "error"
        return snapshot.__dict__.get("_kms_import_status", "completed")

    def __set__(self, snapshot: Any, value: str) -> None:
        snapshot.__dict__["_kms_import_status"] = value


# -- where EBS needs a data key ----------------------------------------------------------------


def _seal(backend: Any, key_id: str | None, resource_id: str) -> envelope.Sealed:
    return envelope.seal_data_key(
        backend.account_id,
        backend.region_name,
        key_id,
        {"aws:ebs:id": resource_id},
        PRINCIPAL,
        default_alias=DEFAULT_ALIAS,
        with_plaintext=False,
    )


def _create_volume(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_volume(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = inspect.signature(original).bind(self, *args, **kwargs)
        arguments = call.arguments
        snapshot_id = arguments.get("snapshot_id")
        snapshot = self.get_snapshot(snapshot_id) if snapshot_id else None
        inherited = getattr(snapshot, SEALED, None)
        encrypted = (
            bool(arguments.get("encrypted")) or inherited is not None or _by_default(self)
        )
        if not encrypted:
            return original(*call.args, **call.kwargs)
        requested = arguments.get("kms_key_id") or None
        key_id = requested or (inherited.key_arn if inherited else None) or self.default_kms_key_id
        try:
            key_arn = envelope.resolve_key(
                self.account_id, self.region_name, key_id or None, DEFAULT_ALIAS
            ).arn
        except envelope.KmsRefusal:
            key_arn = key_id or ""
        arguments["encrypted"], arguments["kms_key_id"] = True, key_arn or None
        volume = original(*call.args, **call.kwargs)
        try:
            if inherited is not None and key_arn == inherited.key_arn:
                # A volume from a snapshot keeps the snapshot's data key: EBS decrypts it later.
                sealed = inherited
            else:
                if inherited is not None:
                    envelope.unseal(inherited, PRINCIPAL)  # re-encrypting needs the source key
                sealed = _seal(self, key_arn or None, volume.id)
        except envelope.KmsRefusal as refusal:
            setattr(volume, FAILED, refusal)  # AWS checks KMS after the call: the volume fails
            return volume
        setattr(volume, SEALED, sealed)
        return volume

    return create_volume


def _by_default(backend: Any) -> bool:
    """EnableEbsEncryptionByDefault is on in this account and Region: every new volume is
    encrypted (moto keeps the setting but ignores it), under the default key."""
    return bool(getattr(backend, "ebs_encryption_by_default", False))


def _create_snapshot(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_snapshot(self: Any, volume_id: str, *args: Any, **kwargs: Any) -> Any:
        snapshot = original(self, volume_id, *args, **kwargs)
        sealed = getattr(self.get_volume(volume_id), SEALED, None)
        if sealed is not None:
            # moto drops the volume's key on its snapshots; EBS keeps key and data key.
            snapshot.kms_key_id, snapshot.encrypted = sealed.key_arn, True
            setattr(snapshot, SEALED, sealed)
        return snapshot

    return create_snapshot


def _copy_snapshot(original: Callable[..., Any]) -> Callable[..., Any]:
    def copy_snapshot(
        self: Any, source_snapshot_id: str, source_region: str, description: str, kms_key_id: Any
    ) -> Any:
        from moto.ec2.models import ec2_backends

        source_backend = ec2_backends[self.account_id][source_region]
        source = source_backend.describe_snapshots(snapshot_ids=[source_snapshot_id])[0]
        sealed = getattr(source, SEALED, None)
        snapshot = original(self, source_snapshot_id, source_region, description, kms_key_id)
        if sealed is None:
            return snapshot
        try:
            target = (
                envelope.resolve_key(self.account_id, self.region_name, kms_key_id).arn
                if kms_key_id
                else None
            )
            snapshot.kms_key_id, snapshot.encrypted = target or sealed.key_arn, True
            if target is None or (target == sealed.key_arn and source_region == self.region_name):
                setattr(snapshot, SEALED, sealed)
            else:
                envelope.unseal(sealed, PRINCIPAL)  # the copy is re-encrypted: both keys needed
                setattr(snapshot, SEALED, _seal(self, target, snapshot.id))
        except envelope.KmsRefusal as refusal:
            setattr(snapshot, FAILED, refusal)
        return snapshot

    return copy_snapshot


# -- where EC2 needs it back -------------------------------------------------------------------


def _attach_volume(original: Callable[..., Any]) -> Callable[..., Any]:
    def attach_volume(
        self: Any, volume_id: str, instance_id: str, device_path: str, *args: Any, **kwargs: Any
    ) -> Any:
        from moto.ec2.models.elastic_block_store import VolumeAttachment

        volume = self.get_volume(volume_id)
        failed = getattr(volume, FAILED, None) is not None
        if failed and not _launching.get():
            raise _ec2_error("IncorrectState", f"The volume '{volume_id}' is in the 'error' state.")
        sealed = getattr(volume, SEALED, None)
        try:
            if sealed is not None:
                envelope.unseal(sealed, PRINCIPAL)
        except envelope.KmsRefusal:
            failed = True
        if failed:
            # The call answers ``attaching``, as on AWS; the attachment then fails, so the
            # volume stays available with no attachment.
            instance = self.get_instance(instance_id)
            return VolumeAttachment(volume, instance, device_path, "attaching")  # type: ignore[abstract]
        return original(self, volume_id, instance_id, device_path, *args, **kwargs)

    return attach_volume


def _detach_volume(original: Callable[..., Any]) -> Callable[..., Any]:
    def detach_volume(
        self: Any, volume_id: str, instance_id: str | None = None, device_path: str | None = None
    ) -> Any:
        volume = self.get_volume(volume_id)
        if not instance_id:
            # moto needs the instance; AWS takes it from the attachment when it is omitted.
            if volume.attachment is None:
                raise _ec2_error(
                    "IncorrectState", f"Volume '{volume_id}' is in the 'available' state."
                )
            instance_id = volume.attachment.instance.id
        return original(self, volume_id, instance_id, device_path)

    return detach_volume


def _modify_default_key(original: Callable[..., Any]) -> Callable[..., Any]:
    def modify_ebs_default_kms_key_id(self: Any, kms_key_id: str) -> Any:
        if kms_key_id:
            try:
                envelope.resolve_key(self.account_id, self.region_name, kms_key_id)
            except envelope.KmsRefusal as refusal:
                # AWS's code for an unknown key here is not documented (a project decision).
                raise _ec2_error("InvalidParameterValue", refusal.message) from None
        return original(self, kms_key_id)

    return modify_ebs_default_kms_key_id


def _encrypted_volumes(backend: Any, instance: Any) -> list[Any]:
    volumes = []
    for mapping in instance.block_device_mapping.values():
        volume = backend.volumes.get(mapping.volume_id)
        if volume is not None and getattr(volume, SEALED, None) is not None:
            volumes.append(volume)
    return volumes


def _launches(backend: Any, instance: Any, *, requested: int = 0) -> bool:
    """Whether every encrypted volume of ``instance`` can be decrypted (RunInstances: also whether
    all ``requested`` encrypted block devices got attached)."""
    volumes = _encrypted_volumes(backend, instance)
    if len(volumes) < requested:
        return False
    try:
        for volume in volumes:
            envelope.unseal(getattr(volume, SEALED), PRINCIPAL)
    except envelope.KmsRefusal:
        return False
    return True


def _fail_launch(instance: Any, state: str) -> None:
    from moto.ec2.models.instances import StateReason

    if state == "terminated":
        instance.terminate()
    else:
        instance.stop()
    instance.state_reason = StateReason(*LAUNCH_FAILURE)
    instance._reason = LAUNCH_FAILURE[0]


def _encrypted_mappings(backend: Any, kwargs: dict[str, Any]) -> int:
    """How many encrypted volumes the launch asks for: the mappings with ``Encrypted``, or with
    encryption by default every EBS mapping (the root volume when there are none)."""
    if "block_device_mappings" not in kwargs:
        return 1 if _by_default(backend) else 0
    mappings = kwargs.get("block_device_mappings") or []
    ebs_mappings = [m for m in mappings if m.get("Ebs") is not None and m.get("NoDevice") != ""]
    if _by_default(backend):
        return len(ebs_mappings)
    return sum(1 for m in ebs_mappings if str(m["Ebs"].get("Encrypted")).lower() == "true")


def _run_instances(original: Callable[..., Any]) -> Callable[..., Any]:
    def run_instances(self: Any, image_id: str, count: int, *args: Any, **kwargs: Any) -> Any:
        token = _launching.set(True)
        try:
            reservation = original(self, image_id, count, *args, **kwargs)
        finally:
            _launching.reset(token)
        requested = _encrypted_mappings(self, kwargs)
        for instance in reservation.instances:
            if not _launches(self, instance, requested=requested):
                _fail_launch(instance, "terminated")
        return reservation

    return run_instances


def _start_instances(original: Callable[..., Any]) -> Callable[..., Any]:
    def start_instances(self: Any, instance_ids: list[str]) -> Any:
        started = original(self, instance_ids)
        for instance, _previous in started:
            if not _launches(self, instance):
                _fail_launch(instance, "stopped")
        return started

    return start_instances

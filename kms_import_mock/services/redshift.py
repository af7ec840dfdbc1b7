"""Amazon Redshift database encryption under a KMS key, and what an unusable key does.

Redshift keeps a four-tier key hierarchy with the KMS key at its root: the cluster key is a data
key of the KMS key, decrypted when the cluster starts and then held in memory. So:

- CreateCluster with ``Encrypted`` and a ``KmsKeyId`` calls GenerateDataKey for the cluster key,
  context ``{"aws:redshift:arn": <cluster ARN>, "aws:redshift:createtime": <UTC time>}``.
  Under an unusable key it is refused and nothing is created.
- A running cluster stays ``available`` when the key becomes unusable: it still holds the key.
- What must decrypt the cluster key again calls Decrypt: RebootCluster, ResumeCluster of a
  paused cluster, RestoreFromClusterSnapshot (the snapshot keeps its cluster's key). A restore
  is encrypted under the request's ``KmsKeyId`` if it names one (moto's response layer drops
  it; the mock reads it), else under the snapshot's key, with a new cluster key from
  GenerateDataKey. A restore that cannot use either key is refused and creates nothing. A
  reboot or resume is accepted, as on AWS, but the cluster comes up without its key:
  ``ClusterStatus`` ``incompatible-hsm``. Once the key is usable again, RebootCluster or
  ResumeCluster brings it back to ``available``.

Project decisions (AWS documents no synchronous KMS error for Redshift): a refused create or
restore answers HTTP 403 ``DependentServiceAccessDenied`` ("a dependent service denied access",
the closest error in botocore's model for both operations), its message naming the key and
KMS's reason; the failed state is ``incompatible-hsm``, the model's status for a cluster that
cannot reach the key store that holds its root key. moto has no RebootCluster; it is added while
the mock is active. Clusters encrypted without ``KmsKeyId`` (the AWS owned key) and
unencrypted clusters never call KMS.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kms_import_mock.kms import clock
from kms_import_mock.services import envelope
from kms_import_mock.services.patching import Patches

PRINCIPAL = "redshift.amazonaws.com"
FAILED_STATUS = "incompatible-hsm"
STATE = "kms_import_redshift"
SEALED = "kms_import_redshift_sealed"

#: The ``KmsKeyId`` of the RestoreFromClusterSnapshot request being served (moto's response
#: layer does not pass it to the backend).
_restore_key: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "kms_import_redshift_restore_key", default=None
)


@dataclass
class ClusterKey:
    """The cluster key Redshift holds for one cluster, and why it could not load it (if so)."""

    sealed: envelope.Sealed
    failed: envelope.KmsRefusal | None = None


def _error(code: str, message: str) -> Exception:
    from moto.redshift.exceptions import RedshiftClientError

    return RedshiftClientError(code, message)


def access_denied(key_ref: str, refusal: envelope.KmsRefusal) -> Exception:
    return _error(
        "DependentServiceAccessDeniedFault",
        f"Amazon Redshift cannot use the KMS key {key_ref}: {refusal.code}: {refusal.message}",
    )


def state_of(cluster: Any) -> ClusterKey | None:
    state: ClusterKey | None = cluster.__dict__.get(STATE)
    return state


class _ClusterStatus:
    """moto keeps a cluster's status in its ``__dict__``; a cluster without its key reads
    ``incompatible-hsm``."""

    def __get__(self, cluster: Any, owner: Any = None) -> Any:
        if cluster is None:
            return self
        state = state_of(cluster)
        if state is not None and state.failed is not None:
            return FAILED_STATUS
        return cluster.__dict__.get("status", "available")

    def __set__(self, cluster: Any, value: str) -> None:
        cluster.__dict__["status"] = value


def _reload(cluster: Any) -> None:
    """Decrypt the cluster key as a starting cluster does; a refusal leaves it failed."""
    state = state_of(cluster)
    if state is None:
        return
    try:
        envelope.unseal(state.sealed, PRINCIPAL)
    except envelope.KmsRefusal as refusal:
        state.failed = refusal
    else:
        state.failed = None


# -- the wrappers ----------------------------------------------------------------------------


def _create_cluster(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_cluster(self: Any, **kwargs: Any) -> Any:
        key_id = kwargs.get("kms_key_id")
        if not kwargs.get("encrypted") or not key_id:
            return original(self, **kwargs)
        try:
            key = envelope.usable_key(self.account_id, self.region_name, key_id)
        except envelope.KmsRefusal as refusal:
            raise access_denied(key_id, refusal) from None
        kwargs["kms_key_id"] = key.arn
        cluster = original(self, **kwargs)
        context = {
            "aws:redshift:arn": cluster.arn,
            "aws:redshift:createtime": clock.now().strftime("%Y%m%dT%H%MZ"),
        }
        try:
            sealed = envelope.seal_data_key(
                self.account_id, self.region_name, key.arn, context, PRINCIPAL
            )
        except envelope.KmsRefusal as refusal:
            self.clusters.pop(cluster.cluster_identifier, None)
            raise access_denied(key_id, refusal) from None
        cluster.__dict__[STATE] = ClusterKey(sealed)
        for snapshot in self.snapshots.values():  # the automated snapshot moto just took
            if snapshot.cluster_identifier == cluster.cluster_identifier:
                _keep_on_snapshot(snapshot, sealed)
        return cluster

    return create_cluster


def _keep_on_snapshot(snapshot: Any, sealed: envelope.Sealed) -> None:
    if SEALED not in snapshot.__dict__:
        snapshot.__dict__[SEALED] = sealed
        snapshot.kms_key_id = sealed.key_arn  # moto drops the key on snapshots; AWS shows it


def _create_cluster_snapshot(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_cluster_snapshot(
        self: Any, cluster_identifier: str, *args: Any, **kwargs: Any
    ) -> Any:
        snapshot = original(self, cluster_identifier, *args, **kwargs)
        cluster = self.clusters.get(cluster_identifier)
        state = state_of(cluster) if cluster is not None else None
        if state is not None:
            _keep_on_snapshot(snapshot, state.sealed)
        return snapshot

    return create_cluster_snapshot


def _restore(original: Callable[..., Any]) -> Callable[..., Any]:
    def restore_from_cluster_snapshot(self: Any, **kwargs: Any) -> Any:
        requested = kwargs.pop("kms_key_id", None) or _restore_key.get()
        snapshot = self.snapshots.get(kwargs.get("snapshot_identifier"))
        if snapshot is None or kwargs.get("cluster_identifier") in self.clusters:
            return original(self, **kwargs)  # moto's ClusterSnapshotNotFound / AlreadyExists
        sealed: envelope.Sealed | None = snapshot.__dict__.get(SEALED)
        key_id = requested or (sealed.key_arn if sealed is not None else None)
        if key_id is None:
            return original(self, **kwargs)  # no key: a snapshot without a customer key
        if sealed is not None:
            try:
                envelope.unseal(sealed, PRINCIPAL)
            except envelope.KmsRefusal as refusal:
                raise access_denied(sealed.key_arn, refusal) from None
        # The restored cluster is encrypted under the requested key (else the snapshot's), with
        # a new cluster key: create_cluster refuses an unusable key before it creates anything.
        return original(self, **{**kwargs, "encrypted": True, "kms_key_id": key_id})

    return restore_from_cluster_snapshot


def _restore_response(original: Callable[..., Any]) -> Callable[..., Any]:
    def restore_from_cluster_snapshot(self: Any) -> Any:
        token = _restore_key.set(self._get_param("KmsKeyId") or None)
        try:
            return original(self)
        finally:
            _restore_key.reset(token)

    return restore_from_cluster_snapshot


def _resume_cluster(original: Callable[..., Any]) -> Callable[..., Any]:
    def resume_cluster(self: Any, cluster_id: str) -> Any:
        cluster = original(self, cluster_id)
        _reload(cluster)
        return cluster

    return resume_cluster


def _reboot_cluster(self: Any) -> Any:
    """RebootCluster, which moto lacks: the cluster restarts and loads its cluster key again."""
    from moto.core.responses import ActionResult

    cluster_id = self._get_param("ClusterIdentifier")
    cluster = self.redshift_backend.describe_clusters(cluster_id)[0]
    if cluster.status not in ("available", FAILED_STATUS):
        raise _error(
            "InvalidClusterStateFault",
            f"Cluster {cluster_id} is in the {cluster.status} state; only an available "
            "cluster can be rebooted.",
        )
    _reload(cluster)
    return ActionResult({"Cluster": cluster})


def install(patches: Patches) -> None:
    """Wrap moto's Redshift backend and its restore's request (for ``KmsKeyId``), add
    RebootCluster and the status read; restored on stop."""
    from moto.redshift.models import Cluster, RedshiftBackend
    from moto.redshift.responses import RedshiftResponse

    for name, wrap in (
        ("create_cluster", _create_cluster),
        ("create_cluster_snapshot", _create_cluster_snapshot),
        ("restore_from_cluster_snapshot", _restore),
        ("resume_cluster", _resume_cluster),
    ):
        original = patches.original(RedshiftBackend, name)
        wrapper = wrap(original)
        wrapper.__name__, wrapper.__doc__ = name, original.__doc__
        patches.set(RedshiftBackend, name, wrapper)
    restore = patches.original(RedshiftResponse, "restore_from_cluster_snapshot")
    patches.set(RedshiftResponse, "restore_from_cluster_snapshot", _restore_response(restore))
    patches.set(Cluster, "status", _ClusterStatus())
    if not hasattr(RedshiftResponse, "reboot_cluster"):
        patches.set(RedshiftResponse, "reboot_cluster", _reboot_cluster)
        transformers = dict(RedshiftResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER)
        transformers["RebootClusterResult.Cluster.ClusterStatus"] = _rebooting
        patches.set(RedshiftResponse, "RESPONSE_KEY_PATH_TO_TRANSFORMER", transformers)


def _rebooting(_: Any) -> str:
    return "rebooting"

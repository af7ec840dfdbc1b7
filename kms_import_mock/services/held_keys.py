"""The data keys a service holds for one resource, and per-resource patches.

Kinesis, SNS and Lambda share two things. First, a service keeps the data key it got from KMS for
a while (:data:`REUSE_SECONDS` on the mock's clock) instead of calling KMS on every request, but
still checks the key's state on every request, so a key that is disabled, pending deletion or
without its material is refused at once (what AWS's modelled ``KMSDisabledException`` /
``KMSInvalidStateException`` of these services describe) while the CloudTrail log shows one
GenerateDataKey or Decrypt per period, invoked by the service. Second, a wrapper goes on the one
resource that names a key (:func:`patch_resource`), not on moto's class, so ordinary calls of
unencrypted streams and topics run moto's code untouched.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kms_import_mock.kms import clock
from kms_import_mock.services import envelope

if TYPE_CHECKING:
    from kms_import_mock.services.patching import Patches

#: How long a service reuses a data key (five minutes, as Kinesis documents for its SSE).
REUSE_SECONDS = 300
_HELD = "_kms_import_held_keys"


@dataclass
class Held:
    """The data keys one resource's service holds (kept on the resource, gone with it)."""

    key_ref: str = ""
    encrypting: envelope.Sealed | None = None
    generated_at: float = 0.0
    #: encrypted data key -> when the service last got its plaintext from KMS
    decrypted: dict[bytes, float] = field(default_factory=dict)


def held(resource: object) -> Held:
    """The :class:`Held` of ``resource``, created on first use."""
    found: Held | None = resource.__dict__.get(_HELD)
    if found is None:
        found = resource.__dict__.setdefault(_HELD, Held())
    return found


def seal(
    resource: object,
    account_id: str,
    region: str,
    key_ref: str,
    context: dict[str, str],
    principal: str,
    *,
    default_alias: str | None = None,
) -> envelope.Sealed:
    """The data key a write under ``key_ref`` uses now: reused while young, else a new one.

    Raises :class:`envelope.KmsRefusal` when the key is unusable, even within the period.
    """
    keys = held(resource)
    now = clock.now().timestamp()
    sealed = keys.encrypting
    if (
        sealed is not None
        and keys.key_ref == key_ref
        and sealed.context == context
        and now < keys.generated_at + REUSE_SECONDS
    ):
        envelope.check_usable(sealed.account_id, sealed.region, sealed.key_arn)
        return sealed
    sealed = envelope.seal_data_key(
        account_id, region, key_ref, context, principal, default_alias=default_alias
    )
    keys.key_ref, keys.encrypting, keys.generated_at = key_ref, sealed, now
    keys.decrypted[sealed.blob] = now
    return sealed


def unseal(resource: object, sealed: envelope.Sealed, principal: str) -> None:
    """Make sure the service holds the plaintext of ``sealed``: cached (with the key's state
    checked) or by a Decrypt. Raises :class:`envelope.KmsRefusal`."""
    keys = held(resource)
    now = clock.now().timestamp()
    seen = keys.decrypted.get(sealed.blob)
    if seen is not None and now < seen + REUSE_SECONDS:
        envelope.check_usable(sealed.account_id, sealed.region, sealed.key_arn)
        return
    envelope.unseal(sealed, principal)
    keys.decrypted[sealed.blob] = now


def patch_resource(
    patches: Patches, resource: object, name: str, method: Callable[..., Any]
) -> None:
    """Bind ``method`` as ``resource.name`` until the mock stops (once per resource).

    ``method`` takes the resource as its first argument and must reach moto's behaviour
    through the class (``type(self).name(self, ...)``), never a bound original, so a copy of
    the resource still works on itself.
    """
    if name in vars(resource):
        return
    patches.set(resource, name, types.MethodType(method, resource))

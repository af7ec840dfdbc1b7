"""Installing the extended backend into moto, and taking it out again exactly.

moto builds each Region's KMS backend from ``kms_backends.backend`` (and the per-account
``.backend``); swapping that class is the whole patch. It reaches in-process calls, the server and
other moto services that call the KMS backend directly. CloudTrail's class is swapped the same way
(for ``LookupEvents`` over the recorded events). Activations are counted under a lock:
install on 0 → 1, restore on 1 → 0.

Started inside a running ``mock_aws``, the KMS backends that mock already built are adopted
(their class swapped, the extension's state added) and released on stop: their ordinary keys
stay, for the outer mock to go on serving. EXTERNAL keys whose material the extension managed
are removed on release, since plain moto cannot honour them (it would encrypt with random
material of its own and ignore expiry); see docs/handle.md.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ._errors import KmsImportMockError
from .services.patching import Patches

if TYPE_CHECKING:
    from ._aio import AioInstaller
    from .services.registry import ServiceInstaller

_lock = threading.RLock()
_depth = 0
_saved: list[tuple[object, type]] = []
#: What the integrated services (``services.registry``) replaced on moto's classes.
_service_patches = Patches()
#: Installs each integrated service when moto's package for it is loaded (see ``registry``).
_services: ServiceInstaller | None = None
#: What the speed-ups (``_speedups``: lazy private keys, cached action names, botocore reuse)
#: replaced on moto's and botocore's classes and modules.
_speedup_patches = Patches()
#: What the aiobotocore shim (``_aio``) replaced in aiobotocore, when aiobotocore is installed.
_aio_patches = Patches()
_aio: AioInstaller | None = None


def active() -> bool:
    return _depth > 0


def install() -> None:
    global _depth
    with _lock:
        if _depth == 0:
            try:
                _install()
            except BaseException:
                _restore()  # a refused or failed start leaves moto exactly as it was
                raise
        _depth += 1


def uninstall() -> None:
    global _depth
    with _lock:
        if _depth == 0:
            raise KmsImportMockError("stop() was called more often than start().")
        _depth -= 1
        if _depth == 0:
            _restore()


def _install() -> None:
    from moto.kms.models import KmsBackend, kms_backends
    from moto.kms.responses import KmsResponse

    from .kms.service import ServedKmsBackend

    natively = [
        name
        for name in ("import_key_material", "get_parameters_for_import")
        if name in vars(KmsResponse) or name in vars(KmsBackend)
    ]
    if natively:
        raise KmsImportMockError(
            "This moto implements KMS key import natively "
            f"({', '.join(natively)}); kms-import-mock would hide it. "
            "Pin moto to a version without it (moto>=5.2,<6) or drop kms-import-mock."
        )
    if kms_backends.backend is not KmsBackend:
        raise KmsImportMockError(
            f"moto's KMS backend class was already replaced (by {kms_backends.backend!r}); "
            "kms-import-mock cannot stack on another KMS extension."
        )
    _check_cloudtrail()
    _saved.append((kms_backends, kms_backends.backend))
    kms_backends.backend = ServedKmsBackend
    for regions in kms_backends.values():
        _saved.append((regions, regions.backend))
        regions.backend = ServedKmsBackend
    _adopt_kms_backends()
    _install_cloudtrail()
    _install_services()
    _install_speedups()
    _install_aio()


def _install_services() -> None:
    global _services
    from .services.registry import ServiceInstaller

    _services = ServiceInstaller(_service_patches)
    try:
        _services.start()
    except BaseException:
        _services.stop()
        _services = None
        raise


def _install_speedups() -> None:
    from . import _speedups

    try:
        _speedups.install(_speedup_patches)
    except BaseException:
        _speedup_patches.restore()
        raise


def _install_aio() -> None:
    """aiobotocore clients served in-process too (now, or when aiobotocore is imported)."""
    global _aio
    from ._aio import AioInstaller

    _aio = AioInstaller(_aio_patches)
    _aio.start()


def _restore_aio() -> None:
    global _aio
    if _aio is not None:
        _aio.stop()  # its patches and the import hook: aiobotocore is plain again
        _aio = None
    _aio_patches.restore()  # a start that failed half-way


def _restore_speedups() -> None:
    _speedup_patches.restore()


def _check_cloudtrail() -> None:
    from moto.cloudtrail.models import CloudTrailBackend, cloudtrail_backends

    if cloudtrail_backends.backend is not CloudTrailBackend:
        raise KmsImportMockError(
            "moto's CloudTrail backend class was already replaced (by "
            f"{cloudtrail_backends.backend!r}); kms-import-mock cannot stack on another "
            "CloudTrail extension."
        )


def _install_cloudtrail() -> None:
    """CloudTrail ``LookupEvents`` over the recorded events, swapped in as KMS is.

    The subclass has no state of its own, so CloudTrail backends an outer ``mock_aws`` already
    built simply change class, and change back on restore (their trails are kept).
    """
    from moto.cloudtrail.models import CloudTrailBackend, cloudtrail_backends

    from .services.cloudtrail import ImportCloudTrailBackend

    _saved.append((cloudtrail_backends, cloudtrail_backends.backend))
    cloudtrail_backends.backend = ImportCloudTrailBackend
    for regions in cloudtrail_backends.values():
        _saved.append((regions, regions.backend))
        regions.backend = ImportCloudTrailBackend
        for backend in regions.values():
            if type(backend) is CloudTrailBackend:
                backend.__class__ = ImportCloudTrailBackend


def _adopt_kms_backends() -> None:
    """Extend the plain KMS backends an outer ``mock_aws`` built before this start.

    As CloudTrail's are: the class changes and the extension's own (empty) state is added; the
    keys, aliases, grants and tags moto holds stay where they are.
    """
    from moto.kms.models import KmsBackend, kms_backends

    from .kms.service import ServedKmsBackend

    for regions in kms_backends.values():
        for backend in regions.values():
            if type(backend) is KmsBackend:
                backend.__class__ = ServedKmsBackend
                ServedKmsBackend.init_import_state(backend)  # type: ignore[arg-type]


#: What the extension keeps in a KMS backend's ``__dict__``, dropped when it is released.
_EXTENSION_ATTRIBUTES = (
    "imports",
    "_expiry",
    "_deletions",
    "deletion_windows",
    "_rotations",
    "rotation_schedules",
    "lock",
    "_audit_events",
    "_expired_batches",
    "_key_order",
    "_alias_targets",
    "_alias_shared",
    "_default_policy_text",
)


def _release_kms_backends() -> None:
    """Give every extended KMS backend back to plain moto, for an outer mock that goes on.

    Ordinary keys stay. EXTERNAL keys the extension managed are removed with their import
    state and events: plain moto has no imported material to serve them with. (With no outer
    mock, moto's own reset on the last stop has already emptied everything.)
    """
    from moto.kms.models import KmsBackend, kms_backends

    from .kms.backend import ImportKmsBackend
    from .kms.service import ServedKmsBackend

    for regions in kms_backends.values():
        if regions.backend is ServedKmsBackend:  # an account dict created while active
            regions.backend = KmsBackend
        for backend in regions.values():
            if not isinstance(backend, ImportKmsBackend):
                continue
            for key_id in list(backend.__dict__.get("imports", ())):
                backend.delete_key(key_id)
            for name in _EXTENSION_ATTRIBUTES:
                backend.__dict__.pop(name, None)
            backend.keys = dict(backend.keys)  # moto's plain dict, without the key order
            backend.__class__ = KmsBackend  # type: ignore[assignment]  # back to plain


def _restore() -> None:
    from .kms import clock

    # The process-wide clock (the server's, or moves made outside any handle) starts over;
    # each handle's own clock went with its stop.
    clock.reset_root()

    global _services
    _restore_aio()
    _restore_speedups()
    if _services is not None:
        _services.stop()  # its patches and the import hook: a later import stays plain
        _services = None
    while _saved:
        holder, original = _saved.pop()
        holder.backend = original  # type: ignore[attr-defined]
    _restore_cloudtrail()
    _release_kms_backends()


def _restore_cloudtrail() -> None:
    from moto.cloudtrail.models import CloudTrailBackend, cloudtrail_backends

    from .services.cloudtrail import ImportCloudTrailBackend

    for regions in cloudtrail_backends.values():
        if regions.backend is ImportCloudTrailBackend:
            regions.backend = CloudTrailBackend
        for backend in regions.values():
            if type(backend) is ImportCloudTrailBackend:
                backend.__class__ = CloudTrailBackend  # type: ignore[assignment]  # back to plain

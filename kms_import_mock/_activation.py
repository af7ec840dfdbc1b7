"""Installing the extended backend into moto, and taking it out again exactly.

moto builds each Region's KMS backend from ``kms_backends.backend`` (and the per-account
``.backend``); swapping that class is the whole patch. It reaches in-process calls, the server and
other moto services that call the KMS backend directly. CloudTrail's class is swapped the same way
(for ``LookupEvents`` over the recorded events). Activations are counted under a lock:
install on 0 → 1, restore on 1 → 0.
"""

from __future__ import annotations

import threading

from ._errors import KmsImportMockError
from .services.patching import Patches

_lock = threading.RLock()
_depth = 0
_saved: list[tuple[object, type]] = []
#: What the integrated services (``services.registry``) replaced on moto's classes.
_service_patches = Patches()
#: What the speed-ups (``_speedups``: lazy private keys, cached action names, botocore reuse)
#: replaced on moto's and botocore's classes and modules.
_speedup_patches = Patches()


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
    from moto.core.models import MockAWS
    from moto.kms.models import KmsBackend, kms_backends
    from moto.kms.responses import KmsResponse

    from .kms.backend import ImportKmsBackend

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
    built = [
        f"{account}/{region}" for account, regions in kms_backends.items() for region in regions
    ]
    if built and MockAWS._nested_count > 0:
        raise KmsImportMockError(
            "mock_kms_import() was started inside a mock_aws() that has already created KMS "
            f"state ({', '.join(sorted(built))}); that state would be served by plain moto. "
            "Start mock_kms_import() first (it includes mock_aws), or before the first KMS call."
        )
    _check_cloudtrail()
    _saved.append((kms_backends, kms_backends.backend))
    kms_backends.backend = ImportKmsBackend
    for regions in kms_backends.values():
        _saved.append((regions, regions.backend))
        regions.backend = ImportKmsBackend
    _install_cloudtrail()
    _install_services()
    _install_speedups()


def _install_services() -> None:
    from .services import registry

    try:
        registry.install_all(_service_patches)
    except BaseException:
        _service_patches.restore()
        raise


def _install_speedups() -> None:
    from . import _speedups

    try:
        _speedups.install(_speedup_patches)
    except BaseException:
        _speedup_patches.restore()
        raise


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


def _restore() -> None:
    from moto.kms.models import kms_backends

    from .kms import clock
    from .kms.backend import ImportKmsBackend

    clock.set_offset(clock.timedelta_zero())

    _restore_speedups()
    _service_patches.restore()
    while _saved:
        holder, original = _saved.pop()
        holder.backend = original  # type: ignore[attr-defined]
    _restore_cloudtrail()
    # Account dicts created while active carry the extended class too, and an outer mock_aws
    # that is still running must not keep serving extended backends: drop them.
    for regions in kms_backends.values():
        if regions.backend is ImportKmsBackend:
            regions.backend = kms_backends.backend
        for region in [r for r, b in regions.items() if isinstance(b, ImportKmsBackend)]:
            dict.__delitem__(regions, region)


def _restore_cloudtrail() -> None:
    from moto.cloudtrail.models import CloudTrailBackend, cloudtrail_backends

    from .services.cloudtrail import ImportCloudTrailBackend

    for regions in cloudtrail_backends.values():
        if regions.backend is ImportCloudTrailBackend:
            regions.backend = CloudTrailBackend
        for backend in regions.values():
            if type(backend) is ImportCloudTrailBackend:
                backend.__class__ = CloudTrailBackend  # type: ignore[assignment]  # back to plain

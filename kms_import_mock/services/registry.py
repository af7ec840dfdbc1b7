"""Which integrated services the mock installs, and when.

Each name is a module of this package with ``install(patches)``: it wraps what its service needs
through ``patches`` (a :class:`~kms_import_mock.services.patching.Patches`), which ``_activation``
restores on stop. Modules are imported on start at the earliest, never when the package is.

A service is installed as soon as moto's package for it is loaded: on start if it already is,
otherwise the moment it is first imported while the mock runs (moto imports a service on its
first request). A suite that never uses EC2 never pays the ~0.5 s of importing moto's EC2.
"""

from __future__ import annotations

import importlib
import sys
import threading

from kms_import_mock.services.import_hook import AfterImport
from kms_import_mock.services.patching import Patches

#: Modules of ``kms_import_mock.services`` whose ``install`` runs, in this order when several
#: are due at once.
INTEGRATED: tuple[str, ...] = (
    "s3",
    "secretsmanager",
    "ssm",
    "ebs",
    "sqs",
    "dynamodb",
    "cloudwatch",
    "kinesis",
    "sns",
    "awslambda",
    "rds",
    "redshift",
)

#: The moto package each integrated service patches; importing it brings in what is patched.
MOTO_PACKAGE: dict[str, str] = {
    "s3": "moto.s3",
    "secretsmanager": "moto.secretsmanager",
    "ssm": "moto.ssm",
    "ebs": "moto.ec2",
    "sqs": "moto.sqs",
    "dynamodb": "moto.dynamodb",
    "cloudwatch": "moto.cloudwatch",
    "kinesis": "moto.kinesis",
    "sns": "moto.sns",
    "awslambda": "moto.awslambda",
    "rds": "moto.rds",
    "redshift": "moto.redshift",
}


#: Sibling modules installed with a service, after it: they use its module, so it cannot
#: import them without an import cycle.
COMPANIONS: dict[str, tuple[str, ...]] = {
    "dynamodb": ("dynamodb_copies", "dynamodb_partiql"),  # backups, restores, streams, PartiQL
}


def install_all(patches: Patches) -> None:
    """Every service now, importing moto's packages as needed (for tests and tools)."""
    for name in INTEGRATED:
        install(name, patches)


def install(name: str, patches: Patches) -> None:
    """One integrated service (and its companions) through ``patches``."""
    for module_name in (name, *COMPANIONS.get(name, ())):
        module = importlib.import_module(f"kms_import_mock.services.{module_name}")
        module.install(patches)


class ServiceInstaller:
    """The services of one activation: installed when their moto package is, restored on stop."""

    def __init__(self, patches: Patches) -> None:
        self._patches = patches
        self._installed: set[str] = set()
        self._hook: AfterImport | None = None
        # Re-entrant: installing SSM imports moto's EC2, which installs EBS in the same thread.
        self._lock = threading.RLock()

    @property
    def installed(self) -> frozenset[str]:
        return frozenset(self._installed)

    def start(self) -> None:
        with self._lock:
            waiting = [n for n in INTEGRATED if MOTO_PACKAGE[n] not in sys.modules]
            if waiting:
                by_package = {MOTO_PACKAGE[n]: n for n in waiting}
                self._hook = AfterImport(list(by_package), self._package_loaded)
                self._hook.add()
            for name in INTEGRATED:
                if name not in waiting:
                    self._install(name)

    def _package_loaded(self, package: str) -> None:
        with self._lock:
            if self._hook is None:
                return  # stopped while the import ran: plain moto from here on
            for name in INTEGRATED:
                if MOTO_PACKAGE[name] == package:
                    self._install(name)

    def _install(self, name: str) -> None:
        if name not in self._installed:
            self._installed.add(name)
            install(name, self._patches)

    def stop(self) -> None:
        with self._lock:
            if self._hook is not None:
                self._hook.remove()
                self._hook = None
            self._installed.clear()
            self._patches.restore()


__all__ = ["INTEGRATED", "MOTO_PACKAGE", "ServiceInstaller", "install_all"]

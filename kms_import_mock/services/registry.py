"""Which integrated services the mock installs, in order.

Each name is a module of this package with ``install(patches)``: it wraps what its service needs
through ``patches`` (a :class:`~kms_import_mock.services.patching.Patches`), which ``_activation``
restores on stop. Modules are imported on start, never when the package is imported.
"""

from __future__ import annotations

import importlib

from kms_import_mock.services.patching import Patches

#: Modules of ``kms_import_mock.services`` whose ``install`` runs on start.
INTEGRATED: tuple[str, ...] = (
    "s3",
    "secretsmanager",
    "ssm",
    "ebs",
    "sqs",
    "dynamodb",
    "cloudwatch",
)


def install_all(patches: Patches) -> None:
    for name in INTEGRATED:
        module = importlib.import_module(f"kms_import_mock.services.{name}")
        module.install(patches)

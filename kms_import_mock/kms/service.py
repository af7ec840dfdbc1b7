"""The KMS service as moto is given it: the extended backend together with its URL table.

moto finds a service's endpoints through its backend (``BaseBackend._url_module``, derived from
the module name, which only works for a ``models.py``). Joining the two here, at the top of the
KMS layer, keeps the imports pointing down: ``service`` -> ``urls`` -> ``responses`` -> ``backend``.
"""

from __future__ import annotations

from types import ModuleType

from . import urls
from .backend import ImportKmsBackend

__all__ = ["ServedKmsBackend"]


class ServedKmsBackend(ImportKmsBackend):
    """``ImportKmsBackend`` with the URL table of its HTTP face."""

    @property
    def _url_module(self) -> ModuleType:
        return urls

"""Private keys of moto's ordinary KMS keys, generated on first use instead of in CreateKey.

moto's ``Key.__init__`` calls ``generate_private_key`` for every key: an RSA-2048 key (30-60 ms)
even for SYMMETRIC_DEFAULT, HMAC and SM2 keys, which never use it, and RSA-4096 keys take up to
a third of a second. While the mock is active, ``moto.kms.models.generate_private_key`` is
replaced by a factory of :class:`LazyPrivateKey`: a stand-in with the same methods that makes
the real key the first time anything asks for it (GetPublicKey, Sign, Verify, asymmetric
Decrypt, DeriveSharedSecret, ...). Nothing else changes: key ids come from moto's seeded random
source before and after, ``Key`` is still moto's class, and ReplicateKey (moto's shallow copy of
the key) shares the stand-in, so a replica has the very private key of its primary, as it would
have had with moto's eager key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from moto.kms.utils import AbstractPrivateKey

_Generate = Callable[[str], AbstractPrivateKey]


class _Patches(Protocol):
    """``services.patching.Patches`` as seen from this layer (which must not import it)."""

    def set(self, owner: Any, name: str, value: Any) -> None: ...

    def original(self, owner: Any, name: str) -> Any: ...


class LazyPrivateKey(AbstractPrivateKey):
    """moto's private key of ``key_spec``, generated once, on first use, under a lock.

    ``real`` is moto's own ``RSAPrivateKey``/``ECDSAPrivateKey``; its attributes (such as the
    ``cryptography`` key in ``private_key``) are reachable through this object unchanged.
    """

    def __init__(self, key_spec: str, generate: _Generate) -> None:
        self.key_spec = key_spec
        self._generate: _Generate | None = generate
        self._real: AbstractPrivateKey | None = None
        self._lock = threading.Lock()

    @property
    def generated(self) -> bool:
        """Whether the real key exists yet (for tests and benchmarks; no side effect)."""
        return self._real is not None

    @property
    def real(self) -> AbstractPrivateKey:
        real = self._real
        if real is None:
            with self._lock:  # two threads asking first must not make two different keys
                if self._real is None:
                    assert self._generate is not None
                    self._real = self._generate(self.key_spec)
                    self._generate = None
                real = self._real
        return real

    def sign(self, message: bytes, signing_algorithm: str) -> bytes:
        return self.real.sign(message, signing_algorithm)

    def verify(self, message: bytes, signature: bytes, signing_algorithm: str) -> bool:
        return self.real.verify(message, signature, signing_algorithm)

    def public_key(self) -> bytes:
        return self.real.public_key()

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes this class lacks: moto's ``private_key`` (the
        # ``cryptography`` key), ``key_size``, ... of the real key.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.real, name)

    def __copy__(self) -> LazyPrivateKey:
        # copy() of a moto Key copies its __dict__ only, so this is reached solely by a direct
        # copy of the stand-in: hand back the same key, as copying moto's key object would.
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> LazyPrivateKey:
        return self


def install(patches: _Patches) -> None:
    """While active, every moto ``Key`` gets a :class:`LazyPrivateKey`."""
    from moto.kms import models

    generate: _Generate = patches.original(models, "generate_private_key")

    def lazy_private_key(key_spec: str) -> AbstractPrivateKey:
        return LazyPrivateKey(key_spec, generate)

    patches.set(models, "generate_private_key", lazy_private_key)


__all__ = ["LazyPrivateKey", "install"]

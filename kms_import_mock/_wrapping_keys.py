"""The RSA wrapping key pairs that GetParametersForImport hands out.

A process-wide pool per wrapping key spec: each call takes the next slot, round-robin, so
consecutive calls return distinct key pairs (``POOL_SIZE`` of them before one repeats). A slot's
key is generated the first time the slot is used and kept for the life of the process; tokens
name their slot, so the private key itself never leaves this module.
"""

from __future__ import annotations

import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import _keyspecs

POOL_SIZE = 16


class WrappingKeyPool:
    def __init__(self, size: int = POOL_SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._keys: dict[str, list[rsa.RSAPrivateKey]] = {}
        self._public: dict[tuple[str, int], bytes] = {}
        self._next: dict[str, int] = {}

    def acquire(self, wrapping_key_spec: str) -> int:
        """Reserve the next slot for ``wrapping_key_spec`` and return its index."""
        with self._lock:
            slot = self._next.get(wrapping_key_spec, 0)
            self._next[wrapping_key_spec] = (slot + 1) % self._size
            return slot

    def private_key(self, wrapping_key_spec: str, slot: int) -> rsa.RSAPrivateKey:
        keys = self._keys.setdefault(wrapping_key_spec, [])
        if slot < len(keys):
            return keys[slot]
        bits = _keyspecs.RSA_BITS[wrapping_key_spec]
        with self._lock:
            while len(keys) <= slot:
                keys.append(rsa.generate_private_key(65537, bits))
            return keys[slot]

    def public_key_der(self, wrapping_key_spec: str, slot: int) -> bytes:
        cached = self._public.get((wrapping_key_spec, slot))
        if cached is None:
            cached = (
                self.private_key(wrapping_key_spec, slot)
                .public_key()
                .public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
            self._public[(wrapping_key_spec, slot)] = cached
        return cached

    def __repr__(self) -> str:
        return f"<WrappingKeyPool size={self._size}>"


POOL = WrappingKeyPool()

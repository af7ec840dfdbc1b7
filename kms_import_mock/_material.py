"""Validating unwrapped key material and deciding its identity (spec §2, §5.4).

Pure functions: they take the plaintext material and the key's spec and either return the
material in canonical form or raise :class:`BadMaterial` with a sentence a user can act on.
Identity is decided on the canonical form, so re-encoding the same private key is the same
material.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import _keyspecs

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class BadMaterial(Exception):
    """The material unwrapped fine but is not valid for the key spec."""


@dataclass(frozen=True, repr=False)
class Material:
    """Validated material: ``canonical`` are the bytes identity is decided on."""

    canonical: bytes = field(repr=False)
    private_key: PrivateKey | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return "<Material (redacted)>"


def validate(key_spec: str, raw: bytes) -> Material:
    fam = _keyspecs.family(key_spec)
    if fam == "symmetric":
        if len(raw) != 32:
            raise BadMaterial(
                f"Key material for a {key_spec} key must be 32 bytes (256 bits); "
                f"got {len(raw)} bytes."
            )
        return Material(raw)
    if fam == "hmac":
        low, high = _keyspecs.HMAC_MIN_BYTES[key_spec], _keyspecs.HMAC_MAX_BYTES
        if not low <= len(raw) <= high:
            raise BadMaterial(
                f"Key material for a {key_spec} key must be {low} to {high} bytes; "
                f"got {len(raw)} bytes."
            )
        return Material(raw)
    if fam in ("rsa", "ecc"):
        private = _load_pkcs8(key_spec, raw)
        canonical = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return Material(canonical, private)
    raise BadMaterial(f"Key material cannot be imported into a {key_spec} key.")


def _load_pkcs8(key_spec: str, raw: bytes) -> PrivateKey:
    expected = f"an unencrypted PKCS#8 (DER) private key for {key_spec}"
    if not raw.startswith(b"\x30"):
        raise BadMaterial(f"Key material must be {expected}.")
    try:
        private = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError) as exc:
        raise BadMaterial(f"Key material must be {expected}.") from exc
    fam = _keyspecs.family(key_spec)
    if fam == "rsa":
        bits = _keyspecs.RSA_BITS[key_spec]
        if not isinstance(private, rsa.RSAPrivateKey):
            raise BadMaterial(f"Key material must be an RSA private key for {key_spec}.")
        if private.key_size != bits:
            raise BadMaterial(
                f"Key material for {key_spec} must have a {bits}-bit modulus; "
                f"got {private.key_size} bits."
            )
        return private
    curve = _keyspecs.ECC_CURVES[key_spec]
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise BadMaterial(f"Key material must be an EC private key on {curve.name} for {key_spec}.")
    if not isinstance(private.curve, curve):
        raise BadMaterial(
            f"Key material for {key_spec} must use the named curve {curve.name}; "
            f"got {private.curve.name}."
        )
    return private


def material_id(key_id: str, material: Material) -> str:
    """64 lowercase hex, deterministic in (key ID, material) and revealing nothing of either.

    Related multi-Region keys share the key ID, so the same material has the same ID in every
    Region; the same material in two different keys gets two different IDs (spec §5.4).
    """
    return hmac.new(key_id.encode(), material.canonical, hashlib.sha256).hexdigest()

"""Validating unwrapped key material and deciding its identity.

Pure functions: they take the plaintext material and the key's spec and either return the
material in canonical form or raise :class:`BadMaterial` with a sentence a user can act on.
Identity is decided on the canonical form, so re-encoding the same private key is the same
material.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass, field

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import ber, keyspecs

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
    fam = keyspecs.family(key_spec)
    if fam == "symmetric":
        if len(raw) != 32:
            raise BadMaterial(
                f"Key material for a {key_spec} key must be 32 bytes (256 bits); "
                f"got {len(raw)} bytes."
            )
        return Material(raw)
    if fam == "hmac":
        low, high = keyspecs.HMAC_MIN_BYTES[key_spec], keyspecs.HMAC_MAX_BYTES
        if not low <= len(raw) <= high:
            raise BadMaterial(
                f"Key material for a {key_spec} key must be {low} to {high} bytes; "
                f"got {len(raw)} bytes."
            )
        return Material(raw)
    if fam in ("rsa", "ecc"):
        private = _load_pkcs8(key_spec, raw)
        if isinstance(private, ec.EllipticCurvePrivateKey):
            # Rebuilt from the scalar: the same key then serialises the same whether it came
            # without its public point or with a compressed one (cryptography before 45 keeps
            # the form it loaded, so the reimport-identity check would tell them apart).
            private = ec.derive_private_key(private.private_numbers().private_value, private.curve)
        canonical = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return Material(canonical, private)
    raise BadMaterial(f"Key material cannot be imported into a {key_spec} key.")


#: DER of the AlgorithmIdentifier OIDs a PKCS#8 key of each family must carry.
_RSA_ENCRYPTION = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1
_EC_PUBLIC_KEY = bytes.fromhex("2a8648ce3d0201")  # 1.2.840.10045.2.1
_CURVE_OIDS = {
    bytes.fromhex("2a8648ce3d030107"): "secp256r1",
    bytes.fromhex("2b81040022"): "secp384r1",
    bytes.fromhex("2b81040023"): "secp521r1",
    bytes.fromhex("2b8104000a"): "secp256k1",
}
_OID, _INTEGER, _SEQUENCE, _OCTET_STRING = 0x06, 0x02, 0x30, 0x04


def _load_pkcs8(key_spec: str, raw: bytes) -> PrivateKey:
    fam = keyspecs.family(key_spec)
    expected = f"an unencrypted PKCS#8 private key (DER or BER) for {key_spec}"
    try:
        der, algorithm, parameters, private_key = _pkcs8_fields(ber.to_der(raw))
    except ber.BerError:
        raise BadMaterial(f"Key material must be {expected}.") from None
    if fam == "rsa":
        _check_rsa_structure(key_spec, algorithm, private_key)
    else:
        _check_named_curve(key_spec, algorithm, parameters)
    try:
        # OpenSSL's RSA check tests the primes (≈0.4 s for RSA-4096, on every import);
        # _check_rsa_consistency below does the arithmetic checks that catch a damaged key.
        private = serialization.load_der_private_key(
            der, password=None, unsafe_skip_rsa_key_validation=True
        )
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise BadMaterial(f"Key material must be {expected}.") from None
    if fam == "rsa":
        bits = keyspecs.RSA_BITS[key_spec]
        if not isinstance(private, rsa.RSAPrivateKey):
            raise BadMaterial(f"Key material must be an RSA private key for {key_spec}.")
        if private.key_size != bits:
            raise BadMaterial(
                f"Key material for {key_spec} must have a {bits}-bit modulus; "
                f"got {private.key_size} bits."
            )
        _check_rsa_consistency(key_spec, private)
        return private
    curve = keyspecs.ECC_CURVES[key_spec]
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise BadMaterial(f"Key material must be an EC private key on {curve.name} for {key_spec}.")
    if not isinstance(private.curve, curve):
        raise BadMaterial(
            f"Key material for {key_spec} must use the named curve {curve.name}; "
            f"got {private.curve.name}."
        )
    return private


def _pkcs8_fields(der: bytes) -> tuple[bytes, bytes, ber.Tlv | None, bytes]:
    """(DER, algorithm OID, algorithm parameters, privateKey octets) of a PKCS#8 PrivateKeyInfo,
    with the key inside privateKey re-encoded as DER too (a BER encoder nests BER there).

    A PKCS#1 or RFC 5915 key on its own, or an EncryptedPrivateKeyInfo, does not have this shape.
    """
    outer = ber.read(der)
    if outer.tag != _SEQUENCE:
        raise ber.BerError("not a SEQUENCE")
    fields = ber.read_all(outer.content)
    if len(fields) < 3 or [f.tag for f in fields[:3]] != [_INTEGER, _SEQUENCE, _OCTET_STRING]:
        raise ber.BerError("not a PrivateKeyInfo")
    if fields[0].content not in (b"\x00", b"\x01"):
        raise ber.BerError("unknown PrivateKeyInfo version")
    algorithm_id = ber.read_all(fields[1].content)
    if not algorithm_id or algorithm_id[0].tag != _OID:
        raise ber.BerError("malformed AlgorithmIdentifier")
    parameters = algorithm_id[1] if len(algorithm_id) > 1 else None
    private_key = ber.to_der(fields[2].content)
    if private_key != fields[2].content:
        fields[2] = ber.Tlv(fields[2].identifier, private_key)
        der = ber.encode(outer.identifier, b"".join(ber.encode(*f) for f in fields))
    return der, algorithm_id[0].content, parameters, private_key


def _check_rsa_structure(key_spec: str, algorithm: bytes, private_key: bytes) -> None:
    if algorithm != _RSA_ENCRYPTION:
        raise BadMaterial(
            f"Key material for {key_spec} must be an RSA private key (rsaEncryption PKCS#8)."
        )
    try:
        rsa_key = ber.read(private_key)
        fields = ber.read_all(rsa_key.content) if rsa_key.tag == _SEQUENCE else []
    except ber.BerError:
        fields = []
    if not fields or fields[0].tag != _INTEGER:
        raise BadMaterial(f"Key material for {key_spec} must contain an RSAPrivateKey (RFC 3447).")
    # RFC 3447 A.1.2: version 0 is two-prime; version 1 adds otherPrimeInfos (multi-prime).
    if fields[0].content != b"\x00" or len(fields) != 9:
        raise BadMaterial(
            f"Key material for {key_spec} must be a two-prime RSA private key; "
            "multi-prime RSA keys cannot be imported."
        )


def _check_rsa_consistency(key_spec: str, private: rsa.RSAPrivateKey) -> None:
    """n = p·q, e·d ≡ 1 (mod lcm(p−1, q−1)) and the CRT values agree (RFC 3447, section 3.2)."""
    numbers = private.private_numbers()
    p, q, d = numbers.p, numbers.q, numbers.d
    n, e = numbers.public_numbers.n, numbers.public_numbers.e
    lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    consistent = (
        p > 1
        and q > 1
        and p * q == n
        and (e * d) % lam == 1
        and numbers.dmp1 == d % (p - 1)
        and numbers.dmq1 == d % (q - 1)
        and (numbers.iqmp * q) % p == 1
    )
    if not consistent:
        raise BadMaterial(
            f"Key material for {key_spec} must be a consistent RSA private key; its primes, "
            "exponents and CRT coefficient do not match its modulus."
        )


def _check_named_curve(key_spec: str, algorithm: bytes, parameters: ber.Tlv | None) -> None:
    curve = keyspecs.ECC_CURVES[key_spec]().name
    if algorithm != _EC_PUBLIC_KEY:
        raise BadMaterial(f"Key material for {key_spec} must be an EC private key on {curve}.")
    if parameters is None or parameters.tag != _OID:
        raise BadMaterial(
            f"Key material for {key_spec} must name the curve {curve}; "
            "explicit curve parameters are not accepted."
        )
    got = _CURVE_OIDS.get(parameters.content, "another curve")
    if got != curve:
        raise BadMaterial(
            f"Key material for {key_spec} must use the named curve {curve}; got {got}."
        )


def material_id(key_id: str, material: Material) -> str:
    """64 lowercase hex, deterministic in (key ID, material) and revealing nothing of either.

    Related multi-Region keys share the key ID, so the same material has the same ID in every
    Region; the same material in two different keys gets two different IDs.
    """
    return hmac.new(key_id.encode(), material.canonical, hashlib.sha256).hexdigest()

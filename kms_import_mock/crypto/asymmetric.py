"""Cryptography with imported RSA, ECC and HMAC material, as KMS performs it.

Pure functions over ``cryptography`` (no moto): what KMS computes for Sign/Verify (RAW and DIGEST),
GetPublicKey, RSA Encrypt/Decrypt, GenerateMac/VerifyMac and DeriveSharedSecret. Each function
takes the validated material and returns bytes, or raises :class:`CryptoError` with a sentence
for the caller to wrap in the AWS error it belongs to.

Choices that follow KMS: ECDSA signatures are DER-encoded (``ECDSA-Sig-Value``); RSASSA-PSS uses
MGF1 with the message hash and a salt as long as the hash; RSAES-OAEP uses MGF1 with the OAEP hash
and an empty label; an HMAC is over the imported bytes exactly as imported.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from .material import PrivateKey

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_MAC_HASHES = {
    "HMAC_SHA_224": hashlib.sha224,
    "HMAC_SHA_256": hashlib.sha256,
    "HMAC_SHA_384": hashlib.sha384,
    "HMAC_SHA_512": hashlib.sha512,
}
_OAEP_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RSAES_OAEP_SHA_1": hashes.SHA1,
    "RSAES_OAEP_SHA_256": hashes.SHA256,
}


class CryptoError(Exception):
    """The request cannot be carried out with this material; the message says why."""


def _hash(signing_algorithm: str) -> hashes.HashAlgorithm:
    return _HASHES[signing_algorithm.rsplit("_", 1)[1]]()


def _signature_args(
    signing_algorithm: str, message: bytes, message_type: str
) -> tuple[bytes, hashes.HashAlgorithm | utils.Prehashed]:
    digest = _hash(signing_algorithm)
    if message_type not in ("RAW", "DIGEST"):
        raise CryptoError(f"MessageType {message_type} is valid only for ML-DSA keys.")
    if message_type == "RAW":
        return message, digest
    if len(message) != digest.digest_size:
        raise CryptoError(f"Digest is invalid length for algorithm {signing_algorithm}.")
    return message, utils.Prehashed(digest)


def _rsa_padding(signing_algorithm: str) -> padding.AsymmetricPadding:
    if signing_algorithm.startswith("RSASSA_PSS"):
        return padding.PSS(
            mgf=padding.MGF1(_hash(signing_algorithm)), salt_length=padding.PSS.DIGEST_LENGTH
        )
    return padding.PKCS1v15()


def sign(
    private_key: PrivateKey, message: bytes, message_type: str, signing_algorithm: str
) -> bytes:
    """The signature KMS returns for Sign; ``message_type`` is ``RAW`` or ``DIGEST``."""
    data, algorithm = _signature_args(signing_algorithm, message, message_type)
    if isinstance(private_key, rsa.RSAPrivateKey):
        return private_key.sign(data, _rsa_padding(signing_algorithm), algorithm)
    return private_key.sign(data, ec.ECDSA(algorithm))


def verify(
    private_key: PrivateKey,
    message: bytes,
    message_type: str,
    signature: bytes,
    signing_algorithm: str,
) -> bool:
    """Whether ``signature`` is valid for the message, as Verify decides it."""
    data, algorithm = _signature_args(signing_algorithm, message, message_type)
    try:
        public = private_key.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, _rsa_padding(signing_algorithm), algorithm)
        else:
            public.verify(signature, data, ec.ECDSA(algorithm))
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_der(private_key: PrivateKey) -> bytes:
    """GetPublicKey's ``PublicKey``: the imported key's public key as DER SubjectPublicKeyInfo."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _oaep(encryption_algorithm: str) -> padding.OAEP:
    h = _OAEP_HASHES[encryption_algorithm]
    return padding.OAEP(mgf=padding.MGF1(algorithm=h()), algorithm=h(), label=None)


def max_plaintext(private_key: rsa.RSAPrivateKey, encryption_algorithm: str) -> int:
    """The longest plaintext RSAES-OAEP can encrypt with this key (modulus − 2·hash − 2 bytes)."""
    return private_key.key_size // 8 - 2 * _OAEP_HASHES[encryption_algorithm]().digest_size - 2


def rsa_encrypt(
    private_key: rsa.RSAPrivateKey, plaintext: bytes, encryption_algorithm: str
) -> bytes:
    limit = max_plaintext(private_key, encryption_algorithm)
    if len(plaintext) > limit:
        raise CryptoError(
            f"Plaintext is {len(plaintext)} bytes; {encryption_algorithm} with this key "
            f"encrypts at most {limit} bytes."
        )
    return private_key.public_key().encrypt(plaintext, _oaep(encryption_algorithm))


def rsa_decrypt(
    private_key: rsa.RSAPrivateKey, ciphertext: bytes, encryption_algorithm: str
) -> bytes | None:
    """The plaintext, or None when the ciphertext does not decrypt (wrong key or algorithm)."""
    try:
        return private_key.decrypt(ciphertext, _oaep(encryption_algorithm))
    except ValueError:
        return None


def mac(material: bytes, mac_algorithm: str, message: bytes) -> bytes:
    """GenerateMac: HMAC (RFC 2104) over ``message`` keyed with the imported bytes."""
    return hmac.new(material, message, _MAC_HASHES[mac_algorithm]).digest()


def mac_matches(material: bytes, mac_algorithm: str, message: bytes, tag: bytes) -> bool:
    return hmac.compare_digest(mac(material, mac_algorithm, message), tag)


def derive_shared_secret(private_key: PrivateKey, peer_public_key: bytes) -> bytes:
    """ECDH (the raw x-coordinate, as KMS returns it) with the peer's DER SubjectPublicKeyInfo."""
    if not isinstance(private_key, ec.EllipticCurvePrivateKey):
        raise CryptoError("Key agreement needs an elliptic-curve key.")
    try:
        peer = serialization.load_der_public_key(peer_public_key)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:  # e.g. an unknown curve OID
        raise CryptoError(
            "PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo of an EC public key."
        ) from exc
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != private_key.curve.name:
        raise CryptoError(
            f"PublicKey must be an EC public key on the key's curve {private_key.curve.name}."
        )
    return private_key.exchange(ec.ECDH(), peer)

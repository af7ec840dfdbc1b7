"""The key pairs GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext hand out.

moto (5.2) implements neither operation. A data key pair is a fresh key pair, unrelated to the
KMS key that encrypts its private key: the public key as DER SubjectPublicKeyInfo, the private key
as unencrypted PKCS#8 DER, made with ``cryptography``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from kms_import_mock.crypto import keyspecs

from . import shapes

#: DataKeyPairSpec of botocore's KMS service model, in its order.
SPECS: tuple[str, ...] = tuple(shapes.service_model("kms").shape_for("DataKeyPairSpec").enum)

#: Specs the mock cannot make (SM2 is, besides, available only in the China Regions).
UNSUPPORTED = frozenset({"SM2", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"})


def generate(spec: str) -> tuple[bytes, bytes]:
    """(PKCS#8 DER private key, DER SubjectPublicKeyInfo public key) of a new ``spec`` pair."""
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    if spec in keyspecs.RSA_BITS:
        private = rsa.generate_private_key(65537, keyspecs.RSA_BITS[spec])
    elif spec in keyspecs.ECC_CURVES:
        private = ec.generate_private_key(keyspecs.ECC_CURVES[spec]())
    elif spec == "ECC_NIST_EDWARDS25519":
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ValueError(f"no data key pair of spec {spec!r}")
    return (
        private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )

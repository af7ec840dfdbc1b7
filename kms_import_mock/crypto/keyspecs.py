"""What AWS allows per key spec: which specs can be imported, with which wrapping.

Kept as plain tables so a rule reads like the spec's table and a new spec is a new row.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

SYMMETRIC = "SYMMETRIC_DEFAULT"

#: HMAC material length in bytes: from the spec's digest size up to 1024 bits.
HMAC_MIN_BYTES = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}
HMAC_MAX_BYTES = 128

RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}

#: Key spec -> the named curve its private key must use.
ECC_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "ECC_NIST_P256": ec.SECP256R1,
    "ECC_NIST_P384": ec.SECP384R1,
    "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}

CHINA_REGIONS = frozenset({"cn-north-1", "cn-northwest-1"})

#: Key specs KMS refuses to import anywhere.
NOT_IMPORTABLE = frozenset({"ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519"})

OAEP = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
RSA_AES = ("RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256")
WRAPPING_ALGORITHMS = ("RSAES_PKCS1_V1_5", *OAEP, *RSA_AES, "SM2PKE")
RSA_WRAPPING_KEY_SPECS = ("RSA_2048", "RSA_3072", "RSA_4096")
WRAPPING_KEY_SPECS = (*RSA_WRAPPING_KEY_SPECS, "SM2")


def family(key_spec: str) -> str:
    """``symmetric``, ``hmac``, ``rsa``, ``ecc`` or ``sm2``: the unit the wrapping table uses."""
    if key_spec == SYMMETRIC:
        return "symmetric"
    if key_spec in HMAC_MIN_BYTES:
        return "hmac"
    if key_spec in RSA_BITS:
        return "rsa"
    if key_spec in ECC_CURVES:
        return "ecc"
    if key_spec == "SM2":
        return "sm2"
    return "other"


#: family -> wrapping algorithms AWS accepts with an RSA wrapping key.
_RSA_WRAPPING_BY_FAMILY: dict[str, tuple[str, ...]] = {
    "symmetric": OAEP,
    "hmac": OAEP,
    "rsa": RSA_AES,
    "ecc": (*RSA_AES, *OAEP),
}

#: (key spec, wrapping key spec, algorithms) that the physics of OAEP rule out: a P-521 PKCS#8
#: does not fit one RSA-2048 OAEP block.
_EXCLUDED: dict[tuple[str, str], tuple[str, ...]] = {
    ("ECC_NIST_P521", "RSA_2048"): OAEP,
}


def wrapping_allowed(key_spec: str, wrapping_algorithm: str, wrapping_key_spec: str) -> bool:
    """Whether GetParametersForImport accepts this combination for a key of ``key_spec``.

    ``RSAES_PKCS1_V1_5`` is absent from every row: AWS stopped accepting it on 2023-10-10.
    SM2 wrapping exists only in China Regions and is decided by the caller (the backend).
    """
    if wrapping_key_spec not in RSA_WRAPPING_KEY_SPECS:
        return False
    allowed = _RSA_WRAPPING_BY_FAMILY.get(family(key_spec), ())
    if wrapping_algorithm not in allowed:
        return False
    return wrapping_algorithm not in _EXCLUDED.get((key_spec, wrapping_key_spec), ())


def wrapping_refused_message(key_spec: str, wrapping_algorithm: str, wrapping_key_spec: str) -> str:
    # Exact AWS text, recorded with the AWS CLI.
    return (
        f"Wrapping algorithm {wrapping_algorithm} and wrapping key spec {wrapping_key_spec} "
        f"cannot be used to import a {key_spec} key."
    )


def preferred_wrapping(key_spec: str) -> tuple[str, str]:
    """An allowed (wrapping algorithm, wrapping key spec) for ``key_spec``, AWS's first choice."""
    fam = family(key_spec)
    if fam == "rsa":
        return "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096"
    if fam == "ecc":
        return "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096"
    return "RSAES_OAEP_SHA_256", "RSA_4096"


#: KeyUsage values CreateKey accepts for each importable key spec.
KEY_USAGES: dict[str, tuple[str, ...]] = {
    SYMMETRIC: ("ENCRYPT_DECRYPT",),
    **dict.fromkeys(HMAC_MIN_BYTES, ("GENERATE_VERIFY_MAC",)),
    **dict.fromkeys(RSA_BITS, ("ENCRYPT_DECRYPT", "SIGN_VERIFY")),
    "ECC_NIST_P256": ("SIGN_VERIFY", "KEY_AGREEMENT"),
    "ECC_NIST_P384": ("SIGN_VERIFY", "KEY_AGREEMENT"),
    "ECC_NIST_P521": ("SIGN_VERIFY", "KEY_AGREEMENT"),
    "ECC_SECG_P256K1": ("SIGN_VERIFY",),
    "SM2": ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"),
}

RSA_ENCRYPTION_ALGORITHMS = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
RSA_SIGNING_ALGORITHMS = (
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
)
ECC_SIGNING_ALGORITHMS = {
    "ECC_NIST_P256": ("ECDSA_SHA_256",),
    "ECC_NIST_P384": ("ECDSA_SHA_384",),
    "ECC_NIST_P521": ("ECDSA_SHA_512",),
    "ECC_SECG_P256K1": ("ECDSA_SHA_256",),
}
MAC_ALGORITHMS = {f"HMAC_{bits}": (f"HMAC_SHA_{bits}",) for bits in (224, 256, 384, 512)}
ALGORITHM_FIELDS = (
    "EncryptionAlgorithms",
    "SigningAlgorithms",
    "MacAlgorithms",
    "KeyAgreementAlgorithms",
)


def algorithm_fields(key_spec: str, key_usage: str) -> dict[str, list[str]]:
    """The algorithm lists KeyMetadata and GetPublicKey show for a key (as real KMS does: only
    the list that matches the key usage is present)."""
    fam = family(key_spec)
    if key_usage == "ENCRYPT_DECRYPT":
        algs: tuple[str, ...] = ("SYMMETRIC_DEFAULT",) if fam == "symmetric" else ()
        if fam == "rsa":
            algs = RSA_ENCRYPTION_ALGORITHMS
        elif fam == "sm2":
            algs = ("SM2PKE",)
        return {"EncryptionAlgorithms": list(algs)}
    if key_usage == "SIGN_VERIFY":
        if fam == "rsa":
            return {"SigningAlgorithms": list(RSA_SIGNING_ALGORITHMS)}
        if fam == "sm2":
            return {"SigningAlgorithms": ["SM2DSA"]}
        return {"SigningAlgorithms": list(ECC_SIGNING_ALGORITHMS.get(key_spec, ()))}
    if key_usage == "GENERATE_VERIFY_MAC":
        return {"MacAlgorithms": list(MAC_ALGORITHMS.get(key_spec, ()))}
    if key_usage == "KEY_AGREEMENT":
        return {"KeyAgreementAlgorithms": ["ECDH"]}
    return {}

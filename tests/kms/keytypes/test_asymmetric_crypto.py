"""KMS operations with imported HMAC, RSA and ECC material, checked outside KMS with the local
key (spec §2, §7): MACs equal ``hmac``, signatures verify with the imported key's public key,
GetPublicKey is its SubjectPublicKeyInfo, RSA-OAEP interoperates, ECDH agrees."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

from kms_import_mock.crypto import keyspecs as _keyspecs
from tests.helpers import aws_error, import_material
from tests.keymaterial import (
    ECC_SPECS,
    HMAC_SPECS,
    RSA_SPECS,
    pkcs8,
    private_key,
    spki,
)

MESSAGE = b"what KMS signs must verify with my own public key"
HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
HMAC_HASHES = {
    "224": hashlib.sha224,
    "256": hashlib.sha256,
    "384": hashlib.sha384,
    "512": hashlib.sha512,
}
SIGNING = [
    (spec, algorithm) for spec in RSA_SPECS for algorithm in _keyspecs.RSA_SIGNING_ALGORITHMS
] + [(spec, _keyspecs.ECC_SIGNING_ALGORITHMS[spec][0]) for spec in ECC_SPECS]
AGREEMENT_SPECS = ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"]


@pytest.fixture(scope="module")
def keys(kms: Any) -> dict[tuple[str, str], str]:
    """One enabled EXTERNAL key per (spec, usage), with the cached material imported."""
    ids: dict[tuple[str, str], str] = {}
    for spec, usages in _keyspecs.KEY_USAGES.items():
        if spec in ("SYMMETRIC_DEFAULT", "SM2"):
            continue
        for usage in usages:
            key_id = kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)["KeyMetadata"][
                "KeyId"
            ]
            import_material(kms, key_id, hmac_material(spec) if spec in HMAC_SPECS else pkcs8(spec))
            ids[(spec, usage)] = key_id
    return ids


def hmac_material(spec: str) -> bytes:
    return hashlib.sha512(spec.encode()).digest()[: _keyspecs.HMAC_MIN_BYTES[spec]] + b"extra"


def local_verify(spec: str, algorithm: str, signature: bytes, message: bytes) -> None:
    public = private_key(spec).public_key()
    digest = HASHES[algorithm.rsplit("_", 1)[1]]()
    if algorithm.startswith("RSASSA_PSS"):
        pad = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
        public.verify(signature, message, pad, digest)
    elif algorithm.startswith("RSASSA_PKCS1"):
        public.verify(signature, message, padding.PKCS1v15(), digest)
    else:
        public.verify(signature, message, ec.ECDSA(digest))


# -- HMAC ------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", HMAC_SPECS)
def test_generate_mac_equals_local_hmac(kms: Any, keys: Any, spec: str) -> None:
    key_id = keys[(spec, "GENERATE_VERIFY_MAC")]
    algorithm = f"HMAC_SHA_{spec[5:]}"
    response = kms.generate_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm=algorithm)
    expected = hmac.new(hmac_material(spec), MESSAGE, HMAC_HASHES[spec[5:]]).digest()
    assert response["Mac"] == expected
    assert response["MacAlgorithm"] == algorithm
    assert response["KeyId"].endswith(f":key/{key_id}")
    verified = kms.verify_mac(KeyId=key_id, Message=MESSAGE, MacAlgorithm=algorithm, Mac=expected)
    assert verified["MacValid"] is True
    code, message = aws_error(
        kms.verify_mac, KeyId=key_id, Message=MESSAGE + b"!", MacAlgorithm=algorithm, Mac=expected
    )
    assert (code, message) == ("KMSInvalidMacException", "")


def test_mac_algorithm_must_match_the_key_spec(kms: Any, keys: Any) -> None:
    key_id = keys[("HMAC_224", "GENERATE_VERIFY_MAC")]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    code, message = aws_error(
        kms.generate_mac, KeyId=key_id, Message=b"x", MacAlgorithm="HMAC_SHA_256"
    )
    assert (code, message) == (
        "InvalidKeyUsageException",
        f"MAC algorithm HMAC_SHA_256 is not compatible with {arn}; this HMAC_224 key supports "
        "HMAC_SHA_224.",
    )


# -- Sign / Verify ---------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "algorithm"), SIGNING)
def test_sign_raw_and_digest_verify_outside_kms(
    kms: Any, keys: Any, spec: str, algorithm: str
) -> None:
    key_id = keys[(spec, "SIGN_VERIFY")]
    raw = kms.sign(KeyId=key_id, Message=MESSAGE, MessageType="RAW", SigningAlgorithm=algorithm)
    assert raw["SigningAlgorithm"] == algorithm
    local_verify(spec, algorithm, raw["Signature"], MESSAGE)

    digest_algorithm = HASHES[algorithm.rsplit("_", 1)[1]]()
    h = hashes.Hash(digest_algorithm)
    h.update(MESSAGE)
    digest = h.finalize()
    signed = kms.sign(
        KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=algorithm
    )
    # A DIGEST signature is a signature over the original message.
    local_verify(spec, algorithm, signed["Signature"], MESSAGE)

    for message, message_type, signature in (
        (MESSAGE, "RAW", raw["Signature"]),
        (digest, "DIGEST", signed["Signature"]),
        (MESSAGE, "RAW", signed["Signature"]),
    ):
        result = kms.verify(
            KeyId=key_id,
            Message=message,
            MessageType=message_type,
            Signature=signature,
            SigningAlgorithm=algorithm,
        )
        assert result["SignatureValid"] is True


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1"])
def test_signature_made_outside_kms_verifies_inside(kms: Any, keys: Any, spec: str) -> None:
    key = private_key(spec)
    if spec.startswith("RSA"):
        algorithm = "RSASSA_PSS_SHA_256"
        pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        signature = key.sign(MESSAGE, pad, hashes.SHA256())
    else:
        algorithm = "ECDSA_SHA_256"
        signature = key.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    key_id = keys[(spec, "SIGN_VERIFY")]
    assert kms.verify(
        KeyId=key_id, Message=MESSAGE, Signature=signature, SigningAlgorithm=algorithm
    )["SignatureValid"]
    code, message = aws_error(
        kms.verify,
        KeyId=key_id,
        Message=b"tampered",
        Signature=signature,
        SigningAlgorithm=algorithm,
    )
    assert (code, message) == ("KMSInvalidSignatureException", "")


@pytest.mark.parametrize(
    ("spec", "algorithm", "length"),
    [
        ("RSA_2048", "RSASSA_PSS_SHA_384", 32),
        ("ECC_NIST_P256", "ECDSA_SHA_256", 33),
        ("ECC_NIST_P521", "ECDSA_SHA_512", 1),
    ],
)
def test_digest_length_must_match_the_hash(
    kms: Any, keys: Any, spec: str, algorithm: str, length: int
) -> None:
    key_id = keys[(spec, "SIGN_VERIFY")]
    for call, extra in ((kms.sign, {}), (kms.verify, {"Signature": b"sig"})):
        code, message = aws_error(
            call,
            KeyId=key_id,
            Message=bytes(length),
            MessageType="DIGEST",
            SigningAlgorithm=algorithm,
            **extra,
        )
        assert (code, message) == (
            "ValidationException",
            f"Digest is invalid length for algorithm {algorithm}.",
        )


def test_signing_algorithm_must_fit_the_key(kms: Any, keys: Any) -> None:
    key_id = keys[("ECC_NIST_P384", "SIGN_VERIFY")]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    code, message = aws_error(
        kms.sign, KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"
    )
    assert (code, message) == (
        "InvalidKeyUsageException",
        f"Signing algorithm ECDSA_SHA_256 is not compatible with {arn}; this ECC_NIST_P384 key "
        "supports ECDSA_SHA_384.",
    )


@pytest.mark.parametrize(
    ("spec", "usage", "operation"),
    [
        ("RSA_2048", "ENCRYPT_DECRYPT", "Sign"),
        ("ECC_NIST_P256", "KEY_AGREEMENT", "Sign"),
        ("HMAC_256", "GENERATE_VERIFY_MAC", "Sign"),
        ("RSA_2048", "SIGN_VERIFY", "GenerateMac"),
        ("ECC_NIST_P256", "SIGN_VERIFY", "DeriveSharedSecret"),
        ("RSA_2048", "SIGN_VERIFY", "Encrypt"),
        ("HMAC_256", "GENERATE_VERIFY_MAC", "Encrypt"),
    ],
)
def test_operations_refuse_keys_of_another_usage(
    kms: Any, keys: Any, spec: str, usage: str, operation: str
) -> None:
    key_id = keys[(spec, usage)]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    calls = {
        "Sign": lambda: kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"),
        "GenerateMac": lambda: kms.generate_mac(
            KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256"
        ),
        "DeriveSharedSecret": lambda: kms.derive_shared_secret(
            KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=spki(private_key("ECC_NIST_P256"))
        ),
        "Encrypt": lambda: kms.encrypt(
            KeyId=key_id, Plaintext=b"m", EncryptionAlgorithm="RSAES_OAEP_SHA_1"
        ),
    }
    code, message = aws_error(calls[operation])
    assert (code, message) == (
        "InvalidKeyUsageException",
        f"{arn} key usage is {usage} which is not valid for {operation}.",
    )


# -- GetPublicKey ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "usage"), [(s, u) for s in RSA_SPECS + ECC_SPECS for u in _keyspecs.KEY_USAGES[s]]
)
def test_get_public_key_is_the_imported_keys_spki(
    kms: Any, keys: Any, spec: str, usage: str
) -> None:
    key_id = keys[(spec, usage)]
    response = kms.get_public_key(KeyId=key_id)
    assert response["PublicKey"] == spki(private_key(spec))
    assert response["KeyId"] == kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    assert (response["KeySpec"], response["CustomerMasterKeySpec"], response["KeyUsage"]) == (
        spec,
        spec,
        usage,
    )
    assert {k: response[k] for k in _keyspecs.ALGORITHM_FIELDS if k in response} == (
        _keyspecs.algorithm_fields(spec, usage)
    )


def test_get_public_key_of_an_hmac_key_is_unsupported(kms: Any, keys: Any) -> None:
    key_id = keys[("HMAC_384", "GENERATE_VERIFY_MAC")]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    code, message = aws_error(kms.get_public_key, KeyId=key_id)
    assert (code, message) == (
        "UnsupportedOperationException",
        f"{arn} is a HMAC_384 key, which has no public key.",
    )


# -- RSA Encrypt / Decrypt -------------------------------------------------------------------


@pytest.mark.parametrize("spec", RSA_SPECS)
@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
def test_rsa_oaep_interoperates_with_local_oaep(
    kms: Any, keys: Any, spec: str, algorithm: str
) -> None:
    key_id = keys[(spec, "ENCRYPT_DECRYPT")]
    h = hashes.SHA1 if algorithm.endswith("_1") else hashes.SHA256
    oaep = padding.OAEP(mgf=padding.MGF1(h()), algorithm=h(), label=None)
    encrypted = kms.encrypt(KeyId=key_id, Plaintext=b"secret", EncryptionAlgorithm=algorithm)
    assert encrypted["EncryptionAlgorithm"] == algorithm
    assert private_key(spec).decrypt(encrypted["CiphertextBlob"], oaep) == b"secret"
    local = private_key(spec).public_key().encrypt(b"from outside", oaep)
    decrypted = kms.decrypt(KeyId=key_id, CiphertextBlob=local, EncryptionAlgorithm=algorithm)
    assert decrypted["Plaintext"] == b"from outside"
    assert decrypted["EncryptionAlgorithm"] == algorithm
    assert decrypted["KeyId"] == encrypted["KeyId"]


def test_rsa_decrypt_failures_and_limits(kms: Any, keys: Any) -> None:
    key_id = keys[("RSA_2048", "ENCRYPT_DECRYPT")]
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256")[
        "CiphertextBlob"
    ]
    assert aws_error(
        kms.decrypt, KeyId=key_id, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_1"
    ) == ("InvalidCiphertextException", "")
    assert aws_error(
        kms.encrypt, KeyId=key_id, Plaintext=b"x" * 191, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    ) == (
        "ValidationException",
        "Plaintext is 191 bytes; RSAES_OAEP_SHA_256 with this key encrypts at most 190 bytes.",
    )
    kms.encrypt(KeyId=key_id, Plaintext=b"x" * 214, EncryptionAlgorithm="RSAES_OAEP_SHA_1")
    assert aws_error(kms.encrypt, KeyId=key_id, Plaintext=b"x") == (
        "InvalidKeyUsageException",
        f"Encryption algorithm SYMMETRIC_DEFAULT is not compatible with {arn}; this RSA_2048 key "
        "supports RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256.",
    )


# -- DeriveSharedSecret ----------------------------------------------------------------------


@pytest.mark.parametrize("spec", AGREEMENT_SPECS)
def test_derive_shared_secret_equals_local_ecdh(kms: Any, keys: Any, spec: str) -> None:
    key_id = keys[(spec, "KEY_AGREEMENT")]
    peer = ec.generate_private_key(_keyspecs.ECC_CURVES[spec]())
    response = kms.derive_shared_secret(
        KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=spki(peer)
    )
    assert response["SharedSecret"] == private_key(spec).exchange(ec.ECDH(), peer.public_key())
    # ... and the peer computes the same secret from the KMS key's public key.
    kms_public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    assert isinstance(kms_public, ec.EllipticCurvePublicKey)
    assert response["SharedSecret"] == peer.exchange(ec.ECDH(), kms_public)
    assert response["KeyAgreementAlgorithm"] == "ECDH"
    assert response["KeyOrigin"] == "EXTERNAL"


def test_derive_shared_secret_refuses_a_peer_on_another_curve(kms: Any, keys: Any) -> None:
    key_id = keys[("ECC_NIST_P256", "KEY_AGREEMENT")]
    code, message = aws_error(
        kms.derive_shared_secret,
        KeyId=key_id,
        KeyAgreementAlgorithm="ECDH",
        PublicKey=spki(private_key("ECC_NIST_P384")),
    )
    assert (code, message) == (
        "ValidationException",
        "PublicKey must be an EC public key on the key's curve secp256r1.",
    )


def test_derive_shared_secret_with_a_moto_generated_key(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"][
        "KeyId"
    ]
    peer = ec.generate_private_key(ec.SECP256R1())
    response = kms.derive_shared_secret(
        KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=spki(peer)
    )
    kms_public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    assert isinstance(kms_public, ec.EllipticCurvePublicKey)
    assert response["SharedSecret"] == peer.exchange(ec.ECDH(), kms_public)
    assert response["KeyOrigin"] == "AWS_KMS"


def test_derive_shared_secret_refuses_a_peer_on_an_unknown_curve(kms: Any, keys: Any) -> None:
    """Found by fuzzing: a bit flip in the curve OID made cryptography raise UnsupportedAlgorithm,
    which escaped as a Python error (HTTP 500)."""
    der = spki(ec.generate_private_key(ec.SECP256R1()))
    oid = bytes.fromhex("06082a8648ce3d030107")  # prime256v1
    at = der.index(oid) + len(oid) - 1
    unknown_curve = der[:at] + bytes([der[at] ^ 0x70]) + der[at + 1 :]
    code, _ = aws_error(
        kms.derive_shared_secret,
        KeyId=keys[("ECC_NIST_P256", "KEY_AGREEMENT")],
        KeyAgreementAlgorithm="ECDH",
        PublicKey=unknown_curve,
    )
    assert code == "ValidationException"


@pytest.mark.parametrize(
    "key_id",
    ["f728b4fa-4248-5e3a-0a5d-2f346baa9455", "alias/none", "mrk-1234", "not a key"],
)
def test_derive_shared_secret_of_an_unknown_key_is_not_found(kms: Any, key_id: str) -> None:
    """Found by fuzzing: moto's describe_key raised KeyError/AttributeError (HTTP 500)."""
    peer = ec.generate_private_key(ec.SECP256R1())
    code, _ = aws_error(
        kms.derive_shared_secret, KeyId=key_id, KeyAgreementAlgorithm="ECDH", PublicKey=spki(peer)
    )
    assert code == "NotFoundException"


@pytest.mark.parametrize(
    "spec, usage", [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC")]
)
def test_get_public_key_of_an_aws_kms_key_without_one_is_unsupported(
    kms: Any, spec: str, usage: str
) -> None:
    """Found by fuzzing: moto's get_public_key raised KeyError for these keys (HTTP 500)."""
    key_id = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    code, _ = aws_error(kms.get_public_key, KeyId=key_id)
    assert code == "UnsupportedOperationException"


# -- AWS_KMS keys keep moto's behaviour ------------------------------------------------------


def test_aws_kms_keys_still_use_moto(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    signed = kms.sign(KeyId=key_id, Message=MESSAGE, SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert kms.verify(
        KeyId=key_id,
        Message=MESSAGE,
        Signature=signed["Signature"],
        SigningAlgorithm="RSASSA_PSS_SHA_256",
    )["SignatureValid"]
    mac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"][
        "KeyId"
    ]
    mac = kms.generate_mac(KeyId=mac_key, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert kms.verify_mac(KeyId=mac_key, Message=MESSAGE, MacAlgorithm="HMAC_SHA_256", Mac=mac)[
        "MacValid"
    ]


# -- key states (spec §7) --------------------------------------------------------------------

STATE_CALLS = {
    "Sign": (
        "ECC_NIST_P256",
        "SIGN_VERIFY",
        lambda kms, k: kms.sign(KeyId=k, Message=b"m", SigningAlgorithm="ECDSA_SHA_256"),
    ),
    "Verify": (
        "ECC_NIST_P256",
        "SIGN_VERIFY",
        lambda kms, k: kms.verify(
            KeyId=k, Message=b"m", Signature=b"s", SigningAlgorithm="ECDSA_SHA_256"
        ),
    ),
    "GetPublicKey": ("RSA_2048", "SIGN_VERIFY", lambda kms, k: kms.get_public_key(KeyId=k)),
    "GenerateMac": (
        "HMAC_256",
        "GENERATE_VERIFY_MAC",
        lambda kms, k: kms.generate_mac(KeyId=k, Message=b"m", MacAlgorithm="HMAC_SHA_256"),
    ),
    "VerifyMac": (
        "HMAC_256",
        "GENERATE_VERIFY_MAC",
        lambda kms, k: kms.verify_mac(KeyId=k, Message=b"m", MacAlgorithm="HMAC_SHA_256", Mac=b"x"),
    ),
    "Encrypt": (
        "RSA_2048",
        "ENCRYPT_DECRYPT",
        lambda kms, k: kms.encrypt(
            KeyId=k, Plaintext=b"m", EncryptionAlgorithm="RSAES_OAEP_SHA_256"
        ),
    ),
    "Decrypt": (
        "RSA_2048",
        "ENCRYPT_DECRYPT",
        lambda kms, k: kms.decrypt(
            KeyId=k, CiphertextBlob=b"c" * 256, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
        ),
    ),
    "DeriveSharedSecret": (
        "ECC_NIST_P384",
        "KEY_AGREEMENT",
        lambda kms, k: kms.derive_shared_secret(
            KeyId=k, KeyAgreementAlgorithm="ECDH", PublicKey=spki(private_key("ECC_NIST_P384"))
        ),
    ),
}


@pytest.mark.parametrize("operation", sorted(STATE_CALLS))
def test_key_states_are_enforced(kms: Any, operation: str) -> None:
    spec, usage, call = STATE_CALLS[operation]
    metadata = kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    key_id, arn = metadata["KeyId"], metadata["Arn"]
    assert aws_error(call, kms, key_id) == ("KMSInvalidStateException", f"{arn} is pending import.")
    import_material(kms, key_id, hmac_material(spec) if spec in HMAC_SPECS else pkcs8(spec))
    kms.disable_key(KeyId=key_id)
    assert aws_error(call, kms, key_id) == ("DisabledException", f"{arn} is disabled.")
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert aws_error(call, kms, key_id) == (
        "KMSInvalidStateException",
        f"{arn} is pending deletion.",
    )
    kms.cancel_key_deletion(KeyId=key_id)
    kms.enable_key(KeyId=key_id)
    kms.delete_imported_key_material(KeyId=key_id)
    assert aws_error(call, kms, key_id) == ("KMSInvalidStateException", f"{arn} is pending import.")


def test_alias_names_the_key_for_crypto_operations(kms: Any, keys: Any) -> None:
    key_id = keys[("ECC_NIST_P256", "SIGN_VERIFY")]
    kms.create_alias(AliasName="alias/imported-signer", TargetKeyId=key_id)
    signed = kms.sign(
        KeyId="alias/imported-signer", Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256"
    )
    local_verify("ECC_NIST_P256", "ECDSA_SHA_256", signed["Signature"], MESSAGE)
    assert base64.b64encode(signed["Signature"])
    assert utils.decode_dss_signature(signed["Signature"])  # DER ECDSA-Sig-Value, as KMS returns

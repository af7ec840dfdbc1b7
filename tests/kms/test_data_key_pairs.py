"""GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (moto 5.2 has neither), for
AWS_KMS and EXTERNAL symmetric encryption keys: the encrypted private key decrypts with Decrypt
to the plaintext private key, which belongs to the public key; key states (spec §7) and key
usage are checked."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from kms_import_mock import KmsImportMock
from tests.helpers import aws_error, import_material, in_days, kms_model_has_value
from tests.keymaterial import pkcs8

MATERIAL = bytes(range(7, 39))
CONTEXT = {"purpose": "data-key-pair"}
PAIR_SPECS = {
    "RSA_2048": (rsa.RSAPrivateKey, 2048),
    "RSA_3072": (rsa.RSAPrivateKey, 3072),
    "RSA_4096": (rsa.RSAPrivateKey, 4096),
    "ECC_NIST_P256": (ec.EllipticCurvePrivateKey, "secp256r1"),
    "ECC_NIST_P384": (ec.EllipticCurvePrivateKey, "secp384r1"),
    "ECC_NIST_P521": (ec.EllipticCurvePrivateKey, "secp521r1"),
    "ECC_SECG_P256K1": (ec.EllipticCurvePrivateKey, "secp256k1"),
    "ECC_NIST_EDWARDS25519": (ed25519.Ed25519PrivateKey, None),
}


@pytest.fixture
def kms(kms_import: KmsImportMock) -> Any:
    return kms_import.client()


def external_key(kms: Any, *, imported: bool = True) -> str:
    key_id: str = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    if imported:
        import_material(kms, key_id, MATERIAL)
    return key_id


def make_key(kms: Any, origin: str) -> str:
    if origin == "EXTERNAL":
        return external_key(kms)
    key_id: str = kms.create_key()["KeyMetadata"]["KeyId"]
    return key_id


def spki(private: Any) -> bytes:
    der: bytes = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def check_pair(spec: str, private_der: bytes, public_der: bytes) -> None:
    """``private_der`` is an unencrypted PKCS#8 DER key of ``spec`` whose public key is
    ``public_der`` (DER SubjectPublicKeyInfo)."""
    private = serialization.load_der_private_key(private_der, password=None)
    kind, size = PAIR_SPECS[spec]
    assert isinstance(private, kind)
    if isinstance(private, rsa.RSAPrivateKey):
        assert private.key_size == size
    if isinstance(private, ec.EllipticCurvePrivateKey):
        assert private.curve.name == size
    assert spki(private) == public_der
    assert (
        private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        == private_der
    )


# -- the pair and its encrypted private key -------------------------------------------------


@pytest.mark.parametrize("origin", ["AWS_KMS", "EXTERNAL"])
@pytest.mark.parametrize("spec", list(PAIR_SPECS))
def test_private_key_ciphertext_decrypts_to_the_pair(kms: Any, origin: str, spec: str) -> None:
    key_id = make_key(kms, origin)
    if not kms_model_has_value("DataKeyPairSpec", spec):  # botocore older than the spec
        code, message = aws_error(kms.generate_data_key_pair, KeyId=key_id, KeyPairSpec=spec)
        assert (code, "at 'keyPairSpec' failed to satisfy constraint" in message) == (
            "ValidationException",
            True,
        )
        return
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=spec, EncryptionContext=CONTEXT)
    assert pair["KeyId"] == arn
    assert pair["KeyPairSpec"] == spec
    check_pair(spec, pair["PrivateKeyPlaintext"], pair["PublicKey"])
    decrypted = kms.decrypt(
        CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT
    )
    assert decrypted["KeyId"] == arn
    assert decrypted["Plaintext"] == pair["PrivateKeyPlaintext"]


@pytest.mark.parametrize("origin", ["AWS_KMS", "EXTERNAL"])
def test_without_plaintext_returns_no_private_key(kms: Any, origin: str) -> None:
    key_id = make_key(kms, origin)
    pair = kms.generate_data_key_pair_without_plaintext(
        KeyId=key_id, KeyPairSpec="ECC_NIST_P384", EncryptionContext=CONTEXT
    )
    assert "PrivateKeyPlaintext" not in pair
    assert pair["KeyPairSpec"] == "ECC_NIST_P384"
    private = kms.decrypt(
        CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT
    )
    check_pair("ECC_NIST_P384", private["Plaintext"], pair["PublicKey"])


def test_every_call_makes_a_new_pair(kms: Any) -> None:
    key_id = external_key(kms)
    first, second = (
        kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256") for _ in range(2)
    )
    assert first["PublicKey"] != second["PublicKey"]
    assert first["PrivateKeyPlaintext"] != second["PrivateKeyPlaintext"]


@pytest.mark.parametrize("origin", ["AWS_KMS", "EXTERNAL"])
def test_encryption_context_binds_the_private_key(kms: Any, origin: str) -> None:
    key_id = make_key(kms, origin)
    pair = kms.generate_data_key_pair_without_plaintext(
        KeyId=key_id, KeyPairSpec="ECC_NIST_P256", EncryptionContext=CONTEXT
    )
    blob = pair["PrivateKeyCiphertextBlob"]
    assert aws_error(kms.decrypt, CiphertextBlob=blob)[0] == "InvalidCiphertextException"
    assert (
        aws_error(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"purpose": "other"})[0]
        == "InvalidCiphertextException"
    )
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)["Plaintext"]


def test_every_symmetric_key_names_its_material(kms: Any) -> None:
    for key_id in (external_key(kms), kms.create_key()["KeyMetadata"]["KeyId"]):
        material_id = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
        pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
        assert pair["KeyMaterialId"] == material_id


def test_alias_and_arn_name_the_key(kms: Any) -> None:
    key_id = external_key(kms)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/pairs", TargetKeyId=key_id)
    for name in ("alias/pairs", arn):
        pair = kms.generate_data_key_pair(KeyId=name, KeyPairSpec="ECC_NIST_P256")
        assert pair["KeyId"] == arn


def test_private_key_decrypts_again_after_reimport(kms: Any) -> None:
    """The blob is an ordinary ciphertext of the imported material."""
    key_id = external_key(kms)
    pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    kms.delete_imported_key_material(KeyId=key_id)
    import_material(kms, key_id, MATERIAL)
    plaintext = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"]
    assert plaintext == pair["PrivateKeyPlaintext"]


# -- key states (spec §7) --------------------------------------------------------------------

OPERATIONS = ["generate_data_key_pair", "generate_data_key_pair_without_plaintext"]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_pending_import_key_is_refused(kms: Any, operation: str) -> None:
    key_id = external_key(kms, imported=False)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    call = getattr(kms, operation)
    assert aws_error(call, KeyId=key_id, KeyPairSpec="RSA_2048") == (
        "KMSInvalidStateException",
        f"{arn} is pending import.",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_disabled_key_is_refused(kms: Any, operation: str) -> None:
    key_id = external_key(kms)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.disable_key(KeyId=key_id)
    call = getattr(kms, operation)
    assert aws_error(call, KeyId=key_id, KeyPairSpec="RSA_2048") == (
        "DisabledException",
        f"{arn} is disabled.",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_key_pending_deletion_is_refused(kms: Any, operation: str) -> None:
    key_id = external_key(kms)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    call = getattr(kms, operation)
    assert aws_error(call, KeyId=key_id, KeyPairSpec="RSA_2048") == (
        "KMSInvalidStateException",
        f"{arn} is pending deletion.",
    )


def test_expired_material_is_pending_import(kms_import: KmsImportMock) -> None:
    kms = kms_import.client()
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(kms, key_id, MATERIAL, ValidTo=in_days(1))
    kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    kms_import.advance(2 * 86400)
    code, message = aws_error(kms.generate_data_key_pair, KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    assert (code, message.endswith("is pending import.")) == ("KMSInvalidStateException", True)


# -- key usage and request errors ------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "spec", "usage"),
    [
        ("AWS_KMS", "RSA_2048", "ENCRYPT_DECRYPT"),
        ("AWS_KMS", "ECC_NIST_P256", "SIGN_VERIFY"),
        ("AWS_KMS", "HMAC_256", "GENERATE_VERIFY_MAC"),
        ("EXTERNAL", "RSA_2048", "ENCRYPT_DECRYPT"),
        ("EXTERNAL", "ECC_NIST_P256", "SIGN_VERIFY"),
        ("EXTERNAL", "HMAC_256", "GENERATE_VERIFY_MAC"),
    ],
)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_asymmetric_and_hmac_keys_are_refused(
    kms: Any, operation: str, origin: str, spec: str, usage: str
) -> None:
    meta = kms.create_key(Origin=origin, KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    if origin == "EXTERNAL":
        material = bytes(range(32)) if spec.startswith("HMAC") else pkcs8(spec)
        import_material(kms, meta["KeyId"], material)
    action = "GenerateDataKeyPair" + ("WithoutPlaintext" if operation.endswith("plaintext") else "")
    assert aws_error(getattr(kms, operation), KeyId=meta["KeyId"], KeyPairSpec="RSA_2048") == (
        "InvalidKeyUsageException",
        f"{meta['Arn']} is a {spec} key with key usage {usage}; {action} needs a symmetric "
        "encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT).",
    )


def test_sm2_is_refused_outside_china(kms: Any) -> None:
    key_id = external_key(kms)
    assert aws_error(kms.generate_data_key_pair, KeyId=key_id, KeyPairSpec="SM2") == (
        "UnsupportedOperationException",
        "KeyPairSpec SM2 is available only in the China Regions (cn-north-1, cn-northwest-1), "
        "not in us-east-1.",
    )


@pytest.mark.parametrize("spec", ["ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"])
def test_unsupported_pair_specs_are_refused_clearly(kms: Any, spec: str) -> None:
    key_id = external_key(kms)
    code, message = aws_error(kms.generate_data_key_pair, KeyId=key_id, KeyPairSpec=spec)
    if not kms_model_has_value("DataKeyPairSpec", spec):  # botocore older than the spec
        assert code == "ValidationException"
        assert "at 'keyPairSpec' failed to satisfy constraint" in message
        return
    assert code == "UnsupportedOperationException"
    assert message.startswith(f"KeyPairSpec {spec} is not supported by kms-import-mock;")


def test_sm2_in_china_is_refused_as_unsupported(kms_import: KmsImportMock) -> None:
    kms = kms_import.client(region_name="cn-north-1")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, message = aws_error(kms.generate_data_key_pair, KeyId=key_id, KeyPairSpec="SM2")
    assert code == "UnsupportedOperationException"
    assert message.startswith("KeyPairSpec SM2 is not supported by kms-import-mock;")


def test_request_errors(kms: Any) -> None:
    key_id = external_key(kms)
    code, message = aws_error(kms.generate_data_key_pair, KeyId=key_id, KeyPairSpec="RSA_1024")
    assert code == "ValidationException"
    assert "at 'keyPairSpec' failed to satisfy constraint" in message
    unknown = "11111111-2222-3333-4444-555555555555"
    assert aws_error(kms.generate_data_key_pair, KeyId=unknown, KeyPairSpec="RSA_2048") == (
        "NotFoundException",
        f"Key 'arn:aws:kms:us-east-1:123456789012:key/{unknown}' does not exist",
    )

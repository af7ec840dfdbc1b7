"""CreateKey with Origin=EXTERNAL for every importable key spec, and the wrapping combinations
GetParametersForImport allows for each (spec §1.1, §1.2, §3.3, §3.5)."""

from __future__ import annotations

import inspect
import itertools
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kms_import_mock import generate_key_material, wrap_key_material
from kms_import_mock.crypto import keyspecs as _keyspecs
from kms_import_mock.kms.backend import ImportKmsBackend
from tests.helpers import aws_error, import_material, key_state
from tests.keymaterial import (
    ASYMMETRIC_SPECS,
    ECC_SPECS,
    HMAC_SPECS,
    IMPORTABLE_SPECS,
    RSA_SPECS,
    pkcs8,
)

USAGES = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"]
ALLOWED_USAGES = {
    **{spec: ["GENERATE_VERIFY_MAC"] for spec in HMAC_SPECS},
    **{spec: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"] for spec in RSA_SPECS},
    "ECC_NIST_P256": ["SIGN_VERIFY", "KEY_AGREEMENT"],
    "ECC_NIST_P384": ["SIGN_VERIFY", "KEY_AGREEMENT"],
    "ECC_NIST_P521": ["SIGN_VERIFY", "KEY_AGREEMENT"],
    "ECC_SECG_P256K1": ["SIGN_VERIFY"],
}
RSA_SIGNING = [
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
]
#: The algorithm list real KMS shows in KeyMetadata, by (spec, usage).
EXPECTED_ALGORITHMS: dict[tuple[str, str], dict[str, list[str]]] = {
    ("HMAC_224", "GENERATE_VERIFY_MAC"): {"MacAlgorithms": ["HMAC_SHA_224"]},
    ("HMAC_256", "GENERATE_VERIFY_MAC"): {"MacAlgorithms": ["HMAC_SHA_256"]},
    ("HMAC_384", "GENERATE_VERIFY_MAC"): {"MacAlgorithms": ["HMAC_SHA_384"]},
    ("HMAC_512", "GENERATE_VERIFY_MAC"): {"MacAlgorithms": ["HMAC_SHA_512"]},
    **{
        (spec, "ENCRYPT_DECRYPT"): {
            "EncryptionAlgorithms": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
        }
        for spec in RSA_SPECS
    },
    **{(spec, "SIGN_VERIFY"): {"SigningAlgorithms": RSA_SIGNING} for spec in RSA_SPECS},
    ("ECC_NIST_P256", "SIGN_VERIFY"): {"SigningAlgorithms": ["ECDSA_SHA_256"]},
    ("ECC_NIST_P384", "SIGN_VERIFY"): {"SigningAlgorithms": ["ECDSA_SHA_384"]},
    ("ECC_NIST_P521", "SIGN_VERIFY"): {"SigningAlgorithms": ["ECDSA_SHA_512"]},
    ("ECC_SECG_P256K1", "SIGN_VERIFY"): {"SigningAlgorithms": ["ECDSA_SHA_256"]},
    **{
        (spec, "KEY_AGREEMENT"): {"KeyAgreementAlgorithms": ["ECDH"]}
        for spec in ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521")
    },
}
ALGORITHM_FIELDS = {
    "EncryptionAlgorithms",
    "SigningAlgorithms",
    "MacAlgorithms",
    "KeyAgreementAlgorithms",
}
WRAPPING_ALGORITHMS = [
    "RSAES_PKCS1_V1_5",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
]
WRAPPING_KEY_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096"]
OAEP = {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
RSA_AES = {"RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"}


def allowed(spec: str, algorithm: str, wrapping_key_spec: str) -> bool:
    """The table of spec §3.3/§3.5, written out independently of ``_keyspecs``."""
    if spec == "SYMMETRIC_DEFAULT" or spec in HMAC_SPECS:
        return algorithm in OAEP
    if spec in RSA_SPECS:
        return algorithm in RSA_AES
    if spec == "ECC_NIST_P521" and wrapping_key_spec == "RSA_2048":
        return algorithm in RSA_AES
    return algorithm in OAEP | RSA_AES


ALL_COMBINATIONS = list(
    itertools.product(IMPORTABLE_SPECS, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS)
)
ALLOWED = [c for c in ALL_COMBINATIONS if allowed(*c) and c[0] != "SYMMETRIC_DEFAULT"]
REFUSED = [c for c in ALL_COMBINATIONS if not allowed(*c)]


@pytest.fixture(scope="module")
def kms_cn(mock: Any) -> Any:
    return mock.client(region_name="cn-north-1")


def key_count(kms: Any) -> int:
    return len(kms.list_keys(Limit=1000)["Keys"])


def create(kms: Any, spec: str, usage: str | None = None, **kwargs: Any) -> dict[str, Any]:
    usage = usage or ALLOWED_USAGES.get(spec, ["ENCRYPT_DECRYPT"])[0]
    metadata: dict[str, Any] = kms.create_key(
        Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage, **kwargs
    )["KeyMetadata"]
    return metadata


def material_for(spec: str) -> bytes:
    if spec in HMAC_SPECS:
        return bytes(range(_keyspecs.HMAC_MIN_BYTES[spec]))
    return pkcs8(spec)


# -- CreateKey --------------------------------------------------------------------------------


SPEC_USAGES = [(spec, usage) for spec, usages in ALLOWED_USAGES.items() for usage in usages]


@pytest.mark.parametrize(("spec", "usage"), SPEC_USAGES)
def test_create_external_key_of_every_spec_and_usage(kms: Any, spec: str, usage: str) -> None:
    created = create(kms, spec, usage)
    described = kms.describe_key(KeyId=created["KeyId"])["KeyMetadata"]
    for metadata in (created, described):
        assert metadata["KeyState"] == "PendingImport"
        assert metadata["Enabled"] is False
        assert metadata["Origin"] == "EXTERNAL"
        assert metadata["KeySpec"] == spec
        assert metadata["CustomerMasterKeySpec"] == spec
        assert metadata["KeyUsage"] == usage
        assert metadata["KeyManager"] == "CUSTOMER"
        assert metadata["MultiRegion"] is False
        for absent in ("ExpirationModel", "ValidTo", "CurrentKeyMaterialId"):
            assert absent not in metadata
        shown = {name: metadata[name] for name in ALGORITHM_FIELDS if name in metadata}
        assert shown == EXPECTED_ALGORITHMS[(spec, usage)]


@pytest.mark.parametrize("spec", [s for s in IMPORTABLE_SPECS if s != "SYMMETRIC_DEFAULT"])
def test_creating_an_external_key_generates_no_key(
    kms: Any, spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from moto.kms.models import kms_backends

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("CreateKey of an EXTERNAL key generated a private key")

    monkeypatch.setattr(rsa, "generate_private_key", refuse)
    monkeypatch.setattr(ec, "generate_private_key", refuse)
    key_id = create(kms, spec)["KeyId"]
    backend = kms_backends["123456789012"]["us-east-1"]
    assert isinstance(backend, ImportKmsBackend)
    key = backend.keys[key_id]
    assert key.private_key is None
    assert key.key_material == b""


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        (spec, usage)
        for spec in [s for s in IMPORTABLE_SPECS if s != "SYMMETRIC_DEFAULT"]
        for usage in USAGES
        if usage not in ALLOWED_USAGES[spec]
    ]
    + [("SYMMETRIC_DEFAULT", u) for u in USAGES if u != "ENCRYPT_DECRYPT"],
)
def test_invalid_spec_and_usage_combinations_are_refused(kms: Any, spec: str, usage: str) -> None:
    before = key_count(kms)
    code, message = aws_error(kms.create_key, Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)
    assert (code, message) == (
        "ValidationException",
        f"KeyUsage {usage} is not compatible with KeySpec {spec}.",
    )
    assert key_count(kms) == before


@pytest.mark.parametrize(
    ("spec", "usage"),
    [
        ("ML_DSA_44", "SIGN_VERIFY"),
        ("ML_DSA_65", "SIGN_VERIFY"),
        ("ML_DSA_87", "SIGN_VERIFY"),
        # Not among the importable specs in the developer guide (spec §1.1): treated as refused.
        ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY"),
    ],
)
def test_specs_that_cannot_be_imported_are_refused(kms: Any, spec: str, usage: str) -> None:
    before = key_count(kms)
    code, message = aws_error(kms.create_key, Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)
    assert (code, message) == (
        "UnsupportedOperationException",
        f"KeySpec {spec} is not supported for keys with Origin EXTERNAL.",
    )
    assert key_count(kms) == before


def test_aws_kms_keys_keep_moto_metadata(kms: Any) -> None:
    metadata = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert metadata["KeyState"] == "Enabled"
    assert (
        metadata["SigningAlgorithms"]
        == kms.get_public_key(KeyId=metadata["KeyId"])["SigningAlgorithms"]
    )


# -- SM2 (China Regions only) ------------------------------------------------------------------


@pytest.mark.parametrize("usage", ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"])
def test_sm2_key_outside_china_is_refused(kms: Any, usage: str) -> None:
    code, message = aws_error(kms.create_key, Origin="EXTERNAL", KeySpec="SM2", KeyUsage=usage)
    assert (code, message) == (
        "ValidationException",
        "KeySpec SM2 is available only in the China Regions (cn-north-1, cn-northwest-1), "
        "not in us-east-1.",
    )


@pytest.mark.parametrize("region", ["cn-north-1", "cn-northwest-1"])
def test_sm2_key_inside_china_is_not_supported_by_the_mock(mock: Any, region: str) -> None:
    kms = mock.client(region_name=region)
    code, message = aws_error(
        kms.create_key, Origin="EXTERNAL", KeySpec="SM2", KeyUsage="SIGN_VERIFY"
    )
    assert (code, message) == (
        "UnsupportedOperationException",
        "KeySpec SM2 is not supported by kms-import-mock: importing SM2 key material and SM2PKE "
        "wrapping are not implemented.",
    )


@pytest.mark.parametrize(
    ("algorithm", "wrapping_key_spec"),
    [("SM2PKE", "SM2"), ("SM2PKE", "RSA_2048"), ("RSAES_OAEP_SHA_256", "SM2")],
)
def test_sm2_wrapping_outside_china_is_refused(
    kms: Any, algorithm: str, wrapping_key_spec: str
) -> None:
    key_id = create(kms, "ECC_NIST_P256")["KeyId"]
    code, message = aws_error(
        kms.get_parameters_for_import,
        KeyId=key_id,
        WrappingAlgorithm=algorithm,
        WrappingKeySpec=wrapping_key_spec,
    )
    assert (code, message) == (
        "ValidationException",
        f"Wrapping {algorithm} with wrapping key spec {wrapping_key_spec} is available only in "
        "the China Regions (cn-north-1, cn-northwest-1), not in us-east-1.",
    )


def test_sm2_wrapping_inside_china_is_not_supported_by_the_mock(kms_cn: Any) -> None:
    key_id = create(kms_cn, "SYMMETRIC_DEFAULT")["KeyId"]
    code, message = aws_error(
        kms_cn.get_parameters_for_import,
        KeyId=key_id,
        WrappingAlgorithm="SM2PKE",
        WrappingKeySpec="SM2",
    )
    assert code == "UnsupportedOperationException"
    assert message.startswith("Wrapping SM2PKE with wrapping key spec SM2 is not supported")


# -- wrapping combinations -------------------------------------------------------------------


def test_the_matrix_matches_the_spec_table() -> None:
    for combination in ALL_COMBINATIONS:
        assert _keyspecs.wrapping_allowed(*combination) == allowed(*combination), combination
    assert len(REFUSED) > 0 and len(ALLOWED) == 4 * 6 + 3 * 6 + 4 * 12 - 2


@pytest.mark.parametrize(("spec", "algorithm", "wrapping_key_spec"), ALLOWED)
def test_every_allowed_combination_imports(
    kms: Any, spec: str, algorithm: str, wrapping_key_spec: str
) -> None:
    key_id = create(kms, spec)["KeyId"]
    response = import_material(
        kms,
        key_id,
        material_for(spec),
        wrapping_algorithm=algorithm,
        wrapping_key_spec=wrapping_key_spec,
    )
    assert key_state(kms, key_id) == "Enabled"
    assert set(response) - {"ResponseMetadata"} == {"KeyId"}


@pytest.mark.parametrize(("spec", "algorithm", "wrapping_key_spec"), REFUSED)
def test_every_refused_combination_is_refused_up_front(
    kms: Any, spec: str, algorithm: str, wrapping_key_spec: str
) -> None:
    key_id = create(kms, spec)["KeyId"]
    code, message = aws_error(
        kms.get_parameters_for_import,
        KeyId=key_id,
        WrappingAlgorithm=algorithm,
        WrappingKeySpec=wrapping_key_spec,
    )
    assert (code, message) == (
        "ValidationException",
        f"Wrapping algorithm {algorithm} and wrapping key spec {wrapping_key_spec} "
        f"cannot be used to import a {spec} key.",
    )
    assert key_state(kms, key_id) == "PendingImport"


@pytest.mark.parametrize("spec", IMPORTABLE_SPECS)
def test_pkcs1_v1_5_is_refused_for_every_spec(kms: Any, spec: str) -> None:
    key_id = create(kms, spec)["KeyId"]
    for wrapping_key_spec in WRAPPING_KEY_SPECS:
        code, message = aws_error(
            kms.get_parameters_for_import,
            KeyId=key_id,
            WrappingAlgorithm="RSAES_PKCS1_V1_5",
            WrappingKeySpec=wrapping_key_spec,
        )
        assert code == "ValidationException"
        assert message == (
            f"Wrapping algorithm RSAES_PKCS1_V1_5 and wrapping key spec {wrapping_key_spec} "
            f"cannot be used to import a {spec} key."
        )


# -- generate_key_material and wrap_key_material ---------------------------------------------


@pytest.mark.parametrize("spec", HMAC_SPECS)
def test_generate_key_material_hmac_is_spec_sized_random(spec: str) -> None:
    first, second = generate_key_material(spec), generate_key_material(spec)
    assert len(first) == len(second) == _keyspecs.HMAC_MIN_BYTES[spec]
    assert first != second


@pytest.mark.parametrize("spec", ASYMMETRIC_SPECS)
def test_generate_key_material_asymmetric_is_pkcs8_der(spec: str) -> None:
    material = pkcs8(spec)  # generate_key_material(spec), cached for the other tests
    key = serialization.load_der_private_key(material, password=None)
    assert (
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        == material
    )
    if spec in RSA_SPECS:
        assert isinstance(key, rsa.RSAPrivateKey)
        assert key.key_size == _keyspecs.RSA_BITS[spec]
    else:
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        assert isinstance(key.curve, _keyspecs.ECC_CURVES[spec])


@pytest.mark.parametrize("spec", ECC_SPECS)
def test_generate_key_material_gives_a_new_key_each_time(spec: str) -> None:
    assert generate_key_material(spec) != generate_key_material(spec)


def test_generate_key_material_refuses_specs_it_cannot_make() -> None:
    for spec in ("SM2", "ML_DSA_44", "NOPE"):
        with pytest.raises(
            ValueError, match=f"key material cannot be generated for key spec '{spec}'"
        ):
            generate_key_material(spec)


def test_wrap_key_material_requires_the_algorithm() -> None:
    parameter = inspect.signature(wrap_key_material).parameters["wrapping_algorithm"]
    assert parameter.default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        wrap_key_material(b"", b"")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="wrapping algorithm 'RSAES_PKCS1_V1_5' is not supported"):
        wrap_key_material(b"", b"", "RSAES_PKCS1_V1_5")

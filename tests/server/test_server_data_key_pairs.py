"""GenerateDataKeyPair over HTTP: moto answers HTTP 500 (NotImplementedError); the server must
answer it for AWS_KMS and EXTERNAL keys alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kms_import_mock import generate_key_material, wrap_key_material


def test_data_key_pairs_over_http(kms_client: Callable[..., Any]) -> None:
    kms = kms_client()
    external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    params = kms.get_parameters_for_import(
        KeyId=external, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    kms.import_key_material(
        KeyId=external,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(
            params["PublicKey"], generate_key_material(), "RSAES_OAEP_SHA_256"
        ),
        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
    )
    for key_id in (external, kms.create_key()["KeyMetadata"]["KeyId"]):
        pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
        blob = pair["PrivateKeyCiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == pair["PrivateKeyPlaintext"]
        bare = kms.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec="RSA_2048")
        assert "PrivateKeyPlaintext" not in bare

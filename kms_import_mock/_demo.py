"""The lifecycle demo behind ``make demo``: every step of a bring-your-own-key pipeline."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from botocore.exceptions import ClientError

from ._mock import mock_kms_import
from .crypto.wrapping import generate_key_material, wrap_key_material


def _say(step: str, client: Any, key_id: str, detail: str = "") -> None:
    meta = client.describe_key(KeyId=key_id)["KeyMetadata"]
    extra = f" ValidTo={meta['ValidTo']:%Y-%m-%d %H:%M}" if "ValidTo" in meta else ""
    print(f"{step:<58} KeyState={meta['KeyState']:<13}{extra} {detail}".rstrip())


def _import(client: Any, key_id: str, material: bytes, **expiry: Any) -> dict[str, Any]:
    params = client.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    blob = wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256")
    result: dict[str, Any] = client.import_key_material(
        KeyId=key_id, ImportToken=params["ImportToken"], EncryptedKeyMaterial=blob, **expiry
    )
    return result


def _refused(call: Any, **kwargs: Any) -> str:
    try:
        call(**kwargs)
    except ClientError as err:
        return f"refused: {err.response['Error']['Code']}: {err.response['Error']['Message']}"
    raise AssertionError("expected the call to be refused")


def run() -> None:
    with mock_kms_import() as mock:
        kms = mock.client()
        key_id = kms.create_key(Origin="EXTERNAL", Description="demo")["KeyMetadata"]["KeyId"]
        _say("1. CreateKey Origin=EXTERNAL", kms, key_id)

        material = generate_key_material("SYMMETRIC_DEFAULT")
        valid_to = mock.now() + _dt.timedelta(days=30)
        result = _import(kms, key_id, material, ValidTo=valid_to)
        _say(
            "2. GetParametersForImport + wrap + ImportKeyMaterial",
            kms,
            key_id,
            f"KeyMaterialId={result['KeyMaterialId'][:12]}…",
        )

        ciphertext = kms.encrypt(KeyId=key_id, Plaintext=b"hello")["CiphertextBlob"]
        data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
        _say("3. Encrypt + GenerateDataKey", kms, key_id)

        kms.delete_imported_key_material(KeyId=key_id)
        _say("4. DeleteImportedKeyMaterial", kms, key_id)
        print(f"   Decrypt: {_refused(kms.decrypt, CiphertextBlob=ciphertext)}")

        other = generate_key_material("SYMMETRIC_DEFAULT")
        refusal = _refused(_import, client=kms, key_id=key_id, material=other, ValidTo=valid_to)
        print(f"5. Reimport different material: {refusal}")

        _import(kms, key_id, material, ValidTo=valid_to)
        plain = kms.decrypt(CiphertextBlob=ciphertext)["Plaintext"]
        dk = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"]
        _say(
            "6. Reimport the same material",
            kms,
            key_id,
            f"old ciphertext -> {plain!r}, data key matches: {dk == data_key['Plaintext']}",
        )

        mock.advance(_dt.timedelta(days=31))
        _say("7. Clock moved past ValidTo (+31 days)", kms, key_id)
        print(f"   Encrypt: {_refused(kms.encrypt, KeyId=key_id, Plaintext=b'x')}")

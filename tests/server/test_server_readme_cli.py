"""The README's AWS CLI + openssl commands, run as written against a server the tests started.

The blocks marked ``<!-- tested: ... -->`` in "Using it from the command line and other languages"
run in bash (``set -euo pipefail``) with the real ``aws`` (the ``awscli`` package) and ``openssl``;
boto3 then checks that the server holds exactly the material openssl wrapped.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization

from kms_import_mock import wrap_key_material

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(name: str) -> str:
    match = re.search(
        rf"<!-- tested: {re.escape(name)} -->\n```sh\n(.*?)\n```", README.read_text(), re.S
    )
    assert match, f"README has no tested block {name!r}"
    return match.group(1)


def run_block(
    name: str, env: dict[str, str], endpoint: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + readme_block(name)],
        env={**env, "ENDPOINT": endpoint},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result


def in_order(text: str, *parts: str) -> None:
    position = 0
    for part in parts:
        found = text.find(part, position)
        assert found >= 0, f"{part!r} not found (in order) in:\n{text}"
        position = found + len(part)


def test_openssl_oaep_sha256_and_the_aws_cli_lifecycle(
    kms_import_server: str, cli_env: dict[str, str], kms_client: Callable[..., Any], tmp_path: Path
) -> None:
    result = run_block("symmetric", cli_env, kms_import_server, tmp_path)

    kms = kms_client()
    (key,) = kms.list_keys()["Keys"]
    in_order(
        result.stdout,
        "Enabled\tKEY_MATERIAL_DOES_NOT_EXPIRE\n",
        "PendingImport\n",
        "encrypt refused\n",
        "attack at dawn\n",
    )
    assert (
        "An error occurred (KMSInvalidStateException) when calling the Encrypt operation: "
        f"{key['KeyArn']} is pending import." in result.stderr
    )
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (meta["Origin"], meta["KeyState"], meta["ExpirationModel"]) == (
        "EXTERNAL",
        "Enabled",
        "KEY_MATERIAL_DOES_NOT_EXPIRE",
    )


def test_openssl_rsa_aes_key_wrap_of_an_ecc_private_key(
    kms_import_server: str, cli_env: dict[str, str], kms_client: Callable[..., Any], tmp_path: Path
) -> None:
    result = run_block("rsa-aes-key-wrap", cli_env, kms_import_server, tmp_path)
    assert "Enabled\tECC_NIST_P256\tEXTERNAL\n" in result.stdout

    # The server holds exactly openssl's PrivateKey.der: the same material, wrapped anew by this
    # library, is accepted as a reimport, and any other P-256 key is refused.
    kms = kms_client()
    (key,) = kms.list_keys()["Keys"]
    der = (tmp_path / "PrivateKey.der").read_bytes()
    other = serialization.load_pem_private_key(
        subprocess.run(
            ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout,
        password=None,
    ).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for material, expected in ((der, None), (other, "IncorrectKeyMaterialException")):
        params = kms.get_parameters_for_import(
            KeyId=key["KeyId"],
            WrappingAlgorithm="RSA_AES_KEY_WRAP_SHA_256",
            WrappingKeySpec="RSA_2048",
        )
        blob = wrap_key_material(params["PublicKey"], material, "RSA_AES_KEY_WRAP_SHA_256")
        try:
            kms.import_key_material(
                KeyId=key["KeyId"],
                ImportToken=params["ImportToken"],
                EncryptedKeyMaterial=blob,
                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
            )
            outcome = None
        except ClientError as err:
            outcome = err.response["Error"]["Code"]
        assert outcome == expected

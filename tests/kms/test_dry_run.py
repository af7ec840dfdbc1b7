"""DryRun on every KMS operation whose botocore model has it: a request that would succeed
answers DryRunOperationException (HTTP 412) and performs nothing, returns no secret; one that
would fail answers the real error."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kms_import_mock import KmsImportMock
from kms_import_mock.kms import dry_run
from tests.helpers import aws_error, import_material, kms_model_requires

MATERIAL = bytes(range(40, 72))
MESSAGE = "The request would have succeeded, but the DryRun option is set."


@pytest.fixture
def kms(kms_import: KmsImportMock) -> Any:
    return kms_import.client()


def dry_run_answer(call: Any, **kwargs: Any) -> dict[str, Any]:
    """The error response of a dry run that would have succeeded."""
    with pytest.raises(ClientError) as info:
        call(DryRun=True, **kwargs)
    response: dict[str, Any] = info.value.response
    assert response["Error"]["Code"] == "DryRunOperationException"
    assert response["Error"]["Message"] == MESSAGE
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 412
    for secret in ("Plaintext", "CiphertextBlob", "Signature", "Mac", "PrivateKeyPlaintext"):
        assert secret not in response
    return response


def test_the_operations_come_from_botocores_model() -> None:
    ops = dry_run.operations()
    assert {"Decrypt", "Encrypt", "GenerateDataKey", "ReEncrypt", "Sign", "CreateGrant"} <= ops
    assert "DescribeKey" not in ops and "CreateKey" not in ops


@pytest.mark.parametrize("origin", ["AWS_KMS", "EXTERNAL"])
def test_crypto_operations_answer_dry_run_and_return_nothing(kms: Any, origin: str) -> None:
    key_id = kms.create_key(Origin=origin)["KeyMetadata"]["KeyId"]
    if origin == "EXTERNAL":
        import_material(kms, key_id, MATERIAL)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret")["CiphertextBlob"]
    dry_run_answer(kms.encrypt, KeyId=key_id, Plaintext=b"secret")
    dry_run_answer(kms.decrypt, CiphertextBlob=blob)
    dry_run_answer(kms.decrypt, CiphertextBlob=blob, KeyId=key_id)
    dry_run_answer(kms.generate_data_key, KeyId=key_id, KeySpec="AES_256")
    dry_run_answer(kms.generate_data_key_without_plaintext, KeyId=key_id, NumberOfBytes=32)
    dry_run_answer(kms.generate_data_key_pair, KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    dry_run_answer(kms.re_encrypt, CiphertextBlob=blob, DestinationKeyId=key_id)
    # The real call still works afterwards.
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_an_older_model_requires_the_ciphertext_even_for_a_dry_run(
    kms_import: KmsImportMock,
) -> None:
    """The mock serves the installed model: botocore before DryRun-without-ciphertext still
    marks CiphertextBlob required, and a request without it is AWS's ValidationException."""
    loose = kms_import.client(config=Config(parameter_validation=False))
    key_id = loose.create_key()["KeyMetadata"]["KeyId"]
    if not kms_model_requires("Decrypt", "CiphertextBlob"):
        dry_run_answer(loose.decrypt, KeyId=key_id)
        return
    code, message = aws_error(loose.decrypt, KeyId=key_id, DryRun=True)
    assert (code, "'ciphertextBlob' failed to satisfy constraint" in message) == (
        "ValidationException",
        True,
    )


needs_optional_blob = pytest.mark.skipif(
    kms_model_requires("Decrypt", "CiphertextBlob"),
    reason="this botocore's model requires Decrypt's CiphertextBlob (checked above)",
)


@needs_optional_blob
def test_decrypt_dry_run_needs_no_ciphertext_when_key_id_is_given(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    dry_run_answer(kms.decrypt, KeyId=key_id)
    kms.disable_key(KeyId=key_id)
    code, message = aws_error(kms.decrypt, KeyId=key_id, DryRun=True)
    assert code == "DisabledException" and key_id in message
    # Without DryRun the ciphertext is still required.
    code, _ = aws_error(kms.decrypt, KeyId=key_id)
    assert code == "ValidationException"


@needs_optional_blob
def test_decrypt_dry_run_without_ciphertext_checks_the_key(kms: Any) -> None:
    code, _ = aws_error(kms.decrypt, KeyId="0" * 8 + "-0000-0000-0000-" + "0" * 12, DryRun=True)
    assert code == "NotFoundException"
    signing = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]
    code, _ = aws_error(kms.decrypt, KeyId=signing["KeyId"], DryRun=True)
    assert code == "InvalidKeyUsageException"
    pending = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    code, _ = aws_error(kms.decrypt, KeyId=pending, DryRun=True)
    assert code == "KMSInvalidStateException"


def test_dry_run_of_a_failing_request_answers_the_real_error(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)
    for call, kwargs in (
        (kms.encrypt, {"KeyId": key_id, "Plaintext": b"x"}),
        (kms.decrypt, {"CiphertextBlob": blob}),
        (kms.generate_data_key, {"KeyId": key_id, "KeySpec": "AES_256"}),
    ):
        code, _ = aws_error(call, DryRun=True, **kwargs)
        assert code == "DisabledException"
    kms.enable_key(KeyId=key_id)
    code, _ = aws_error(kms.decrypt, CiphertextBlob=b"not a ciphertext at all", DryRun=True)
    assert code == "InvalidCiphertextException"


def test_signing_and_mac_operations(kms: Any) -> None:
    sign_key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")["KeyMetadata"]
    args = {"KeyId": sign_key["KeyId"], "Message": b"m", "SigningAlgorithm": "ECDSA_SHA_256"}
    dry_run_answer(kms.sign, **args)
    signature = kms.sign(**args)["Signature"]
    dry_run_answer(kms.verify, Signature=signature, **args)
    mac_key = kms.create_key(KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")["KeyMetadata"]
    mac_args = {"KeyId": mac_key["KeyId"], "Message": b"m", "MacAlgorithm": "HMAC_SHA_256"}
    dry_run_answer(kms.generate_mac, **mac_args)


def test_grant_operations_change_nothing(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    principal = "arn:aws:iam::123456789012:role/app"
    grant = {"GranteePrincipal": principal, "Operations": ["Decrypt"]}
    dry_run_answer(kms.create_grant, KeyId=key_id, **grant)
    assert kms.list_grants(KeyId=key_id)["Grants"] == []
    grant_id = kms.create_grant(
        KeyId=key_id, GranteePrincipal=principal, Operations=["Decrypt"]
    )["GrantId"]
    dry_run_answer(kms.revoke_grant, KeyId=key_id, GrantId=grant_id)
    dry_run_answer(kms.retire_grant, KeyId=key_id, GrantId=grant_id)
    assert [g["GrantId"] for g in kms.list_grants(KeyId=key_id)["Grants"]] == [grant_id]
    code, _ = aws_error(
        kms.create_grant,
        KeyId="alias/none",
        GranteePrincipal=principal,
        Operations=["Decrypt"],
        DryRun=True,
    )
    assert code == "NotFoundException"


def test_dry_run_false_performs_the_operation(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"p", DryRun=False)["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, DryRun=False)["Plaintext"] == b"p"

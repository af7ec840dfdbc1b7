"""The HTTP face of the cryptographic operations of EXTERNAL keys, and of data key pairs.

EXTERNAL keys are served from their imported material (``ImportKmsBackend.*_imported``); every
other key goes to moto's own method unchanged. Kept apart from the import lifecycle's actions in
``responses``, which assembles both into the Response class moto serves.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from moto.kms.responses import KmsResponse

from kms_import_mock.crypto import ciphertext, keyspecs

from . import data_key_pairs

if TYPE_CHECKING:
    from .backend import ImportKmsBackend
    from .params import Params

KEY_ID: dict[str, Any] = {"min_len": 1, "max_len": 2048}
_MESSAGE_TYPES = ("RAW", "DIGEST", "EXTERNAL_MU")
_ENCRYPTION_ALGORITHMS = ("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE")
_MAC_ALGORITHMS = ("HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512")
_SIGNING_ALGORITHMS = (
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256",
    "ECDSA_SHA_384",
    "ECDSA_SHA_512",
    "SM2DSA",
    "ML_DSA_SHAKE_256",
    "ED25519_SHA_512",
    "ED25519_PH_SHA_512",
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class CryptoResponses(KmsResponse):
    """Sign, Verify, GetPublicKey, Encrypt, Decrypt, MACs, DeriveSharedSecret, data key pairs."""

    if TYPE_CHECKING:

        @property
        def kms_backend(self) -> ImportKmsBackend: ...

        def _params(self) -> Params: ...

    def _imported_key_id(self, *, asymmetric_only: bool = False) -> str | None:
        """The request's KeyId when it names an EXTERNAL key this section serves, else None."""
        key_id = self._params().string("KeyId")
        key = self.kms_backend.external_key(key_id) if key_id else None
        if key is None or (asymmetric_only and key.key_spec == keyspecs.SYMMETRIC):
            return None
        return key_id

    def sign(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html"""
        key_id = self._imported_key_id()
        if key_id is None:
            return super().sign()
        params = self._params()
        message = params.blob("Message", max_len=4096)
        message_type = params.string("MessageType", enum=_MESSAGE_TYPES) or "RAW"
        algorithm = params.required_string("SigningAlgorithm", enum=_SIGNING_ALGORITHMS)
        key, signature = self.kms_backend.sign_imported(key_id, message, message_type, algorithm)
        return json.dumps(
            {"KeyId": key.arn, "Signature": b64(signature), "SigningAlgorithm": algorithm}
        )

    def verify(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html"""
        key_id = self._imported_key_id()
        if key_id is None:
            return super().verify()
        params = self._params()
        message = params.blob("Message", max_len=4096)
        message_type = params.string("MessageType", enum=_MESSAGE_TYPES) or "RAW"
        signature = params.blob("Signature")
        algorithm = params.required_string("SigningAlgorithm", enum=_SIGNING_ALGORITHMS)
        key = self.kms_backend.verify_imported(key_id, message, message_type, signature, algorithm)
        return json.dumps({"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm})

    def get_public_key(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html"""
        key_id = self._imported_key_id()
        if key_id is None:
            return super().get_public_key()
        key, public_key = self.kms_backend.get_public_key_imported(key_id)
        return json.dumps(
            {
                "KeyId": key.arn,
                "PublicKey": b64(public_key),
                "CustomerMasterKeySpec": key.key_spec,
                "KeySpec": key.key_spec,
                "KeyUsage": key.key_usage,
                **keyspecs.algorithm_fields(key.key_spec, key.key_usage),
            }
        )

    def encrypt(self) -> str:
        """Encrypt: non-symmetric EXTERNAL keys here; symmetric ones in ``backend.encrypt``."""
        key_id = self._imported_key_id(asymmetric_only=True)
        if key_id is None:
            return super().encrypt()
        params = self._params()
        plaintext = params.blob("Plaintext", max_len=4096)
        algorithm = params.string("EncryptionAlgorithm", enum=_ENCRYPTION_ALGORITHMS)
        algorithm = algorithm or "SYMMETRIC_DEFAULT"
        key, blob = self.kms_backend.encrypt_imported(key_id, plaintext, algorithm)
        return json.dumps(
            {"CiphertextBlob": b64(blob), "KeyId": key.arn, "EncryptionAlgorithm": algorithm}
        )

    def decrypt(self) -> str:
        """Decrypt: non-symmetric EXTERNAL keys (named by KeyId, as AWS requires for them) here."""
        key_id = self._imported_key_id(asymmetric_only=True)
        if key_id is None:
            return super().decrypt()
        params = self._params()
        blob = params.blob("CiphertextBlob")
        algorithm = params.string("EncryptionAlgorithm", enum=_ENCRYPTION_ALGORITHMS)
        algorithm = algorithm or "SYMMETRIC_DEFAULT"
        key, plaintext = self.kms_backend.decrypt_imported(key_id, blob, algorithm)
        return json.dumps(
            {"Plaintext": b64(plaintext), "KeyId": key.arn, "EncryptionAlgorithm": algorithm}
        )

    def generate_mac(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html"""
        key_id = self._imported_key_id()
        if key_id is None:
            return super().generate_mac()
        params = self._params()
        message = params.blob("Message", max_len=4096)
        algorithm = params.required_string("MacAlgorithm", enum=_MAC_ALGORITHMS)
        key, mac = self.kms_backend.generate_mac_imported(key_id, message, algorithm)
        return json.dumps({"Mac": b64(mac), "MacAlgorithm": algorithm, "KeyId": key.arn})

    def verify_mac(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html"""
        key_id = self._imported_key_id()
        if key_id is None:
            return super().verify_mac()
        params = self._params()
        message = params.blob("Message", max_len=4096)
        algorithm = params.required_string("MacAlgorithm", enum=_MAC_ALGORITHMS)
        mac = params.blob("Mac")
        key = self.kms_backend.verify_mac_imported(key_id, message, algorithm, mac)
        return json.dumps({"KeyId": key.arn, "MacValid": True, "MacAlgorithm": algorithm})

    def derive_shared_secret(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html

        moto has no DeriveSharedSecret; ``Recipient`` (Nitro Enclaves attestation) is ignored.
        """
        params = self._params()
        key_id = params.required_string("KeyId", **KEY_ID)
        self._validate_key_id(key_id)  # moto's describe_key raises KeyError for unknown keys
        algorithm = params.required_string("KeyAgreementAlgorithm", enum=("ECDH",))
        public_key = params.blob("PublicKey", max_len=8192)
        key, secret = self.kms_backend.derive_shared_secret(key_id, algorithm, public_key)
        return json.dumps(
            {
                "KeyId": key.arn,
                "SharedSecret": b64(secret),
                "KeyAgreementAlgorithm": algorithm,
                "KeyOrigin": key.origin,
            }
        )

    # -- data key pairs ------------------------------------------------------------------------
    # moto (5.2) has neither operation; served for every symmetric encryption key.

    def generate_data_key_pair(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html

        ``Recipient`` (Nitro Enclaves attestation) is ignored: the response never carries
        ``CiphertextForRecipient``, and always the plaintext private key.
        """
        return json.dumps(self._data_key_pair("GenerateDataKeyPair", with_plaintext=True))

    def generate_data_key_pair_without_plaintext(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPairWithoutPlaintext.html"""
        return json.dumps(
            self._data_key_pair("GenerateDataKeyPairWithoutPlaintext", with_plaintext=False)
        )

    def _data_key_pair(self, operation: str, *, with_plaintext: bool) -> dict[str, Any]:
        params = self._params()
        key_id = params.required_string("KeyId", **KEY_ID)
        spec = params.required_string("KeyPairSpec", enum=data_key_pairs.SPECS)
        context = self._get_param("EncryptionContext") or {}
        self._validate_key_id(key_id)
        key, private, public, blob = self.kms_backend.generate_data_key_pair(
            key_id, spec, context, operation
        )
        response: dict[str, Any] = {"PrivateKeyCiphertextBlob": b64(blob)}
        if with_plaintext:
            response["PrivateKeyPlaintext"] = b64(private)
        response.update(PublicKey=b64(public), KeyId=key.arn, KeyPairSpec=spec)
        header = ciphertext.parse(blob)
        if header is not None:  # an EXTERNAL key's blob names the material that encrypted it
            response["KeyMaterialId"] = header.material_id
        return response

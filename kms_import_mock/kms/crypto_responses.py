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

from kms_import_mock.crypto import keyspecs

from . import data_key_pairs, incorrect_key

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
        """Encrypt: non-symmetric EXTERNAL keys here; symmetric ones in ``backend.encrypt``.

        Every response carries EncryptionAlgorithm, as AWS's does."""
        key_id = self._imported_key_id(asymmetric_only=True)
        params = self._params()
        algorithm = params.string("EncryptionAlgorithm", enum=_ENCRYPTION_ALGORITHMS)
        algorithm = algorithm or "SYMMETRIC_DEFAULT"
        if key_id is None:
            # moto's response lacks EncryptionAlgorithm, which AWS always returns.
            return json.dumps({**json.loads(super().encrypt()), "EncryptionAlgorithm": algorithm})
        plaintext = params.blob("Plaintext", max_len=4096)
        key, blob = self.kms_backend.encrypt_imported(key_id, plaintext, algorithm)
        return json.dumps(
            {"CiphertextBlob": b64(blob), "KeyId": key.arn, "EncryptionAlgorithm": algorithm}
        )

    def decrypt(self) -> str:
        """Decrypt: non-symmetric EXTERNAL keys (named by KeyId, as AWS requires for them) here."""
        key_id = self._imported_key_id(asymmetric_only=True)
        params = self._params()
        algorithm = params.string("EncryptionAlgorithm", enum=_ENCRYPTION_ALGORITHMS)
        algorithm = algorithm or "SYMMETRIC_DEFAULT"
        if key_id is None:
            # moto's response lacks EncryptionAlgorithm and the KeyMaterialId AWS returns for
            # symmetric keys: the id of the material that decrypted.
            result = json.loads(super().decrypt())
            result["EncryptionAlgorithm"] = algorithm
            context = self._get_param("EncryptionContext") or {}
            self._add_material_id(
                result, "KeyMaterialId", result["KeyId"], "CiphertextBlob", context
            )
            return json.dumps(result)
        blob = params.blob("CiphertextBlob")
        key, plaintext = self.kms_backend.decrypt_imported(key_id, blob, algorithm)
        return json.dumps(
            {"Plaintext": b64(plaintext), "KeyId": key.arn, "EncryptionAlgorithm": algorithm}
        )

    def re_encrypt(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html

        moto's response, with the algorithm and key material fields AWS returns."""
        params = self._params()
        source = params.string("SourceEncryptionAlgorithm", enum=_ENCRYPTION_ALGORITHMS)
        destination = params.string("DestinationEncryptionAlgorithm", enum=_ENCRYPTION_ALGORITHMS)
        source_key_id = params.string("SourceKeyId")
        if source_key_id:
            self._validate_key_id(source_key_id)
        result = json.loads(super().re_encrypt())
        if source_key_id:
            backend = self.kms_backend
            incorrect_key.check(
                backend.any_id_to_key_id(source_key_id),
                backend.any_id_to_key_id(result["SourceKeyId"]),
            )
        result["SourceEncryptionAlgorithm"] = source or "SYMMETRIC_DEFAULT"
        result["DestinationEncryptionAlgorithm"] = destination or "SYMMETRIC_DEFAULT"
        self._add_material_id(
            result,
            "SourceKeyMaterialId",
            result["SourceKeyId"],
            "CiphertextBlob",
            self._get_param("SourceEncryptionContext") or {},
        )
        new_blob = base64.b64decode(result["CiphertextBlob"])
        self._add_material_id(result, "DestinationKeyMaterialId", result["KeyId"], new_blob)
        return json.dumps(result)

    def generate_data_key(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html

        moto's response (GenerateDataKeyWithoutPlaintext is built from it), with the
        KeyMaterialId of the material that encrypted the data key."""
        result = json.loads(super().generate_data_key())
        blob = base64.b64decode(result["CiphertextBlob"])
        self._add_material_id(result, "KeyMaterialId", result["KeyId"], blob)
        return json.dumps(result)

    def _add_material_id(
        self,
        result: dict[str, Any],
        field: str,
        key_id: str,
        blob: bytes | str,
        context: dict[str, str] | None = None,
    ) -> None:
        """``result[field]``: the material id of ``blob`` (bytes, or the name of the request's
        blob parameter) under ``key_id``, when the key is a symmetric encryption key;
        ``context``, the blob's encryption context, finds an earlier material of a rotated key."""
        data = blob if isinstance(blob, bytes) else self._get_param(blob)
        material_id = self.kms_backend.material_id_of(key_id, bytes(data), context)
        if material_id is not None:
            result[field] = material_id

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
        self._add_material_id(response, "KeyMaterialId", key.arn, blob)
        return response

"""Cryptographic operations of EXTERNAL keys, with the imported material.

Symmetric keys encrypt in ``ciphertext``'s format (the blob names its material); HMAC, RSA and
ECC keys sign, verify, MAC, encrypt and derive with the imported private key (``asymmetric``).
Keys of other origins go to moto, after the key-state check every key gets
(``check_usable``); their responses name a stable key material id (``current_material_id``).
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from moto.kms import utils as _moto_utils
from moto.kms.exceptions import AccessDeniedException
from moto.kms.exceptions import InvalidCiphertextException as MotoInvalidCiphertext
from moto.kms.models import Key

from kms_import_mock.crypto import asymmetric as _asymmetric
from kms_import_mock.crypto import ciphertext as _ciphertext
from kms_import_mock.crypto import keyspecs
from kms_import_mock.crypto import material as _material

from . import aws_kms_rotation, data_key_pairs, incorrect_key
from .base import (
    ImportBackendBase,
)
from .errors import (
    InvalidCiphertextException,
    InvalidKeyUsageException,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
    key_usage_not_valid,
)

_MOTO_KEY_ID_LEN = 36  # moto.kms.utils.KEY_ID_LEN: the key ID bytes in moto's blob header


class CryptoOperations(ImportBackendBase):
    """Encrypt/Decrypt and the asymmetric/HMAC operations of EXTERNAL keys."""

    def encrypt(
        self, key_id: str, plaintext: bytes, encryption_context: dict[str, str]
    ) -> tuple[bytes, str]:
        key = self.external_key(key_id)
        if key is None:
            # Encrypt, GenerateDataKey* and ReEncrypt's destination of every other key.
            self.require_usable(key_id)
            return super().encrypt(key_id, plaintext, encryption_context)
        with self.lock:  # the state check and the material read see the same moment
            self.check_usable(key)
            if key.key_usage != "ENCRYPT_DECRYPT":
                raise InvalidKeyUsageException(
                    f"{key.arn} has key usage {key.key_usage}, which is not valid for Encrypt."
                )
            if key.key_spec != keyspecs.SYMMETRIC:
                # Encrypt with an RSA key is served by ``encrypt_imported``; what reaches this
                # point (GenerateDataKey*, ReEncrypt) needs a symmetric encryption key.
                raise InvalidKeyUsageException(
                    f"{key.arn} is a {key.key_spec} key; this operation needs a "
                    "SYMMETRIC_DEFAULT key."
                )
            current = self.imports[key.id].current
            assert current is not None and current.material is not None  # Enabled ⇒ imported
            material_id, material = current.material_id, current.material
        if not plaintext or len(plaintext) > 4096:
            # Delegate the length errors to moto, which words them as AWS does.
            return super().encrypt(key_id, plaintext, encryption_context)
        blob = _ciphertext.seal(
            key.id, material_id, material.canonical, plaintext, encryption_context
        )
        return blob, key.arn

    def decrypt(
        self,
        ciphertext_blob: bytes,
        encryption_context: dict[str, str],
        key_id: str | None = None,
    ) -> tuple[bytes, str]:
        header = _ciphertext.parse(ciphertext_blob)
        if header is None:
            try:
                plain, arn = self._moto_decrypt(ciphertext_blob, encryption_context, None)
            except MotoInvalidCiphertext:
                # Made before a rotation of an AWS_KMS key: an earlier material opens it.
                found = aws_kms_rotation.open_with_previous(
                    self.keys, ciphertext_blob, encryption_context
                )
                if found is None:
                    raise
                plain, arn = found[0], found[1].arn
            # Refused after moto found the key in the blob (the key is not named otherwise);
            # nothing has changed, and the plaintext goes nowhere.
            if key_id is not None:
                incorrect_key.check(self.any_id_to_key_id(key_id), self.any_id_to_key_id(arn))
            self.require_usable(arn)
            return plain, arn
        key = self.keys.get(header.key_id)
        state = self.imports.get(header.key_id)
        if key is None or state is None:
            raise AccessDeniedException(
                "The ciphertext refers to a customer master key that does not exist, "
                "does not exist in this region, or you are not allowed to access."
            )
        if key_id is not None:
            incorrect_key.check(self.any_id_to_key_id(key_id), key.id)
        with self.lock:
            self.check_usable(key)
            record = state.find(header.material_id)
            material = record.material if record is not None else None
        if material is None:
            raise InvalidCiphertextException()
        plaintext = _ciphertext.open_blob(
            header, ciphertext_blob, material.canonical, encryption_context
        )
        if plaintext is None:
            raise InvalidCiphertextException()
        return plaintext, key.arn

    def _moto_decrypt(
        self, blob: bytes, encryption_context: dict[str, str], key_id: str | None
    ) -> tuple[bytes, str]:
        """moto's Decrypt, also for its multi-Region keys: moto's blob header holds 36 bytes of
        key ID, so a 40-character ``mrk-`` ID is cut short and moto's own Decrypt answered
        AccessDeniedException for every ciphertext of a multi-Region AWS_KMS key."""
        prefix = blob[:_MOTO_KEY_ID_LEN].decode("utf-8", "replace")
        matches = [k for k in self.keys.values() if k.id != prefix and k.id[:36] == prefix]
        if not prefix.startswith("mrk-") or len(matches) != 1:
            return super().decrypt(blob, encryption_context, key_id)
        (key,) = matches
        if key_id is not None and self.any_id_to_key_id(key_id) != key.id:
            return super().decrypt(blob, encryption_context, key_id)  # moto's refusal
        plaintext, _ = _moto_utils.decrypt(
            master_keys={prefix: key}, ciphertext_blob=blob, encryption_context=encryption_context
        )
        return plaintext, key.arn

    # -- asymmetric and HMAC keys: the response layer routes only EXTERNAL keys here -----

    def _imported(self, key_id: str, usage: str, operation: str) -> tuple[Key, _material.Material]:
        """The EXTERNAL key and its material, after the key-state and key-usage checks."""
        key = self.external_key(key_id)
        if key is None:
            raise NotFoundException(f"Key '{self._arn(self.get_key_id(key_id))}' does not exist")
        self.check_usable(key)
        if key.key_usage != usage or key.key_spec == keyspecs.SYMMETRIC:
            raise InvalidKeyUsageException(key_usage_not_valid(key.arn, key.key_usage, operation))
        current = self.imports[key.id].current
        assert current is not None and current.material is not None  # Enabled ⇒ imported
        return key, current.material

    @staticmethod
    def _check_algorithm(key: Key, kind: str, algorithm: str) -> None:
        allowed = next(iter(keyspecs.algorithm_fields(key.key_spec, key.key_usage).values()), [])
        if algorithm not in allowed:
            raise InvalidKeyUsageException(
                f"{kind} algorithm {algorithm} is not compatible with {key.arn}; "
                f"this {key.key_spec} key supports {', '.join(allowed)}."
            )

    def _asymmetric_key(self, key: Key, material: _material.Material) -> _material.PrivateKey:
        assert material.private_key is not None, f"{key.arn} holds no private key"
        return material.private_key

    def sign_imported(
        self, key_id: str, message: bytes, message_type: str, signing_algorithm: str
    ) -> tuple[Key, bytes]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html"""
        key, material = self._imported(key_id, "SIGN_VERIFY", "Sign")
        self._check_algorithm(key, "Signing", signing_algorithm)
        private = self._asymmetric_key(key, material)
        try:
            return key, _asymmetric.sign(private, message, message_type, signing_algorithm)
        except _asymmetric.CryptoError as exc:
            raise ValidationException(str(exc)) from None

    def verify_imported(
        self,
        key_id: str,
        message: bytes,
        message_type: str,
        signature: bytes,
        signing_algorithm: str,
    ) -> Key:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html"""
        key, material = self._imported(key_id, "SIGN_VERIFY", "Verify")
        self._check_algorithm(key, "Signing", signing_algorithm)
        private = self._asymmetric_key(key, material)
        try:
            valid = _asymmetric.verify(private, message, message_type, signature, signing_algorithm)
        except _asymmetric.CryptoError as exc:
            raise ValidationException(str(exc)) from None
        if not valid:
            raise KMSInvalidSignatureException()
        return key

    def get_public_key_imported(self, key_id: str) -> tuple[Key, bytes]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html"""
        key = self.external_key(key_id)
        if key is None:
            raise NotFoundException(f"Key '{self._arn(self.get_key_id(key_id))}' does not exist")
        if keyspecs.family(key.key_spec) not in ("rsa", "ecc"):
            self.check_usable(key)
            raise UnsupportedOperationException(
                f"{key.arn} is a {key.key_spec} key, which has no public key."
            )
        key, material = self._imported(key_id, key.key_usage, "GetPublicKey")
        return key, _asymmetric.public_key_der(self._asymmetric_key(key, material))

    def get_public_key(self, key_id: str) -> tuple[Key, bytes]:
        """moto's GetPublicKey (keys that are not EXTERNAL), refusing keys without a public key:
        moto raised KeyError for a symmetric or HMAC key (HTTP 500)."""
        key = self.describe_key(key_id)
        self.check_usable(key)
        if keyspecs.family(key.key_spec) in ("symmetric", "hmac"):
            raise UnsupportedOperationException(
                f"{key.arn} is a {key.key_spec} key, which has no public key."
            )
        return super().get_public_key(key_id)

    def _rsa_private(self, key_id: str, algorithm: str, operation: str) -> tuple[Key, Any]:
        key, material = self._imported(key_id, "ENCRYPT_DECRYPT", operation)
        self._check_algorithm(key, "Encryption", algorithm)
        return key, self._asymmetric_key(key, material)

    def encrypt_imported(self, key_id: str, plaintext: bytes, algorithm: str) -> tuple[Key, bytes]:
        """Encrypt with an RSA EXTERNAL key: RSAES-OAEP under the imported key's public key."""
        key, private = self._rsa_private(key_id, algorithm, "Encrypt")
        try:
            return key, _asymmetric.rsa_encrypt(private, plaintext, algorithm)
        except _asymmetric.CryptoError as exc:
            raise ValidationException(str(exc)) from None

    def decrypt_imported(self, key_id: str, ciphertext: bytes, algorithm: str) -> tuple[Key, bytes]:
        """Decrypt with an RSA EXTERNAL key; a ciphertext that does not decrypt is refused as AWS
        refuses it (InvalidCiphertextException, empty message)."""
        key, private = self._rsa_private(key_id, algorithm, "Decrypt")
        plaintext = _asymmetric.rsa_decrypt(private, ciphertext, algorithm)
        if plaintext is None:
            raise InvalidCiphertextException()
        return key, plaintext

    def generate_mac_imported(
        self, key_id: str, message: bytes, mac_algorithm: str
    ) -> tuple[Key, bytes]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html"""
        key, material = self._imported(key_id, "GENERATE_VERIFY_MAC", "GenerateMac")
        self._check_algorithm(key, "MAC", mac_algorithm)
        return key, _asymmetric.mac(material.canonical, mac_algorithm, message)

    def verify_mac_imported(
        self, key_id: str, message: bytes, mac_algorithm: str, mac: bytes
    ) -> Key:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html"""
        key, material = self._imported(key_id, "GENERATE_VERIFY_MAC", "VerifyMac")
        self._check_algorithm(key, "MAC", mac_algorithm)
        if not _asymmetric.mac_matches(material.canonical, mac_algorithm, message, mac):
            raise KMSInvalidMacException()
        return key

    def derive_shared_secret(
        self, key_id: str, key_agreement_algorithm: str, public_key: bytes
    ) -> tuple[Key, bytes]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html

        moto (5.2) has no DeriveSharedSecret; for its own KEY_AGREEMENT keys the mock uses the
        private key moto generated.
        """
        key = self.external_key(key_id)
        if key is not None:
            key, material = self._imported(key_id, "KEY_AGREEMENT", "DeriveSharedSecret")
            private: Any = self._asymmetric_key(key, material)
        else:
            key = self.describe_key(key_id)
            self.check_usable(key)
            private = getattr(key.private_key, "private_key", None)
            if key.key_usage != "KEY_AGREEMENT" or not isinstance(
                private, ec.EllipticCurvePrivateKey
            ):
                raise InvalidKeyUsageException(
                    key_usage_not_valid(key.arn, key.key_usage, "DeriveSharedSecret")
                )
        self._check_algorithm(key, "Key agreement", key_agreement_algorithm)
        try:
            return key, _asymmetric.derive_shared_secret(private, public_key)
        except _asymmetric.CryptoError as exc:
            raise ValidationException(str(exc)) from None

    # -- key material ids: what Decrypt, GenerateDataKey* and ReEncrypt return --------------

    def material_id_of(
        self, key_id: str, blob: bytes, context: dict[str, str] | None = None
    ) -> str | None:
        """The id of the key material that made ``blob`` under the symmetric key ``key_id``;
        None for other keys (AWS returns KeyMaterialId for symmetric encryption keys only).
        ``context`` (the blob's encryption context) finds an earlier material of a rotated
        AWS_KMS key; without it the current material is named."""
        header = _ciphertext.parse(blob)
        if header is not None:  # an EXTERNAL key's blob names its material
            return header.material_id
        key = self.known_key(key_id)
        if key is None or self.current_material_id(key) is None:
            return None
        return aws_kms_rotation.material_id(
            key.id, aws_kms_rotation.material_of_blob(key, blob, context)
        )

    def current_material_id(self, key: Key) -> str | None:
        """CurrentKeyMaterialId of an AWS_KMS symmetric key: a stable 64-hex id of the one
        material moto gives it, the same in every Region of a multi-Region key (moto copies the
        material to replicas); it changes on rotation, which gives the key new material."""
        if key.id in self.imports or key.key_spec != keyspecs.SYMMETRIC:
            return None
        return aws_kms_rotation.material_id(key.id, bytes(key.key_material or b""))

    # -- moto's signing and MAC operations (keys that are not EXTERNAL), with the key state --

    def sign(self, key_id: str, *args: Any, **kwargs: Any) -> Any:
        self.require_usable(key_id)
        return super().sign(key_id, *args, **kwargs)

    def verify(self, key_id: str, *args: Any, **kwargs: Any) -> Any:
        self.require_usable(key_id)
        return super().verify(key_id, *args, **kwargs)

    def generate_mac(self, *args: Any, **kwargs: Any) -> Any:
        self.require_usable(kwargs.get("key_id", args[1] if len(args) > 1 else None))
        return super().generate_mac(*args, **kwargs)

    def verify_mac(self, *args: Any, **kwargs: Any) -> Any:
        self.require_usable(kwargs.get("key_id", args[1] if len(args) > 1 else None))
        return super().verify_mac(*args, **kwargs)

    # -- data key pairs: every symmetric encryption key, EXTERNAL or not -----------------------

    def generate_data_key_pair(
        self,
        key_id: str,
        key_pair_spec: str,
        encryption_context: dict[str, str],
        operation: str = "GenerateDataKeyPair",
    ) -> tuple[Key, bytes, bytes, bytes]:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html

        A fresh key pair of ``key_pair_spec``; its PKCS#8 private key is encrypted under the
        symmetric encryption key ``key_id`` by ``encrypt``, so Decrypt returns it; the key-state
        rules apply to keys of every origin. Returns the key, the private key (PKCS#8 DER), the
        public key (DER SubjectPublicKeyInfo) and the private key's ciphertext.
        """
        self._check_data_key_pair_spec(key_pair_spec)
        key = self.keys[self.any_id_to_key_id(key_id)]
        self.check_usable(key)  # the state before the key usage, as for Encrypt
        usage = key.key_usage or "ENCRYPT_DECRYPT"  # moto keeps None when CreateKey omitted it
        if usage != "ENCRYPT_DECRYPT" or key.key_spec != keyspecs.SYMMETRIC:
            raise InvalidKeyUsageException(
                f"{key.arn} is a {key.key_spec} key with key usage {usage}; {operation} "
                "needs a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)."
            )
        # Generated only once the key is known to be usable: an RSA_4096 pair takes a while.
        private, public = data_key_pairs.generate(key_pair_spec)
        blob, _ = self.encrypt(key.id, private, encryption_context)
        return key, private, public, blob

    def _check_data_key_pair_spec(self, key_pair_spec: str) -> None:
        if key_pair_spec == "SM2" and self.region_name not in keyspecs.CHINA_REGIONS:
            raise UnsupportedOperationException(
                "KeyPairSpec SM2 is available only in the China Regions (cn-north-1, "
                f"cn-northwest-1), not in {self.region_name}."
            )
        if key_pair_spec in data_key_pairs.UNSUPPORTED:
            # Deliberate difference from AWS (docs/behaviour.md): no SM2 library to build on, and
            # ``cryptography`` has no ML-KEM-512.
            raise UnsupportedOperationException(
                f"KeyPairSpec {key_pair_spec} is not supported by kms-import-mock; data key "
                "pairs are RSA, ECC (NIST, SECG) or ECC_NIST_EDWARDS25519."
            )

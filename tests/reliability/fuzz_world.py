"""A small population of keys for the fuzz tests, and hypothesis strategies over it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import strategies as st

from kms_import_mock import KmsImportMock, generate_key_material, wrap_key_material
from kms_import_mock.crypto.keyspecs import OAEP, RSA_AES, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS
from kms_import_mock.kms.shapes import service_model

#: A key pair no token refers to: material wrapped under it must never import.
_STRANGER = rsa.generate_private_key(65537, 2048)
STRANGER_PUBLIC = _STRANGER.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
)

EXPIRATION_MODELS = ("KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE")
IMPORT_TYPES = ("NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL")
#: KMS's KeySpec and KeyUsageType enums, from botocore's service model (not restated here).
_KMS_MODEL = service_model("kms")
KEY_SPECS = tuple(_KMS_MODEL.shape_for("KeySpec").enum)
KEY_USAGES = tuple(_KMS_MODEL.shape_for("KeyUsageType").enum)

garbage_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.sampled_from(["", " ", "null", "None", "\x00", "é" * 70, "A" * 3000, "%s%n", "${x}"]),
)
hex64 = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


def enum_or_garbage(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(values),
        st.sampled_from(values).map(str.lower),
        st.sampled_from(values).map(lambda v: v + " "),
        garbage_text,
    )


def mutated(data: bytes) -> st.SearchStrategy[tuple[str, bytes]]:
    """Variants of ``data``: one bit flipped, truncated, extended, or replaced by random bytes."""
    n = len(data)

    def flipped(bit: int) -> tuple[str, bytes]:
        i = bit // 8
        return "flip", data[:i] + bytes([data[i] ^ (1 << (bit % 8))]) + data[i + 1 :]

    flip = st.integers(0, n * 8 - 1).map(flipped)
    cut = st.integers(1, max(1, n - 1)).map(lambda k: ("truncate", data[:k]))
    grow = st.binary(min_size=1, max_size=64).map(lambda extra: ("extend", data + extra))
    noise = st.binary(min_size=1, max_size=700).map(lambda b: ("random", b))
    swap = st.integers(0, n - 1).flatmap(
        lambda i: st.integers(1, 255).map(
            lambda x: ("byte", data[:i] + bytes([data[i] ^ x]) + data[i + 1 :])
        )
    )
    return st.one_of(flip, cut, grow, noise, swap)


@dataclass
class ExternalKey:
    key_id: str
    arn: str
    spec: str
    material: bytes
    other_material: bytes
    algorithm: str
    token: bytes = b""
    public_key: bytes = b""
    material_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class World:
    """Keys in every interesting state, a boto3 client without client-side validation."""

    def __init__(self, mock: KmsImportMock) -> None:
        self.mock = mock
        # No client-side validation: wrong types and lengths reach the mock's own parser.
        self.kms = mock.client(
            config=Config(parameter_validation=False, retries={"max_attempts": 0})
        )
        self.strict = mock.client(config=Config(retries={"max_attempts": 0}))
        self.sym = self._external("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256", imported=True)
        self.pending = self._external("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", imported=False)
        self.hmac = self._external("HMAC_256", "RSAES_OAEP_SHA_256", imported=True)
        self.ecc = self._external("ECC_NIST_P256", "RSA_AES_KEY_WRAP_SHA_256", imported=True)
        self.rsa = self._external("RSA_2048", "RSA_AES_KEY_WRAP_SHA_256", imported=True)
        self.ecdh = self._external(
            "ECC_NIST_P256", "RSA_AES_KEY_WRAP_SHA_1", imported=True, usage="KEY_AGREEMENT"
        )
        self.mrk = self._external(
            "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256", imported=True, multi_region=True
        )
        self.externals = [self.sym, self.pending, self.hmac, self.ecc]
        #: every EXTERNAL key, for the operations beyond import (sign, MAC, rotation, replicas)
        self.all_externals = [*self.externals, self.rsa, self.ecdh, self.mrk]
        aws = self.strict.create_key(Description="plain")["KeyMetadata"]
        self.aws_kms_id, self.aws_kms_arn = aws["KeyId"], aws["Arn"]
        self.strict.create_alias(AliasName="alias/fuzz-sym", TargetKeyId=self.sym.key_id)

    def _external(
        self,
        spec: str,
        algorithm: str,
        imported: bool,
        usage: str | None = None,
        multi_region: bool = False,
    ) -> ExternalKey:
        usage = usage or {"HMAC_256": "GENERATE_VERIFY_MAC", "ECC_NIST_P256": "SIGN_VERIFY"}.get(
            spec, "ENCRYPT_DECRYPT"
        )
        meta = self.strict.create_key(
            Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage, MultiRegion=multi_region
        )["KeyMetadata"]
        key = ExternalKey(
            meta["KeyId"],
            meta["Arn"],
            spec,
            generate_key_material(spec),
            generate_key_material(spec),
            algorithm,
        )
        self.refresh_token(key)
        if imported:
            out = self.strict.import_key_material(
                KeyId=key.key_id,
                ImportToken=key.token,
                EncryptedKeyMaterial=self.wrap(key, key.material),
                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
            )
            key.material_id = out.get("KeyMaterialId")
        return key

    def refresh_token(self, key: ExternalKey) -> None:
        params = self.strict.get_parameters_for_import(
            KeyId=key.key_id, WrappingAlgorithm=key.algorithm, WrappingKeySpec="RSA_2048"
        )
        key.token, key.public_key = params["ImportToken"], params["PublicKey"]

    def wrap(self, key: ExternalKey, material: bytes, public_key: bytes | None = None) -> bytes:
        return wrap_key_material(public_key or key.public_key, material, key.algorithm)

    def key_ids(self, keys: list[ExternalKey] | None = None) -> st.SearchStrategy[str]:
        keys = self.externals if keys is None else keys
        ids = [k.key_id for k in keys] + [k.arn for k in keys]
        ids += [self.aws_kms_id, self.aws_kms_arn, "alias/fuzz-sym"]
        return st.one_of(
            st.sampled_from(ids),
            st.uuids().map(str),
            st.uuids().map(lambda u: f"mrk-{u.hex}"),
            hex64,
            st.just(f"arn:aws:kms:eu-west-1:123456789012:key/{self.sym.key_id}"),
            st.just(f"arn:aws:kms:us-east-1:000000000000:key/{self.sym.key_id}"),
            garbage_text,
        )

    def valid_to(self) -> st.SearchStrategy[Any]:
        now = self.mock.now()
        return st.one_of(
            st.none(),
            st.floats(-800, 800).map(lambda d: now + dt.timedelta(days=d)),
            st.floats(-2, 400).map(lambda d: (now + dt.timedelta(days=d)).replace(tzinfo=None)),
            st.sampled_from(
                [
                    dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc),
                    dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc),
                    dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
                    now,
                    now + dt.timedelta(days=365),
                    now + dt.timedelta(days=365, seconds=1),
                    0,
                    -1,
                    2**31,
                ]
            ),
        )


def random_wrapping() -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(
        enum_or_garbage(WRAPPING_ALGORITHMS),
        st.one_of(st.sampled_from(WRAPPING_KEY_SPECS), enum_or_garbage(WRAPPING_KEY_SPECS)),
    )


def material_variants(world: World, key: ExternalKey) -> st.SearchStrategy[tuple[str, bytes]]:
    """(kind, EncryptedKeyMaterial) for ``key``: right, other, wrong-size, tampered, foreign."""
    good = world.wrap(key, key.material)
    other_alg = OAEP[0] if key.algorithm not in OAEP or key.algorithm == OAEP[1] else OAEP[1]
    if key.algorithm in RSA_AES:
        other_alg = RSA_AES[0] if key.algorithm == RSA_AES[1] else RSA_AES[1]
    return st.one_of(
        st.just(("correct", good)),
        st.just(("other_material", world.wrap(key, key.other_material))),
        st.binary(min_size=0, max_size=100).map(
            lambda b: ("bad_size", wrap_key_material(key.public_key, b or b"x", OAEP[1]))
        ),
        st.just(("stranger", world.wrap(key, key.material, STRANGER_PUBLIC))),
        st.just(("other_algorithm", wrap_key_material(key.public_key, key.material, other_alg))),
        mutated(good),
    )

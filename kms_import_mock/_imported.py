"""One-call helpers behind ``m.create_imported_key`` and ``m.import_key_material``.

``HandleHelpers`` gives the handle (``_mock.KmsImportMock``) those two methods. They go through
the real API with a boto3 client (GetParametersForImport → wrap →
ImportKeyMaterial), so every check applies and every audit event is recorded, exactly as for
the code under test.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import _timetravel
from ._errors import KmsImportMockError
from .crypto import keyspecs
from .crypto.wrapping import generate_key_material, wrap_key_material
from .kms import clock

if TYPE_CHECKING:
    from types_boto3_kms import KMSClient

_ValidTo = _dt.datetime | _dt.timedelta | str | None

#: Algorithms tried, in order, when the caller names none (after the spec's preferred one).
_ALGORITHM_ORDER = (
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_256",
    "RSAES_OAEP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_1",
)


@dataclass(frozen=True)
class ImportedKey:
    """An EXTERNAL KMS key with its material imported; ``key_material`` never shows in ``repr``."""

    key_id: str
    arn: str
    key_material: bytes = field(repr=False)
    #: 64 hex characters for SYMMETRIC_DEFAULT keys; None for asymmetric and HMAC keys.
    key_material_id: str | None


def choose_wrapping(
    key_spec: str, wrapping_algorithm: str | None, wrapping_key_spec: str | None
) -> tuple[str, str]:
    """An allowed (algorithm, wrapping key spec) for ``key_spec``, filling what is not given.

    Prefers the spec's preferred algorithm and the smallest wrapping key (RSA_2048 key pairs are
    generated ten times faster than RSA_4096). A combination nothing allows is passed through,
    so GetParametersForImport refuses it exactly as AWS would.
    """
    preferred_algorithm, preferred_spec = keyspecs.preferred_wrapping(key_spec)
    algorithms = (
        [wrapping_algorithm]
        if wrapping_algorithm
        else [preferred_algorithm, *(a for a in _ALGORITHM_ORDER if a != preferred_algorithm)]
    )
    specs = [wrapping_key_spec] if wrapping_key_spec else list(keyspecs.RSA_WRAPPING_KEY_SPECS)
    for algorithm in algorithms:
        for spec in specs:
            if keyspecs.wrapping_allowed(key_spec, algorithm, spec):
                return algorithm, spec
    return wrapping_algorithm or preferred_algorithm, wrapping_key_spec or preferred_spec


def _expiry(valid_to: _dt.datetime | _dt.timedelta | None) -> dict[str, Any]:
    if valid_to is None:
        return {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
    if isinstance(valid_to, _dt.timedelta):
        return {"ValidTo": clock.now() + valid_to}
    if valid_to.tzinfo is None:
        valid_to = valid_to.replace(tzinfo=_dt.timezone.utc)
    return {"ValidTo": valid_to}


def import_key_material(
    kms: Any,
    key_id: str,
    key_material: bytes,
    *,
    valid_to: _dt.datetime | _dt.timedelta | None = None,
    wrapping_algorithm: str | None = None,
    wrapping_key_spec: str | None = None,
    **import_kwargs: Any,
) -> dict[str, Any]:
    """GetParametersForImport + wrap + ImportKeyMaterial; returns ImportKeyMaterial's response."""
    key_spec = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeySpec"]
    algorithm, spec = choose_wrapping(key_spec, wrapping_algorithm, wrapping_key_spec)
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec=spec
    )
    arguments = dict(import_kwargs)
    if valid_to is not None or not {"ValidTo", "ExpirationModel"} & arguments.keys():
        arguments.update(_expiry(valid_to))
    response: dict[str, Any] = kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(params["PublicKey"], key_material, algorithm),
        **arguments,
    )
    response.pop("ResponseMetadata", None)
    return response


def create_imported_key(
    kms: Any,
    key_spec: str = keyspecs.SYMMETRIC,
    *,
    key_material: bytes | None = None,
    valid_to: _dt.datetime | _dt.timedelta | None = None,
    multi_region: bool = False,
    key_usage: str | None = None,
    description: str = "",
) -> ImportedKey:
    """CreateKey(Origin=EXTERNAL) and import ``key_material`` (generated when None)."""
    create: dict[str, Any] = {
        "Origin": "EXTERNAL",
        "KeySpec": key_spec,
        "MultiRegion": multi_region,
        "Description": description,
    }
    if key_usage is not None:
        create["KeyUsage"] = key_usage
    metadata = kms.create_key(**create)["KeyMetadata"]
    material = generate_key_material(key_spec) if key_material is None else key_material
    response = import_key_material(kms, metadata["KeyId"], material, valid_to=valid_to)
    return ImportedKey(
        key_id=metadata["KeyId"],
        arn=metadata["Arn"],
        key_material=material,
        key_material_id=response.get("KeyMaterialId"),
    )


class HandleHelpers:
    """The handle's one-call key helpers; the handle supplies ``_live``, ``client`` and ``now``."""

    if TYPE_CHECKING:

        def _live(self, method: str) -> object: ...

        def client(self, region_name: str = "us-east-1", **kwargs: Any) -> KMSClient: ...

        def now(self) -> _dt.datetime: ...

    def create_imported_key(
        self,
        key_spec: str = "SYMMETRIC_DEFAULT",
        *,
        key_material: bytes | None = None,
        valid_to: _ValidTo = None,
        region_name: str = "us-east-1",
        multi_region: bool = False,
        key_usage: str | None = None,
        description: str = "",
    ) -> ImportedKey:
        """An EXTERNAL key of ``key_spec`` with key material imported, in one call.

        Goes through the real API (CreateKey, GetParametersForImport, wrap, ImportKeyMaterial),
        so every check applies and every audit event is recorded.

        Args:
            key_spec: any importable KMS key spec: ``SYMMETRIC_DEFAULT``, ``HMAC_224`` ...
                ``HMAC_512``, ``RSA_2048/3072/4096``, ``ECC_NIST_P256/P384/P521``,
                ``ECC_SECG_P256K1``.
            key_material: the plaintext material; generated with :func:`generate_key_material`
                when None.
            valid_to: a ``datetime`` (naive is UTC) or ISO 8601 string, a ``timedelta`` from
                :meth:`now`, or None for material that does not expire.
            region_name: the Region of the key.
            multi_region: create a multi-Region primary key.
            key_usage: CreateKey's ``KeyUsage``; None takes CreateKey's default for the spec
                (``ENCRYPT_DECRYPT`` for symmetric and RSA, ``GENERATE_VERIFY_MAC`` for HMAC,
                ``SIGN_VERIFY`` for ECC).
            description: CreateKey's ``Description``.

        Returns:
            The key's ID, ARN, material and (symmetric keys only) key material ID.

        Raises:
            botocore.exceptions.ClientError: AWS refuses the combination (for example a
                ``key_usage`` the spec does not allow, or material of the wrong form).
        """
        self._live("create_imported_key")
        material = None if key_material is None else _material(key_material)
        return create_imported_key(
            self.client(region_name),
            key_spec,
            key_material=material,
            valid_to=self._valid_to(valid_to),
            multi_region=multi_region,
            key_usage=key_usage,
            description=description,
        )

    def import_key_material(
        self,
        key_id: str,
        key_material: bytes,
        *,
        valid_to: _ValidTo = None,
        region_name: str = "us-east-1",
        wrapping_algorithm: str | None = None,
        wrapping_key_spec: str | None = None,
        **import_kwargs: Any,
    ) -> dict[str, Any]:
        """GetParametersForImport + wrap + ImportKeyMaterial through the real API.

        Args:
            key_id: an EXTERNAL key (key ID or ARN).
            key_material: the plaintext material (see :func:`generate_key_material`).
            valid_to: a ``datetime`` (naive is UTC) or ISO 8601 string, a ``timedelta`` from
                :meth:`now`, or None for material that does not expire (unless
                ``import_kwargs`` set the expiry).
            region_name: the Region of the key.
            wrapping_algorithm: GetParametersForImport's ``WrappingAlgorithm``; None chooses
                one the key's spec allows.
            wrapping_key_spec: GetParametersForImport's ``WrappingKeySpec``; None chooses the
                smallest the algorithm allows.
            **import_kwargs: passed to ImportKeyMaterial as they are (``ImportType=...``,
                ``KeyMaterialId=...``, ``ValidTo=...``).

        Returns:
            ImportKeyMaterial's response without ``ResponseMetadata``: ``KeyId``, and
            ``KeyMaterialId`` for symmetric keys.

        Raises:
            botocore.exceptions.ClientError: AWS would refuse the import (the key's state, the
                material, a wrapping combination the spec does not allow).
        """
        self._live("import_key_material")
        material = _material(key_material)
        return import_key_material(
            self.client(region_name),
            key_id,
            material,
            valid_to=self._valid_to(valid_to),
            wrapping_algorithm=wrapping_algorithm,
            wrapping_key_spec=wrapping_key_spec,
            **import_kwargs,
        )

    def _valid_to(self, valid_to: _ValidTo) -> _dt.datetime | None:
        # Resolved here, against this handle's (or the server's) clock.
        if valid_to is None:
            return None
        if isinstance(valid_to, _dt.timedelta):
            return self.now() + valid_to
        return _timetravel.to_when(valid_to, "valid_to")


def _material(value: object) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise KmsImportMockError(
        f"key_material must be bytes, not {type(value).__name__}; decode text first, for "
        "example bytes.fromhex(...) or base64.b64decode(...), or pass None to generate it."
    )

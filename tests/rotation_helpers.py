"""Helpers of the rotation and multi-Region tests: cheap imports, listing shortcuts."""

from __future__ import annotations

from typing import Any

from kms_import_mock import wrap_key_material
from kms_import_mock.kms import clock as _clock
from tests.helpers import import_material

SYM = "SYMMETRIC_DEFAULT"
NEW = "NEW_KEY_MATERIAL"
EXISTING = "EXISTING_KEY_MATERIAL"
DOES_NOT_EXPIRE = "KEY_MATERIAL_DOES_NOT_EXPIRE"
EXPIRES = "KEY_MATERIAL_EXPIRES"

_PARAMS: dict[tuple[str, str], dict[str, Any]] = {}


def imp(kms: Any, key_id: str, material: bytes, **kwargs: Any) -> dict[str, Any]:
    """Import with an RSA_2048 wrapping key, reusing one token per key and Region (a token
    stays usable until its ParametersValidTo, spec §13): a test pays for no extra wrapping keys."""
    spec = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeySpec"]
    if spec != SYM:
        return import_material(kms, key_id, material, wrapping_key_spec="RSA_2048", **kwargs)
    cache_key = (kms.meta.region_name, key_id)
    cached = _PARAMS.get(cache_key)
    if cached is None or cached["ParametersValidTo"] <= _clock.now():
        _PARAMS[cache_key] = kms.get_parameters_for_import(
            KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
        )
    params = _PARAMS[cache_key]
    if "ValidTo" not in kwargs and "ExpirationModel" not in kwargs:
        kwargs["ExpirationModel"] = DOES_NOT_EXPIRE
    result: dict[str, Any] = kms.import_key_material(
        KeyId=key_id,
        ImportToken=params["ImportToken"],
        EncryptedKeyMaterial=wrap_key_material(params["PublicKey"], material, "RSAES_OAEP_SHA_256"),
        **kwargs,
    )
    return result


def forget_tokens() -> None:
    _PARAMS.clear()


def metadata(kms: Any, key_id: str) -> dict[str, Any]:
    result: dict[str, Any] = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    return result


def rotations(kms: Any, key_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = kms.list_key_rotations(KeyId=key_id, **kwargs)["Rotations"]
    return result


def all_materials(kms: Any, key_id: str) -> list[dict[str, Any]]:
    return rotations(kms, key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")


def material_states(kms: Any, key_id: str) -> list[tuple[str, str, str]]:
    """(KeyMaterialId, KeyMaterialState, ImportState) of every material, oldest first."""
    return [
        (e["KeyMaterialId"], e["KeyMaterialState"], e["ImportState"])
        for e in all_materials(kms, key_id)
    ]

"""The HTTP face of the import operations: parse → call the backend → serialise.

A subclass of moto's ``KmsResponse``: moto's ``call_action`` finds actions by snake_case method
name, so the three import operations need no registration. Every request first runs the backend's
lazy expiry check, so any call that reads a key sees material past ``ValidTo`` as gone.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.kms.responses import KmsResponse

from . import _keyspecs, _rotation
from ._backend import ImportKmsBackend
from ._errors import InvalidMarkerException, UnsupportedOperationException
from ._params import Params

_MATERIAL_ID: dict[str, Any] = {"min_len": 64, "max_len": 64, "pattern": r"^[a-f0-9]+$"}
_KEY_ID: dict[str, Any] = {"min_len": 1, "max_len": 2048}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class ImportKmsResponse(KmsResponse):
    @property
    def kms_backend(self) -> ImportKmsBackend:
        backend = super().kms_backend
        assert isinstance(backend, ImportKmsBackend)
        return backend

    def call_action(self) -> TYPE_RESPONSE:
        self.kms_backend.sweep()
        return super().call_action()

    def _with_import_metadata(self, metadata: dict[str, Any]) -> dict[str, Any]:
        metadata.update(self.kms_backend.import_metadata(metadata["KeyId"]))
        return metadata

    def create_key(self) -> str:
        result = json.loads(super().create_key())
        self._with_import_metadata(result["KeyMetadata"])
        return json.dumps(result)

    def describe_key(self) -> str:
        result = json.loads(super().describe_key())
        self._with_import_metadata(result["KeyMetadata"])
        return json.dumps(result)

    def get_parameters_for_import(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html"""
        params = Params(self.body)
        key_id = params.required_string("KeyId", **_KEY_ID)
        algorithm = params.required_string("WrappingAlgorithm", enum=_keyspecs.WRAPPING_ALGORITHMS)
        wrapping_key_spec = params.required_string(
            "WrappingKeySpec", enum=_keyspecs.WRAPPING_KEY_SPECS
        )
        key, token, public_key, valid_to = self.kms_backend.get_parameters_for_import(
            key_id, algorithm, wrapping_key_spec
        )
        return json.dumps(
            {
                "KeyId": key.arn,
                "ImportToken": _b64(token),
                "PublicKey": _b64(public_key),
                "ParametersValidTo": valid_to.timestamp(),
            }
        )

    def import_key_material(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html"""
        params = Params(self.body)
        key_id = params.required_string("KeyId", **_KEY_ID)
        token = params.blob("ImportToken")
        blob = params.blob("EncryptedKeyMaterial")
        valid_to = params.timestamp("ValidTo")
        model = params.string(
            "ExpirationModel", enum=("KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE")
        )
        import_type = params.string(
            "ImportType", enum=("NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL")
        )
        description = params.string(
            "KeyMaterialDescription", max_len=256, pattern=r"^[a-zA-Z0-9:/_\s.-]+$"
        )
        material_id = params.string("KeyMaterialId", **_MATERIAL_ID)
        key, record = self.kms_backend.import_key_material(
            key_id,
            token,
            blob,
            valid_to=valid_to,
            expiration_model=model,
            import_type=import_type,
            key_material_id=material_id,
            key_material_description=description,
        )
        response: dict[str, Any] = {"KeyId": key.arn}
        if key.key_spec == _keyspecs.SYMMETRIC:
            response["KeyMaterialId"] = record.material_id
        return json.dumps(response)

    def delete_imported_key_material(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html"""
        params = Params(self.body)
        key_id = params.required_string("KeyId", **_KEY_ID)
        material_id = params.string("KeyMaterialId", **_MATERIAL_ID)
        key, deleted = self.kms_backend.delete_imported_key_material(key_id, material_id)
        response: dict[str, Any] = {"KeyId": key.arn}
        if deleted is not None and key.key_spec == _keyspecs.SYMMETRIC:
            response["KeyMaterialId"] = deleted
        return json.dumps(response)

    # -- rotation and multi-Region -------------------------------------------------------------

    def list_key_rotations(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html

        EXTERNAL symmetric keys list their key materials (spec §9); other keys keep moto's
        listing, with AWS's parameter validation and default Limit.
        """
        params = Params(self.body)
        key_id = params.required_string("KeyId", **_KEY_ID)
        include = params.string("IncludeKeyMaterial", enum=("ALL_KEY_MATERIAL", "ROTATIONS_ONLY"))
        limit = params.integer("Limit", min_value=1, max_value=1000) or _rotation.DEFAULT_LIMIT
        marker = params.string("Marker", min_len=1, max_len=1024, pattern=r"[\u0020-\u00FF]*")
        self._validate_key_id(key_id)
        backend = self.kms_backend
        key = backend.external_key(key_id)
        if key is None or key.key_spec != _keyspecs.SYMMETRIC:
            if key is not None and include is not None:
                raise UnsupportedOperationException(
                    f"IncludeKeyMaterial is only valid for keys that support rotation; "
                    f"{key.arn} is a {key.key_spec} key."
                )
            rotations, next_marker = backend.list_key_rotations(
                key_id=key_id, limit=limit, next_marker=marker
            )
            return json.dumps(self._rotations_page(rotations, next_marker))
        entries = backend.key_material_entries(key, include == "ALL_KEY_MATERIAL")
        paged = _rotation.page(entries, limit, marker)
        if paged is None:
            raise InvalidMarkerException(
                f"The marker {marker} is not one that ListKeyRotations returned for {key.arn}; "
                "pass the NextMarker of the previous response."
            )
        return json.dumps(self._rotations_page(*paged))

    @staticmethod
    def _rotations_page(rotations: Any, next_marker: str | None) -> dict[str, Any]:
        response: dict[str, Any] = {"Rotations": rotations, "Truncated": next_marker is not None}
        if next_marker is not None:
            response["NextMarker"] = next_marker
        return response

    def replicate_key(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html

        For an EXTERNAL primary the replica is created at once, in PendingImport; the response
        shows the transient ``Creating`` state AWS returns (DescribeKey already shows
        PendingImport). Other keys keep moto's behaviour.
        """
        params = Params(self.body)
        key_id = params.required_string("KeyId", **_KEY_ID)
        self._validate_key_id(key_id)
        if self.kms_backend.external_key(key_id) is None:
            return super().replicate_key()
        region = params.required_string(
            "ReplicaRegion", min_len=1, max_len=32, pattern=r"^([a-z]+-){2,3}\d+$"
        )
        description = params.string("Description", max_len=8192) or ""
        policy = params.string("Policy", min_len=1, max_len=131072)
        tags = self._get_param("Tags")
        replica = self.kms_backend.replicate_key(
            key_id, region, description=description, policy=policy, tags=tags
        )
        metadata = replica.to_dict()["KeyMetadata"]
        metadata.update(KeyState="Creating", Enabled=False)
        return json.dumps(
            {
                "ReplicaKeyMetadata": metadata,
                "ReplicaPolicy": replica.policy,
                "ReplicaTags": tags or [],
            }
        )

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

from . import _keyspecs, _shapes
from ._backend import ImportKmsBackend
from ._errors import AwsError, SerializationException
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

    def setup_class(
        self, request: Any, full_url: Any = None, headers: Any = None, use_raw_body: Any = None
    ) -> None:
        self._undecodable = False
        try:
            super().setup_class(request, full_url, headers, use_raw_body)
        except UnicodeDecodeError:
            # moto decodes every body as UTF-8 and would answer HTTP 500.
            self._undecodable = True
            super().setup_class(request, full_url, headers, use_raw_body=True)
        if not self.body:
            # An empty body means no parameters (moto's own ListKeys test sends one); moto's
            # actions json.loads() it, so give them the empty object.
            self.body = "{}"

    def call_action(self) -> TYPE_RESPONSE:
        self.kms_backend.sweep()
        try:
            if getattr(self, "_undecodable", False):
                raise SerializationException("Start of structure or map found where not expected.")
            _shapes.check_request(self._get_action(), self.body)
        except AwsError as err:
            # Refused before any action runs, serialised as moto serialises action errors.
            extra = {**dict(err.get_headers()), "status": err.code}
            status, headers, body = self._transform_response(
                self.response_headers, (err.description, extra)
            )
            return (status, *self._enrich_response(headers, body))
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

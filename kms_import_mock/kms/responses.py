"""The HTTP face of the import operations: parse → call the backend → serialise.

A subclass of moto's ``KmsResponse``: moto's ``call_action`` finds actions by snake_case method
name, so the three import operations need no registration. Every request first runs the backend's
lazy expiry check, so any call that reads a key sees material past ``ValidTo`` as gone.
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.core.utils import camelcase_to_underscores
from moto.kms.responses import KmsResponse

from kms_import_mock.crypto import keyspecs

from . import call_log, dry_run, events, shapes, validation
from . import rotation as _rotation
from .aliases import DEFAULT_LIST_LIMIT
from .backend import ImportKmsBackend
from .crypto_responses import KEY_ID as _KEY_ID
from .crypto_responses import CryptoResponses
from .crypto_responses import b64 as _b64
from .errors import (
    AwsError,
    InvalidMarkerException,
    SerializationException,
    UnknownOperationException,
    UnsupportedOperationException,
    ValidationException,
)
from .params import Params, parse_body
from .request_body import UndecodableBodyTolerant

_MATERIAL_ID: dict[str, Any] = {"min_len": 64, "max_len": 64, "pattern": r"^[a-f0-9]+$"}
#: Request members that name a KMS key (KeyIdType in botocore's model).
_KEY_MEMBERS = ("KeyId", "SourceKeyId", "DestinationKeyId", "TargetKeyId")


@functools.cache
def _operations() -> tuple[str, frozenset[str]]:
    model = shapes.service_model("kms")
    return f"{model.metadata['targetPrefix']}.", frozenset(model.operation_names)


#: An operation's method name; only the model's operation names get here, so it stays small.
_method_name = functools.cache(camelcase_to_underscores)


def _operation_for_target(target: str | None) -> str:
    """The KMS operation an ``X-Amz-Target`` header names, as botocore's model lists them.

    moto takes whatever follows the last dot and calls the method of that snake_case name, so
    ``TrentService.import_key_material`` (skipping every check) and ``TrentService.__init__``
    would run; only the model's operation names are operations, as in AWS.
    """
    prefix, operations = _operations()
    name = target[len(prefix) :] if target and target.startswith(prefix) else None
    if name not in operations:
        raise UnknownOperationException(
            f"{target or 'A missing X-Amz-Target'} names no KMS operation; send "
            f"X-Amz-Target: {prefix}<Operation>, for example {prefix}DescribeKey."
        )
    return name


class ImportKmsResponse(UndecodableBodyTolerant, CryptoResponses, KmsResponse):
    """moto's KMS Response with the import operations; the crypto actions come from
    ``CryptoResponses``."""

    @property
    def kms_backend(self) -> ImportKmsBackend:
        # moto's lookup goes through BackendDict.__getitem__, which scans the list of every
        # service's BackendDict (~tens of µs); moto's actions and our call_action ask for the
        # backend several times per request. moto makes one Response per request, so remember
        # it for this request's account and Region (found by profiling the B3 benchmark).
        where = (self.current_account, self.region)
        cached: tuple[tuple[str, str], ImportKmsBackend] | None = self.__dict__.get("_kms_backend")
        if cached is not None and cached[0] == where:
            return cached[1]
        backend = super().kms_backend
        assert isinstance(backend, ImportKmsBackend)
        self.__dict__["_kms_backend"] = (where, backend)
        return backend

    def setup_class(
        self, request: Any, full_url: Any = None, headers: Any = None, use_raw_body: Any = None
    ) -> None:
        super().setup_class(request, full_url, headers, use_raw_body)
        if not self.body:
            # An empty body means no parameters (moto's own ListKeys test sends one); moto's
            # actions json.loads() it, so give them the empty object.
            self.body = "{}"

    def call_action(self) -> TYPE_RESPONSE:
        self.kms_backend.sweep()
        action = None
        try:
            target = self.headers.get("X-Amz-Target") or self.headers.get("x-amz-target")
            action = _operation_for_target(target)
            if not hasattr(self, _method_name(action)):
                # In botocore's model, but neither moto nor the mock serves it: moto raised
                # NotImplementedError (HTTP 500).
                raise UnsupportedOperationException(
                    f"{action} is an AWS KMS operation that kms-import-mock does not implement."
                )
            if self._undecodable:
                raise SerializationException("Start of structure or map found where not expected.")
            # Parsed once here: moto's ``_get_param`` re-parsed the body for every parameter.
            self._json = parse_body(self.body)
            shapes.check_request(action, self._json)
            validation.check(action, self._json)
            self._refuse_foreign_keys()
            if dry_run.requested(action, self._json):
                dry_run.arm(self, action)
        except AwsError as err:
            # Refused before any action runs, serialised as moto serialises action errors.
            extra = {**dict(err.get_headers()), "status": err.code}
            status, headers, body = self._transform_response(
                self.response_headers, (err.description, extra)
            )
            headers, body = self._enrich_response(headers, body)
            if action is not None:
                self._audit(action, status, headers, body)
            return status, headers, body
        status, headers, body = super().call_action()
        self._audit(action, status, headers, body)
        return status, headers, body

    def _audit(self, action: str, status: int | str, headers: dict[str, str], body: Any) -> None:
        """Every answered call reaches CloudTrail; the import-lifecycle ones, when they
        succeed, with their response elements."""
        if int(status) == 200 and action in events.API_ACTIONS:
            self._record_event(action, headers, body)
            return
        caller = (
            # The header itself: the access key id is taken from it when the record is read.
            str(self.headers.get("Authorization") or "AKIAEXAMPLE"),
            str(self.headers.get("User-Agent", "")),
            str(getattr(self.normalized_request, "remote_addr", None) or "127.0.0.1"),
        )
        request = self.__dict__.get("_json") or {}
        call_log.record(self.kms_backend, action, request, int(status), headers, body, caller)

    def _refuse_foreign_keys(self) -> None:
        """A key or alias ARN of another Region or account names no key here (moto strips any
        ARN to its key ID and served the local key): every KeyId-like member is checked."""
        for member in _KEY_MEMBERS:
            value = self._json.get(member)
            if isinstance(value, str):
                self.kms_backend.refuse_foreign_arn(value)

    def _params(self) -> Params:
        return Params(self._json)

    def _get_param(self, param_name: str, if_none: Any = None) -> Any:
        """moto's accessor, served from the body parsed once per request.

        Same results as moto's (blobs base64-decoded); containers are copied, since moto's
        version handed out a fresh object on every call (moto never mutates nested values).
        """
        decoded: dict[str, Any] | None = self.__dict__.get("_decoded")
        if decoded is None:
            if "_json" not in self.__dict__:  # outside call_action: moto's own way
                return super()._get_param(param_name, if_none)
            decoded = dict(self._json)
            for blob in ("Plaintext", "CiphertextBlob", "Message"):
                if blob in decoded:
                    decoded[blob] = base64.b64decode(decoded[blob].encode("utf-8"))
            self.__dict__["_decoded"] = decoded
        value = decoded.get(param_name, if_none)
        return value.copy() if isinstance(value, (dict, list)) else value

    def _record_event(self, action: str, headers: dict[str, str], body: str | bytes) -> None:
        """Record a successful import-lifecycle call; a refused one leaves no record."""
        try:
            response = json.loads(body or "{}")
        except ValueError:
            return
        request = self._json
        caller = events.Caller(
            access_key_id=self.get_access_key(),
            user_agent=str(self.headers.get("User-Agent", "")),
            source_ip=str(getattr(self.normalized_request, "remote_addr", None) or "127.0.0.1"),
            request_id=str(headers.get("x-amzn-requestid", "")),
        )
        events.record_api_call(self.kms_backend, action, request, response, caller)

    def get_key_last_usage(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html

        The mock tracks every key from its creation, so TrackingStartDate is KeyCreationDate."""
        key_id = self._params().required_string("KeyId", **_KEY_ID)
        backend = self.kms_backend
        key = backend._key_by_id_or_arn(key_id)
        created = float(key.creation_date)
        return json.dumps(
            {
                "KeyId": key.id,
                "KeyLastUsage": events.last_usage(backend, key),
                "TrackingStartDate": created,
                "KeyCreationDate": created,
            }
        )

    # -- key checks moto's grant actions lack: an unknown key is NotFoundException, not a 500 --

    def create_grant(self) -> str:
        self._validate_cmk_id(self._get_param("KeyId"))
        return str(super().create_grant())

    def list_grants(self) -> str:
        self._validate_cmk_id(self._get_param("KeyId"))
        return str(super().list_grants())

    def revoke_grant(self) -> str:
        self._validate_cmk_id(self._get_param("KeyId"))
        return str(super().revoke_grant())

    def retire_grant(self) -> str:
        key_id = self._get_param("KeyId")
        if key_id is not None:
            self._validate_cmk_id(key_id)
        elif self._get_param("GrantToken") is None:
            raise ValidationException(
                "RetireGrant needs either a GrantToken, or a KeyId together with a GrantId."
            )
        return str(super().retire_grant())

    def _with_import_metadata(self, metadata: dict[str, Any]) -> dict[str, Any]:
        backend = self.kms_backend
        metadata.update(backend.import_metadata(metadata["KeyId"]))
        key = backend.keys.get(metadata["KeyId"])
        if key is not None:
            # Fields moto lacks for keys of every origin.
            current = backend.current_material_id(key)
            if current is not None:
                metadata["CurrentKeyMaterialId"] = current
            if key.key_state == "PendingReplicaDeletion":
                metadata["PendingDeletionWindowInDays"] = backend.deletion_windows.get(key.id, 30)
        # moto keeps KeyUsage and MultiRegion as None when CreateKey omitted them (so boto3
        # showed neither), and lists algorithms by key spec alone (RSAES_OAEP_* for an HMAC or
        # RSA signing key, an empty SigningAlgorithms for a symmetric key): show what real KMS
        # shows (recorded DescribeKey of an AWS_KMS key: KeyUsage, MultiRegion, one list).
        metadata["KeyUsage"] = metadata.get("KeyUsage") or "ENCRYPT_DECRYPT"
        metadata["MultiRegion"] = bool(metadata.get("MultiRegion"))
        for name in keyspecs.ALGORITHM_FIELDS:
            metadata.pop(name, None)
        metadata.update(keyspecs.algorithm_fields(metadata["KeySpec"], metadata["KeyUsage"]))
        return metadata

    # CreateKey and DescribeKey are moto's actions line for line, except that the metadata
    # is completed as a dict before it is serialised once (moto's JSON, parsed and written
    # again, was a tenth of an ordinary request's server time).

    def create_key(self) -> str:
        param = self._get_param
        key = self.kms_backend.create_key(
            param("Policy"),
            param("KeyUsage"),
            param("KeySpec") or param("CustomerMasterKeySpec"),
            param("Description"),
            param("Tags"),
            param("MultiRegion"),
            param("Origin") or "AWS_KMS",
        )
        result = key.to_dict()
        self._with_import_metadata(result["KeyMetadata"])
        return json.dumps(result)

    def describe_key(self) -> str:
        key_id = self._get_param("KeyId")
        self._validate_key_id(key_id)
        self._validate_key_policy(key_id, "kms:DescribeKey")
        backend = self.kms_backend
        # KeyState (moto's part) and ExpirationModel/ValidTo (ours) from one moment, not from
        # either side of a parallel import or delete.
        with backend.lock:
            result = backend.describe_key(backend.get_key_id(key_id)).to_dict()
            self._with_import_metadata(result["KeyMetadata"])
        return json.dumps(result)

    def schedule_key_deletion(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html

        AWS's response: the key ARN, KeyState and PendingWindowInDays (moto echoed the KeyId as
        given and omitted both); no DeletionDate while the key waits for its replicas."""
        key_id = self._get_param("KeyId")
        window = self._get_param("PendingWindowInDays")
        window = 30 if window is None else window
        self._validate_cmk_id(key_id)
        deletion_date = self.kms_backend.schedule_key_deletion(key_id, window)
        key = self.kms_backend.keys[self.kms_backend.get_key_id(key_id)]
        response: dict[str, Any] = {"KeyId": key.arn}
        if key.key_state == "PendingDeletion":
            response["DeletionDate"] = deletion_date
        response.update(KeyState=key.key_state, PendingWindowInDays=window)
        return json.dumps(response)

    def get_parameters_for_import(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html"""
        params = self._params()
        key_id = params.required_string("KeyId", **_KEY_ID)
        algorithm = params.required_string("WrappingAlgorithm", enum=keyspecs.WRAPPING_ALGORITHMS)
        wrapping_key_spec = params.required_string(
            "WrappingKeySpec", enum=keyspecs.WRAPPING_KEY_SPECS
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
        params = self._params()
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
        if key.key_spec == keyspecs.SYMMETRIC:
            response["KeyMaterialId"] = record.material_id
        return json.dumps(response)

    def delete_imported_key_material(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html"""
        params = self._params()
        key_id = params.required_string("KeyId", **_KEY_ID)
        material_id = params.string("KeyMaterialId", **_MATERIAL_ID)
        key, deleted = self.kms_backend.delete_imported_key_material(key_id, material_id)
        response: dict[str, Any] = {"KeyId": key.arn}
        if deleted is not None and key.key_spec == keyspecs.SYMMETRIC:
            response["KeyMaterialId"] = deleted
        return json.dumps(response)

    # -- rotation and multi-Region -------------------------------------------------------------

    def enable_key_rotation(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html

        moto ignored ``RotationPeriodInDays`` (the model's range, 90 to 2560, is checked with
        every request's constraints)."""
        key_id = self._get_param("KeyId")
        self._validate_cmk_id(key_id)
        self.kms_backend.enable_key_rotation(key_id, self._get_param("RotationPeriodInDays"))
        return json.dumps(None)

    def get_key_rotation_status(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html

        AWS's answer: the key ARN, and while rotation is on its ``RotationPeriodInDays`` and
        ``NextRotationDate`` (moto answered ``KeyRotationEnabled`` alone)."""
        key_id = self._get_param("KeyId")
        self._validate_cmk_id(key_id)
        backend = self.kms_backend
        enabled = backend.get_key_rotation_status(key_id)
        key = backend.keys[backend.get_key_id(key_id)]
        response: dict[str, Any] = {"KeyId": key.arn, "KeyRotationEnabled": enabled}
        schedule = backend.rotation_schedule(key) if enabled else None
        if schedule is not None:
            response["RotationPeriodInDays"], response["NextRotationDate"] = schedule
        return json.dumps(response)

    def list_key_rotations(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html

        EXTERNAL symmetric keys list their key materials; other keys keep moto's
        listing, with AWS's parameter validation and default Limit.
        """
        params = self._params()
        key_id = params.required_string("KeyId", **_KEY_ID)
        include = params.string("IncludeKeyMaterial", enum=("ALL_KEY_MATERIAL", "ROTATIONS_ONLY"))
        limit = params.integer("Limit", min_value=1, max_value=1000) or _rotation.DEFAULT_LIMIT
        marker = params.string("Marker", min_len=1, max_len=1024, pattern=r"[\u0020-\u00FF]*")
        self._validate_key_id(key_id)
        backend = self.kms_backend
        key = backend.external_key(key_id)
        if key is None or key.key_spec != keyspecs.SYMMETRIC:
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

    def list_keys(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html

        Pages of ``Limit`` keys (default 100, as AWS) in creation order, each found without
        walking the keys before it; moto returned every key at once.
        """
        params = self._params()
        limit = params.integer("Limit", min_value=1, max_value=1000) or DEFAULT_LIST_LIMIT
        marker = params.string("Marker", min_len=1, max_len=1024, pattern=r"[\u0020-\u00FF]*")
        try:
            keys, next_marker = self.kms_backend.list_keys_page(limit, marker)
        except ValueError:
            raise InvalidMarkerException(
                f"The marker {marker} is not one that ListKeys returned in this Region; "
                "pass the NextMarker of the previous response."
            ) from None
        return json.dumps(
            {
                "Keys": [{"KeyArn": key.arn, "KeyId": key.id} for key in keys],
                "NextMarker": next_marker,
                "Truncated": next_marker is not None,
            }
        )

    def replicate_key(self) -> str:
        """https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html

        For an EXTERNAL primary the replica is created at once, in PendingImport; the response
        shows the transient ``Creating`` state AWS returns (DescribeKey already shows
        PendingImport). Other keys keep moto's behaviour.
        """
        params = self._params()
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

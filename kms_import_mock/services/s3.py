"""Amazon S3 SSE-KMS follows the KMS key: a data key per object, asked back on every read.

Where S3 needs a data key: PutObject (also a browser POST upload), the destination of CopyObject,
and CreateMultipartUpload (the upload's data key becomes the object's on completion), each with
the encryption context ``aws:s3:arn`` = ``arn:aws:s3:::bucket/key``. The key is the request's
``SSEKMSKeyId`` or the bucket's default encryption, and ``alias/aws/s3`` when neither names one.
Where it needs it back: GetObject (ranged and part gets too), SelectObjectContent (S3 reads
the object to run the query), the source of CopyObject and UploadPartCopy, UploadPart and
CompleteMultipartUpload (S3 decrypts the upload's data key to encrypt and assemble parts).
HeadObject reads metadata only and makes no KMS call (a project
decision; AWS is silent). How a refusal looks: HTTP 400 in S3's XML error shape, the KMS code
prefixed ``KMS.`` (``KMS.DisabledException``, ``KMS.KMSInvalidStateException``,
``KMS.NotFoundException``) with KMS's message, as recorded against AWS.

moto keeps the object's bytes as today; the encrypted data key rides on moto's ``FakeKey`` (and
``FakeMultipart``) as one extra attribute, and ``SSEKMSKeyId`` is stored as the key's ARN, as S3
answers it. S3 Bucket Keys (``BucketKeyEnabled``) take the ordinary path: a data key per object
with the object's ARN as context (a project decision; real S3 calls KMS less often then).
"""

from __future__ import annotations

import contextvars
import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kms_import_mock.services import envelope, s3_notifications
from kms_import_mock.services.patching import Patches

PRINCIPAL = "s3.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/s3"
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
#: The attribute of moto's FakeKey / FakeMultipart that holds the :class:`envelope.Sealed`.
SEALED = "kms_import_sealed"

#: The upload's data key while CompleteMultipartUpload stores the object (no new data key then).
_completing: contextvars.ContextVar[envelope.Sealed | None] = contextvars.ContextVar(
    "kms_import_s3_completing", default=None
)


def install(patches: Patches) -> None:
    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response

    for owner, name, wrap in (
        (S3Backend, "put_object", _put_object),
        (S3Backend, "copy_object", _copy_object),
        (S3Backend, "create_multipart_upload", _create_multipart_upload),
        (S3Backend, "upload_part", _upload_part),
        (S3Backend, "upload_part_copy", _upload_part_copy),
        (S3Backend, "complete_multipart_upload", _complete_multipart_upload),
        (S3Backend, "select_object_content", _select_object_content),
        (S3Response, "get_object", _get_object),
        (S3Response, "_key_response_post", _key_response_post),
    ):
        patches.set(owner, name, wrap(patches.original(owner, name)))
    s3_notifications.install(patches)


# -- how a refusal looks -------------------------------------------------------------------


@contextmanager
def _as_s3_error() -> Iterator[None]:
    from moto.s3.exceptions import S3ClientError

    try:
        yield
    except envelope.KmsRefusal as refusal:
        raise S3ClientError(f"KMS.{refusal.code}", refusal.message) from None


# -- where S3 needs a data key -------------------------------------------------------------


def _context(bucket: Any, key: str) -> dict[str, str]:
    return {"aws:s3:arn": f"arn:{bucket.partition}:s3:::{bucket.name}/{key}"}


def _effective(backend: Any, bucket_name: str, encryption: Any, kms_key_id: Any) -> tuple[Any, Any]:
    """The request's SSE settings, completed from the bucket's default encryption as moto does."""
    default = (backend.get_bucket(bucket_name).encryption or {}).get("Rule", {})
    by_default = default.get("ApplyServerSideEncryptionByDefault", {})
    return encryption or by_default.get("SSEAlgorithm"), kms_key_id or by_default.get(
        "KMSMasterKeyID"
    )


def _seal(backend: Any, bucket_name: str, key: str, kms_key_id: str | None) -> envelope.Sealed:
    # S3's backend is one per partition; the KMS key lives in the bucket's Region.
    bucket = backend.get_bucket(bucket_name)
    with _as_s3_error():
        return envelope.seal_data_key(
            backend.account_id,
            bucket.region_name,
            kms_key_id,
            _context(bucket, key),
            PRINCIPAL,
            default_alias=DEFAULT_ALIAS,
        )


def _put_object(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def put_object(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = signature.bind(self, *args, **kwargs)
        arguments = call.arguments
        encryption, kms_key_id = _effective(
            self, arguments["bucket_name"], arguments.get("encryption"), arguments.get("kms_key_id")
        )
        if encryption not in KMS_ALGORITHMS:
            return original(*call.args, **call.kwargs)
        # Before moto stores anything: a refused write leaves the bucket as it was.
        sealed = _completing.get() or _seal(
            self, arguments["bucket_name"], arguments["key_name"], kms_key_id
        )
        arguments["encryption"], arguments["kms_key_id"] = encryption, sealed.key_arn
        new_key = original(*call.args, **call.kwargs)
        setattr(new_key, SEALED, sealed)
        return new_key

    return put_object


def _create_multipart_upload(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_multipart_upload(
        self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        call = inspect.signature(original).bind(self, bucket_name, key_name, *args, **kwargs)
        arguments = call.arguments
        encryption, kms_key_id = _effective(
            self, bucket_name, arguments.get("sse_encryption"), arguments.get("kms_key_id")
        )
        if encryption not in KMS_ALGORITHMS:
            return original(*call.args, **call.kwargs)
        sealed = _seal(self, bucket_name, key_name, kms_key_id)
        arguments["sse_encryption"], arguments["kms_key_id"] = encryption, sealed.key_arn
        multipart = original(*call.args, **call.kwargs)
        setattr(multipart, SEALED, sealed)
        return multipart

    return create_multipart_upload


def _copy_object(original: Callable[..., Any]) -> Callable[..., Any]:
    def copy_object(self: Any, src_key: Any, *args: Any, **kwargs: Any) -> Any:
        _open(src_key)  # the source read; the destination write is put_object's
        return original(self, src_key, *args, **kwargs)

    return copy_object


# -- where S3 needs it back ----------------------------------------------------------------


def _open(resource: Any) -> None:
    sealed = getattr(resource, SEALED, None)
    if isinstance(sealed, envelope.Sealed):
        with _as_s3_error():
            envelope.unseal(sealed, PRINCIPAL)


def _upload(backend: Any, bucket_name: str, multipart_id: str) -> Any:
    try:
        return backend.get_bucket(bucket_name).multiparts.get(multipart_id)
    except Exception:  # noqa: BLE001 - moto's own call reports the missing bucket or upload
        return None


def _upload_part(original: Callable[..., Any]) -> Callable[..., Any]:
    def upload_part(
        self: Any, bucket_name: str, multipart_id: str, *args: Any, **kwargs: Any
    ) -> Any:
        _open(_upload(self, bucket_name, multipart_id))
        return original(self, bucket_name, multipart_id, *args, **kwargs)

    return upload_part


def _upload_part_copy(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def upload_part_copy(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = signature.bind(self, *args, **kwargs)
        arguments = call.arguments
        _open(_upload(self, arguments["dest_bucket_name"], arguments["multipart_id"]))
        _open(
            _stored_key(
                self,
                arguments["src_bucket_name"],
                arguments["src_key_name"],
                arguments.get("src_version_id"),
            )
        )
        return original(*call.args, **call.kwargs)

    return upload_part_copy


def _complete_multipart_upload(original: Callable[..., Any]) -> Callable[..., Any]:
    def complete_multipart_upload(
        self: Any, bucket_name: str, multipart_id: str, *args: Any, **kwargs: Any
    ) -> Any:
        multipart = _upload(self, bucket_name, multipart_id)
        _open(multipart)
        sealed = getattr(multipart, SEALED, None)
        token = _completing.set(sealed if isinstance(sealed, envelope.Sealed) else None)
        try:
            return original(self, bucket_name, multipart_id, *args, **kwargs)
        finally:
            _completing.reset(token)

    return complete_multipart_upload


def _stored_key(backend: Any, bucket_name: str, key_name: str, version_id: str | None) -> Any:
    """The object a read will serve, looked up without moto's ``get_object`` side effects
    (it advances a restore's state); None where moto will answer NoSuchKey or similar."""
    from moto.s3.models import FakeKey

    try:
        bucket = backend.get_bucket(bucket_name)
    except Exception:  # noqa: BLE001 - moto's own call reports the missing bucket
        return None
    if version_id is None:
        found = bucket.keys.get(key_name)
    else:
        versions = bucket.keys.getlist(key_name, [])
        found = next((k for k in versions if str(k.version_id) == str(version_id)), None)
    return found if isinstance(found, FakeKey) else None


def _get_object(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_object(self: Any) -> Any:
        version_id = self.querystring.get("versionId", [None])[0]
        key = _stored_key(self.backend, self.bucket_name, self.parse_key_name(), version_id)
        response = original(self)
        # Only a response that serves the bytes needs the data key: moto's own answers
        # (NoSuchKey, 304 Not Modified, a failed precondition) come first, as on AWS.
        if response[0] in (200, 206):
            _open(key)
        return response

    return get_object


def _select_object_content(original: Callable[..., Any]) -> Callable[..., Any]:
    """S3 Select reads the object's bytes, so it needs the data key as GetObject does; a
    missing bucket or object is moto's own answer first."""

    def select_object_content(
        self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        _open(_stored_key(self, bucket_name, key_name, None))
        return original(self, bucket_name, key_name, *args, **kwargs)

    return select_object_content


def _key_response_post(original: Callable[..., Any]) -> Callable[..., Any]:
    """CreateMultipartUpload answers with the upload's key ARN, as S3 does (moto echoes the
    request's headers, and none when the bucket's default encryption chose the key)."""

    def key_response_post(
        self: Any, request: Any, body: bytes, bucket_name: str, query: Any, key_name: str
    ) -> Any:
        status, headers, content = original(self, request, body, bucket_name, query, key_name)
        found = re.search(rb"<UploadId>([^<]+)</UploadId>", _bytes(content))
        if "uploads" in query and status == 200 and found:
            multipart = _upload(self.backend, bucket_name, found.group(1).decode())
            if isinstance(getattr(multipart, SEALED, None), envelope.Sealed):
                headers["x-amz-server-side-encryption"] = multipart.sse_encryption
                headers["x-amz-server-side-encryption-aws-kms-key-id"] = multipart.kms_key_id
        return status, headers, content

    return key_response_post


def _bytes(content: Any) -> bytes:
    return content if isinstance(content, bytes) else str(content).encode()

"""Amazon Kinesis Data Streams server-side encryption (StartStreamEncryption, ``KMS``).

Where Kinesis needs a data key: StartStreamEncryption checks the key and gets the stream's first
data key; PutRecord and PutRecords of a stream encrypted under a KMS key (key ID, key ARN, alias
name or alias ARN; ``alias/aws/kinesis`` is the AWS managed key) call GenerateDataKey with the
context ``{"aws:kinesis:arn": <stream ARN>}``; GetRecords calls Decrypt of the data key of the
records it returns. A data key is reused for five minutes on the mock's clock, but the key's
state is checked on every call, so a disabled key, a key pending deletion or one without its
material refuses the call at once: Kinesis's own ``KMSDisabledException``,
``KMSInvalidStateException``, ``KMSNotFoundException``, ``KMSAccessDeniedException``, ...
(botocore's Kinesis model, JSON protocol: the wire code is the shape name), HTTP 400, KMS's
reason in the message.

A refused put stores nothing (with PutRecords, the first record is refused before it is stored,
so the whole call fails and no record of it is kept); records stay in the stream and read back
in order once the key is usable again. A refused StartStreamEncryption leaves the stream as it
was. StopStreamEncryption stops following the key for new records; records written while the
stream was encrypted still need their data key decrypted to be read. Only encrypted streams get
a wrapper (``Stream.put_record`` of that stream), so puts to other streams run moto's code
untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from moto.core.exceptions import JsonRESTError
from moto.kinesis.models import KinesisBackend, Stream, kinesis_backends

from kms_import_mock.services import envelope, held_keys

if TYPE_CHECKING:
    from moto.kinesis.models import Record

    from kms_import_mock.services.patching import Patches

PRINCIPAL = "kinesis.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/kinesis"
_SEALED = "_kms_import_kinesis_sealed"

#: KMS's error code -> Kinesis's (botocore's Kinesis model: JSON protocol, shape names).
KINESIS_CODES = {
    "DisabledException": "KMSDisabledException",
    "KMSInvalidStateException": "KMSInvalidStateException",
    "NotFoundException": "KMSNotFoundException",
    "AccessDeniedException": "KMSAccessDeniedException",
    "KMSOptInRequired": "KMSOptInRequired",
    "ThrottlingException": "KMSThrottlingException",
}
#: Any other KMS refusal (a key that cannot encrypt, ...): Kinesis relays an access denial.
_FALLBACK_CODE = "KMSAccessDeniedException"


def refusal(err: envelope.KmsRefusal) -> JsonRESTError:
    """Kinesis's error for a KMS refusal, KMS's reason in the message."""
    code = KINESIS_CODES.get(err.code, _FALLBACK_CODE)
    return JsonRESTError(
        code, f"{err.message} (Service: AWSKMS; Status Code: 400; Error Code: {err.code})"
    )


def _encrypted(stream: Stream) -> bool:
    return stream.encryption_type == "KMS" and bool(stream.key_id)


def _seal(stream: Stream, key_id: str) -> envelope.Sealed:
    try:
        return held_keys.seal(
            stream,
            stream.account_id,
            stream.region,
            key_id,
            {"aws:kinesis:arn": stream.arn},
            PRINCIPAL,
            default_alias=DEFAULT_ALIAS,
        )
    except envelope.KmsRefusal as err:
        raise refusal(err) from None


def _put_record(
    self: Stream, partition_key: str, explicit_hash_key: str, data: Any
) -> tuple[str, str]:
    """moto's ``Stream.put_record``, under a data key while the stream is encrypted."""
    sealed = _seal(self, str(self.key_id)) if _encrypted(self) else None
    sequence_number, shard_id = Stream.put_record(self, partition_key, explicit_hash_key, data)
    if sealed is not None:
        record = self.shards[shard_id].records.get(int(sequence_number))
        if record is not None:
            record.__dict__[_SEALED] = sealed
    return sequence_number, shard_id


def follow(patches: Patches, stream: Stream) -> None:
    """Put the wrapper on ``stream`` (once); it checks at each call whether it is encrypted."""
    held_keys.patch_resource(patches, stream, "put_record", _put_record)


def _stream_of(backend: KinesisBackend, stream_arn: str | None, shard_iterator: str) -> Stream:
    from moto.kinesis.utils import decompose_shard_iterator

    stream_name = decompose_shard_iterator(shard_iterator)[0]
    return backend.describe_stream(stream_arn=stream_arn, stream_name=stream_name)


def _wrap_get_records(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_records(
        self: KinesisBackend, stream_arn: str | None, shard_iterator: str, limit: int | None
    ) -> tuple[str, list[Record], int]:
        # Reading changes nothing (the iterator is the position), so read first, then refuse.
        result: tuple[str, list[Record], int] = original(self, stream_arn, shard_iterator, limit)
        sealed_records = [r for r in result[1] if _SEALED in r.__dict__]
        if sealed_records:
            stream = _stream_of(self, stream_arn, shard_iterator)
            try:
                for record in sealed_records:
                    held_keys.unseal(stream, record.__dict__[_SEALED], PRINCIPAL)
            except envelope.KmsRefusal as err:
                raise refusal(err) from None
        return result

    return get_records


def _wrap_start(original: Callable[..., None], patches: Patches) -> Callable[..., None]:
    def start_stream_encryption(
        self: KinesisBackend, stream_arn: str, stream_name: str, encryption_type: str, key_id: str
    ) -> None:
        stream = self.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
        if encryption_type == "KMS" and key_id:
            _seal(stream, key_id)  # refused before the stream changes
        original(self, stream_arn, stream_name, encryption_type, key_id)
        if _encrypted(stream):
            follow(patches, stream)

    return start_stream_encryption


def _existing_streams() -> list[Stream]:
    streams: list[Stream] = []
    for regions in kinesis_backends.values():
        for backend in regions.values():
            streams.extend(backend.streams.values())
    return streams


def install(patches: Patches) -> None:
    """Wrap StartStreamEncryption and GetRecords; follow streams encrypted before the start."""
    start = patches.original(KinesisBackend, "start_stream_encryption")
    patches.set(KinesisBackend, "start_stream_encryption", _wrap_start(start, patches))
    get = patches.original(KinesisBackend, "get_records")
    patches.set(KinesisBackend, "get_records", _wrap_get_records(get))
    for stream in _existing_streams():
        if _encrypted(stream):
            follow(patches, stream)

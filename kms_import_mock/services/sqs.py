"""Amazon SQS server-side encryption under a KMS key (``KmsMasterKeyId``), with data-key reuse.

Where SQS needs a data key: SendMessage and SendMessageBatch on a queue with ``KmsMasterKeyId``
(key ID, key ARN, alias name or alias ARN; ``alias/aws/sqs`` is the AWS managed key, created on
first use) call GenerateDataKey with the context ``{"aws:sqs:arn": <queue ARN>}``. Where it needs
it back: ReceiveMessage calls Decrypt of each message's data key. SQS reuses a data key for
``KmsDataKeyReusePeriodSeconds`` (60-86,400, default 300), measured on the mock's clock: within
that period after SQS got a data key from KMS it calls KMS neither to send nor to receive, so
messages keep flowing after the key became unusable; after it, the call is refused.

How a refusal looks: SQS's own KMS errors from botocore's SQS model (``KmsInvalidState``,
``KmsDisabled``, ``KmsNotFound``, ``KmsAccessDenied``, ...), HTTP 400, the message carrying KMS's
reason. Project decisions (AWS documents none of them): the data key SQS generated also counts
as decrypted at that moment (one service, one cache); ReceiveMessage checks the data keys of the
messages it is about to return before any becomes in flight, and refuses the whole call if one
cannot be decrypted (those messages stay in the queue and decrypt again after a reimport of the
same material); a long poll (``WaitTimeSeconds``) checks again, the same way, each time messages
arrive while it waits (sent, delayed ones becoming due, in-flight ones visible again). The
message body is kept as moto keeps it; what is enforced is KMS's answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moto.sqs.exceptions import InvalidAttributeValue, SQSException
from moto.sqs.models import SQSBackend

from kms_import_mock.kms import clock
from kms_import_mock.services import envelope

if TYPE_CHECKING:
    from moto.sqs.models import Message, Queue

    from kms_import_mock.services.patching import Patches

PRINCIPAL = "sqs.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/sqs"
REUSE_MIN, REUSE_MAX = 60, 86_400
_KEYS = "_kms_import_sqs_keys"
_SEALED = "_kms_import_sqs_sealed"

#: KMS's error code -> SQS's (botocore's SQS model: the JSON protocol's wire codes).
SQS_CODES = {
    "DisabledException": "KmsDisabled",
    "KMSInvalidStateException": "KmsInvalidState",
    "NotFoundException": "KmsNotFound",
    "AccessDeniedException": "KmsAccessDenied",
    "InvalidKeyUsageException": "KmsInvalidKeyUsage",
    "KMSOptInRequired": "KmsOptInRequired",
    "ThrottlingException": "KmsThrottled",
}
#: Any other KMS refusal (a ciphertext KMS cannot use, ...): SQS relays KMS's access denial.
_FALLBACK_CODE = "KmsAccessDenied"


@dataclass(frozen=True)
class Sealed:
    """What a message keeps of its encryption: the encrypted data key and its context."""

    blob: bytes
    context: dict[str, str]


@dataclass
class QueueKeys:
    """The data keys SQS holds for one queue (kept on the queue object, gone with it)."""

    key_ref: str = ""
    encrypting: Sealed | None = None
    generated_at: float = 0.0
    #: encrypted data key -> when SQS last got its plaintext from KMS (mock epoch seconds)
    decrypted: dict[bytes, float] = field(default_factory=dict)


# One data key for a whole SendMessageBatch: moto sends the entries one by one.
_batch = threading.local()
# The number of messages the ReceiveMessage in progress on this thread asks for.
_receiving = threading.local()


def refusal(err: envelope.KmsRefusal) -> SQSException:
    """SQS's error for a KMS refusal, with KMS's reason as SQS relays it."""
    code = SQS_CODES.get(err.code, _FALLBACK_CODE)
    return SQSException(
        code, f"{err.message} (Service: AWSKMS; Status Code: 400; Error Code: {err.code})"
    )


def _keys(queue: Queue) -> QueueKeys:
    found: QueueKeys | None = queue.__dict__.get(_KEYS)
    if found is None:
        found = queue.__dict__.setdefault(_KEYS, QueueKeys())
    return found


def _reuse_period(queue: Queue) -> int:
    return int(getattr(queue, "kms_data_key_reuse_period_seconds", 300) or 300)


def seal(queue: Queue) -> Sealed | None:
    """The data key a message sent now is encrypted under (None: the queue is not SSE-KMS).

    Reused while younger than the queue's reuse period; otherwise a new GenerateDataKey.
    """
    key_ref = getattr(queue, "kms_master_key_id", None)
    if not key_ref:
        return None
    keys = _keys(queue)
    now = clock.now().timestamp()
    if (
        keys.encrypting is not None
        and keys.key_ref == key_ref
        and now < keys.generated_at + _reuse_period(queue)
    ):
        return keys.encrypting
    context = {"aws:sqs:arn": queue.queue_arn}
    try:
        data_key = envelope.generate_data_key(
            queue.account_id, queue.region, key_ref, context, PRINCIPAL, default_alias=DEFAULT_ALIAS
        )
    except envelope.KmsRefusal as err:
        raise refusal(err) from None
    sealed = Sealed(data_key.ciphertext_blob, context)
    keys.key_ref, keys.encrypting, keys.generated_at = key_ref, sealed, now
    keys.decrypted[sealed.blob] = now
    return sealed


def unseal(queue: Queue, sealed: Sealed) -> None:
    """Make sure SQS holds the plaintext of ``sealed``: from its cache, or by Decrypt."""
    keys = _keys(queue)
    now = clock.now().timestamp()
    seen = keys.decrypted.get(sealed.blob)
    if seen is not None and now < seen + _reuse_period(queue):
        return
    try:
        envelope.decrypt(queue.account_id, queue.region, sealed.blob, sealed.context, PRINCIPAL)
    except envelope.KmsRefusal as err:
        raise refusal(err) from None
    keys.decrypted[sealed.blob] = now


def _to_receive(queue: Queue, count: int) -> list[Message]:
    """The messages moto's ReceiveMessage would return now, in its order and with its skips
    (FIFO groups in flight, messages due for the dead-letter queue)."""
    pending_groups = queue.pending_message_groups if queue.fifo_queue else set()
    policy = queue.redrive_policy if queue.dead_letter_queue is not None else None
    chosen: list[Message] = []
    for message in queue.messages:
        if message.group_id and message.group_id in pending_groups:
            continue
        if policy and message.approximate_receive_count >= policy["maxReceiveCount"]:
            continue
        chosen.append(message)
        if len(chosen) >= count:
            break
    return chosen


def _check_receivable(queue: Queue, count: int) -> None:
    """Every data key of the messages a receive would return now: refused before any is."""
    for message in _to_receive(queue, count):
        sealed = message.__dict__.get(_SEALED)
        if sealed is not None:
            unseal(queue, sealed)


def _check_reuse_period(attributes: dict[str, Any]) -> None:
    value = attributes.get("KmsDataKeyReusePeriodSeconds")
    if value is None:
        return
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise InvalidAttributeValue("KmsDataKeyReusePeriodSeconds") from None
    if not REUSE_MIN <= seconds <= REUSE_MAX:
        raise InvalidAttributeValue("KmsDataKeyReusePeriodSeconds")


# -- the wrappers ----------------------------------------------------------------------------


def _wrap_send(original: Callable[..., Message]) -> Callable[..., Message]:
    def send_message(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> Message:
        queue = self.get_queue(queue_name)
        held = getattr(_batch, "sealed", None)
        sealed = held[1] if held is not None and held[0] is queue else seal(queue)
        message = original(self, queue_name, *args, **kwargs)
        if sealed is not None:
            message.__dict__[_SEALED] = sealed
        return message

    return send_message


def _wrap_send_batch(original: Callable[..., Any]) -> Callable[..., Any]:
    def send_message_batch(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        queue = self.get_queue(queue_name)
        sealed = seal(queue)  # one refusal for the whole batch, before any entry is sent
        _batch.sealed = (queue, sealed)
        try:
            return original(self, queue_name, *args, **kwargs)
        finally:
            _batch.sealed = None

    return send_message_batch


def _wrap_receive(original: Callable[..., list[Message]]) -> Callable[..., list[Message]]:
    def receive_message(
        self: SQSBackend, queue_name: str, count: int, *args: Any, **kwargs: Any
    ) -> list[Message]:
        queue = self.get_queue(queue_name)
        _check_receivable(queue, count)
        outer = getattr(_receiving, "count", None)
        _receiving.count = count
        try:
            return original(self, queue_name, count, *args, **kwargs)
        finally:
            _receiving.count = outer

    return receive_message


def _wrap_wait(original: Callable[..., None]) -> Callable[..., None]:
    """moto's long poll waits here, then takes what arrived: check it first, as at the start.

    The poll has made no message in flight when it waits, so a refusal changes nothing.
    """

    def wait_for_messages(self: Queue, timeout: int) -> None:
        original(self, timeout)
        count = getattr(_receiving, "count", None)
        if count is not None and getattr(self, "kms_master_key_id", None):
            _check_receivable(self, count)

    return wait_for_messages


def _wrap_create(original: Callable[..., Queue]) -> Callable[..., Queue]:
    def create_queue(self: SQSBackend, name: str, *args: Any, **kwargs: Any) -> Queue:
        _check_reuse_period(kwargs)
        return original(self, name, *args, **kwargs)

    return create_queue


def _wrap_set_attributes(original: Callable[..., Queue]) -> Callable[..., Queue]:
    def set_queue_attributes(
        self: SQSBackend, queue_name: str, attributes: dict[str, Any]
    ) -> Queue:
        _check_reuse_period(attributes)
        return original(self, queue_name, attributes)

    return set_queue_attributes


_WRAPPERS: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "send_message": _wrap_send,
    "send_message_batch": _wrap_send_batch,
    "receive_message": _wrap_receive,
    "create_queue": _wrap_create,
    "set_queue_attributes": _wrap_set_attributes,
}


def install(patches: Patches) -> None:
    """Wrap moto's SQS backend methods; ``patches`` restores them on stop."""
    for name, wrap in _WRAPPERS.items():
        original = patches.original(SQSBackend, name)
        wrapper = wrap(original)
        wrapper.__name__ = name
        wrapper.__doc__ = original.__doc__
        patches.set(SQSBackend, name, wrapper)
    from moto.sqs.models import Queue

    wait = patches.original(Queue, "wait_for_messages")
    patches.set(Queue, "wait_for_messages", _wrap_wait(wait))

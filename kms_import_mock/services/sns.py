"""Amazon SNS server-side encryption under a KMS key (the ``KmsMasterKeyId`` topic attribute).

Where SNS needs a data key: Publish and PublishBatch to a topic with ``KmsMasterKeyId`` (key ID,
key ARN, alias name or alias ARN; ``alias/aws/sns`` is the AWS managed key, created on first use)
call GenerateDataKey with the context ``{"aws:sns:topicArn": <topic ARN>}``. The data key is
reused for five minutes on the mock's clock, but the key's state is checked on every publish, so
a disabled key, a key pending deletion or one without its material refuses the call at once with
SNS's own errors (botocore's SNS model, query protocol: the shape ``KMSDisabledException`` is the
wire code ``KMSDisabled``; also ``KMSInvalidState``, ``KMSNotFound``, ``KMSAccessDenied``,
``KMSOptInRequired`` (HTTP 403), ``KMSThrottling``; HTTP 400 otherwise), KMS's reason in the
message. A refused publish reaches no subscriber and is not recorded as sent. A refused
PublishBatch fails as a whole, before its first entry: the KMS errors are errors of the
operation in AWS's PublishBatch reference, not codes of a failed entry, and one data key covers
the whole batch (moto would otherwise drop each failed entry silently). Once the key is usable
again, delivery resumes. CreateTopic and SetTopicAttributes do not check the key (AWS lists no
KMS error for them).

Only topics that name a key get the Publish wrapper (``Topic.publish`` of that topic), so
publishing to other topics runs moto's code untouched. PublishBatch is wrapped on moto's
backend: it looks the topic's attribute up once per batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from moto.sns.exceptions import SNSException
from moto.sns.models import SNSBackend, Topic, sns_backends

from kms_import_mock.services import envelope, held_keys

if TYPE_CHECKING:
    from kms_import_mock.services.patching import Patches

PRINCIPAL = "sns.amazonaws.com"
DEFAULT_ALIAS = "alias/aws/sns"

#: KMS's error code -> SNS's error shape (botocore's SNS model); moto's serializer answers the
#: shape's wire code (``KMSDisabled``, ...) and HTTP status from the model.
SNS_SHAPES = {
    "DisabledException": "KMSDisabledException",
    "KMSInvalidStateException": "KMSInvalidStateException",
    "NotFoundException": "KMSNotFoundException",
    "AccessDeniedException": "KMSAccessDeniedException",
    "KMSOptInRequired": "KMSOptInRequired",
    "ThrottlingException": "KMSThrottlingException",
}
#: Any other KMS refusal (a key that cannot encrypt, ...): SNS relays an access denial.
_FALLBACK_SHAPE = "KMSAccessDeniedException"

# The topic whose batch was already checked: moto publishes the entries one by one.
_batch = threading.local()


def refusal(err: envelope.KmsRefusal) -> SNSException:
    """SNS's error for a KMS refusal, KMS's reason in the message."""
    shape = SNS_SHAPES.get(err.code, _FALLBACK_SHAPE)
    return SNSException(
        shape, f"{err.message} (Service: AWSKMS; Status Code: 400; Error Code: {err.code})"
    )


def check(topic: Topic) -> None:
    """Get (or reuse) the topic's data key; SNS's error when KMS refuses."""
    key_ref = topic.kms_master_key_id
    if not key_ref:
        return
    try:
        held_keys.seal(
            topic,
            topic.account_id,
            topic.sns_backend.region_name,
            key_ref,
            {"aws:sns:topicArn": topic.arn},
            PRINCIPAL,
            default_alias=DEFAULT_ALIAS,
        )
    except envelope.KmsRefusal as err:
        raise refusal(err) from None


def _publish(self: Topic, message: str, *args: Any, **kwargs: Any) -> str:
    """moto's ``Topic.publish``, refused before any subscriber sees it when KMS refuses."""
    if getattr(_batch, "topic", None) is not self:
        check(self)
    message_id: str = Topic.publish(self, message, *args, **kwargs)
    return message_id


def follow(patches: Patches, topic: Topic) -> None:
    """Put the wrapper on ``topic`` (once); it checks at each call whether a key is named."""
    held_keys.patch_resource(patches, topic, "publish", _publish)


def _wrap_publish_batch(original: Callable[..., Any]) -> Callable[..., Any]:
    def publish_batch(self: SNSBackend, topic_arn: str, *args: Any, **kwargs: Any) -> Any:
        topic = self.get_topic(topic_arn)
        if not topic.kms_master_key_id:
            return original(self, topic_arn, *args, **kwargs)
        check(topic)  # one answer for the whole batch, before any entry is published
        _batch.topic = topic
        try:
            return original(self, topic_arn, *args, **kwargs)
        finally:
            _batch.topic = None

    return publish_batch


def _wrap_create_topic(original: Callable[..., Topic], patches: Patches) -> Callable[..., Topic]:
    def create_topic(self: SNSBackend, name: str, *args: Any, **kwargs: Any) -> Topic:
        topic = original(self, name, *args, **kwargs)
        if topic.kms_master_key_id:
            follow(patches, topic)
        return topic

    return create_topic


def _wrap_set_attribute(original: Callable[..., None], patches: Patches) -> Callable[..., None]:
    def set_topic_attribute(
        self: SNSBackend, topic_arn: str, attribute_name: str, attribute_value: str
    ) -> None:
        original(self, topic_arn, attribute_name, attribute_value)
        topic = self.get_topic(topic_arn)
        if topic.kms_master_key_id:
            follow(patches, topic)

    return set_topic_attribute


def _existing_topics() -> list[Topic]:
    topics: list[Topic] = []
    for regions in sns_backends.values():
        for backend in regions.values():
            topics.extend(backend.topics.values())
    return topics


def install(patches: Patches) -> None:
    """Wrap CreateTopic, SetTopicAttributes and PublishBatch; follow topics already keyed."""
    wrappers = {
        "create_topic": _wrap_create_topic(patches.original(SNSBackend, "create_topic"), patches),
        "set_topic_attribute": _wrap_set_attribute(
            patches.original(SNSBackend, "set_topic_attribute"), patches
        ),
        "publish_batch": _wrap_publish_batch(patches.original(SNSBackend, "publish_batch")),
    }
    for name, wrapper in wrappers.items():
        patches.set(SNSBackend, name, wrapper)
    for topic in _existing_topics():
        if topic.kms_master_key_id:
            follow(patches, topic)

"""CloudTrail ``LookupEvents`` over the recorded KMS import events (moto 5.2 lacks the action).

Installed like the KMS extension: ``_activation`` swaps ``cloudtrail_backends.backend`` for
:class:`ImportCloudTrailBackend` while a mock is active and restores it on stop. The subclass adds
no state of its own (the events live on the KMS backend of the same account and Region), so
instances built before or during an activation can change class in both directions without loss.

Lookup covers only the events kms-import-mock records, not every call CloudTrail would
log, and applies no 90-day retention window (time travel would otherwise hide events).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import json
import math
import sys
from types import ModuleType
from typing import Any

from moto.cloudtrail.models import CloudTrailBackend
from moto.cloudtrail.responses import CloudTrailResponse
from moto.cloudtrail.urls import url_bases
from moto.core.exceptions import JsonRESTError

from kms_import_mock.kms import events as _events
from kms_import_mock.kms import shapes
from kms_import_mock.kms.errors import SerializationException
from kms_import_mock.kms.params import parse_body
from kms_import_mock.kms.request_body import UndecodableBodyTolerant

__all__ = ["ImportCloudTrailBackend", "ImportCloudTrailResponse", "url_bases", "url_paths"]

MAX_RESULTS = 50
LOOKUP_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)


class _CloudTrailError(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__(type(self).__name__, message)


class InvalidLookupAttributesException(_CloudTrailError):
    pass


class InvalidTimeRangeException(_CloudTrailError):
    pass


class InvalidMaxResultsException(_CloudTrailError):
    pass


class InvalidNextTokenException(_CloudTrailError):
    pass


class InvalidEventCategoryException(_CloudTrailError):
    pass


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    """One ``Event`` of the LookupEvents response (botocore's cloudtrail ``Event`` shape)."""
    identity = record.get("userIdentity") or {}
    event: dict[str, Any] = {
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "ReadOnly": "true" if record.get("readOnly") else "false",
    }
    if identity.get("accessKeyId"):
        event["AccessKeyId"] = identity["accessKeyId"]
    event["EventTime"] = _parse_event_time(record["eventTime"])
    event["EventSource"] = record["eventSource"]
    if identity.get("userName"):
        event["Username"] = identity["userName"]
    event["Resources"] = [
        {"ResourceType": res["type"], "ResourceName": res["ARN"]}
        for res in record.get("resources") or ()
    ]
    event["CloudTrailEvent"] = json.dumps(record)
    return event


def _parse_event_time(text: str) -> float:
    when = _dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
    return when.timestamp()


def _matches(summary: dict[str, Any], key: str, value: str) -> bool:
    if key in ("ResourceName", "ResourceType"):
        field = key
        return any(res.get(field) == value for res in summary["Resources"])
    return bool(summary.get(key) == value)


def _as_epoch(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an integer beyond any float: no time at all
            pass
    elif isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
        try:
            parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=_dt.timezone.utc)
            return parsed.timestamp()
    raise InvalidTimeRangeException(f"{name} {value!s} is not a valid timestamp.")


class ImportCloudTrailBackend(CloudTrailBackend):
    """moto's CloudTrail backend plus ``LookupEvents`` over this account and Region's events."""

    @property
    def _url_module(self) -> ModuleType:
        # moto derives this from the module name, which only works for a ``models.py``.
        return sys.modules[__name__]

    def lookup_events(
        self,
        lookup_attributes: list[dict[str, Any]],
        start_time: float | None,
        end_time: float | None,
        event_category: str | None,
        max_results: int | None,
        next_token: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html

        Newest first, like CloudTrail. Returns (events, next token or None).
        """
        if len(lookup_attributes) > 1:
            raise InvalidLookupAttributesException(
                f"You can specify only one lookup attribute; {len(lookup_attributes)} were given."
            )
        attribute: tuple[str, str] | None = None
        for item in lookup_attributes:
            key, value = item.get("AttributeKey"), item.get("AttributeValue")
            if key not in LOOKUP_KEYS or not isinstance(value, str) or not value:
                raise InvalidLookupAttributesException(
                    f"Lookup attribute {key!s} with value {value!s} is not valid; the key must be "
                    f"one of {', '.join(LOOKUP_KEYS)} and the value a non-empty string."
                )
            attribute = (key, value)
        if start_time is not None and end_time is not None and start_time > end_time:
            raise InvalidTimeRangeException("The start time must not be after the end time.")
        if event_category is not None and event_category != "insight":
            raise InvalidEventCategoryException(
                f"Event category {event_category} is not valid; the only value is insight."
            )
        limit = MAX_RESULTS if max_results is None else max_results
        if not 1 <= limit <= MAX_RESULTS:
            raise InvalidMaxResultsException(
                f"MaxResults {limit} is not valid; it must be between 1 and {MAX_RESULTS}."
            )
        query = _fingerprint(attribute, start_time, end_time, event_category)
        after = _open_token(next_token, query) if next_token else None
        if event_category == "insight":
            return [], None  # no Insights events are ever recorded

        selected: list[tuple[tuple[float, int], dict[str, Any]]] = []
        for entry in reversed(_events.collect(self._kms_backends())):
            position = (entry.epoch, entry.seq)
            if after is not None and position >= after:
                continue
            seconds = math.floor(entry.epoch)  # CloudTrail times have whole seconds
            if start_time is not None and seconds < start_time:
                continue
            if end_time is not None and seconds > end_time:
                continue
            summary = _summary(entry.record)
            if attribute is not None and not _matches(summary, *attribute):
                continue
            selected.append((position, summary))
            if len(selected) > limit:
                break
        page = selected[:limit]
        token = _seal_token(page[-1][0], query) if len(selected) > limit else None
        return [summary for _, summary in page], token

    def _kms_backends(self) -> list[Any]:
        from moto.kms.models import kms_backends

        from kms_import_mock.kms.backend import ImportKmsBackend

        regions = kms_backends.get(self.account_id)
        backend = regions.get(self.region_name) if regions is not None else None
        return [backend] if isinstance(backend, ImportKmsBackend) else []


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _seal_token(position: tuple[float, int], query: str) -> str:
    raw = json.dumps({"after": list(position), "query": query}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _open_token(token: str, query: str) -> tuple[float, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        epoch, seq = data["after"]
        if data["query"] != query:
            raise ValueError("token of another query")
        return float(epoch), int(seq)
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeError):
        raise InvalidNextTokenException(
            "The NextToken is not valid, or was returned for a request with other parameters."
        ) from None


class ImportCloudTrailResponse(UndecodableBodyTolerant, CloudTrailResponse):
    @property
    def cloudtrail_backend(self) -> ImportCloudTrailBackend:
        backend = super().cloudtrail_backend
        assert isinstance(backend, ImportCloudTrailBackend)
        return backend

    def lookup_events(self) -> str:
        """https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html

        The body is checked against botocore's CloudTrail model first (as KMS requests are in
        ``ImportKmsResponse.call_action``): a value of the wrong JSON type, or a body that is not
        a JSON object, is a ``SerializationException``, never a Python error.
        """
        if self._undecodable:
            raise SerializationException("Start of structure or map found where not expected.")
        data = parse_body(self.body)
        shapes.check_request("LookupEvents", data, service="cloudtrail")
        max_results = data.get("MaxResults")
        events, token = self.cloudtrail_backend.lookup_events(
            lookup_attributes=data.get("LookupAttributes") or [],
            start_time=_as_epoch(data.get("StartTime"), "StartTime"),
            end_time=_as_epoch(data.get("EndTime"), "EndTime"),
            event_category=data.get("EventCategory"),
            max_results=None if max_results is None else int(max_results),
            next_token=data.get("NextToken"),
        )
        body: dict[str, Any] = {"Events": events}
        if token is not None:
            body["NextToken"] = token
        return json.dumps(body)


url_paths = {"{0}/$": ImportCloudTrailResponse.dispatch}

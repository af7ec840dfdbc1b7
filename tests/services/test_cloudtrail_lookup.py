"""CloudTrail LookupEvents over the recorded events: filters, time range, paging, errors."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest
import time_machine
from moto import mock_aws

from kms_import_mock import mock_kms_import
from tests.helpers import aws_error

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)


#: The calls of ``m.create_imported_key()``, newest first.
_CREATION = ("ImportKeyMaterial", "GetParametersForImport", "DescribeKey", "CreateKey")


def _trail(region="us-east-1"):
    return boto3.client("cloudtrail", region_name=region)


def _attr(key, value):
    return {"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]}


@pytest.fixture
def world():
    """Two keys, nine events an hour apart: CreateKey, DescribeKey, GPFI, import (a); the same
    four (b); delete (a). Every KMS call is recorded, not only the import lifecycle's."""
    # Time stands still but for m.advance, so the event times below are exact.
    with time_machine.travel(T0, tick=False), mock_kms_import() as m:
        a = m.create_imported_key()
        m.advance(3600)
        b = m.create_imported_key()
        m.advance(3600)
        m.client().delete_imported_key_material(KeyId=a.key_id)
        yield m, a, b


def test_all_events_newest_first_with_the_record_in_cloudtrail_event(world):
    m, a, b = world
    events = _trail().lookup_events()["Events"]
    assert [e["EventName"] for e in events] == [
        "DeleteImportedKeyMaterial",
        *_CREATION,
        *_CREATION,
    ]
    assert [json.loads(e["CloudTrailEvent"]) for e in reversed(events)] == m.events()
    newest = events[0]
    assert newest["EventTime"] == T0 + dt.timedelta(hours=2)
    assert newest["EventSource"] == "kms.amazonaws.com"
    assert newest["ReadOnly"] == "false"
    assert newest["Username"] == "moto"
    assert newest["AccessKeyId"]
    assert newest["Resources"] == [{"ResourceType": "AWS::KMS::Key", "ResourceName": a.arn}]
    assert newest["EventId"] == json.loads(newest["CloudTrailEvent"])["eventID"]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("EventName", "ImportKeyMaterial", 2),
        ("EventSource", "kms.amazonaws.com", 9),
        ("EventSource", "s3.amazonaws.com", 0),
        ("ReadOnly", "true", 4),
        ("ReadOnly", "false", 5),
        ("ResourceType", "AWS::KMS::Key", 9),
        ("Username", "moto", 9),
    ],
)
def test_lookup_attributes(world, key, value, expected):
    assert len(_trail().lookup_events(**_attr(key, value))["Events"]) == expected


def test_resource_name_event_id_and_access_key(world):
    m, a, b = world
    by_arn = _trail().lookup_events(**_attr("ResourceName", a.arn))["Events"]
    assert [e["EventName"] for e in by_arn] == ["DeleteImportedKeyMaterial", *_CREATION]
    event_id = m.events(key_id=b.key_id)[0]["eventID"]
    [one] = _trail().lookup_events(**_attr("EventId", event_id))["Events"]
    assert one["EventId"] == event_id
    key_id = m.events()[0]["userIdentity"]["accessKeyId"]
    assert len(_trail().lookup_events(**_attr("AccessKeyId", key_id))["Events"]) == 9


def test_service_events_are_found_too(world):
    m, a, b = world
    m.client().delete_imported_key_material(KeyId=b.key_id)
    expiring = m.create_imported_key(valid_to=dt.timedelta(hours=1))
    m.advance(dt.timedelta(hours=2))
    [event] = _trail().lookup_events(**_attr("EventName", "DeleteExpiredKeyMaterial"))["Events"]
    assert event["Resources"][0]["ResourceName"] == expiring.arn
    assert event["EventTime"] == T0 + dt.timedelta(hours=3)
    assert "Username" not in event and "AccessKeyId" not in event


def test_start_and_end_time_are_inclusive(world):
    events = _trail().lookup_events(StartTime=T0 + dt.timedelta(hours=1))["Events"]
    assert len(events) == 5
    events = _trail().lookup_events(EndTime=T0 + dt.timedelta(hours=1))["Events"]
    assert len(events) == 8
    events = _trail().lookup_events(
        StartTime=T0 + dt.timedelta(hours=1), EndTime=T0 + dt.timedelta(hours=1)
    )["Events"]
    assert [e["EventName"] for e in events] == list(_CREATION)
    assert _trail().lookup_events(StartTime=T0 + dt.timedelta(days=1))["Events"] == []


def test_paging_with_max_results_and_next_token(world):
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"MaxResults": 2, **({"NextToken": token} if token else {})}
        page = _trail().lookup_events(**kwargs)
        pages += 1
        assert len(page["Events"]) <= 2
        seen += [e["EventId"] for e in page["Events"]]
        token = page.get("NextToken")
        if not token:
            break
    assert pages == 5
    assert seen == [e["EventId"] for e in _trail().lookup_events()["Events"]]
    assert "NextToken" not in _trail().lookup_events(MaxResults=9)


def test_paging_with_a_filter_and_the_boto3_paginator(world):
    paginator = _trail().get_paginator("lookup_events")
    pages = list(
        paginator.paginate(
            **_attr("EventName", "GetParametersForImport"), PaginationConfig={"PageSize": 1}
        )
    )
    assert [len(p["Events"]) for p in pages] == [1, 1]


def test_paging_is_stable_when_events_arrive_between_pages(world):
    m, a, b = world
    first = _trail().lookup_events(MaxResults=2)
    m.advance(60)
    m.client().delete_imported_key_material(KeyId=b.key_id)  # a new newest event
    rest = _trail().lookup_events(MaxResults=50, NextToken=first["NextToken"])["Events"]
    assert [e["EventName"] for e in rest] == [*_CREATION[1:], *_CREATION]


def test_errors(world):
    trail = _trail()
    two = [
        {"AttributeKey": "EventName", "AttributeValue": "ImportKeyMaterial"},
        {"AttributeKey": "ReadOnly", "AttributeValue": "true"},
    ]
    code, _ = aws_error(trail.lookup_events, LookupAttributes=two)
    assert code == "InvalidLookupAttributesException"
    code, _ = aws_error(trail.lookup_events, **_attr("Color", "blue"))
    assert code == "InvalidLookupAttributesException"
    code, _ = aws_error(trail.lookup_events, StartTime=T0, EndTime=T0 - dt.timedelta(seconds=1))
    assert code == "InvalidTimeRangeException"
    code, _ = aws_error(trail.lookup_events, MaxResults=51)
    assert code == "InvalidMaxResultsException"
    code, _ = aws_error(trail.lookup_events, NextToken="garbage")
    assert code == "InvalidNextTokenException"
    token = trail.lookup_events(MaxResults=1)["NextToken"]
    code, _ = aws_error(trail.lookup_events, MaxResults=1, NextToken=token, EndTime=T0)
    assert code == "InvalidNextTokenException"
    assert trail.lookup_events(EventCategory="insight")["Events"] == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"MaxResults": "x"}, "Expected a number for MaxResults."),
        ({"MaxResults": 2.5}, "Expected an integer for MaxResults."),
        ({"NextToken": 5}, "Expected a string for NextToken."),
        ({"EventCategory": 7}, "Expected a string for EventCategory."),
        (
            {"LookupAttributes": [{"AttributeKey": 3, "AttributeValue": "x"}]},
            "Expected a string for LookupAttributes member.AttributeKey.",
        ),
    ],
)
def test_wrong_json_types_are_serialization_errors_not_python_errors(world, kwargs, message):
    """Values of the wrong JSON type used to end in int()/.encode() errors (HTTP 500)."""
    from botocore.config import Config

    trail = boto3.client(
        "cloudtrail", region_name="us-east-1", config=Config(parameter_validation=False)
    )
    code, text = aws_error(trail.lookup_events, **kwargs)
    assert (code, text) == ("SerializationException", message)
    assert len(trail.lookup_events()["Events"]) == 9  # and nothing changed


def test_lookup_is_per_region_and_empty_without_events():
    with mock_kms_import() as m:
        assert _trail().lookup_events()["Events"] == []
        m.create_imported_key(region_name="eu-west-1")
        assert _trail("us-east-1").lookup_events()["Events"] == []
        assert len(_trail("eu-west-1").lookup_events()["Events"]) == 4


def test_plain_mock_aws_cloudtrail_is_untouched_afterwards():
    from moto.cloudtrail.models import CloudTrailBackend, cloudtrail_backends

    with mock_kms_import():
        _trail().lookup_events()
    assert cloudtrail_backends.backend is CloudTrailBackend
    with mock_aws():
        with pytest.raises(NotImplementedError):
            _trail().lookup_events()
        assert all(
            type(b) is CloudTrailBackend for r in cloudtrail_backends.values() for b in r.values()
        )


def test_trails_of_an_outer_mock_aws_survive_and_are_served_plain_again():
    from moto.cloudtrail.models import CloudTrailBackend, cloudtrail_backends

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="trail-bucket")
        _trail().create_trail(Name="audit", S3BucketName="trail-bucket")
        with mock_kms_import() as m:
            m.create_imported_key()
            assert len(_trail().lookup_events()["Events"]) == 4
            assert [t["Name"] for t in _trail().describe_trails()["trailList"]] == ["audit"]
        assert type(cloudtrail_backends["123456789012"]["us-east-1"]) is CloudTrailBackend
        assert cloudtrail_backends["123456789012"].backend is CloudTrailBackend
        assert [t["Name"] for t in _trail().describe_trails()["trailList"]] == ["audit"]
        with pytest.raises(NotImplementedError):
            _trail().lookup_events()

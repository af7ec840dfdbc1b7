"""CloudWatch's SecondsUntilKeyMaterialExpiration: datapoints computed on read from the
material's ValidTo and the mock clock, and alarms on it evaluated when they are read."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
import time_machine
from moto import mock_aws
from moto.cloudwatch.models import CloudWatchBackend

from kms_import_mock import mock_kms_import
from kms_import_mock.services import cloudwatch as cw_service
from tests.helpers import aws_error

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
NS, METRIC = "AWS/KMS", "SecondsUntilKeyMaterialExpiration"


@pytest.fixture
def m():
    with time_machine.travel(T0, tick=False), mock_kms_import() as handle:
        yield handle


def _cw(region="us-east-1"):
    return boto3.client("cloudwatch", region_name=region)


def _dims(key_id):
    return [{"Name": "KeyId", "Value": key_id}]


def _statistics(key_id, start, end, period=60, stats=("Minimum",)):
    result = _cw().get_metric_statistics(
        Namespace=NS,
        MetricName=METRIC,
        Dimensions=_dims(key_id),
        StartTime=start,
        EndTime=end,
        Period=period,
        Statistics=list(stats),
    )
    return sorted(result["Datapoints"], key=lambda d: d["Timestamp"])


def _alarm(key_id, name="expiry", **overrides):
    params = {
        "AlarmName": name,
        "Namespace": NS,
        "MetricName": METRIC,
        "Dimensions": _dims(key_id),
        "Statistic": "Minimum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 3600.0,
        "ComparisonOperator": "LessThanThreshold",
        **overrides,
    }
    _cw().put_metric_alarm(**params)


def _state(name="expiry"):
    (alarm,) = _cw().describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return alarm["StateValue"]


def test_list_metrics_names_every_key_whose_material_expires(m):
    expiring = m.create_imported_key(valid_to=dt.timedelta(days=3))
    m.create_imported_key()  # does not expire: no metric
    m.client().create_key()  # AWS_KMS: no metric
    metrics = _cw().list_metrics(Namespace=NS)["Metrics"]
    assert metrics == [
        {"Namespace": NS, "MetricName": METRIC, "Dimensions": _dims(expiring.key_id)}
    ]
    by_name = _cw().list_metrics(MetricName=METRIC, Dimensions=_dims(expiring.key_id))
    assert len(by_name["Metrics"]) == 1
    assert _cw(region="eu-west-1").list_metrics(Namespace=NS)["Metrics"] == []


def test_one_datapoint_a_minute_counting_down_to_valid_to(m):
    key = m.create_imported_key(valid_to=dt.timedelta(hours=2))
    m.advance(dt.timedelta(minutes=10, seconds=30))
    points = _statistics(key.key_id, T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=1))
    # From the import (12:00) to the mock's now (12:10:30): 12:00 ... 12:10, none in the future.
    assert [p["Timestamp"] for p in points] == [T0 + dt.timedelta(minutes=i) for i in range(11)]
    assert [p["Minimum"] for p in points] == [7200.0 - 60 * i for i in range(11)]
    assert {p["Unit"] for p in points} == {"Seconds"}


def test_get_metric_data_with_a_period_and_statistic(m):
    key = m.create_imported_key(valid_to=dt.timedelta(days=1))
    m.advance(dt.timedelta(minutes=30))
    query = {
        "Id": "expiry",
        "MetricStat": {
            "Metric": {"Namespace": NS, "MetricName": METRIC, "Dimensions": _dims(key.key_id)},
            "Period": 600,
            "Stat": "Minimum",
        },
    }
    result = _cw().get_metric_data(
        MetricDataQueries=[query], StartTime=T0, EndTime=m.now(), ScanBy="TimestampAscending"
    )["MetricDataResults"][0]
    day = 86400.0
    # Each period's minimum is its last minute's value: 12:09, 12:19, 12:29 (EndTime excluded).
    assert result["Values"] == [day - 540, day - 1140, day - 1740]
    assert result["Timestamps"][0] == T0


def test_the_metric_follows_the_mock_clock_and_stops_at_expiry(m):
    key = m.create_imported_key(valid_to=dt.timedelta(minutes=5))
    m.advance(dt.timedelta(minutes=4))
    assert [p["Minimum"] for p in _statistics(key.key_id, T0, m.now())] == [
        300.0,
        240.0,
        180.0,
        120.0,
    ]
    m.advance(dt.timedelta(minutes=2))  # the material expired a minute ago
    assert _statistics(key.key_id, T0, m.now()) == []
    assert _cw().list_metrics(Namespace=NS)["Metrics"] == []


def test_reimport_with_a_new_valid_to_starts_a_new_countdown(m):
    key = m.create_imported_key(key_material=bytes(32), valid_to=dt.timedelta(hours=1))
    m.advance(dt.timedelta(minutes=30))
    m.import_key_material(key.key_id, bytes(32), valid_to=dt.timedelta(hours=10))
    m.advance(dt.timedelta(minutes=2))
    points = _statistics(key.key_id, T0, m.now() + dt.timedelta(minutes=1))
    assert [p["Timestamp"] for p in points] == [
        T0 + dt.timedelta(minutes=30),
        T0 + dt.timedelta(minutes=31),
        T0 + dt.timedelta(minutes=32),
    ]
    assert points[0]["Minimum"] == 36000.0


def test_an_alarm_fires_before_expiry_and_goes_to_insufficient_data_after(m):
    key = m.create_imported_key(valid_to=dt.timedelta(hours=2))
    _alarm(key.key_id)
    m.advance(dt.timedelta(minutes=30))
    assert _state() == "OK"
    m.advance(dt.timedelta(minutes=31))  # 59 minutes left
    (alarm,) = _cw().describe_alarms(StateValue="ALARM")["MetricAlarms"]
    assert alarm["AlarmName"] == "expiry"
    assert "Threshold Crossed" in alarm["StateReason"] and "3540.0" in alarm["StateReason"]
    history = _cw().describe_alarms_for_metric(Namespace=NS, MetricName=METRIC)
    assert [a["StateValue"] for a in history["MetricAlarms"]] == ["ALARM"]
    m.advance(dt.timedelta(hours=2))
    assert _state() == "INSUFFICIENT_DATA"


def test_treat_missing_data_breaching_keeps_the_alarm_after_expiry(m):
    key = m.create_imported_key(valid_to=dt.timedelta(minutes=30))
    _alarm(key.key_id, TreatMissingData="breaching", Threshold=60.0)
    m.advance(dt.timedelta(hours=1))
    assert _state() == "ALARM"


def test_datapoints_to_alarm_m_out_of_n(m):
    key = m.create_imported_key(valid_to=dt.timedelta(hours=1))
    _alarm(
        key.key_id,
        Period=60,
        EvaluationPeriods=5,
        DatapointsToAlarm=3,
        Threshold=3300.0,
        ComparisonOperator="LessThanOrEqualToThreshold",
        Statistic="Maximum",
    )
    m.advance(dt.timedelta(minutes=6, seconds=30))  # minutes 2..6: 3480 ... 3240
    assert _state() == "OK"  # only 3240 and 3300 reach the threshold
    m.advance(60)
    assert _state() == "ALARM"


def test_other_metrics_and_alarms_are_left_as_moto_keeps_them(m):
    m.create_imported_key(valid_to=dt.timedelta(hours=1))
    _cw().put_metric_data(Namespace="App", MetricData=[{"MetricName": "Load", "Value": 1.0}])
    _cw().put_metric_alarm(
        AlarmName="app",
        Namespace="App",
        MetricName="Load",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=0.5,
        ComparisonOperator="GreaterThanThreshold",
    )
    assert _state("app") == "OK"  # moto does not evaluate alarms; neither does the mock here
    names = {(x["Namespace"], x["MetricName"]) for x in _cw().list_metrics()["Metrics"]}
    assert names == {("App", "Load"), (NS, METRIC)}


def test_bad_windows_keep_moto_s_errors(m):
    key = m.create_imported_key(valid_to=dt.timedelta(hours=1))
    code, _ = aws_error(_statistics, key.key_id, m.now(), m.now() - dt.timedelta(hours=1))
    assert code == "InvalidParameterValue"


def test_plain_mock_aws_cloudwatch_is_untouched_afterwards():
    names = [
        "get_all_metrics",
        "get_metric_data",
        "get_metric_statistics",
        *cw_service._ALARM_READS,
    ]
    before = {name: vars(CloudWatchBackend)[name] for name in names}
    with mock_kms_import() as m:
        m.create_imported_key(valid_to=dt.timedelta(hours=1))
        assert _cw().list_metrics(Namespace=NS)["Metrics"]
    assert {name: vars(CloudWatchBackend)[name] for name in names} == before
    with mock_aws():
        assert _cw().list_metrics(Namespace=NS)["Metrics"] == []

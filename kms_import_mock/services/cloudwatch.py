"""CloudWatch's ``SecondsUntilKeyMaterialExpiration`` for keys whose imported material expires.

KMS publishes this metric (namespace ``AWS/KMS``, dimension ``KeyId``, unit Seconds) for every
key whose current material expires, and teams alarm on it. The mock publishes it into moto's
CloudWatch without a timer: the datapoints are computed when a read asks for them, from the KMS
backends' material ``ValidTo`` and the mock's clock, so GetMetricData, GetMetricStatistics and
ListMetrics see them, and DescribeAlarms (and DescribeAlarmsForMetric) evaluate alarms on this
metric against them before answering.

Project decisions (AWS documents no cadence): one datapoint per whole minute, from the key's
latest ImportKeyMaterial (or its creation) up to the mock's now and never past ``ValidTo``; the
value is the seconds left at that minute. When the material expires or is deleted the key has no
expiring material any more and its datapoints stop, including the past ones (the mock keeps no
history of gone material), so an alarm sees missing data, as it would on AWS after expiry. Alarm
evaluation covers the alarm's last ``EvaluationPeriods`` periods ending now, with its statistic,
comparison, ``DatapointsToAlarm`` and ``TreatMissingData``; other alarms stay as moto keeps them.
"""

from __future__ import annotations

import datetime as _dt
import json
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from moto.cloudwatch.models import Alarm, CloudWatchBackend, MetricDatum

from kms_import_mock.kms import clock
from kms_import_mock.kms import events as _events
from kms_import_mock.kms.state import EXPIRES

if TYPE_CHECKING:
    from kms_import_mock.kms.base import ImportBackendBase
    from kms_import_mock.services.patching import Patches

NAMESPACE = "AWS/KMS"
METRIC = "SecondsUntilKeyMaterialExpiration"
DIMENSION = "KeyId"
UNIT = "Seconds"
CADENCE = _dt.timedelta(minutes=1)
_TICK = _dt.timedelta(microseconds=1)

_window = threading.local()

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "GreaterThanThreshold": lambda v, t: v > t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}


def expiring_keys(account_id: str, region: str) -> list[tuple[str, _dt.datetime, _dt.datetime]]:
    """(key ID, since, ValidTo) for every key of the Region whose current material expires."""
    kms = _kms(account_id, region)
    if kms is None:
        return []
    kms.sweep()
    imports = _latest_imports(kms)
    found = []
    for key_id, state in list(kms.imports.items()):
        key = kms.keys.get(key_id)
        model, valid_to = state.expiration()
        if key is None or model != EXPIRES or valid_to is None:
            continue
        since = imports.get(key_id) or _dt.datetime.fromtimestamp(
            float(key.creation_date), _dt.timezone.utc
        )
        found.append((key_id, since, valid_to))
    return found


def _kms(account_id: str, region: str) -> ImportBackendBase | None:
    from moto.kms.models import kms_backends

    from kms_import_mock.kms.base import ImportBackendBase

    regions = kms_backends.get(account_id)
    backend = dict.get(regions, region) if regions is not None else None
    return backend if isinstance(backend, ImportBackendBase) else None


def _latest_imports(kms: ImportBackendBase) -> dict[str, _dt.datetime]:
    latest: dict[str, float] = {}
    for entry in _events.stored(kms):
        if entry.event_name == "ImportKeyMaterial" and entry.ok:
            latest[entry.key_id] = max(entry.epoch, latest.get(entry.key_id, 0.0))
    return {k: _dt.datetime.fromtimestamp(v, _dt.timezone.utc) for k, v in latest.items()}


def datapoints(
    account_id: str, region: str, start: _dt.datetime, end: _dt.datetime
) -> list[MetricDatum]:
    """The metric's datapoints in [start, end): one per whole minute, none after now."""
    naive = start.tzinfo is None
    start, end = _aware(start), _aware(end)
    now = clock.now()
    result = []
    for key_id, since, valid_to in expiring_keys(account_id, region):
        first = _ceil_minute(max(start, since))
        last = min(end, now + _TICK, valid_to)
        moment = first
        while moment < last:
            seconds = float(int((valid_to - moment).total_seconds()))
            stamp = moment.replace(tzinfo=None) if naive else moment
            dims = [{"Name": DIMENSION, "Value": key_id}]
            result.append(MetricDatum(NAMESPACE, METRIC, seconds, dims, stamp, UNIT))
            moment += CADENCE
    return result


def _aware(when: _dt.datetime) -> _dt.datetime:
    return when.replace(tzinfo=_dt.timezone.utc) if when.tzinfo is None else when


def _ceil_minute(when: _dt.datetime) -> _dt.datetime:
    floor = when.replace(second=0, microsecond=0)
    return floor if floor == when else floor + CADENCE


# -- alarms ----------------------------------------------------------------------------------


def _watches_metric(alarm: Alarm) -> bool:
    return (
        alarm.namespace == NAMESPACE
        and alarm.metric_name == METRIC
        and not alarm.metric_data_queries
        and alarm.rule is None
    )


def _statistic(name: str, values: list[float]) -> float:
    if name == "Minimum":
        return min(values)
    if name == "Maximum":
        return max(values)
    if name == "Sum":
        return sum(values)
    if name == "SampleCount":
        return float(len(values))
    return sum(values) / len(values)


def evaluate(backend: CloudWatchBackend, alarm: Alarm) -> None:
    """Bring one alarm on the metric up to the mock's now (state, reason, reason data)."""
    compare = _COMPARE.get(alarm.comparison_operator)
    if compare is None or not alarm.period:
        return  # anomaly-detection comparisons: left as moto keeps them
    period = _dt.timedelta(seconds=int(alarm.period))
    periods = int(alarm.evaluation_periods or 1)
    needed = int(alarm.datapoints_to_alarm or periods)
    now = clock.now()
    start = now - period * periods
    wanted = {(d.name, d.value) for d in alarm.dimensions}
    # The periods end at now and include it: the datapoint of this very minute counts.
    points = [
        p
        for p in datapoints(backend.account_id, backend.region_name, start, now + _TICK)
        if {(d.name, d.value) for d in p.dimensions} == wanted
    ]
    values: list[float | None] = []
    for index in range(periods):
        low = start + period * index
        inside = [p.value for p in points if low < _aware(p.timestamp) <= low + period]
        values.append(_statistic(alarm.statistic or "Average", inside) if inside else None)
    treat = alarm.treat_missing_data or "missing"
    present = [v for v in values if v is not None]
    if not present and treat in ("missing", "ignore"):
        state = "INSUFFICIENT_DATA" if treat == "missing" else alarm.state_value
    else:
        breaching = sum(1 for v in present if compare(v, alarm.threshold))
        if treat == "breaching":
            breaching += len(values) - len(present)
        state = "ALARM" if breaching >= needed else "OK"
    if state == alarm.state_value:
        return
    shown = ", ".join(f"{v}" for v in present) or "no datapoints"
    reason = (
        f"Threshold Crossed: {len(present)} datapoint(s) [{shown}] evaluated against "
        f"the threshold ({alarm.threshold}) with {alarm.comparison_operator}."
    )
    data = {"version": "1.0", "queryDate": now.isoformat(), "recentDatapoints": present}
    alarm.update_state(reason, json.dumps(data), state)


def _evaluate_all(backend: CloudWatchBackend) -> None:
    for alarm in list(backend.alarms.values()):
        if _watches_metric(alarm):
            evaluate(backend, alarm)


# -- the wrappers ----------------------------------------------------------------------------


def _wrap_all_metrics(original: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    def get_all_metrics(self: CloudWatchBackend) -> list[Any]:
        found = list(original(self))
        window = getattr(_window, "value", None)
        if window is not None:
            found.extend(datapoints(self.account_id, self.region_name, *window))
        else:  # ListMetrics: the metric exists while a key's material expires
            for key_id, _, valid_to in expiring_keys(self.account_id, self.region_name):
                seconds = float(int((valid_to - clock.now()).total_seconds()))
                dims = [{"Name": DIMENSION, "Value": key_id}]
                found.append(MetricDatum(NAMESPACE, METRIC, seconds, dims, None, UNIT))
        return found

    return get_all_metrics


def _wrap_windowed(original: Callable[..., Any], start_at: int) -> Callable[..., Any]:
    """A read that names its time window (positional ``start_at``, ``start_at + 1`` or the
    ``start_time`` / ``end_time`` keywords): the generated datapoints cover exactly it."""

    def read(self: CloudWatchBackend, *args: Any, **kwargs: Any) -> Any:
        start = kwargs.get("start_time", args[start_at] if len(args) > start_at else None)
        end = kwargs.get("end_time", args[start_at + 1] if len(args) > start_at + 1 else None)
        if isinstance(start, _dt.datetime) and isinstance(end, _dt.datetime):
            _window.value = (start.replace(microsecond=0), end.replace(microsecond=0))
        try:
            return original(self, *args, **kwargs)
        finally:
            _window.value = None

    return read


def _wrap_alarm_read(original: Callable[..., Iterable[Alarm]]) -> Callable[..., Iterable[Alarm]]:
    def read(self: CloudWatchBackend, *args: Any, **kwargs: Any) -> Iterable[Alarm]:
        _evaluate_all(self)
        return original(self, *args, **kwargs)

    return read


_ALARM_READS = (
    "describe_alarms",
    "get_alarms_by_action_prefix",
    "get_alarms_by_alarm_name_prefix",
    "get_alarms_by_alarm_names",
    "get_alarms_by_state_value",
)


def install(patches: Patches) -> None:
    """Wrap moto's CloudWatch metric and alarm reads; ``patches`` restores them on stop."""
    targets: list[tuple[str, Callable[[Callable[..., Any]], Callable[..., Any]]]] = [
        ("get_all_metrics", _wrap_all_metrics),
        ("get_metric_data", lambda f: _wrap_windowed(f, 1)),
        ("get_metric_statistics", lambda f: _wrap_windowed(f, 2)),
    ]
    targets += [(name, _wrap_alarm_read) for name in _ALARM_READS]
    for name, wrap in targets:
        original = patches.original(CloudWatchBackend, name)
        wrapper = wrap(original)
        wrapper.__name__ = name
        wrapper.__doc__ = original.__doc__
        patches.set(CloudWatchBackend, name, wrapper)

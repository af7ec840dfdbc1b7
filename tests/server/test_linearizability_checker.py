"""The checker the parallel test relies on finds explanations, and refuses impossible histories."""

from __future__ import annotations

from linearizability import Call, serial_order


def register(state: int, op: str) -> tuple[int, object]:
    if op.startswith("write"):
        return int(op[5:]), "ok"
    return state, state  # read


def test_overlapping_calls_may_take_effect_in_either_order() -> None:
    calls = [
        Call(0, "write1", 0.0, 3.0, "ok"),
        Call(1, "write2", 1.0, 2.0, "ok"),
        Call(2, "read", 4.0, 5.0, 1),
    ]
    order = serial_order(calls, 0, register)
    assert order is not None
    assert [c.op for c in order] == ["write2", "write1", "read"]


def test_a_read_of_an_overwritten_value_has_no_explanation() -> None:
    calls = [
        Call(0, "write1", 0.0, 1.0, "ok"),
        Call(1, "write2", 2.0, 3.0, "ok"),
        Call(2, "read", 4.0, 5.0, 1),
    ]
    assert serial_order(calls, 0, register) is None


def test_real_time_order_is_respected() -> None:
    # The read finished before write1 began, so it cannot have seen 1.
    calls = [Call(0, "read", 0.0, 1.0, 1), Call(1, "write1", 2.0, 3.0, "ok")]
    assert serial_order(calls, 0, register) is None

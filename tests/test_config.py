from __future__ import annotations

import dataclasses

import pytest

from gameservices import DEFAULT, RetryPolicy, Timeouts


def test_timeouts_defaults_and_frozen() -> None:
    t = Timeouts()
    assert (t.total, t.connect) == (15.0, 5.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.total = 1  # type: ignore[misc]  # assigning to a frozen field is the error tested


@pytest.mark.parametrize("bad", [0, -1.0])
def test_timeouts_reject_non_positive(bad: float) -> None:
    with pytest.raises(ValueError, match="total must be > 0"):
        Timeouts(total=bad)


def test_timeouts_reject_wrong_type() -> None:
    with pytest.raises(TypeError, match="connect must be a number"):
        Timeouts(connect="5")  # type: ignore[arg-type]  # the wrong type is the point


def test_none_means_no_limit() -> None:
    assert Timeouts(total=None, connect=None).total is None


def test_default_sentinel_is_not_none() -> None:
    assert DEFAULT is not None
    assert repr(DEFAULT) == "DEFAULT"


def test_retry_backoff_is_full_jitter_with_cap() -> None:
    policy = RetryPolicy(base=0.5, cap=8.0, random=lambda: 1.0)
    assert [policy.backoff(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert RetryPolicy(random=lambda: 0.0).backoff(3) == 0.0


def test_retry_policy_validation() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="cap"):
        RetryPolicy(base=2.0, cap=1.0)
    assert RetryPolicy.none().max_attempts == 1

from __future__ import annotations

import dataclasses

import pytest

from gameservices import DEFAULT, Client, RetryPolicy, SessionOptions, Timeouts, UsageError
from gameservices._checks import int_between, is_int, is_number, positive_int, positive_number


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


def test_session_options_defaults_and_checks() -> None:
    assert SessionOptions().refresh_window == 300.0
    assert SessionOptions(refresh_window=0).refresh_window == 0  # 0: refresh only on a 401
    with pytest.raises(ValueError, match="refresh_window must be >= 0"):
        SessionOptions(refresh_window=-1)
    with pytest.raises(TypeError, match="refresh_window"):
        SessionOptions(refresh_window=True)
    with pytest.raises(TypeError, match="clock"):
        SessionOptions(clock=5.0)  # type: ignore[arg-type]  # the wrong type is the point


def test_client_checks_its_configuration_at_construction() -> None:
    with pytest.raises(TypeError, match="timeouts must be a Timeouts"):
        Client("http://127.0.0.1:7350", timeouts=5)  # type: ignore[arg-type]  # the point
    with pytest.raises(TypeError, match="retry must be a RetryPolicy"):
        Client("http://127.0.0.1:7350", retry=3)  # type: ignore[arg-type]  # the point
    with pytest.raises(TypeError, match="server_key must be a str"):
        Client("http://127.0.0.1:7350", server_key=None)  # type: ignore[arg-type]  # the point
    with pytest.raises(UsageError, match="allow_insecure"):
        Client("http://127.0.0.1:7350", assets_url="http://cdn.example.com/assets/")


@pytest.mark.parametrize("bad", [True, False, 0, -1, "2", None, float("nan")])
def test_positive_checks_refuse_bools_and_non_positives(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^x must be"):
        positive_number("x", bad)
    with pytest.raises(ValueError, match=r"^n must be an int >= 1"):
        positive_int("n", bad)


def test_positive_checks_pass_good_values_through() -> None:
    assert positive_number("x", 2) == 2.0
    assert positive_int("n", 3) == 3
    assert positive_int("n", 0, minimum=0) == 0
    assert not is_int(True)
    assert not is_number(False)
    assert is_number(0.5)
    with pytest.raises(ValueError, match="an int >= 1"):
        positive_int("n", 2.0)


@pytest.mark.parametrize("bad", [True, 0, 101, 1.5, "5", None])
def test_int_between_refuses_bools_floats_and_out_of_range(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^limit must be an int between 1 and 100, got "):
        int_between("limit", bad, 1, 100)


def test_int_between_passes_its_bounds_through() -> None:
    assert (int_between("limit", 1, 1, 100), int_between("limit", 100, 1, 100)) == (1, 100)

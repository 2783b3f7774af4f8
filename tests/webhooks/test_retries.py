"""Backoff: doubling from the first delay to the cap, jittered, never past the window."""

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.webhooks.retries import RetryPolicy, backoff, next_attempt

POLICY = RetryPolicy()
START = datetime(2026, 1, 1, tzinfo=UTC)


@given(failures=st.integers(1, 10_000), seed=st.integers(0, 2**32))
def test_each_wait_is_the_doubled_delay_jittered_within_the_cap(failures: int, seed: int) -> None:
    wait = backoff(POLICY, failures, random.Random(seed))
    doubled = min(POLICY.cap, POLICY.first * 2 ** min(failures - 1, 40))
    assert doubled * (1 - POLICY.jitter) <= wait <= min(POLICY.cap, doubled * (1 + POLICY.jitter))
    assert wait > timedelta(0)


@given(
    elapsed=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)),
    failures=st.integers(1, 100),
    seed=st.integers(0, 2**32),
)
def test_retries_stay_within_the_window_then_stop(
    elapsed: timedelta, failures: int, seed: int
) -> None:
    now = START + elapsed
    retry = next_attempt(
        POLICY, first_attempt_at=START, failures=failures, now=now, rng=random.Random(seed)
    )
    if elapsed >= POLICY.window:
        assert retry is None
    else:
        assert retry is not None and now < retry <= START + POLICY.window


@given(seed=st.integers(0, 2**32))
def test_a_delivery_failing_throughout_is_tried_about_thirty_times_in_three_days(seed: int) -> None:
    rng = random.Random(seed)
    now, failures = START, 0
    while True:
        failures += 1
        retry = next_attempt(POLICY, first_attempt_at=START, failures=failures, now=now, rng=rng)
        if retry is None:
            break
        assert retry > now
        now = retry
    assert now == START + POLICY.window  # the last try at the window's very end
    assert 25 <= failures <= 45

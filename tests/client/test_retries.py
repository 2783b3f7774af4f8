"""Rate limits, retries and errors against a fake server, with a fake clock (no real
sleeping), on the sync and the async client alike."""

import traceback
from email.utils import formatdate

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fleetcharge.client import (
    ApiResponseError,
    AuthenticationError,
    ConnectionFailedError,
    FleetsClient,
    InvalidParameterError,
    PermissionDeniedError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    Wait,
)
from fleetcharge.client.policy import retry_after_seconds
from tests.client import records as r
from tests.client.conftest import TOKEN, Fetch
from tests.client.fakes import (
    FakeApi,
    FakeClock,
    connection_refused,
    error_body,
    rate_limited,
    read_timeout,
    status,
)


def five_sessions() -> FakeApi:
    return FakeApi({"usage": [r.usage(f"s{i}") for i in range(5)]}, page_size=3)


def uuids(items: list) -> list[str]:
    return [item.uuid for item in items]


def test_a_429_waits_until_the_reset_then_retries(fetch: Fetch, clock: FakeClock) -> None:
    api = five_sessions()
    api.script.extend([None, rate_limited(reset=clock.now + 42)])
    waits: list[Wait] = []
    assert uuids(fetch(api, "usage", waits)) == ["s0", "s1", "s2", "s3", "s4"]
    assert clock.sleeps == [42]
    (wait,) = waits
    assert (wait.reason, wait.cause, wait.seconds) == ("rate_limit", "HTTP 429", 42)
    assert wait.until == clock.now
    assert [req.url.params.get("page") for req in api.requests] == [None, "2", "2"]


def test_a_small_reset_is_read_as_seconds_from_now(fetch: Fetch, clock: FakeClock) -> None:
    api = five_sessions()
    api.script.append(rate_limited(reset=30))  # not 1970: 30 s from now
    fetch(api, "usage")
    assert clock.sleeps == [30]


def test_retry_after_wins_when_it_is_later_than_the_reset(fetch: Fetch, clock: FakeClock) -> None:
    api = five_sessions()
    api.script.append(rate_limited(reset=clock.now + 10, retry_after="30"))
    fetch(api, "usage")
    assert clock.sleeps == [30]


def test_an_exhausted_window_is_waited_out_before_the_next_request(
    fetch: Fetch, clock: FakeClock
) -> None:
    start = clock.now

    def headers(pages_served: int) -> dict[str, str]:
        remaining = "0" if pages_served == 1 else "5"
        return {"X-RateLimit-Remaining": remaining, "X-RateLimit-Reset": str(int(start) + 900)}

    api = FakeApi({"usage": [r.usage(f"s{i}") for i in range(5)]}, page_size=3, headers=headers)
    waits: list[Wait] = []
    assert len(fetch(api, "usage", waits)) == 5
    assert clock.sleeps == [900]  # before page 2, and no 429 was needed
    assert waits[0].cause == "X-RateLimit-Remaining: 0"
    assert len(api.requests) == 2


def test_transient_failures_are_retried_with_exponential_backoff(
    fetch: Fetch, clock: FakeClock
) -> None:
    api = five_sessions()
    api.script.extend([connection_refused, status(502), status(503), read_timeout])
    waits: list[Wait] = []
    assert len(fetch(api, "usage", waits)) == 5
    # jitter 0.5: half of each step fixed, a quarter of it random: 0.75 x 0.5, 1, 2, 4
    assert clock.sleeps == [0.375, 0.75, 1.5, 3.0]
    assert [w.cause for w in waits] == ["ConnectError", "HTTP 502", "HTTP 503", "ReadTimeout"]
    assert [(w.reason, w.attempt, w.max_attempts) for w in waits] == [
        ("retry", n, 5) for n in (1, 2, 3, 4)
    ]


def test_a_503_retry_after_is_honoured(fetch: Fetch, clock: FakeClock) -> None:
    api = five_sessions()
    api.script.append(status(503, {"Retry-After": "7"}))
    fetch(api, "usage")
    assert clock.sleeps == [7]


def test_retries_are_bounded(fetch: Fetch, clock: FakeClock) -> None:
    api = five_sessions()
    api.script.extend([status(504, body=error_body("gateway_timeout", "upstream"))] * 5)
    with pytest.raises(ServerError) as raised:
        fetch(api, "usage")
    assert raised.value.status_code == 504 and raised.value.code == "gateway_timeout"
    assert len(api.requests) == 5 and len(clock.sleeps) == 4

    api = five_sessions()
    api.script.extend([connection_refused] * 5)
    with pytest.raises(ConnectionFailedError, match="after 5 attempt"):
        fetch(api, "usage")


def test_an_html_error_page_from_a_proxy_still_makes_a_clear_error(
    fetch: Fetch, clock: FakeClock
) -> None:
    api = five_sessions()
    api.script.append(lambda request: httpx.Response(500, text="<html>oops"))
    with pytest.raises(ServerError, match="500 http_500"):
        fetch(api, "usage")
    assert clock.sleeps == []  # 500 is not one of the transient statuses


@pytest.mark.parametrize(
    ("code", "error_type", "body"),
    [
        (401, AuthenticationError, error_body("unauthorized", "invalid token")),
        (403, PermissionDeniedError, error_body("forbidden", "token may not read usage")),
        (400, InvalidParameterError, error_body("invalid_parameter", "bad date", "date_from")),
    ],
)
def test_client_errors_are_raised_at_once_with_the_servers_body(
    fetch: Fetch, clock: FakeClock, code: int, error_type: type[ApiResponseError], body: dict
) -> None:
    api = five_sessions()
    api.script.append(status(code, {"WWW-Authenticate": "Bearer"}, body))
    with pytest.raises(error_type) as raised:
        fetch(api, "usage", date_from="2024-13-01")
    error = raised.value
    assert len(api.requests) == 1 and clock.sleeps == []
    assert error.status_code == code
    assert error.detail.model_dump(exclude_none=True) == body["error"]
    assert body["error"]["message"] in str(error)
    if code == 400:
        assert error.parameter == "date_from" and "(parameter date_from)" in str(error)
    text = str(error) + repr(error) + "".join(traceback.format_exception(error))
    assert TOKEN not in text


def test_the_token_travels_only_in_the_authorization_header(clock: FakeClock) -> None:
    api = five_sessions()
    client = FleetsClient("http://fleets.test/", TOKEN, transport=api.transport())
    list(client.usage())
    assert {req.headers["Authorization"] for req in api.requests} == {f"Bearer {TOKEN}"}
    assert all(TOKEN not in str(req.url) for req in api.requests)
    assert TOKEN not in repr(client) and TOKEN not in str(vars(client))
    with pytest.raises(ValueError) as raised:
        FleetsClient("http://fleets.test", "fct_with a space")
    assert "with a space" not in str(raised.value)


def test_rate_limit_waits_are_bounded(fetch: Fetch, clock: FakeClock) -> None:
    api = five_sessions()
    api.script.extend([rate_limited(reset=clock.now + 1)] * 11)
    with pytest.raises(RateLimitedError):
        fetch(api, "usage")
    assert len(clock.sleeps) == 10

    api = five_sessions()
    api.script.append(rate_limited(reset=clock.now + 86_400))  # a day away: not waited
    with pytest.raises(RateLimitedError, match="429 rate_limited"):
        fetch(api, "usage")


def test_retry_after_takes_seconds_or_an_http_date() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds(formatdate(now + 90, usegmt=True), now) == 90
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


@given(
    retry=st.integers(1, 30),
    jitter=st.floats(0, 1, exclude_max=True),
    base=st.floats(0.01, 5),
    ceiling=st.floats(5, 120),
)
def test_backoff_grows_exponentially_within_its_bounds(
    retry: int, jitter: float, base: float, ceiling: float
) -> None:
    policy = RetryPolicy(backoff_base=base, backoff_max=ceiling)
    step = min(ceiling, base * 2 ** (retry - 1))
    delay = policy.backoff(retry, jitter)
    assert step / 2 <= delay <= step

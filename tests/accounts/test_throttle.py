"""The sign-in throttle: 5 failures per email or 20 per address within 15 minutes, then a
refusal with the seconds to wait; shared through Redis, and never stopped by a broken one."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fleetcharge.accounts.sign_in import SignInRefused, SignInThrottle, SignInThrottled, sign_in
from fleetcharge.accounts.throttle import FAILURES_PER_ADDRESS, FAILURES_PER_EMAIL, WINDOW_S
from fleetcharge.db import unit_of_work
from fleetcharge.ratelimit.service import make_storage
from fleetcharge.settings import Settings
from tests.accounts.helpers import ADDRESS, PASSWORD, T0, person

ANN = "ann@acme.example"


@pytest.fixture
def ann(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        person(db, ANN)


def _fail(db: Session, throttle: SignInThrottle, email: str, address: str, seconds: int) -> None:
    with pytest.raises(SignInRefused):
        sign_in(
            db, throttle, email, "wrong password!", address, now=T0 + timedelta(seconds=seconds)
        )


def test_five_failures_for_an_email_refuse_it_from_anywhere_for_15_minutes(
    engine: Engine, ann: None
) -> None:
    throttle = SignInThrottle()
    with unit_of_work(engine) as db:
        for n in range(FAILURES_PER_EMAIL):
            _fail(db, throttle, ANN, f"198.51.100.{n}", seconds=n * 60)
        last = T0 + timedelta(minutes=FAILURES_PER_EMAIL - 1)
        # Even the right password, from a new address, in another spelling.
        with pytest.raises(SignInThrottled) as throttled:
            sign_in(
                db,
                throttle,
                " Ann@Acme.Example",
                PASSWORD,
                ADDRESS,
                now=last + timedelta(seconds=100),
            )
        assert throttled.value.status_code == 429
        assert throttled.value.retry_after_s == WINDOW_S - 100
        # Another person is not held up.
        person(db, "bob@acme.example")
        sign_in(db, throttle, "bob@acme.example", PASSWORD, ADDRESS, now=last)
        with pytest.raises(SignInThrottled):
            sign_in(
                db, throttle, ANN, PASSWORD, ADDRESS, now=last + timedelta(seconds=WINDOW_S - 1)
            )
        sign_in(db, throttle, ANN, PASSWORD, ADDRESS, now=last + timedelta(seconds=WINDOW_S))


def test_failures_spread_wider_than_15_minutes_are_not_refused(engine: Engine, ann: None) -> None:
    throttle = SignInThrottle()
    with unit_of_work(engine) as db:
        for n in range(2 * FAILURES_PER_EMAIL):
            _fail(db, throttle, ANN, ADDRESS, seconds=n * (int(WINDOW_S) + 1))


def test_a_successful_sign_in_forgets_the_emails_failures(engine: Engine, ann: None) -> None:
    throttle = SignInThrottle()
    with unit_of_work(engine) as db:
        for n in range(FAILURES_PER_EMAIL - 1):
            _fail(db, throttle, ANN, ADDRESS, seconds=n)
        sign_in(db, throttle, ANN, PASSWORD, ADDRESS, now=T0 + timedelta(seconds=10))
        for n in range(FAILURES_PER_EMAIL - 1):
            _fail(db, throttle, ANN, ADDRESS, seconds=20 + n)
        sign_in(db, throttle, ANN, PASSWORD, ADDRESS, now=T0 + timedelta(seconds=30))


def test_twenty_failures_from_an_address_refuse_it_for_any_email(engine: Engine, ann: None) -> None:
    throttle = SignInThrottle()
    with unit_of_work(engine) as db:
        for n in range(FAILURES_PER_ADDRESS):
            _fail(db, throttle, f"guess{n}@acme.example", ADDRESS, seconds=n)
        with pytest.raises(SignInThrottled) as throttled:
            sign_in(db, throttle, ANN, PASSWORD, ADDRESS, now=T0 + timedelta(seconds=60))
        assert throttled.value.retry_after_s == WINDOW_S - (60 - (FAILURES_PER_ADDRESS - 1))
        # The person, from their own address, signs in.
        sign_in(db, throttle, ANN, PASSWORD, "192.0.2.1", now=T0 + timedelta(seconds=60))


def test_processes_sharing_redis_refuse_together(
    engine: Engine, ann: None, redis_url: str, redis_prefix: str
) -> None:
    settings = Settings(redis_url=redis_url, redis_key_prefix=redis_prefix)
    first, second = SignInThrottle.from_settings(settings), SignInThrottle.from_settings(settings)
    assert first.shared is not None
    with unit_of_work(engine) as db:
        for n in range(FAILURES_PER_EMAIL):
            _fail(db, first if n % 2 else second, ANN, ADDRESS, seconds=n)
        with pytest.raises(SignInThrottled):
            sign_in(db, SignInThrottle.from_settings(settings), ANN, PASSWORD, ADDRESS, now=T0)
        # Nothing was counted in either process's own memory.
        assert first.local.failures([f"email:{ANN}"], T0.timestamp()) == [None]


def test_a_broken_redis_never_stops_a_sign_in_and_counts_in_process(
    engine: Engine, ann: None, caplog: pytest.LogCaptureFixture
) -> None:
    throttle = SignInThrottle(make_storage("redis://127.0.0.1:1/0", "fc", timeout_s=0.2))
    with unit_of_work(engine) as db:
        sign_in(db, throttle, ANN, PASSWORD, ADDRESS, now=T0)
        for n in range(FAILURES_PER_EMAIL):
            _fail(db, throttle, ANN, ADDRESS, seconds=n)
        with pytest.raises(SignInThrottled):
            sign_in(db, throttle, ANN, PASSWORD, ADDRESS, now=T0 + timedelta(seconds=10))
    assert "Redis unavailable" in caplog.text


def test_without_redis_each_process_counts_its_own() -> None:
    throttle = SignInThrottle.from_settings(Settings(redis_url=None))
    assert throttle.shared is None
    for n in range(FAILURES_PER_EMAIL):
        throttle.failed(ANN, ADDRESS, T0.timestamp() + n)
    assert throttle.wait(ANN, "192.0.2.1", T0.timestamp() + 4) == WINDOW_S
    assert SignInThrottle().wait(ANN, ADDRESS, T0.timestamp() + 4) == 0

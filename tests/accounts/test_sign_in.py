"""Signing in, the session that follows (absolute and idle expiry, use refreshing it at
most once a minute), signing out, and the one answer for every wrong email or password."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.accounts import people
from fleetcharge.accounts import sign_in as sign_in_module
from fleetcharge.accounts.console_sessions import IDLE, LIFETIME, SEEN_EVERY, is_live
from fleetcharge.accounts.passwords import needs_rehash, verify_password
from fleetcharge.accounts.sign_in import (
    SESSION_COOKIE,
    SignInRefused,
    SignInThrottle,
    sign_in,
    sign_out,
    signed_in,
)
from fleetcharge.db import unit_of_work
from fleetcharge.kit.tokens import hash_secret
from fleetcharge.models import Account, ConsoleSession
from fleetcharge.permissions import Actor
from tests import factories as f
from tests.accounts.helpers import ADDRESS, PASSWORD, T0, person, signed_in_secret


def test_signing_in_opens_a_session_the_cookie_secret_finds(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        organisation = f.organisation(db, "Acme Logistics")
        account = person(db, "Ann@Acme.Example", organisation=organisation)
        account_id, account_uuid, org_uuid = account.id, account.uuid, organisation.uuid
        secret, who = sign_in(db, SignInThrottle(), " ANN@acme.example ", PASSWORD, ADDRESS, now=T0)
    assert SESSION_COOKIE == "fleetcharge_session"
    assert secret.startswith("fcs_") and len(secret) == 47  # 256 random bits
    assert who.email == "ann@acme.example"
    assert who.name == "Ann"
    assert who.actor == Actor(
        name="Ann",
        role="fleet_manager",
        account_id=account_id,
        account_uuid=account_uuid,
        organisation_id=organisation.id,
    )
    assert (who.organisation_uuid, who.organisation_name) == (org_uuid, "Acme Logistics")
    assert who.expires_at == T0 + timedelta(hours=12)
    assert len(who.csrf_token) >= 43
    with Session(engine) as db:
        row = db.scalars(select(ConsoleSession)).one()
        assert row.secret_sha256 == hash_secret(secret) != secret  # never stored in clear
        again = signed_in(db, secret, now=T0 + timedelta(minutes=5))
    assert again == who


def test_an_operator_signs_in_without_an_organisation(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        person(db, "ops@operator.example", role="admin")
        _, who = sign_in(db, SignInThrottle(), "ops@operator.example", PASSWORD, ADDRESS, now=T0)
    assert who.actor.role == "admin"
    assert who.actor.organisation_id is None
    assert (who.organisation_uuid, who.organisation_name) == (None, None)


def test_wrong_password_unknown_email_and_disabled_account_get_one_answer(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str | None] = []

    def counting_verify(encoded: str | None, password: str) -> bool:
        checked.append(encoded)
        return verify_password(encoded, password)

    monkeypatch.setattr(sign_in_module, "verify_password", counting_verify)
    throttle = SignInThrottle()
    with unit_of_work(engine) as db:
        person(db, "ann@acme.example")
        disabled = person(db, "bob@acme.example")
        people.disable_person(db, Actor.command_line(), disabled)
        never_set = person(db, "cat@acme.example", password=None)
        assert never_set.password_hash is None
        attempts = [
            ("ann@acme.example", "not the password!"),
            ("nobody@acme.example", PASSWORD),
            ("bob@acme.example", PASSWORD),
            ("cat@acme.example", PASSWORD),
            ("", PASSWORD),
            ("ann@acme.example", PASSWORD + "x" * 2000),
        ]
        messages: set[str] = set()
        for email, password in attempts:
            with pytest.raises(SignInRefused) as refused:
                sign_in(db, throttle, email, password, f"198.51.100.{len(messages)}", now=T0)
            assert refused.value.status_code == 401
            messages.add(refused.value.message)
        assert db.scalars(select(ConsoleSession)).all() == []
    assert messages == {"wrong email or password"}
    # A hash was checked every time, also with no account (unknown email) or no password.
    assert len(checked) == len(attempts)
    assert checked[1] is None and checked[3] is None


def test_signing_in_rehashes_a_password_hashed_with_weaker_parameters(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        account = person(db)
        weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
        account.password_hash = weak
    with unit_of_work(engine) as db:
        sign_in(db, SignInThrottle(), "ann@acme.example", PASSWORD, ADDRESS, now=T0)
    with Session(engine) as db:
        stored = db.scalars(select(Account.password_hash)).one()
    assert stored is not None and stored != weak
    assert not needs_rehash(stored)
    assert verify_password(stored, PASSWORD)


def test_a_session_used_regularly_still_ends_12_hours_after_sign_in(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        person(db)
        secret = signed_in_secret(db)
    moment = T0
    while moment < T0 + LIFETIME - timedelta(minutes=30):
        moment += timedelta(minutes=30)
        with unit_of_work(engine) as db:
            assert signed_in(db, secret, now=moment) is not None, moment
    with unit_of_work(engine) as db:
        assert signed_in(db, secret, now=T0 + LIFETIME - timedelta(seconds=1)) is not None
        assert signed_in(db, secret, now=T0 + LIFETIME) is None


def test_a_session_ends_after_2_idle_hours_and_use_keeps_it(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        person(db)
        idle = signed_in_secret(db)
        used = signed_in_secret(db)
    with unit_of_work(engine) as db:
        assert signed_in(db, used, now=T0 + timedelta(hours=1, minutes=30)) is not None
    with unit_of_work(engine) as db:
        assert signed_in(db, idle, now=T0 + IDLE - timedelta(seconds=1)) is not None
    with unit_of_work(engine) as db:
        # Seen at 1:59:59 a moment ago; idle since 0:00 counts from that use.
        assert signed_in(db, idle, now=T0 + IDLE + timedelta(minutes=30)) is not None
        assert signed_in(db, used, now=T0 + timedelta(hours=3, minutes=30)) is None


def test_use_is_written_at_most_once_a_minute(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        person(db)
        secret = signed_in_secret(db)

    def last_seen() -> object:
        with Session(engine) as db:
            return db.scalars(select(ConsoleSession.last_seen_at)).one()

    with unit_of_work(engine) as db:
        signed_in(db, secret, now=T0 + SEEN_EVERY - timedelta(seconds=1))
    assert last_seen() == T0
    with unit_of_work(engine) as db:
        signed_in(db, secret, now=T0 + SEEN_EVERY)
    assert last_seen() == T0 + SEEN_EVERY


@given(
    since_sign_in=st.integers(min_value=0, max_value=14 * 3600),
    since_seen=st.integers(min_value=0, max_value=3 * 3600),
)
def test_a_session_is_live_exactly_within_both_limits(since_sign_in: int, since_seen: int) -> None:
    since_seen = min(since_seen, since_sign_in)
    now = T0 + timedelta(seconds=since_sign_in)
    row = ConsoleSession(
        created_at=T0, last_seen_at=now - timedelta(seconds=since_seen), expires_at=T0 + LIFETIME
    )
    row.account = Account(name="Ann", role="admin")
    expected = since_sign_in < LIFETIME.total_seconds() and since_seen < IDLE.total_seconds()
    assert is_live(row, now) is expected


def test_signing_out_ends_only_that_session(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        person(db)
        phone, laptop = signed_in_secret(db), signed_in_secret(db)
    with unit_of_work(engine) as db:
        sign_out(db, phone)
        sign_out(db, phone)  # twice: nothing more happens
        sign_out(db, None)
        sign_out(db, "fcs_not-a-session")
    with unit_of_work(engine) as db:
        assert signed_in(db, phone, now=T0) is None
        assert signed_in(db, laptop, now=T0) is not None


@pytest.mark.parametrize("secret", [None, "", "fcs_unknown", "x" * 5000])
def test_no_or_an_unknown_cookie_is_nobody(engine: Engine, secret: str | None) -> None:
    with unit_of_work(engine) as db:
        person(db)
        signed_in_secret(db)
        assert signed_in(db, secret, now=T0) is None


def test_disabling_a_person_ends_their_sessions(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        account = person(db)
        secret = signed_in_secret(db)
    with unit_of_work(engine) as db:
        people.disable_person(db, Actor.command_line(), db.get_one(Account, account.id))
    with unit_of_work(engine) as db:
        assert signed_in(db, secret, now=T0) is None
        assert db.scalars(select(ConsoleSession.ended_at)).one() is not None

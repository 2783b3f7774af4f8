"""One-time links to choose a password: used once, an hour long, a newer one ends the
older, and using one ends the person's sessions."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.accounts import people
from fleetcharge.accounts.sign_in import (
    SignInRefused,
    SignInThrottle,
    reset_password,
    reset_token_account,
    sign_in,
    signed_in,
)
from fleetcharge.db import unit_of_work
from fleetcharge.errors import InvalidField, NotFound
from fleetcharge.kit.tokens import hash_secret
from fleetcharge.models import Account, AuditEvent, PasswordResetToken
from fleetcharge.models.base import utcnow
from fleetcharge.permissions import Actor
from tests.accounts.helpers import ADDRESS, PASSWORD, T0, person

NEW = "a different passphrase"
UNUSABLE = "this password link is unknown, used or expired: ask for a new one"


def _unusable(db: Session, token: str, **kwargs: object) -> None:
    with pytest.raises(NotFound) as found:
        reset_token_account(db, token, **kwargs)  # type: ignore[arg-type]
    assert found.value.message == UNUSABLE
    with pytest.raises(NotFound) as found:
        reset_password(db, token, NEW, **kwargs)  # type: ignore[arg-type]
    assert found.value.message == UNUSABLE


def test_a_new_person_chooses_a_password_once_with_their_link(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        account, token = people.create_person(
            db, Actor.command_line(), "ops@operator.example", "Ops", "support", None
        )
        stored = db.scalars(select(PasswordResetToken.secret_sha256)).one()
        assert stored == hash_secret(token) != token
        assert reset_token_account(db, token).id == account.id
        with pytest.raises(SignInRefused):  # no password yet
            sign_in(db, SignInThrottle(), "ops@operator.example", "", ADDRESS)
        assert reset_password(db, token, PASSWORD).id == account.id
        _unusable(db, token)
        sign_in(db, SignInThrottle(), "ops@operator.example", PASSWORD, ADDRESS)
        actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["create", "set_password"]


def test_a_link_lasts_one_hour(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        account = person(db)
        token = people.issue_reset_token(db, Actor.command_line(), account)
        issued = utcnow()
        assert reset_token_account(db, token, now=issued + timedelta(minutes=59)).id == account.id
        _unusable(db, token, now=issued + timedelta(hours=1, seconds=1))


def test_a_newer_link_ends_the_older_and_the_old_password_works_until_used(
    engine: Engine,
) -> None:
    with unit_of_work(engine) as db:
        account = person(db)
        older = people.issue_reset_token(db, Actor.command_line(), account)
        newer = people.issue_reset_token(db, Actor.command_line(), account)
        _unusable(db, older)
        sign_in(db, SignInThrottle(), account.email or "", PASSWORD, ADDRESS)
        reset_password(db, newer, NEW)
        with pytest.raises(SignInRefused):
            sign_in(db, SignInThrottle(), account.email or "", PASSWORD, ADDRESS)
        sign_in(db, SignInThrottle(), account.email or "", NEW, ADDRESS)


def test_setting_a_password_ends_every_session_of_the_person(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        account = person(db)
        other = person(db, "bob@acme.example")
        secrets = [
            sign_in(db, SignInThrottle(), email, PASSWORD, ADDRESS, now=T0)[0]
            for email in ("ann@acme.example", "ann@acme.example", "bob@acme.example")
        ]
        token = people.issue_reset_token(db, Actor.command_line(), account)
        reset_password(db, token, NEW, now=T0 + timedelta(minutes=1))
        assert [signed_in(db, s, now=T0 + timedelta(minutes=2)) for s in secrets[:2]] == [
            None,
            None,
        ]
        bob = signed_in(db, secrets[2], now=T0 + timedelta(minutes=2))
        assert bob is not None and bob.actor.account_id == other.id


def test_a_weak_password_is_refused_and_the_link_still_works(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        account = person(db, password=None)
        token = people.issue_reset_token(db, Actor.command_line(), account)
        for weak in ("too short", "ann@acme.example", "z" * 20):
            with pytest.raises(InvalidField) as invalid:
                reset_password(db, token, weak)
            assert invalid.value.field == "password"
        reset_password(db, token, NEW)
        assert db.get_one(Account, account.id).password_hash is not None


def test_links_of_a_disabled_person_and_unknown_links_are_unusable(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        account = person(db, password=None)
        token = people.issue_reset_token(db, Actor.command_line(), account)
        people.disable_person(db, Actor.command_line(), account)
        _unusable(db, token)
        for unknown in ("", "fcr_unknown", "fcr_" + "x" * 500):
            _unusable(db, unknown)

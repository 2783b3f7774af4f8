"""People for the sign-in tests: created through `people`, with a password set by their
one-time link, as a person would."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from fleetcharge.accounts import people
from fleetcharge.accounts.sign_in import SignInThrottle, reset_password, sign_in
from fleetcharge.models import Account, Organisation
from fleetcharge.models.account import ORGANISATION_ROLES
from fleetcharge.permissions import Actor
from tests import factories as f

PASSWORD = "a long enough passphrase"
ADDRESS = "203.0.113.7"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def person(
    db: Session,
    email: str = "ann@acme.example",
    role: str = "fleet_manager",
    organisation: Organisation | None = None,
    password: str | None = PASSWORD,
) -> Account:
    if organisation is None and role in ORGANISATION_ROLES:
        organisation = f.organisation(db)
    account, token = people.create_person(
        db, Actor.command_line(), email, email.split("@")[0].title(), role, organisation
    )
    if password is not None:
        reset_password(db, token, password)
    return account


def signed_in_secret(db: Session, email: str = "ann@acme.example") -> str:
    secret, _ = sign_in(db, SignInThrottle(), email, PASSWORD, ADDRESS, now=T0)
    return secret

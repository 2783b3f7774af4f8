"""The demo's people, who sign in to the web console: one per demo organisation (its fleet
manager, or the site host of an organisation without fleets) and an operator admin. Each
start gives them new generated passwords, shown only this once, as the tokens are."""

import re
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.accounts import people
from fleetcharge.accounts.passwords import generate_password
from fleetcharge.db import unit_of_work
from fleetcharge.demo.loader import DemoResult
from fleetcharge.errors import NotFound
from fleetcharge.models import Account, Fleet, Organisation
from fleetcharge.permissions import Actor

OPERATOR_EMAIL = "admin@operator.example"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    password: str
    role: str
    organisation: str | None  # its name; None for the operator's admin

    def view(self) -> dict[str, str | None]:
        return {
            "email": self.email,
            "password": self.password,
            "role": self.role,
            "organisation": self.organisation,
        }


def slug(name: str) -> str:
    """`Outback Freight Co.` -> `outback-freight-co`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def renew_demo_people(engine: Engine, result: DemoResult) -> list[DemoPerson]:
    """The operator's admin, then one person per demo organisation, each with a new
    password (created on the first start; signed out of earlier starts' sessions)."""
    actor = Actor(name="fleetcharge demo", role="admin")
    found = []
    with unit_of_work(engine) as db:
        wanted: list[tuple[str, str, Organisation | None]] = [(OPERATOR_EMAIL, "admin", None)]
        for demo_org in result.organisations:
            org = db.get_one(Organisation, demo_org.id)
            has_fleets = db.scalar(select(Fleet.id).where(Fleet.organisation_id == org.id).limit(1))
            role, mailbox = ("fleet_manager", "fleet") if has_fleets else ("site_host", "host")
            wanted.append((f"{mailbox}@{slug(org.name)}.example", role, org))
        for email, role, organisation in wanted:
            account = _person(db, actor, email, role, organisation)
            if account.disabled_at is not None:
                continue  # disabled by someone trying the demo: left so
            password = generate_password()
            people.set_password(db, actor, account, password)
            name = organisation.name if organisation else None
            found.append(DemoPerson(email, password, account.role, name))
    return found


def _person(
    db: Session, actor: Actor, email: str, role: str, organisation: Organisation | None
) -> Account:
    try:
        return people.find_person(db, email)
    except NotFound:
        name = f"{organisation.name} {role.replace('_', ' ')}" if organisation else "Operator admin"
        return people.create_person(db, actor, email, name, role, organisation)[0]

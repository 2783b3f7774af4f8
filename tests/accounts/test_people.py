"""Creating, finding, listing and disabling people, audited; only admins manage them."""

import pytest
from sqlalchemy import Engine, select

from fleetcharge.accounts import people
from fleetcharge.accounts.service import create_account
from fleetcharge.db import unit_of_work
from fleetcharge.errors import Conflict, Forbidden, InvalidField, NotFound
from fleetcharge.models import AuditEvent
from fleetcharge.permissions import Actor
from tests import factories as f
from tests.accounts.helpers import person

ADMIN = Actor.command_line()


def test_a_person_is_created_lower_cased_without_a_password_and_audited(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        organisation = f.organisation(db, "Harbour Car Park")
        account, token = people.create_person(
            db, ADMIN, " Host@Harbour.Example ", "Hana Host", "site_host", organisation
        )
        view = people.person_view(account)
        event = db.scalars(select(AuditEvent)).one()
    assert token.startswith("fcr_")
    assert view["email"] == "host@harbour.example"
    assert (view["name"], view["role"], view["has_password"]) == ("Hana Host", "site_host", False)
    assert view["organisation"] == {"uuid": str(organisation.uuid), "name": "Harbour Car Park"}
    assert (event.action, event.resource, event.resource_uuid) == (
        "create",
        "account",
        account.uuid,
    )
    assert event.after == view
    assert "password_hash" not in str(event.after)


@pytest.mark.parametrize(
    ("email", "role", "with_org", "field"),
    [
        ("not-an-email", "admin", False, "email"),
        ("a@b.example", "fleet_manager", False, "role"),
        ("a@b.example", "admin", True, "role"),
        ("a@b.example", "owner", True, "role"),
    ],
)
def test_bad_input_names_its_field(
    engine: Engine, email: str, role: str, with_org: bool, field: str
) -> None:
    with unit_of_work(engine) as db:
        organisation = f.organisation(db) if with_org else None
        with pytest.raises(InvalidField) as invalid:
            people.create_person(db, ADMIN, email, "Someone", role, organisation)
    assert invalid.value.field == field


def test_one_person_per_email_however_typed(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        person(db, "ann@acme.example", role="admin")
        with pytest.raises(Conflict) as conflict:
            people.create_person(db, ADMIN, "ANN@acme.example", "Ann 2", "admin", None)
    assert conflict.value.field == "email"


def test_find_by_email_or_uuid_and_list_people_only(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        ann = person(db, "ann@acme.example", role="admin")
        bob = person(db, "bob@acme.example", role="read_only")
        machine = create_account(db, ADMIN, "billing robot", "billing").token.account
        assert people.find_person(db, "ANN@acme.example").id == ann.id
        assert people.find_person(db, str(bob.uuid)).id == bob.id
        with pytest.raises(NotFound):
            people.find_person(db, str(machine.uuid))
        with pytest.raises(NotFound):
            people.find_person(db, "nobody@acme.example")
        listed = [a.email for a in people.list_people(db, ADMIN)]
        with pytest.raises(Conflict):
            people.issue_reset_token(db, ADMIN, machine)
    assert listed == ["ann@acme.example", "bob@acme.example"]


@pytest.mark.parametrize("role", ["support", "billing", "fleet_manager", "site_host", "read_only"])
def test_only_admins_manage_people(engine: Engine, role: str) -> None:
    with unit_of_work(engine) as db:
        organisation = f.organisation(db)
        target = person(db, "ann@acme.example", role="read_only", organisation=organisation)
        actor = Actor(
            name="x",
            role=role,
            organisation_id=organisation.id
            if role in ("fleet_manager", "site_host", "read_only")
            else None,
        )
        for attempt in (
            lambda: people.create_person(
                db, actor, "b@acme.example", "B", "read_only", organisation
            ),
            lambda: people.issue_reset_token(db, actor, target),
            lambda: people.set_password(db, actor, target, "a long new passphrase"),
            lambda: people.disable_person(db, actor, target),
            lambda: people.list_people(db, actor),
        ):
            with pytest.raises(Forbidden):
                attempt()


def test_disabling_is_audited_once(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        account = person(db, role="admin")
        people.disable_person(db, ADMIN, account)
        people.disable_person(db, ADMIN, account)
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "disable")).all()
        with pytest.raises(Conflict):
            people.issue_reset_token(db, ADMIN, account)
    assert len(events) == 1
    assert events[0].before is not None and events[0].before["disabled_at"] is None
    assert events[0].after is not None and events[0].after["disabled_at"] is not None

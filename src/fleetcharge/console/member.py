"""Who is looking at a console page, and which parts of the console are theirs."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from fleetcharge.models import Fleet, Location, Organisation
from fleetcharge.permissions import Actor, allowed

OPERATOR_TIMEZONE = "Australia/Sydney"


@dataclass(frozen=True)
class Member:
    """A signed-in person: operator staff (no organisation) or an organisation's member."""

    actor: Actor
    name: str
    email: str
    csrf_token: str
    organisation_uuid: UUID | None = None
    organisation_name: str | None = None
    timezone: str = OPERATOR_TIMEZONE  # the organisation's billing zone
    is_fleet: bool = False  # its organisation runs fleets
    is_host: bool = False  # its organisation hosts locations

    @property
    def organisation_id(self) -> int | None:
        return self.actor.organisation_id

    @property
    def is_operator(self) -> bool:
        return self.actor.organisation_id is None

    def may(self, resource: str, action: str) -> bool:
        return allowed(self.actor.role, resource, action)


def member_for(db: Session, actor: Actor, *, name: str, email: str, csrf_token: str) -> Member:
    if actor.organisation_id is None:
        return Member(actor, name, email, csrf_token)
    organisation = db.get_one(Organisation, actor.organisation_id)
    runs_fleets = exists().where(Fleet.organisation_id == organisation.id)
    hosts = exists().where(Location.host_organisation_id == organisation.id)
    is_fleet, is_host = db.execute(select(runs_fleets, hosts)).one()
    return Member(
        actor,
        name,
        email,
        csrf_token,
        organisation_uuid=organisation.uuid,
        organisation_name=organisation.name,
        timezone=organisation.billing_timezone,
        is_fleet=bool(is_fleet),
        is_host=bool(is_host),
    )

import uuid as uuid_module

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.errors import NotFound
from fleetcharge.models import Organisation


def find_organisation(db: Session, name_or_uuid: str) -> Organisation:
    """Look an organisation up by exact name or UUID."""
    try:
        as_uuid = uuid_module.UUID(name_or_uuid)
    except ValueError:
        as_uuid = None
    query = select(Organisation).where(
        Organisation.uuid == as_uuid if as_uuid else Organisation.name == name_or_uuid
    )
    organisation = db.scalars(query).one_or_none()
    if organisation is None:
        raise NotFound(f"no organisation named or with UUID {name_or_uuid!r}")
    return organisation

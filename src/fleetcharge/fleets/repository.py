from sqlalchemy.orm import Session

from fleetcharge.lookup import by_name_or_uuid
from fleetcharge.models import Organisation


def find_organisation(db: Session, name_or_uuid: str) -> Organisation:
    """Look an organisation up by exact name or UUID."""
    return by_name_or_uuid(db, Organisation, name_or_uuid, "organisation")

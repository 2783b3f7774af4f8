"""The demo's charge stations authenticate like any other: each start gives every station
at the demo's locations a new generated password, shown only to this process (for
`demo --live`, and printed once), as its tokens are."""

from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.demo.loader import DemoResult
from fleetcharge.models import Location, Station
from fleetcharge.network.password_hashing import generate_password, hash_password


def renew_station_passwords(engine: Engine, result: DemoResult) -> dict[str, str]:
    """{OCPP identity: new password} of the demo organisations' stations in service."""
    organisations = [organisation.id for organisation in result.organisations]
    passwords = {}
    with unit_of_work(engine) as db:
        stations = db.scalars(
            select(Station)
            .join(Location, Station.location_id == Location.id)
            .where(
                Location.host_organisation_id.in_(organisations),
                Station.decommissioned_at.is_(None),
            )
            .order_by(Station.id)
        )
        for station in stations:
            password = generate_password()
            station.password_hash = hash_password(password, generated=True)
            passwords[station.ocpp_identity] = password
    return passwords

"""Station passwords (OCPP security profile 1): set or rotate, only the hash stored. The
station must send the new one from its next connection."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import InvalidField
from fleetcharge.kit.versions import claim_version
from fleetcharge.models import Station
from fleetcharge.network.password_hashing import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    generate_password,
    hash_password,
)
from fleetcharge.network.stations import station_view
from fleetcharge.permissions import Actor


@dataclass(frozen=True)
class PasswordSet:
    station: Station
    generated: str | None  # shown once, never stored


def set_password(
    db: Session,
    actor: Actor,
    station: Station,
    password: str | None,
    expected_version: int | None = None,
) -> PasswordSet:
    actor.require("stations", "update")
    generated = None
    if password is None:
        generated = password = generate_password()
    elif (
        not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH
        or not password.isprintable()
    ):
        raise InvalidField(
            f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} printable characters",
            field="password",
        )
    claim_version(db, station, expected_version)
    before = station_view(station)
    station.password_hash = hash_password(password, generated=generated is not None)
    db.flush()
    after = station_view(station)
    record(db, actor, "set_password", "station", station.uuid, None, before, after)
    return PasswordSet(station, generated)


def password_view(result: PasswordSet) -> dict[str, object]:
    return {
        "station_uuid": str(result.station.uuid),
        "identity": result.station.ocpp_identity,
        "password": result.generated,
        "version": result.station.version,
    }

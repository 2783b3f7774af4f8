"""Who may connect: a station proves its identity with a client certificate naming it
(security profile 3) or its password (profiles 1 and 2); an identity we do not know is
auto-registered, pending, when the policy allows (fleetcharge.csms.registration)."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from fleetcharge.csms import repository
from fleetcharge.csms.registration import AutoRegistration
from fleetcharge.csms.schemas import Credentials, Rejection, StationRef
from fleetcharge.models import Station
from fleetcharge.network.password_hashing import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    verify_password,
)

MAX_IDENTITY_LENGTH = 64  # stations.ocpp_identity


@dataclass(frozen=True)
class AdmissionPolicy:
    # Unknown stations are created, pending approval (None: refused).
    auto_register: AutoRegistration | None = None
    # Stations without a password or certificate may connect (an explicit setting).
    allow_unauthenticated: bool = False


def admit_station(
    db: Session, identity: str, credentials: Credentials, policy: AdmissionPolicy
) -> StationRef | Rejection:
    """The station connecting as `identity`, if it proves it is that station: a client
    certificate naming it (security profile 3), or its password with its identity as the
    user name (profiles 1 and 2)."""
    if not 0 < len(identity) <= MAX_IDENTITY_LENGTH:
        return Rejection(400, "the charge station identity must be 1 to 64 characters")
    station = repository.station_by_identity(db, identity)
    if station is None:
        if policy.auto_register is None:
            return Rejection(404, f"unknown charge station {identity!r}")
        return _register(db, identity, credentials, policy.auto_register, policy)
    if station.decommissioned_at is not None:
        return Rejection(403, f"charge station {identity!r} is decommissioned")
    refusal = _authenticate(station, identity, credentials, policy)
    if refusal is not None:
        return refusal
    return StationRef(station.id, station.ocpp_identity, station.location.timezone)


def _authenticate(
    station: Station, identity: str, credentials: Credentials, policy: AdmissionPolicy
) -> Rejection | None:
    if credentials.certificate_name is not None:
        if credentials.certificate_name == identity:
            return None
        return Rejection(401, "the client certificate names another charge station")
    if station.password_hash is not None:
        basic = credentials.basic
        if (
            basic is not None
            and basic[0] == identity
            and verify_password(basic[1], station.password_hash)
        ):
            return None
        return Rejection(401, "invalid or missing credentials")
    if policy.allow_unauthenticated:
        return None
    return Rejection(
        401,
        f"charge station {identity!r} has no password yet: an operator sets one "
        f"(fleetcharge stations set-password {identity})",
    )


def _register(
    db: Session,
    identity: str,
    credentials: Credentials,
    auto_register: AutoRegistration,
    policy: AdmissionPolicy,
) -> StationRef | Rejection:
    """A new station under the auto-registration location, pending approval. The password
    it sends first becomes its password (or the client certificate naming it vouches for
    it)."""
    basic = credentials.basic
    password = basic[1] if basic is not None and basic[0] == identity else None
    if credentials.certificate_name not in (None, identity):
        return Rejection(401, "the client certificate names another charge station")
    if credentials.certificate_name is None and not policy.allow_unauthenticated:
        if password is None:
            return Rejection(401, "a new charge station must send a password (HTTP Basic auth)")
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            return Rejection(
                401,
                f"a charge station password has {MIN_PASSWORD_LENGTH} to "
                f"{MAX_PASSWORD_LENGTH} characters",
            )
    station = auto_register.register(db, identity, password)
    if isinstance(station, Rejection):
        return station
    return StationRef(station.id, station.ocpp_identity, station.location.timezone)

"""The demo's stations as simulated ones: each with its password and cards of its own."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine, or_, select

from fleetcharge.db import unit_of_work
from fleetcharge.models import Card, Station, Vehicle
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.simulator.curves import CurrentType, Evse
from fleetcharge.simulator.live import LiveStation

SINGLE_PHASE_MAX_KW = Decimal("7.4")


def live_stations(
    engine: Engine, now: datetime, passwords: dict[str, str]
) -> tuple[LiveStation, ...]:
    """The stations with a password in `passwords`, with the active cards of vehicles in
    service dealt out so that each station has cards of its own (as many stations as there
    are cards, at most)."""
    with unit_of_work(engine) as db:
        stations = db.scalars(
            select(Station).where(Station.ocpp_identity.in_(list(passwords))).order_by(Station.id)
        ).all()
        today = now.date()
        tags = db.scalars(
            select(Card.id_tag)
            .join(Vehicle, Card.vehicle_id == Vehicle.id)
            .where(
                Card.status == CardStatus.ACTIVE,
                or_(Card.expires_at.is_(None), Card.expires_at > now),
                Vehicle.effective_from <= today,
                or_(Vehicle.effective_to.is_(None), Vehicle.effective_to > today),
            )
            .order_by(Card.id)
        ).all()
        count = min(len(stations), len(tags))
        return tuple(
            LiveStation(
                station.ocpp_identity,
                _evse(station),
                tuple(tags[index::count]),
                passwords[station.ocpp_identity],
            )
            for index, station in enumerate(stations[:count])
        )


def _evse(station: Station) -> Evse:
    power = station.max_power_kw
    if station.current_type == "DC":
        return Evse(CurrentType.DC, float(power))
    return Evse(CurrentType.AC, float(power), phases=1 if power <= SINGLE_PHASE_MAX_KW else 3)

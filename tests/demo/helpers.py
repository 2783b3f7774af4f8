from datetime import datetime
from itertools import count
from typing import Any

from sqlalchemy import Engine, select

from fleetcharge.demo.network import DEMO_SEED, DemoNetwork, build_network
from fleetcharge.demo.world import ChargingWorld, NetworkIds, build_world
from fleetcharge.models import Base

SESSIONS = Base.metadata.tables["charge_sessions"]
PERIODS = Base.metadata.tables["charging_periods"]


def world_without_database(
    now: datetime, seed: int = DEMO_SEED
) -> tuple[DemoNetwork, ChargingWorld]:
    """The demo world with made-up ids, for testing generation without a database."""
    network = build_network(seed, today=now.date())
    ids = count(1)
    network_ids = NetworkIds(
        organisations={org.key: next(ids) for org in network.organisations},
        fleets={fleet.key: next(ids) for fleet in network.fleets},
        tariffs={tariff.key: next(ids) for tariff in network.tariffs},
        locations={location.site.name: next(ids) for location in network.locations},
        connectors={
            station.evse_id: tuple(next(ids) for _ in station.connector_names)
            for location in network.locations
            for station in location.stations
        },
        vehicles={vehicle.uuid.hex: next(ids) for vehicle in network.vehicles},
        cards={card.id_tag: next(ids) for vehicle in network.vehicles for card in vehicle.cards},
    )
    return network, build_world(network, network_ids)


def all_rows(engine: Engine, table: Any, *order_by: str) -> list[dict[str, Any]]:
    """Every row, converted by the column types (so SQLite and PostgreSQL compare equal)."""
    query = select(table).order_by(*(table.c[name] for name in order_by))
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]

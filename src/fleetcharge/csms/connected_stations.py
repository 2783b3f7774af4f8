"""What `GET /api/admin/v1/stations/connected` shows: the connected stations, with what the
database knows of them (boot information, each connector's latest status)."""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Engine

from fleetcharge.csms import repository
from fleetcharge.csms.routing import Presence, utc
from fleetcharge.db import unit_of_work
from fleetcharge.models import ConnectorStatus, Station

# Station ids per query (bound parameters have limits).
BATCH = 1000


def describe_connected(engine: Engine, presences: Sequence[Presence]) -> list[dict[str, Any]]:
    stations: dict[int, Station] = {}
    statuses: dict[int, list[ConnectorStatus]] = defaultdict(list)
    with unit_of_work(engine) as db:
        for ids in _batches(sorted({p.station_id for p in presences})):
            stations.update((s.id, s) for s in repository.stations_with_connectors(db, ids))
            for status in repository.latest_connector_statuses(db, ids):
                statuses[status.station_id].append(status)
        return [
            _describe(p, stations.get(p.station_id), statuses[p.station_id])
            for p in sorted(presences, key=lambda p: p.identity)
        ]


def _describe(
    presence: Presence, station: Station | None, statuses: list[ConnectorStatus]
) -> dict[str, Any]:
    described: dict[str, Any] = {
        "identity": presence.identity,
        "node": presence.node,
        "connected_since": iso(utc(presence.connected_since)),
        "last_seen": iso(utc(presence.last_seen)),
    }
    if station is None:  # deleted while connected
        return described
    by_number: dict[int, dict[str, Any]] = {
        c.connector_id: {"connector_id": c.connector_id, "name": c.name, "status": None}
        for c in station.connectors
    }
    for status in statuses:
        entry = by_number.setdefault(
            status.connector_number, {"connector_id": status.connector_number, "name": None}
        )
        entry.update(
            status=status.status,
            error_code=status.error_code,
            status_at=iso(status.status_at),
        )
    described.update(
        uuid=str(station.uuid),
        evse_id=station.evse_id,
        name=station.name,
        boot={
            "vendor": station.vendor,
            "model": station.model,
            "serial_number": station.serial_number,
            "firmware_version": station.firmware_version,
            "last_boot_at": iso(station.last_boot_at) if station.last_boot_at else None,
        },
        connectors=[by_number[number] for number in sorted(by_number)],
    )
    return described


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _batches(ids: list[int]) -> Iterator[list[int]]:
    items = iter(ids)
    while batch := list(islice(items, BATCH)):
        yield batch

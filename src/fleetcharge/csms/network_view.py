"""The operator's view of the network: every station online or offline with its connectors'
latest status (counts per status), what changed since a point, and one station in detail.

Online means connected to a process of the central system now (the router's presence, in
this process or, with Redis, in any); statuses are the latest StatusNotification of each
connector (connector 0 is the station as a whole). The whole network costs two queries:
the stations, and their connectors each with its latest status found through the history's
(station, connector, time) index.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from fleetcharge.csms.recent_messages import RecentMessage, recent_messages
from fleetcharge.errors import NotFound
from fleetcharge.kit.paging import PAGE_SIZE
from fleetcharge.models import (
    Connector,
    ConnectorCurrentStatus,
    ConnectorStatus,
    Location,
    OcppTransaction,
    Station,
)
from fleetcharge.models.ocpp import TransactionState
from fleetcharge.permissions import Actor

# A connector that never reported a status.
UNKNOWN = "Unknown"
ONLINE, OFFLINE = "online", "offline"
# Status history rows shown on a station's page.
HISTORY_ROWS = 50
# How far back `changes_since` looks again for rows committed after higher ids were seen.
LOOKBACK_ROWS = 1000


@dataclass(frozen=True)
class ConnectorState:
    number: int  # the OCPP connectorId; 0 is the station as a whole
    name: str | None
    status: str  # UNKNOWN when never reported
    error_code: str | None
    status_at: datetime | None


@dataclass(frozen=True)
class StationState:
    id: int
    uuid: UUID
    identity: str
    name: str
    evse_id: str
    location: str
    timezone: str
    online: bool
    station_status: ConnectorState | None  # connector 0, when reported
    connectors: list[ConnectorState]


@dataclass(frozen=True)
class NetworkOverview:
    stations: int
    online: int
    statuses: dict[str, int]  # connectors (not connector 0) per latest status
    page: list[StationState]  # the stations shown, by location and name
    matching: int  # stations the filter matches

    @property
    def offline(self) -> int:
        return self.stations - self.online


def _slots(where: ColumnElement[bool]) -> Any:
    """(station id, number, name) of every connector, and connector 0, of the stations
    matching `where` (a condition on Station)."""
    connectors = (
        select(
            Connector.station_id.label("station_id"),
            Connector.connector_id.label("number"),
            Connector.name.label("name"),
        )
        .join(Station, Station.id == Connector.station_id)
        .where(where)
    )
    whole = select(
        Station.id.label("station_id"), literal(0).label("number"), null().label("name")
    ).where(where)
    return union_all(connectors, whole).subquery()


def _with_current_status(slots: Any) -> Any:
    current = ConnectorCurrentStatus
    return slots.outerjoin(
        current,
        (current.station_id == slots.c.station_id) & (current.connector_number == slots.c.number),
    )


def _connector_states(where: ColumnElement[bool]) -> Select[Any]:
    """(station id, number, name, status, error code, status time) of those slots."""
    slots = _slots(where)
    current = ConnectorCurrentStatus
    return (
        select(
            slots.c.station_id,
            slots.c.number,
            slots.c.name,
            current.status,
            current.error_code,
            current.status_at,
        )
        .select_from(_with_current_status(slots))
        .order_by(slots.c.station_id, slots.c.number)
    )


IN_SERVICE = Station.decommissioned_at.is_(None)

_STATIONS = (
    select(
        Station.id,
        Station.uuid,
        Station.ocpp_identity,
        Station.name,
        Station.evse_id,
        Location.name,
        Location.timezone,
    )
    .join(Location, Location.id == Station.location_id)
    .where(IN_SERVICE)
)
_ORDER = (Location.name, Station.name, Station.id)


def station_states(
    db: Session, online_ids: Collection[int], station_ids: Sequence[int]
) -> list[StationState]:
    """Those of the stations in service with their connectors' latest statuses, by location
    and name."""
    if not station_ids:
        return []
    chosen = Station.id.in_(station_ids)
    connectors: dict[int, list[ConnectorState]] = {}
    for station_id, number, name, status, error_code, status_at in db.execute(
        _connector_states(IN_SERVICE & chosen)
    ):
        state = ConnectorState(number, name, status or UNKNOWN, error_code, status_at)
        connectors.setdefault(station_id, []).append(state)
    states = []
    for station_id, uuid, identity, name, evse_id, location, timezone in db.execute(
        _STATIONS.where(chosen).order_by(*_ORDER)
    ):
        slots = connectors.get(station_id, [])
        whole = next((c for c in slots if c.number == 0), None)
        states.append(
            StationState(
                id=station_id,
                uuid=uuid,
                identity=identity,
                name=name,
                evse_id=evse_id,
                location=location,
                timezone=timezone,
                online=station_id in online_ids,
                station_status=whole if whole is not None and whole.status != UNKNOWN else None,
                connectors=[c for c in slots if c.number != 0],
            )
        )
    return states


FILTERS = (ONLINE, OFFLINE)


def network_overview(
    db: Session,
    actor: Actor,
    online_ids: Collection[int],
    *,
    show: str | None = None,
    page: int = 1,
) -> NetworkOverview:
    """Counts over the whole network, and one page of its stations: all, those `online` or
    `offline`, or those with a connector in status `show` (e.g. Faulted)."""
    actor.require("stations", "read")
    ordered = list(
        db.scalars(select(Station.id).join(Station.location).where(IN_SERVICE).order_by(*_ORDER))
    )
    online = set(online_ids)
    if show == ONLINE:
        matching = [i for i in ordered if i in online]
    elif show == OFFLINE:
        matching = [i for i in ordered if i not in online]
    elif show is not None:
        having = set(db.scalars(_stations_with_status(show)))
        matching = [i for i in ordered if i in having]
    else:
        matching = ordered
    start = (page - 1) * PAGE_SIZE
    return NetworkOverview(
        stations=len(ordered),
        online=len(online.intersection(ordered)),
        statuses=status_counts(db),
        page=station_states(db, online, matching[start : start + PAGE_SIZE]),
        matching=len(matching),
    )


def _stations_with_status(status: str) -> Select[tuple[int]]:
    """The stations with a connector (not connector 0) whose latest status is `status`
    (UNKNOWN: that never reported one)."""
    slots = _slots(IN_SERVICE)
    current = ConnectorCurrentStatus
    matches = current.status.is_(None) if status == UNKNOWN else current.status == status
    return (
        select(slots.c.station_id)
        .select_from(_with_current_status(slots))
        .where(slots.c.number > 0, matches)
    )


@dataclass(frozen=True)
class Changes:
    cursor: int  # pass back as `after`
    station_ids: set[int]  # stations with a status reported since
    seen: frozenset[int]  # history ids at or below the cursor already reported; pass back


def latest_status_id(db: Session) -> int:
    return db.scalar(select(ConnectorStatus.id).order_by(ConnectorStatus.id.desc()).limit(1)) or 0


def watch_changes(db: Session) -> Changes:
    """Where `changes_since` starts: now, with nothing changed."""
    latest = latest_status_id(db)
    recent = db.scalars(
        select(ConnectorStatus.id).where(ConnectorStatus.id > latest - LOOKBACK_ROWS)
    )
    return Changes(latest, set(), frozenset(recent))


def changes_since(db: Session, after: int, seen: frozenset[int] = frozenset()) -> Changes:
    """Stations whose status history gained rows after id `after`, through the primary key.

    Ids are handed out before commit, so a row may become visible after a higher one was:
    the last LOOKBACK_ROWS ids below the cursor are looked at again, skipping those in
    `seen` (reported already)."""
    low = max(0, after - LOOKBACK_ROWS)
    rows = db.execute(
        select(ConnectorStatus.id, ConnectorStatus.station_id).where(ConnectorStatus.id > low)
    ).all()
    fresh = [(row_id, station_id) for row_id, station_id in rows if row_id not in seen]
    cursor = max([after, *(row_id for row_id, _ in fresh)])
    still_seen = {i for i in seen if i > cursor - LOOKBACK_ROWS}
    still_seen.update(row_id for row_id, _ in fresh if row_id > cursor - LOOKBACK_ROWS)
    return Changes(cursor, {station_id for _, station_id in fresh}, frozenset(still_seen))


@dataclass(frozen=True)
class NetworkCounts:
    stations: int
    online: int
    statuses: dict[str, int]

    @property
    def offline(self) -> int:
        return self.stations - self.online


def network_counts(db: Session, online_ids: Collection[int]) -> NetworkCounts:
    """The overview's counts alone (for live updates)."""
    in_service = set(db.scalars(select(Station.id).where(IN_SERVICE)))
    return NetworkCounts(len(in_service), len(in_service & set(online_ids)), status_counts(db))


def status_counts(db: Session) -> dict[str, int]:
    """Connectors (not connector 0) of the stations in service per latest status; those that
    never reported one are UNKNOWN."""
    slots = _slots(IN_SERVICE)
    current = ConnectorCurrentStatus
    status = func.coalesce(current.status, UNKNOWN)
    rows = db.execute(
        select(status, func.count())
        .select_from(_with_current_status(slots))
        .where(slots.c.number > 0)
        .group_by(status)
    )
    return {name: int(n) for name, n in sorted(rows)}


@dataclass(frozen=True)
class OpenTransaction:
    id: int  # the OCPP transactionId
    connector: int
    id_tag: str
    started_at: datetime


@dataclass(frozen=True)
class StationDetail:
    station: Station
    location: Location
    state: StationState
    history: list[ConnectorStatus]  # newest first, at most HISTORY_ROWS
    open_transactions: list[OpenTransaction]
    messages: list[RecentMessage]  # newest first


def station_detail(
    db: Session, actor: Actor, uuid: UUID, online_ids: Collection[int]
) -> StationDetail:
    """A station's boot data, connectors, status history, open transactions and recent
    OCPP messages."""
    actor.require("stations", "read")
    station = db.scalar(select(Station).where(Station.uuid == uuid))
    if station is None:
        raise NotFound(f"no station {uuid}")
    (state,) = _any_station_state(db, station, station.id in online_ids)
    history = db.scalars(
        select(ConnectorStatus)
        .where(ConnectorStatus.station_id == station.id)
        .order_by(ConnectorStatus.status_at.desc(), ConnectorStatus.id.desc())
        .limit(HISTORY_ROWS)
    ).all()
    transactions = db.execute(
        select(
            OcppTransaction.id,
            Connector.connector_id,
            OcppTransaction.id_tag,
            OcppTransaction.started_at,
        )
        .join(Connector, Connector.id == OcppTransaction.connector_id)
        .where(
            OcppTransaction.station_id == station.id,
            OcppTransaction.state == TransactionState.OPEN,
        )
        .order_by(OcppTransaction.started_at.desc())
    ).all()
    return StationDetail(
        station=station,
        location=station.location,
        state=state,
        history=list(history),
        open_transactions=[OpenTransaction(*row) for row in transactions],
        messages=recent_messages(db, station.id),
    )


def _any_station_state(db: Session, station: Station, online: bool) -> list[StationState]:
    """The state of one station, decommissioned or not."""
    found = station_states(db, {station.id} if online else set(), [station.id])
    if found:
        return found
    return [
        StationState(
            id=station.id,
            uuid=station.uuid,
            identity=station.ocpp_identity,
            name=station.name,
            evse_id=station.evse_id,
            location=station.location.name,
            timezone=station.location.timezone,
            online=online,
            station_status=None,
            connectors=[
                ConnectorState(c.connector_id, c.name, UNKNOWN, None, None)
                for c in station.connectors
            ],
        )
    ]

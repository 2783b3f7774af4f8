"""The site control loop's tables (models/site_control.py): who controls which site, what was
last allocated and sent. Only site_control writes them."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fleetcharge.models import ChargingProfileRecord, SiteAllocation, SiteControlState, Station


@dataclass(frozen=True, slots=True)
class Previous:
    """What is known of a session from the last cycles."""

    station_identity: str
    sent_limit_w: float | None
    profile_status: str | None
    sent_at: datetime | None
    accepted_limit_w: float | None  # the last limit its station accepted


@dataclass(frozen=True, slots=True)
class Row:
    """One session's allocation and, when a profile was sent this cycle, its outcome."""

    transaction_id: int
    station_identity: str
    connector_number: int
    limit_w: float
    limit_a: float
    paused: bool
    controllable: bool
    reason: str
    drawn_w: float | None
    sent: tuple[float, str] | None  # (limit sent, the station's answer)


def claim(
    db: Session, location_ids: Collection[int], node: str, now: datetime, lease: timedelta
) -> set[int]:
    """The sites among `location_ids` this process controls for `lease` from now: those no
    other process holds a live lease on. One statement per step, each atomic per row, so two
    processes claiming at once cannot both win a site."""
    if not location_ids:
        return set()
    ids = sorted(set(location_ids))
    until = now + lease
    dialect = db.get_bind().dialect.name
    rows = [{"location_id": i, "holder": node, "lease_until": until} for i in ids]
    if dialect == "postgresql":
        db.execute(postgresql.insert(SiteControlState).values(rows).on_conflict_do_nothing())
    elif dialect == "sqlite":
        db.execute(sqlite.insert(SiteControlState).values(rows).on_conflict_do_nothing())
    else:  # pragma: no cover - the two databases we run on
        known = set(db.scalars(select(SiteControlState.location_id).where(_at(ids))))
        if missing := [r for r in rows if r["location_id"] not in known]:
            db.execute(insert(SiteControlState), missing)
    db.execute(
        update(SiteControlState)
        .where(_at(ids))
        .where((SiteControlState.holder == node) | (SiteControlState.lease_until < now))
        .values(holder=node, lease_until=until)
        .execution_options(synchronize_session=False)
    )
    held = select(SiteControlState.location_id).where(_at(ids), SiteControlState.holder == node)
    return set(db.scalars(held))


def release(db: Session, node: str, now: datetime) -> None:
    """Hand this process's sites over at once (on shutdown)."""
    db.execute(
        update(SiteControlState)
        .where(SiteControlState.holder == node, SiteControlState.lease_until > now)
        .values(lease_until=now)
        .execution_options(synchronize_session=False)
    )


def _at(ids: Collection[int]) -> ColumnElement[bool]:
    return SiteControlState.location_id.in_(ids)


def locations_of(db: Session, station_ids: Collection[int]) -> dict[int, int]:
    """station id -> its location id."""
    if not station_ids:
        return {}
    query = select(Station.id, Station.location_id).where(Station.id.in_(station_ids))
    return {station_id: location_id for station_id, location_id in db.execute(query)}


def previous(db: Session, location_ids: Collection[int]) -> dict[int, Previous]:
    """transaction id -> what the last cycles left of it, at these sites."""
    if not location_ids:
        return {}
    query = select(SiteAllocation).where(SiteAllocation.location_id.in_(location_ids))
    return {
        row.transaction_id: Previous(
            row.station_identity,
            row.sent_limit_w,
            row.profile_status,
            row.sent_at,
            row.accepted_limit_w,
        )
        for row in db.scalars(query)
    }


def record(
    db: Session,
    location_id: int,
    rows: Iterable[Row],
    now: datetime,
    *,
    limit_w: float | None,
    load_w: float | None,
) -> list[int]:
    """Store a site's allocation: one row per open transaction (those that ended go); the
    transaction ids removed."""
    existing = {
        row.transaction_id: row
        for row in db.scalars(
            select(SiteAllocation).where(SiteAllocation.location_id == location_id)
        )
    }
    allocated = 0.0
    seen: set[int] = set()
    for row in rows:
        seen.add(row.transaction_id)
        allocated += row.limit_w
        stored = existing.get(row.transaction_id)
        if stored is None:
            stored = SiteAllocation(transaction_id=row.transaction_id, location_id=location_id)
            db.add(stored)
        stored.location_id = location_id
        stored.station_identity = row.station_identity
        stored.connector_number = row.connector_number
        stored.limit_w = row.limit_w
        stored.limit_a = row.limit_a
        stored.paused = row.paused
        stored.controllable = row.controllable
        stored.reason = row.reason[:200]
        stored.drawn_w = row.drawn_w
        stored.computed_at = now
        if row.sent is not None:
            stored.sent_limit_w, stored.profile_status = row.sent
            stored.sent_at = now
            if row.sent[1] == "Accepted":
                stored.accepted_limit_w = row.sent[0]
    ended = [tid for tid in existing if tid not in seen]
    if ended:
        db.execute(delete(SiteAllocation).where(SiteAllocation.transaction_id.in_(ended)))
    db.execute(
        update(SiteControlState)
        .where(SiteControlState.location_id == location_id)
        .values(computed_at=now, limit_w=limit_w, load_w=load_w, allocated_w=allocated)
        .execution_options(synchronize_session=False)
    )
    return ended


def site_state(db: Session, location_id: int) -> SiteControlState | None:
    return db.get(SiteControlState, location_id)


def allocations(db: Session, location_id: int) -> list[SiteAllocation]:
    query = (
        select(SiteAllocation)
        .where(SiteAllocation.location_id == location_id)
        .order_by(SiteAllocation.station_identity, SiteAllocation.connector_number)
    )
    return list(db.scalars(query))


def uncontrolled(
    db: Session, controlled: Collection[int], node: str, among: Collection[int] | None = None
) -> list[int]:
    """Sites this process held (of `among`, else all) that are no longer controlled (their
    limit removed)."""
    held_query = select(SiteControlState.location_id).where(SiteControlState.holder == node)
    if among is not None:
        held_query = held_query.where(SiteControlState.location_id.in_(among))
    return sorted(set(db.scalars(held_query)) - set(controlled))


def drop(db: Session, gone: Collection[int]) -> list[tuple[str, int]]:
    """The rows of sites no longer controlled go. The (station, transaction id) of the
    sessions a profile was accepted for, which the stations still apply."""
    if not gone:
        return []
    limited = select(SiteAllocation.station_identity, SiteAllocation.transaction_id).where(
        SiteAllocation.location_id.in_(gone), SiteAllocation.accepted_limit_w.is_not(None)
    )
    applied = [(identity, tid) for identity, tid in db.execute(limited)]
    db.execute(delete(SiteAllocation).where(SiteAllocation.location_id.in_(gone)))
    db.execute(delete(SiteControlState).where(SiteControlState.location_id.in_(gone)))
    return applied


def installed_defaults(db: Session, location_ids: Collection[int], profile_id: int) -> list[str]:
    """The stations at these sites that accepted our fail-safe TxDefaultProfile and were not
    cleared of it since."""
    if not location_ids:
        return []
    query = (
        select(Station.ocpp_identity)
        .join(ChargingProfileRecord, ChargingProfileRecord.station_id == Station.id)
        .where(
            Station.location_id.in_(location_ids),
            ChargingProfileRecord.source == "allocator",
            ChargingProfileRecord.profile_id == profile_id,
            ChargingProfileRecord.status == "Accepted",
            ChargingProfileRecord.cleared_at.is_(None),
        )
        .distinct()
    )
    return sorted(db.scalars(query))

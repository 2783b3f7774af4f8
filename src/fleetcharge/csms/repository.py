"""Queries of the central system. Flush only; the caller's unit of work commits."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import psycopg
from sqlalchemy import Table, insert, literal, or_, select, text, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, selectinload

from fleetcharge.csms.readings import ENERGY_REGISTER, POWER_IMPORT, Reading
from fleetcharge.models import (
    Card,
    Connector,
    ConnectorCurrentStatus,
    ConnectorStatus,
    Location,
    OcppMeterValue,
    OcppTransaction,
    OcppUnmatchedMessage,
    Station,
)
from fleetcharge.models.ocpp import MAX_TRANSACTION_ID, TransactionState
from fleetcharge.models.types import ExactDecimal

_METER_VALUES = cast(Table, OcppMeterValue.__table__)


def station_by_identity(db: Session, identity: str) -> Station | None:
    return db.scalar(select(Station).where(Station.ocpp_identity == identity))


def location_by_uuid(db: Session, uuid: Any) -> Location | None:
    return db.scalar(select(Location).where(Location.uuid == uuid))


def card_by_id_tag(db: Session, id_tag: str) -> Card | None:
    return db.scalar(select(Card).where(Card.id_tag == id_tag))


def transaction(
    db: Session, station_id: int, transaction_id: int | None, *, lock: bool = False
) -> OcppTransaction | None:
    """The station's transaction with this id (another station's id is unknown here);
    `lock`: its row locked until the unit of work ends (settling may race a stop)."""
    if transaction_id is None or not 0 < transaction_id <= MAX_TRANSACTION_ID:
        return None
    found = db.get(OcppTransaction, transaction_id, with_for_update=lock or None)
    return found if found is not None and found.station_id == station_id else None


def repeated_start(
    db: Session,
    station_id: int,
    connector_id: int,
    id_tag: str,
    reported_at: datetime,
    meter_start_wh: int,
) -> OcppTransaction | None:
    return db.scalar(
        select(OcppTransaction).where(
            OcppTransaction.station_id == station_id,
            OcppTransaction.connector_id == connector_id,
            OcppTransaction.id_tag == id_tag,
            OcppTransaction.start_reported_at == reported_at,
            OcppTransaction.meter_start_wh == meter_start_wh,
        )
    )


def reserve_transaction_ids(db: Session, count: int) -> list[int]:
    """`count` transactionIds taken from the sequence that numbers transactions: the database
    hands them out neither itself nor to anyone else."""
    if db.get_bind().dialect.name == "postgresql":
        return list(db.scalars(_RESERVE_POSTGRESQL, {"n": count}))
    # SQLite's AUTOINCREMENT numbers a new row above sqlite_sequence's value, raised here.
    db.execute(_SQLITE_SEQUENCE_ROW)
    top = db.scalar(_RESERVE_SQLITE, {"n": count})
    assert top is not None
    return list(range(top - count + 1, top + 1))


_RESERVE_POSTGRESQL = text(
    "SELECT nextval(pg_get_serial_sequence('ocpp_transactions', 'id')) FROM generate_series(1, :n)"
)
_SQLITE_SEQUENCE_ROW = text(
    "INSERT INTO sqlite_sequence (name, seq) "
    "SELECT 'ocpp_transactions', coalesce(max(id), 0) FROM ocpp_transactions "
    "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'ocpp_transactions')"
)
_RESERVE_SQLITE = text(
    "UPDATE sqlite_sequence SET seq = seq + :n WHERE name = 'ocpp_transactions' RETURNING seq"
)


def renumber_transaction(db: Session, tx: OcppTransaction, transaction_id: int) -> None:
    """Give an open transaction, and the readings stored on it, another id."""
    old = tx.id
    db.flush()
    db.execute(
        update(OcppTransaction)
        .where(OcppTransaction.id == old)
        .values(id=transaction_id)
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(OcppMeterValue)
        .where(OcppMeterValue.transaction_id == old)
        .values(transaction_id=transaction_id)
        .execution_options(synchronize_session=False)
    )
    db.expunge(tx)


def open_transactions_for_id_tag(
    db: Session, id_tag: str, started_after: datetime
) -> Sequence[OcppTransaction]:
    return db.scalars(
        select(OcppTransaction).where(
            OcppTransaction.id_tag == id_tag,
            OcppTransaction.state == TransactionState.OPEN,
            OcppTransaction.started_at > started_after,
        )
    ).all()


# Transactions that may still be charging: open, or refused (the station may charge anyway).
UNFINISHED = (TransactionState.OPEN, TransactionState.REFUSED)


def unfinished_transactions_on(db: Session, connector_id: int) -> Sequence[OcppTransaction]:
    """Open or refused there, oldest first, by start: ids do not tell (an outage's come from
    reserved blocks)."""
    return db.scalars(
        select(OcppTransaction)
        .where(
            OcppTransaction.connector_id == connector_id,
            OcppTransaction.state.in_(UNFINISHED),
        )
        .order_by(OcppTransaction.started_at, OcppTransaction.id)
    ).all()


def stopped_transactions_without_session(db: Session, station_id: int) -> Sequence[OcppTransaction]:
    return db.scalars(
        select(OcppTransaction)
        .where(
            OcppTransaction.station_id == station_id,
            OcppTransaction.state == TransactionState.STOPPED,
            OcppTransaction.session_id.is_(None),
        )
        .order_by(OcppTransaction.id)
    ).all()


def latest_transaction_on(db: Session, connector_id: int) -> OcppTransaction | None:
    return db.scalar(
        select(OcppTransaction)
        .where(OcppTransaction.connector_id == connector_id)
        .order_by(OcppTransaction.started_at.desc(), OcppTransaction.id.desc())
        .limit(1)
    )


# The columns of a row of `meter_value_rows`, in order.
METER_VALUE_COLUMNS = (
    "station_id",
    "connector_number",
    "transaction_id",
    "reported_transaction_id",
    "source",
    "reported_at",
    "sampled_at",
    "measurand",
    "phase",
    "unit",
    "context",
    "location",
    "value_format",
    "value_raw",
    "value",
    "normalised_unit",
    "received_at",
)
# The scale of the `value` column, rounded to as ExactDecimal does on every other path.
_VALUE_QUANTUM = Decimal(1).scaleb(-cast(ExactDecimal, _METER_VALUES.c.value.type).scale)


def meter_value_rows(
    station_id: int,
    connector_number: int,
    readings: Sequence[Reading],
    *,
    source: str,
    transaction_id: int | None,
    reported_transaction_id: int | None,
    received_at: datetime,
) -> list[tuple[Any, ...]]:
    for r in readings:
        if r.reported_at.tzinfo is None or r.sampled_at.tzinfo is None:
            raise ValueError(f"naive datetime in {r!r} cannot be stored; attach a time zone")
    return [
        (
            station_id,
            connector_number,
            transaction_id,
            reported_transaction_id,
            source,
            r.reported_at,
            r.sampled_at,
            r.measurand,
            r.phase,
            r.unit,
            r.context,
            r.location,
            r.value_format,
            r.value_raw,
            None if r.value is None else r.value.quantize(_VALUE_QUANTUM),
            r.normalised_unit,
            received_at,
        )
        for r in readings
    ]


def insert_meter_values(db: Session, rows: list[tuple[Any, ...]]) -> None:
    """Rows of `meter_value_rows`: with a binary COPY on PostgreSQL (an executemany sends a
    statement per row), a Core executemany elsewhere. Either way without ORM bookkeeping."""
    if not rows:
        return
    if db.get_bind().dialect.name != "postgresql":
        named = [dict(zip(METER_VALUE_COLUMNS, row, strict=True)) for row in rows]
        db.execute(insert(_METER_VALUES), named)
        return
    driver = db.connection().connection.driver_connection
    assert driver is not None
    copy_meter_values(driver, rows)


def copy_meter_values(connection: psycopg.Connection[Any], rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows of `meter_value_rows` sent with one binary COPY on a psycopg connection."""
    with connection.cursor() as cursor, cursor.copy(_COPY_METER_VALUES) as copy:
        copy.set_types(_COPY_TYPES)
        for row in rows:
            copy.write_row(row)


_COPY_METER_VALUES = (
    f"COPY {_METER_VALUES.name} ({', '.join(METER_VALUE_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
)
# PostgreSQL's names of the column types, for the binary COPY.
_COPY_TYPES = [
    _METER_VALUES.c[name].type.compile(dialect=postgresql.dialect()).split("(")[0].lower()
    for name in METER_VALUE_COLUMNS
]


def transaction_stations(db: Session, transaction_ids: Iterable[int]) -> dict[int, int]:
    """transactionId -> its station's id, for those of the ids that exist."""
    wanted = {i for i in transaction_ids if 0 < i <= MAX_TRANSACTION_ID}
    if not wanted:
        return {}
    query = select(OcppTransaction.id, OcppTransaction.station_id).where(
        OcppTransaction.id.in_(wanted)
    )
    return {transaction_id: station_id for transaction_id, station_id in db.execute(query)}


def transaction_readings(db: Session, transaction_id: int) -> Sequence[OcppMeterValue]:
    """The transaction's readings of the total energy register and power at the outlet (not
    per phase, not the car's own), oldest first."""
    return db.scalars(
        select(OcppMeterValue)
        .where(
            OcppMeterValue.transaction_id == transaction_id,
            OcppMeterValue.measurand.in_((ENERGY_REGISTER, POWER_IMPORT)),
            OcppMeterValue.phase.is_(None),
            or_(OcppMeterValue.location.is_(None), OcppMeterValue.location == "Outlet"),
            OcppMeterValue.value.is_not(None),
        )
        .order_by(OcppMeterValue.sampled_at, OcppMeterValue.id)
    ).all()


def connector_statuses(
    db: Session, station_id: int, connector_number: int, since: datetime, until: datetime
) -> list[ConnectorStatus]:
    """The last status at or before `since` (the state the window starts in) and every
    status after it up to `until`."""
    same_connector = (
        ConnectorStatus.station_id == station_id,
        ConnectorStatus.connector_number == connector_number,
    )
    before = db.scalar(
        select(ConnectorStatus)
        .where(*same_connector, ConnectorStatus.status_at <= since)
        .order_by(ConnectorStatus.status_at.desc(), ConnectorStatus.id.desc())
        .limit(1)
    )
    during = db.scalars(
        select(ConnectorStatus)
        .where(
            *same_connector,
            ConnectorStatus.status_at > since,
            ConnectorStatus.status_at <= until,
        )
        .order_by(ConnectorStatus.status_at, ConnectorStatus.id)
    ).all()
    return ([before] if before is not None else []) + list(during)


def add_unmatched(
    db: Session,
    station_id: int,
    action: str,
    payload: dict[str, Any],
    reason: str,
    received_at: datetime,
) -> None:
    db.add(
        OcppUnmatchedMessage(
            station_id=station_id,
            action=action,
            payload=payload,
            reason=reason,
            received_at=received_at,
        )
    )
    db.flush()


def add_status(db: Session, status: ConnectorStatus) -> None:
    """Add a StatusNotification to the history, and make it its connector's current status
    unless that one is later (a station's offline queue arrives after newer ones)."""
    db.add(status)
    db.flush()
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ConnectorCurrentStatus).values(
        station_id=status.station_id,
        connector_number=status.connector_number,
        status=status.status,
        error_code=status.error_code,
        status_at=status.status_at,
        history_id=status.id,
    )
    replaced = {
        name: statement.excluded[name]
        for name in ("status", "error_code", "status_at", "history_id")
    }
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["station_id", "connector_number"],
            set_=replaced,
            where=ConnectorCurrentStatus.status_at <= statement.excluded.status_at,
        )
    )


def stations_with_connectors(db: Session, station_ids: Sequence[int]) -> Sequence[Station]:
    return db.scalars(
        select(Station).where(Station.id.in_(station_ids)).options(selectinload(Station.connectors))
    ).all()


def latest_connector_statuses(db: Session, station_ids: Sequence[int]) -> Sequence[ConnectorStatus]:
    """The latest status of every connector of these stations (and of connector 0, the
    station as a whole): one index-backed lookup per connector, however long the history."""
    history = aliased(ConnectorStatus)

    def latest(station_id: Any, connector_number: Any) -> Any:
        return (
            select(history.id)
            .where(history.station_id == station_id, history.connector_number == connector_number)
            .order_by(history.status_at.desc(), history.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    latest_ids = union_all(
        select(latest(Connector.station_id, Connector.connector_id)).where(
            Connector.station_id.in_(station_ids)
        ),
        select(latest(Station.id, literal(0))).where(Station.id.in_(station_ids)),
    )
    return db.scalars(
        select(ConnectorStatus)
        .where(ConnectorStatus.id.in_(latest_ids))
        .order_by(ConnectorStatus.station_id, ConnectorStatus.connector_number)
    ).all()

"""What the central system does with each OCPP message (flush only: one unit of work per
message is opened and committed by the caller, before the answer is sent).

Nothing a station reports is dropped: what cannot be applied is stored as it came
(meter values without a transaction, an unmatched-message record) and acknowledged, so a
station never retries forever.
"""

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from fleetcharge.csms import repository, sessions, settling
from fleetcharge.csms.clock import ClockPolicy, StationTime
from fleetcharge.csms.schemas import (
    KeptMessage,
    MeterValuesRequest,
    StartRequest,
    StartResult,
    StationRef,
    StatusReport,
    StopRequest,
)
from fleetcharge.models import Card, ConnectorStatus, OcppTransaction, Station
from fleetcharge.models.location import Registration
from fleetcharge.models.ocpp import Flag, TransactionState
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.network import station_reports
from fleetcharge.network.station_reports import BootInfo
from fleetcharge.reservations import service as reservations
from fleetcharge.reviews import repository as reviews
from fleetcharge.webhooks import emitters

logger = logging.getLogger(__name__)

ACCEPTED = "Accepted"
BLOCKED = "Blocked"
EXPIRED = "Expired"
INVALID = "Invalid"
CONCURRENT_TX = "ConcurrentTx"
# An open transaction older than this is one whose StopTransaction was lost; it no longer
# makes its card ConcurrentTx.
STALE_OPEN_TRANSACTION = timedelta(hours=24)


def boot_notification(
    db: Session, station: StationRef, boot: BootInfo, received_at: datetime
) -> bool:
    """Record the boot and settle the transactions it ended (fleetcharge.csms.settling);
    whether the station is accepted (False: pending approval)."""
    row = _station(db, station)
    station_reports.record_boot(row, boot, received_at)
    settling.settle_station(db, station.id, received_at)
    return row.registration_status != Registration.PENDING


def firmware_status(db: Session, station: StationRef, status: str) -> None:
    station_reports.record_firmware_status(_station(db, station), status)


def diagnostics_status(db: Session, station: StationRef, status: str) -> None:
    station_reports.record_diagnostics_status(_station(db, station), status)


def status_notification(
    db: Session,
    station: StationRef,
    report: StatusReport,
    received_at: datetime,
    policy: ClockPolicy,
    connected_at: datetime | None = None,
) -> None:
    """Record the status; `connected_at`: when the connection it came on was opened (a
    status without a timestamp received after a reconnect is no evidence of its time)."""
    status_at = report.timestamp.used if report.timestamp is not None else received_at
    row = ConnectorStatus(
        station_id=station.id,
        connector_number=report.connector_number,
        status=report.status,
        error_code=report.error_code,
        info=report.info,
        vendor_id=report.vendor_id,
        vendor_error_code=report.vendor_error_code,
        reported_at=report.timestamp.reported if report.timestamp is not None else None,
        status_at=status_at,
        received_at=received_at,
        connected_at=connected_at,
    )
    repository.add_status(db, row)
    emitters.station_status(db, row)
    if report.connector_number > 0:
        connector = station_reports.reported_connector(db, station.id, report.connector_number)
        if report.status == "Available":
            available = sessions.status_change(row)
            sessions.extend_parking(db, connector.id, available, policy.max_future)


def authorize(db: Session, id_tag: str, now: datetime) -> str:
    return id_tag_status(db, id_tag, now)[0]


def id_tag_status(
    db: Session, id_tag: str, at: datetime, *, connector_id: int | None = None
) -> tuple[str, Card | None]:
    """The idTagInfo status for a tag at a time; with `connector_id` (a start there), an
    open transaction on that same connector does not count as concurrent."""
    card = repository.card_by_id_tag(db, id_tag)
    status = card_status(card, at)
    if status == ACCEPTED:
        for tx in repository.open_transactions_for_id_tag(db, id_tag, at - STALE_OPEN_TRANSACTION):
            if tx.connector_id != connector_id:
                return CONCURRENT_TX, card
    return status, card


def card_status(card: Card | None, at: datetime) -> str:
    if card is None:
        return INVALID
    if card.status == CardStatus.BLOCKED:
        return BLOCKED
    if card.expires_at is not None and card.expires_at <= at:
        return EXPIRED
    return ACCEPTED


def start_transaction(
    db: Session,
    station: StationRef,
    request: StartRequest,
    received_at: datetime,
    policy: ClockPolicy,
    transaction_id: int | None = None,
) -> StartResult:
    """Record the transaction and answer its id; a repeated StartTransaction gets the same
    answer. Older transactions still unfinished on the connector are settled (it charges one
    car at a time: fleetcharge.csms.settling).

    A start answered other than Accepted (an unknown tag Invalid, a blocked or expired card,
    a card in another transaction ConcurrentTx) is recorded as refused, never open: it makes
    no card ConcurrentTx, and if the station charges anyway (it may have started offline
    already) its StopTransaction still records the session, flagged refused_start.
    `transaction_id`: the id the station was answered with already (a message of the outage
    journal, answered Accepted: open whatever the card's status)."""
    connector = station_reports.reported_connector(db, station.id, request.connector_number)
    moment = request.timestamp
    repeated = repository.repeated_start(
        db, station.id, connector.id, request.id_tag, moment.reported, request.meter_start_wh
    )
    if repeated is not None:
        if transaction_id is not None and repeated.id != transaction_id:
            repeated = _answered_id(db, repeated, transaction_id)
        return StartResult(repeated.id, repeated.id_tag_status)
    status, card = id_tag_status(db, request.id_tag, moment.used, connector_id=connector.id)
    flags = set(moment.flags)
    if card is None:
        flags.add(Flag.UNKNOWN_ID_TAG)
    if moment.used < received_at - policy.max_future:
        flags.add(Flag.REPLAYED_OFFLINE)
    refused = status != ACCEPTED and transaction_id is None
    if refused:
        flags.add(Flag.REFUSED_START)
    settling.settle_connector(db, connector.id, moment.used)
    tx = OcppTransaction(
        id=transaction_id,
        station_id=station.id,
        connector_id=connector.id,
        id_tag=request.id_tag,
        id_tag_status=status,
        card_id=card.id if card is not None else None,
        reservation_id=request.reservation_id,
        meter_start_wh=request.meter_start_wh,
        start_reported_at=moment.reported,
        started_at=moment.used,
        received_at=received_at,
        state=TransactionState.REFUSED if refused else TransactionState.OPEN,
        flags=sorted(flags),
    )
    db.add(tx)
    db.flush()
    reservations.use(db, tx)
    return StartResult(tx.id, status)


def _answered_id(db: Session, tx: OcppTransaction, transaction_id: int) -> OcppTransaction:
    """A StartTransaction stored before (its answer lost) was sent again while the database
    was unavailable, and answered with another id: the station knows the transaction by
    that one."""
    if tx.state != TransactionState.OPEN:
        logger.warning(
            "transaction %d was answered as %d again, but has stopped already; kept as %d",
            tx.id,
            transaction_id,
            tx.id,
        )
        return tx
    logger.warning(
        "transaction %d renumbered %d: the id its station was answered with", tx.id, transaction_id
    )
    repository.renumber_transaction(db, tx, transaction_id)
    renumbered = db.get(OcppTransaction, transaction_id)
    assert renumbered is not None
    return renumbered


def meter_values(
    db: Session, station: StationRef, request: MeterValuesRequest, received_at: datetime
) -> None:
    """Store every sampled value, on the transaction it names, else on the transaction open
    on its connector at the time of the readings, else on none."""
    readings = request.readings
    tx = None
    if request.transaction_id is not None:
        tx = repository.transaction(db, station.id, request.transaction_id)
    if tx is None and request.connector_number > 0 and readings:
        tx = _open_transaction_at(
            db, station, request.connector_number, min(r.sampled_at for r in readings)
        )
        if tx is not None:
            tx.flags = sorted({*tx.flags, Flag.REATTACHED_METER_VALUES})
    rows = repository.meter_value_rows(
        station.id,
        request.connector_number,
        readings,
        source="MeterValues",
        transaction_id=tx.id if tx is not None else None,
        reported_transaction_id=request.transaction_id,
        received_at=received_at,
    )
    repository.insert_meter_values(db, rows)


def meter_values_batch(
    db: Session,
    messages: Sequence[tuple[StationRef, MeterValuesRequest, datetime]],
    owners: dict[int, int] | None = None,
) -> None:
    """`meter_values` for each message, in order, in one unit of work: those naming one of
    their station's transactions (nearly all) with one insert. `owners` (transactionId ->
    station id, which never changes) saves asking the database again; what is read is
    added to it."""
    owners = {} if owners is None else owners
    unknown = {
        r.transaction_id
        for _, r, _ in messages
        if r.transaction_id is not None and r.transaction_id not in owners
    }
    if unknown:
        owners.update(repository.transaction_stations(db, unknown))
    rows: list[tuple[Any, ...]] = []
    for station, request, received_at in messages:
        transaction_id = request.transaction_id
        if transaction_id is None or owners.get(transaction_id) != station.id:
            repository.insert_meter_values(db, rows)
            rows = []
            meter_values(db, station, request, received_at)
            continue
        rows += owned_transaction_rows(station, request, received_at)
    repository.insert_meter_values(db, rows)


def owned_transaction_rows(
    station: StationRef, request: MeterValuesRequest, received_at: datetime
) -> list[tuple[Any, ...]]:
    """The rows of a message naming a transaction of its own station (checked by the caller)."""
    return repository.meter_value_rows(
        station.id,
        request.connector_number,
        request.readings,
        source="MeterValues",
        transaction_id=request.transaction_id,
        reported_transaction_id=request.transaction_id,
        received_at=received_at,
    )


def _open_transaction_at(
    db: Session, station: StationRef, connector_number: int, at: datetime
) -> OcppTransaction | None:
    """The newest transaction open (or refused: the station may charge anyway) on the
    connector that had started by `at`."""
    connector = station_reports.reported_connector(db, station.id, connector_number)
    unfinished = repository.unfinished_transactions_on(db, connector.id)
    started = [tx for tx in unfinished if tx.started_at <= at]
    return started[-1] if started else None


def stop_transaction(
    db: Session, station: StationRef, request: StopRequest, received_at: datetime
) -> str | None:
    """Stop the transaction (open, refused, or settled while its session waits for review)
    and record its session in this same unit of work; answer the idTagInfo status when the
    request has an idTag. Repeated and unknown stops are acknowledged without a second
    session."""
    moment = request.timestamp
    answer = (
        card_status(repository.card_by_id_tag(db, request.id_tag), moment.used)
        if request.id_tag is not None
        else None
    )
    tx = repository.transaction(db, station.id, request.transaction_id, lock=True)
    if tx is None:
        repository.add_unmatched(
            db, station.id, "StopTransaction", request.payload, "unknown transactionId", received_at
        )
        _store_transaction_data(db, station, 0, None, request, received_at)
        return answer
    if tx.state == TransactionState.STOPPED:
        if (tx.meter_stop_wh, tx.stop_reported_at) != (request.meter_stop_wh, moment.reported):
            repository.add_unmatched(
                db,
                station.id,
                "StopTransaction",
                request.payload,
                f"transaction {tx.id} was already stopped with other values",
                received_at,
            )
        return answer
    if tx.state == TransactionState.SETTLED and not _unsettle(
        db, station, tx, request, received_at
    ):
        return answer

    flags = set(tx.flags) | moment.flags
    stopped_at = moment.used
    if stopped_at < tx.started_at:
        flags.add(Flag.STOP_BEFORE_START)
        stopped_at = tx.started_at
    tx.state = TransactionState.STOPPED
    tx.meter_stop_wh = request.meter_stop_wh
    tx.stop_reported_at = moment.reported
    tx.stopped_at = stopped_at
    tx.stop_received_at = received_at
    tx.stop_reason = request.reason
    tx.stop_id_tag = request.id_tag
    _store_transaction_data(db, station, tx.connector.connector_id, tx, request, received_at)
    tx.flags = sorted(flags)  # the stop's clock flags too: they decide whether it is held
    db.flush()
    if Flag.REFUSED_START in flags and sessions.delivered_wh(db, tx) == 0:
        return answer  # the station honoured the refusal: nothing to bill (not even a flat fee)
    tx.flags = sorted(flags | sessions.record_transaction_session(db, tx))
    return answer


def _unsettle(
    db: Session,
    station: StationRef,
    tx: OcppTransaction,
    request: StopRequest,
    received_at: datetime,
) -> bool:
    """The StopTransaction of a settled transaction came after all: whether it applies as to
    an open one (the provisional review withdrawn). Not once an operator decided its
    review: then its readings are kept and it is recorded as unmatched, for operators."""
    review = reviews.review_of_transaction(db, tx.id)
    if tx.session_id is None and (review is None or review.state == "held"):
        if review is not None:
            reviews.withdraw(db, review)
        tx.flags = sorted(set(tx.flags) - {Flag.HELD_FOR_REVIEW})
        return True
    decided = review.state if review is not None else "recorded"
    repository.add_unmatched(
        db,
        station.id,
        "StopTransaction",
        request.payload,
        f"transaction {tx.id} was settled without a stop and its review {decided} before it came",
        received_at,
    )
    _store_transaction_data(db, station, tx.connector.connector_id, tx, request, received_at)
    return False


def _store_transaction_data(
    db: Session,
    station: StationRef,
    connector_number: int,
    tx: OcppTransaction | None,
    request: StopRequest,
    received_at: datetime,
) -> None:
    rows = repository.meter_value_rows(
        station.id,
        connector_number,
        request.transaction_data,
        source="StopTransaction",
        transaction_id=tx.id if tx is not None else None,
        reported_transaction_id=request.transaction_id,
        received_at=received_at,
    )
    repository.insert_meter_values(db, rows)


def _station(db: Session, station: StationRef) -> Station:
    row = db.get(Station, station.id)
    assert row is not None  # stations are never deleted while connected
    return row


def apply_kept(db: Session, message: KeptMessage, policy: ClockPolicy) -> None:
    """Apply a transaction message answered while the database was unavailable, as its
    handler would have; what it answered the station stands."""
    station, received_at = message.station, message.received_at
    if message.start is not None:
        start = replace(message.start, timestamp=_after_outage(message.start.timestamp))
        start_transaction(db, station, start, received_at, policy, message.transaction_id)
    elif message.stop is not None:
        stop = replace(message.stop, timestamp=_after_outage(message.stop.timestamp))
        stop_transaction(db, station, stop, received_at)
    elif message.meter_values is not None:
        meter_values(db, station, message.meter_values, received_at)


def _after_outage(moment: StationTime) -> StationTime:
    return replace(moment, flags=moment.flags | {Flag.APPLIED_AFTER_OUTAGE})

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

from fleetcharge.csms import repository, sessions
from fleetcharge.csms.auth import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from fleetcharge.csms.clock import ClockPolicy, StationTime
from fleetcharge.csms.flags import Flag
from fleetcharge.csms.registration import AutoRegistration
from fleetcharge.csms.schemas import (
    AdmissionPolicy,
    BootInfo,
    Credentials,
    KeptMessage,
    MeterValuesRequest,
    Rejection,
    StartRequest,
    StartResult,
    StationRef,
    StatusReport,
    StopRequest,
)
from fleetcharge.models import Card, ConnectorStatus, OcppTransaction, Station
from fleetcharge.models.location import Registration
from fleetcharge.models.vehicle import CardStatus

logger = logging.getLogger(__name__)

ACCEPTED = "Accepted"
BLOCKED = "Blocked"
EXPIRED = "Expired"
INVALID = "Invalid"
CONCURRENT_TX = "ConcurrentTx"
# An open transaction older than this is one whose StopTransaction was lost; it no longer
# makes its card ConcurrentTx.
STALE_OPEN_TRANSACTION = timedelta(hours=24)
MAX_IDENTITY_LENGTH = 64  # stations.ocpp_identity


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
    station = auto_register.register(db, identity)
    if isinstance(station, Rejection):
        return station
    if password is not None:
        station.password_hash = hash_password(password)
    return StationRef(station.id, station.ocpp_identity, station.location.timezone)


def boot_notification(
    db: Session, station: StationRef, boot: BootInfo, received_at: datetime
) -> bool:
    """Record the boot; whether the station is accepted (False: pending approval)."""
    row = _station(db, station)
    row.vendor = boot.vendor
    row.model = boot.model
    row.serial_number = boot.serial_number
    row.firmware_version = boot.firmware_version
    row.last_boot_at = received_at
    return row.registration_status != Registration.PENDING


def firmware_status(db: Session, station: StationRef, status: str) -> None:
    _station(db, station).firmware_status = status


def diagnostics_status(db: Session, station: StationRef, status: str) -> None:
    _station(db, station).diagnostics_status = status


def status_notification(
    db: Session,
    station: StationRef,
    report: StatusReport,
    received_at: datetime,
    policy: ClockPolicy,
) -> None:
    status_at = report.timestamp.used if report.timestamp is not None else received_at
    if report.connector_number > 0:
        connector = repository.connector(db, station.id, report.connector_number)
        if report.status == "Available":
            sessions.extend_parking(db, connector.id, status_at, policy.max_future)
    db.add(
        ConnectorStatus(
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
        )
    )


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
    answer. An unknown tag is answered Invalid but recorded: the station may have started
    charging offline already. `transaction_id`: the id the station was answered with
    already (a message of the outage journal)."""
    connector = repository.connector(db, station.id, request.connector_number)
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
        state="open",
        flags=sorted(flags),
    )
    db.add(tx)
    db.flush()
    return StartResult(tx.id, status)


def _answered_id(db: Session, tx: OcppTransaction, transaction_id: int) -> OcppTransaction:
    """A StartTransaction stored before (its answer lost) was sent again while the database
    was unavailable, and answered with another id: the station knows the transaction by
    that one."""
    if tx.state != "open":
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
    repository.add_meter_values(
        db,
        station.id,
        request.connector_number,
        readings,
        source="MeterValues",
        transaction_id=tx.id if tx is not None else None,
        reported_transaction_id=request.transaction_id,
        received_at=received_at,
    )


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
    """The newest transaction open on the connector that had started by `at`."""
    connector = repository.connector(db, station.id, connector_number)
    started = [
        tx for tx in repository.open_transactions_on(db, connector.id) if tx.started_at <= at
    ]
    return started[-1] if started else None


def stop_transaction(
    db: Session, station: StationRef, request: StopRequest, received_at: datetime
) -> str | None:
    """Stop the transaction and record its session in this same unit of work; answer the
    idTagInfo status when the request has an idTag. Repeated and unknown stops are
    acknowledged without a second session."""
    moment = request.timestamp
    answer = (
        card_status(repository.card_by_id_tag(db, request.id_tag), moment.used)
        if request.id_tag is not None
        else None
    )
    tx = repository.transaction(db, station.id, request.transaction_id)
    if tx is None:
        repository.add_unmatched(
            db, station.id, "StopTransaction", request.payload, "unknown transactionId", received_at
        )
        _store_transaction_data(db, station, 0, None, request, received_at)
        return answer
    if tx.state == "stopped":
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

    flags = set(tx.flags) | moment.flags
    stopped_at = moment.used
    if stopped_at < tx.started_at:
        flags.add(Flag.STOP_BEFORE_START)
        stopped_at = tx.started_at
    tx.state = "stopped"
    tx.meter_stop_wh = request.meter_stop_wh
    tx.stop_reported_at = moment.reported
    tx.stopped_at = stopped_at
    tx.stop_received_at = received_at
    tx.stop_reason = request.reason
    tx.stop_id_tag = request.id_tag
    _store_transaction_data(db, station, tx.connector.connector_id, tx, request, received_at)
    tx.flags = sorted(flags)  # the stop's clock flags too: they decide whether it is held
    db.flush()
    tx.flags = sorted(flags | sessions.record_transaction_session(db, tx))
    return answer


def _store_transaction_data(
    db: Session,
    station: StationRef,
    connector_number: int,
    tx: OcppTransaction | None,
    request: StopRequest,
    received_at: datetime,
) -> None:
    repository.add_meter_values(
        db,
        station.id,
        connector_number,
        request.transaction_data,
        source="StopTransaction",
        transaction_id=tx.id if tx is not None else None,
        reported_transaction_id=request.transaction_id,
        received_at=received_at,
    )


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

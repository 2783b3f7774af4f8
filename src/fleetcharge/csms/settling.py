"""Ending transactions that cannot be running any more, without their StopTransaction
(flush only; the caller's unit of work commits).

A transaction is settled when a new start on its connector or a BootNotification of its
station shows it is over, or when nothing was heard of it for the configured expiry
(`expire_open`, run periodically by `OpenTransactionExpiry`). It ends at its last evidence:
the latest of its start, its meter values and the connector's statuses while it was occupied
(up to the first that shows it free); meterStop is its last energy reading. Its session is
held for review (fleetcharge.reviews: settled_without_stop) and nothing bills it until an
operator accepts or corrects it, so that its card is never blocked by it (ConcurrentTx) and
its energy is never lost.

A StopTransaction that comes after all (a station's offline queue replayed after its boot)
is applied as for an open transaction, once: the provisional review is withdrawn and the
session recorded from the real stop and readings (fleetcharge.csms.service.stop_transaction).
If an operator decided the review first, the stop's readings are kept on the transaction
and the stop recorded as unmatched for operators: the decision stands, nothing is billed
twice.

Several processes may settle at once: a transaction is settled by a conditional update (of
rows still open or refused), so exactly one of them does it, and candidates are read with
`FOR UPDATE SKIP LOCKED` on PostgreSQL so that sweeps do not wait for each other.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from fleetcharge.csms import repository, sessions
from fleetcharge.csms.readings import ENERGY_REGISTER
from fleetcharge.csms.transaction_timeline import WH_PER_KWH, status_evidence
from fleetcharge.metrics import OCPP_TRANSACTIONS_SETTLED
from fleetcharge.models import OcppTransaction
from fleetcharge.models.ocpp import Flag, TransactionState

logger = logging.getLogger(__name__)

UNFINISHED = repository.UNFINISHED  # what may be settled: open, or refused (may charge)
# Connector statuses of a transaction under way; any other one means it was over by then.
OCCUPIED = frozenset({"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"})
# Why a transaction is settled (the metric's label, the review's detail).
NEW_START, BOOT, EXPIRY = "new_start", "boot", "expiry"
_DETAIL = {
    NEW_START: "a new transaction started on its connector",
    BOOT: "its station booted",
    EXPIRY: "nothing was heard of it for too long",
}
STOP_REASON = "Other"  # an OCPP Reason, recorded as the stop's


@dataclass(frozen=True)
class Evidence:
    at: datetime
    meter_wh: int


def last_evidence(db: Session, tx: OcppTransaction, until: datetime) -> Evidence:
    """The last moment and energy register reading we know of the transaction, up to
    `until`: its start, its readings, its connector's statuses while occupied."""
    at, level = tx.started_at, Decimal(tx.meter_start_wh)
    for reading in repository.transaction_readings(db, tx.id):
        if reading.sampled_at > until:
            break
        at = max(at, reading.sampled_at)
        if reading.measurand == ENERGY_REGISTER and reading.normalised_unit == "kWh":
            assert reading.value is not None
            level = max(level, reading.value * WH_PER_KWH)
    rows = repository.connector_statuses(
        db, tx.station_id, tx.connector.connector_id, tx.started_at, until
    )
    changes = [sessions.status_change(row) for row in rows]
    for change in sorted(status_evidence(changes, tx.started_at), key=lambda c: c.at):
        if change.at <= tx.started_at:
            continue
        if change.status not in OCCUPIED:
            break
        at = max(at, change.at)
    return Evidence(at, int(level))


def settle(db: Session, tx: OcppTransaction, until: datetime, why: str) -> bool:
    """End the open (or refused) transaction at its last evidence before `until`; whether
    this call did (False: it was stopped or settled meanwhile)."""
    evidence = last_evidence(db, tx, until)
    refused = tx.state == TransactionState.REFUSED
    ended = db.execute(
        update(OcppTransaction)
        .where(OcppTransaction.id == tx.id, OcppTransaction.state.in_(UNFINISHED))
        .values(
            state=TransactionState.SETTLED,
            stopped_at=evidence.at,
            meter_stop_wh=evidence.meter_wh,
            stop_reason=STOP_REASON,
        )
        .execution_options(synchronize_session=False)
    )
    if ended.rowcount != 1:  # type: ignore[attr-defined]
        return False
    db.refresh(tx)
    flags = set(tx.flags) | {Flag.SETTLED_WITHOUT_STOP}
    tx.flags = sorted(flags)
    # A refused start the station honoured (nothing heard after it) has nothing to review.
    if not refused or evidence.meter_wh > tx.meter_start_wh or evidence.at > tx.started_at:
        tx.flags = sorted(flags | sessions.hold_settled(db, tx, _DETAIL[why]))
    db.flush()
    OCPP_TRANSACTIONS_SETTLED.labels(why).inc()
    logger.info(
        "transaction %d settled (%s): ended at %s, meterStop %d Wh",
        tx.id,
        _DETAIL[why],
        evidence.at.isoformat(),
        evidence.meter_wh,
    )
    return True


def settle_connector(db: Session, connector_id: int, started_before: datetime) -> list[int]:
    """A transaction starts on the connector at `started_before`: settle those unfinished
    there that started earlier (a connector charges one car at a time). Their ids."""
    unfinished = repository.unfinished_transactions_on(db, connector_id)
    older = [tx for tx in unfinished if tx.started_at < started_before]
    return [tx.id for tx in older if settle(db, tx, started_before, NEW_START)]


def settle_station(db: Session, station_id: int, booted_at: datetime) -> list[int]:
    """The station booted: none of its transactions started before is running. Their ids."""
    unfinished = db.scalars(
        select(OcppTransaction)
        .where(
            OcppTransaction.station_id == station_id,
            OcppTransaction.state.in_(UNFINISHED),
            OcppTransaction.started_at < booted_at,
        )
        .order_by(OcppTransaction.started_at, OcppTransaction.id)
    ).all()
    return [tx.id for tx in unfinished if settle(db, tx, booted_at, BOOT)]


Key = tuple[datetime, int]  # (started_at, id): where a sweep is in the unfinished ones


@dataclass(frozen=True)
class Swept:
    settled: int
    after: Key | None  # where to go on from (None: done)


def expire_open(
    db: Session, now: datetime, expiry: timedelta, after: Key | None = None, limit: int = 100
) -> Swept:
    """Settle the unfinished transactions with no evidence for `expiry`, of the next
    `limit` (oldest first) that started before then, after `after`."""
    cutoff = now - expiry
    query = (
        select(OcppTransaction)
        .where(OcppTransaction.state.in_(UNFINISHED), OcppTransaction.started_at < cutoff)
        .order_by(OcppTransaction.started_at, OcppTransaction.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if after is not None:
        query = query.where(tuple_(OcppTransaction.started_at, OcppTransaction.id) > after)
    candidates = db.scalars(query).all()
    settled = sum(
        settle(db, tx, now, EXPIRY) for tx in candidates if last_evidence(db, tx, now).at < cutoff
    )
    if len(candidates) < limit:
        return Swept(settled, None)
    return Swept(settled, (candidates[-1].started_at, candidates[-1].id))

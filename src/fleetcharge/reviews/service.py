"""Reviewing sessions held as implausible (flush only; the caller commits): list and show
them, claim one for a decision and record the decision, reject one. Accepting one as
reported or correcting it records its charge session from its OCPP transaction, priced as
any other and billed from the next billing run on: fleetcharge.csms.held_sessions does
those. A rejected one is never billed. Each decision is audited; a review is decided once
(409 after)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.orm import Session

from fleetcharge.audit.service import record
from fleetcharge.errors import Conflict, InvalidField, InvalidParameter, NotFound
from fleetcharge.kit import fields
from fleetcharge.kit.cursors import Page, PageRequest, page_of
from fleetcharge.kit.versions import claim_version
from fleetcharge.models import ChargeSession, SessionReview
from fleetcharge.models.ocpp import MAX_TRANSACTION_ID
from fleetcharge.models.review import REVIEW_STATES
from fleetcharge.permissions import Actor
from fleetcharge.reviews import repository
from fleetcharge.reviews.schemas import ReviewCorrection

RESOURCE = "session_reviews"
ALL = "all"
MAX_NOTE = 1000
# A session's energy, as an operator may type it: below any charger's month of charging.
MAX_ENERGY_KWH = Decimal(1_000_000)


def review_view(review: SessionReview) -> dict[str, Any]:
    station, tx, vehicle = review.station, review.transaction, review.vehicle
    corrected = review.corrected_energy_kwh is not None or review.corrected_stop_at is not None
    return {
        "uuid": str(review.uuid),
        "state": review.state,
        "reasons": review.reasons,
        "transaction_id": review.transaction_id,
        "station": {
            "uuid": str(station.uuid),
            "identity": station.ocpp_identity,
            "evse_id": station.evse_id,
            "current_type": station.current_type,
            "max_power_kw": str(station.max_power_kw),
        },
        "connector_id": tx.connector.connector_id,
        "id_tag": tx.id_tag,
        "flags": tx.flags,
        "payer_organisation_uuid": _uuid(review.payer_organisation),
        "vehicle": {"uuid": str(vehicle.uuid), "vin": vehicle.vin} if vehicle else None,
        "start_date_time": review.started_at.isoformat(),
        "stop_date_time": review.stopped_at.isoformat(),
        "energy_kwh": str(review.energy_kwh),
        "deliverable_kwh": str(review.deliverable_kwh),
        "cost_to_driver": str(review.cost_to_driver),
        "currency": review.currency,
        "session_uuid": _uuid(review.session),
        "reviewed_at": _iso(review.reviewed_at),
        "reviewed_by": review.reviewed_by,
        "note": review.note,
        "correction": {
            "energy_kwh": _text(review.corrected_energy_kwh),
            "stop_date_time": _iso(review.corrected_stop_at),
        }
        if corrected
        else None,
        "created_at": review.created_at.isoformat(),
        "version": review.version,
    }


def list_reviews(
    db: Session, actor: Actor, page: PageRequest, *, state: str | None = None
) -> Page[SessionReview]:
    """Oldest first: the held ones unless `state` says otherwise (`all`: every state). An
    organisation's member sees those of its own cards only."""
    actor.require(RESOURCE, "read")
    wanted = state or "held"
    if wanted not in (*REVIEW_STATES, ALL):
        raise InvalidParameter(
            f"state must be one of {', '.join((*REVIEW_STATES, ALL))}, got {state!r}",
            parameter="state",
        )
    query = repository.reviews()
    if wanted != ALL:
        query = query.where(SessionReview.state == wanted)
    if actor.organisation_id is not None:
        query = query.where(SessionReview.payer_organisation_id == actor.organisation_id)
    return page_of(db, query, SessionReview.id, page)


def get_review(db: Session, actor: Actor, uuid: UUID) -> SessionReview:
    actor.require(RESOURCE, "read")
    review = db.scalar(repository.reviews().where(SessionReview.uuid == uuid))
    if review is None or not actor.sees(review.payer_organisation_id):
        raise NotFound(f"no session review {uuid}")
    return review


def find_review(db: Session, reference: str) -> SessionReview:
    """A review by its UUID or its transaction's OCPP transactionId (the CLI's way)."""
    value = reference.strip()
    query = repository.reviews()
    if value.isdigit():
        number = int(value[:12])
        review = (
            db.scalar(query.where(SessionReview.transaction_id == number))
            if number <= MAX_TRANSACTION_ID
            else None
        )
    else:
        try:
            review = db.scalar(query.where(SessionReview.uuid == UUID(value)))
        except ValueError:
            review = None
    if review is None:
        raise NotFound(f"no session review with UUID or transaction id {reference!r}")
    return review


@dataclass(frozen=True)
class Correction:
    energy_kwh: Decimal | None
    stop: datetime | None
    note: str


def checked_correction(review: SessionReview, data: ReviewCorrection) -> Correction:
    """The energy and/or stop time an operator gave for the review's session (at least one),
    and the note, each valid."""
    energy = stop = None
    if data.energy_kwh is not None:
        energy = fields.decimal(data.energy_kwh, "energy_kwh", places=3, below=MAX_ENERGY_KWH)
    if data.stop_date_time is not None:
        stop = _stop(review, data.stop_date_time)
    if energy is None and stop is None:
        raise InvalidField("give energy_kwh, stop_date_time or both", field="energy_kwh")
    return Correction(energy, stop, fields.text(data.note, "note", max_length=MAX_NOTE))


def reject(
    db: Session,
    actor: Actor,
    review: SessionReview,
    note: str,
    expected_version: int | None = None,
) -> SessionReview:
    """Never bill it: no session is recorded, now or later."""
    actor.require(RESOURCE, "review")
    cleaned = fields.text(note, "note", max_length=MAX_NOTE)
    before = claim(db, actor, review, expected_version)
    return decide(db, actor, review, "rejected", "reject", before, cleaned, None)


def claim(
    db: Session, actor: Actor, review: SessionReview, expected_version: int | None
) -> dict[str, Any]:
    """Lock the review at the version expected (412 if changed), still held (409 if not);
    its view before the decision."""
    actor.visible_to(review.payer_organisation_id, "session review", review.uuid)
    claim_version(db, review, expected_version)
    if review.state != "held":
        raise Conflict(f"the session review {review.uuid} was already {review.state}")
    return review_view(review)


def decide(
    db: Session,
    actor: Actor,
    review: SessionReview,
    state: str,
    action: str,
    before: dict[str, Any],
    note: str | None,
    session: ChargeSession | None,
    correction: Correction | None = None,
) -> SessionReview:
    """Record the decision on a claimed review (`before`: its view when claimed), with the
    session it recorded, if any, and audit it."""
    review.state = state
    review.note = note
    if correction is not None:
        review.corrected_energy_kwh = correction.energy_kwh
        review.corrected_stop_at = correction.stop
    review.reviewed_at = datetime.now(UTC)
    review.reviewed_by = actor.name
    if session is not None:
        review.session = session
    db.flush()
    after = review_view(review)
    record(
        db,
        actor,
        action,
        "session_review",
        review.uuid,
        review.payer_organisation_id,
        before,
        after,
    )
    return review


def _stop(review: SessionReview, value: datetime) -> datetime:
    stop = fields.moment(value, "stop_date_time")
    if not review.started_at <= stop <= datetime.now(UTC):
        raise InvalidField(
            f"stop_date_time must be from the start ({review.started_at.isoformat()}) "
            f"to now, got {value.isoformat()}",
            field="stop_date_time",
        )
    return stop


def _uuid(row: Any) -> str | None:
    return str(row.uuid) if row is not None else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None

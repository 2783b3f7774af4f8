"""Recording the sessions held back, when an operator releases them (flush only; the caller
commits): approving a station that was pending records the sessions of its transactions
stopped meanwhile; accepting or correcting a review records the session held as
implausible. Each records a charge session from an OCPP transaction, so it sits here,
above the domains whose rows it changes (network's station, reviews' review) through
their own modules."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from fleetcharge.csms import repository, sessions
from fleetcharge.errors import InvalidField
from fleetcharge.kit import fields
from fleetcharge.models import SessionReview, Station
from fleetcharge.models.ocpp import Flag
from fleetcharge.network import stations
from fleetcharge.permissions import Actor
from fleetcharge.reviews import service as reviews
from fleetcharge.reviews.plausibility import Reason
from fleetcharge.reviews.schemas import ReviewCorrection


@dataclass(frozen=True)
class Approval:
    station: Station
    sessions_recorded: int  # held while it was pending


def approve_station(db: Session, actor: Actor, station: Station) -> Approval:
    """An auto-registered station is accepted: its BootNotification is answered Accepted
    from now on, and the sessions held while it was pending are recorded (on the Fleets
    API and billed from now on). Again, or for a station never pending: no change."""
    if not stations.approve(db, actor, station):
        return Approval(station, 0)
    return Approval(station, record_held_sessions(db, station))


def approval_view(approval: Approval) -> dict[str, Any]:
    return {
        **stations.station_view(approval.station),
        "sessions_recorded": approval.sessions_recorded,
    }


def record_held_sessions(db: Session, station: Station) -> int:
    """Record the sessions of the station's transactions stopped while it was pending (it
    is approved now), each judged as any other (an implausible one is held for review now);
    how many were recorded."""
    stopped = repository.stopped_transactions_without_session(db, station.id)
    held = [
        tx
        for tx in stopped
        if Flag.HELD_PENDING_STATION in tx.flags and Flag.HELD_FOR_REVIEW not in tx.flags
    ]
    for tx in held:
        tx.flags = sorted({*tx.flags, *sessions.record_transaction_session(db, tx)})
    return sum(tx.session_id is not None for tx in held)


def accept(
    db: Session,
    actor: Actor,
    review: SessionReview,
    note: str | None = None,
    expected_version: int | None = None,
) -> SessionReview:
    """Record the held session as reported."""
    actor.require(reviews.RESOURCE, "review")
    cleaned = fields.optional_text(note, "note", max_length=reviews.MAX_NOTE)
    before = reviews.claim(db, actor, review, expected_version)
    session = sessions.record_reviewed_session(db, review.transaction)
    return reviews.decide(db, actor, review, "accepted", "accept", before, cleaned, session)


def correct(
    db: Session,
    actor: Actor,
    review: SessionReview,
    data: ReviewCorrection,
    expected_version: int | None = None,
) -> SessionReview:
    """Record the held session with the energy and/or stop time given, priced as any other;
    the corrected session must be plausible (an implausible one is accepted, not
    corrected)."""
    actor.require(reviews.RESOURCE, "review")
    correction = reviews.checked_correction(review, data)
    before = reviews.claim(db, actor, review, expected_version)
    tx = review.transaction
    energy, stop = correction.energy_kwh, correction.stop
    verdict = sessions.judge_correction(db, tx, stop=stop, energy_kwh=energy)
    if verdict.held:
        too_long = verdict.reasons == [Reason.DURATION_TOO_LONG]
        raise InvalidField(
            "the corrected session is still implausible: "
            + "; ".join(finding.detail for finding in verdict.findings),
            field="stop_date_time" if too_long else "energy_kwh",
        )
    session = sessions.record_reviewed_session(db, tx, stop=stop, energy_kwh=energy)
    return reviews.decide(
        db, actor, review, "corrected", "correct", before, correction.note, session, correction
    )

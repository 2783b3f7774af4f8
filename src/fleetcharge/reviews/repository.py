"""The rows of session reviews (flush only): holding a transaction's session, and the
queries of the review lists."""

from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from fleetcharge.models import OcppTransaction, SessionReview
from fleetcharge.reviews.plausibility import Verdict


def hold(
    db: Session,
    tx: OcppTransaction,
    verdict: Verdict,
    *,
    energy_kwh: Decimal,
    host_organisation_id: int,
    payer_organisation_id: int | None,
    vehicle_id: int | None,
    cost_to_driver: Decimal,
    currency: str,
) -> SessionReview:
    """Hold the stopped transaction's session for review, with the verdict's reasons."""
    assert tx.stopped_at is not None
    review = SessionReview(
        transaction_id=tx.id,
        station_id=tx.station_id,
        host_organisation_id=host_organisation_id,
        payer_organisation_id=payer_organisation_id,
        vehicle_id=vehicle_id,
        state="held",
        reasons=[{"code": f.reason.value, "detail": f.detail} for f in verdict.findings],
        started_at=tx.started_at,
        stopped_at=tx.stopped_at,
        energy_kwh=energy_kwh,
        deliverable_kwh=verdict.deliverable_kwh,
        cost_to_driver=cost_to_driver,
        currency=currency,
    )
    db.add(review)
    db.flush()
    return review


def reviews() -> Select[SessionReview]:
    """Reviews with what their views show, loaded with them."""
    return select(SessionReview).options(
        joinedload(SessionReview.station),
        joinedload(SessionReview.transaction).joinedload(OcppTransaction.connector),
        joinedload(SessionReview.payer_organisation),
        joinedload(SessionReview.vehicle),
        joinedload(SessionReview.session),
    )


def review_of_transaction(db: Session, transaction_id: int) -> SessionReview | None:
    return db.scalar(select(SessionReview).where(SessionReview.transaction_id == transaction_id))


def withdraw(db: Session, review: SessionReview) -> None:
    """Remove a review nobody decided yet whose facts were provisional (a settled
    transaction's, before its StopTransaction came): the real ones replace it."""
    assert review.state == "held" and review.session_id is None
    db.delete(review)
    db.flush()

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from fleetcharge.admin.calls import Cursor, Limit, page_request
from fleetcharge.admin.documents import changes, lists, shows
from fleetcharge.admin.resources import Resource
from fleetcharge.csms import held_sessions
from fleetcharge.models.review import REVIEW_STATES
from fleetcharge.reviews import service
from fleetcharge.reviews.schemas import (
    ReviewAccept,
    ReviewCorrection,
    ReviewRejection,
    SessionReviewView,
)

router = APIRouter(prefix="/session-reviews", tags=["Session reviews"])
REVIEWS = Resource(service.RESOURCE, service.get_review, service.review_view)

StateFilter = Annotated[
    str | None,
    Query(
        description="held (default), accepted, corrected, rejected, or all.",
        json_schema_extra={"enum": [*REVIEW_STATES, service.ALL]},
    ),
]


@router.get(
    "",
    summary="List sessions held as implausible (oldest first), or those reviewed",
    **lists(SessionReviewView),
)
def list_reviews(
    request: Request, cursor: Cursor = None, limit: Limit = None, state: StateFilter = None
) -> Response:
    return REVIEWS.page(
        request,
        lambda db, actor: service.list_reviews(db, actor, page_request(cursor, limit), state=state),
    )


@router.get("/{uuid}", summary="Show a session review", **shows(SessionReviewView))
def show_review(request: Request, uuid: UUID) -> Response:
    return REVIEWS.show(request, uuid)


@router.post(
    "/{uuid}/accept",
    summary="Accept a held session as reported: it is recorded and billed (send its ETag "
    "in If-Match)",
    **changes(SessionReviewView),
)
def accept(request: Request, uuid: UUID, body: ReviewAccept | None = None) -> Response:
    note = body.note if body is not None else None
    return REVIEWS.change(
        request,
        uuid,
        lambda db, a, review, v: held_sessions.accept(db, a, review, note, v),
        "review",
    )


@router.post(
    "/{uuid}/correct",
    summary="Correct a held session's energy and/or stop time: it is recorded, priced as "
    "corrected, and billed",
    **changes(SessionReviewView),
)
def correct(request: Request, uuid: UUID, body: ReviewCorrection) -> Response:
    return REVIEWS.change(
        request,
        uuid,
        lambda db, a, review, v: held_sessions.correct(db, a, review, body, v),
        "review",
    )


@router.post(
    "/{uuid}/reject",
    summary="Reject a held session: never recorded, never billed",
    **changes(SessionReviewView),
)
def reject(request: Request, uuid: UUID, body: ReviewRejection) -> Response:
    return REVIEWS.change(
        request,
        uuid,
        lambda db, a, review, v: service.reject(db, a, review, body.note, v),
        "review",
    )

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    admin_call,
    expected_version,
    object_response,
    page_request,
    page_response,
)
from fleetcharge.admin.documents import changes, lists, shows
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
    with admin_call(request, service.RESOURCE, "read") as (db, actor):
        page = service.list_reviews(db, actor, page_request(cursor, limit), state=state)
        return page_response(request, page, service.review_view)


@router.get("/{uuid}", summary="Show a session review", **shows(SessionReviewView))
def show_review(request: Request, uuid: UUID) -> Response:
    with admin_call(request, service.RESOURCE, "read") as (db, actor):
        return object_response(service.review_view(service.get_review(db, actor, uuid)))


@router.post(
    "/{uuid}/accept",
    summary="Accept a held session as reported: it is recorded and billed (send its ETag "
    "in If-Match)",
    **changes(SessionReviewView),
)
def accept(request: Request, uuid: UUID, body: ReviewAccept | None = None) -> Response:
    version = expected_version(request)
    with admin_call(request, service.RESOURCE, "review") as (db, actor):
        review = service.get_review(db, actor, uuid)
        note = body.note if body is not None else None
        return object_response(
            service.review_view(held_sessions.accept(db, actor, review, note, version))
        )


@router.post(
    "/{uuid}/correct",
    summary="Correct a held session's energy and/or stop time: it is recorded, priced as "
    "corrected, and billed",
    **changes(SessionReviewView),
)
def correct(request: Request, uuid: UUID, body: ReviewCorrection) -> Response:
    version = expected_version(request)
    with admin_call(request, service.RESOURCE, "review") as (db, actor):
        review = service.get_review(db, actor, uuid)
        return object_response(
            service.review_view(held_sessions.correct(db, actor, review, body, version))
        )


@router.post(
    "/{uuid}/reject",
    summary="Reject a held session: never recorded, never billed",
    **changes(SessionReviewView),
)
def reject(request: Request, uuid: UUID, body: ReviewRejection) -> Response:
    version = expected_version(request)
    with admin_call(request, service.RESOURCE, "review") as (db, actor):
        review = service.get_review(db, actor, uuid)
        return object_response(
            service.review_view(service.reject(db, actor, review, body.note, version))
        )

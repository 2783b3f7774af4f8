"""Emailing an issued document to its organisation's billing contacts, and the record of
its sendings."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    authorised,
    json_response,
    object_response,
    page_request,
)
from fleetcharge.admin.documents import ERRORS, lists
from fleetcharge.admin.resources import listed
from fleetcharge.billing.invoices import MAX_INVOICE_NUMBER
from fleetcharge.db import unit_of_work
from fleetcharge.invoice_sending import service
from fleetcharge.invoice_sending.schemas import (
    SendingView,
    SendPreviewView,
    SendRequest,
    preview_view,
    sending_view,
)
from fleetcharge.models.invoice_sending import SendingResult
from fleetcharge.settings import get_settings

router = APIRouter(prefix="/invoices", tags=["Invoices"])

Number = Annotated[
    int, Path(ge=1, le=MAX_INVOICE_NUMBER, description="The document's invoice number.")
]


@router.post(
    "/{number}/send",
    summary="Email an issued document, its PDF attached, to its organisation's billing contacts",
    description="Sent once: a second sending is refused (409 `already_sent`) unless `force`, "
    "also while another is under way. Drafts and void documents are never sent (409 "
    "`not_sendable`); an organisation without billing emails is refused (409 "
    "`no_billing_contacts`). When the mail relay takes it for nobody the sending is "
    "recorded as failed and the answer is 502 `sending_failed`; 503 "
    "`sending_unavailable` when no relay is configured.",
    status_code=201,
    responses={
        201: {"model": SendingView, "description": "Sent; the recorded sending."},
        200: {"model": SendPreviewView, "description": "Dry run: what would be sent."},
        502: {**ERRORS[503], "description": "The mail relay took the message for nobody."},
        503: {
            **ERRORS[503],
            "description": "No mail relay configured (or the database is briefly unavailable).",
        },
    },
)
def send(request: Request, number: Number, body: SendRequest | None = None) -> Response:
    options = body or SendRequest()
    actor = authorised(request, service.RESOURCE, "send")
    engine = request.app.state.engine
    outcome = service.send_document(
        engine,
        actor,
        str(number),
        get_settings(),
        force=options.force,
        dry_run=options.dry_run,
    )
    if outcome.sending_uuid is None:
        return json_response(preview_view(outcome))
    if outcome.result == SendingResult.FAILED:
        raise service.SendingFailed(
            f"sending {number} failed (recorded as sending {outcome.sending_uuid}):"
            f" {outcome.detail}"
        )
    with unit_of_work(engine) as db:
        sending = service.sending_by_uuid(db, outcome.sending_uuid)
        return object_response(sending_view(sending, number), 201)


@router.get(
    "/{number}/sendings",
    summary="List a document's sendings and payment reminders, oldest first",
    **lists(SendingView),
)
def sendings(
    request: Request, number: Number, cursor: Cursor = None, limit: Limit = None
) -> Response:
    return listed(
        request,
        service.RESOURCE,
        lambda db, actor: service.sendings_page(db, actor, number, page_request(cursor, limit)),
        lambda sending: sending_view(sending, number),
    )

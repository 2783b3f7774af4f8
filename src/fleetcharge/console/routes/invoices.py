"""The organisation's documents: fleet invoices, site-host invoices and RCTIs (never drafts)
with their status and what is due, one document's lines and totals exactly as its PDF shows
them, and the PDF itself (billing.pdf)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from fleetcharge.abn import format_abn
from fleetcharge.billing.documents import operator_party, shown_document, tax_document
from fleetcharge.billing.organisation_documents import (
    DOCUMENT_STATUSES,
    get_document,
    list_documents,
)
from fleetcharge.console.lists import first_url, next_url, page_request
from fleetcharge.console.member import Member
from fleetcharge.console.pages import PAGE_HEADERS, render
from fleetcharge.console.security import CurrentMember
from fleetcharge.db import unit_of_work
from fleetcharge.errors import NotFound
from fleetcharge.models.invoice import INVOICE_KINDS
from fleetcharge.settings import get_settings

router = APIRouter()

KIND_NAMES = {
    "fleet": "Fleet invoice",
    "site_host": "Site-host invoice",
    "rcti": "Recipient-created tax invoice",
}
KINDS = (("", "Any kind"), *((kind, KIND_NAMES[kind]) for kind in INVOICE_KINDS))
STATUSES = (("", "Any status"), *((status, status.capitalize()) for status in DOCUMENT_STATUSES))


def organisation_member(member: CurrentMember) -> Member:
    """Documents are addressed to organisations; the operator's staff have /billing."""
    if member.is_operator:
        raise NotFound("no such page")
    return member


OrganisationMember = Annotated[Member, Depends(organisation_member)]


@router.get("/invoices", response_class=HTMLResponse)
def invoices_page(
    request: Request,
    member: OrganisationMember,
    kind: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        page = list_documents(
            db, member.actor, page_request(cursor), kind=kind or None, status=status or None
        )
    return render(
        request,
        "invoices/list.html",
        {
            "title": "Invoices",
            "page": page,
            "kind": kind or "",
            "status": status or "",
            "kinds": KINDS,
            "statuses": STATUSES,
            "kind_names": KIND_NAMES,
            "first_url": first_url(request),
            "next_url": next_url(request, page),
        },
    )


# Before /invoices/{uuid}, which would take `<uuid>.pdf` for its uuid.
@router.get("/invoices/{uuid}.pdf")
def invoice_pdf(request: Request, member: OrganisationMember, uuid: UUID) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        invoice = get_document(db, member.actor, uuid)
        document = tax_document(db, invoice, operator_party(get_settings()))
    from fleetcharge.billing.pdf import render_pdf  # fpdf takes a while to import

    filename = f"{document.title.lower().replace(' ', '-')}-{document.number}.pdf"
    return Response(
        render_pdf(document),
        media_type="application/pdf",
        headers={
            **PAGE_HEADERS,
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


@router.get("/invoices/{uuid}", response_class=HTMLResponse)
def invoice_page(request: Request, member: OrganisationMember, uuid: UUID) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        invoice = get_document(db, member.actor, uuid)
        document = shown_document(db, invoice, operator_party(get_settings()))
    return render(
        request,
        "invoices/invoice.html",
        {
            "title": f"{document.title} {document.number}",
            "invoice": invoice,
            "document": document,
            "kind": KIND_NAMES[invoice.kind],
            "abns": {
                "supplier": _abn(document.supplier.abn),
                "recipient": _abn(document.recipient.abn),
            },
        },
    )


def _abn(abn: str | None) -> str | None:
    return format_abn(abn) if abn else None

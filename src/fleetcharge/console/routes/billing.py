"""Billing, for operator staff who bill: run a month as drafts, review a draft's lines and
totals, approve one or all of the month, download the issued documents as PDFs."""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from fleetcharge.billing import runs
from fleetcharge.billing.documents import document_title, operator_party, tax_document
from fleetcharge.billing.invoices import billed_vehicle_count, invoice_rows, kind_label
from fleetcharge.billing.period import Period
from fleetcharge.console.forms import submit, texts
from fleetcharge.console.member import Member
from fleetcharge.console.pages import render
from fleetcharge.console.security import CheckedForm, OperatorMember
from fleetcharge.db import unit_of_work
from fleetcharge.models import Organisation
from fleetcharge.models.invoice import InvoiceStatus
from fleetcharge.money import ZERO
from fleetcharge.settings import get_settings

router = APIRouter()

BASE = "/billing"


@router.get(BASE, response_class=HTMLResponse)
def billing_page(
    request: Request,
    member: OperatorMember,
    period: str | None = None,
    done: str | None = None,
    count: int | None = None,
) -> Response:
    member.actor.require(runs.RESOURCE, "read")
    month = _month(member, period)
    return _month_page(request, member, month, {}, _notice(done, count, month))


@router.post(f"{BASE}/run", response_class=HTMLResponse)
def run_month(request: Request, member: OperatorMember, form: CheckedForm) -> Response:
    values = texts(form, "period")
    drafted: list[int] = []

    def change(db: Session) -> str:
        month = Period.parse(values["period"].strip())
        drafted.append(len(runs.run_month(db, member.actor, month, datetime.now(UTC))))
        return f"{BASE}?period={month}&done=run&count={drafted[0]}"

    def again(errors: dict[str, str]) -> Response:
        return _month_page(request, member, _month(member, None), errors, None, values["period"])

    return submit(request, change, again)


@router.post(f"{BASE}/approve", response_class=HTMLResponse)
def approve_month(request: Request, member: OperatorMember, form: CheckedForm) -> Response:
    month = _posted_month(form)
    with unit_of_work(request.app.state.engine) as db:
        approved = runs.approve(db, member.actor, period=month)
    return RedirectResponse(
        f"{BASE}?period={month}&done=approved&count={len(approved)}", status_code=303
    )


@router.get(f"{BASE}/invoices/{{uuid}}", response_class=HTMLResponse)
def invoice_page(
    request: Request, member: OperatorMember, uuid: UUID, done: str | None = None
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        invoice = runs.get_document(db, member.actor, uuid)
        (row,) = invoice_rows(db, invoice_ids=[invoice.id], count_sessions=True)
        organisation = db.get_one(Organisation, invoice.organisation_id)
        month = Period(invoice.period_start.year, invoice.period_start.month)
        name = _name(invoice.invoice_number, invoice.uuid)
        return render(
            request,
            "billing/invoice.html",
            {
                "title": f"{document_title(invoice)} {name}",
                "invoice": invoice,
                "row": row,
                "kind": kind_label(invoice),
                "organisation": organisation,
                "month": month,
                "lines": invoice.line_items,
                "vehicles": billed_vehicle_count(db, invoice),
                "is_draft": invoice.status == InvoiceStatus.DRAFT,
                "notice": f"{document_title(invoice)} {name} approved"
                if done == "approved"
                else None,
            },
        )


@router.post(f"{BASE}/invoices/{{uuid}}/approve", response_class=HTMLResponse)
def approve_invoice(
    request: Request, member: OperatorMember, uuid: UUID, form: CheckedForm
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        invoice = runs.get_document(db, member.actor, uuid)
        runs.approve(db, member.actor, [invoice.id])
    return RedirectResponse(f"{BASE}/invoices/{uuid}?done=approved", status_code=303)


@router.get(f"{BASE}/invoices/{{uuid}}/pdf")
def invoice_pdf(request: Request, member: OperatorMember, uuid: UUID) -> Response:
    """The issued document as its PDF (a draft has none: 409)."""
    with unit_of_work(request.app.state.engine) as db:
        invoice = runs.get_document(db, member.actor, uuid)
        document = tax_document(db, invoice, operator_party(get_settings()))
    from fleetcharge.billing.pdf import render_pdf  # fpdf takes a while to import

    return Response(
        render_pdf(document),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="invoice-{document.number}.pdf"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _month_page(
    request: Request,
    member: Member,
    month: Period,
    errors: dict[str, str],
    notice: str | None,
    typed: str | None = None,
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        rows = runs.month_documents(db, member.actor, month)
    drafts = [row for row in rows if row.invoice.status == InvoiceStatus.DRAFT]
    issued = [row for row in rows if row.invoice.status != InvoiceStatus.DRAFT]
    return render(
        request,
        "billing/month.html",
        {
            "title": f"Billing {month.first_day:%B %Y}",
            "month": month,
            "previous_month": _previous(month),
            "next_month": month.next() if month.year < 9998 or month.month < 12 else None,
            "drafts": drafts,
            "issued": issued,
            "draft_total": sum((row.invoice.total_amount for row in drafts), ZERO),
            "kind_label": kind_label,
            "errors": errors,
            "typed": typed if typed is not None else str(month),
            "notice": notice,
        },
    )


def _month(member: Member, period: str | None) -> Period:
    """The month asked for, or the last completed one on the operator's clock."""
    if period:
        return Period.parse(period.strip())
    return Period.last_completed(member.timezone, datetime.now(UTC))


def _posted_month(form: FormData) -> Period:
    return Period.parse(texts(form, "period")["period"].strip())


def _previous(month: Period) -> Period | None:
    if month.month > 1:
        return Period(month.year, month.month - 1)
    return Period(month.year - 1, 12) if month.year > 1900 else None


def _notice(done: str | None, count: int | None, month: Period) -> str | None:
    documents = f"{count} document{'' if count == 1 else 's'}" if count is not None else None
    if done == "run" and documents:
        return f"{documents} drafted for {month}" if count else f"Nothing new to draft for {month}"
    if done == "approved" and documents:
        return f"{documents} of {month} approved" if count else f"No drafts of {month} to approve"
    return None


def _name(number: int | None, uuid: UUID) -> str:
    return str(number) if number is not None else f"draft {str(uuid)[:8]}"

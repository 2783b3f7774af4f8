"""Statements of account: the span asked for, the organisation's history read from the
database (`statement` does the sums), and the statement as CSV (the PDF is
`statement_pdf`). The CLI and the admin API call these."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from fleetcharge.billing.documents import Party, document_title, organisation_party
from fleetcharge.billing.period import Period
from fleetcharge.billing.statement import (
    Statement,
    StatementDocument,
    StatementPayment,
    build_statement,
)
from fleetcharge.client.flatten import Cell, render
from fleetcharge.errors import InvalidParameter
from fleetcharge.kit.months import MAX_YEAR, MIN_YEAR
from fleetcharge.models import Invoice, InvoicePayment, Organisation
from fleetcharge.models.invoice import InvoiceStatus
from fleetcharge.timezones import local_date

STATEMENT_FORMATS = ("pdf", "csv")
CSV_COLUMNS = ("date", "entry", "number", "description", "status", "amount", "balance")


@dataclass(frozen=True)
class AccountStatement:
    operator: Party
    organisation: Party
    timezone: str
    issued_on: date
    currency: str
    statement: Statement

    @property
    def file_name(self) -> str:
        span = f"{self.statement.first_day}_{self.statement.last_day}"
        safe = "".join(c if c.isalnum() else "-" for c in self.organisation.name).strip("-")
        return f"statement-{safe or 'organisation'}-{span}"


def statement_span(
    period: str | None, date_from: str | None, date_to: str | None, timezone: str, now: datetime
) -> tuple[date, date]:
    """A month (`period`, YYYY-MM), or days from `date_from` to `date_to` (inclusive; either
    open end defaults to the month of the other), or else the last month completed in the
    organisation's billing timezone."""
    if period is not None:
        if date_from is not None or date_to is not None:
            raise InvalidParameter("give period, or from and to, not both", parameter="period")
        month = Period.parse(period)
        return month.first_day, month.last_day
    if date_from is None and date_to is None:
        month = Period.last_completed(timezone, now)
        return month.first_day, month.last_day
    first = _day(date_from, "from") if date_from is not None else None
    last = _day(date_to, "to") if date_to is not None else None
    if first is None:
        assert last is not None
        first = Period.of(last).first_day
    if last is None:
        last = Period.of(first).last_day
    if first > last:
        raise InvalidParameter(f"from ({first}) is after to ({last})", parameter="from")
    return first, last


def _day(text: str, parameter: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(
            f"{parameter} {text!r} is not a day like 2026-10-31", parameter=parameter
        ) from None
    if len(text) != 10 or not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidParameter(
            f"{parameter} must be a day YYYY-MM-DD from {MIN_YEAR} to {MAX_YEAR}",
            parameter=parameter,
        )
    return day


def account_statement(
    db: Session,
    organisation: Organisation,
    first_day: date,
    last_day: date,
    operator: Party,
    now: datetime,
) -> AccountStatement:
    original = aliased(Invoice)
    documents = db.execute(
        select(Invoice, original.invoice_number)
        .outerjoin(original, original.id == Invoice.adjusts_invoice_id)
        .where(
            Invoice.organisation_id == organisation.id,
            Invoice.status != InvoiceStatus.DRAFT,
            Invoice.invoice_date <= last_day,
        )
    ).all()
    payments = db.execute(
        select(InvoicePayment, Invoice)
        .join(Invoice, Invoice.id == InvoicePayment.invoice_id)
        .where(
            Invoice.organisation_id == organisation.id,
            InvoicePayment.counterpart_invoice_id.is_(None),
            InvoicePayment.paid_on <= last_day,
        )
    ).all()
    statement = build_statement(
        [_document(invoice, adjusts) for invoice, adjusts in documents],
        [
            StatementPayment(
                payment.paid_on,
                invoice.invoice_number or 0,
                invoice.kind,
                invoice.adjusts_invoice_id is not None,
                payment.amount,
            )
            for payment, invoice in payments
        ],
        first_day,
        last_day,
    )
    return AccountStatement(
        operator=operator,
        organisation=organisation_party(organisation),
        timezone=organisation.billing_timezone,
        issued_on=local_date(now, organisation.billing_timezone),
        currency="AUD",
        statement=statement,
    )


def _document(invoice: Invoice, adjusts: int | None) -> StatementDocument:
    number = invoice.invoice_number or 0
    title = document_title(invoice)
    description = f"{title} {number}, period {invoice.period_start:%Y-%m}"
    if adjusts is not None:
        description = f"{title} {number}, adjusting {adjusts}"
    return StatementDocument(
        invoice.invoice_date,
        number,
        invoice.kind,
        title,
        description,
        invoice.total_amount,
        invoice.status == InvoiceStatus.VOID,
    )


def statement_csv(account: AccountStatement) -> str:
    """Opening balance, each entry with the balance after it, closing balance; a void
    document shows its amount and leaves the balance as it was."""
    statement = account.statement
    rows: list[list[Cell]] = [
        [statement.first_day, "opening", None, "Opening balance", None, None, statement.opening]
    ]
    for e in statement.entries:
        rows.append([e.day, e.entry, e.number, e.description, e.status, e.amount, e.balance])
    rows.append(
        [statement.last_day, "closing", None, "Closing balance", None, None, statement.closing]
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows([render(cell) for cell in row] for row in rows)
    return buffer.getvalue()

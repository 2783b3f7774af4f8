"""`fleetcharge invoices list | show | pay | void | adjust | pdf` (and `send | remind`, in
`invoice_sending`): documents after the run."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from fleetcharge.billing.adjustments import draft_adjustment_note
from fleetcharge.billing.amounts import parse_amount
from fleetcharge.billing.documents import document_title, operator_party, tax_document
from fleetcharge.billing.due import amount_due, days_overdue
from fleetcharge.billing.invoices import (
    InvoiceRow,
    adjustments_of,
    billed_vehicle_count,
    find_invoice,
    invoice_rows,
    kind_label,
    payments_of,
)
from fleetcharge.billing.payments import describe, record_payment, void_invoice
from fleetcharge.billing.period import Period
from fleetcharge.cli import invoice_sending
from fleetcharge.cli.common import (
    DatabaseUrl,
    command_session,
    console,
    day,
    fail,
    output_file,
    print_table,
)
from fleetcharge.models.invoice import InvoiceStatus
from fleetcharge.organisations.service import find_organisation
from fleetcharge.settings import get_settings

app = typer.Typer(
    help="Fleet invoices, site-host invoices, RCTIs and adjustment notes.", no_args_is_help=True
)

InvoiceRef = Annotated[
    str, typer.Argument(help="Invoice number, or UUID (drafts).", show_default=False)
]
Number = Annotated[str, typer.Argument(help="Invoice number (or UUID).", show_default=False)]


@app.command("list")
def list_invoices(
    org: Annotated[str | None, typer.Option(help="Organisation name or UUID.")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="draft, approved, paid, void, or overdue (approved, unpaid, past its due date).",
            show_default=False,
        ),
    ] = None,
    period: Annotated[
        str | None, typer.Option(help="Billing month, YYYY-MM.", show_default=False)
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List documents by number (drafts last) with their totals, what is due and when (a
    void document: nothing)."""
    today = date.today()
    with command_session(database_url) as db:
        rows = invoice_rows(
            db,
            organisation_id=find_organisation(db, org).id if org else None,
            status=status,
            period=Period.parse(period) if period else None,
            today=today,
        )
        table = _list_table(rows, today)
    if not rows:
        console.print("No invoices.")
        return
    print_table(table)


@app.command("show")
def show(reference: InvoiceRef, database_url: DatabaseUrl = None) -> None:
    """Show one document: its lines, payments and adjustment notes."""
    today = date.today()
    with command_session(database_url) as db:
        invoice = find_invoice(db, reference)
        (row,) = invoice_rows(db, invoice_ids=[invoice.id], count_sessions=True)
        late = days_overdue(invoice, today)
        status = f"overdue ({late} days past due)" if late else invoice.status
        if invoice.status == InvoiceStatus.VOID:
            voided = f" on {invoice.voided_at:%Y-%m-%d}" if invoice.voided_at else ""
            status = f"void{voided}: nothing is due"
        header = [
            ("document", f"{document_title(invoice)} ({kind_label(invoice)})"),
            ("number", str(invoice.invoice_number or "- (draft)")),
            ("uuid", str(invoice.uuid)),
            ("organisation", row.organisation),
            ("status", status),
            ("invoice date", invoice.invoice_date.isoformat()),
            ("due date", invoice.due_date.isoformat() if invoice.due_date else ""),
            ("period", f"{invoice.period_start} to {invoice.period_end}"),
            ("description", invoice.description or ""),
            ("reference", invoice.reference or ""),
            ("adjusts", str(row.adjusts_number or "")),
            ("replaces", str(row.replaces_number or "")),
            ("sessions billed", str(row.sessions or 0)),
            ("vehicles billed", str(billed_vehicle_count(db, invoice))),
            ("total (incl. GST)", str(invoice.total_amount)),
            ("GST", str(invoice.total_tax)),
            ("paid", str(invoice.total_paid)),
            ("due", str(row.due)),
        ]
        lines = Table("#", "description", "units", "unit price", "amount")
        for line in invoice.line_items:
            lines.add_row(
                str(line.position),
                line.description,
                str(line.units),
                str(line.unit_price),
                str(line.amount),
            )
        payments = Table("date", "amount", "entry")
        for payment in payments_of(db, invoice):
            entry = "payment" if invoice.total_amount >= 0 else "refund"
            if payment.counterpart_number is not None:
                entry = f"adjustment credit with {payment.counterpart_number}"
            payments.add_row(payment.paid_on.isoformat(), str(payment.amount), entry)
        notes = [
            describe(note) + f" ({note.status}, {note.total_amount})"
            for note in adjustments_of(db, invoice)
        ]
        sendings = invoice_sending.sendings_table(db, invoice)
    for label, value in header:
        if value:
            console.print(Text.assemble((f"{label:>18}", "bold"), f"  {value}"), soft_wrap=True)
    print_table(lines)
    if payments.row_count:
        print_table(payments)
    for note in notes:
        console.print(f"adjusted by {note}", soft_wrap=True, highlight=False)
    if sendings is not None:
        print_table(sendings)


@app.command("pay")
def pay(
    number: Number,
    amount: Annotated[str, typer.Option(help="Amount received, e.g. 171.31.", show_default=False)],
    paid_on: Annotated[
        str | None, typer.Option("--date", help="Date received, YYYY-MM-DD (default: today).")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record a payment (on an adjustment note: a refund of its credit). Fully paid
    documents become `paid`."""
    with command_session(database_url) as db:
        received = day(paid_on, "--date") if paid_on else date.today()
        invoice = find_invoice(db, number)
        paid = parse_amount(amount, name="--amount")
        record_payment(db, invoice, paid, received)
        due = abs(amount_due(invoice))
        message = (
            f"Recorded {paid} on {describe(invoice)}: {abs(invoice.total_paid)} of"
            f" {abs(invoice.total_amount)} settled, {due} due; status {invoice.status}."
        )
    console.print(message, soft_wrap=True, highlight=False)


@app.command("void")
def void(reference: InvoiceRef, database_url: DatabaseUrl = None) -> None:
    """Void an unpaid document (its sessions are billed again by the next run); a draft
    is discarded."""
    with command_session(database_url) as db:
        invoice = find_invoice(db, reference)
        name = describe(invoice)
        voided = void_invoice(db, invoice)
    if voided:
        console.print(
            f"{name} is void; its sessions will be billed again by the next billing run.",
            soft_wrap=True,
            highlight=False,
        )
    else:
        console.print(f"{name} discarded.", soft_wrap=True, highlight=False)


@app.command("adjust")
def adjust(
    number: Number,
    amount: Annotated[
        str,
        typer.Option(help="Credit, negative and GST-inclusive, e.g. -12.50.", show_default=False),
    ],
    reason: Annotated[str, typer.Option(help="Why, shown on the note.", show_default=False)],
    database_url: DatabaseUrl = None,
) -> None:
    """Draft an adjustment note crediting an approved document; approve it with
    `fleetcharge billing approve`."""
    with command_session(database_url) as db:
        original = find_invoice(db, number)
        note = draft_adjustment_note(db, original, parse_amount(amount, name="--amount"), reason)
        message = (
            f"Drafted adjustment note {note.uuid} crediting {-note.total_amount} (GST"
            f" {-note.total_tax}) on {describe(original)}. Approve it with `fleetcharge billing"
            " approve`."
        )
    console.print(message, soft_wrap=True, highlight=False)


@app.command("pdf")
def pdf(
    number: Number,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="PDF file to write.", show_default=False)
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Write the tax invoice (RCTI, adjustment note) of an issued document as a PDF."""
    output_file(output, "--output")
    with command_session(database_url) as db:
        operator = operator_party(get_settings())
        document = tax_document(db, find_invoice(db, number), operator)
    from fleetcharge.billing.pdf import render_pdf  # fpdf takes a while to import

    content = render_pdf(document)
    try:
        output.write_bytes(content)
    except OSError as error:
        raise fail(f"cannot write {output}: {error.strerror}") from None
    console.print(f"{document.title} {document.number} written to {output}.", soft_wrap=True)


def _list_table(rows: list[InvoiceRow], today: date) -> Table:
    table = Table("number", "uuid", "organisation", "kind", "period", "date", "due date", "status")
    for column in ("total", "GST", "paid", "due"):
        table.add_column(column, justify="right")
    for row in rows:
        invoice = row.invoice
        table.add_row(
            str(invoice.invoice_number or "draft"),
            str(invoice.uuid),
            row.organisation,
            kind_label(invoice),
            str(Period(invoice.period_start.year, invoice.period_start.month)),
            invoice.invoice_date.isoformat(),
            invoice.due_date.isoformat() if invoice.due_date else "",
            row.shown_status(today),
            str(invoice.total_amount),
            str(invoice.total_tax),
            str(invoice.total_paid),
            str(row.due),
        )
    return table


invoice_sending.register(app)

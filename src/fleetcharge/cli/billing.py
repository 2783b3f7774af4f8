"""`fleetcharge billing run | approve`: the monthly run, then numbering what it drafted."""

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from fleetcharge.billing import runs
from fleetcharge.billing.invoices import InvoiceRow, invoice_rows, kind_label
from fleetcharge.billing.period import Period
from fleetcharge.cli.common import DatabaseUrl, command_session, console, print_table
from fleetcharge.organisations.service import all_organisations, find_organisation
from fleetcharge.permissions import Actor

app = typer.Typer(help="Monthly billing: draft the documents, then approve them.")

PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="Billing month, YYYY-MM (default: each organisation's last completed month in"
        " its billing time zone).",
        show_default=False,
    ),
]
OrgOption = Annotated[
    list[str] | None,
    typer.Option("--org", help="Organisation name or UUID; repeat for more (default: all)."),
]


@app.command("run")
def run(
    period: PeriodOption = None,
    org: OrgOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be drafted; save nothing.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Draft the month's fleet invoices, site-host invoices and RCTIs, and summarise them.

    Running a month again drafts nothing new; sessions that completed in an invoiced
    month but arrived later go on the next month's documents as prior-period lines.
    """
    with command_session(database_url, dry_run=dry_run) as db:
        chosen = Period.parse(period) if period is not None else None
        organisations = [find_organisation(db, o) for o in org] if org else all_organisations(db)
        months = runs.months_to_bill(organisations, chosen, datetime.now(UTC))
        drafts = [draft.id for draft in runs.run_months(db, Actor.command_line(), months)]
        rows = invoice_rows(db, invoice_ids=drafts, count_sessions=True) if drafts else []
        table = _summary(rows, numbered=False)
    if rows:
        print_table(table)
    spans = ", ".join(str(month) for month in sorted(months)) or "no organisations"
    if dry_run:
        console.print(
            f"Dry run for {spans}: {_documents(len(rows))} would be drafted; nothing saved."
        )
    elif rows:
        console.print(
            f"Drafted {_documents(len(rows))} for {spans}. Review them with `fleetcharge invoices"
            " list --status draft`, then `fleetcharge billing approve`."
        )
    else:
        console.print(f"Nothing new to draft for {spans}.")


@app.command("approve")
def approve(
    period: Annotated[
        str | None,
        typer.Option("--period", help="Only drafts of this month, YYYY-MM.", show_default=False),
    ] = None,
    org: OrgOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Number the drafts (all, or those of a month or organisations) in one transaction,
    gaplessly, and make them visible on the API."""
    with command_session(database_url) as db:
        chosen = Period.parse(period) if period is not None else None
        organisation_ids = [find_organisation(db, o).id for o in org] if org else None
        approved = runs.approve(
            db, Actor.command_line(), period=chosen, organisation_ids=organisation_ids
        )
        rows = invoice_rows(db, invoice_ids=[i.id for i in approved]) if approved else []
        table = _summary(rows, numbered=True)
    if not rows:
        console.print("No drafts to approve.")
        return
    print_table(table)
    first, last = rows[0].invoice.invoice_number, rows[-1].invoice.invoice_number
    console.print(f"Approved {len(rows)} documents, numbers {first} to {last}.")


def _summary(rows: list[InvoiceRow], *, numbered: bool) -> Table:
    table = Table("number" if numbered else "uuid", "organisation", "kind", "period")
    for column in ("lines", "sessions", "total", "GST") if not numbered else ("total", "GST"):
        table.add_column(column, justify="right")
    for row in rows:
        invoice = row.invoice
        key = str(invoice.invoice_number) if numbered else str(invoice.uuid)
        counts = [] if numbered else [str(row.lines), str(row.sessions or 0)]
        table.add_row(
            key,
            row.organisation,
            kind_label(invoice),
            str(Period(invoice.period_start.year, invoice.period_start.month)),
            *counts,
            str(invoice.total_amount),
            str(invoice.total_tax),
        )
    return table


def _documents(count: int) -> str:
    return f"{count} document" if count == 1 else f"{count} documents"

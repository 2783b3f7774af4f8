"""`fleetcharge export usage|sessions|vehicles|invoices`: pull a Fleets API into a file."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from fleetcharge.cli.common import DatabaseUrl, err_console, fail, output_file
from fleetcharge.cli.export_accounting import accounting_format, export_invoices, export_payments
from fleetcharge.cli.export_files import FORMATS, ExportSpec, state_path
from fleetcharge.cli.export_job import export_to_file, export_to_stream
from fleetcharge.cli.remote import (
    BaseUrl,
    DateFrom,
    DateTo,
    Token,
    WaitNotices,
    api_errors,
    connect,
    load_config,
    new_progress,
    parse_period,
    resolve_base_url,
    resolve_token,
)
from fleetcharge.client import Resource

app = typer.Typer(
    help="Export records from any Fleets API v1 server to CSV, JSON or JSON Lines "
    "(an interrupted export into a file resumes when re-run with the same arguments); "
    "and, from the database, invoices and payments for Xero or MYOB.",
    no_args_is_help=True,
)

Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="csv, json or jsonl (default: the output's suffix, else csv).",
        show_default=False,
    ),
]
Output = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="File to write (default: standard output)."),
]
PerPeriod = Annotated[
    bool, typer.Option("--per-period", help="CSV: one row per charging period, not per session.")
]
Bom = Annotated[
    bool,
    typer.Option("--bom", help="CSV: start with a UTF-8 byte order mark (for Excel on Windows)."),
]


def _format(option: str | None, output: Path | None) -> str:
    if option is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        return suffix if suffix in FORMATS else "csv"
    if option not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, got {option!r}")
    return option


def _export(
    resource: Resource,
    base_url: str | None,
    token: str | None,
    date_from: str | None,
    date_to: str | None,
    fmt: str | None,
    output: Path | None,
    per_period: bool = False,
    bom: bool = False,
) -> None:
    config = load_config()
    secret = resolve_token(token, config)
    low, high = parse_period(date_from, date_to)
    chosen = _format(fmt, output)
    if chosen != "csv" and (per_period or bom):
        raise fail("--per-period and --bom apply to CSV only")
    if output is not None and str(output) == "-":
        output = None
    if output is not None:
        output_file(output, "--output")
    progress = new_progress()
    notices = WaitNotices(progress)
    client = connect(resolve_base_url(base_url, config), secret, notices)
    spec = ExportSpec(
        resource,
        client.base_url,
        low.isoformat() if low else None,
        high.isoformat() if high else None,
        chosen,
        per_period,
        bom,
    )

    def resume_hint() -> str:
        if output is not None and state_path(output).exists():
            return f"; what was written is kept: run the same command again to resume {output}"
        return ""

    try:
        with api_errors(secret, resume_hint), client, progress:
            if output is None:
                state = export_to_stream(client, spec, sys.stdout.buffer, progress, notices)
            else:
                state = export_to_file(client, spec, secret, output, progress, notices)
    except OSError as error:
        where = str(output or "standard output")
        raise fail(f"cannot write {where}: {error.strerror or error}", 1) from None
    where = str(output) if output else "standard output"
    rows = f" ({state.rows} rows)" if state.rows != state.records else ""
    err_console.print(f"Exported {state.records} records of /{resource.value}{rows} to {where}.")


def _session_command(resource: Resource) -> Callable[..., None]:
    def command(
        base_url: BaseUrl = None,
        token: Token = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        fmt: Format = None,
        output: Output = None,
        per_period: PerPeriod = False,
        bom: Bom = False,
    ) -> None:
        _export(resource, base_url, token, date_from, date_to, fmt, output, per_period, bom)

    return command


app.command(
    "usage", help="Sessions paid by your fleets (cost to driver), by local completion date."
)(_session_command(Resource.USAGE))
app.command(
    "sessions",
    help="Sessions at your stations (revenue and network cost), by local completion date.",
)(_session_command(Resource.SESSIONS))


@app.command("vehicles")
def vehicles(
    base_url: BaseUrl = None,
    token: Token = None,
    fmt: Format = None,
    output: Output = None,
    bom: Bom = False,
) -> None:
    """Your vehicles, retired ones included, with their cards' id tags."""
    _export(Resource.VEHICLES, base_url, token, None, None, fmt, output, bom=bom)


AccountingFormat = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="csv, json or jsonl from a Fleets API; csv, xero or myob from the database "
        "(default: the output's suffix, else csv).",
        show_default=False,
    ),
]
AccountingPeriod = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="Month, YYYY-MM: documents dated (payments received) in it; reads the database.",
        show_default=False,
    ),
]
Documents = Annotated[
    str | None,
    typer.Option(
        "--documents",
        help="From the database: invoices, credit-notes, rctis or rcti-credit-notes "
        "(default: invoices for xero and myob, all for csv).",
        show_default=False,
    ),
]


@app.command("invoices")
def invoices(
    base_url: BaseUrl = None,
    token: Token = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    fmt: AccountingFormat = None,
    period: AccountingPeriod = None,
    documents: Documents = None,
    output: Output = None,
    bom: Bom = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Invoices by invoice date. From a Fleets API (CSV: one row each; JSON keeps lines and
    sessions); or, with --format xero|myob, --period or --database-url, every
    organisation's documents from the database for accounting (docs/accounting-export.md)."""
    if fmt in ("xero", "myob") or period or documents or database_url:
        if base_url or token:
            raise fail("--base-url and --token are for a Fleets API export, not the accounting one")
        chosen = accounting_format(fmt or _suffix_format(output))
        low, high = parse_period(date_from, date_to)
        export_invoices(chosen, period, low, high, documents, output, bom, database_url)
        return
    _export(Resource.INVOICES, base_url, token, date_from, date_to, fmt, output, bom=bom)


@app.command("payments")
def payments(
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv, xero or myob (default: csv).", show_default=False),
    ] = None,
    period: AccountingPeriod = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    output: Output = None,
    bom: Bom = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Payments recorded on documents, from the database, for accounting: Xero gets a bank
    statement to reconcile, MYOB customer payments (docs/accounting-export.md)."""
    low, high = parse_period(date_from, date_to)
    export_payments(accounting_format(fmt), period, low, high, output, bom, database_url)


def _suffix_format(output: Path | None) -> str | None:
    suffix = output.suffix.lower().lstrip(".") if output else ""
    return "csv" if suffix == "csv" else None

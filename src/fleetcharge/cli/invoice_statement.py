"""`fleetcharge invoices statement ORG`: an organisation's statement of account."""

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from fleetcharge.billing.documents import operator_party
from fleetcharge.billing.statements import (
    STATEMENT_FORMATS,
    account_statement,
    statement_csv,
    statement_span,
)
from fleetcharge.cli.common import DatabaseUrl, command_session, err_console, fail, output_file
from fleetcharge.errors import InvalidParameter
from fleetcharge.organisations.service import find_organisation
from fleetcharge.settings import get_settings


def statement(
    organisation: Annotated[
        str, typer.Argument(help="Organisation name or UUID.", show_default=False)
    ],
    period: Annotated[
        str | None,
        typer.Option(help="Month, YYYY-MM (default: the last completed one).", show_default=False),
    ] = None,
    date_from: Annotated[
        str | None,
        typer.Option(
            "--from", help="First day, YYYY-MM-DD, instead of --period.", show_default=False
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        typer.Option("--to", help="Last day, YYYY-MM-DD, instead of --period.", show_default=False),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="pdf or csv.", show_default=True)] = "pdf",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output, CSV only)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Opening balance, documents issued (void ones shown, not counted), payments and the
    closing balance of an organisation over a month or a span of days, as PDF or CSV."""
    if fmt not in STATEMENT_FORMATS:
        raise fail(f"--format must be one of {', '.join(STATEMENT_FORMATS)}, got {fmt!r}")
    if output is not None and str(output) != "-":
        output_file(output, "--output")
    elif fmt == "pdf":
        raise fail("--output is required for a PDF")
    now = datetime.now(UTC)
    with command_session(database_url) as db:
        found = find_organisation(db, organisation)
        try:
            first, last = statement_span(period, date_from, date_to, found.billing_timezone, now)
        except InvalidParameter as error:
            raise fail(f"--{error.parameter}: {error.message}") from None
        account = account_statement(db, found, first, last, operator_party(get_settings()), now)
    if fmt == "csv":
        data = statement_csv(account).encode()
    else:
        from fleetcharge.billing.statement_pdf import render_statement_pdf  # fpdf is slow to import

        data = render_statement_pdf(account)
    try:
        if output is None or str(output) == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        output.write_bytes(data)
    except OSError as error:
        raise fail(
            f"cannot write {output or 'standard output'}: {error.strerror or error}", 1
        ) from None
    closing = account.statement.closing
    err_console.print(
        f"Statement of {found.name} from {first} to {last} (closing balance {closing})"
        f" written to {output}.",
        soft_wrap=True,
        highlight=False,
    )

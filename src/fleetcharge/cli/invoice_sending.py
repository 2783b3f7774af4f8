"""`fleetcharge invoices send | remind`: emailing documents and payment reminders to the
organisations' billing contacts, and the sendings `invoices show` lists."""

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy.orm import Session

from fleetcharge.billing.period import Period
from fleetcharge.cli.common import (
    DatabaseUrl,
    cli_actor,
    command_session,
    console,
    database_errors,
    day,
    err_console,
    fail,
    print_table,
    resolve_url,
)
from fleetcharge.db import engine_for
from fleetcharge.errors import DomainError
from fleetcharge.invoice_sending.service import (
    SKIPPED,
    WOULD_SEND,
    Outcome,
    numbers_to_remind,
    numbers_to_send,
    remind_document,
    send_document,
    sendings_of,
)
from fleetcharge.invoice_sending.smtp import relay_from
from fleetcharge.models import Invoice
from fleetcharge.models.invoice_sending import SendingResult
from fleetcharge.settings import get_settings

DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Show what would be sent; send and record nothing.")
]


def register(app: typer.Typer) -> None:
    app.command("send")(send)
    app.command("remind")(remind)


def send(
    number: Annotated[
        str | None,
        typer.Argument(help="Invoice number (or --period).", show_default=False),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="Send every issued, unsent document of this billing month, YYYY-MM.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Send again documents already sent (a re-send).")
    ] = False,
    dry_run: DryRun = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Email issued documents, their PDF attached, to their organisation's billing contacts.

    A document is sent once: a second sending is refused unless --force. Drafts and void
    documents are never sent; an organisation without billing contacts is reported and
    skipped. Exit code 1 when a sending failed."""
    if (number is None) == (period is None):
        raise fail("give an invoice NUMBER or --period YYYY-MM (one of them)")
    settings = get_settings()
    try:
        month = Period.parse(period) if period is not None else None
    except DomainError as error:
        raise fail(error.message) from None
    _check_relay(dry_run)
    with database_errors():
        engine = engine_for(resolve_url(database_url))
        actor = cli_actor()

        def one(reference: str) -> Outcome:
            return send_document(engine, actor, reference, settings, force=force, dry_run=dry_run)

        if number is not None:
            _report_one(_single(one, number))
            return
        assert month is not None
        with command_session(database_url) as db:
            numbers = numbers_to_send(db, month, force=force)
        if not numbers:
            console.print(f"No documents of {month} to send.", highlight=False)
            return
        _report_many(_each(one, [str(n) for n in numbers], "Sending"), dry_run)


def remind(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day to judge overdue on, YYYY-MM-DD (default: today)."),
    ] = None,
    dry_run: DryRun = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Email a payment reminder, the document attached again, for each overdue document
    (due date passed, not paid in full), at most one per document in
    FLEETCHARGE_INVOICE_REMINDER_DAYS days (default 7). Exit code 1 when a sending failed."""
    today = day(as_of, "--as-of") if as_of is not None else date.today()
    settings = get_settings()
    _check_relay(dry_run)
    with database_errors():
        engine = engine_for(resolve_url(database_url))
        actor = cli_actor()
        with command_session(database_url) as db:
            numbers = numbers_to_remind(db, today)
        if not numbers:
            console.print(f"No overdue documents on {today}.", highlight=False)
            return

        def one(reference: str) -> Outcome:
            return remind_document(engine, actor, reference, settings, as_of=today, dry_run=dry_run)

        _report_many(_each(one, [str(n) for n in numbers], "Reminding"), dry_run)


def sendings_table(db: Session, invoice: Invoice) -> Table | None:
    """The sendings of a document, for `invoices show`; None if it was never sent."""
    sendings = sendings_of(db, invoice)
    if not sendings:
        return None
    table = Table("attempted (UTC)", "kind", "to", "result", "by", title="sendings")
    for sending in sendings:
        kind = f"{sending.kind} (forced)" if sending.forced else sending.kind
        result = sending.result + (f": {sending.error}" if sending.error else "")
        table.add_row(
            f"{sending.attempted_at:%Y-%m-%d %H:%M}",
            kind,
            ", ".join(sending.recipients),
            result,
            sending.actor_name,
        )
    return table


def _check_relay(dry_run: bool) -> None:
    if dry_run:
        return
    try:
        relay_from(get_settings())
    except DomainError as error:
        raise fail(error.message) from None


def _single(send_one: Callable[[str], Outcome], reference: str) -> Outcome:
    try:
        return send_one(reference)
    except DomainError as error:
        raise fail(error.message) from None


def _each(send_one: Callable[[str], Outcome], references: list[str], verb: str) -> list[Outcome]:
    """Each document in turn, a refused one reported as skipped; a progress bar on a
    terminal."""
    outcomes = []
    progress = Progress(
        TextColumn(verb),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    with progress:
        for reference in progress.track(references):
            try:
                outcomes.append(send_one(reference))
            except DomainError as error:
                outcomes.append(Outcome(int(reference), "", SKIPPED, detail=error.message))
    return outcomes


def _report_one(outcome: Outcome) -> None:
    to = ", ".join(outcome.recipients)
    if outcome.result == WOULD_SEND:
        console.print(
            f"Would send {outcome.number} to {to}; dry run, nothing sent.",
            soft_wrap=True,
            highlight=False,
        )
    elif outcome.result == SendingResult.FAILED:
        raise fail(f"sending {outcome.number} to {to} failed: {outcome.detail}", code=1)
    else:
        note = f" ({outcome.detail})" if outcome.detail else ""
        console.print(f"Sent {outcome.number} to {to}.{note}", soft_wrap=True, highlight=False)


def _report_many(outcomes: list[Outcome], dry_run: bool) -> None:
    table = Table("number", "organisation", "to", "result", "detail")
    for outcome in outcomes:
        table.add_row(
            str(outcome.number),
            outcome.organisation,
            ", ".join(outcome.recipients),
            outcome.result,
            outcome.detail,
        )
    print_table(table)
    counts = {
        result: sum(1 for o in outcomes if o.result == result)
        for result in (SendingResult.SENT, SendingResult.FAILED, SKIPPED, WOULD_SEND)
    }
    if dry_run:
        summary = f"Dry run: {counts[WOULD_SEND]} would be sent, {counts[SKIPPED]} skipped."
    else:
        summary = (
            f"Sent {counts[SendingResult.SENT]}, failed {counts[SendingResult.FAILED]},"
            f" skipped {counts[SKIPPED]}."
        )
    console.print(summary, highlight=False)
    if counts[SendingResult.FAILED]:
        raise typer.Exit(1)

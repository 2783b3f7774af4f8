"""`fleetcharge sessions review list | show | accept | correct | reject`: sessions held as
implausible, with the services the admin API uses."""

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    fail,
    print_json,
    print_record,
    print_summary,
    print_table,
)
from fleetcharge.cli.records import Options, every, given
from fleetcharge.csms import held_sessions
from fleetcharge.models import SessionReview
from fleetcharge.models.review import REVIEW_STATES
from fleetcharge.reviews import service
from fleetcharge.reviews.schemas import ReviewCorrection

app = typer.Typer(help="Charge sessions: those held for review.", no_args_is_help=True)
review_app = typer.Typer(
    help="Sessions held as implausible (more energy than the station's or the vehicle's "
    "rated power delivers in the time, energy without time, longer than three days, station "
    "times replaced or reversed): on no invoice and not on the Fleets API until accepted "
    "(as reported) or corrected; a rejected one is never billed.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

ReviewArg = Annotated[
    str,
    typer.Argument(help="The review's UUID or the OCPP transaction id.", show_default=False),
]
OPTIONS = Options({"energy_kwh": "--energy", "stop_date_time": "--stop"})


def _summary(view: dict[str, Any]) -> str:
    reasons = ", ".join(reason["code"] for reason in view["reasons"])
    return (
        f"{view['uuid']} (transaction {view['transaction_id']}): {view['state']}, "
        f"{view['energy_kwh']} kWh at {view['station']['identity']} from "
        f"{view['start_date_time']} to {view['stop_date_time']}, {reasons}"
    )


@review_app.command("list")
def list_reviews(
    state: Annotated[
        str, typer.Option(help=f"{', '.join(REVIEW_STATES)} or {service.ALL}.")
    ] = "held",
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """List held sessions (or reviewed ones, with --state), oldest first."""
    if state not in (*REVIEW_STATES, service.ALL):
        raise fail(f"--state: {', '.join(REVIEW_STATES)} or {service.ALL}, got {state!r}")
    with command_session(database_url) as db:
        records = every(lambda page: service.list_reviews(db, cli_actor(), page, state=state))
        views = [service.review_view(record) for record in records]
    if as_json:
        print_json(views)
        return
    table = Table(
        "transaction", "uuid", "state", "station", "id tag", "stop (UTC)", "kWh", "at most",
        "cost", "reasons",
    )  # fmt: skip
    for view in views:
        table.add_row(
            str(view["transaction_id"]),
            view["uuid"],
            view["state"],
            view["station"]["identity"],
            view["id_tag"],
            view["stop_date_time"][:19],
            view["energy_kwh"],
            view["deliverable_kwh"],
            view["cost_to_driver"],
            ", ".join(reason["code"] for reason in view["reasons"]),
        )
    print_table(table)


@review_app.command("show")
def show(review: ReviewArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Show one review: why it was held, as reported, and how it was decided."""
    with command_session(database_url) as db:
        view = service.review_view(service.find_review(db, review))
    reasons = "; ".join(f"{r['code']}: {r['detail']}" for r in view["reasons"])
    print_record(view, as_json, text={"reasons": reasons})


Note = Annotated[str, typer.Option(help="What the decision is based on.", show_default=False)]


@review_app.command("accept")
def accept(
    review: ReviewArg,
    note: Annotated[str | None, typer.Option(help="Why it is accepted as reported.")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Accept a held session as reported.

    Its session is recorded, priced by its tariff, and billed by the next billing run."""
    _decide(
        review,
        as_json,
        database_url,
        lambda db, found: held_sessions.accept(db, cli_actor(), found, note),
    )


@review_app.command("correct")
def correct(
    review: ReviewArg,
    note: Note,
    energy: Annotated[
        str | None, typer.Option(help="The energy really delivered, kWh (e.g. 31.25).")
    ] = None,
    stop: Annotated[
        str | None,
        typer.Option(
            help="When it really stopped, ISO 8601 with an offset (e.g. 2026-11-02T18:40+11:00)."
        ),
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Correct a held session's energy and/or stop time.

    Its session is recorded as corrected (a corrected energy replaces the station's readings),
    priced by its tariff, and billed by the next billing run. The corrected session must be
    plausible: one that is not can only be accepted as reported."""
    if energy is None and stop is None:
        raise fail("give --energy, --stop or both")
    values = given(energy_kwh=energy, stop_date_time=stop, note=note)
    data = OPTIONS.validated(ReviewCorrection, values)
    _decide(
        review,
        as_json,
        database_url,
        lambda db, found: held_sessions.correct(db, cli_actor(), found, data),
    )


@review_app.command("reject")
def reject(
    review: ReviewArg, note: Note, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Reject a held session: it is never recorded, never billed."""
    _decide(
        review,
        as_json,
        database_url,
        lambda db, found: service.reject(db, cli_actor(), found, note),
    )


def _decide(
    review: str,
    as_json: bool,
    database_url: str | None,
    decision: Callable[[Session, SessionReview], SessionReview],
) -> None:
    with OPTIONS.named(), command_session(database_url) as db:
        view = service.review_view(decision(db, service.find_review(db, review)))
    print_summary(view, as_json, _summary)

"""`fleetcharge import vehicles | locations FILE.csv`: bulk loads, all or nothing."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    console,
    err_console,
    fail,
    input_bytes,
    print_json,
    print_table,
)
from fleetcharge.imports.locations import import_locations
from fleetcharge.imports.problems import InvalidFile
from fleetcharge.imports.summary import Progress as Stages
from fleetcharge.imports.summary import Summary
from fleetcharge.imports.table import MAX_BYTES
from fleetcharge.imports.vehicles import import_vehicles
from fleetcharge.organisations.service import find_organisation

app = typer.Typer(
    help="Load CSV files: vehicles with their cards, locations with their stations. "
    "Formats: docs/import.md.",
    no_args_is_help=True,
)

File = Annotated[
    Path, typer.Argument(help="The CSV file (UTF-8, a header row).", show_default=False)
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check the file and report what it would change.")
]


class _Bar:
    """The import's stages as a progress bar on standard error."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def stage(self, name: str, total: int) -> None:
        self.finish()
        self.task = self.progress.add_task(name.capitalize(), total=max(total, 1))

    def finish(self) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total)

    def advance(self, steps: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, steps)


@contextmanager
def _progress() -> Iterator[_Bar]:
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=False) as progress:
        yield _Bar(progress)


def _report(summary: Summary, what: str, as_json: bool) -> None:
    if as_json:
        print_json(summary.view())
        return
    table = Table("", "created", "updated", "unchanged")
    for kind in summary.kinds:
        counts = summary[kind]
        table.add_row(kind, str(counts.created), str(counts.updated), str(counts.unchanged))
    if summary.dry_run:
        console.print(f"Dry run: {what} checked, nothing written. It would change:")
    else:
        console.print(f"Imported {what}:")
    print_table(table)


def _run(
    database_url: str | None,
    dry_run: bool,
    load: Callable[..., Summary],
) -> Summary:
    with command_session(database_url, dry_run=dry_run) as db, _progress() as bar:
        try:
            summary = load(db, bar)
            bar.finish()
            return summary
        except InvalidFile as error:
            bar.progress.stop()
            if error.total == 1:  # e.g. not UTF-8, empty, a NUL: one line says it
                raise fail(f"{error.message}: {error.problems[0]}") from None
            err_console.print(
                Text.assemble(("error:", "bold red"), f" {error.message}"), soft_wrap=True
            )
            for problem in error.problems:
                err_console.print(str(problem), soft_wrap=True, highlight=False)
            raise typer.Exit(2) from None


@app.command("vehicles")
def vehicles(
    file: File,
    org: Annotated[
        str, typer.Option("--org", help="The organisation (name or UUID).", show_default=False)
    ],
    fleet: Annotated[
        str | None,
        typer.Option(help="The fleet of rows without one (created if it does not exist)."),
    ] = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create or update an organisation's vehicles (by VIN) and give them their cards.

    Columns: vin, registration_number, fleet, contract_number, effective_from, cards
    (id tags separated by ;). Every problem is listed by line and column and nothing is
    written until the whole file is right; exit code 2 then."""
    data = input_bytes(str(file), MAX_BYTES)

    def load(db: Session, bar: Stages) -> Summary:
        organisation = find_organisation(db, org)
        return import_vehicles(
            db, cli_actor(), organisation, data, fleet=fleet, dry_run=dry_run, progress=bar
        )

    _report(_run(database_url, dry_run, load), f"vehicles from {file}", as_json)


@app.command("locations")
def locations(
    file: File,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create or update locations, their stations (by OCPP identity) and connectors: one
    row per connector.

    Columns: location, host_organisation, address, timezone, station_identity, evse_id,
    station_name, current_type, max_power_kw, tariff, connector_id, connector_name.
    Every problem is listed by line and column and nothing is written until the whole
    file is right; exit code 2 then."""
    data = input_bytes(str(file), MAX_BYTES)

    def load(db: Session, bar: Stages) -> Summary:
        return import_locations(db, cli_actor(), data, dry_run=dry_run, progress=bar)

    _report(_run(database_url, dry_run, load), f"locations from {file}", as_json)

"""What every sub-command shares: the database option, one unit of work, clean errors."""

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from fleetcharge.accounts.permissions import Actor
from fleetcharge.db import engine_for, unit_of_work
from fleetcharge.errors import DomainError
from fleetcharge.settings import get_settings

console = Console()
err_console = Console(stderr=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the database (env: FLEETCHARGE_DATABASE_URL; "
        "default: ./fleetcharge.db, SQLite).",
        show_default=False,
    ),
]


def resolve_url(database_url: str | None) -> str:
    return database_url or get_settings().database_url


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


@contextmanager
def database_errors() -> Iterator[None]:
    """A bad URL or an unreachable database is a message and exit code 1, not a traceback."""
    try:
        yield
    except ArgumentError as error:
        raise fail(f"invalid database URL: {error}", code=2) from None
    except DBAPIError as error:
        raise fail(
            f"database error: {error.orig}. Is the database reachable and the schema up "
            "to date? Run `fleetcharge db upgrade`.",
            code=1,
        ) from None


@contextmanager
def command_session(database_url: str | None, *, dry_run: bool = False) -> Iterator[Session]:
    """One transaction per command, rolled back instead of committed on a dry run;
    domain errors become a message and exit code 2."""
    with database_errors():
        try:
            engine = engine_for(resolve_url(database_url))
            if not dry_run:
                with unit_of_work(engine) as session:
                    yield session
                return
            with Session(engine) as session:
                try:
                    yield session
                finally:
                    session.rollback()
        except DomainError as error:
            if error.field is not None:
                raise  # the command names the option
            raise fail(error.message) from None


def print_table(table: Table) -> None:
    if console.is_terminal:
        console.print(table)
    else:
        # Piped or captured output is 80 columns to rich, which would elide values.
        width = console.measure(table, options=console.options.update_width(10_000)).maximum
        Console(width=width).print(table)


AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def cli_actor() -> Actor:
    """The command line acts as a network admin (it holds the database credentials); its
    changes are audited under the operating system user's name."""
    return Actor.command_line()


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on host:port (checked before a server starts, so
    nothing is done first that the server then cannot serve)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def require_free_port(host: str, port: int) -> None:
    if port_taken(host, port):
        raise fail(f"{host}:{port} is already in use: choose another port with --port", 1)

"""What every sub-command shares: the database option, one unit of work, clean errors,
and the checks of the days, files and URLs operators type."""

import json
import re
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from fleetcharge.db import engine_for, unit_of_work
from fleetcharge.errors import DomainError, InvalidField
from fleetcharge.kit import fields
from fleetcharge.permissions import Actor
from fleetcharge.settings import get_settings

# What the CLI prints is text as it is: names, paths and values typed by anyone may hold
# brackets, which as rich markup would be styles or a MarkupError. Styles are explicit.
console = Console(markup=False)
err_console = Console(stderr=True, markup=False)

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
    # Not wrapped at the console's width: one message, one line, also in a pipe or a log.
    err_console.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)
    return typer.Exit(code)


class OneLineErrors(TyperGroup):
    """A bad option or argument (not a number, out of range, missing, unknown) as one
    `error:` line naming it, exit code 2, like the commands' own checks; not Typer's box
    with the usage. Only the root command needs it: every sub-command runs inside."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        with _one_line():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with _one_line():
            return super().invoke(ctx)


@contextmanager
def _one_line() -> Iterator[None]:
    try:
        yield
    except typer.TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # shows the help, as asked
            raise
        context = getattr(error, "ctx", None)
        command = context.command_path if context is not None else "fleetcharge"
        message = " ".join(error.format_message().split())
        code: int = getattr(error, "exit_code", 2)
        raise fail(f"{message} (see {command} --help)", code) from None


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
        Console(width=width, markup=False).print(table)


AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def print_records(
    records: list[dict[str, Any]],
    *,
    as_json: bool,
    empty: str,
    title: str,
    columns: Sequence[str],
    cells: Callable[[dict[str, Any]], Sequence[str]],
) -> None:
    """An admin API list as JSON (--json), as a line saying there is nothing, or as a table
    with a row of `cells` per record."""
    if as_json:
        print_json(records)
        return
    if not records:
        console.print(empty)
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(*cells(record))
    print_table(table)


def print_record(view: dict[str, Any], as_json: bool, text: dict[str, Any] | None = None) -> None:
    """One object: as JSON, or a `key: value` line a field (`-` for none; values printed as
    they are, never read as markup). `text` replaces fields' values in the lines only."""
    if as_json:
        print_json(view)
        return
    for key, value in (view | (text or {})).items():
        shown = "-" if value is None or value == {} else value
        console.print(Text.assemble((key, "bold"), f": {shown}"), soft_wrap=True)


def print_summary(
    view: dict[str, Any], as_json: bool, summary: Callable[[dict[str, Any]], str], prefix: str = ""
) -> None:
    """One object: as JSON, or `prefix` and its one-line `summary`."""
    if as_json:
        print_json(view)
    else:
        console.print(prefix + summary(view), soft_wrap=True)


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


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MEGABYTE = 1024 * 1024


def day(text: str, option: str) -> date:
    """A calendar day typed as YYYY-MM-DD, within the years the system keeps (1970-9998)."""
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return fields.day(date.fromisoformat(text), option)
    except ValueError:
        raise fail(f"{option} must be a date as YYYY-MM-DD, got {text!r}") from None
    except InvalidField as error:
        raise fail(error.message) from None


def instant(text: str, option: str) -> datetime:
    """A point in time typed as ISO 8601 with its UTC offset, within 1970 to 9998 (not a
    bare number, which a lenient parser would read as seconds since 1970)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise fail(
            f"{option} must be an ISO 8601 time with its offset, e.g. "
            f"2027-06-30T23:59:59+08:00, got {text!r}"
        ) from None
    try:
        return fields.moment(value, option)
    except InvalidField as error:
        raise fail(error.message) from None


def input_bytes(path: str, max_bytes: int) -> bytes:
    """The content of a file the user names (`-`: standard input), at most `max_bytes`;
    anything unreadable (missing, a directory, not permitted, a NUL in its name) is one
    line saying so."""
    if "\0" in path:
        raise fail(f"cannot read {path!r}: a file name has no NUL character")
    try:
        if path == "-":
            content = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(path, "rb") as file:
                content = file.read(max_bytes + 1)
    except OSError as error:
        raise fail(f"cannot read {path}: {error.strerror or error}") from None
    if len(content) > max_bytes:
        raise fail(f"{path} is larger than {max_bytes // MEGABYTE} MB: split it")
    return content


def output_file(path: Path, option: str) -> Path:
    """A file the command will write, refused before any work when it cannot be one."""
    if "\0" in str(path):
        raise fail(f"{option}: cannot write {str(path)!r}: a file name has no NUL character")
    if path.is_dir():
        raise fail(f"{option}: cannot write {path}: it is a directory")
    if not path.parent.is_dir():
        raise fail(f"{option}: cannot write {path}: {path.parent} is not an existing directory")
    return path


def server_url(url: str, option: str, schemes: tuple[str, ...]) -> str:
    """A server's URL: one of `schemes`, a host, a port from 1 to 65535 if any, no spaces
    or control characters."""
    problem = None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # a port out of range, an unclosed [IPv6 address
        problem = str(error)
    else:
        if parts.scheme not in schemes:
            problem = f"must start with {' or '.join(s + '://' for s in schemes)}"
        elif not parts.hostname:
            problem = "names no host"
        elif port == 0:
            problem = "port 0 is not a port"
        elif any(c.isspace() or not c.isprintable() for c in url):
            problem = "has a space or a control character"
    if problem is not None:
        raise fail(f"{option} {url!r}: {problem}")
    return url

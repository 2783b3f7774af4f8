"""What `export` and `report` share: the server, the token, the client, waits and errors.

The token comes from `--token`, else `FLEETCHARGE_TOKEN`, else `token = "..."` in the
config file (`$FLEETCHARGE_CLIENT_CONFIG`, else `$XDG_CONFIG_HOME/fleetcharge/client.toml`,
else `~/.config/fleetcharge/client.toml`), which may also set `base_url`. The token is never
printed: not in messages, not in errors.
"""

import os
import stat
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from fleetcharge.cli.common import day, err_console, fail, server_url
from fleetcharge.client import (
    DEFAULT_BASE_URL,
    AuthenticationError,
    ConnectionFailedError,
    FleetsApiError,
    FleetsClient,
    InvalidParameterError,
    Listing,
    PermissionDeniedError,
    Wait,
)
from fleetcharge.client.paging import RecordT

TOKEN_ENV = "FLEETCHARGE_TOKEN"
BASE_URL_ENV = "FLEETCHARGE_BASE_URL"
CONFIG_ENV = "FLEETCHARGE_CLIENT_CONFIG"

# Seams for tests: an in-process transport, and a clock and sleep that need not wait.
transport: httpx.BaseTransport | None = None
clock: Callable[[], float] = time.time
sleep: Callable[[float], None] = time.sleep

BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help=f"Server root (env {BASE_URL_ENV}, or base_url in the config file; "
        f"default {DEFAULT_BASE_URL}).",
        show_default=False,
    ),
]
Token = Annotated[
    str | None,
    typer.Option(
        "--token",
        help=f"API token (or env {TOKEN_ENV}, or token in the config file). Prefer those: "
        "a command-line token shows in the process list and shell history.",
        show_default=False,
    ),
]
DateFrom = Annotated[
    str | None,
    typer.Option("--from", help="First day (YYYY-MM-DD, inclusive).", show_default=False),
]
DateTo = Annotated[
    str | None,
    typer.Option("--to", help="Last day (YYYY-MM-DD, inclusive).", show_default=False),
]


def config_path() -> Path:
    if explicit := os.environ.get(CONFIG_ENV):
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "fleetcharge" / "client.toml"


def load_config() -> dict[str, Any]:
    path = config_path()
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise fail(f"cannot read the config file {path}: {error.strerror}") from None
    try:
        config = tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise fail(f"the config file {path} is not valid TOML: {error}") from None
    if "token" in config and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        err_console.print(
            Text.assemble(
                ("warning:", "yellow"),
                f" {path} holds a token and is readable by others: chmod 600 {path}",
            )
        )
    return config


def resolve_token(option: str | None, config: dict[str, Any]) -> str:
    token = option or os.environ.get(TOKEN_ENV) or config.get("token")
    if not token:
        raise fail(
            f'no API token: pass --token, set {TOKEN_ENV}, or put token = "..." in {config_path()}'
        )
    if not isinstance(token, str):
        raise fail(f"token in {config_path()} must be a string")
    return token.strip()


def resolve_base_url(option: str | None, config: dict[str, Any]) -> str:
    value = option or os.environ.get(BASE_URL_ENV) or config.get("base_url") or DEFAULT_BASE_URL
    if not isinstance(value, str):
        raise fail(f"base_url in {config_path()} must be a string")
    return server_url(value, "--base-url", ("http", "https"))


def parse_day(option: str, value: str | None) -> date | None:
    return day(value, option) if value else None


def parse_period(date_from: str | None, date_to: str | None) -> tuple[date | None, date | None]:
    low, high = parse_day("--from", date_from), parse_day("--to", date_to)
    if low and high and low > high:
        raise fail(f"--from ({low}) is after --to ({high})")
    return low, high


def new_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
    )


class WaitNotices:
    """Shows each rate-limit wait and retry as a line above the progress bar, and on the
    bar itself while it lasts."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.label = ""

    def track(self, task: TaskID, label: str) -> None:
        self.task, self.label = task, label

    def __call__(self, wait: Wait) -> None:
        if wait.reason == "rate_limit":
            until = datetime.fromtimestamp(wait.until or clock() + wait.seconds).astimezone()
            text = (
                f"Rate limited ({wait.cause}): waiting {wait.seconds:.0f} s, until {until:%H:%M:%S}"
            )
        else:
            text = (
                f"{wait.cause}: retrying in {wait.seconds:.1f} s "
                f"(attempt {wait.attempt + 1} of {wait.max_attempts})"
            )
        self.progress.console.print(text, style="yellow")
        if self.task is not None:
            self.progress.update(self.task, description=f"[yellow]waiting {wait.seconds:.0f} s[/]")

    def sleep(self, seconds: float) -> None:
        sleep(seconds)
        if self.task is not None:
            self.progress.update(self.task, description=self.label)


def connect(base_url: str, token: str, notices: WaitNotices) -> FleetsClient:
    try:
        return FleetsClient(
            base_url, token, on_wait=notices, clock=clock, sleep=notices.sleep, transport=transport
        )
    except ValueError as error:
        raise fail(str(error)) from None


@contextmanager
def api_errors(token: str, hint: Callable[[], str] = lambda: "") -> Iterator[None]:
    """SDK errors as one line and an exit code: 2 for what re-running cannot fix (a bad
    parameter, the token refused), 1 for the rest (server unreachable, failing, limited)."""
    try:
        yield
    except FleetsApiError as error:
        message = str(error).replace(token, "***") if token else str(error)
        code = 1
        if isinstance(error, AuthenticationError):
            message = f"the server refused the token: {message}"
            code = 2
        elif isinstance(error, PermissionDeniedError):
            message = f"the token may not read this endpoint: {message}"
            code = 2
        elif isinstance(error, InvalidParameterError):
            code = 2
        elif isinstance(error, ConnectionFailedError):
            message += ". Is the server running, and is --base-url right?"
        raise fail(message + hint(), code) from None
    except KeyboardInterrupt:
        raise fail("interrupted" + hint(), 130) from None


def fetch_all(
    listing: Listing[RecordT], progress: Progress, notices: WaitNotices, label: str
) -> list[RecordT]:
    """Every record of a listing, with a progress bar sized from `total_entries`."""
    task = progress.add_task(label, total=None)
    notices.track(task, label)
    records: list[RecordT] = []
    for page in listing.pages():
        records += page.records
        progress.update(task, total=page.total_entries, completed=len(records))
    return records

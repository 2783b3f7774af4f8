"""`fleetcharge simulate`: OCPP 1.6J charge stations with realistic charging curves."""

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fleetcharge.cli.common import console, fail, server_url

if TYPE_CHECKING:
    from fleetcharge.simulator.runner import SimulationSummary

DEFAULT_URL = "ws://127.0.0.1:8000/ocpp"
DEFAULT_ID_TAG = "SIMTAG0001"
_STATION_PREFIX = re.compile(r"[A-Za-z0-9._-]{0,40}")
# Bounds of what a simulation can be asked for: enough for any test of a network, and
# finite (a billion stations, an infinite speed or a timeout of 1e300 s is a typo).
MAX_SPEED = 1_000_000.0
_DAY_S = 24 * 60 * 60


def _check_url(url: str) -> str:
    return server_url(url, "--url", ("ws", "wss"))


def _check_prefix(prefix: str) -> str:
    if not _STATION_PREFIX.fullmatch(prefix):
        raise typer.BadParameter("up to 40 letters, digits, '.', '_' or '-'")
    return prefix


def _check_tags(tags: list[str] | None) -> list[str] | None:
    for tag in tags or []:
        if not 1 <= len(tag) <= 20:
            raise typer.BadParameter(f"{tag!r}: an OCPP idTag has 1 to 20 characters")
    return tags


def _check_identities(identities: list[str] | None) -> list[str] | None:
    for identity in identities or []:
        if not _STATION_PREFIX.fullmatch(identity) or not identity:
            raise typer.BadParameter(f"{identity!r}: 1 to 40 letters, digits, '.', '_' or '-'")
    return identities


PROFILE_MODES = ("supported", "rejected", "not-supported")


def _check_profiles(mode: str) -> str:
    if mode not in PROFILE_MODES:
        raise typer.BadParameter(f"{mode!r}: one of {', '.join(PROFILE_MODES)}")
    return mode


def simulate(
    url: Annotated[
        str,
        typer.Option(
            help="Central system OCPP endpoint; each station connects to URL/STATION_ID.",
            callback=_check_url,
        ),
    ] = DEFAULT_URL,
    stations: Annotated[
        int, typer.Option(help="Stations to run concurrently.", min=1, max=10_000)
    ] = 1,
    sessions: Annotated[
        int,
        typer.Option(help="Charge sessions per station, one after another.", min=1, max=100_000),
    ] = 1,
    speed: Annotated[
        float,
        typer.Option(help="Simulated seconds per real second (1: live).", min=1.0, max=MAX_SPEED),
    ] = 60.0,
    id_tag: Annotated[
        list[str] | None,
        typer.Option(
            "--id-tag",
            help="RFID card presented (repeatable; used round-robin). Give at least one per "
            "station: a card already charging elsewhere may be refused.",
            callback=_check_tags,
            show_default=DEFAULT_ID_TAG,
        ),
    ] = None,
    prefix: Annotated[
        str,
        typer.Option(help="Station ids are PREFIX0001, PREFIX0002, ...", callback=_check_prefix),
    ] = "SIM-",
    station: Annotated[
        list[str] | None,
        typer.Option(
            "--station",
            help="Run this registered station (its OCPP identity) instead of PREFIX0001...; "
            "repeatable. --stations and --prefix are then ignored.",
            callback=_check_identities,
            show_default=False,
        ),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="HTTP Basic auth password (OCPP security profile 1).",
            envvar="FLEETCHARGE_SIMULATE_PASSWORD",
        ),
    ] = None,
    connectors: Annotated[int, typer.Option(help="Connectors per station.", min=1, max=8)] = 1,
    dc: Annotated[
        bool, typer.Option("--dc/--ac", help="DC fast chargers (50 kW) or AC chargers (22 kW).")
    ] = True,
    sample_interval: Annotated[
        int, typer.Option(help="Simulated seconds between MeterValues.", min=1, max=_DAY_S)
    ] = 60,
    parked_minutes: Annotated[
        float,
        typer.Option(
            help="Minutes a full car stays plugged in (SuspendedEV).", min=0, max=7 * 24 * 60
        ),
    ] = 10,
    reconnect: Annotated[
        float,
        typer.Option(
            help="Seconds to keep reconnecting after losing the connection, messages waiting "
            "to be sent in order (0: give up at once).",
            min=0,
            max=_DAY_S,
        ),
    ] = 0,
    transaction_message_attempts: Annotated[
        int,
        typer.Option(
            help="OCPP TransactionMessageAttempts: how often a StartTransaction, "
            "StopTransaction or MeterValues the central system fails to process (CallError, "
            "or no answer) is sent in all before it is dropped.",
            min=1,
            max=100,
        ),
    ] = 3,
    transaction_message_retry_interval: Annotated[
        int,
        typer.Option(
            help="OCPP TransactionMessageRetryInterval: real seconds before a retry, times "
            "the attempts made so far (30: retries after 30 s, then 60 s).",
            min=0,
            max=86_400,
        ),
    ] = 30,
    server_ca: Annotated[
        Path | None,
        typer.Option(
            help="With a wss:// --url: the CA certificate (PEM) the central system's certificate "
            "chains to (default: the system's CAs).",
            exists=True,
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    cpo_name: Annotated[
        str | None,
        typer.Option(
            help="OCPP CpoName: the organisation the stations' certificate signing requests "
            "name (security extensions).",
            show_default=False,
        ),
    ] = None,
    security_events: Annotated[
        bool,
        typer.Option(
            "--security-events",
            help="Send SecurityEventNotification on noteworthy events (a reset).",
        ),
    ] = False,
    profiles: Annotated[
        str,
        typer.Option(
            help="Charging profiles (Smart Charging): supported (the cars draw the smaller of "
            "their curve and the profile's limit), rejected (SetChargingProfile answered "
            "Rejected) or not-supported (a CallError NotSupported).",
            callback=_check_profiles,
        ),
    ] = "supported",
    seed: Annotated[
        int | None, typer.Option(help="Seed for a reproducible run.", show_default="random")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="Give up after this many real seconds.",
            min=0.001,
            max=7 * _DAY_S,
            show_default="no limit",
        ),
    ] = None,
) -> None:
    """Simulate charge stations: boot, authorise, charge with realistic curves, stop."""
    from fleetcharge.simulator.curves import Evse
    from fleetcharge.simulator.model import SimulatorError
    from fleetcharge.simulator.profiles import ProfilesMode
    from fleetcharge.simulator.runner import AC_EVSE, DC_EVSE, SimulationConfig, simulate

    evse: Evse = DC_EVSE if dc else AC_EVSE
    config = SimulationConfig(
        url=url,
        stations=len(station) if station else stations,
        identities=tuple(station or ()),
        sessions=sessions,
        speed=speed,
        id_tags=tuple(id_tag or [DEFAULT_ID_TAG]),
        prefix=prefix,
        password=password,
        connectors=connectors,
        evse=evse,
        sample_interval_s=sample_interval,
        parked_s=round(parked_minutes * 60),
        seed=seed,
        timeout_s=timeout,
        reconnect_s=reconnect,
        transaction_message_attempts=transaction_message_attempts,
        transaction_message_retry_interval_s=transaction_message_retry_interval,
        cpo_name=cpo_name,
        security_events=security_events,
        server_ca_file=str(server_ca) if server_ca else None,
        profiles=ProfilesMode(profiles),
    )
    progress = Progress(
        TextColumn("[bold]charging sessions"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    with progress:
        bar = progress.add_task("sessions", total=config.stations * config.sessions)
        try:
            summary = asyncio.run(simulate(config, lambda _: progress.advance(bar)))
        except SimulatorError as error:
            raise fail(str(error), 1) from None
    console.print(_summary_table(summary))
    if summary.timed_out:
        raise fail(f"timed out after {timeout:g} s, before every session had ended", 1)


def _summary_table(summary: "SimulationSummary") -> Table:
    totals = summary.totals
    table = Table(title="Simulation summary", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [
        ("Stations", f"{summary.stations}"),
        ("Sessions completed", f"{totals.sessions_completed} of {summary.sessions_planned}"),
        ("Stopped early (remote, unlock, reset)", f"{totals.sessions_stopped_early}"),
        ("Rejected authorisations", f"{totals.rejected_authorisations}"),
        ("Energy delivered", f"{totals.energy_wh / 1000:,.1f} kWh"),
        ("OCPP messages sent", f"{totals.messages_sent:,}"),
        ("CallErrors received", f"{totals.call_errors:,}"),
        ("Transaction messages retried", f"{totals.transaction_retries:,}"),
        ("Frames sent / received", f"{totals.frames_sent:,} / {totals.frames_received:,}"),
        ("Elapsed", f"{summary.elapsed_s:.1f} s"),
        ("Seed", f"{summary.seed}"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table

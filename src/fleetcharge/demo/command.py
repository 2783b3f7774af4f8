"""`fleetcharge demo`: load the demo data, hand out one token per organisation, then serve."""

import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Console
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fleetcharge.auth.service import issue_token, revoke_token
from fleetcharge.db import make_engine, unit_of_work
from fleetcharge.demo.console_people import DemoPerson, renew_demo_people
from fleetcharge.demo.live import serve_live
from fleetcharge.demo.live_stations import live_stations
from fleetcharge.demo.loader import DemoResult, load_demo
from fleetcharge.demo.station_passwords import renew_station_passwords
from fleetcharge.demo.timing import demo_window
from fleetcharge.demo.urls import base_url, ocpp_url
from fleetcharge.models import ApiToken, Fleet, Location, Organisation
from fleetcharge.settings import get_settings
from fleetcharge.simulator.curves import CurrentType
from fleetcharge.simulator.live import LiveStation

API_PREFIX = "/api/fleets/v1"


@dataclass(frozen=True)
class DemoToken:
    name: str
    uuid: str
    token: str
    role: str


def run_demo(
    database_url: str,
    sessions: int,
    serve: bool,
    as_json: bool,
    host: str,
    port: int,
    live_speed: float | None = None,
) -> None:
    """Load, print tokens, then serve (with `live_speed`: and keep stations charging)."""
    # Someone is watching this terminal: plain log lines unless JSON was asked for.
    os.environ.setdefault("FLEETCHARGE_LOG_FORMAT", "text")
    get_settings.cache_clear()
    engine = make_engine(database_url)
    try:
        result = load_demo(engine, sessions=sessions, progress=True)
        tokens = issue_demo_tokens(engine, result)
        passwords = renew_station_passwords(engine, result)
        people = renew_demo_people(engine, result)
        stations = live_stations(engine, datetime.now(UTC), passwords)
    finally:
        engine.dispose()
    if as_json:
        document = {
            "organisations": [{"name": t.name, "uuid": t.uuid, "token": t.token} for t in tokens],
            "stations": [{"identity": i, "password": p} for i, p in passwords.items()],
            "people": [person.view() for person in people],
        }
        sys.stdout.write(json.dumps(document) + "\n")
        sys.stdout.flush()
    else:
        # A station of your own would take a live one's place: offered only without --live.
        offered = stations[0] if stations and live_speed is None else None
        print_summary(Console(), result, tokens, base_url(host, port), offered, people)
    if serve and live_speed is not None:
        serve_live(database_url, host, port, live_speed, stations, Console(stderr=as_json))
    elif serve:
        from fleetcharge.web.server import serve as serve_api

        serve_api(database_url, host=host, port=port)


DEMO_TOKEN_NAME = "fleetcharge demo"


def issue_demo_tokens(engine: Engine, result: DemoResult) -> list[DemoToken]:
    """A fresh all-scopes token per demo organisation (secrets are only ever shown once),
    replacing the one an earlier start issued: one demo token each, however often it starts."""
    tokens = []
    with unit_of_work(engine) as db:
        for demo_org in result.organisations:
            organisation = db.get_one(Organisation, demo_org.id)
            earlier = select(ApiToken).where(
                ApiToken.organisation_id == organisation.id,
                ApiToken.name == DEMO_TOKEN_NAME,
                ApiToken.revoked_at.is_(None),
            )
            for token in db.scalars(earlier):
                revoke_token(db, token)
            issued = issue_token(db, organisation, name=DEMO_TOKEN_NAME)
            role = _role(db, organisation)
            tokens.append(DemoToken(organisation.name, str(organisation.uuid), issued.secret, role))
    return tokens


def _role(db: Session, organisation: Organisation) -> str:
    fleets = list(
        db.scalars(
            select(Fleet.name).where(Fleet.organisation_id == organisation.id).order_by(Fleet.id)
        )
    )
    locations = db.scalar(
        select(func.count())
        .select_from(Location)
        .where(Location.host_organisation_id == organisation.id)
    )
    parts = []
    if fleets:
        parts.append(f"fleets: {', '.join(fleets)}")
    if locations:
        parts.append(f"hosts {locations} locations")
    return "; ".join(parts) or "no fleets or locations"


def print_summary(
    console: Console,
    result: DemoResult,
    tokens: list[DemoToken],
    base: str,
    station: LiveStation | None = None,
    people: list[DemoPerson] | None = None,
) -> None:
    if result.created:
        headline = (
            f"Loaded the demo network with {result.sessions:,} charge sessions"
            f" and {result.invoices} invoices."
        )
    else:
        headline = "The demo network was already there; nothing was loaded again."
    console.print(f"[bold green]{headline}[/]")

    signs_in = {person.organisation: person for person in people or []}
    console.print("\n[bold]Organisations[/] (each token and password is shown only this once):")
    for token in tokens:
        console.print(f"\n  [bold]{token.name}[/] - {token.role}", highlight=False)
        # soft_wrap: ids and tokens must stay copy-pasteable, never broken by the console.
        console.print(f"    uuid   {token.uuid}", soft_wrap=True, highlight=False)
        console.print(f"    token  [cyan]{token.token}[/]", soft_wrap=True, highlight=False)
        if token.name in signs_in:
            _print_person(console, signs_in[token.name])
    if None in signs_in:
        console.print(f"\n[bold]Web console[/] at {base}/, the operator's admin:", highlight=False)
        _print_person(console, signs_in[None])

    if tokens:
        first = tokens[0]
        month = demo_window(datetime.now(UTC)).completed_months[-1]
        console.print(
            f"\n[bold]Try it[/] (as {first.name}; each shows the first 40 lines, indented):",
            highlight=False,
        )
        for query in (
            "usage",
            f"usage?date_from={month.first_day}&date_to={month.last_day}&page=2",
            "sessions",
            "vehicles",
            "invoices",
        ):
            console.print(
                f'curl -s -H "Authorization: Bearer {first.token}" "{base}{API_PREFIX}/{query}"'
                " | python3 -m json.tool | head -n 40",
                soft_wrap=True,
                highlight=False,
                markup=False,
            )
    console.print(f"\nAPI docs: {base}{API_PREFIX}/docs", highlight=False)
    if station is not None:
        _print_station(console, station, base)
    limits = get_settings()
    if limits.rate_limits_enabled:
        console.print(
            f"\nRate limits are the published ones (/usage {limits.rate_limit_usage}, /sessions"
            f" {limits.rate_limit_sessions}, /invoices {limits.rate_limit_invoices}): a full"
            " `fleetcharge export` waits them out. For the demo, start it with"
            " FLEETCHARGE_RATE_LIMITS_ENABLED=false, or lift one organisation's with"
            " `fleetcharge organisations set ORG --rate-limit usage=off`.",
            highlight=False,
            markup=False,
        )


def _print_person(console: Console, person: DemoPerson) -> None:
    """A person's sign-in for the web console (a new password each start)."""
    role = person.role.replace("_", " ")
    console.print(
        f"    sign in  {person.email}  password {person.password}  ({role})",
        soft_wrap=True,
        highlight=False,
        markup=False,
    )


def _print_station(console: Console, station: LiveStation, base: str) -> None:
    """How to charge at a demo station with a simulated one (its password, shown once)."""
    current = "--dc" if station.evse.current_type is CurrentType.DC else "--ac"
    console.print(
        "\n[bold]Charge at a demo station[/] (stations log in with passwords; each start "
        "gives them new ones):",
        highlight=False,
    )
    console.print(
        f"fleetcharge simulate --url {ocpp_url(base)} --station {station.identity}"
        f" --password {station.password} --id-tag {station.id_tags[0]} {current} --speed 600",
        soft_wrap=True,
        highlight=False,
        markup=False,
    )

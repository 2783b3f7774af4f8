"""`fleetcharge sites set-limit | clear-limit | show | circuits add|list|remove`: a
location's smart-charging settings. Exit codes: 0 done, 2 bad arguments or input.

The schedule file (--schedule) is CSV: the header `days,start,end,limit_kw`, then one
window a line, e.g. `mon-fri,16:00,21:00,120` (local time at the site; an end at or before
the start runs into the next day; `#` lines are comments). See docs/smart-charging.md."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from fleetcharge.cli.common import (
    AsJson,
    DatabaseUrl,
    cli_actor,
    command_session,
    console,
    fail,
    input_bytes,
    print_json,
    print_records,
)
from fleetcharge.cli.records import Options
from fleetcharge.models import Location
from fleetcharge.network.locations import find_location
from fleetcharge.site_control.service import allocation_lines, live_allocation
from fleetcharge.sites import service, values
from fleetcharge.sites.problem_source import SiteProblem, load_problems
from fleetcharge.sites.schemas import CircuitCreate
from fleetcharge.sites.timing import Window

app = typer.Typer(help="Smart charging: a site's power limit, schedule and circuits.")
circuits_app = typer.Typer(help="A site's circuits: feeders and sub-panels with limits.")
app.add_typer(circuits_app, name="circuits", no_args_is_help=True)

LocationArg = Annotated[str, typer.Argument(help="Location name or UUID.", show_default=False)]
MAX_SCHEDULE_BYTES = 1024 * 1024
STRATEGIES = ("equal_share", "priority", "deadline")
OPTIONS = Options({"limit_kw": "POWER", "parent_uuid": "--parent", "name": "NAME"})


@app.command("set-limit")
def set_limit(
    location: LocationArg,
    power: Annotated[str, typer.Argument(help="The site's limit: 200kW, '200 kW' or 200000W.")],
    schedule: Annotated[
        Path | None,
        typer.Option(help="CSV of weekly limit windows (days,start,end,limit_kw); replaces any."),
    ] = None,
    strategy: Annotated[
        str | None, typer.Option(help="equal_share, priority or deadline (default deadline).")
    ] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Smart charge a site: never above POWER (nor a schedule window's limit)."""
    try:
        limit = values.site_power_kw(power)
    except ValueError as error:
        raise fail(f"POWER: {error}") from None
    if strategy is not None and strategy not in STRATEGIES:
        raise fail(f"--strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    windows = _schedule(schedule) if schedule is not None else None
    with OPTIONS.named(), command_session(database_url) as db:
        found = find_location(db, location)
        view = service.set_limit(db, cli_actor(), found, limit, strategy, windows)
    _print_settings(found.name, view, as_json)


@app.command("clear-limit")
def clear_limit(
    location: LocationArg, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """Stop smart charging a site (its circuits and schedule are kept)."""
    with command_session(database_url) as db:
        found = find_location(db, location)
        view = service.clear_limit(db, cli_actor(), found)
    _print_settings(found.name, view, as_json)


def _schedule(path: Path) -> list[Window]:
    raw = input_bytes(str(path), MAX_SCHEDULE_BYTES)
    try:
        return values.schedule_csv(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise fail(f"--schedule {path}: not UTF-8 text") from None
    except values.FileError as error:
        raise fail(f"--schedule {path}: {error}") from None


def _print_settings(name: str, view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(view)
        return
    for line in _settings_lines(name, view):
        console.print(line, soft_wrap=True, markup=False)


def _settings_lines(name: str, view: dict[str, Any]) -> list[str]:
    if view["limit_kw"] is None:
        lines = [f"{name}: not smart charged (no limit)"]
    else:
        lines = [f"{name}: limit {view['limit_kw']} kW, strategy {view['strategy']}"]
    for w in view["schedule"]:
        lines.append(
            f"  {w['days']} {w['start']}-{w['end']} ({view['timezone']}): {w['limit_kw']} kW"
        )
    return lines


# --- show ---------------------------------------------------------------------------------


@app.command("show")
def show(location: LocationArg, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """A site's settings, circuit tree, schedule and its charging sessions with their
    constraints."""
    with command_session(database_url) as db:
        found = find_location(db, location)
        now = datetime.now(UTC)
        problems = load_problems(db, now, [found.id])
        view = site_view(
            found,
            service.site_settings(db, found),
            [service.circuit_view(db, c) for c in service.circuits_of(db, found)],
            problems[0] if problems else None,
        )
        view["allocation"] = live_allocation(db, found, now)
    if as_json:
        print_json(view)
    else:
        console.print(render_site(view), soft_wrap=True, markup=False)


def site_view(
    location: Location,
    settings: dict[str, Any],
    circuits: list[dict[str, Any]],
    problem: SiteProblem | None,
) -> dict[str, Any]:
    """What `sites show` shows, as JSON: the settings, circuits and active sessions."""
    zone = ZoneInfo(location.timezone)
    sessions: list[dict[str, Any]] = []
    if problem is not None:
        for s in problem.problem.sessions:
            sessions.append(
                {
                    "transaction_id": s.id,
                    "station": s.station_id,
                    "connector": problem.connector_of.get(s.id),
                    "phases": problem.phases_of.get(s.id),
                    "station_max_kw": round(s.watts(s.station_max) / 1000, 2),
                    "vehicle_max_kw": round(s.watts(s.vehicle_max) / 1000, 2)
                    if s.vehicle_max is not None
                    else None,
                    "priority": s.priority,
                    "departure": s.departure.astimezone(zone).isoformat()
                    if s.departure is not None
                    else None,
                    "energy_needed_kwh": round(s.energy_needed_kwh, 3)
                    if s.energy_needed_kwh is not None
                    else None,
                    "drawn_kw": round(s.watts(s.drawn) / 1000, 2) if s.drawn is not None else None,
                }
            )
    return {
        "location": {"uuid": str(location.uuid), "name": location.name},
        "settings": settings,
        "circuits": circuits,
        "sessions": sessions,
    }


def render_site(view: dict[str, Any]) -> str:
    """`sites show` as text: settings and schedule, the circuit tree, the sessions, and the
    control loop's live allocation (each session's limit and why)."""
    lines = _settings_lines(view["location"]["name"], view["settings"])
    lines.append("Circuits:")
    lines.extend(_tree(view["circuits"]) or ["  (none: every station on the site's connection)"])
    lines.append("Sessions:")
    if view["settings"]["limit_kw"] is None:
        lines.append("  (not managed: the site has no limit)")
    elif not view["sessions"]:
        lines.append("  (none charging)")
    for s in view["sessions"]:
        vehicle = f", vehicle max {s['vehicle_max_kw']} kW" if s["vehicle_max_kw"] else ""
        need = f"{s['energy_needed_kwh']} kWh" if s["energy_needed_kwh"] is not None else "unknown"
        drawn = f"{s['drawn_kw']} kW" if s["drawn_kw"] is not None else "not measured"
        lines.append(
            f"  tx {s['transaction_id']} at {s['station']}#{s['connector']}"
            f" ({s['phases']}-phase, station max {s['station_max_kw']} kW{vehicle}),"
            f" priority {s['priority']}, departs {s['departure'] or 'unknown'},"
            f" needs {need}, drawing {drawn}"
        )
    if view.get("allocation") is not None and view["settings"]["limit_kw"] is not None:
        lines.extend(allocation_lines(view["allocation"]))
    return "\n".join(lines)


def _tree(circuits: list[dict[str, Any]]) -> list[str]:
    children: dict[str | None, list[dict[str, Any]]] = {}
    for c in circuits:
        children.setdefault(c["parent_uuid"], []).append(c)
    lines: list[str] = []

    def walk(parent: str | None, depth: int, seen: frozenset[str]) -> None:
        for c in children.get(parent, []):
            if c["uuid"] in seen:
                continue
            limits = [f"{c['limit_kw']} kW"] if c["limit_kw"] else []
            limits += [f"{c['limit_a']} A/phase"] if c["limit_a"] else []
            stations = f"; stations {', '.join(c['stations'])}" if c["stations"] else ""
            lines.append(
                f"{'  ' * depth}- {c['name']} ({c['phases']}-phase"
                f"{', ' + ', '.join(limits) if limits else ', no limit'}){stations}"
            )
            walk(c["uuid"], depth + 1, seen | {c["uuid"]})

    walk(None, 1, frozenset())
    return lines


# --- circuits -----------------------------------------------------------------------------


@circuits_app.command("add")
def add_circuit(
    location: LocationArg,
    name: Annotated[str, typer.Argument(help="Unique at the site, e.g. feeder-1.")],
    limit: Annotated[
        list[str] | None,
        typer.Option(help="Its limit: 60kW (total) and/or 32A (each phase); repeatable."),
    ] = None,
    phases: Annotated[int, typer.Option(help="1 or 3.")] = 3,
    parent: Annotated[str | None, typer.Option(help="The circuit it hangs from.")] = None,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Add a circuit to a site; stations join it with `stations set --circuit`."""
    body: dict[str, Any] = {"name": name, "phases": phases}
    for text in limit or []:
        try:
            found = values.power(text)
        except ValueError as error:
            raise fail(f"--limit: {error}") from None
        body["limit_kw" if found.unit == "kW" else "limit_a"] = found.value
    if parent is not None:
        body["parent_uuid"] = parent
    data = Options({"parent_uuid": "--parent", "limit_kw": "--limit", "limit_a": "--limit"})
    with data.named(), command_session(database_url) as db:
        site = find_location(db, location)
        created = data.validated(CircuitCreate, body)
        view = service.circuit_view(db, service.add_circuit(db, cli_actor(), site, created))
    if as_json:
        print_json(view)
    else:
        console.print(f"Added circuit {view['name']} ({view['uuid']})", markup=False)


@circuits_app.command("list")
def list_circuits(
    location: LocationArg, as_json: AsJson = False, database_url: DatabaseUrl = None
) -> None:
    """A site's circuits."""
    with command_session(database_url) as db:
        site = find_location(db, location)
        views = [service.circuit_view(db, c) for c in service.circuits_of(db, site)]
        names = {v["uuid"]: v["name"] for v in views}
    print_records(
        views,
        as_json=as_json,
        empty="No circuits.",
        title="Circuits",
        columns=("name", "parent", "phases", "limit kW", "limit A", "stations"),
        cells=lambda v: (
            v["name"],
            names.get(v["parent_uuid"] or "", "-"),
            str(v["phases"]),
            v["limit_kw"] or "-",
            v["limit_a"] or "-",
            ", ".join(v["stations"]) or "-",
        ),
    )


@circuits_app.command("remove")
def remove_circuit(
    location: LocationArg,
    name: Annotated[str, typer.Argument(help="The circuit's name or UUID.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Remove a circuit nothing hangs from."""
    with command_session(database_url) as db:
        site = find_location(db, location)
        found = service.get_circuit(db, site, name)
        service.remove_circuit(db, cli_actor(), site, found)
    console.print(f"Removed circuit {name}", markup=False)

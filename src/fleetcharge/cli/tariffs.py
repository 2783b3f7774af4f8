import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table
from rich.text import Text

from fleetcharge.cli.common import (
    DatabaseUrl,
    command_session,
    console,
    fail,
    input_bytes,
    print_table,
)
from fleetcharge.errors import DomainError
from fleetcharge.kit.formats import local_iso
from fleetcharge.pricing.schemas import DEFAULT_TIMEZONE, PricedSession
from fleetcharge.tariffs import service, versions
from fleetcharge.tariffs.explain import explain
from fleetcharge.tariffs.repository import tariff_spec
from fleetcharge.tariffs.schemas import (
    TariffDocument,
    TariffDocumentError,
    parse_tariff_document,
)
from fleetcharge.timezones import zone

app = typer.Typer(
    help="Create, check, version, inspect and quote OCPI 2.2.1 tariffs.",
    no_args_is_help=True,
)

UNITS = {"ENERGY": "/kWh", "TIME": "/h", "PARKING_TIME": "/h", "FLAT": ""}
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
TariffRef = Annotated[str, typer.Argument(help="Tariff name or UUID.", show_default=False)]
# A tariff is a few KB; a file this big is something else.
MAX_DOCUMENT_BYTES = 1024 * 1024


def _read_document(path: str, code: int = 2) -> TariffDocument:
    """The tariff document in FILE ('-' for standard input), validated, or exit `code` with
    every problem and where it is."""
    content = input_bytes(path, MAX_DOCUMENT_BYTES)
    try:
        # orjson: UTF-8 checked, NaN and Infinity refused, nesting bounded (no RecursionError).
        data = orjson.loads(content)
    except orjson.JSONDecodeError as error:
        raise fail(
            f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            code,
        ) from None
    try:
        return parse_tariff_document(data)
    except TariffDocumentError as error:
        lines = "\n".join(f"  {problem}" for problem in error.problems)
        raise fail(f"{path}: not a valid tariff:\n{lines}", code) from None


@app.command("check")
def check(
    file: Annotated[str, typer.Argument(help="Tariff JSON file, or - for standard input.")],
    database_url: DatabaseUrl = None,  # unused: checking needs no database
) -> None:
    """Validate a tariff document and explain every field found and what will be done with
    it. Exit 0 when valid, 1 with every problem and its path when not."""
    document = _read_document(file, code=1)
    console.print(Text.assemble((file, "bold"), ": a valid tariff"), soft_wrap=True)
    for line in explain(document):
        console.print(Text(f"  {line}"), soft_wrap=True)


@app.command("publish")
def publish(
    tariff: TariffRef,
    file: Annotated[str, typer.Argument(help="The new version's JSON document, or -.")],
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="When it takes effect, e.g. 2027-01-01T00:00+11:00 (default: the document's "
            "start_date_time). Never in the past.",
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Publish a new version of a tariff, taking effect at a future moment: sessions that
    start from then on are priced by it; earlier ones, and those under way, are not."""
    document = _read_document(file)
    if start is not None:
        try:
            moment = datetime.fromisoformat(start)
            if moment.tzinfo is None:
                raise fail(f"--from needs a UTC offset, e.g. {start}+11:00")
            utc = moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise fail(f"--from must be like 2027-01-01T00:00+11:00, got {start!r}") from None
        document = document.model_copy(update={"start_date_time": utc})
    try:
        with command_session(database_url) as db:
            found = service.find_tariff(db, tariff)
            version = versions.publish(db, found, document, datetime.now(UTC))
            name, number, valid_from = found.name, version.number, version.valid_from
    except DomainError as error:  # a field of the document (or --from for start_date_time)
        raise fail(error.message) from None
    assert valid_from is not None
    console.print(
        Text.assemble(
            "Tariff ", (name, "bold"), f" version {number} takes effect {valid_from.isoformat()}."
        ),
        soft_wrap=True,
    )


@app.command("history")
def history(tariff: TariffRef, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Every version of a tariff: when each took (or takes) effect, and which is in force."""
    with command_session(database_url) as db:
        found = service.find_tariff(db, tariff)
        rows = service.tariff_history(db, found)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("version", "from", "until", "type", "published", "in force")
    for row in rows:
        table.add_row(
            str(row["version"]),
            row["valid_from"] or "always",
            row["valid_until"] or "",
            row["type"] or "",
            row["published_at"],
            "yes" if row["in_force"] else "",
        )
    print_table(table)


@app.command("create")
def create(
    file: Annotated[str, typer.Argument(help="Tariff JSON file, or - for standard input.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Create a tariff from an OCPI-style JSON document (see docs/tariffs.md)."""
    document = _read_document(file)
    with command_session(database_url) as db:
        tariff = service.create_tariff(db, document)
        uuid, name = tariff.uuid, tariff.name
    console.print(Text.assemble("Tariff ", (name, "bold"), f" created: {uuid}"), soft_wrap=True)


@app.command("list")
def list_tariffs(as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """List tariffs with their owner and where they are used."""
    with command_session(database_url) as db:
        summaries = service.list_tariffs(db)
        rows = [
            {
                "uuid": str(s.tariff.uuid),
                "name": s.tariff.name,
                "owner": s.owner,
                "currency": s.tariff.currency,
                "stations": s.stations,
                "overrides": s.overrides,
            }
            for s in summaries
        ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("uuid", "name", "owner", "currency", "stations", "overrides")
    for row in rows:
        table.add_row(*(str(row[k] if row[k] is not None else "") for k in row))
    print_table(table)


@app.command("show")
def show(tariff: TariffRef, as_json: AsJson = False, database_url: DatabaseUrl = None) -> None:
    """Show a tariff: its elements, restrictions and limits."""
    with command_session(database_url) as db:
        document = service.tariff_document(db, service.find_tariff(db, tariff))
    if as_json:
        print(json.dumps(document, indent=2))
        return
    console.print(Text.assemble((document["name"], "bold"), f"  {document['uuid']}"))
    ocpi = "last_updated" in document and document.get("prices_include_vat") is not True
    facts = [
        f"owner: {document.get('owner', 'network')}",
        f"currency: {document['currency']}",
        "prices excl. VAT (vat per component)"
        if ocpi
        else f"GST rate: {document.get('tax_rate', '0.10')}",
        f"parking grace: {document['parking_grace_minutes']} min",
    ]
    facts += [
        f"{key}: {_shown(document[key])}"
        for key in ("type", "min_price", "max_price", "start_date_time", "end_date_time")
        if key in document
    ]
    console.print("  ".join(facts), soft_wrap=True)
    for text in document.get("tariff_alt_text", ()):
        console.print(Text(f"{text['language']}: {text['text']}"), soft_wrap=True)
    if "tariff_alt_url" in document:
        console.print(Text(f"More: {document['tariff_alt_url']}"), soft_wrap=True)
    if "energy_mix" in document:
        mix = document["energy_mix"]
        sources = ", ".join(
            f"{s['source']} {s['percentage']}%" for s in mix.get("energy_sources", ())
        )
        console.print(
            Text(f"Energy: {'green' if mix['is_green_energy'] else 'not green'} {sources}"),
            soft_wrap=True,
        )
    table = Table("#", "components", "restrictions")
    for position, element in enumerate(document["elements"], start=1):
        components = ", ".join(
            f"{c['type']} {c['price']}{UNITS[c['type']]}"
            + (f" vat {c['vat']}%" if "vat" in c else "")
            + (f" step {c['step_size']}" if c.get("step_size", 1) not in (0, 1) else "")
            for c in element["price_components"]
        )
        restrictions = element.get("restrictions", {})
        table.add_row(
            str(position),
            components,
            ", ".join(f"{k}={v}" for k, v in restrictions.items()) or "always",
        )
    print_table(table)


@app.command("override")
def override(
    tariff: Annotated[
        str | None, typer.Argument(help="Tariff name or UUID (omit with --clear).")
    ] = None,
    org: Annotated[str, typer.Option("--org", help="Organisation name or UUID.")] = "",
    location: Annotated[str, typer.Option(help="Location name or UUID.")] = "",
    clear: Annotated[bool, typer.Option("--clear", help="Remove the override.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Give an organisation's own cards a different tariff at one location
    (e.g. free charging for a site host's vehicles)."""
    if not org or not location:
        raise fail("--org and --location are required")
    if clear == (tariff is not None):
        raise fail("give a TARIFF to set the override, or --clear to remove it")
    with command_session(database_url) as db:
        if tariff is None:
            removed = service.clear_override(db, org, location)
        else:
            service.set_override(db, org, location, tariff)
    if tariff is None:
        console.print("Override removed." if removed else "There was no override to remove.")
    else:
        console.print(f"{org} now pays tariff {tariff!r} at {location}.")


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return " / ".join(f"{v} {k.replace('_', ' ')}" for k, v in value.items())
    return str(value)


def _decimal_option(value: str, name: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise fail(f"{name} must be a number, got {value!r}") from None


def _start(value: str, timezone: str) -> datetime:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"--start must be like 2026-03-01T17:30+11:00, got {value!r}") from None
    return start if start.tzinfo else start.replace(tzinfo=zone(timezone))


@app.command("quote")
def quote(
    tariff: Annotated[
        str, typer.Argument(help="Tariff name or UUID, or a tariff JSON file.", show_default=False)
    ],
    start: Annotated[
        str, typer.Option(help="Plug-in time, e.g. 2026-03-01T17:30+11:00 (local if no offset).")
    ],
    kwh: Annotated[str, typer.Option(help="Energy delivered, kWh.")],
    minutes: Annotated[int, typer.Option(help="Minutes spent charging.", min=0)],
    parked_minutes: Annotated[
        int, typer.Option(help="Minutes plugged in after charging stopped.", min=0)
    ] = 0,
    location: Annotated[
        str | None, typer.Option(help="Location name or UUID: its time zone applies.")
    ] = None,
    timezone: Annotated[
        str, typer.Option(help="Time zone when no --location is given.")
    ] = DEFAULT_TIMEZONE,
    as_json: AsJson = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Price a hypothetical session and show every period: why did this cost $X?"""
    energy = _decimal_option(kwh, "--kwh")
    from_file = Path(tariff).suffix == ".json" and Path(tariff).exists()
    spec = _read_document(tariff).spec() if from_file else None
    if spec is None or location is not None:
        with command_session(database_url) as db:
            if spec is None:
                spec = tariff_spec(service.find_tariff(db, tariff))
            if location is not None:
                timezone = service.find_location(db, location).timezone
    try:
        zone(timezone)
    except (ValueError, KeyError):
        raise fail(f"unknown time zone {timezone!r}") from None
    try:
        priced = service.quote(
            spec,
            _start(start, timezone),
            kwh=energy,
            charging_minutes=minutes,
            parked_minutes=parked_minutes,
            timezone=timezone,
        )
    except DomainError as error:
        option = f"--{error.parameter}: " if error.parameter else ""
        raise fail(option + error.message) from None
    _print_quote(priced, timezone, as_json)


def _print_quote(priced: PricedSession, timezone: str, as_json: bool) -> None:
    periods: list[dict[str, str | int]] = [
        {
            "start_date_time": local_iso(p.start, timezone),
            "duration_s": p.duration_s,
            "consumption_kwh": str(p.consumption_kwh),
            "type": p.dimension,
            "tariff": str(p.unit_price),
            "amount": str(p.amount),
            "gst": str(p.gst),
        }
        for p in priced.periods
    ]
    if as_json:
        total = {"amount": str(priced.amount), "gst": str(priced.gst)}
        print(
            json.dumps({"currency": priced.currency, "periods": periods, "total": total}, indent=2)
        )
        return
    table = Table(
        "start",
        "minutes",
        "kWh",
        "type",
        "unit price",
        "amount",
        "GST",
        title=f"Quote ({timezone})",
    )
    for p in priced.periods:
        table.add_row(
            local_iso(p.start, timezone),
            f"{p.duration_s / 60:g}",
            str(p.consumption_kwh),
            p.dimension,
            f"{p.unit_price}{UNITS[p.dimension]}",
            str(p.amount),
            str(p.gst),
        )
    table.add_row("total", "", "", "", "", Text(str(priced.amount), style="bold"), str(priced.gst))
    print_table(table)
    console.print(f"Total {priced.currency} {priced.amount} including GST {priced.gst}.")

"""The locations file, one row per connector: each cell checked as the admin API checks
the field, and the rows of one station (and of one location) checked to agree."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fleetcharge.errors import InvalidField
from fleetcharge.imports.problems import Problems
from fleetcharge.imports.table import Row, Table
from fleetcharge.kit import fields

COLUMNS = {
    "location": "the location's name (with host_organisation, the key of a location)",
    "host_organisation": "the organisation hosting it, by name or UUID",
    "address": "the location's street address",
    "timezone": "the location's IANA time zone, e.g. Australia/Sydney",
    "station_identity": "the station's OCPP identity, as in ws://host/ocpp/IDENTITY (the key of "
    "a station)",
    "evse_id": "the station's EVSE id, e.g. AU*FCN*E1234",
    "station_name": "the station's name",
    "current_type": "AC or DC (blank: AC for a new station, unchanged for an existing one)",
    "max_power_kw": "rated power in kW, one decimal (blank: 22.0 new, unchanged existing)",
    "tariff": "the name of its default tariff (blank: none; without the column: unchanged)",
    "connector_id": "the connector's OCPP connectorId, 1, 2, ...",
    "connector_name": "the connector's name (blank: Connector N new, unchanged existing)",
}
REQUIRED = frozenset(
    {"location", "host_organisation", "address", "timezone", "station_identity", "evse_id"}
    | {"station_name", "connector_id"}
)
LOCATION_FIELDS = ("address", "timezone")
STATION_FIELDS = ("location_key", "evse_id", "name", "current_type", "max_power_kw", "tariff")
MAX_POWER_KW = Decimal(10_000)
MAX_CONNECTOR = 99


@dataclass
class StationLine:
    """A station as the file describes it, from its first row; connectors from all."""

    line: int
    identity: str
    location_key: tuple[str, str]  # (host organisation as written, location name)
    evse_id: str
    name: str
    current_type: str | None
    max_power_kw: Decimal | None
    tariff: str | None
    connectors: dict[int, tuple[int, str | None]]  # connector id -> (line, name)


@dataclass
class LocationLine:
    line: int
    host: str
    name: str
    address: str
    timezone: str


def location_lines(
    table: Table, problems: Problems
) -> tuple[list[LocationLine], list[StationLine]]:
    locations: dict[tuple[str, str], LocationLine] = {}
    stations: dict[str, StationLine] = {}
    evse_seen: dict[str, tuple[int, str]] = {}
    for row in table.rows:
        before = problems.total
        cells = _cells(row, problems)
        if problems.total != before:
            continue
        key = (cells["host_organisation"], cells["location"])
        location = locations.get(key)
        if location is None:
            locations[key] = LocationLine(row.line, *key, cells["address"], cells["timezone"])
        else:
            for column in LOCATION_FIELDS:
                if getattr(location, column) != cells[column]:
                    problems.add(
                        row.line,
                        column,
                        f"differs from line {location.line}, for the same location",
                    )
        identity = cells["station_identity"]
        station = stations.get(identity)
        connector = cells["connector_id"]
        if station is None:
            station = StationLine(
                row.line,
                identity,
                key,
                cells["evse_id"],
                cells["station_name"],
                cells["current_type"],
                cells["max_power_kw"],
                cells["tariff"],
                {},
            )
            stations[identity] = station
            owner = evse_seen.setdefault(station.evse_id, (row.line, identity))
            if owner[1] != identity:
                problems.add(
                    row.line, "evse_id", f"evse_id {station.evse_id} is also on line {owner[0]}"
                )
        else:
            columns = {"location_key": "location", "name": "station_name"}
            for attribute in STATION_FIELDS:
                value = (
                    key if attribute == "location_key" else cells[columns.get(attribute, attribute)]
                )
                if getattr(station, attribute) != value:
                    problems.add(
                        row.line,
                        columns.get(attribute, attribute),
                        f"differs from line {station.line}, for the same station",
                    )
            if connector in station.connectors:
                problems.add(
                    row.line,
                    "connector_id",
                    f"connector {connector} of station {identity} is also on line "
                    f"{station.connectors[connector][0]}",
                )
                continue
        station.connectors[connector] = (row.line, cells["connector_name"])
    return list(locations.values()), list(stations.values())


def _cells(row: Row, problems: Problems) -> dict[str, Any]:
    checks = {
        "location": lambda v: fields.text(v, "location", max_length=200),
        "host_organisation": lambda v: fields.text(v, "host_organisation", max_length=200),
        "address": lambda v: fields.text(v, "address", max_length=300),
        "timezone": lambda v: fields.timezone(_required(v, "timezone")),
        "station_identity": lambda v: fields.station_identity(
            _required(v, "station_identity"), "station_identity"
        ),
        "evse_id": lambda v: fields.evse_id(_required(v, "evse_id")),
        "station_name": lambda v: fields.text(v, "station_name", max_length=200),
        "current_type": _current_type,
        "max_power_kw": lambda v: (
            fields.decimal(v, "max_power_kw", places=1, minimum=Decimal("0.1"), below=MAX_POWER_KW)
            if v
            else None
        ),
        "tariff": lambda v: fields.optional_text(v, "tariff", max_length=200),
        "connector_id": _connector_id,
        "connector_name": lambda v: fields.optional_text(v, "connector_name", max_length=64),
    }
    cells: dict[str, Any] = {}
    for column, check in checks.items():
        with problems.cell(row.line, column):
            cells[column] = check(row.get(column))
    return cells


def _required(value: str, field: str) -> str:
    if not value:
        raise InvalidField(f"{field} is required", field=field)
    return value


def _current_type(value: str) -> str | None:
    if not value:
        return None
    if value.upper() not in ("AC", "DC"):
        raise InvalidField(f"current_type must be AC or DC, got {value!r}", field="current_type")
    return value.upper()


def _connector_id(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_CONNECTOR:
        raise InvalidField(
            f"connector_id must be a whole number from 1 to {MAX_CONNECTOR}, got {value!r}",
            field="connector_id",
        )
    return int(value)

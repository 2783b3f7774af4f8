"""The vehicles file, row by row: each cell checked as the admin API checks the field."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fleetcharge.errors import InvalidField
from fleetcharge.imports.problems import Problems
from fleetcharge.imports.table import Table
from fleetcharge.kit import fields

COLUMNS = {
    "vin": "the vehicle's VIN, 17 letters and digits (the key: an active vehicle with it is "
    "updated, otherwise one is created)",
    "registration_number": "its registration plate",
    "fleet": "the name of its fleet in the organisation, created if there is none "
    "(blank: the --fleet / fleet parameter)",
    "contract_number": "its contract number (blank: none)",
    "effective_from": "the date it joins the fleet, YYYY-MM-DD (blank: today for a new vehicle, "
    "unchanged for an existing one)",
    "cards": "the id tags of its RFID cards, separated by ; (each given to this vehicle)",
}
CARD_SEPARATOR = ";"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class VehicleLine:
    line: int
    vin: str
    registration_number: str
    fleet: str | None  # None: the default fleet, or for an existing vehicle its own
    contract_number: str | None
    effective_from: date | None
    id_tags: tuple[str, ...]


def vehicle_lines(table: Table, problems: Problems) -> list[VehicleLine]:
    """The rows that are valid; problems recorded for the others, and for a VIN or an id
    tag that appears twice in the file."""
    lines: list[VehicleLine] = []
    vin_seen: dict[str, int] = {}
    tag_seen: dict[str, int] = {}
    for row in table.rows:
        before = problems.total
        values: dict[str, Any] = {}
        with problems.cell(row.line, "vin"):
            values["vin"] = _required(row.get("vin"), "vin", fields.vin)
        with problems.cell(row.line, "registration_number"):
            values["registration_number"] = fields.text(
                row.get("registration_number"), "registration_number", max_length=20
            )
        with problems.cell(row.line, "fleet"):
            values["fleet"] = fields.optional_text(row.get("fleet"), "fleet", max_length=200)
        with problems.cell(row.line, "contract_number"):
            values["contract_number"] = fields.optional_text(
                row.get("contract_number"), "contract_number", max_length=64
            )
        with problems.cell(row.line, "effective_from"):
            values["effective_from"] = _date(row.get("effective_from"), "effective_from")
        tags: list[str] = []
        for part in row.get("cards").split(CARD_SEPARATOR):
            if not part.strip():
                continue
            with problems.cell(row.line, "cards"):
                tag = fields.id_tag(part, "cards")
                if tag in tag_seen:
                    raise InvalidField(f"card {tag} is also on line {tag_seen[tag]}")
                tag_seen[tag] = row.line
                tags.append(tag)
        vin = values.get("vin")
        if isinstance(vin, str):
            if vin in vin_seen:
                problems.add(row.line, "vin", f"vin {vin} is also on line {vin_seen[vin]}")
            else:
                vin_seen[vin] = row.line
        if problems.total == before:
            lines.append(VehicleLine(row.line, **values, id_tags=tuple(tags)))
    return lines


def _required(value: str, field: str, check: Callable[[str, str], str]) -> str:
    if not value:
        raise InvalidField(f"{field} is required", field=field)
    return check(value, field)


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidField(
            f"{field} must be a date written YYYY-MM-DD, got {value!r}", field=field
        ) from None
    return fields.day(parsed, field)

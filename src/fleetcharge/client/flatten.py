"""Records as flat spreadsheet rows: one per session, or one per charging period.

Column order is fixed per resource (`columns()`); cells are text:
- timestamps ISO 8601 with the station's UTC offset, as sent; dates `YYYY-MM-DD`;
- money and kWh as plain decimals (never exponents or binary-float noise);
- durations in seconds (`*_seconds`), as the API sends them;
- null as an empty cell;
- lists (a vehicle's id tags) joined with "; " — the only multi-valued cell;
- text that a spreadsheet would run as a formula (starting with = + - @, tab or CR) is
  prefixed with an apostrophe, as is text already starting with one; `unguard()` undoes it.

Fields a server sends beyond the contract are not in the CSV (the JSON export keeps them).
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fleetcharge.client.models import (
    ChargingPeriod,
    Invoice,
    SessionTimes,
    SiteHostSession,
    UsageSession,
    Vehicle,
)
from fleetcharge.client.paging import Resource

Cell = str | int | Decimal | date | datetime | None
Column = tuple[str, Callable[[Any], Cell]]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
ID_TAG_SEPARATOR = "; "


def render(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    return str(value)


def unguard(text: str) -> str:
    """The original text of a cell that `render` guarded against formula evaluation."""
    return text[1:] if text.startswith("'") else text


def _currency(session: SessionTimes) -> str | None:
    return next((p.currency for p in session.charging_periods if p.currency), None)


def _gst(session: SessionTimes) -> Decimal | None:
    """The GST in the session's cost: its charging periods' GST (which the price's GST is
    the sum of); none when it has no periods."""
    if not session.charging_periods:
        return None
    return sum((p.gst for p in session.charging_periods), Decimal("0.00"))


def _place_and_time(with_operators: bool) -> list[Column]:
    """Where and when a session happened; the site-host view also names the operators."""
    operators: list[Column] = [
        ("operator_name", lambda s: s.location.operator.name if s.location.operator else None),
        (
            "sub_operator_name",
            lambda s: s.location.sub_operator.name if s.location.sub_operator else None,
        ),
    ]
    return [
        ("location_name", lambda s: s.location.name),
        ("location_address", lambda s: s.location.address),
        ("location_timezone", lambda s: s.location.timezone),
        *(operators if with_operators else []),
        ("evse_id", lambda s: s.location.evse.evse_id),
        ("station_name", lambda s: s.location.evse.name),
        ("connector_id", lambda s: s.location.evse.connector.id),
        ("connector_name", lambda s: s.location.evse.connector.name),
        ("start_date_time", lambda s: s.start_date_time),
        ("stop_date_time", lambda s: s.stop_date_time),
        ("total_time_seconds", lambda s: s.total_time),
        ("total_parking_time_seconds", lambda s: s.total_parking_time),
        ("consumption_kwh", lambda s: s.consumption),
    ]


USAGE_COLUMNS: list[Column] = [
    ("uuid", lambda s: s.uuid),
    ("auth_id", lambda s: s.auth_id),
    ("vin", lambda s: s.vehicle.vin),
    ("registration_number", lambda s: s.vehicle.registration_number),
    ("contract_number", lambda s: s.vehicle.contract_number),
    ("fleet_uuid", lambda s: s.customer.uuid),
    ("fleet_name", lambda s: s.customer.name),
    *_place_and_time(with_operators=False),
    ("cost_to_driver", lambda s: s.cost_to_driver),
    ("gst_to_driver", lambda s: _gst(s)),
    ("currency", _currency),
    ("tariff_name", lambda s: s.tariff_name),
    ("invoice_number", lambda s: s.invoice_number),
    ("charging_period_count", lambda s: len(s.charging_periods)),
]

SESSION_COLUMNS: list[Column] = [
    ("uuid", lambda s: s.uuid),
    ("auth_id", lambda s: s.auth_id),
    *_place_and_time(with_operators=True),
    ("total_revenue", lambda s: s.total_revenue),
    ("gst_on_total_revenue", lambda s: s.gst_on_total_revenue),
    ("total_cost", lambda s: s.total_cost),
    ("gst_on_total_cost", lambda s: s.gst_on_total_cost),
    ("currency", lambda s: s.currency),
    ("charging_period_count", lambda s: len(s.charging_periods)),
]

VEHICLE_COLUMNS: list[Column] = [
    ("uuid", lambda v: v.uuid),
    ("vin", lambda v: v.vin),
    ("registration_number", lambda v: v.registration_number),
    ("contract_number", lambda v: v.contract_number),
    ("effective_from", lambda v: v.effective_from),
    ("effective_to", lambda v: v.effective_to),
    ("fleet_uuid", lambda v: v.customer.uuid if v.customer else None),
    ("fleet_name", lambda v: v.customer.name if v.customer else None),
    ("id_tags", lambda v: ID_TAG_SEPARATOR.join(v.id_tags)),
    ("card_count", lambda v: len(v.cards)),
]

INVOICE_COLUMNS: list[Column] = [
    ("uuid", lambda i: i.uuid),
    ("invoice_number", lambda i: i.invoice_number),
    ("invoice_date", lambda i: i.invoice_date),
    ("status", lambda i: i.status),
    ("description", lambda i: i.description),
    ("reference", lambda i: i.reference),
    ("currency", lambda i: i.currency),
    ("total_tax", lambda i: i.total_tax),
    ("total_amount_incl_tax", lambda i: i.total_amount_incl_tax),
    ("total_paid_incl_tax", lambda i: i.total_paid_incl_tax),
    ("total_due_incl_tax", lambda i: i.total_due_incl_tax),
    ("line_item_count", lambda i: len(i.line_items)),
    ("vehicle_count", lambda i: len(i.vehicles)),
    ("charge_session_count", lambda i: len(i.charge_sessions)),
]

PERIOD_COLUMNS: list[tuple[str, Callable[[ChargingPeriod], Cell]]] = [
    ("period_start_date_time", lambda p: p.start_date_time),
    ("period_duration_seconds", lambda p: p.duration),
    ("period_consumption_kwh", lambda p: p.consumption),
    ("period_tariff", lambda p: p.tariff),
    ("period_gst", lambda p: p.gst),
    ("period_amount", lambda p: p.amount),
    ("period_currency", lambda p: p.currency),
]

_RECORD_COLUMNS: dict[Resource, list[Column]] = {
    Resource.USAGE: USAGE_COLUMNS,
    Resource.SESSIONS: SESSION_COLUMNS,
    Resource.VEHICLES: VEHICLE_COLUMNS,
    Resource.INVOICES: INVOICE_COLUMNS,
}
PER_PERIOD_RESOURCES = (Resource.USAGE, Resource.SESSIONS)


def columns(resource: Resource, per_period: bool = False) -> list[str]:
    names = [name for name, _ in _RECORD_COLUMNS[resource]]
    if per_period:
        names += ["period_index", *(name for name, _ in PERIOD_COLUMNS)]
    return names


def flatten(
    resource: Resource,
    record: UsageSession | SiteHostSession | Vehicle | Invoice,
    per_period: bool = False,
) -> list[list[str]]:
    """The rows of one record. Per period, a session without periods still gets one row
    (with empty period cells), so no session disappears from the export."""
    base = [render(get(record)) for _, get in _RECORD_COLUMNS[resource]]
    if not per_period:
        return [base]
    if resource not in PER_PERIOD_RESOURCES:
        raise ValueError(f"{resource.value} records have no charging periods")
    periods: Sequence[ChargingPeriod] = getattr(record, "charging_periods", [])
    if not periods:
        return [base + [""] * (1 + len(PERIOD_COLUMNS))]
    return [
        [*base, str(index), *(render(get(period)) for _, get in PERIOD_COLUMNS)]
        for index, period in enumerate(periods, start=1)
    ]

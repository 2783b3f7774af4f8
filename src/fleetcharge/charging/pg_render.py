"""PostgreSQL renders a page of /usage or /sessions as one JSON array.

One statement returns the finished array, so the API process does no per-row work and
a page costs about what the database costs. The output equals, key for key and number
for number, the Python projection in `charging.service` (used on SQLite); the API
tests run on both databases to keep the two equal.
"""

from typing import Any

from sqlalchemy import ColumnElement, Select, Text, cast, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from fleetcharge.charging.repository import SITE_HOST, USAGE, SessionView, page_with_details
from fleetcharge.models import (
    ChargeSession,
    ChargingPeriod,
    Connector,
    Fleet,
    Invoice,
    Location,
    Organisation,
    Station,
    Vehicle,
)

EMPTY_ARRAY: ColumnElement[Any] = literal_column("'[]'::json")


def _number(column: Any) -> ColumnElement[Any]:
    """numeric -> JSON number without trailing zeros (0.3000 -> 0.3, 0.00 -> 0)."""
    return func.trim_scale(column)


def _local(column: Any) -> ColumnElement[str]:
    """ISO 8601 in the location's time zone; `fc_local_iso` comes from migration 0003."""
    return func.fc_local_iso(column, Location.timezone)


def _whole_minutes(seconds: Any) -> ColumnElement[int]:
    return (seconds // 60) * 60


def _object(**fields: Any) -> ColumnElement[Any]:
    arguments: list[Any] = []
    for key, value in fields.items():
        arguments += [literal_column(f"'{key}'"), value]
    return func.json_build_object(*arguments)


def _periods() -> ColumnElement[Any]:
    period = _object(
        start_date_time=_local(ChargingPeriod.start_date_time),
        duration=_whole_minutes(ChargingPeriod.duration_s),
        consumption=_number(ChargingPeriod.consumption_kwh),
        tariff=_number(ChargingPeriod.unit_price),
        gst=_number(ChargingPeriod.gst),
        amount=_number(ChargingPeriod.amount),
        currency=ChargingPeriod.currency,
    )
    array = func.json_agg(aggregate_order_by(period, ChargingPeriod.seq))
    return (
        select(func.coalesce(array, EMPTY_ARRAY))
        .where(ChargingPeriod.session_id == ChargeSession.id)
        .scalar_subquery()
    )


def _evse() -> ColumnElement[Any]:
    return _object(
        evse_id=Station.evse_id,
        name=Station.name,
        connector=_object(id=Connector.connector_id, name=Connector.name),
    )


def _common() -> dict[str, Any]:
    return {
        "uuid": cast(ChargeSession.uuid, Text),
        "auth_id": ChargeSession.auth_id,
        "start_date_time": _local(ChargeSession.start_date_time),
        "stop_date_time": _local(ChargeSession.stop_date_time),
        "total_time": _whole_minutes(ChargeSession.total_time_s),
        "consumption": _number(ChargeSession.consumption_kwh),
        "total_parking_time": _whole_minutes(ChargeSession.total_parking_time_s),
        "charging_periods": _periods(),
    }


def _rendered(view: SessionView, page: Any, document: ColumnElement[Any]) -> Select[Any]:
    rows = page_with_details(view, page).add_columns(document.label("doc")).subquery()
    array = func.json_agg(aggregate_order_by(rows.c.doc, rows.c.stop_date_time, rows.c.id))
    return select(cast(func.coalesce(array, EMPTY_ARRAY), Text))


def usage_json(page: Any) -> Select[Any]:
    document = _object(
        **_common(),
        vehicle=_object(
            contract_number=Vehicle.contract_number,
            vin=Vehicle.vin,
            registration_number=Vehicle.registration_number,
        ),
        customer=_object(uuid=cast(Fleet.uuid, Text), name=Fleet.name),
        location=_object(
            name=Location.name, timezone=Location.timezone, address=Location.address, evse=_evse()
        ),
        cost_to_driver=_number(ChargeSession.cost_to_driver),
        invoice_number=cast(Invoice.invoice_number, Text),
    )
    return _rendered(USAGE, page, document)


def site_host_json(page: Any, operator_name: str) -> Select[Any]:
    host = _object(name=Organisation.name)
    document = _object(
        **_common(),
        location=_object(
            name=Location.name,
            timezone=Location.timezone,
            address=Location.address,
            operator=_object(name=literal(operator_name, Text)),
            sub_operator=host,
            suboperator=host,
            evse=_evse(),
        ),
        total_revenue=_number(ChargeSession.total_revenue),
        gst_on_total_revenue=_number(ChargeSession.gst_on_total_revenue),
        total_cost=_number(ChargeSession.total_cost),
        gst_on_total_cost=_number(ChargeSession.gst_on_total_cost),
        currency=ChargeSession.currency,
    )
    return _rendered(SITE_HOST, page, document)

"""The /usage and /sessions projections of charge sessions."""

from collections import defaultdict
from functools import lru_cache, partial
from typing import Any

import orjson
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from fleetcharge.api.params import ListParams
from fleetcharge.api.responses import number, whole_minutes_in_seconds
from fleetcharge.charging import pg_render
from fleetcharge.charging.pseudonyms import ShownCardIds
from fleetcharge.charging.repository import (
    SITE_HOST,
    USAGE,
    VIEWS,
    SessionView,
    Shape,
    bind_values,
    card_pseudonym_key,
    locate_page,
    locates_in_database,
    page_of_ids,
    page_values,
    page_with_details,
    sessions_per_utc_day,
    shape_of,
)
from fleetcharge.db import Reader, fetch_all, on_postgresql
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
from fleetcharge.timezones import local_iso

# A page of items: dicts rendered here, or a JSON array the database rendered.
Items = list[dict[str, Any]] | orjson.Fragment

_SESSION_COLUMNS = (
    ChargeSession.uuid,
    ChargeSession.auth_id,
    ChargeSession.start_date_time,
    ChargeSession.stop_date_time,
    ChargeSession.total_time_s,
    ChargeSession.total_parking_time_s,
    ChargeSession.consumption_kwh,
    Location.name.label("location_name"),
    Location.timezone,
    Location.address,
    Station.evse_id,
    Station.name.label("station_name"),
    Connector.connector_id,
    Connector.name.label("connector_name"),
)


_USAGE_COLUMNS = (
    ChargeSession.cost_to_driver,
    Vehicle.contract_number,
    Vehicle.vin,
    Vehicle.registration_number,
    Fleet.uuid.label("fleet_uuid"),
    Fleet.name.label("fleet_name"),
    Invoice.invoice_number,
)
_SITE_HOST_COLUMNS = (
    ChargeSession.total_revenue,
    ChargeSession.gst_on_total_revenue,
    ChargeSession.total_cost,
    ChargeSession.gst_on_total_cost,
    ChargeSession.currency,
    ChargeSession.payer_organisation_id,
    Organisation.name.label("host_name"),
)


def _locate(
    db: Reader, view: SessionView, organisation_id: int, params: ListParams
) -> tuple[int, dict[str, Any] | None]:
    """The total, and the bind values of the page's statement (None past the end)."""
    per_day = sessions_per_utc_day(db, view, organisation_id, params)
    total = sum(n for _, n in per_day)
    start = locate_page(per_day, params.offset)
    if start is None:
        return total, None
    return total, {**bind_values(organisation_id, params), **page_values(start)}


@lru_cache(maxsize=64)
def _rows_query(view_name: str, shape: Shape) -> Select[Any]:
    page = page_of_ids(view_name, shape)
    columns = _USAGE_COLUMNS if view_name == USAGE.name else _SITE_HOST_COLUMNS
    query = page_with_details(VIEWS[view_name], page).add_columns(*_SESSION_COLUMNS, *columns)
    return query.order_by(page.c.stop_date_time, page.c.id)


def _rows(db: Session, view: SessionView, params: ListParams, values: dict[str, Any]) -> list[Any]:
    return list(db.execute(_rows_query(view.name, shape_of(params)), values))


def _rendered_page(
    db: Reader,
    view: SessionView,
    organisation_id: int,
    params: ListParams,
    extra_values: dict[str, Any],
) -> tuple[int, Items]:
    """The total and the page as PostgreSQL renders it, in one statement where it can."""
    shape = shape_of(params)
    if locates_in_database(shape):
        statement = pg_render.counted_page_json(view.name, shape)
        values = {**bind_values(organisation_id, params), "offset": params.offset}
        (row,) = fetch_all(db, statement, {**values, **extra_values})
        return row.total, orjson.Fragment(row.page)
    total, located = _locate(db, view, organisation_id, params)
    if located is None:
        return total, []
    (row,) = fetch_all(db, pg_render.page_json(view.name, shape), {**located, **extra_values})
    return total, orjson.Fragment(row[0])


def _periods_by_session(db: Session, rows: list[Any]) -> dict[int, list[dict[str, Any]]]:
    timezones = {row.id: row.timezone for row in rows}
    periods: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not rows:
        return periods
    query = (
        select(
            ChargingPeriod.session_id,
            ChargingPeriod.start_date_time,
            ChargingPeriod.duration_s,
            ChargingPeriod.consumption_kwh,
            ChargingPeriod.unit_price,
            ChargingPeriod.gst,
            ChargingPeriod.amount,
            ChargingPeriod.currency,
        )
        .where(ChargingPeriod.session_id.in_(list(timezones)))
        .order_by(ChargingPeriod.session_id, ChargingPeriod.seq)
    )
    for p in db.execute(query):
        periods[p.session_id].append(
            {
                "start_date_time": local_iso(p.start_date_time, timezones[p.session_id]),
                "duration": whole_minutes_in_seconds(p.duration_s),
                "consumption": number(p.consumption_kwh),
                "tariff": number(p.unit_price),
                "gst": number(p.gst),
                "amount": number(p.amount),
                "currency": p.currency,
            }
        )
    return periods


def _common(row: Any) -> dict[str, Any]:
    return {
        "uuid": str(row.uuid),
        "auth_id": row.auth_id,
        "start_date_time": local_iso(row.start_date_time, row.timezone),
        "stop_date_time": local_iso(row.stop_date_time, row.timezone),
        "total_time": whole_minutes_in_seconds(row.total_time_s),
        "consumption": number(row.consumption_kwh),
        "total_parking_time": whole_minutes_in_seconds(row.total_parking_time_s),
    }


def _evse(row: Any) -> dict[str, Any]:
    return {
        "evse_id": row.evse_id,
        "name": row.station_name,
        "connector": {"id": row.connector_id, "name": row.connector_name},
    }


def usage_page(db: Reader, organisation_id: int, params: ListParams) -> tuple[int, Items]:
    """Sessions paid by the organisation's fleets, anywhere on the network."""
    if on_postgresql(db):
        return _rendered_page(db, USAGE, organisation_id, params, {})
    assert isinstance(db, Session)  # only PostgreSQL is read on a bare driver connection
    total, values = _locate(db, USAGE, organisation_id, params)
    if values is None:
        return total, []
    rows = _rows(db, USAGE, params, values)
    periods = _periods_by_session(db, rows)
    items = []
    for row in rows:
        item = _common(row)
        item.update(
            vehicle={
                "contract_number": row.contract_number,
                "vin": row.vin,
                "registration_number": row.registration_number,
            },
            customer={"uuid": str(row.fleet_uuid), "name": row.fleet_name},
            location={
                "name": row.location_name,
                "timezone": row.timezone,
                "address": row.address,
                "evse": _evse(row),
            },
            cost_to_driver=number(row.cost_to_driver),
            invoice_number=None if row.invoice_number is None else str(row.invoice_number),
            charging_periods=periods[row.id],
        )
        items.append(item)
    return total, items


def site_host_page(
    db: Reader, organisation_id: int, params: ListParams, operator_name: str
) -> tuple[int, Items]:
    """Sessions at stations of locations the organisation hosts, whoever charged; other
    organisations' cards as pseudonyms (`charging.pseudonyms`)."""
    if on_postgresql(db):
        return _rendered_page(
            db, SITE_HOST, organisation_id, params, {"operator_name": operator_name}
        )
    assert isinstance(db, Session)
    total, values = _locate(db, SITE_HOST, organisation_id, params)
    if values is None:
        return total, []
    rows = _rows(db, SITE_HOST, params, values)
    periods = _periods_by_session(db, rows)
    card_ids = ShownCardIds(organisation_id, partial(card_pseudonym_key, db))
    items = []
    for row in rows:
        item = _common(row)
        host = {"name": row.host_name}
        item.update(
            auth_id=card_ids.auth_id(row.auth_id, row.payer_organisation_id),
            location={
                "name": row.location_name,
                "timezone": row.timezone,
                "address": row.address,
                "operator": {"name": operator_name},
                # The contract says sub_operator, the published examples suboperator.
                "sub_operator": host,
                "suboperator": host,
                "evse": _evse(row),
            },
            total_revenue=number(row.total_revenue),
            gst_on_total_revenue=number(row.gst_on_total_revenue),
            total_cost=number(row.total_cost),
            gst_on_total_cost=number(row.gst_on_total_cost),
            currency=row.currency,
            charging_periods=periods[row.id],
        )
        items.append(item)
    return total, items

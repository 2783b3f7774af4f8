"""PostgreSQL renders a page of /usage or /sessions as one JSON array.

One statement returns the finished array, so the API process does no per-row work and
a page costs about what the database costs. The output equals, key for key and number
for number, the Python projection in `charging.service` (used on SQLite); the API
tests run on both databases to keep the two equal.
"""

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    LargeBinary,
    Select,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from fleetcharge.charging import pseudonyms
from fleetcharge.charging.repository import (
    USAGE,
    VIEWS,
    Shape,
    locate_in_database,
    page_of_ids,
    page_with_details,
)
from fleetcharge.models import (
    ChargeSession,
    ChargingPeriod,
    Connector,
    Fleet,
    Invoice,
    Location,
    Organisation,
    ServerKey,
    Station,
    Vehicle,
)
from fleetcharge.models.server_key import CARD_PSEUDONYMS

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


def _usage_document() -> ColumnElement[Any]:
    return _object(
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


def _hmac_pad(pad_byte: int) -> ColumnElement[bytes]:
    """The card pseudonym key XOR ipad (0x36) or opad (0x5c), read once per statement;
    `fc_hmac_pad` comes from migration 0015."""
    key = select(func.fc_hmac_pad(ServerKey.key, pad_byte)).where(ServerKey.name == CARD_PSEUDONYMS)
    return key.scalar_subquery()


def _shown_auth_id() -> ColumnElement[str]:
    """`auth_id` as `pseudonyms.ShownCardIds` shows it to the host: HMAC-SHA256 with the
    built-in sha256(), no extension needed."""
    viewer = bindparam("organisation_id", type_=BigInteger())
    message = func.convert_to(cast(viewer, Text) + ":" + ChargeSession.auth_id, "UTF8")
    inner = func.sha256(_hmac_pad(0x36).op("||")(message), type_=LargeBinary())
    digest = func.sha256(_hmac_pad(0x5C).op("||")(inner), type_=LargeBinary())
    prefix = func.substring(digest, 1, pseudonyms.DIGEST_BYTES, type_=LargeBinary())
    pseudonym = literal(pseudonyms.PREFIX) + func.encode(prefix, "hex", type_=Text())
    return case(
        (ChargeSession.payer_organisation_id == viewer, ChargeSession.auth_id), else_=pseudonym
    )


def _site_host_document() -> ColumnElement[Any]:
    host = _object(name=Organisation.name)
    return _object(
        **{**_common(), "auth_id": _shown_auth_id()},
        location=_object(
            name=Location.name,
            timezone=Location.timezone,
            address=Location.address,
            operator=_object(name=bindparam("operator_name", type_=Text())),
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


def _documents(view_name: str, page: Any) -> Any:
    """One row per session of the page: its sort keys and its JSON document."""
    document = _usage_document() if view_name == USAGE.name else _site_host_document()
    return page_with_details(VIEWS[view_name], page).add_columns(document.label("doc")).subquery()


def _array(documents: Any) -> ColumnElement[bytes]:
    """The documents as one JSON array, in page order (`[]` for none); `fetch_all` hands
    it over as the bytes PostgreSQL sent."""
    rows = documents.c
    array = func.json_agg(aggregate_order_by(rows.doc, rows.stop_date_time, rows.id))
    return func.coalesce(array, EMPTY_ARRAY)


@lru_cache(maxsize=64)
def page_json(view_name: str, shape: Shape) -> Select[Any]:
    """The statement rendering one page located beforehand (`page_of_ids`).

    Bind `operator_name` too for the sessions view.
    """
    return select(_array(_documents(view_name, page_of_ids(view_name, shape))))


@lru_cache(maxsize=64)
def counted_page_json(view_name: str, shape: Shape) -> Select[int, bytes]:
    """One statement for `total` and the rendered `page`, located by the database itself
    (`locate_in_database`).

    Bind `operator_name` too for the sessions view.
    """
    located = locate_in_database(view_name, shape)
    documents = _documents(view_name, located.ids)
    return select(located.total.label("total"), _array(documents).label("page"))

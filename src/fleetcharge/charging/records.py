"""What /usage and /sessions show of a charge session, declared once: each field in wire
order, the columns it is made of and how it is written (`kit.formats`).

`charging.service` renders these records either in PostgreSQL or in Python; both
renderings derive from the declarations here (`kit.json_records`), so a field is added or
changed in this file alone (and in `charging.schemas`, which documents it).
"""

from typing import Any

from sqlalchemy import BigInteger, Text, bindparam

from fleetcharge.charging.pseudonyms import SHOWN_AUTH_ID
from fleetcharge.charging.repository import SITE_HOST, USAGE
from fleetcharge.kit.formats import LOCAL_ISO, NUMBER, TEXT, WHOLE_MINUTES_IN_SECONDS
from fleetcharge.kit.json_records import Array, Field, Param, Record
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

# The organisation reading the page: its id in SQL, its `ShownCardIds` in Python.
VIEWER = Param("viewer", bindparam("organisation_id", type_=BigInteger()))
OPERATOR_NAME = Param("operator_name", bindparam("operator_name", type_=Text()))


def _local(instant: Any) -> Field:
    """A timestamp in the location's time zone."""
    return Field(LOCAL_ISO, instant, Location.timezone)


def _minutes(seconds: Any) -> Field:
    return Field(WHOLE_MINUTES_IN_SECONDS, seconds)


def _number(value: Any) -> Field:
    return Field(NUMBER, value)


_CHARGING_PERIODS = Array(
    Record(
        start_date_time=_local(ChargingPeriod.start_date_time),
        duration=_minutes(ChargingPeriod.duration_s),
        consumption=_number(ChargingPeriod.consumption_kwh),
        tariff=_number(ChargingPeriod.unit_price),
        gst=_number(ChargingPeriod.gst),
        amount=_number(ChargingPeriod.amount),
        currency=ChargingPeriod.currency,
    ),
    table=ChargingPeriod,
    where=ChargingPeriod.session_id == ChargeSession.id,
    order_by=ChargingPeriod.seq,
)

_EVSE = Record(
    evse_id=Station.evse_id,
    name=Station.name,
    connector=Record(id=Connector.connector_id, name=Connector.name),
)


def _session(auth_id: Any, **more: Any) -> Record:
    """The fields both views open with, then `more`."""
    return Record(
        uuid=Field(TEXT, ChargeSession.uuid),
        auth_id=auth_id,
        start_date_time=_local(ChargeSession.start_date_time),
        stop_date_time=_local(ChargeSession.stop_date_time),
        total_time=_minutes(ChargeSession.total_time_s),
        consumption=_number(ChargeSession.consumption_kwh),
        total_parking_time=_minutes(ChargeSession.total_parking_time_s),
        charging_periods=_CHARGING_PERIODS,
        **more,
    )


USAGE_RECORD = _session(
    ChargeSession.auth_id,
    vehicle=Record(
        contract_number=Vehicle.contract_number,
        vin=Vehicle.vin,
        registration_number=Vehicle.registration_number,
    ),
    customer=Record(uuid=Field(TEXT, Fleet.uuid), name=Fleet.name),
    location=Record(
        name=Location.name, timezone=Location.timezone, address=Location.address, evse=_EVSE
    ),
    cost_to_driver=_number(ChargeSession.cost_to_driver),
    invoice_number=Field(TEXT, Invoice.invoice_number),
)

_HOST = Record(name=Organisation.name)

SITE_HOST_RECORD = _session(
    Field(SHOWN_AUTH_ID, ChargeSession.auth_id, ChargeSession.payer_organisation_id, VIEWER),
    location=Record(
        name=Location.name,
        timezone=Location.timezone,
        address=Location.address,
        operator=Record(name=OPERATOR_NAME),
        # The contract says sub_operator, the published examples suboperator.
        sub_operator=_HOST,
        suboperator=_HOST,
        evse=_EVSE,
    ),
    total_revenue=_number(ChargeSession.total_revenue),
    gst_on_total_revenue=_number(ChargeSession.gst_on_total_revenue),
    total_cost=_number(ChargeSession.total_cost),
    gst_on_total_cost=_number(ChargeSession.gst_on_total_cost),
    currency=ChargeSession.currency,
)

# By view name (`charging.repository.VIEWS`).
RECORDS = {USAGE.name: USAGE_RECORD, SITE_HOST.name: SITE_HOST_RECORD}

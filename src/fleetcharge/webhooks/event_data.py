"""The `data` of the card and station events (`webhook_events.schemas`); the events of
sessions, invoices and vehicles are built by their domains' `events.py`, from the Fleets
API's own projections."""

from datetime import datetime
from typing import Any

from fleetcharge.kit.formats import local_iso
from fleetcharge.models import (
    Card,
    Connector,
    ConnectorStatus,
    Station,
)
from fleetcharge.webhooks.payloads import timestamp


def card_blocked(card: Card, at: datetime) -> dict[str, Any]:
    on = card.vehicle
    return {
        "card": {
            "uuid": str(card.uuid),
            "id_tag": card.id_tag,
            "status": card.status,
            "vehicle": {"uuid": str(on.uuid), "vin": on.vin} if on is not None else None,
        },
        "blocked_at": timestamp(at),
    }


def station(row: Station) -> dict[str, Any]:
    location = row.location
    return {
        "uuid": str(row.uuid),
        "evse_id": row.evse_id,
        "name": row.name,
        "ocpp_identity": row.ocpp_identity,
        "location": {
            "uuid": str(location.uuid),
            "name": location.name,
            "timezone": location.timezone,
        },
    }


def station_status(
    row: Station, status: ConnectorStatus, connector: Connector | None
) -> dict[str, Any]:
    return {
        "station": station(row),
        "connector": (
            {"id": connector.connector_id, "name": connector.name}
            if connector is not None
            else None
        ),
        "status": status.status,
        "error_code": status.error_code,
        "info": status.info,
        "vendor_id": status.vendor_id,
        "vendor_error_code": status.vendor_error_code,
        "status_at": local_iso(status.status_at, row.location.timezone),
    }


def station_presence(row: Station, at: datetime) -> dict[str, Any]:
    return {"station": station(row), "at": local_iso(at, row.location.timezone)}

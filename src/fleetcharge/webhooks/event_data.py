"""The `data` of each event type (`webhooks.schemas`), built from the Fleets API's own
projections so an object reads in an event as the API shows it to the same organisation.

Each builder reads what it needs in the caller's transaction, so it sees the change the
event tells of before it is committed.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.billing.listing import invoice_documents
from fleetcharge.charging.repository import SITE_HOST, USAGE, SessionView
from fleetcharge.charging.service import session_document
from fleetcharge.fleets.service import VEHICLE_COLUMNS, vehicle_dicts
from fleetcharge.kit.formats import local_iso
from fleetcharge.models import (
    Card,
    ChargeSession,
    Connector,
    ConnectorStatus,
    Fleet,
    Invoice,
    InvoiceSession,
    Station,
    Vehicle,
)
from fleetcharge.webhooks.payloads import timestamp

# At most this many session uuids in one session.invoiced event; an invoice billing more
# is told in several (`part` of `parts`).
MAX_SESSIONS_PER_EVENT = 1000


def session_completed(
    db: Session, session: ChargeSession, view: SessionView, operator_name: str
) -> dict[str, Any]:
    """To the payer (`USAGE`) or the host (`SITE_HOST`), as that one's page shows it."""
    organisation_id = (
        session.payer_organisation_id if view is USAGE else session.host_organisation_id
    )
    assert organisation_id is not None, "a session without a payer has no usage view"
    document = session_document(db, view, organisation_id, session.id, operator_name)
    return {"view": view.name, "session": document}


def session_views(session: ChargeSession) -> list[tuple[int, SessionView]]:
    """Who is told of a session, each with its view: its payer (if any) and its host."""
    readers = [(session.host_organisation_id, SITE_HOST)]
    if session.payer_organisation_id is not None:
        readers.insert(0, (session.payer_organisation_id, USAGE))
    return readers


def invoice(db: Session, document: Invoice) -> dict[str, Any]:
    (shown,) = invoice_documents(db, document.organisation_id, [document])
    return {"invoice": shown}


def invoiced_sessions(db: Session, document: Invoice) -> list[dict[str, Any]]:
    """The sessions the document bills, MAX_SESSIONS_PER_EVENT a part (none: no part)."""
    links = document.links_invoice_id
    if links is None:
        return []
    uuids = [
        str(uuid)
        for uuid in db.scalars(
            select(ChargeSession.uuid)
            .join(InvoiceSession, InvoiceSession.session_id == ChargeSession.id)
            .where(InvoiceSession.invoice_id == links)
            .order_by(ChargeSession.stop_date_time, ChargeSession.id)
        )
    ]
    chunks = [
        uuids[start : start + MAX_SESSIONS_PER_EVENT]
        for start in range(0, len(uuids), MAX_SESSIONS_PER_EVENT)
    ]
    reference = {
        "uuid": str(document.uuid),
        "invoice_number": document.invoice_number,
        "kind": document.kind,
    }
    return [
        {"invoice": reference, "session_uuids": chunk, "part": part, "parts": len(chunks)}
        for part, chunk in enumerate(chunks, start=1)
    ]


def vehicle_documents(db: Session, vehicle_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The vehicles as /vehicles shows them, by id (a few queries per 1,000 vehicles)."""
    documents: dict[int, dict[str, Any]] = {}
    for start in range(0, len(vehicle_ids), 1000):
        chunk = vehicle_ids[start : start + 1000]
        rows = list(
            db.execute(
                select(*VEHICLE_COLUMNS)
                .join(Fleet, Fleet.id == Vehicle.fleet_id)
                .where(Vehicle.id.in_(chunk))
            )
        )
        documents.update(zip((row.id for row in rows), vehicle_dicts(db, rows), strict=True))
    return documents


def vehicle(db: Session, vehicle_id: int) -> dict[str, Any]:
    return {"vehicle": vehicle_documents(db, [vehicle_id])[vehicle_id]}


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

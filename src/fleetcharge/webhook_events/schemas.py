"""What each webhook event holds: the envelope every event has, and each type's `data`.

They document our OpenAPI documents' `webhooks` section and the tests validate every
payload against them; the payloads themselves are built as dicts (each domain's
`events.py`), reusing the Fleets API's own projections, so an object looks in an event
exactly as the Fleets API shows it to the same organisation.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, create_model

from fleetcharge.api.schemas import LOCAL_TIMESTAMP
from fleetcharge.billing.schemas import InvoiceOut
from fleetcharge.charging.schemas import SiteHostSession, UsageSession
from fleetcharge.fleets.schemas import VehicleOut
from fleetcharge.webhooks.event_types import (
    CARD_BLOCKED,
    INVOICE_APPROVED,
    INVOICE_PAID,
    INVOICE_VOIDED,
    MAX_SESSIONS_PER_EVENT,
    SESSION_COMPLETED,
    SESSION_INVOICED,
    STATION_OFFLINE,
    STATION_ONLINE,
    STATION_STATUS_CHANGED,
    SUBSCRIPTION_DISABLED,
    VEHICLE_CREATED,
    VEHICLE_RETIRED,
    VEHICLE_UPDATED,
)


class UsageSessionCompleted(BaseModel):
    """To the organisation whose fleet paid: the session as its /usage shows it."""

    view: Literal["usage"]
    session: UsageSession


class HostSessionCompleted(BaseModel):
    """To the site host of the station: the session as its /sessions shows it."""

    view: Literal["sessions"]
    session: SiteHostSession


SessionCompletedData = Annotated[
    UsageSessionCompleted | HostSessionCompleted, Field(discriminator="view")
]


class InvoiceRef(BaseModel):
    uuid: str
    invoice_number: int
    kind: str = Field(description="fleet, site_host or rcti.")


class SessionInvoicedData(BaseModel):
    invoice: InvoiceRef
    session_uuids: list[str] = Field(
        max_length=MAX_SESSIONS_PER_EVENT,
        description="Sessions the invoice bills, as /usage (fleet invoices) or /sessions "
        "(site-host invoices, RCTIs) name them, in completion order; at most 1,000.",
    )
    part: int = Field(ge=1, description="This event's place among the invoice's parts.")
    parts: int = Field(ge=1, description="How many session.invoiced events the invoice has.")


class InvoiceData(BaseModel):
    invoice: InvoiceOut = Field(description="The document as /invoices shows it.")


class VehicleData(BaseModel):
    vehicle: VehicleOut = Field(description="The vehicle as /vehicles shows it.")


class CardVehicle(BaseModel):
    uuid: str
    vin: str


class BlockedCard(BaseModel):
    uuid: str
    id_tag: str
    status: Literal["blocked"]
    vehicle: CardVehicle | None = Field(description="The vehicle it is on, if any.")


class CardBlockedData(BaseModel):
    card: BlockedCard
    blocked_at: str = Field(description="UTC, ISO 8601 with milliseconds.")


class EventLocation(BaseModel):
    uuid: str
    name: str
    timezone: str


class EventStation(BaseModel):
    uuid: str
    evse_id: str
    name: str
    ocpp_identity: str
    location: EventLocation


class EventConnector(BaseModel):
    id: int = Field(description="OCPP connector id at the station.")
    name: str


class StationStatusChangedData(BaseModel):
    """One StatusNotification of the station, as it reported it."""

    station: EventStation
    connector: EventConnector | None = Field(
        description="The connector; null when the status is the station's as a whole "
        "(OCPP connectorId 0)."
    )
    status: str = Field(description="OCPP ChargePointStatus, e.g. Available, Charging, Faulted.")
    error_code: str = Field(description="OCPP ChargePointErrorCode; NoError when none.")
    info: str | None
    vendor_id: str | None
    vendor_error_code: str | None
    status_at: str = Field(
        description="When the status began: the station's timestamp, or when we received it "
        "if it sent none. " + LOCAL_TIMESTAMP
    )


class StationPresenceData(BaseModel):
    station: EventStation
    at: str = Field(description="When its connection opened (online) or closed. " + LOCAL_TIMESTAMP)


class SubscriptionDisabledData(BaseModel):
    """Written by the dispatcher (`webhooks.service.disable_subscription`)."""

    id: str = Field(description="The uuid of the subscription disabled.")
    url: str
    disabled_at: str = Field(description="UTC, ISO 8601 with milliseconds.")
    reason: str | None


class Event(BaseModel):
    """What every event has; `type` and `data` vary (EVENT_MODELS)."""

    id: str = Field(description="The event's uuid: deliveries of one event share it (dedupe).")
    type: str
    created_at: str = Field(
        description="When the change happened: UTC, ISO 8601 with milliseconds, e.g. "
        "2026-12-04T03:10:00.123Z."
    )
    api_version: str = Field(description="The version of these payloads' shapes.")
    data: object


def _event(type_name: str, data: object, description: str) -> type[BaseModel]:
    """The model of one event type: the envelope with its `type` and `data`."""
    name = "".join(part.capitalize() for part in type_name.replace(".", "_").split("_"))
    return create_model(
        f"{name}Event",
        __base__=Event,
        __doc__=description,
        type=(Literal[type_name], ...),  # type: ignore[arg-type]
        data=(data, ...),  # type: ignore[arg-type]
    )


# type -> (data model, who receives it and when)
EVENT_DATA: dict[str, tuple[object, str]] = {
    SESSION_COMPLETED: (
        SessionCompletedData,
        "A charge session was recorded. Two events: one to the organisation whose fleet "
        "paid (`view` usage: the session as its /usage shows it), one to the site host of "
        "the station (`view` sessions: as its /sessions shows it); an organisation that is "
        "both gets both. Sent again (a new event, the same session uuid) if the session is "
        "re-priced because the car stayed plugged in after the stop, before it is invoiced.",
    ),
    SESSION_INVOICED: (
        SessionInvoicedData,
        "An invoice was approved: the sessions it bills, to the invoice's organisation, at "
        "most 1,000 per event (one event per 1,000 sessions).",
    ),
    INVOICE_APPROVED: (InvoiceData, "A document was approved (numbered), to its organisation."),
    INVOICE_PAID: (InvoiceData, "A document was settled in full, to its organisation."),
    INVOICE_VOIDED: (InvoiceData, "An approved document was voided, to its organisation."),
    VEHICLE_CREATED: (
        VehicleData,
        "A vehicle was created, or moved to another fleet (a new vehicle record), to its "
        "organisation.",
    ),
    VEHICLE_UPDATED: (
        VehicleData,
        "What /vehicles shows of a vehicle changed (registration, contract, retirement date "
        "changed or taken back, its active cards), to its organisation.",
    ),
    VEHICLE_RETIRED: (
        VehicleData,
        "A vehicle was given its last day (`effective_to`), also when it moves to another "
        "fleet, to its organisation.",
    ),
    CARD_BLOCKED: (CardBlockedData, "An RFID card was blocked, to the card's organisation."),
    STATION_STATUS_CHANGED: (
        StationStatusChangedData,
        "A station reported a connector's (or its own) status, to the station's site host.",
    ),
    STATION_OFFLINE: (
        StationPresenceData,
        "A station's connection to the central system closed, to its site host.",
    ),
    STATION_ONLINE: (
        StationPresenceData,
        "A station connected to the central system, to its site host.",
    ),
    SUBSCRIPTION_DISABLED: (
        SubscriptionDisabledData,
        "One of the organisation's subscriptions was disabled after failing for days: sent "
        "to its other enabled subscriptions, whatever event types they asked for.",
    ),
}

EVENT_MODELS: dict[str, type[BaseModel]] = {
    name: _event(name, data, description) for name, (data, description) in EVENT_DATA.items()
}

from pydantic import BaseModel, Field

from fleetcharge.api.schemas import CARD_PSEUDONYMS, Pagination
from fleetcharge.fleets.schemas import VehicleOut


class LineItem(BaseModel):
    description: str
    units: int
    unit_price_incl_tax: float
    amount_incl_tax: float


class InvoiceVehicle(VehicleOut):
    contract_number: str = Field(
        description="Contract number; an empty string when the vehicle has none."
    )


class InvoiceSession(BaseModel):
    uuid: str
    location: str
    charge_station: str
    connector: str
    start_time: str = Field(description="ISO 8601 with milliseconds and the location's offset.")
    stop_time: str
    auth_id: str = Field(
        description="The card that started the session. Fleet invoices bill the "
        "organisation's own cards; site-host documents and RCTIs show cards as /sessions "
        "does. " + CARD_PSEUDONYMS
    )
    total_time: int = Field(description="Whole minutes (truncated), as the published examples.")
    consumption: float = Field(description="kWh, 3 decimals.")
    total_cost_incl_tax: float = Field(
        description="What this document bills for the session: the driver's cost on fleet "
        "invoices, the network fee on site-host invoices, the revenue on RCTIs."
    )


class InvoiceOut(BaseModel):
    """A fleet invoice, site-host tax invoice, recipient-created tax invoice (RCTI) or an
    adjustment note. An adjustment note credits an earlier document: its totals and line
    amounts are negative, its `reference` is the number of the document it adjusts and
    its description says so; it lists no vehicles or sessions."""

    uuid: str
    invoice_number: int = Field(description="Gapless number assigned on approval.")
    invoice_date: str
    description: str | None
    status: str = Field(
        description="approved, paid (settled in full, by payments or an adjustment note's"
        " credit) or void; drafts are never listed."
    )
    currency: str
    total_tax: float
    total_amount_incl_tax: float
    total_paid_incl_tax: float
    total_due_incl_tax: float
    reference: str | None
    line_items: list[LineItem]
    vehicles: list[InvoiceVehicle]
    charge_sessions: list[InvoiceSession]


class InvoiceData(BaseModel):
    invoices: list[InvoiceOut]


class InvoicePage(BaseModel):
    data: InvoiceData
    pagination: Pagination

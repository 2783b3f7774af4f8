"""Records of the Fleets API v1, as any compatible server sends them.

Tolerant of the published contract's quirks:

- the site host is `sub_operator` in the contract and `suboperator` in its examples:
  either is accepted (`SiteHostLocation.sub_operator`);
- fields the contract marks nullable or does not require may be null or absent;
- durations on `/usage` and `/sessions` (`total_time`, `total_parking_time`,
  `charging_periods[].duration`) are documented as minutes but sent as **seconds**
  (truncated to whole minutes): they are kept in seconds, unconverted. Invoice
  `charge_sessions[].total_time` is sent in whole **minutes** and kept so;
- money and energy are `Decimal`, never binary floats;
- `invoice_number` is a string on usage sessions (an integer is accepted too) and an
  integer on invoices;
- unknown fields are kept (`model_extra`), so a newer server loses nothing.
"""

from datetime import date, datetime
from decimal import Decimal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator


class Record(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Customer(Record):
    """The fleet a vehicle belongs to."""

    uuid: str
    name: str


class Card(Record):
    id_tag: str


class Connector(Record):
    id: int
    name: str | None = None


class Evse(Record):
    evse_id: str
    name: str | None = None
    connector: Connector


class ChargingPeriod(Record):
    """A priced block of a session. `duration` is in seconds (see the module docstring)."""

    start_date_time: datetime
    duration: int = Field(description="Seconds, truncated to whole minutes.")
    consumption: Decimal = Decimal(0)
    tariff: Decimal = Decimal(0)
    gst: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    currency: str | None = None


class SessionTimes(Record):
    uuid: str
    auth_id: str
    start_date_time: datetime
    stop_date_time: datetime
    total_time: int = Field(description="Seconds, truncated to whole minutes.")
    total_parking_time: int = Field(0, description="Seconds, truncated to whole minutes.")
    consumption: Decimal | None = Field(None, description="kWh.")
    charging_periods: list[ChargingPeriod] = Field(default_factory=list)

    @property
    def charging_time(self) -> int:
        """Seconds the session was not parked (total minus parking)."""
        return max(self.total_time - self.total_parking_time, 0)

    @property
    def periods_amount(self) -> Decimal:
        return sum((period.amount for period in self.charging_periods), Decimal(0))


class UsageVehicle(Record):
    vin: str
    contract_number: str | None = None
    registration_number: str | None = None


class UsageLocation(Record):
    name: str | None = None
    timezone: str
    address: str | None = None
    evse: Evse


class UsageSession(SessionTimes):
    """A session paid by one of the caller's fleets (`/usage`)."""

    vehicle: UsageVehicle
    customer: Customer
    location: UsageLocation
    cost_to_driver: Decimal | None = None
    invoice_number: str | None = None
    # Beyond the published contract: filled by the console's CSV download, which reads the
    # database; a Fleets API sends none.
    tariff_name: str | None = None

    @field_validator("invoice_number", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class Named(Record):
    name: str | None = None


class SiteHostLocation(Record):
    name: str | None = None
    timezone: str
    address: str | None = None
    operator: Named | None = None
    sub_operator: Named | None = Field(
        None, validation_alias=AliasChoices("sub_operator", "suboperator")
    )
    evse: Evse


class SiteHostSession(SessionTimes):
    """A session at one of the caller's stations, whoever charged (`/sessions`)."""

    location: SiteHostLocation
    total_revenue: Decimal = Decimal(0)
    gst_on_total_revenue: Decimal = Decimal(0)
    total_cost: Decimal = Decimal(0)
    gst_on_total_cost: Decimal = Decimal(0)
    currency: str | None = None


class Vehicle(Record):
    uuid: str
    vin: str
    contract_number: str | None = None
    registration_number: str | None = None
    effective_from: date | None = None
    effective_to: date | None = Field(None, description="Retirement date; null while active.")
    customer: Customer | None = None
    cards: list[Card] = Field(default_factory=list)

    @property
    def id_tags(self) -> list[str]:
        return [card.id_tag for card in self.cards]


class LineItem(Record):
    description: str = ""
    units: int = 1
    unit_price_incl_tax: Decimal = Decimal(0)
    amount_incl_tax: Decimal = Decimal(0)


class InvoiceSession(Record):
    """A session billed on an invoice. `total_time` is in whole **minutes** here."""

    uuid: str
    location: str | None = None
    charge_station: str | None = None
    connector: str | None = None
    start_time: datetime | None = None
    stop_time: datetime | None = None
    auth_id: str | None = None
    total_time: int | None = Field(None, description="Whole minutes.")
    consumption: Decimal | None = None
    total_cost_incl_tax: Decimal = Decimal(0)


class Invoice(Record):
    uuid: str
    invoice_number: int
    invoice_date: date
    description: str | None = None
    status: str
    currency: str | None = None
    total_tax: Decimal = Decimal(0)
    total_amount_incl_tax: Decimal = Decimal(0)
    total_paid_incl_tax: Decimal = Decimal(0)
    total_due_incl_tax: Decimal = Decimal(0)
    reference: str | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    vehicles: list[Vehicle] = Field(default_factory=list)
    charge_sessions: list[InvoiceSession] = Field(default_factory=list)


class Pagination(Record):
    total_entries: int
    next: str | None = None


class ErrorDetail(BaseModel):
    """The body of every error status: `{"error": {"code", "message", "parameter"?}}`."""

    code: str = "unknown"
    message: str = ""
    parameter: str | None = None

"""What the admin API and the CLI send to change an organisation. Amounts are exact
decimals (JSON numbers or strings), GST-inclusive."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from fleetcharge.models.organisation import MAX_PAYMENT_TERMS_DAYS
from fleetcharge.models.token import ENDPOINT_SCOPES

MAX_BILLING_EMAILS = 10

RATE_LIMITS_DOC = (
    "Fleets API rate limits of its own, by endpoint ("
    + ", ".join(ENDPOINT_SCOPES)
    + "): windows such as `18/15minutes;50/hour`, or `off`; null drops the override."
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganisationFields(_Body):
    abn: str | None = Field(None, description="Australian Business Number (checked).")
    billing_timezone: str | None = Field(
        None, description="IANA time zone its billing months follow, e.g. Australia/Perth."
    )
    vehicle_fee: Decimal | None = Field(None, description="Monthly fee per active vehicle.")
    station_subscription_fee: Decimal | None = Field(
        None, description="Monthly fee per hosted station."
    )
    network_fee_per_kwh: Decimal | None = Field(
        None, description="Charged per kWh at the stations it hosts (applies to new sessions)."
    )
    address: str | None = Field(None, description="Postal address printed on its invoices.")
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    rate_limits: dict[str, str | None] | None = Field(None, description=RATE_LIMITS_DOC)
    legal_name: str | None = Field(
        None, description="Its legal name on invoices (default: name); empty clears it."
    )
    billing_emails: list[str] | None = Field(
        None,
        max_length=MAX_BILLING_EMAILS,
        description="Where its invoices are emailed (the whole list; [] for none).",
    )
    purchase_order: str | None = Field(
        None, description="Its purchase-order reference, printed on its invoices."
    )
    payment_terms_days: int | None = Field(
        None,
        ge=0,
        le=MAX_PAYMENT_TERMS_DAYS,
        description="Days from an invoice's issue (approval) to its due date; default 14.",
    )


class OrganisationCreate(OrganisationFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Cybertron Logistics",
                    "abn": "51 824 753 556",
                    "billing_timezone": "Australia/Perth",
                    "vehicle_fee": "5.50",
                    "network_fee_per_kwh": "0.20",
                    "contact_email": "accounts@cybertron.example",
                    "rate_limits": {"usage": "100/hour"},
                    "legal_name": "Cybertron Logistics Pty Ltd",
                    "billing_emails": ["accounts@cybertron.example"],
                    "purchase_order": "PO-4471",
                    "payment_terms_days": 30,
                }
            ]
        }
    )

    name: str = Field(description="Unique name, as fleets and invoices show it.")


class OrganisationUpdate(OrganisationFields):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"contact_name": "Accounts", "vehicle_fee": 6}]}
    )

    name: str | None = None


class OrganisationView(BaseModel):
    """What the admin API answers for an organisation (documents the response)."""

    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str
    abn: str | None = Field(description="11 digits, as stored.")
    abn_display: str | None = Field(description="Grouped for people: 51 824 753 556.")
    billing_timezone: str
    vehicle_fee: str = Field(description="Exact decimal, GST-inclusive.")
    station_subscription_fee: str = Field(description="Exact decimal, GST-inclusive.")
    network_fee_per_kwh: str = Field(description="Exact decimal, GST-inclusive.")
    address: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    rate_limits: dict[str, str] = Field(description="Its own Fleets API limits, by endpoint.")
    legal_name: str | None
    billing_emails: list[str]
    purchase_order: str | None
    payment_terms_days: int
    created_at: str
    version: int = Field(description="Bumped by every change; sent as the ETag.")

"""Response models shared by several endpoints; they document our OpenAPI only.

Handlers build plain dicts (cheaper at 100 rows a page); tests validate those against
both these models' schema and the reference contract.
"""

from pydantic import BaseModel, Field

SECONDS_TRUNCATED = (
    "Seconds, truncated to whole minutes (always a multiple of 60), as the published API "
    "sends it although its prose says minutes."
)
LOCAL_TIMESTAMP = "ISO 8601 with the location's UTC offset, e.g. 2024-02-10T05:21:36+10:00."
GST_INCLUSIVE = "GST-inclusive amount in `currency`, 2 decimals."
CARD_PSEUDONYMS = (
    "The real id tag only of cards the organisation's own fleets paid with (as its /usage "
    "shows them). Any other card, another organisation's or a public driver's, appears as a "
    "pseudonym: `anon-` and 20 hex digits, e.g. `anon-3f9a0c21b4e8d7a61c05`. A card has one "
    "pseudonym on every page and document of the organisation, another for every other "
    "organisation, and it cannot be turned back into the id tag (HMAC-SHA256 under a secret "
    "of the server)."
)


class Pagination(BaseModel):
    total_entries: int = Field(description="Exact number of records matching the filters.")
    next: str | None = Field(
        None,
        description="Absolute URL of the next page, keeping the filters; omitted on the last page.",
    )


class Customer(BaseModel):
    uuid: str = Field(description="UUID of the fleet managing the vehicle.")
    name: str = Field(description="Name of the fleet.")


class Card(BaseModel):
    id_tag: str


class Connector(BaseModel):
    id: int = Field(description="OCPP connector id at the station.")
    name: str = Field(description="Display name, e.g. 'Port A'.")


class Evse(BaseModel):
    evse_id: str
    name: str = Field(description="Display name of the charge station.")
    connector: Connector


class ChargingPeriod(BaseModel):
    start_date_time: str = Field(description=LOCAL_TIMESTAMP)
    duration: int = Field(description=SECONDS_TRUNCATED)
    consumption: float = Field(description="Energy delivered in the block, kWh, 3 decimals.")
    tariff: float = Field(
        description="Unit price of the block, GST-inclusive. Per kWh for an energy block "
        "(amount = tariff x consumption); per hour for a charging-time or parking block "
        "(amount = tariff x billed hours; parking is billed only after the tariff's grace "
        "period, and step_size may round the last block up); per session for a flat fee "
        "(duration 0). A min_price / max_price adjustment is a duration-0 block whose tariff "
        "equals its amount (negative when the price was capped)."
    )
    gst: float = Field(description="GST included in `amount`: amount x rate / (1 + rate).")
    amount: float = Field(description=GST_INCLUSIVE)
    currency: str


class ErrorDetail(BaseModel):
    code: str = Field(
        description="Machine-readable: invalid_parameter, unauthorized, forbidden, not_found, "
        "rate_limited, internal_error, ..."
    )
    message: str = Field(description="Human-readable explanation.")
    parameter: str | None = Field(
        None, description="The query parameter at fault (400 only), e.g. date_from."
    )


class ErrorBody(BaseModel):
    """The one body of every error status."""

    error: ErrorDetail

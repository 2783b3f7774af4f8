from pydantic import BaseModel, Field

from fleetcharge.api.schemas import (
    CARD_PSEUDONYMS,
    GST_INCLUSIVE,
    LOCAL_TIMESTAMP,
    SECONDS_TRUNCATED,
    ChargingPeriod,
    Customer,
    Evse,
    Pagination,
)


class UsageVehicle(BaseModel):
    contract_number: str | None
    vin: str
    registration_number: str | None


class UsageLocation(BaseModel):
    name: str
    timezone: str = Field(description="IANA time zone of the station.")
    address: str
    evse: Evse


class UsageSession(BaseModel):
    uuid: str
    auth_id: str = Field(description="RFID id tag that started the session (a card of yours).")
    vehicle: UsageVehicle
    customer: Customer
    location: UsageLocation
    start_date_time: str = Field(description=LOCAL_TIMESTAMP)
    stop_date_time: str = Field(description=LOCAL_TIMESTAMP)
    total_time: int = Field(description=SECONDS_TRUNCATED)
    cost_to_driver: float = Field(description=GST_INCLUSIVE)
    consumption: float = Field(description="kWh, 3 decimals.")
    total_parking_time: int = Field(description=SECONDS_TRUNCATED)
    invoice_number: str | None = Field(
        description="Number of the fleet invoice that billed this session; null until invoiced."
    )
    charging_periods: list[ChargingPeriod]


class UsageData(BaseModel):
    sessions: list[UsageSession]


class UsagePage(BaseModel):
    data: UsageData
    pagination: Pagination


class Named(BaseModel):
    name: str


class SiteHostLocation(BaseModel):
    name: str
    timezone: str
    address: str
    operator: Named = Field(description="The charging network operating the station.")
    sub_operator: Named = Field(description="The organisation hosting the station.")
    suboperator: Named = Field(
        description="Same as sub_operator, as the published examples spell it."
    )
    evse: Evse


class SiteHostSession(BaseModel):
    uuid: str
    auth_id: str = Field(description="The card that started the session. " + CARD_PSEUDONYMS)
    location: SiteHostLocation
    start_date_time: str = Field(description=LOCAL_TIMESTAMP)
    stop_date_time: str = Field(description=LOCAL_TIMESTAMP)
    total_time: int = Field(description=SECONDS_TRUNCATED)
    consumption: float = Field(description="kWh, 3 decimals.")
    total_parking_time: int = Field(description=SECONDS_TRUNCATED)
    total_revenue: float = Field(
        description="What drivers outside the host organisation paid (its own fleets' charging "
        "is not revenue). " + GST_INCLUSIVE
    )
    gst_on_total_revenue: float
    total_cost: float = Field(description="Network fee charged to the host. " + GST_INCLUSIVE)
    gst_on_total_cost: float
    currency: str
    charging_periods: list[ChargingPeriod]


class SiteHostSessionData(BaseModel):
    sessions: list[SiteHostSession]


class SiteHostSessionPage(BaseModel):
    data: SiteHostSessionData
    pagination: Pagination

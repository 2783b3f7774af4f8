"""The admin API's bodies and views of reservations."""

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MAX_INT32 = 2**31 - 1
IdToken = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[\x21-\x7e]+$")]


class ReserveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connector_id: int = Field(
        alias="connectorId",
        strict=True,
        ge=0,
        le=MAX_INT32,
        description="The connector to reserve; 0: any (if ReserveConnectorZeroSupported).",
    )
    id_tag: IdToken = Field(alias="idTag", description="The card it is for: a valid one.")
    expiry_date: AwareDatetime = Field(alias="expiryDate", description="Until when (with offset).")
    parent_id_tag: IdToken | None = Field(default=None, alias="parentIdTag")


class ReservationPrice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: str = Field(description="GST-inclusive, e.g. 2.00.")
    gst: str
    currency: str


class ReservationView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reservation_id: int = Field(description="The reservationId the station knows it by.")
    uuid: str
    connector_id: int
    id_tag: str
    parent_id_tag: str | None
    status: str = Field(description="requested, reserved, used, cancelled, expired or refused.")
    station_answer: str | None = Field(description="Its answer to ReserveNow, or why none.")
    cancel_answer: str | None
    created_at: str | None
    expires_at: str | None
    ended_at: str | None = Field(description="When it was used, cancelled or expired.")
    transaction_id: int | None = Field(description="The transaction that used it.")
    price: ReservationPrice | None = Field(
        description="What it costs once ended (used, cancelled or expired), by the reservation "
        "elements of the tariff that applies to its card at the station; null before."
    )


class ReservationCommandView(BaseModel):
    """A command's answer (as for every station command) with the reservation recorded."""

    model_config = ConfigDict(extra="forbid")

    station: str
    action: str
    status: str | None
    node: str
    answer: dict[str, Any]
    reservation: ReservationView

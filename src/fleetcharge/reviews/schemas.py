"""What the admin API and the CLI send to review a held session, and the view they answer
(the view documents the responses; strict)."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ReviewState = Literal["held", "accepted", "corrected", "rejected"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewAccept(_Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "Station log checked"}]})

    note: str | None = Field(None, description="Why it is accepted as reported.")


class ReviewCorrection(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "energy_kwh": "31.250",
                    "stop_date_time": "2026-11-02T18:40:00+11:00",
                    "note": "Meter read on site",
                }
            ]
        }
    )

    energy_kwh: Decimal | None = Field(
        None,
        description="The energy delivered, kWh with up to 3 decimals: replaces the station's "
        "readings.",
    )
    stop_date_time: datetime | None = Field(
        None, description="When it really stopped (with a UTC offset), after its start."
    )
    note: str = Field(description="What the correction is based on.")


class ReviewRejection(_Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": "Forged: the station was offline"}]}
    )

    note: str = Field(description="Why it is never to be billed.")


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        description="energy_above_station_power, energy_above_vehicle_power, "
        "energy_without_duration, duration_too_long, clock_adjusted, stop_before_start or "
        "settled_without_stop."
    )
    detail: str = Field(description="The numbers behind it.")


class ReviewStation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    identity: str
    evse_id: str
    current_type: str
    max_power_kw: str = Field(description="Its rated power now, exact decimal kW.")


class ReviewCorrectionView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    energy_kwh: str | None
    stop_date_time: str | None


class SessionReviewView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    state: ReviewState = Field(
        description="held (billed nowhere), accepted or corrected (its session recorded and "
        "billed), or rejected (never billed)."
    )
    reasons: list[Reason]
    transaction_id: int = Field(description="The OCPP transactionId.")
    station: ReviewStation
    connector_id: int
    id_tag: str
    flags: list[str] = Field(description="What was odd about the transaction.")
    payer_organisation_uuid: str | None = Field(description="Whose card it was (null: nobody).")
    vehicle: dict[str, str] | None = Field(description="uuid and vin of the card's vehicle.")
    start_date_time: str = Field(description="As reported (bounded by our clock), UTC.")
    stop_date_time: str
    energy_kwh: str = Field(description="As reported, exact decimal.")
    deliverable_kwh: str = Field(
        description="The most the station's (and vehicle's) rated power delivers in that time."
    )
    cost_to_driver: str = Field(description="What it would cost as reported, GST-inclusive.")
    currency: str
    session_uuid: str | None = Field(
        description="The recorded session, once accepted or corrected."
    )
    reviewed_at: str | None
    reviewed_by: str | None
    note: str | None
    correction: ReviewCorrectionView | None
    created_at: str = Field(description="When it was held.")
    version: int = Field(description="Bumped by every change; sent as the ETag.")

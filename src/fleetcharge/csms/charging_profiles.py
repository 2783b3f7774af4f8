"""An OCPP 1.6 ChargingProfile (section 7.8) as the admin API accepts one, checked in full
before it goes to a station: what the JSON schema says, and the rules the specification
states in words (periods ascending from 0, one decimal in limits, a recurrence only for
Recurring profiles, ...). Errors name the field by its path (camelCase, as sent)."""

from datetime import datetime
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

MAX_INT32 = 2**31 - 1
Int32 = Annotated[int, Field(strict=True, ge=-(2**31), le=MAX_INT32)]
NonNegative = Annotated[int, Field(strict=True, ge=0, le=MAX_INT32)]
Positive = Annotated[int, Field(strict=True, ge=1, le=MAX_INT32)]
# Limits and rates: at most one decimal (e.g. 8.1), as the specification's decimal type says.
Rate = Annotated[float, Field(strict=True, allow_inf_nan=False, le=1_000_000)]


def _one_decimal(value: float) -> float:
    if abs(value * 10 - round(value * 10)) > 1e-6:
        raise ValueError("at most one decimal, e.g. 16.5")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", loc_by_alias=True)


class ChargingSchedulePeriod(_Strict):
    start_period: NonNegative = Field(
        alias="startPeriod", description="Seconds from the schedule's start."
    )
    # 0 pauses charging (what a smart-charging allocator sends a paused session).
    limit: Rate = Field(ge=0, description="Amperes or watts (the schedule's unit), >= 0.")
    number_phases: int | None = Field(default=None, alias="numberPhases", strict=True, ge=1, le=3)

    _limit = field_validator("limit")(_one_decimal)


class ChargingSchedule(_Strict):
    duration: Positive | None = Field(default=None, description="Seconds; omitted: unbounded.")
    start_schedule: AwareDatetime | None = Field(default=None, alias="startSchedule")
    charging_rate_unit: Literal["A", "W"] = Field(alias="chargingRateUnit")
    charging_schedule_period: list[ChargingSchedulePeriod] = Field(
        alias="chargingSchedulePeriod", min_length=1, max_length=1000
    )
    min_charging_rate: Rate | None = Field(default=None, alias="minChargingRate", ge=0)

    _rate = field_validator("min_charging_rate")(
        lambda value: None if value is None else _one_decimal(value)
    )

    @field_validator("charging_schedule_period")
    @classmethod
    def _ascending_from_zero(cls, periods: list[ChargingSchedulePeriod]) -> Any:
        if periods[0].start_period != 0:
            raise ValueError("the first period must start at 0")
        for before, after in pairwise(periods):
            if after.start_period <= before.start_period:
                raise ValueError("periods must start in ascending order, each after the last")
        return periods

    @model_validator(mode="after")
    def _periods_within_duration(self) -> "ChargingSchedule":
        last = self.charging_schedule_period[-1].start_period
        if self.duration is not None and last >= self.duration:
            raise ValueError("every period must start before the schedule's duration ends")
        return self


class ChargingProfile(_Strict):
    charging_profile_id: Int32 = Field(alias="chargingProfileId")
    transaction_id: Int32 | None = Field(default=None, alias="transactionId")
    stack_level: NonNegative = Field(alias="stackLevel")
    charging_profile_purpose: Literal["ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"] = (
        Field(alias="chargingProfilePurpose")
    )
    charging_profile_kind: Literal["Absolute", "Recurring", "Relative"] = Field(
        alias="chargingProfileKind"
    )
    recurrency_kind: Literal["Daily", "Weekly"] | None = Field(default=None, alias="recurrencyKind")
    valid_from: AwareDatetime | None = Field(default=None, alias="validFrom")
    valid_to: AwareDatetime | None = Field(default=None, alias="validTo")
    charging_schedule: ChargingSchedule = Field(alias="chargingSchedule")

    # Each rule between fields is checked on the later one, so the error names it.

    @model_validator(mode="before")
    @classmethod
    def _recurrence_present(cls, data: Any) -> Any:
        """A missing recurrencyKind is checked as given (null), so its error names it."""
        if isinstance(data, dict) and data.get("chargingProfileKind") == "Recurring":
            return {"recurrencyKind": None, **data}
        return data

    @field_validator("recurrency_kind")
    @classmethod
    def _recurrence(cls, value: str | None, info: ValidationInfo) -> str | None:
        recurring = info.data.get("charging_profile_kind") == "Recurring"
        if recurring and value is None:
            raise ValueError("a Recurring profile needs Daily or Weekly")
        if not recurring and value is not None:
            raise ValueError("only a Recurring profile has one")
        return value

    @field_validator("valid_to")
    @classmethod
    def _after_valid_from(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        valid_from = info.data.get("valid_from")
        if value is not None and valid_from is not None and value <= valid_from:
            raise ValueError("must be after validFrom")
        return value

    @field_validator("charging_schedule")
    @classmethod
    def _start_for_kind(cls, value: ChargingSchedule, info: ValidationInfo) -> ChargingSchedule:
        kind = info.data.get("charging_profile_kind")
        if kind == "Relative" and value.start_schedule is not None:
            raise ValueError("a Relative profile's schedule has no startSchedule")
        if kind in ("Absolute", "Recurring") and value.start_schedule is None:
            raise ValueError(f"a {kind} profile's schedule needs a startSchedule")
        return value

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return payload


class RemoteStartProfile(ChargingProfile):
    """RemoteStartTransaction's profile: a TxProfile for the transaction it starts, which
    has no id yet (section 5.11)."""

    @field_validator("transaction_id")
    @classmethod
    def _no_transaction_yet(cls, value: int | None) -> int | None:
        if value is not None:
            raise ValueError("RemoteStartTransaction starts the transaction: it has no id yet")
        return value

    @field_validator("charging_profile_purpose")
    @classmethod
    def _tx_profile(cls, value: str) -> str:
        if value != "TxProfile":
            raise ValueError("RemoteStartTransaction takes a TxProfile")
        return value

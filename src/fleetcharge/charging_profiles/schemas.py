"""The admin API's bodies and views of charging profiles. The profile itself is the
csms validator's (`fleetcharge.csms.charging_profiles`), checked in full."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fleetcharge.csms.charging_profiles import ChargingProfile

MAX_INT32 = 2**31 - 1
MAX_DURATION_S = 7 * 24 * 3600
ConnectorOrStation = Annotated[int, Field(strict=True, ge=0, le=MAX_INT32)]
Purpose = Literal["ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"]


class SetProfileBody(BaseModel):
    """SetChargingProfile.req (section 6.43)."""

    model_config = ConfigDict(extra="forbid")

    connector_id: ConnectorOrStation = Field(
        alias="connectorId", description="0: the station (ChargePointMaxProfile, defaults)."
    )
    charging_profile: ChargingProfile = Field(
        alias="csChargingProfiles", description="An OCPP 1.6 ChargingProfile."
    )


class ClearProfileBody(BaseModel):
    """ClearChargingProfile.req (section 6.7): the profile with `id`, else every profile
    matching all the criteria given (none: every profile)."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = Field(default=None, strict=True, ge=-(2**31), le=MAX_INT32)
    connector_id: ConnectorOrStation | None = Field(default=None, alias="connectorId")
    charging_profile_purpose: Purpose | None = Field(default=None, alias="chargingProfilePurpose")
    stack_level: int | None = Field(
        default=None, alias="stackLevel", strict=True, ge=0, le=MAX_INT32
    )


class ChargingProfileView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    connector_id: int
    charging_profile_id: int
    purpose: str
    stack_level: int
    transaction_id: int | None
    unit: str = Field(description="A or W.")
    source: str = Field(description="operator or allocator.")
    status: str | None = Field(
        description="Accepted, Rejected, NotSupported, Offline, Timeout; null: not answered yet."
    )
    sent_at: str | None
    cleared_at: str | None = Field(description="When it was cleared or replaced.")
    profile: dict[str, Any] = Field(description="csChargingProfiles as sent.")


class ProfileCommandView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    station: str
    status: str
    answer: dict[str, Any] | None
    charging_profile: ChargingProfileView | None = None
    cleared: list[ChargingProfileView] | None = None

"""What the admin API and the CLI send to set up locations and stations, and what they
answer (the views document the responses)."""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

CurrentType = Literal["AC", "DC"]
ConnectorNumber = Annotated[int, Field(strict=True, ge=1, le=99)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationCreate(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Iacon depot",
                    "address": "1 Iacon Way, Perth WA 6000",
                    "timezone": "Australia/Perth",
                    "host_organisation_uuid": "5f0c6c1e-0000-4000-8000-000000000001",
                }
            ]
        }
    )

    name: str = Field(description="How people refer to the site.")
    address: str
    timezone: str = Field(description="IANA time zone of the site, e.g. Australia/Perth.")
    host_organisation_uuid: str = Field(description="The organisation hosting the site.")


class LocationUpdate(_Body):
    name: str | None = None
    address: str | None = None
    timezone: str | None = Field(None, description="Applies to sessions recorded from now on.")
    host_organisation_uuid: str | None = None


class LocationView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str
    address: str
    timezone: str
    host_organisation_uuid: str
    created_at: str
    version: int = Field(description="Bumped by every change; sent as the ETag.")


class ConnectorBody(_Body):
    connector_id: ConnectorNumber = Field(description="The OCPP connectorId, from 1.")
    name: str = Field(description="As drivers see it, e.g. `Port A` or `CCS2`.")


class StationFields(_Body):
    name: str | None = None
    current_type: CurrentType | None = None
    max_power_kw: Decimal | None = Field(None, description="Rated power, 1 to 3999.9 kW.")
    location_uuid: str | None = None
    tariff_uuid: str | None = Field(
        None,
        description="Its default tariff; prices sessions that start after the change. "
        "An empty string leaves the station unpriced.",
    )
    connectors: list[ConnectorBody] | None = Field(
        None, description="Its connectors, by OCPP connectorId."
    )
    phases: Literal[1, 3] | None = Field(
        None, description="Supply phases it draws on, 1 or 3 (default 3; DC: 3)."
    )
    circuit: str | None = Field(
        None,
        description="The site circuit it hangs from, by UUID or name (smart charging); "
        "an empty string: straight from the site's connection.",
    )


class StationCreate(StationFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "identity": "IACON-01",
                    "evse_id": "AU*FCN*E0001",
                    "name": "Iacon bay 1",
                    "current_type": "DC",
                    "max_power_kw": "50",
                    "location_uuid": "5f0c6c1e-0000-4000-8000-000000000002",
                    "connectors": [{"connector_id": 1, "name": "CCS2"}],
                }
            ]
        }
    )

    identity: str = Field(description="Its OCPP identity, the last segment of its URL.")
    evse_id: str = Field(description="Unique EVSE id, e.g. AU*FCN*E0001.")
    name: str
    location_uuid: str


class StationUpdate(StationFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{"max_power_kw": 75}]})


class PasswordBody(_Body):
    password: str | None = Field(
        None, description="The password to set (8 to 40 characters); omitted: one is generated."
    )


class ConnectorView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connector_id: int
    name: str


class StationView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    identity: str
    evse_id: str
    name: str
    current_type: str
    max_power_kw: str = Field(description="Exact decimal, kW.")
    location_uuid: str
    host_organisation_uuid: str
    tariff_uuid: str | None
    connectors: list[ConnectorView]
    status: Literal["active", "pending", "decommissioned"] = Field(
        description="pending: auto-registered, its sessions held until an operator approves it."
    )
    decommissioned_at: str | None
    has_password: bool = Field(description="Whether it must send a password to connect.")
    phases: int = Field(description="Supply phases it draws on (1 or 3).")
    circuit_uuid: str | None = Field(description="The site circuit it hangs from, if any.")
    created_at: str
    version: int = Field(description="Bumped by every change; sent as the ETag.")


class ApprovalView(StationView):
    sessions_recorded: int = Field(
        description="Sessions held while the station was pending, recorded by this approval."
    )


class PasswordView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    station_uuid: str
    identity: str
    password: str | None = Field(
        description="The generated password, shown this once (null when you gave it)."
    )
    version: int = Field(description="The station's version after the change.")

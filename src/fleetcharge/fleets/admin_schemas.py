"""What the admin API and the CLI send to set up fleets, vehicles and cards, and the views
they answer (the views document the responses; strict)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FleetCreate(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"organisation_uuid": "5d3c0f4e-8f0a-4c1e-9d62-0c1a3b5e7f90", "name": "Vans"}
            ]
        }
    )

    organisation_uuid: UUID = Field(description="The organisation the fleet belongs to.")
    name: str = Field(description="Unique within the organisation.")


class FleetRename(_Body):
    name: str | None = Field(None, description="The new name, unique within the organisation.")
    priority: int | None = Field(
        None,
        ge=-1000,
        le=1000,
        description="Smart charging: added to its vehicles' own priority (higher first).",
    )


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str


class FleetView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str
    organisation: Reference
    priority: int = Field(description="Smart charging priority, -1000 to 1000 (default 0).")
    created_at: str
    version: int = Field(description="Bumped by every change; sent as the ETag.")


_AC_POWER = (
    "The most it draws from an AC station (its on-board charger), kW, 1 to 3999.9: a session "
    "above it is held for review."
)
_DC_POWER = "The most it draws from a DC station, kW, 1 to 3999.9: a session above it is held."


class VehicleCreate(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "fleet_uuid": "0b6f5c1e-2d4a-4f7b-8e19-6a2c3d4e5f60",
                    "vin": "1HGBH41JXMN109186",
                    "registration_number": "1ABC234",
                    "contract_number": "C-1042",
                }
            ]
        }
    )

    fleet_uuid: UUID
    vin: str = Field(description="17 letters and digits without I, O or Q.")
    registration_number: str
    contract_number: str | None = None
    effective_from: date | None = Field(None, description="First day it is billed; today.")
    max_ac_power_kw: Decimal | None = Field(None, description=_AC_POWER)
    max_dc_power_kw: Decimal | None = Field(None, description=_DC_POWER)


class VehicleUpdate(_Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"registration_number": "1XYZ987"}]})

    registration_number: str | None = None
    contract_number: str | None = Field(None, description='"" clears it.')
    effective_to: date | None = Field(
        None, description="Retire it: the last day it is active (billed and charging)."
    )
    max_ac_power_kw: Decimal | None = Field(None, description=f"{_AC_POWER} null clears it.")
    max_dc_power_kw: Decimal | None = Field(None, description=f"{_DC_POWER} null clears it.")
    max_charge_power_kw: Decimal | None = Field(
        None, description="Smart charging: the most a depot gives it, kW; null clears it."
    )
    priority: int | None = Field(
        None, ge=-1000, le=1000, description="Smart charging priority, added to its fleet's."
    )
    departure_times: dict[str, str] | None = Field(
        None,
        description='Usual departures, local time at the site: {"mon": "05:30", ...}; '
        "{} clears them.",
    )
    target_energy_kwh: Decimal | None = Field(
        None, description="Energy a session should deliver by departure, kWh; null clears it."
    )


class VehicleMove(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"fleet_uuid": "0b6f5c1e-2d4a-4f7b-8e19-6a2c3d4e5f60", "from": "2027-01-01"}
            ]
        }
    )

    fleet_uuid: UUID = Field(description="Another fleet of the same organisation.")
    from_: date | None = Field(
        None,
        alias="from",
        description="First day in the new fleet (default today), after its effective_from.",
    )


class VehicleView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    vin: str
    registration_number: str
    contract_number: str | None
    fleet: Reference
    organisation: Reference
    effective_from: str
    effective_to: str | None
    max_ac_power_kw: str | None = Field(description="Exact decimal kW (null: not recorded).")
    max_dc_power_kw: str | None = Field(description="Exact decimal kW (null: not recorded).")
    max_charge_power_kw: str | None = Field(description="Smart charging maximum, kW.")
    priority: int = Field(description="Smart charging priority (default 0).")
    departure_times: dict[str, str] = Field(description="Usual departures by weekday.")
    target_energy_kwh: str | None = Field(description="Energy wanted by departure, kWh.")
    status: str = Field(description="active, or retired once its effective_to has passed.")
    id_tags: list[str] = Field(description="Its cards' id tags, blocked ones too.")
    created_at: str
    version: int


class CardCreate(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id_tag": "04A2B3C4D5E6F7",
                    "vehicle_uuid": "7e2d1c0b-3a4f-4b5e-8c6d-9f0a1b2c3d4e",
                    "expires_at": "2028-06-30T23:59:59+08:00",
                }
            ]
        }
    )

    id_tag: str = Field(description="The RFID card's OCPP idTag, unique on the network.")
    vehicle_uuid: UUID | None = Field(None, description="The vehicle it charges for.")
    organisation_uuid: UUID | None = Field(
        None,
        description="Whose card it is while on no vehicle (a fleet manager's own by default).",
    )
    expires_at: datetime | None = Field(None, description="Refused as Expired from then on.")


class CardUpdate(_Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"expires_at": None}]})

    expires_at: datetime | None = Field(None, description="null: never expires.")


class CardAssign(_Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"vehicle_uuid": "7e2d1c0b-3a4f-4b5e-8c6d-9f0a1b2c3d4e"}]}
    )

    vehicle_uuid: UUID
    from_: datetime | None = Field(
        None,
        alias="from",
        description="Sessions starting from then are the vehicle's (default now).",
    )


class CardUnassign(_Body):
    from_: datetime | None = Field(
        None, alias="from", description="Sessions starting from then are no vehicle's."
    )


class CardView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    id_tag: str
    status: str = Field(description="active or blocked.")
    expired: bool = Field(description="Whether expires_at has passed.")
    expires_at: str | None
    vehicle: dict[str, str] | None = Field(description="uuid and vin of its vehicle.")
    organisation: Reference | None
    created_at: str
    version: int

"""What the admin API takes and answers for a site's power settings, circuits and a
session's charging need (the views document the responses)."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StrategyName = Literal["equal_share", "priority", "deadline"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WindowBody(_Body):
    days: str = Field(description="Weekdays: `mon-fri`, `sat,sun`, `mon,wed-fri` or `daily`.")
    start: str = Field(description="Local time at the site, HH:MM (24 h).")
    end: str = Field(description="Local time; at or before `start`: the next day.")
    limit_kw: Decimal = Field(description="The site's limit in the window, kW (one decimal).")


class PowerBody(_Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "limit_kw": "200",
                    "strategy": "deadline",
                    "schedule": [
                        {"days": "daily", "start": "16:00", "end": "21:00", "limit_kw": "120"}
                    ],
                }
            ]
        },
    )

    limit_kw: Decimal | None = Field(
        description="The site's connection limit, kW; null: not smart charged."
    )
    strategy: StrategyName | None = Field(
        None, description="Omitted: unchanged (default deadline)."
    )
    schedule: list[WindowBody] | None = Field(
        None, description="Weekly limit windows (at most 100); omitted: unchanged, []: none."
    )


class WindowView(BaseModel):
    days: str
    start: str
    end: str
    limit_kw: str


class PowerView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location_uuid: str
    smart_charging: bool = Field(description="Whether a limit is set.")
    limit_kw: str | None
    strategy: StrategyName
    timezone: str = Field(description="The location's: the schedule's times are local to it.")
    schedule: list[WindowView]
    updated_at: str | None
    version: int = Field(description="Bumped by every change; sent as the ETag.")


class CircuitFields(_Body):
    limit_kw: Decimal | None = Field(None, description="Total power below it, kW.")
    limit_a: Decimal | None = Field(None, description="Current on each of its phases, A.")
    phases: Literal[1, 3] | None = Field(None, description="1 or 3 (default 3).")
    parent_uuid: str | None = Field(None, description="The circuit it hangs from; none: the site.")


class CircuitCreate(CircuitFields):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "feeder-1", "limit_kw": "60", "phases": 3}]},
    )

    name: str = Field(description="Unique at the site, e.g. `feeder-1` (not `site`).")


class CircuitUpdate(CircuitFields):
    name: str | None = None


class CircuitView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str
    limit_kw: str | None
    limit_a: str | None
    phases: int
    parent_uuid: str | None
    stations: list[str] = Field(description="OCPP identities of the stations hanging from it.")


class ChargingNeedBody(_Body):
    departure_at: datetime | None = Field(
        None, description="When the vehicle leaves (with UTC offset); null: its usual departure."
    )
    energy_kwh: Decimal | None = Field(
        None,
        description="Energy this transaction should deliver in all (kWh, two decimals); "
        "null: the vehicle's target.",
    )


class ChargingNeedView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transaction_id: int
    station_identity: str
    connector_id: int
    departure_at: str | None
    energy_kwh: str | None

"""The Smart Charging profile's commands, as a simulated station answers them: a mixin of
`CommandHandler`. The stack itself is `profiles.ProfileStack`; how the station behaves (apply,
Rejected, NotSupported) is `StationConfig.profiles`."""

from datetime import datetime
from typing import Any, Protocol

from ocpp.charge_point import snake_to_camel_case
from ocpp.exceptions import NotSupportedError
from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import (
    Action,
    ChargingProfileStatus,
    ClearChargingProfileStatus,
    GetCompositeScheduleStatus,
)

from fleetcharge.simulator.model import StationConfig
from fleetcharge.simulator.profiles import Profile, ProfilesMode, ProfileStack
from fleetcharge.simulator.timeline import rfc3339


class ProfileStation(Protocol):
    config: StationConfig
    profiles: ProfileStack

    def has_connector(self, connector_id: int) -> bool: ...
    def connector_transaction(
        self, connector_id: int
    ) -> tuple[int | None, datetime | None, int, float]: ...
    def moment(self) -> datetime: ...


class SmartChargingCommands:
    """A mixin of `CommandHandler`: the station is `self.station`."""

    station: Any

    def _profiles(self) -> ProfileStation:
        station: ProfileStation = self.station
        if station.config.profiles is ProfilesMode.NOT_SUPPORTED:
            raise NotSupportedError(description="Smart Charging is not supported")
        return station

    @on(Action.set_charging_profile)
    def on_set_charging_profile(
        self, connector_id: int, cs_charging_profiles: dict[str, Any], **_: Any
    ) -> Any:
        station = self._profiles()
        accepted = False
        if station.config.profiles is ProfilesMode.SUPPORTED and (
            connector_id == 0 or station.has_connector(connector_id)
        ):
            try:
                profile = Profile.parse(connector_id, snake_to_camel_case(cs_charging_profiles))
            except ValueError:
                profile = None
            if profile is not None:
                transaction_id = station.connector_transaction(connector_id)[0]
                accepted = station.profiles.install(profile, transaction_id)
        status = ChargingProfileStatus.accepted if accepted else ChargingProfileStatus.rejected
        return call_result.SetChargingProfile(status=status)

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(
        self,
        id: int | None = None,
        connector_id: int | None = None,
        charging_profile_purpose: str | None = None,
        stack_level: int | None = None,
        **_: Any,
    ) -> Any:
        station = self._profiles()
        cleared = station.config.profiles is ProfilesMode.SUPPORTED and station.profiles.clear(
            id, connector_id, charging_profile_purpose, stack_level
        )
        status = (
            ClearChargingProfileStatus.accepted if cleared else ClearChargingProfileStatus.unknown
        )
        return call_result.ClearChargingProfile(status=status)

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(
        self,
        connector_id: int,
        duration: int,
        charging_rate_unit: str | None = None,
        **_: Any,
    ) -> Any:
        station = self._profiles()
        known = connector_id == 0 or station.has_connector(connector_id)
        if station.config.profiles is not ProfilesMode.SUPPORTED or not known:
            return call_result.GetCompositeSchedule(status=GetCompositeScheduleStatus.rejected)
        _tx, tx_start, phases, max_w = station.connector_transaction(connector_id)
        unit = charging_rate_unit or "A"
        start = station.moment().replace(microsecond=0)
        periods = station.profiles.composite(
            connector_id, start, duration, unit=unit, tx_start=tx_start, phases=phases, max_w=max_w
        )
        schedule_periods = []
        for period in periods:
            item: dict[str, Any] = {"startPeriod": period.start_s, "limit": period.limit}
            if period.phases is not None:
                item["numberPhases"] = period.phases
            schedule_periods.append(item)
        return call_result.GetCompositeSchedule(
            status=GetCompositeScheduleStatus.accepted,
            connector_id=connector_id,
            schedule_start=rfc3339(start),
            charging_schedule={
                "duration": duration,
                "startSchedule": rfc3339(start),
                "chargingRateUnit": unit,
                "chargingSchedulePeriod": schedule_periods,
            },
        )

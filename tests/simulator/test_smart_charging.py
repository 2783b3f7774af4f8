"""The simulated station's Smart Charging commands, frame by frame, in each of its modes."""

from typing import Any

from ocpp.v16 import call

from fleetcharge.simulator.model import StationConfig
from fleetcharge.simulator.profiles import ProfilesMode
from fleetcharge.simulator.station import SimulatedStation
from tests.simulator.conftest import CentralSystem, bounded

STATION = "SC-SIM-1"
DEFAULT = {
    "chargingProfileId": 4,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": {
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
    },
}
MAXIMUM = {
    "chargingProfileId": 5,
    "stackLevel": 0,
    "chargingProfilePurpose": "ChargePointMaxProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": {
        "startSchedule": "2020-01-01T00:00:00Z",
        "chargingRateUnit": "W",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 4600.0}],
    },
}


def answers(system: CentralSystem) -> list[list[Any]]:
    """The frames answering the central system's calls (CallResult, CallError)."""
    return [frame.message for frame in system.frames if frame.message[0] in (3, 4)]


def run(system: CentralSystem, mode: ProfilesMode) -> list[Any]:
    config = StationConfig(station_id=STATION, url=system.url, profiles=mode)

    async def scenario() -> list[Any]:
        async with SimulatedStation(config):
            requests = [
                call.SetChargingProfile(connector_id=0, cs_charging_profiles=DEFAULT),
                call.SetChargingProfile(connector_id=0, cs_charging_profiles=MAXIMUM),
                call.SetChargingProfile(connector_id=1, cs_charging_profiles=MAXIMUM),
                call.GetCompositeSchedule(connector_id=1, duration=600, charging_rate_unit="A"),
                call.ClearChargingProfile(id=4),
                call.ClearChargingProfile(id=4),
            ]
            return [await system.command(STATION, request) for request in requests]

    return list(bounded(scenario()))


def test_a_supporting_station_keeps_and_composes_its_profiles(
    central_system: CentralSystem,
) -> None:
    run(central_system, ProfilesMode.SUPPORTED)
    frames = answers(central_system)
    assert [frame[2] for frame in frames[:3]] == [
        {"status": "Accepted"},
        {"status": "Accepted"},
        {"status": "Rejected"},  # a ChargePointMaxProfile belongs to connector 0
    ]
    composite = frames[3][2]
    start = composite["scheduleStart"]
    assert composite == {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": start,
        "chargingSchedule": {
            "duration": 600,
            "startSchedule": start,
            "chargingRateUnit": "A",
            # min(16 A, 4600 W / (3 x 230 V) = 6.67 A), floored to a tenth
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.6, "numberPhases": 3}],
        },
    }
    assert [frame[2] for frame in frames[4:]] == [{"status": "Accepted"}, {"status": "Unknown"}]


def test_a_rejecting_station_rejects(central_system: CentralSystem) -> None:
    run(central_system, ProfilesMode.REJECTED)
    assert [frame[2] for frame in answers(central_system)] == [
        {"status": "Rejected"},
        {"status": "Rejected"},
        {"status": "Rejected"},
        {"status": "Rejected"},
        {"status": "Unknown"},
        {"status": "Unknown"},
    ]


def test_a_station_without_smart_charging_answers_not_supported(
    central_system: CentralSystem,
) -> None:
    assert run(central_system, ProfilesMode.NOT_SUPPORTED) == [None] * 6
    assert [frame[0:3:2] for frame in answers(central_system)] == [[4, "NotSupported"]] * 6


def test_the_smart_charging_keys_are_answered(central_system: CentralSystem) -> None:
    config = StationConfig(station_id=STATION, url=central_system.url, rate_units="Current,Power")
    keys = [
        "ChargeProfileMaxStackLevel",
        "ChargingScheduleAllowedChargingRateUnit",
        "ChargingScheduleMaxPeriods",
        "MaxChargingProfilesInstalled",
        "SupportedFeatureProfiles",
    ]

    async def scenario() -> Any:
        async with SimulatedStation(config):
            return await central_system.command(STATION, call.GetConfiguration(key=keys))

    answer = bounded(scenario())
    values = {item["key"]: item["value"] for item in answer.configuration_key}
    assert values == {
        "ChargeProfileMaxStackLevel": "10",
        "ChargingScheduleAllowedChargingRateUnit": "Current,Power",
        "ChargingScheduleMaxPeriods": "48",
        "MaxChargingProfilesInstalled": "20",
        "SupportedFeatureProfiles": (
            "Core,FirmwareManagement,LocalAuthListManagement,Reservation,RemoteTrigger,"
            "SmartCharging"
        ),
    }

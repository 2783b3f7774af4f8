"""The central system's commands to a connected, idle simulated station."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ocpp.v16 import call
from ocpp.v16.enums import AvailabilityType, MessageTrigger, ResetType

from fleetcharge.simulator.model import StationConfig
from fleetcharge.simulator.profiles import ProfilesMode
from fleetcharge.simulator.station import SimulatedStation
from tests.simulator.conftest import CentralSystem, bounded

STATION = "SIM-CMD1"


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.005)


def station(system: CentralSystem, **overrides: Any) -> SimulatedStation:
    return SimulatedStation(StationConfig(station_id=STATION, url=system.url, **overrides))


def test_boot_reports_every_connector(central_system: CentralSystem) -> None:
    async def scenario() -> None:
        async with station(central_system, connectors=2) as simulated:
            assert simulated.stats.boots == 1

    bounded(scenario())
    assert central_system.actions() == ["BootNotification", *["StatusNotification"] * 2]
    assert central_system.statuses(connector_id=1) == ["Available"]
    assert central_system.statuses(connector_id=2) == ["Available"]


def test_get_and_change_configuration(central_system: CentralSystem) -> None:
    async def scenario() -> None:
        async with station(central_system, connectors=2) as simulated:
            everything = await central_system.command(STATION, call.GetConfiguration())
            keys = {entry["key"]: entry for entry in everything.configuration_key}
            assert keys["HeartbeatInterval"]["value"] == "300"  # from BootNotification
            assert keys["NumberOfConnectors"] == {
                "key": "NumberOfConnectors",
                "readonly": True,
                "value": "2",
            }
            some = await central_system.command(
                STATION, call.GetConfiguration(key=["MeterValueSampleInterval", "Nope"])
            )
            assert [e["value"] for e in some.configuration_key] == ["60"]
            assert some.unknown_key == ["Nope"]

            async def change(key: str, value: str) -> str:
                answer = await central_system.command(
                    STATION, call.ChangeConfiguration(key=key, value=value)
                )
                return str(answer.status)

            assert await change("MeterValueSampleInterval", "300") == "Accepted"
            assert simulated.configuration.sample_interval_s == 300
            assert await change("MeterValueSampleInterval", "soon") == "Rejected"
            assert await change("NumberOfConnectors", "4") == "Rejected"
            assert await change("MaxEnergyOnInvalidId", "0") == "NotSupported"
            assert await change("HeartbeatInterval", "1") == "Accepted"
            await eventually(lambda: "Heartbeat" in central_system.actions())

    bounded(scenario())


def test_the_heartbeat_interval_from_boot_is_honoured(central_system_factory: Any) -> None:
    system: CentralSystem = central_system_factory(heartbeat_interval=1)

    async def scenario() -> float:
        async with station(system):
            booted = time.monotonic()
            await eventually(lambda: "Heartbeat" in system.actions())
            return time.monotonic() - booted

    assert bounded(scenario()) >= 0.9  # one second after the boot, not at once


def test_trigger_message_sends_what_was_asked(central_system: CentralSystem) -> None:
    async def trigger(message: MessageTrigger, connector_id: int | None = None) -> str:
        request = call.TriggerMessage(requested_message=message, connector_id=connector_id)
        answer = await central_system.command(STATION, request)
        return str(answer.status)

    async def arrives(action: str, before: int) -> None:
        await eventually(lambda: central_system.actions().count(action) > before)

    async def scenario() -> None:
        async with station(central_system, initial_register_wh=12_345):
            for message, action in [
                (MessageTrigger.heartbeat, "Heartbeat"),
                (MessageTrigger.status_notification, "StatusNotification"),
                (MessageTrigger.meter_values, "MeterValues"),
                (MessageTrigger.boot_notification, "BootNotification"),
                (MessageTrigger.diagnostics_status_notification, "DiagnosticsStatusNotification"),
                (MessageTrigger.firmware_status_notification, "FirmwareStatusNotification"),
            ]:
                before = central_system.actions().count(action)
                assert await trigger(message, connector_id=1) == "Accepted"
                await arrives(action, before)
            assert await trigger(MessageTrigger.heartbeat, connector_id=7) == "Rejected"

    bounded(scenario())
    (meter_values,) = central_system.calls("MeterValues")
    (value,) = meter_values.payload["meterValue"]
    assert value["sampledValue"] == [
        {
            "value": "12345",
            "context": "Trigger",
            "measurand": "Energy.Active.Import.Register",
            "location": "Outlet",
            "unit": "Wh",
        }
    ]
    assert "transactionId" not in meter_values.payload  # nothing is charging


def test_unlock_and_change_availability(central_system: CentralSystem) -> None:
    async def scenario() -> None:
        async with station(central_system, connectors=2) as simulated:
            unlocked = await central_system.command(STATION, call.UnlockConnector(connector_id=2))
            assert unlocked.status == "Unlocked"
            unknown = await central_system.command(STATION, call.UnlockConnector(connector_id=5))
            assert unknown.status == "NotSupported"

            off = call.ChangeAvailability(connector_id=2, type=AvailabilityType.inoperative)
            assert (await central_system.command(STATION, off)).status == "Accepted"
            await eventually(lambda: simulated.status(2) == "Unavailable")
            everything_on = call.ChangeAvailability(connector_id=0, type=AvailabilityType.operative)
            assert (await central_system.command(STATION, everything_on)).status == "Accepted"
            await eventually(lambda: central_system.statuses(connector_id=2)[-1] == "Available")

    bounded(scenario())
    assert central_system.statuses(connector_id=2) == ["Available", "Unavailable", "Available"]
    assert central_system.statuses(connector_id=1) == ["Available"]


def test_reset_reconnects_and_boots_again(central_system: CentralSystem) -> None:
    async def scenario() -> None:
        async with station(central_system, speed=1000) as simulated:
            answer = await central_system.command(STATION, call.Reset(type=ResetType.hard))
            assert answer.status == "Accepted"
            await eventually(lambda: simulated.stats.boots == 2)
            await eventually(lambda: len(central_system.statuses()) == 2)

    bounded(scenario())
    assert len(central_system.handshakes) == 2
    assert central_system.actions() == ["BootNotification", "StatusNotification"] * 2


def test_calls_the_station_does_not_support_get_a_call_error(
    central_system: CentralSystem,
) -> None:
    async def scenario() -> None:
        async with station(central_system, profiles=ProfilesMode.NOT_SUPPORTED):
            request = call.GetCompositeSchedule(connector_id=1, duration=60)
            assert await central_system.command(STATION, request) is None  # a CallError

    bounded(scenario())
    (error,) = [frame.message for frame in central_system.frames if frame.message[0] == 4]
    assert error[2] == "NotSupported"

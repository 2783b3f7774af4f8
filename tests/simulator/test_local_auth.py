"""A simulated station's local authorisation list and reservations, driven by the test
central system's calls."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ocpp.v16 import call
from ocpp.v16.enums import ChargePointStatus

from fleetcharge.simulator.curves import ChargeSpec, ChargingCurve, CurrentType, Evse, Vehicle
from fleetcharge.simulator.model import SessionOutcome, StationConfig
from fleetcharge.simulator.station import SimulatedStation
from fleetcharge.simulator.timeline import SessionPlan
from tests.simulator.conftest import CentralSystem, bounded

STATION = "SIM-LIST1"
CAR = Vehicle("test car", battery_kwh=60, ac_kw=11, dc_kw=100, dc_knee_soc=60)
SHORT = ChargeSpec(CAR, Evse(CurrentType.DC, max_kw=100), 78, 80)


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.005)


def station(system: CentralSystem, **overrides: Any) -> SimulatedStation:
    config = StationConfig(station_id=STATION, url=system.url, speed=2000, **overrides)
    return SimulatedStation(config)


def entry(tag: str, status: str | None = "Accepted", **info: Any) -> dict[str, Any]:
    if status is None:
        return {"id_tag": tag}
    return {"id_tag": tag, "id_tag_info": {"status": status, **info}}


def later(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def plan(tag: str) -> SessionPlan:
    return SessionPlan(1, tag, 0, 1, ChargingCurve(SHORT), parked_s=0)


def test_send_local_list_versions_and_limits(central_system: CentralSystem) -> None:
    async def scenario() -> None:
        async with station(central_system) as simulated:
            simulated.configuration.values["SendLocalListMaxLength"] = "2"
            simulated.configuration.values["LocalAuthListMaxLength"] = "3"

            async def send(version: int, kind: str, items: list[dict[str, Any]]) -> str:
                answer = await central_system.command(
                    STATION,
                    call.SendLocalList(
                        list_version=version, update_type=kind, local_authorization_list=items
                    ),
                )
                return str(answer.status)

            async def version() -> int:
                answer = await central_system.command(STATION, call.GetLocalListVersion())
                return int(answer.list_version)

            assert await version() == 0
            assert await send(1, "Full", [entry("A"), entry("B")]) == "Accepted"
            assert await send(2, "Differential", [entry("C"), entry("D")]) == "Failed"  # > 3
            assert await send(1, "Differential", [entry("C")]) == "VersionMismatch"
            assert await send(2, "Differential", [entry("C"), entry("A", None)]) == "Accepted"
            assert await send(3, "Full", [entry("A"), entry("B"), entry("C")]) == "Failed"  # > 2
            assert await version() == 2
            assert simulated.local_auth.entries == {
                "B": {"status": "Accepted"},
                "C": {"status": "Accepted"},
            }
            assert await send(3, "Full", []) == "Accepted"
            assert (await version(), simulated.local_auth.entries) == (3, {})

    bounded(scenario())


def test_the_local_list_answers_when_the_central_system_cannot(
    central_system_factory: Callable[..., CentralSystem],
) -> None:
    system = central_system_factory(failing_actions=frozenset({"Authorize"}))

    async def scenario() -> None:
        async with station(system) as simulated:
            simulated.configuration.values["AuthorizationCacheEnabled"] = "false"
            items = [entry("LISTED"), entry("GONE", expiryDate=later(-60))]
            await system.command(
                STATION,
                call.SendLocalList(
                    list_version=1, update_type="Full", local_authorization_list=items
                ),
            )
            assert (await simulated.run_session(plan("LISTED"))).outcome is (
                SessionOutcome.COMPLETED
            )
            assert (await simulated.run_session(plan("GONE"))).outcome is not (
                SessionOutcome.COMPLETED
            )
            # LocalPreAuthorize: a listed tag starts without asking.
            simulated.configuration.values["LocalPreAuthorize"] = "true"
            asked = len(system.calls("Authorize"))
            assert (await simulated.run_session(plan("LISTED"))).outcome is (
                SessionOutcome.COMPLETED
            )
            assert len(system.calls("Authorize")) == asked

    bounded(scenario())


def test_reservations_hold_a_connector_for_their_card(central_system: CentralSystem) -> None:
    async def scenario() -> None:
        async with station(central_system, connectors=2) as simulated:

            async def reserve(reservation_id: int, connector: int, seconds: float = 600) -> str:
                answer = await central_system.command(
                    STATION,
                    call.ReserveNow(
                        connector_id=connector,
                        expiry_date=later(seconds),
                        id_tag="MINE",
                        reservation_id=reservation_id,
                    ),
                )
                return str(answer.status)

            assert await reserve(1, 9) == "Rejected"
            assert await reserve(1, 0) == "Rejected"  # ReserveConnectorZeroSupported false
            assert await reserve(1, 1) == "Accepted"
            assert await reserve(2, 1) == "Occupied"
            await eventually(lambda: simulated.status(1) == ChargePointStatus.reserved)

            asked = len(central_system.calls("Authorize"))
            refused = await simulated.run_session(plan("OTHER"))
            assert refused.outcome is SessionOutcome.REJECTED
            assert len(central_system.calls("Authorize")) == asked  # refused locally
            assert simulated.status(1) == ChargePointStatus.reserved

            used = await simulated.run_session(plan("MINE"))
            assert used.outcome is SessionOutcome.COMPLETED
            (start,) = central_system.calls("StartTransaction")
            assert start.payload["reservationId"] == 1
            assert simulated.status(1) == ChargePointStatus.available

            assert await reserve(3, 2) == "Accepted"
            cancel = await central_system.command(STATION, call.CancelReservation(3))
            assert cancel.status == "Accepted"
            await eventually(lambda: simulated.status(2) == ChargePointStatus.available)
            again = await central_system.command(STATION, call.CancelReservation(3))
            assert again.status == "Rejected"

            assert await reserve(4, 2, seconds=0.3) == "Accepted"  # expires on its own
            await eventually(lambda: simulated.status(2) == ChargePointStatus.reserved)
            await eventually(lambda: simulated.status(2) == ChargePointStatus.available)
            assert simulated.local_auth.reservations == {}

    bounded(scenario())

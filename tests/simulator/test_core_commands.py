"""RemoteStartTransaction, ClearCache and DataTransfer answered by a connected simulated
station, against the recording central system."""

from typing import Any

from ocpp.v16 import call
from ocpp.v16.enums import Reason

from tests.simulator.conftest import CentralSystem, bounded
from tests.simulator.test_commands import STATION, eventually, station


def test_remote_start_authorizes_then_starts_on_the_connector_asked(
    central_system: CentralSystem,
) -> None:
    async def scenario() -> None:
        async with station(central_system, connectors=2, speed=1000) as simulated:
            start = call.RemoteStartTransaction(id_tag="REMOTE1", connector_id=2)
            assert (await central_system.command(STATION, start)).status == "Accepted"
            await eventually(lambda: bool(central_system.calls("StartTransaction")))
            # Busy now, and a connector it does not have: Rejected.
            for connector in (2, 3):
                again = call.RemoteStartTransaction(id_tag="REMOTE2", connector_id=connector)
                assert (await central_system.command(STATION, again)).status == "Rejected"
            (transaction,) = [s.transaction_id for s in simulated._active.values()]
            stop = call.RemoteStopTransaction(transaction_id=transaction)
            assert (await central_system.command(STATION, stop)).status == "Accepted"
            # The driver unplugs UNPLUG_S after a remote stop: the StopTransaction is enough.
            await eventually(lambda: bool(central_system.calls("StopTransaction")))

    bounded(scenario())
    actions = central_system.actions()
    assert actions[actions.index("Authorize") - 1 :][:3] == [
        "StatusNotification",
        "Authorize",
        "StartTransaction",
    ]
    assert central_system.calls("Authorize")[0].payload == {"idTag": "REMOTE1"}
    (started,) = central_system.calls("StartTransaction")
    assert (started.payload["connectorId"], started.payload["idTag"]) == (2, "REMOTE1")
    assert central_system.statuses(connector_id=2)[:3] == ["Available", "Preparing", "Charging"]
    assert central_system.calls("StopTransaction")[0].payload["reason"] == "Remote"


def test_remote_start_without_authorize_when_configured_so(
    central_system: CentralSystem,
) -> None:
    async def scenario() -> None:
        async with station(central_system, speed=1000) as simulated:
            change = call.ChangeConfiguration(key="AuthorizeRemoteTxRequests", value="false")
            assert (await central_system.command(STATION, change)).status == "Accepted"
            start = call.RemoteStartTransaction(id_tag="REMOTE1")
            assert (await central_system.command(STATION, start)).status == "Accepted"
            await eventually(lambda: bool(central_system.calls("StartTransaction")))
            simulated.stop_connector(1, Reason.remote)
            await eventually(lambda: bool(central_system.calls("StopTransaction")))

    bounded(scenario())
    assert "Authorize" not in central_system.actions()
    assert central_system.calls("StartTransaction")[0].payload["connectorId"] == 1


def test_clear_cache_empties_the_authorization_cache(central_system: CentralSystem) -> None:
    async def scenario() -> None:
        async with station(central_system) as simulated:
            simulated._remember("CACHED1", "Accepted")
            answer = await central_system.command(STATION, call.ClearCache())
            assert answer.status == "Accepted"
            assert simulated._authorised == set()

    bounded(scenario())


def test_data_transfer_is_unknown_unless_a_vendor_is_configured(
    central_system: CentralSystem,
) -> None:
    async def scenario() -> list[Any]:
        answers = []
        async with station(central_system):
            request = call.DataTransfer(vendor_id="com.acme", message_id="Led", data="on")
            answers.append(await central_system.command(STATION, request))
        async with station(central_system, data_transfer_vendor="com.acme"):
            answers.append(await central_system.command(STATION, request))
            other = call.DataTransfer(vendor_id="com.other")
            answers.append(await central_system.command(STATION, other))
        return answers

    unknown, echoed, other = bounded(scenario())
    assert (unknown.status, unknown.data) == ("UnknownVendorId", None)
    assert (echoed.status, echoed.data) == ("Accepted", "on")
    assert other.status == "UnknownVendorId"

"""A station that loses its connection: reconnects without booting and sends the lost call again."""

import dataclasses
from collections.abc import Callable

import pytest

from fleetcharge.simulator.model import ConnectionLost
from fleetcharge.simulator.runner import simulate
from tests.simulator.conftest import CentralSystem, bounded
from tests.simulator.test_sessions import config, run


def test_the_call_in_flight_is_sent_again_after_reconnecting_without_a_boot(
    central_system_factory: Callable[..., CentralSystem],
) -> None:
    system = central_system_factory(drop_on=frozenset({"StartTransaction", "StopTransaction"}))
    summary = run(dataclasses.replace(config(system), stations=2, sessions=2, reconnect_s=5))

    assert summary.sessions_completed == 4
    assert summary.totals.boots == 2
    assert len(system.handshakes) == 2 + 4  # each station reconnected twice
    for station_id in ("SIM-0001", "SIM-0002"):
        for action in ("StartTransaction", "StopTransaction"):
            sent = [frame.payload for frame in system.calls(action, station_id)]
            # The first of each was sent twice, identically (timestamps included).
            assert len(sent) == 3
            assert sent[0] == sent[1] != sent[2]
        actions = system.actions(station_id)
        assert actions.count("BootNotification") == 1
        # Nothing was reordered: the resent call comes right after the one that was dropped.
        starts = [i for i, action in enumerate(actions) if action == "StartTransaction"]
        assert starts[1] == starts[0] + 1


def test_without_reconnecting_a_lost_connection_ends_the_run(
    central_system_factory: Callable[..., CentralSystem],
) -> None:
    system = central_system_factory(drop_on=frozenset({"StopTransaction"}))
    with pytest.raises(ConnectionLost, match="closed the connection"):
        bounded(simulate(config(system)))

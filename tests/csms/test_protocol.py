"""Dispatch of Calls: a station that leaves before its answer ends the loop quietly."""

import asyncio
import logging
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from fleetcharge.csms.protocol import ConnectionClosed, RobustChargePoint


class Gone:
    """A connection whose station has left: every send fails."""

    async def recv(self) -> str:
        raise ConnectionClosed(1006)

    async def send(self, message: str) -> None:
        raise ConnectionClosed(1006)


class Recording:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def recv(self) -> str:
        raise ConnectionClosed(1000)

    async def send(self, message: str) -> None:
        self.sent.append(message)


class Station(RobustChargePoint):
    @on(Action.heartbeat)
    async def on_heartbeat(self) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time="2025-03-03T23:00:00Z")


def test_an_answer_to_a_station_that_left_is_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    station = Station("CP1", Gone())
    with caplog.at_level(logging.WARNING), pytest.raises(ConnectionClosed):
        asyncio.run(station.route_message('[2,"1","Heartbeat",{}]'))
    assert caplog.records == []


@pytest.mark.parametrize(
    ("frame", "answer"),
    [
        ('[2,"1","Heartbeat",{}]', '[3,"1",{"currentTime":"2025-03-03T23:00:00Z"}]'),
        (
            '[2,"2","Heartbeat",{"extra":1}]',
            '[4,"2","FormatViolation","Payload for Action is syntactically incorrect or '
            'structure for Action",{"cause":"Additional properties are not allowed '
            "('extra' was unexpected)\"}]",
        ),
    ],
)
def test_calls_are_validated_and_answered(frame: str, answer: Any) -> None:
    connection = Recording()
    asyncio.run(Station("CP1", connection).route_message(frame))
    assert connection.sent == [answer]

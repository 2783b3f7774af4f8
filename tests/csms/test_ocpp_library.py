"""What csms/protocol.py relies on in the ocpp library, private members included.

RobustChargePoint replaces the library's routing of received frames but keeps its `call()`,
so it depends on how `ChargePoint` stores its state and hands frames around. An upgrade that
renames, removes or re-signs any member named here fails this file, not a station.
"""

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from ocpp import charge_point, messages, routing
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

from fleetcharge.csms.protocol import RobustChargePoint

# ChargePoint members we call, override or reach into, with the parameters (after self) we
# pass them, in order; any further parameter must have a default.
CHARGE_POINT_MEMBERS: dict[str, tuple[str, ...]] = {
    "__init__": ("id", "connection", "response_timeout"),  # handlers.StationHandlers
    "start": (),  # csms/transport runs it: the loop that hands each frame to route_message
    "route_message": ("raw_msg",),  # overridden by RobustChargePoint
    "call": ("payload", "suppress"),  # commands.call_station
    "_send": ("message",),  # RobustChargePoint answers through it
}
ASYNC_MEMBERS = ("start", "route_message", "call", "_send")

# Library functions and classes we call, with the parameters we pass them.
FUNCTIONS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "camel_to_snake_case": (charge_point.camel_to_snake_case, ("data",)),
    "snake_to_camel_case": (charge_point.snake_to_camel_case, ("data",)),
    "remove_nones": (charge_point.remove_nones, ("data",)),
    "serialize_as_dict": (charge_point.serialize_as_dict, ("dataclass",)),
    "create_route_map": (routing.create_route_map, ("obj",)),
    "unpack": (messages.unpack, ("msg",)),
    "get_validator": (messages.get_validator, ("message_type_id", "action", "ocpp_version")),
    "validate_payload": (messages.validate_payload, ("message", "ocpp_version")),
    "Call": (messages.Call, ("unique_id", "action", "payload")),
    "Call.create_call_result": (messages.Call.create_call_result, ("payload",)),
    "CallError": (
        messages.CallError,
        ("unique_id", "error_code", "error_description", "error_details"),
    ),
}

# Instance state the library's __init__ assigns and RobustChargePoint replaces by properties
# that drop the assignment: `call()` must still find it under these names.
REPLACED_STATE = {"route_map": dict, "_response_queue": asyncio.Queue, "_call_lock": asyncio.Lock}

# Private names of our own on the subclass: the library must not have (and call) its own.
OWN_NAMES = ("_answer", "_dispatch", "_send_error", "_responses", "responses_routed")


def _expect_parameters(target: Callable[..., Any], names: tuple[str, ...]) -> None:
    parameters = list(inspect.signature(target).parameters.values())
    if parameters and parameters[0].name == "self":
        parameters = parameters[1:]
    assert [p.name for p in parameters[: len(names)]] == list(names)
    positional = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)
    assert all(p.kind in positional for p in parameters[: len(names)])
    for extra in parameters[len(names) :]:
        assert extra.default is not inspect.Parameter.empty or extra.kind in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        ), f"new required parameter {extra.name}"


@pytest.mark.parametrize("name", sorted(CHARGE_POINT_MEMBERS))
def test_charge_point_members_keep_their_parameters(name: str) -> None:
    _expect_parameters(getattr(ChargePoint, name), CHARGE_POINT_MEMBERS[name])
    if name in ASYNC_MEMBERS:
        assert inspect.iscoroutinefunction(getattr(ChargePoint, name))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_library_functions_keep_their_parameters(name: str) -> None:
    target, names = FUNCTIONS[name]
    _expect_parameters(target, names)


def test_validate_payload_is_awaited() -> None:
    assert inspect.iscoroutinefunction(messages.validate_payload)


class Recording:
    def __init__(self, frames: tuple[str, ...] = ()) -> None:
        self.frames = list(frames)
        self.sent: list[str] = []

    async def recv(self) -> str:
        if not self.frames:
            raise EOFError
        return self.frames.pop(0)

    async def send(self, message: str) -> None:
        self.sent.append(message)


def test_init_keeps_the_state_we_replace_under_the_same_names() -> None:
    state = vars(ChargePoint("CP1", Recording()))
    for name, kind in REPLACED_STATE.items():
        assert isinstance(state.get(name), kind), name
    for name in OWN_NAMES:
        assert name not in state and not hasattr(ChargePoint, name), name


def test_start_hands_every_frame_to_route_message() -> None:
    routed: list[str] = []

    class Routing(ChargePoint):
        async def route_message(self, raw_msg: str) -> None:
            routed.append(raw_msg)

    frames = ('[2,"1","Heartbeat",{}]', '[3,"2",{}]')
    with pytest.raises(EOFError):
        asyncio.run(Routing("CP1", Recording(frames)).start())
    assert routed == list(frames)


def test_call_sends_through_send_and_waits_under_the_lock_for_the_response_queue() -> None:
    connection = Recording()
    station = RobustChargePoint("CP1", connection)

    async def ask() -> Any:
        asking = asyncio.ensure_future(station.call(call.Reset(type="Soft"), suppress=False))
        while not connection.sent:
            await asyncio.sleep(0)
        assert station._call_lock.locked()
        unique_id = messages.unpack(connection.sent[0]).unique_id
        await station.route_message(f'[3,"{unique_id}",{{"status":"Accepted"}}]')
        return await asking

    assert asyncio.run(asyncio.wait_for(ask(), 10)) == call_result.Reset(status="Accepted")
    assert station.responses_routed == 1


def test_route_map_of_a_class_holds_its_plain_functions_under_the_library_keys() -> None:
    class Station(ChargePoint):
        @on(Action.heartbeat)
        def on_heartbeat(self) -> call_result.Heartbeat:
            return call_result.Heartbeat(current_time="2025-03-03T23:00:00Z")

        @after(Action.heartbeat)
        def after_heartbeat(self) -> None:
            pass

    handlers = routing.create_route_map(Station)[Action.heartbeat]
    assert handlers["_on_action"] is Station.on_heartbeat
    assert handlers["_after_action"] is Station.after_heartbeat

"""OCPP-J message routing that no frame can break.

The ocpp library's ChargePoint.route_message logs and drops a frame it cannot parse (the
station then waits for an answer that never comes), answers an unknown action with
NotSupported and a known-but-unhandled one with NotImplemented (OCPP 1.6 section 4.2.3
defines them the other way round), and lets anything unexpected end the message loop.
Here every Call gets exactly one answer and the connection stays open.

Calls are dispatched here rather than by the library's `_handle_call`, for speed: payloads are
checked against the library's schemas by compiled checks (`validation`), inline instead of in
worker threads, and payload keys are converted once per distinct key, not by regex every time.
"""

import asyncio
import inspect
import logging
import re
from functools import lru_cache
from typing import Any

from ocpp.charge_point import (
    camel_to_snake_case,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
)
from ocpp.exceptions import (
    FormatViolationError,
    InternalError,
    NotImplementedError,
    NotSupportedError,
    OCPPError,
    ProtocolError,
)
from ocpp.messages import Call, CallError, MessageType, unpack
from ocpp.routing import create_route_map
from ocpp.v16 import ChargePoint
from ocpp.v16.enums import Action

from fleetcharge.csms.validation import validate
from fleetcharge.db import DATABASE_UNAVAILABLE
from fleetcharge.metrics import OCPP_MESSAGES

logger = logging.getLogger(__name__)

_CALL_ID = re.compile(r'^\s*\[\s*2\s*,\s*"((?:[^"\\]|\\.){1,36})"')
# OCPP 2.0.1 (section 4.2.3 of part 4) answers a frame whose message id cannot be read
# with this id; 1.6 is silent, and a CallError is better than none.
UNKNOWN_CALL_ID = "-1"
OCPP16_ACTIONS = frozenset(action.value for action in Action)
# Counters by action, looked up once (labels() costs a lock per message); anything a station
# makes up is counted as "unknown", so a station cannot grow the label set.
_RECEIVED = {action: OCPP_MESSAGES.labels(action) for action in OCPP16_ACTIONS}
_RECEIVED_UNKNOWN = OCPP_MESSAGES.labels("unknown")


# `@after` hooks still running (held so that they are not garbage collected).
_followups: set["asyncio.Future[Any]"] = set()


class ConnectionClosed(Exception):
    """The station went away (raised by the transport's recv and send); ends the loop."""


class RobustChargePoint(ChargePoint):
    # Answers to our own Calls handed to the waiting call(), ever.
    responses_routed = 0

    # The library's __init__ gives every instance a route map of its own (a dict per action,
    # with bound methods) and a response queue. With thousands of stations connected, the
    # route map is shared by the class instead, and the queue, which only calls we make to
    # the station use, is made on first use; what the library's __init__ assigns is dropped.

    @property
    def route_map(self) -> dict[str, dict[str, Any]]:
        return _class_routes(type(self))

    @route_map.setter
    def route_map(self, _: Any) -> None:
        pass

    @property
    def _response_queue(self) -> "asyncio.Queue[Any]":
        queue: asyncio.Queue[Any] | None = self.__dict__.get("_responses")
        if queue is None:
            queue = self.__dict__["_responses"] = asyncio.Queue()
        return queue

    @_response_queue.setter
    def _response_queue(self, _: Any) -> None:
        pass

    async def route_message(self, raw_msg: Any) -> None:
        try:
            message = unpack(raw_msg)
        except (OCPPError, RecursionError) as failure:
            error = failure if isinstance(failure, OCPPError) else _TOO_DEEP
            logger.warning("%s: unreadable frame %.200r: %s", self.id, raw_msg, _cause(error))
            await self._send_error(_call_id(raw_msg), error)
            return
        if message.message_type_id == MessageType.Call:
            await self._answer(message)
        elif self._call_lock.locked():
            self.responses_routed += 1
            self._response_queue.put_nowait(message)
        else:
            logger.warning("%s: ignored a response to no request: %.200r", self.id, raw_msg)

    async def _answer(self, call: Call) -> None:
        counter = _RECEIVED.get(call.action) if isinstance(call.action, str) else None
        (counter or _RECEIVED_UNKNOWN).inc()
        try:
            if not isinstance(call.action, str):
                raise ProtocolError(details={"cause": "the action must be a string"})
            if call.action not in self.route_map:
                if call.action in OCPP16_ACTIONS:
                    raise NotSupportedError(details={"cause": f"{call.action} is not supported"})
                raise NotImplementedError(details={"cause": f"unknown action {call.action}"})
            await self._dispatch(call)
        except ConnectionClosed:
            raise  # the station left before its answer: nobody to tell
        except OCPPError as error:
            await self._send_error(call.unique_id, error)
        except DATABASE_UNAVAILABLE as error:
            # Not a fault of ours or the station's, and one line each: an outage is long.
            logger.warning(
                "%s: %s failed, the database is unavailable (%s)",
                self.id,
                call.action,
                type(error).__name__,
            )
            await self._send_error(call.unique_id, unavailable())
        except Exception:
            logger.exception("%s: failed to handle %.300r", self.id, call)
            await self._send_error(call.unique_id, InternalError())

    async def _send_error(self, unique_id: str, error: OCPPError) -> None:
        """A CallError with the cause only: the library's details echo the whole frame,
        which a hostile station could make megabytes long."""
        answer = CallError(unique_id, error.code, error.description, {"cause": _cause(error)})
        await self._send(answer.to_json())

    async def _dispatch(self, call: Call) -> None:
        """Validate, run the `@on` handler, answer, then schedule the `@after` hook."""
        handlers = self.route_map[call.action]
        handler = handlers.get("_on_action")
        if handler is None:
            raise NotImplementedError(details={"cause": f"{call.action} is not handled"})
        await validate(call)
        arguments = _snake_case(call.payload)
        response = handler(self, **arguments)
        if inspect.isawaitable(response):
            response = await response
        payload = snake_to_camel_case(remove_nones(serialize_as_dict(response)))
        result = call.create_call_result(payload)
        await validate(result)
        await self._send(result.to_json())
        after = handlers.get("_after_action")
        if after is not None:
            followup = after(self, **arguments)
            if inspect.isawaitable(followup):
                task = asyncio.ensure_future(followup)
                _followups.add(task)
                task.add_done_callback(_followups.discard)


_routes: dict[type, dict[str, dict[str, Any]]] = {}


def _class_routes(cls: type) -> dict[str, dict[str, Any]]:
    """The class's `@on` / `@after` handlers by action, as plain functions."""
    routes = _routes.get(cls)
    if routes is None:
        routes = _routes[cls] = create_route_map(cls)
    return routes


def _snake_case(data: Any) -> Any:
    """The library's camel_to_snake_case, each distinct key converted once."""
    if isinstance(data, dict):
        return {_snake_key(key): _snake_case(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_snake_case(value) for value in data]
    return data


@lru_cache(maxsize=4096)
def _snake_key(key: str) -> str:
    converted: dict[str, Any] = camel_to_snake_case({key: None})
    return next(iter(converted))


def _cause(error: OCPPError) -> str:
    details = error.details if isinstance(error.details, dict) else {}
    return str(details.get("cause", error.description))[:200]


_TOO_DEEP = FormatViolationError(details={"cause": "the message is nested too deeply"})


def unavailable() -> InternalError:
    """The answer to a message that could not be stored, the database being unavailable."""
    return InternalError(details={"cause": "the database is unavailable"})


def _call_id(raw: Any) -> str:
    match = _CALL_ID.match(raw) if isinstance(raw, str) else None
    return match.group(1) if match else UNKNOWN_CALL_ID

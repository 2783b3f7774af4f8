"""OCPP-J message routing that no frame can break.

The ocpp library's ChargePoint.route_message logs and drops a frame it cannot parse (the
station then waits for an answer that never comes), answers an unknown action with
NotSupported and a known-but-unhandled one with NotImplemented (OCPP 1.6 section 4.2.3
defines them the other way round), and lets anything unexpected end the message loop.
Here every Call gets exactly one answer and the connection stays open.
"""

import logging
import re
from typing import Any

from ocpp.exceptions import (
    InternalError,
    NotImplementedError,
    NotSupportedError,
    OCPPError,
    ProtocolError,
)
from ocpp.messages import Call, CallError, MessageType, unpack
from ocpp.v16 import ChargePoint
from ocpp.v16.enums import Action

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


class RobustChargePoint(ChargePoint):
    # Answers to our own Calls handed to the waiting call(), ever.
    responses_routed = 0

    async def route_message(self, raw_msg: Any) -> None:
        try:
            message = unpack(raw_msg)
        except OCPPError as error:
            logger.warning("%s: unreadable frame %.200r: %s", self.id, raw_msg, error)
            answer = CallError(_call_id(raw_msg), error.code, error.description, error.details)
            await self._send(answer.to_json())
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
            await self._handle_call(call)
        except OCPPError as error:
            await self._send(call.create_call_error(error).to_json())
        except Exception:
            logger.exception("%s: failed to handle %r", self.id, call)
            await self._send(call.create_call_error(InternalError()).to_json())


def _call_id(raw: Any) -> str:
    match = _CALL_ID.match(raw) if isinstance(raw, str) else None
    return match.group(1) if match else UNKNOWN_CALL_ID

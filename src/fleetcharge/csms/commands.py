"""Operator commands: calls the central system makes to a connected charge station.

The ocpp library's `ChargePoint.call()` waits for the answer on a queue that the station's
message loop fills, so it must never run inside that loop (from an `@on` handler it would
wait for itself). Commands run in the operator's request task instead, concurrently with
the station's own messages; the library's lock sends one Call at a time per station, as
OCPP-J requires, and queues the others.
"""

import asyncio
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from ocpp.charge_point import camel_to_snake_case, remove_nones, snake_to_camel_case
from ocpp.exceptions import OCPPError
from ocpp.v16 import call
from starlette.websockets import WebSocketDisconnect

from fleetcharge.csms.registry import LiveConnection
from fleetcharge.errors import DomainError

logger = logging.getLogger(__name__)

# Every call OCPP 1.6 (with the security whitepaper's extensions) lets a central system make.
ACTIONS = frozenset(
    {
        "CancelReservation",
        "CertificateSigned",
        "ChangeAvailability",
        "ChangeConfiguration",
        "ClearCache",
        "ClearChargingProfile",
        "DataTransfer",
        "DeleteCertificate",
        "ExtendedTriggerMessage",
        "GetCompositeSchedule",
        "GetConfiguration",
        "GetDiagnostics",
        "GetInstalledCertificateIds",
        "GetLocalListVersion",
        "GetLog",
        "InstallCertificate",
        "RemoteStartTransaction",
        "RemoteStopTransaction",
        "ReserveNow",
        "Reset",
        "SendLocalList",
        "SetChargingProfile",
        "SignedUpdateFirmware",
        "TriggerMessage",
        "UnlockConnector",
        "UpdateFirmware",
    }
)
# How long an answer that arrived just before the station disconnected may take to check.
ANSWER_GRACE_S = 2.0


class StationNotConnected(DomainError):
    status_code = 404
    code = "station_not_connected"


class StationTimeout(DomainError):
    status_code = 504
    code = "station_timeout"


class StationFailed(DomainError):
    """The station answered with a CallError, or with something that is no answer."""

    status_code = 502
    code = "station_error"


class StationDisconnected(DomainError):
    status_code = 502
    code = "station_disconnected"


class RoutingUnavailable(DomainError):
    status_code = 503
    code = "service_unavailable"


COMMAND_ERRORS: dict[str, type[DomainError]] = {
    error.code: error
    for error in (
        StationNotConnected,
        StationTimeout,
        StationFailed,
        StationDisconnected,
        RoutingUnavailable,
    )
}


@dataclass(frozen=True)
class Command:
    action: str  # one of ACTIONS
    payload: dict[str, Any]  # as sent on the wire (camelCase)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"not an operator command: {self.action}")


@dataclass(frozen=True)
class CommandAnswer:
    station: str
    action: str
    # The answer's `status` (absent from GetConfiguration, GetLocalListVersion,
    # GetDiagnostics and UpdateFirmware answers).
    status: str | None
    node: str  # the process that holds the station's socket
    answer: dict[str, Any] = field(default_factory=dict)  # as received (camelCase)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def remote_stop(transaction_id: int) -> Command:
    return Command("RemoteStopTransaction", {"transactionId": transaction_id})


def unlock(connector_id: int) -> Command:
    return Command("UnlockConnector", {"connectorId": connector_id})


def reset(kind: str) -> Command:
    return Command("Reset", {"type": kind})


def trigger(message: str, connector_id: int | None) -> Command:
    payload: dict[str, Any] = {"requestedMessage": message}
    if connector_id is not None:
        payload["connectorId"] = connector_id
    return Command("TriggerMessage", payload)


def change_availability(connector_id: int, kind: str) -> Command:
    return Command("ChangeAvailability", {"connectorId": connector_id, "type": kind})


async def call_station(live: LiveConnection, command: Command, timeout: float) -> dict[str, Any]:
    """Send the command to the station; its answer's payload (camelCase, as on the wire).
    Fails fast when the station disconnects, and after `timeout` seconds without an answer."""
    request = getattr(call, command.action)(**camel_to_snake_case(command.payload))
    charge_point = live.charge_point
    responses_before = charge_point.responses_routed
    asking = asyncio.ensure_future(charge_point.call(request, suppress=False))
    gone = asyncio.ensure_future(live.wait_closed())
    try:
        await asyncio.wait((asking, gone), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        answer_arrived = charge_point.responses_routed > responses_before
        if gone.done() and not asking.done() and answer_arrived:
            # The answer read just before the socket closed is still being checked (the
            # library validates it in a thread): a station that answers, then reboots.
            await asyncio.wait((asking,), timeout=ANSWER_GRACE_S)
        answered, disconnected = asking.done(), gone.done()
    finally:
        asking.cancel()
        gone.cancel()
    what = f"charge station {live.identity}"
    if answered:
        try:
            result = asking.result()
        except OCPPError as error:
            raise StationFailed(
                f"{what} answered {command.action} with {error.code}: {error.description}"
            ) from None
        except TimeoutError:
            raise StationTimeout(f"{what} did not answer {command.action} in time") from None
        except (WebSocketDisconnect, RuntimeError, OSError):
            raise StationDisconnected(f"{what} disconnected before answering") from None
        answer: dict[str, Any] = snake_to_camel_case(remove_nones(asdict(result)))
        return answer
    if disconnected:
        raise StationDisconnected(f"{what} disconnected before answering {command.action}")
    logger.warning("%s: no answer to %s within %g s", live.identity, command.action, timeout)
    raise StationTimeout(f"{what} did not answer {command.action} within {timeout:g} s")

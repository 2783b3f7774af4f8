"""Operator endpoints: the connected stations, and commands sent to them over their socket.

Not part of the Fleets API (absent from its OpenAPI document). With an operator token
configured (FLEETCHARGE_OPERATOR_TOKEN) every call must carry it as a bearer token; without
one only clients on the loopback interface are served.

    GET  /operator/stations
    POST /operator/stations/{identity}/remote-stop    {"transactionId": 42}
    POST /operator/stations/{identity}/unlock         {"connectorId": 1}
    POST /operator/stations/{identity}/reset          {"type": "Soft" | "Hard"}
    POST /operator/stations/{identity}/trigger        {"requestedMessage": "...", "connectorId"?}
    POST /operator/stations/{identity}/availability   {"connectorId": 0, "type": "Inoperative"}

A command answers 200 with the station's status (which may be Rejected), 404 when the
station is not connected, 502 when it answers with a CallError or disconnects, 504 when
it does not answer in time.
"""

import hmac
import ipaddress
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from fleetcharge.csms import commands
from fleetcharge.csms.listing import describe_connected
from fleetcharge.csms.routing import StationRouter
from fleetcharge.errors import Forbidden, Unauthorized

MAX_INT32 = 2**31 - 1
StrictInt32 = Annotated[int, Field(strict=True, ge=-(2**31), le=MAX_INT32)]
ConnectorId = Annotated[int, Field(strict=True, ge=1, le=MAX_INT32)]
ConnectorIdOrStation = Annotated[int, Field(strict=True, ge=0, le=MAX_INT32)]


async def require_operator(request: Request) -> None:
    token: SecretStr | None = request.app.state.operator_token
    if token is not None:
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        expected = token.get_secret_value().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            raise Unauthorized("a valid operator token is required (Authorization: Bearer ...)")
        return
    if not _loopback(request.client.host if request.client else None):
        raise Forbidden(
            "without FLEETCHARGE_OPERATOR_TOKEN the operator endpoints serve loopback clients only"
        )


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


router = APIRouter(
    prefix="/operator", include_in_schema=False, dependencies=[Depends(require_operator)]
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RemoteStopBody(_Body):
    transaction_id: StrictInt32 = Field(alias="transactionId")


class UnlockBody(_Body):
    connector_id: ConnectorId = Field(alias="connectorId")


class ResetBody(_Body):
    type: Literal["Soft", "Hard"] = "Soft"


class TriggerBody(_Body):
    requested_message: Literal[
        "BootNotification",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "MeterValues",
        "StatusNotification",
    ] = Field(alias="requestedMessage")
    connector_id: ConnectorId | None = Field(default=None, alias="connectorId")


class AvailabilityBody(_Body):
    connector_id: ConnectorIdOrStation = Field(alias="connectorId")
    type: Literal["Operative", "Inoperative"]


def _router(request: Request) -> StationRouter:
    router: StationRouter = request.app.state.central_system.router
    return router


async def _send(request: Request, identity: str, command: commands.Command) -> dict[str, str]:
    answer = await _router(request).send(identity, command)
    return answer.to_json()


@router.get("/stations")
async def list_stations(request: Request) -> dict[str, Any]:
    presences = await _router(request).connected()
    engine = request.app.state.engine
    stations = await anyio.to_thread.run_sync(describe_connected, engine, presences)
    return {"stations": stations}


@router.post("/stations/{identity}/remote-stop")
async def remote_stop(request: Request, identity: str, body: RemoteStopBody) -> dict[str, str]:
    return await _send(request, identity, commands.remote_stop(body.transaction_id))


@router.post("/stations/{identity}/unlock")
async def unlock(request: Request, identity: str, body: UnlockBody) -> dict[str, str]:
    return await _send(request, identity, commands.unlock(body.connector_id))


@router.post("/stations/{identity}/reset")
async def reset(request: Request, identity: str, body: ResetBody) -> dict[str, str]:
    return await _send(request, identity, commands.reset(body.type))


@router.post("/stations/{identity}/trigger")
async def trigger(request: Request, identity: str, body: TriggerBody) -> dict[str, str]:
    command = commands.trigger(body.requested_message, body.connector_id)
    return await _send(request, identity, command)


@router.post("/stations/{identity}/availability")
async def availability(request: Request, identity: str, body: AvailabilityBody) -> dict[str, str]:
    command = commands.change_availability(body.connector_id, body.type)
    return await _send(request, identity, command)

"""Commands to connected stations. Registered before the stations' routes: its
`/stations/connected` would otherwise be read as a station's uuid."""

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from fleetcharge.admin.calls import authorised, json_response
from fleetcharge.admin.documents import ERRORS, lists
from fleetcharge.csms.command_schemas import (
    AvailabilityBody,
    CommandView,
    ConnectedStation,
    RemoteStopBody,
    ResetBody,
    TriggerBody,
    UnlockBody,
)
from fleetcharge.csms.commands import Command
from fleetcharge.csms.connected_stations import describe_connected
from fleetcharge.csms.routing import StationRouter

router = APIRouter(prefix="/stations", tags=["Station commands"])

SENDS: dict[str, Any] = {
    "responses": {
        200: {"model": CommandView, "description": "The station's answer (may be Rejected)."},
        404: {**ERRORS[404], "description": "The station is not connected."},
        502: {
            **ERRORS[404],
            "description": "The station answered with a CallError or disconnected.",
        },
        504: {**ERRORS[404], "description": "The station did not answer in time."},
    }
}


def _router(request: Request) -> StationRouter:
    router: StationRouter = request.app.state.central_system.router
    return router


async def _send(request: Request, identity: str, command: Command) -> Response:
    authorised(request, "stations", "command")
    answer = await _router(request).send(identity, command)
    return json_response(answer.to_json())


@router.get(
    "/connected",
    summary="The stations connected now, with their connectors' latest status",
    **lists(ConnectedStation, paged=False),
)
async def connected(request: Request) -> Response:
    authorised(request, "stations", "read")
    presences = await _router(request).connected()
    engine = request.app.state.engine
    stations = await anyio.to_thread.run_sync(describe_connected, engine, presences)
    return json_response({"data": stations})


@router.post(
    "/{identity}/remote-stop", summary="Stop a transaction (RemoteStopTransaction)", **SENDS
)
async def remote_stop(request: Request, identity: str, body: RemoteStopBody) -> Response:
    return await _send(request, identity, body.command())


@router.post("/{identity}/unlock", summary="Unlock a connector (UnlockConnector)", **SENDS)
async def unlock(request: Request, identity: str, body: UnlockBody) -> Response:
    return await _send(request, identity, body.command())


@router.post("/{identity}/reset", summary="Reset the station (Soft or Hard)", **SENDS)
async def reset(request: Request, identity: str, body: ResetBody) -> Response:
    return await _send(request, identity, body.command())


@router.post(
    "/{identity}/trigger", summary="Ask the station to send a message (TriggerMessage)", **SENDS
)
async def trigger(request: Request, identity: str, body: TriggerBody) -> Response:
    return await _send(request, identity, body.command())


@router.post(
    "/{identity}/availability",
    summary="Make a connector (0: the station) Operative or Inoperative",
    **SENDS,
)
async def availability(request: Request, identity: str, body: AvailabilityBody) -> Response:
    return await _send(request, identity, body.command())

"""Local Authorization Lists of stations (SendLocalList, GetLocalListVersion) and which cards
a location's stations hold. Registered before the stations' routes."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Request, Response

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    admin_call,
    authorised,
    json_response,
    page_request,
)
from fleetcharge.admin.documents import lists, shows
from fleetcharge.admin.resources import listed
from fleetcharge.admin.routes.station_commands import SENDS
from fleetcharge.audit.service import record
from fleetcharge.csms.commands import Command
from fleetcharge.csms.local_list_push import LocalListPush, list_limits
from fleetcharge.csms.routing import StationRouter
from fleetcharge.local_lists import service
from fleetcharge.local_lists.schemas import (
    LocalListEntryView,
    LocalListScopeBody,
    LocalListScopeView,
    LocalListStateView,
    LocalListVersionView,
    SendLocalListBody,
    SendLocalListView,
)
from fleetcharge.models import Station
from fleetcharge.network.locations import get_location

router = APIRouter(tags=["Local authorisation lists"])


def _now(request: Request) -> Callable[[], datetime]:
    now: Callable[[], datetime] = request.app.state.central_system.config.now
    return now


def _pusher(request: Request, identity: str, station_id: int) -> LocalListPush:
    station_router: StationRouter = request.app.state.central_system.router

    async def send(command: Command) -> dict[str, Any]:
        return (await station_router.send(identity, command)).answer

    return LocalListPush(request.app.state.engine, station_id, send, _now(request))


async def _station_id(request: Request, identity: str) -> int:
    def find() -> int:
        with admin_call(request, "stations", "command") as (db, _):
            return service.station_id(db, identity)

    return await anyio.to_thread.run_sync(find)


@router.post(
    "/stations/{identity}/local-list/send",
    summary="Send the station its local list: what it lacks, or all of it (SendLocalList)",
    **{**SENDS, "responses": {**SENDS["responses"], 200: {"model": SendLocalListView}}},
)
async def send_local_list(request: Request, identity: str, body: SendLocalListBody) -> Response:
    authorised(request, "stations", "command")
    station_id = await _station_id(request, identity)
    pusher = _pusher(request, identity, station_id)
    outcome = await pusher.push(full=body.full, limits=lambda: list_limits(pusher.send))
    sent = {"station": identity, **outcome.to_json()}

    def audit() -> None:
        with admin_call(request, "stations", "command") as (db, actor):
            station = db.get(Station, station_id)
            assert station is not None
            record(db, actor, "send_local_list", "station", station.uuid, None, None, sent)

    await anyio.to_thread.run_sync(audit)
    return json_response(sent)


@router.post(
    "/stations/{identity}/local-list/version",
    summary="Ask the station its local list version (GetLocalListVersion)",
    **{**SENDS, "responses": {**SENDS["responses"], 200: {"model": LocalListVersionView}}},
)
async def local_list_version(request: Request, identity: str) -> Response:
    authorised(request, "stations", "command")
    station_id = await _station_id(request, identity)
    theirs, ours = await _pusher(request, identity, station_id).ask_version()
    return json_response(
        {"station": identity, "listVersion": theirs, "version": ours, "in_step": theirs == ours}
    )


@router.get(
    "/stations/{identity}/local-list",
    summary="The station's local list per its answers: version, last sync and its result",
    **shows(LocalListStateView, "The station's local list."),
)
def show_local_list(request: Request, identity: str) -> Response:
    at = _now(request)()
    with admin_call(request, "stations", "read") as (db, _):
        return json_response(service.state_view(db, identity, at))


@router.get(
    "/stations/{identity}/local-list/entries",
    summary="The idTags the station's local list holds, per its answers",
    **lists(LocalListEntryView),
)
def list_local_list_entries(
    request: Request, identity: str, cursor: Cursor = None, limit: Limit = None
) -> Response:
    return listed(
        request,
        "stations",
        lambda db, _: service.list_entries(db, identity, page_request(cursor, limit)),
        service.entry_view,
    )


@router.put(
    "/locations/{uuid}/local-list",
    summary="Choose which cards the location's stations hold in their local list",
    **shows(LocalListScopeView, "The location's choice."),
)
def set_local_list_scope(request: Request, uuid: UUID, body: LocalListScopeBody) -> Response:
    with admin_call(request, "locations", "update") as (db, actor):
        location = get_location(db, actor, uuid)
        return json_response(service.set_scope(db, actor, location, body.scope))

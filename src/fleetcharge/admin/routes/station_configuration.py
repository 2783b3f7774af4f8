"""Stations' configuration keys: stored as each station last reported them, read from the
station (GetConfiguration) and changed on it (ChangeConfiguration). Registered before the
stations' routes."""

from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response
from pydantic import Field
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import authorised, json_response
from fleetcharge.admin.documents import lists
from fleetcharge.admin.routes.station_commands import SENDS
from fleetcharge.configuration import service
from fleetcharge.configuration.schemas import ChangeBody, ConfigurationKeyView, ReadBody
from fleetcharge.csms.command_schemas import CommandView
from fleetcharge.csms.commands import Command
from fleetcharge.csms.repository import station_by_identity
from fleetcharge.db import unit_of_work
from fleetcharge.errors import NotFound
from fleetcharge.models import Station

router = APIRouter(prefix="/stations", tags=["Station configuration"])
T = TypeVar("T")


class ConfigurationChangeView(CommandView):
    key: ConfigurationKeyView | None = Field(
        description="The key as stored now (null if it never was): the new value when the "
        "station answered Accepted or RebootRequired, unchanged otherwise."
    )


async def _work(request: Request, work: Callable[[Session], T]) -> T:
    def run() -> T:
        with unit_of_work(request.app.state.engine) as db:
            return work(db)

    return await anyio.to_thread.run_sync(run)


def _station(db: Session, identity: str) -> Station:
    station = station_by_identity(db, identity)
    if station is None:
        raise NotFound(f"no charge station has the identity {identity!r}", parameter="identity")
    return station


async def _read(request: Request, identity: str, keys: list[str] | None) -> Response:
    """Ask the station for its keys, store its answer, and show the stored keys."""
    await _work(request, lambda db: _station(db, identity))
    central = request.app.state.central_system
    payload = {"key": keys} if keys else {}
    answer = (await central.router.send(identity, Command("GetConfiguration", payload))).answer
    now = central.config.now()

    def store(db: Session) -> list[dict[str, Any]]:
        station = _station(db, identity)
        service.record_report(
            db,
            station,
            list(answer.get("configurationKey") or []),
            list(answer.get("unknownKey") or []),
            now,
            complete=not keys,
        )
        return service.station_keys(db, station)

    return json_response({"data": await _work(request, store)})


@router.get(
    "/{identity}/configuration",
    summary="The station's configuration keys as it last reported them",
    **lists(ConfigurationKeyView, paged=False),
)
async def show_configuration(
    request: Request,
    identity: str,
    refresh: bool = Query(
        False, description="Ask the station first (GetConfiguration) and store its answer."
    ),
) -> Response:
    if refresh:
        authorised(request, "stations", "command")
        return await _read(request, identity, None)
    authorised(request, "stations", "read")
    data = await _work(request, lambda db: service.station_keys(db, _station(db, identity)))
    return json_response({"data": data})


@router.post(
    "/{identity}/configuration/read",
    summary="Ask the station for some or all keys (GetConfiguration) and store its answer",
    **{**SENDS, **lists(ConfigurationKeyView, paged=False)},
)
async def read_configuration(request: Request, identity: str, body: ReadBody) -> Response:
    authorised(request, "stations", "command")
    return await _read(request, identity, body.keys)


@router.post(
    "/{identity}/configuration",
    summary="Change a key on the station (ChangeConfiguration); stored when it accepts",
    responses={
        **SENDS["responses"],
        200: {
            "model": ConfigurationChangeView,
            "description": "The station's answer (may be Rejected, NotSupported or "
            "RebootRequired) and the key as stored now.",
        },
    },
)
async def change_configuration(request: Request, identity: str, body: ChangeBody) -> Response:
    actor = authorised(request, "stations", "command")
    value = service.checked_change(body.key, body.value)
    await _work(request, lambda db: _station(db, identity))
    central = request.app.state.central_system
    command = Command("ChangeConfiguration", {"key": body.key, "value": value})
    answer = await central.router.send(identity, command)
    now = central.config.now()

    def store(db: Session) -> dict[str, Any] | None:
        station = _station(db, identity)
        status = answer.status or ""
        row = service.record_change(db, actor, station, body.key, value, status, now)
        return None if row is None else service.key_view(row, station.last_boot_at)

    stored = await _work(request, store)
    return json_response({**answer.to_json(), "key": stored})

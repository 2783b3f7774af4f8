"""The operator's live network: every station online or offline with its connectors'
statuses (updated while the page is open), and a station's page with its boot data, status
history, recent OCPP messages and commands (reset, unlock, remote stop)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response, StreamingResponse

from fleetcharge.console import live
from fleetcharge.console.pages import render
from fleetcharge.console.security import CheckedForm, OperatorMember
from fleetcharge.csms import commands, network_view
from fleetcharge.csms.commands import Command
from fleetcharge.csms.network_view import StationDetail
from fleetcharge.csms.routing import StationRouter
from fleetcharge.db import unit_of_work
from fleetcharge.errors import DomainError, InvalidParameter, NotFound
from fleetcharge.kit.paging import PAGE_SIZE, parse_page

router = APIRouter()

RESET_KINDS = ("Soft", "Hard")
COMMANDS = {"reset": "Reset", "unlock": "Unlock a connector", "remote-stop": "Stop a charge"}


def _router(request: Request) -> StationRouter:
    central_router: StationRouter = request.app.state.central_system.router
    return central_router


def _show(raw: str | None) -> str | None:
    """The overview's filter: online, offline or a connector status as OCPP spells it."""
    text = (raw or "").strip()
    if not text:
        return None
    if text in network_view.FILTERS or (text.isalpha() and text[0].isupper() and len(text) < 24):
        return text
    raise InvalidParameter(
        f"show must be online, offline or a connector status such as Faulted, got {raw!r}",
        parameter="show",
    )


@router.get("/network", response_class=HTMLResponse)
async def network_page(
    request: Request, member: OperatorMember, show: str | None = None, page: str | None = None
) -> Response:
    shown, page_number = _show(show), parse_page(page)
    online = await live.online_station_ids(_router(request))

    def read() -> network_view.NetworkOverview:
        with unit_of_work(request.app.state.engine) as db:
            return network_view.network_overview(
                db, member.actor, online, show=shown, page=page_number
            )

    overview = await anyio.to_thread.run_sync(read)

    def link(**changes: Any) -> str:
        query = {k: v for k, v in {"show": shown, **changes}.items() if v not in (None, 1)}
        return f"/network?{urlencode(query)}" if query else "/network"

    last_page = max(1, -(-overview.matching // PAGE_SIZE))
    return render(
        request,
        "network/overview.html",
        {
            "title": "Network",
            "overview": overview,
            "show": shown,
            "link": link,
            "previous_url": link(page=page_number - 1) if page_number > 1 else None,
            "next_url": link(page=page_number + 1) if page_number < last_page else None,
        },
    )


@router.get("/network/events")
async def network_events(request: Request, member: OperatorMember) -> Response:
    member.actor.require("stations", "read")
    central = request.app.state.central_system
    stream = live.network_events(
        request.app.state.engine,
        central.router,
        live.parse_cursor(request.headers.get("last-event-id")),
        lambda: bool(central.closing),
    )
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


async def _detail(request: Request, member: OperatorMember, uuid: UUID) -> StationDetail:
    online = await live.online_station_ids(_router(request))

    def read() -> StationDetail:
        with unit_of_work(request.app.state.engine) as db:
            return network_view.station_detail(db, member.actor, uuid, online)

    return await anyio.to_thread.run_sync(read)


def _station_page(
    request: Request, member: OperatorMember, detail: StationDetail, **context: Any
) -> Response:
    return render(
        request,
        "network/station.html",
        {
            "title": detail.station.name,
            "detail": detail,
            "may_command": member.may("stations", "command"),
            "reset_kinds": RESET_KINDS,
            **context,
        },
    )


@router.get("/network/stations/{uuid}", response_class=HTMLResponse)
async def station_page(request: Request, member: OperatorMember, uuid: UUID) -> Response:
    return _station_page(request, member, await _detail(request, member, uuid))


@dataclass(frozen=True)
class Asked:
    """A command as the form asked for it, checked against the station."""

    command: Command
    description: str
    fields: dict[str, str]  # sent again by the confirmation form


def _asked(name: str, form: FormData, detail: StationDetail) -> Asked:
    def field(key: str) -> str:
        value = form.get(key)
        return value.strip() if isinstance(value, str) else ""

    station = detail.station.name
    if name == "reset":
        kind = field("kind")
        if kind not in RESET_KINDS:
            raise InvalidParameter(f"kind must be Soft or Hard, got {kind!r}", parameter="kind")
        return Asked(commands.reset(kind), f"{kind} reset of {station}", {"kind": kind})
    if name == "unlock":
        text = field("connector")
        numbers = {c.number for c in detail.state.connectors}
        if not text.isdigit() or int(text) not in numbers:
            raise InvalidParameter(
                f"connector must be one of the station's connectors, got {text!r}",
                parameter="connector",
            )
        return Asked(
            commands.unlock(int(text)), f"Unlock connector {text} of {station}", {"connector": text}
        )
    text = field("transaction")
    open_ids = {t.id for t in detail.open_transactions}
    if not text.isdigit() or int(text) not in open_ids:
        raise InvalidParameter(
            f"transaction must be an open transaction of the station, got {text!r}",
            parameter="transaction",
        )
    return Asked(
        commands.remote_stop(int(text)),
        f"Stop transaction {text} at {station}",
        {"transaction": text},
    )


@router.post("/network/stations/{uuid}/{command}", response_class=HTMLResponse)
async def station_command(
    request: Request, member: OperatorMember, form: CheckedForm, uuid: UUID, command: str
) -> Response:
    """A command in two steps: the form asks, a confirmation page repeats what will be
    sent, and only its Confirm button sends it; the result is shown on the station page."""
    if command not in COMMANDS:
        raise NotFound("no such page")
    member.actor.require("stations", "command")
    detail = await _detail(request, member, uuid)
    asked = _asked(command, form, detail)
    if form.get("confirmed") != "yes":
        return render(
            request,
            "network/confirm.html",
            {"title": COMMANDS[command], "detail": detail, "asked": asked, "command": command},
        )
    try:
        answer = await _router(request).send(detail.station.ocpp_identity, asked.command)
    except DomainError as error:
        result = {"ok": False, "message": f"{asked.description}: {error.message}"}
    else:
        accepted = answer.status in ("Accepted", "Unlocked", "Scheduled")
        result = {"ok": accepted, "message": f"{asked.description}: {answer.status}"}
    return _station_page(request, member, await _detail(request, member, uuid), result=result)

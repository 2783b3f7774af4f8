"""A location's smart charging, for operator staff: its limit and strategy (changed through
sites.service, as the admin API's PUT /locations/{uuid}/power), its weekly windows and
circuits, and the control loop's live allocation with the site's load against its limit."""

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from fleetcharge.console.forms import refusal, texts, version
from fleetcharge.console.member import Member
from fleetcharge.console.pages import render
from fleetcharge.console.security import CheckedForm, OperatorMember
from fleetcharge.db import unit_of_work
from fleetcharge.errors import DomainError
from fleetcharge.models.base import utcnow
from fleetcharge.network.locations import get_location
from fleetcharge.site_control.service import live_allocation
from fleetcharge.sites import service
from fleetcharge.sites.repository import vehicles_of_transactions
from fleetcharge.smart_charging.problem import Strategy

router = APIRouter()

PATH = "/network/locations/{uuid}/smart-charging"
STRATEGIES = (
    (Strategy.DEADLINE.value, "Deadline: least slack first"),
    (Strategy.PRIORITY.value, "Priority: higher priority first"),
    (Strategy.EQUAL_SHARE.value, "Equal share"),
)


@router.get(PATH, response_class=HTMLResponse)
def smart_charging_page(
    request: Request, member: OperatorMember, uuid: UUID, done: str | None = None
) -> Response:
    return _page(request, member, uuid, notice="saved" if done == "saved" else None)


@router.post(PATH, response_class=HTMLResponse)
def set_power(request: Request, member: OperatorMember, uuid: UUID, form: CheckedForm) -> Response:
    values = texts(form, "limit_kw", "strategy", "version")
    try:
        with unit_of_work(request.app.state.engine) as db:
            location = get_location(db, member.actor, uuid)
            service.set_power(
                db,
                member.actor,
                location,
                limit_kw=values["limit_kw"].strip() or None,
                strategy=values["strategy"] or None,
                expected_version=version(values["version"]),
            )
    except DomainError as error:
        return _page(request, member, uuid, values=values, errors=refusal(error), status=400)
    return RedirectResponse(PATH.format(uuid=uuid) + "?done=saved", status_code=303)


def _page(
    request: Request,
    member: Member,
    uuid: UUID,
    *,
    notice: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        location = get_location(db, member.actor, uuid)
        settings = service.site_settings(db, location)
        circuits = [service.circuit_view(db, c) for c in service.circuits_of(db, location)]
        allocation = live_allocation(db, location, utcnow())
        vehicles = vehicles_of_transactions(
            db, [s["transaction_id"] for s in allocation["sessions"]]
        )
        registrations = {tx: v.registration_number for tx, v in vehicles.items()}
        name, timezone = location.name, location.timezone
    shown = {
        "limit_kw": settings["limit_kw"] or "",
        "strategy": settings["strategy"],
        **(values or {}),
        "version": str(settings["version"]),
    }
    return render(
        request,
        "locations/smart_charging.html",
        {
            "title": f"Smart charging at {name}",
            "location": {"uuid": str(uuid), "name": name, "timezone": timezone},
            "settings": settings,
            "changed_at": _moment(settings["updated_at"]),
            "circuits": circuits,
            "allocation": _allocation(allocation, registrations),
            "values": shown,
            "errors": errors or {},
            "strategies": STRATEGIES,
            "notice": notice,
        },
        status=status,
    )


def _kw(watts: float | None) -> str:
    return "—" if watts is None else f"{watts / 1000:,.1f} kW"


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _allocation(view: dict[str, Any], registrations: dict[int, str]) -> dict[str, Any]:
    """The live allocation as the page shows it: kW, local instants, each session's vehicle."""
    limit, load = view["limit_w"], view["load_w"]
    return {
        "controlled": view["controlled"],
        "computed_at": _moment(view["computed_at"]),
        "limit": _kw(limit),
        "load": _kw(load),
        "allocated": _kw(view["allocated_w"]),
        "over": limit is not None and load is not None and load > limit,
        "share": None if not limit or load is None else min(load / limit, 1.0),
        "sessions": [
            {
                **s,
                "vehicle": registrations.get(s["transaction_id"]),
                "limit_kw": _kw(s["limit_w"]),
                "limit_a": f"{s['limit_a']:,.1f} A",
                "drawn": _kw(s["drawn_w"]),
                "sent_at": _moment(s["sent_at"]),
            }
            for s in view["sessions"]
        ],
    }

"""Setting stations up: list (search, status, location), create with connectors and
tariff, edit, approve a pending one, set or generate its password (shown once). Each links
to its live page, /network/stations/{uuid}."""

from typing import Any, cast
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from fleetcharge.console.forms import (
    body,
    done_notice,
    given,
    search,
    submit,
    texts,
    version,
)
from fleetcharge.console.lists import first_url, next_url, page_request
from fleetcharge.console.pages import render
from fleetcharge.console.security import CheckedForm, OperatorMember
from fleetcharge.csms import held_sessions
from fleetcharge.db import unit_of_work
from fleetcharge.errors import InvalidField, InvalidParameter
from fleetcharge.models import Location, Organisation, Station, Tariff
from fleetcharge.network import passwords
from fleetcharge.network import stations as service
from fleetcharge.network.locations import get_location
from fleetcharge.network.schemas import StationCreate, StationUpdate
from fleetcharge.permissions import Actor

router = APIRouter()

BASE = "/network/stations"
STATUSES = ("active", "pending", "decommissioned")
CHANGEABLE = ("name", "current_type", "max_power_kw", "location_uuid", "tariff_uuid")
FIELDS = ("identity", "evse_id", *CHANGEABLE, "connectors")


@router.get(BASE, response_class=HTMLResponse)
def stations_page(
    request: Request,
    member: OperatorMember,
    q: str | None = None,
    status: str | None = None,
    location: UUID | None = None,
    cursor: str | None = None,
) -> Response:
    searched = search(q)
    if status is not None and status not in ("", *STATUSES):
        raise InvalidParameter(
            f"status must be one of {', '.join(STATUSES)}, got {status!r}", parameter="status"
        )
    with unit_of_work(request.app.state.engine) as db:
        at = get_location(db, member.actor, location) if location else None
        page = service.list_stations(
            db,
            member.actor,
            page_request(cursor),
            location_uuid=location,
            status=cast(service.Status | None, status or None),  # checked above
            q=searched,
        )
        _load_locations(db, page.items)
        return render(
            request,
            "stations/list.html",
            {
                "title": f"Stations at {at.name}" if at else "Stations",
                "stations": page.items,
                "location": at,
                "total": page.total,
                "q": searched or "",
                "status": status or "",
                "statuses": STATUSES,
                "status_of": service.status_of,
                "next_url": next_url(request, page),
                "first_url": first_url(request),
            },
        )


@router.get(f"{BASE}/new", response_class=HTMLResponse)
def new_station_page(
    request: Request, member: OperatorMember, location: UUID | None = None
) -> Response:
    member.actor.require("stations", "create")
    values = {
        "current_type": "AC",
        "max_power_kw": "22",
        "connectors": "1=Type 2",
        "location_uuid": str(location or ""),
    }
    return _form(request, member.actor, None, values, {})


@router.post(f"{BASE}/new", response_class=HTMLResponse)
def create_station(request: Request, member: OperatorMember, form: CheckedForm) -> Response:
    values = texts(form, *FIELDS)

    def change(db: Session) -> str:
        data = body(
            StationCreate,
            {
                **given(values),
                "identity": values["identity"],
                "evse_id": values["evse_id"],
                "name": values["name"],
                "location_uuid": values["location_uuid"],
                "connectors": connector_list(values["connectors"]),
            },
        )
        station = service.create_station(db, member.actor, data)
        return f"{BASE}/{station.uuid}/edit?done=created"

    return submit(
        request, change, lambda errors: _form(request, member.actor, None, values, errors)
    )


@router.get(f"{BASE}/{{uuid}}/edit", response_class=HTMLResponse)
def edit_station_page(
    request: Request, member: OperatorMember, uuid: UUID, done: str | None = None
) -> Response:
    member.actor.require("stations", "update")
    with unit_of_work(request.app.state.engine) as db:
        view = service.station_view(service.get_station(db, member.actor, uuid))
    values = {name: str(view[name] or "") for name in CHANGEABLE}
    values["connectors"] = connector_text(view["connectors"])
    values["version"] = str(view["version"])
    notice = done_notice(done, f"Station {view['identity']}")
    return _form(request, member.actor, view, values, {}, notice)


@router.post(f"{BASE}/{{uuid}}/edit", response_class=HTMLResponse)
def update_station(
    request: Request, member: OperatorMember, uuid: UUID, form: CheckedForm
) -> Response:
    values = texts(form, *CHANGEABLE, "connectors", "version")

    def change(db: Session) -> str:
        station = service.get_station(db, member.actor, uuid)
        data = body(
            StationUpdate,
            {
                **given({name: values[name] for name in CHANGEABLE}),
                "tariff_uuid": values["tariff_uuid"],  # empty: no tariff
                "connectors": connector_list(values["connectors"]),
            },
        )
        service.update_station(db, member.actor, station, data, version(values["version"]))
        return f"{BASE}/{uuid}/edit?done=saved"

    def again(errors: dict[str, str]) -> Response:
        with unit_of_work(request.app.state.engine) as db:
            view = service.station_view(service.get_station(db, member.actor, uuid))
        return _form(request, member.actor, view, values, errors)

    return submit(request, change, again)


@router.post(f"{BASE}/{{uuid}}/approve", response_class=HTMLResponse)
def approve_station(
    request: Request, member: OperatorMember, uuid: UUID, form: CheckedForm
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        station = service.get_station(db, member.actor, uuid)
        held_sessions.approve_station(db, member.actor, station)
    return RedirectResponse(f"{BASE}/{uuid}/edit?done=approved", status_code=303)


@router.post(f"{BASE}/{{uuid}}/password", response_class=HTMLResponse)
def set_password(
    request: Request, member: OperatorMember, uuid: UUID, form: CheckedForm
) -> Response:
    """A password typed in is set; none typed: one is generated and shown this once."""
    values = texts(form, "password")
    generated: list[str] = []

    def change(db: Session) -> str:
        station = service.get_station(db, member.actor, uuid)
        result = passwords.set_password(db, member.actor, station, values["password"] or None)
        if result.generated is not None:
            generated.append(result.generated)
        return f"{BASE}/{uuid}/edit?done=password"

    def again(errors: dict[str, str]) -> Response:
        with unit_of_work(request.app.state.engine) as db:
            view = service.station_view(service.get_station(db, member.actor, uuid))
            current = {name: str(view[name] or "") for name in CHANGEABLE}
        current["connectors"] = connector_text(view["connectors"])
        current["version"] = str(view["version"])
        return _form(request, member.actor, view, current, errors)

    answer = submit(request, change, again)
    if not generated:
        return answer
    with unit_of_work(request.app.state.engine) as db:
        view = service.station_view(service.get_station(db, member.actor, uuid))
    return render(
        request,
        "stations/password.html",
        {"title": f"Password for {view['identity']}", "station": view, "password": generated[0]},
    )


def connector_list(text: str) -> list[dict[str, Any]]:
    """`1=CCS2` lines (or comma-separated) as the service's connectors; at least one."""
    connectors = []
    for entry in text.replace(",", "\n").splitlines():
        if not entry.strip():
            continue
        number, sep, name = entry.partition("=")
        if not sep or not number.strip().isdigit() or len(number.strip()) > 2:
            raise InvalidField(
                f"connectors: give each as ID=NAME, e.g. 1=CCS2, got {entry.strip()!r}",
                field="connectors",
            )
        connectors.append({"connector_id": int(number), "name": name})
    if not connectors:
        raise InvalidField("connectors: give at least one, e.g. 1=CCS2", field="connectors")
    return connectors


def connector_text(connectors: list[dict[str, Any]]) -> str:
    return "\n".join(f"{c['connector_id']}={c['name']}" for c in connectors)


def _load_locations(db: Session, stations: list[Station]) -> None:
    """The page's locations and their hosts in two statements (not one per row)."""
    location_ids = {station.location_id for station in stations}
    if not location_ids:
        return
    locations = db.scalars(select(Location).where(Location.id.in_(location_ids))).all()
    host_ids = {location.host_organisation_id for location in locations}
    db.scalars(select(Organisation).where(Organisation.id.in_(host_ids))).all()


def _form(
    request: Request,
    actor: Actor,
    view: dict[str, Any] | None,
    values: dict[str, str],
    errors: dict[str, str],
    notice: str | None = None,
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        locations = db.execute(
            select(Location.uuid, Location.name, Organisation.name)
            .join(Organisation, Organisation.id == Location.host_organisation_id)
            .order_by(Location.name, Location.id)
        ).all()
        tariffs = db.execute(select(Tariff.uuid, Tariff.name).order_by(Tariff.name)).all()
    return render(
        request,
        "stations/form.html",
        {
            "title": f"Edit station {view['identity']}" if view else "New station",
            "station": view,
            "values": values,
            "errors": errors,
            "notice": notice,
            "locations": [("", "Choose its location")]
            + [(str(uuid), f"{name} ({host})") for uuid, name, host in locations],
            "tariffs": [("", "No tariff: sessions recorded at no cost")]
            + [(str(uuid), name) for uuid, name in tariffs],
            "current_types": [("AC", "AC"), ("DC", "DC")],
        },
    )

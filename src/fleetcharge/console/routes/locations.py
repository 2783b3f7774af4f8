"""The operator's locations: list and search (or a host's), create, edit (host
organisation, address, time zone)."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from fleetcharge.console.forms import (
    TIMEZONE_CHOICES,
    body,
    done_notice,
    search,
    submit,
    texts,
    version,
)
from fleetcharge.console.lists import first_url, next_url, page_request
from fleetcharge.console.pages import render
from fleetcharge.console.security import CheckedForm, OperatorMember
from fleetcharge.db import unit_of_work
from fleetcharge.models import Location, Organisation
from fleetcharge.network import locations as service
from fleetcharge.network.schemas import LocationCreate, LocationUpdate
from fleetcharge.organisations.service import get_organisation

router = APIRouter()

BASE = "/network/locations"
FIELDS = ("name", "address", "timezone", "host_organisation_uuid")


@router.get(BASE, response_class=HTMLResponse)
def locations_page(
    request: Request,
    member: OperatorMember,
    q: str | None = None,
    organisation: UUID | None = None,
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    searched = search(q)
    with unit_of_work(request.app.state.engine) as db:
        host = get_organisation(db, member.actor, organisation) if organisation else None
        page = service.list_locations(
            db, member.actor, page_request(cursor), organisation_uuid=organisation, q=searched
        )
        hosts = _hosts(db, {location.host_organisation_id for location in page.items})
        return render(
            request,
            "locations/list.html",
            {
                "title": f"Locations hosted by {host.name}" if host else "Locations",
                "locations": page.items,
                "hosts": hosts,
                "host": host,
                "total": page.total,
                "q": searched or "",
                "next_url": next_url(request, page),
                "first_url": first_url(request),
                "notice": done_notice(done, "Location"),
            },
        )


@router.get(f"{BASE}/new", response_class=HTMLResponse)
def new_location_page(
    request: Request, member: OperatorMember, organisation: UUID | None = None
) -> Response:
    member.actor.require("locations", "create")
    values = {"timezone": "Australia/Sydney", "host_organisation_uuid": str(organisation or "")}
    return _form(request, None, values, {})


@router.post(f"{BASE}/new", response_class=HTMLResponse)
def create_location(request: Request, member: OperatorMember, form: CheckedForm) -> Response:
    values = texts(form, *FIELDS)

    def change(db: Session) -> str:
        location = service.create_location(db, member.actor, body(LocationCreate, values))
        return _listed(location, "created")

    return submit(request, change, lambda errors: _form(request, None, values, errors))


@router.get(f"{BASE}/{{uuid}}/edit", response_class=HTMLResponse)
def edit_location_page(request: Request, member: OperatorMember, uuid: UUID) -> Response:
    member.actor.require("locations", "update")
    with unit_of_work(request.app.state.engine) as db:
        view = service.location_view(service.get_location(db, member.actor, uuid))
    values = {name: str(view[name]) for name in FIELDS}
    values["version"] = str(view["version"])
    return _form(request, view, values, {})


@router.post(f"{BASE}/{{uuid}}/edit", response_class=HTMLResponse)
def update_location(
    request: Request, member: OperatorMember, uuid: UUID, form: CheckedForm
) -> Response:
    values = texts(form, *FIELDS, "version")

    def change(db: Session) -> str:
        location = service.get_location(db, member.actor, uuid)
        data = body(LocationUpdate, {name: values[name] for name in FIELDS})
        service.update_location(db, member.actor, location, data, version(values["version"]))
        return _listed(location, "saved")

    def again(errors: dict[str, str]) -> Response:
        with unit_of_work(request.app.state.engine) as db:
            view = service.location_view(service.get_location(db, member.actor, uuid))
        return _form(request, view, values, errors)

    return submit(request, change, again)


def _listed(location: Location, done: str) -> str:
    """The list of its host's locations, saying what was done."""
    return f"{BASE}?organisation={location.host_organisation.uuid}&done={done}"


def _hosts(db: Session, ids: set[int]) -> dict[int, Organisation]:
    if not ids:
        return {}
    found = db.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return {organisation.id: organisation for organisation in found}


def _form(
    request: Request,
    view: dict[str, Any] | None,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        organisations = db.execute(
            select(Organisation.uuid, Organisation.name).order_by(Organisation.name)
        ).all()
    return render(
        request,
        "locations/form.html",
        {
            "title": f"Edit {view['name']}" if view else "New location",
            "location": view,
            "values": values,
            "errors": errors,
            "timezones": TIMEZONE_CHOICES,
            "organisations": [("", "Choose the host organisation")]
            + [(str(uuid), name) for uuid, name in organisations],
        },
    )

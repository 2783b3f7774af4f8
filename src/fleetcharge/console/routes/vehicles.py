"""A fleet's vehicles: the list (search, status), adding one, its page with its cards, the
change form and retiring it. Every change goes through fleets.vehicle_records, as the admin
API's do."""

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from fleetcharge.console.forms import (
    body,
    departures,
    departures_text,
    given,
    local_input,
    local_moment,
    refusal,
    texts,
    version,
)
from fleetcharge.console.lists import first_url, next_url, page_request
from fleetcharge.console.member import Member
from fleetcharge.console.pages import render
from fleetcharge.console.security import CheckedForm, FleetMember
from fleetcharge.db import unit_of_work
from fleetcharge.errors import Conflict, DomainError
from fleetcharge.fleets import cards, fleet_records
from fleetcharge.fleets import vehicle_records as service
from fleetcharge.fleets.admin_schemas import VehicleCreate, VehicleUpdate
from fleetcharge.kit.cursors import MAX_LIMIT, PageRequest
from fleetcharge.models import Card, Vehicle
from fleetcharge.sites import vehicle_charge

router = APIRouter()

NEW_FIELDS = (
    "fleet_uuid",
    "vin",
    "registration_number",
    "contract_number",
    "effective_from",
    "max_ac_power_kw",
    "max_dc_power_kw",
)
CHANGE_FIELDS = (
    "registration_number",
    "contract_number",
    "max_ac_power_kw",
    "max_dc_power_kw",
    "max_charge_power_kw",
    "priority",
    "departure_times",
    "target_energy_kwh",
    "version",
)
CLEARABLE = (  # blank: none
    "contract_number",
    "max_ac_power_kw",
    "max_dc_power_kw",
    "max_charge_power_kw",
    "departure_times",
    "target_energy_kwh",
)
CHARGE_FIELDS = ("departure_at", "energy_kwh")
REQUIRED = ("vin", "registration_number")  # blank: refused by the service
DONE = {
    "added": "added",
    "changed": "changed",
    "retired": "retired",
    "charge_set": "has this charge's departure and energy saved",
}
STATUSES = (
    ("", "Any status"),
    *((status, status.capitalize()) for status in service.VEHICLE_STATUSES),
)


@router.get("/fleet/vehicles", response_class=HTMLResponse)
def vehicles_page(
    request: Request,
    member: FleetMember,
    q: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        page = service.list_vehicles(
            db, member.actor, page_request(cursor), status=status or None, q=q
        )
    return render(
        request,
        "fleet/vehicles.html",
        {
            "title": "Vehicles",
            "page": page,
            "q": q or "",
            "status": status or "",
            "statuses": STATUSES,
            "first_url": first_url(request),
            "next_url": next_url(request, page),
        },
    )


@router.get("/fleet/vehicles/new", response_class=HTMLResponse)
def new_vehicle_page(request: Request, member: FleetMember) -> Response:
    member.actor.require("vehicles", "create")
    return _new_form(request, member, {"effective_from": ""}, {})


@router.post("/fleet/vehicles/new", response_class=HTMLResponse)
def add_vehicle(request: Request, member: FleetMember, form: CheckedForm) -> Response:
    values = texts(form, *NEW_FIELDS)
    try:
        with unit_of_work(request.app.state.engine) as db:
            vehicle = service.create_vehicle(
                db, member.actor, body(VehicleCreate, given(values, required=REQUIRED))
            )
            target = f"/fleet/vehicles/{vehicle.uuid}?done=added"
    except DomainError as error:
        return _new_form(request, member, values, refusal(error), status=400)
    return RedirectResponse(target, status_code=303)


@router.get("/fleet/vehicles/{uuid}", response_class=HTMLResponse)
def vehicle_page(
    request: Request, member: FleetMember, uuid: UUID, done: str | None = None
) -> Response:
    return _vehicle_page(request, member, uuid, notice=DONE.get(done or ""))


@router.post("/fleet/vehicles/{uuid}", response_class=HTMLResponse)
def change_vehicle(
    request: Request, member: FleetMember, uuid: UUID, form: CheckedForm
) -> Response:
    values = texts(form, *CHANGE_FIELDS)
    changes: dict[str, Any] = {name: values[name] for name in CHANGE_FIELDS if name != "version"}
    try:
        changes["departure_times"] = departures(values["departure_times"])
        with unit_of_work(request.app.state.engine) as db:
            vehicle = service.get_vehicle(db, member.actor, uuid)
            data = body(VehicleUpdate, given(changes, clear=CLEARABLE, required=REQUIRED))
            service.update_vehicle(db, member.actor, vehicle, data, version(values["version"]))
    except DomainError as error:
        return _vehicle_page(
            request, member, uuid, values=values, errors=refusal(error), status=400
        )
    return RedirectResponse(f"/fleet/vehicles/{uuid}?done=changed", status_code=303)


@router.post("/fleet/vehicles/{uuid}/charge", response_class=HTMLResponse)
def set_charge_need(
    request: Request, member: FleetMember, uuid: UUID, form: CheckedForm
) -> Response:
    """This charge's own departure (the site's local time) and energy; blank: the usual."""
    values = texts(form, *CHARGE_FIELDS)
    try:
        with unit_of_work(request.app.state.engine) as db:
            vehicle = service.get_vehicle(db, member.actor, uuid)
            charge = vehicle_charge.current_charge(db, vehicle)
            if charge is None:
                raise Conflict(f"vehicle {vehicle.registration_number} is not charging now")
            departure = local_moment(values["departure_at"], charge.timezone, "departure_at")
            vehicle_charge.set_vehicle_need(
                db,
                member.actor,
                vehicle,
                departure_at=departure,
                energy_kwh=values["energy_kwh"].strip() or None,
            )
    except DomainError as error:
        errors = refusal(error)
        return _vehicle_page(request, member, uuid, need=values, errors=errors, status=400)
    return RedirectResponse(f"/fleet/vehicles/{uuid}?done=charge_set", status_code=303)


@router.post("/fleet/vehicles/{uuid}/retire", response_class=HTMLResponse)
def retire_vehicle(
    request: Request, member: FleetMember, uuid: UUID, form: CheckedForm
) -> Response:
    values = texts(form, "effective_to", "version")
    try:
        with unit_of_work(request.app.state.engine) as db:
            vehicle = service.get_vehicle(db, member.actor, uuid)
            last_day = values["effective_to"] or service.today(vehicle).isoformat()
            data = body(VehicleUpdate, {"effective_to": last_day})
            service.update_vehicle(db, member.actor, vehicle, data, version(values["version"]))
    except DomainError as error:
        errors = refusal(error)
        return _vehicle_page(request, member, uuid, retire=values, errors=errors, status=400)
    return RedirectResponse(f"/fleet/vehicles/{uuid}?done=retired", status_code=303)


def _new_form(
    request: Request,
    member: Member,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        fleets = fleet_records.list_fleets(db, member.actor, PageRequest(limit=MAX_LIMIT)).items
        choices = [(str(fleet.uuid), fleet.name) for fleet in fleets]
    return render(
        request,
        "fleet/vehicle_new.html",
        {"title": "Add a vehicle", "values": values, "errors": errors, "fleets": choices},
        status=status,
    )


def _vehicle_page(
    request: Request,
    member: Member,
    uuid: UUID,
    *,
    notice: str | None = None,
    values: dict[str, str] | None = None,
    retire: dict[str, str] | None = None,
    need: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        vehicle = service.get_vehicle(db, member.actor, uuid)
        view = service.vehicle_view(vehicle)
        its_cards = _cards_of(db, member, vehicle)
        today = service.today(vehicle)
        charge = vehicle_charge.current_charge(db, vehicle)
    current = {
        "registration_number": view["registration_number"],
        "contract_number": view["contract_number"] or "",
        "max_ac_power_kw": view["max_ac_power_kw"] or "",
        "max_dc_power_kw": view["max_dc_power_kw"] or "",
        "max_charge_power_kw": view["max_charge_power_kw"] or "",
        "priority": str(view["priority"]),
        "departure_times": departures_text(view["departure_times"]),
        "target_energy_kwh": view["target_energy_kwh"] or "",
    }
    charge_values = {
        "departure_at": local_input(charge.departure_at, charge.timezone) if charge else "",
        "energy_kwh": str(charge.energy_kwh) if charge and charge.energy_kwh is not None else "",
        **(need or {}),
    }
    # After a refused change the form keeps what was typed, on the version now current.
    shown = {**current, **(values or {}), "version": str(view["version"])}
    return render(
        request,
        "fleet/vehicle.html",
        {
            "title": f"Vehicle {view['registration_number']}",
            "vehicle": view,
            "retiring": _retiring(view, today),
            "cards": its_cards,
            "notice": notice,
            "values": shown,
            "retire": {"effective_to": today.isoformat(), **(retire or {})},
            "charge": charge,
            "departures": current["departure_times"],
            "need": charge_values,
            "errors": errors or {},
        },
        status=status,
    )


def _cards_of(db: Session, member: Member, vehicle: Vehicle) -> list[tuple[dict[str, Any], Card]]:
    if not member.may("cards", "read"):
        return []
    page = cards.list_cards(db, member.actor, PageRequest(limit=MAX_LIMIT), vehicle_id=vehicle.id)
    return [(cards.card_view(card), card) for card in page.items]


def _retiring(view: dict[str, Any], today: date) -> str | None:
    """`retired` once its last day has passed, `retiring` while it is still to come."""
    if view["effective_to"] is None:
        return None
    return "retired" if date.fromisoformat(view["effective_to"]) < today else "retiring"

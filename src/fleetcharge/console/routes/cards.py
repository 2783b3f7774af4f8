"""A fleet's RFID cards: the list (search, status), adding one to a vehicle, its page with
the forms to assign it, change its expiry, and block a lost card (refused by the stations
from its next Authorize). Every change goes through fleets.cards, as the admin API's do."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from fleetcharge.console.forms import (
    body,
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
from fleetcharge.errors import DomainError, InvalidField
from fleetcharge.fleets import cards as service
from fleetcharge.fleets import vehicle_records
from fleetcharge.fleets.admin_schemas import CardAssign, CardCreate, CardUnassign, CardUpdate
from fleetcharge.models.vehicle import CardStatus
from fleetcharge.permissions import Actor

router = APIRouter()

STATUSES = (("", "Any status"), *((status, status.capitalize()) for status in CardStatus))
DONE = {
    "added": "added",
    "assigned": "assigned",
    "unassigned": "taken off its vehicle",
    "expiry": "expiry changed",
    "blocked": "blocked: stations refuse it from its next use",
    "unblocked": "unblocked",
}


@router.get("/fleet/cards", response_class=HTMLResponse)
def cards_page(
    request: Request,
    member: FleetMember,
    q: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        page = service.list_cards(
            db, member.actor, page_request(cursor), status=status or None, q=q
        )
        rows = [(service.card_view(card), card) for card in page.items]
    return render(
        request,
        "fleet/cards.html",
        {
            "title": "Cards",
            "page": page,
            "cards": rows,
            "q": q or "",
            "status": status or "",
            "statuses": STATUSES,
            "first_url": first_url(request),
            "next_url": next_url(request, page),
        },
    )


@router.get("/fleet/cards/new", response_class=HTMLResponse)
def new_card_page(request: Request, member: FleetMember, vehicle: str | None = None) -> Response:
    member.actor.require("cards", "create")
    return _new_form(request, {"vehicle": vehicle or ""}, {})


@router.post("/fleet/cards/new", response_class=HTMLResponse)
def add_card(request: Request, member: FleetMember, form: CheckedForm) -> Response:
    values = texts(form, "id_tag", "vehicle", "expires_at")
    try:
        with unit_of_work(request.app.state.engine) as db:
            fields: dict[str, Any] = {
                "id_tag": values["id_tag"],
                "vehicle_uuid": _vehicle_uuid(db, member.actor, values["vehicle"]),
                "expires_at": local_moment(values["expires_at"], member.timezone, "expires_at"),
            }
            card = service.create_card(
                db, member.actor, body(CardCreate, given(fields, required=("id_tag",)))
            )
            target = f"/fleet/cards/{card.uuid}?done=added"
    except DomainError as error:
        return _new_form(request, values, _on_form(refusal(error)), status=400)
    return RedirectResponse(target, status_code=303)


@router.get("/fleet/cards/{uuid}", response_class=HTMLResponse)
def card_page(
    request: Request, member: FleetMember, uuid: UUID, done: str | None = None
) -> Response:
    return _card_page(request, member, uuid, notice=DONE.get(done or ""))


@router.post("/fleet/cards/{uuid}/assign", response_class=HTMLResponse)
def assign_card(request: Request, member: FleetMember, uuid: UUID, form: CheckedForm) -> Response:
    values = texts(form, "vehicle", "version")

    def assign(db: Session, actor: Actor) -> None:
        card = service.get_card(db, actor, uuid)
        data = body(CardAssign, {"vehicle_uuid": _vehicle_uuid(db, actor, values["vehicle"], True)})
        service.assign_card(db, actor, card, data, version(values["version"]))

    return _change(request, member, uuid, values, assign, "assigned")


@router.post("/fleet/cards/{uuid}/unassign", response_class=HTMLResponse)
def unassign_card(request: Request, member: FleetMember, uuid: UUID, form: CheckedForm) -> Response:
    values = texts(form, "version")

    def unassign(db: Session, actor: Actor) -> None:
        card = service.get_card(db, actor, uuid)
        service.unassign_card(db, actor, card, CardUnassign(), version(values["version"]))

    return _change(request, member, uuid, values, unassign, "unassigned")


@router.post("/fleet/cards/{uuid}/expiry", response_class=HTMLResponse)
def change_expiry(request: Request, member: FleetMember, uuid: UUID, form: CheckedForm) -> Response:
    values = texts(form, "expires_at", "version")

    def expire(db: Session, actor: Actor) -> None:
        card = service.get_card(db, actor, uuid)
        moment = local_moment(values["expires_at"], member.timezone, "expires_at")
        service.update_card(
            db, actor, card, CardUpdate(expires_at=moment), version(values["version"])
        )

    return _change(request, member, uuid, values, expire, "expiry")


@router.post("/fleet/cards/{uuid}/block", response_class=HTMLResponse)
def block_card(request: Request, member: FleetMember, uuid: UUID, form: CheckedForm) -> Response:
    return _set_blocked(request, member, uuid, form, blocked=True)


@router.post("/fleet/cards/{uuid}/unblock", response_class=HTMLResponse)
def unblock_card(request: Request, member: FleetMember, uuid: UUID, form: CheckedForm) -> Response:
    return _set_blocked(request, member, uuid, form, blocked=False)


def _set_blocked(
    request: Request, member: Member, uuid: UUID, form: FormData, *, blocked: bool
) -> Response:
    values = texts(form, "version")

    def change(db: Session, actor: Actor) -> None:
        card = service.get_card(db, actor, uuid)
        service.set_blocked(db, actor, card, blocked, version(values["version"]))

    return _change(request, member, uuid, values, change, "blocked" if blocked else "unblocked")


def _change(
    request: Request,
    member: Member,
    uuid: UUID,
    values: dict[str, str],
    act: Callable[[Session, Actor], None],
    done: str,
) -> Response:
    """One change of the card by `act`: to its page with the notice, or its page again with
    the refusal next to the field it names."""
    try:
        with unit_of_work(request.app.state.engine) as db:
            act(db, member.actor)
    except DomainError as error:
        errors = _on_form(refusal(error))
        return _card_page(request, member, uuid, values=values, errors=errors, status=400)
    return RedirectResponse(f"/fleet/cards/{uuid}?done={done}", status_code=303)


def _vehicle_uuid(db: Session, actor: Actor, text: str, required: bool = False) -> UUID | None:
    """The uuid of the active vehicle whose VIN or registration the member typed."""
    if not text:
        if required:
            raise InvalidField("give the VIN or registration of a vehicle", field="vehicle")
        return None
    return vehicle_records.active_vehicle(db, actor, text, field="vehicle").uuid


def _on_form(errors: dict[str, str]) -> dict[str, str]:
    """The services name the vehicle `vehicle_uuid`; the form asks for it as `vehicle`."""
    if "vehicle_uuid" in errors:
        errors["vehicle"] = errors.pop("vehicle_uuid")
    return errors


def _new_form(
    request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return render(
        request,
        "fleet/card_new.html",
        {"title": "Add a card", "values": values, "errors": errors},
        status=status,
    )


def _card_page(
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
        card = service.get_card(db, member.actor, uuid)
        view = service.card_view(card)
        vehicle = card.vehicle
        registration = vehicle.registration_number if vehicle else None
    typed = {k: v for k, v in (values or {}).items() if k != "version"}
    return render(
        request,
        "fleet/card.html",
        {
            "title": f"Card {view['id_tag']}",
            "card": view,
            "record": card,
            "registration": registration,
            "notice": notice,
            "values": {
                "vehicle": "",
                "expires_at": local_input(card.expires_at, member.timezone),
                **typed,
            },
            "version": view["version"],
            "errors": errors or {},
        },
        status=status,
    )

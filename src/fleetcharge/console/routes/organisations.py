"""The operator's organisations: list and search, create, details with their fleets (add,
rename), and edit, billing settings and invoice details included."""

import re
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
    given,
    search,
    submit,
    texts,
    version,
)
from fleetcharge.console.lists import first_url, next_url, page_request
from fleetcharge.console.member import Member
from fleetcharge.console.pages import render
from fleetcharge.console.security import CheckedForm, OperatorMember
from fleetcharge.db import unit_of_work
from fleetcharge.errors import NotFound
from fleetcharge.fleets import fleet_records
from fleetcharge.fleets.admin_schemas import FleetCreate, FleetRename
from fleetcharge.models import Fleet, Organisation
from fleetcharge.models.token import ENDPOINT_SCOPES
from fleetcharge.organisations import service
from fleetcharge.organisations.schemas import OrganisationCreate, OrganisationUpdate

router = APIRouter()

BASE = "/network/organisations"
# Invoice details: text a member may clear by emptying the field.
DETAILS = (
    "legal_name",
    "address",
    "contact_name",
    "contact_email",
    "contact_phone",
    "abn",
    "purchase_order",
)
# Billing settings: left as they are when the field is empty.
SETTINGS = (
    "billing_timezone",
    "vehicle_fee",
    "station_subscription_fee",
    "network_fee_per_kwh",
    "payment_terms_days",
)
FIELDS = ("name", *SETTINGS, *DETAILS, "billing_emails")


@router.get(BASE, response_class=HTMLResponse)
def organisations_page(
    request: Request,
    member: OperatorMember,
    q: str | None = None,
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    searched = search(q)
    with unit_of_work(request.app.state.engine) as db:
        page = service.list_organisations(db, member.actor, page_request(cursor), searched)
        return render(
            request,
            "organisations/list.html",
            {
                "title": "Organisations",
                "organisations": page.items,
                "total": page.total,
                "q": searched or "",
                "next_url": next_url(request, page),
                "first_url": first_url(request),
            },
        )


@router.get(f"{BASE}/new", response_class=HTMLResponse)
def new_organisation_page(request: Request, member: OperatorMember) -> Response:
    member.actor.require("organisations", "create")
    return _form(request, None, {"billing_timezone": "Australia/Sydney"}, {})


@router.post(f"{BASE}/new", response_class=HTMLResponse)
def create_organisation(request: Request, member: OperatorMember, form: CheckedForm) -> Response:
    values = texts(form, *FIELDS)

    def change(db: Session) -> str:
        data = body(
            OrganisationCreate,
            {
                **given({name: values[name] for name in (*SETTINGS, *DETAILS)}),
                "name": values["name"],
                "billing_emails": _emails(values["billing_emails"]),
            },
        )
        organisation = service.create_organisation(db, member.actor, data)
        return f"{BASE}/{organisation.uuid}?done=created"

    return submit(request, change, lambda errors: _form(request, None, values, errors))


@router.get(f"{BASE}/{{uuid}}", response_class=HTMLResponse)
def organisation_page(
    request: Request, member: OperatorMember, uuid: UUID, done: str | None = None
) -> Response:
    with unit_of_work(request.app.state.engine) as db:
        organisation = service.get_organisation(db, member.actor, uuid)
        return _details(request, db, organisation, done, {}, {})


@router.get(f"{BASE}/{{uuid}}/edit", response_class=HTMLResponse)
def edit_organisation_page(request: Request, member: OperatorMember, uuid: UUID) -> Response:
    member.actor.require("organisations", "update")
    with unit_of_work(request.app.state.engine) as db:
        organisation = service.get_organisation(db, member.actor, uuid)
        view = service.organisation_view(organisation)
    values = {name: _shown(view.get(name)) for name in FIELDS}
    values["abn"] = view["abn_display"] or ""
    values["billing_emails"] = ", ".join(view["billing_emails"])
    values["rate_limits"] = "\n".join(f"{k}={v}" for k, v in view["rate_limits"].items())
    values["version"] = str(view["version"])
    return _form(request, view, values, {})


@router.post(f"{BASE}/{{uuid}}/edit", response_class=HTMLResponse)
def update_organisation(
    request: Request, member: OperatorMember, uuid: UUID, form: CheckedForm
) -> Response:
    values = texts(form, *FIELDS, "rate_limits", "version")

    def change(db: Session) -> str:
        organisation = service.get_organisation(db, member.actor, uuid)
        data = body(
            OrganisationUpdate,
            {
                "name": values["name"],
                **{name: values[name] for name in DETAILS},
                **given({name: values[name] for name in SETTINGS}),
                "billing_emails": _emails(values["billing_emails"]),
                "rate_limits": _rate_limits(values["rate_limits"], organisation.rate_limits),
            },
        )
        expected = version(values["version"])
        service.update_organisation(db, member.actor, organisation, data, expected)
        return f"{BASE}/{uuid}?done=saved"

    def again(errors: dict[str, str]) -> Response:
        with unit_of_work(request.app.state.engine) as db:
            view = service.organisation_view(service.get_organisation(db, member.actor, uuid))
        return _form(request, view, values, errors)

    return submit(request, change, again)


@router.post(f"{BASE}/{{uuid}}/fleets", response_class=HTMLResponse)
def add_fleet(request: Request, member: OperatorMember, uuid: UUID, form: CheckedForm) -> Response:
    values = texts(form, "name")

    def change(db: Session) -> str:
        data = body(FleetCreate, {"organisation_uuid": uuid, "name": values["name"]})
        fleet_records.create_fleet(db, member.actor, data)
        return f"{BASE}/{uuid}?done=fleet_added"

    def again(errors: dict[str, str]) -> Response:
        with unit_of_work(request.app.state.engine) as db:
            organisation = service.get_organisation(db, member.actor, uuid)
            return _details(request, db, organisation, None, values, errors)

    return submit(request, change, again)


@router.post(f"{BASE}/{{uuid}}/fleets/{{fleet_uuid}}", response_class=HTMLResponse)
def rename_fleet(
    request: Request, member: OperatorMember, uuid: UUID, fleet_uuid: UUID, form: CheckedForm
) -> Response:
    values = texts(form, "name", "version")

    def change(db: Session) -> str:
        fleet = _fleet(db, member, uuid, fleet_uuid)
        data = body(FleetRename, {"name": values["name"]})
        fleet_records.rename_fleet(db, member.actor, fleet, data, version(values["version"]))
        return f"{BASE}/{uuid}?done=fleet_renamed"

    def again(errors: dict[str, str]) -> Response:
        with unit_of_work(request.app.state.engine) as db:
            organisation = service.get_organisation(db, member.actor, uuid)
            renaming = {"fleet": str(fleet_uuid), **values}
            return _details(request, db, organisation, None, renaming, errors)

    return submit(request, change, again)


def _fleet(db: Session, member: Member, organisation_uuid: UUID, fleet_uuid: UUID) -> Fleet:
    """The fleet, if it is this organisation's (another's is not found here)."""
    organisation = service.get_organisation(db, member.actor, organisation_uuid)
    fleet = fleet_records.get_fleet(db, member.actor, fleet_uuid)
    if fleet.organisation_id != organisation.id:
        raise NotFound(f"no fleet {fleet_uuid} in {organisation.name}")
    return fleet


def _details(
    request: Request,
    db: Session,
    organisation: Organisation,
    done: str | None,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    fleets = db.scalars(
        select(Fleet).where(Fleet.organisation_id == organisation.id).order_by(Fleet.name)
    ).all()
    notice = done_notice(done, organisation.name)
    return render(
        request,
        "organisations/detail.html",
        {
            "title": organisation.name,
            "organisation": service.organisation_view(organisation),
            "fleets": fleets,
            "notice": notice,
            "values": values,
            "errors": errors,
        },
    )


def _form(
    request: Request,
    view: dict[str, Any] | None,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    title = f"Edit {view['name']}" if view else "New organisation"
    return render(
        request,
        "organisations/form.html",
        {
            "title": title,
            "organisation": view,
            "values": values,
            "errors": errors,
            "timezones": TIMEZONE_CHOICES,
            "endpoints": ENDPOINT_SCOPES,
        },
    )


def _rate_limits(text: str, current: dict[str, str] | None) -> dict[str, str | None]:
    """The form's `endpoint=limit` lines are the whole set: an endpoint left out gets the
    network's default limits again."""
    changes = service.rate_limit_changes([line for line in text.splitlines() if line.strip()])
    for endpoint in current or {}:
        changes.setdefault(endpoint, None)
    return changes


def _emails(text: str) -> list[str]:
    """The billing emails typed, separated by commas, spaces or lines."""
    return [address for address in re.split(r"[,\s]+", text) if address]


def _shown(value: object) -> str:
    return "" if value is None else str(value)

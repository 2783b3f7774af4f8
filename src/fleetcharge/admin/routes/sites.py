"""A location's smart-charging settings: its power limit, strategy and weekly schedule, its
circuits, and an open transaction's own charging need. Registered before the locations' and
stations' routes."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from fleetcharge.admin.calls import admin_call, expected_version, json_response, object_response
from fleetcharge.admin.documents import changes, creates, lists, shows
from fleetcharge.network.locations import get_location
from fleetcharge.network.stations import get_station
from fleetcharge.sites import service
from fleetcharge.sites.schemas import (
    ChargingNeedBody,
    ChargingNeedView,
    CircuitCreate,
    CircuitUpdate,
    CircuitView,
    PowerBody,
    PowerView,
)

router = APIRouter(tags=["Smart charging"])
CircuitRef = Annotated[
    str, Path(max_length=100, description="The circuit's UUID or its name at the site.")
]
ConnectorNumber = Annotated[int, Path(ge=1, le=99, description="The OCPP connectorId.")]


@router.get(
    "/locations/{uuid}/power",
    summary="The site's power limit, strategy and weekly limit schedule",
    **shows(PowerView, "The settings; version 0: never set."),
)
def show_power(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "locations", "read") as (db, actor):
        return object_response(service.site_settings(db, get_location(db, actor, uuid)))


@router.put(
    "/locations/{uuid}/power",
    summary="Set the site's power limit (null: no smart charging), strategy and schedule",
    **changes(PowerView),
)
def set_power(request: Request, uuid: UUID, body: PowerBody) -> Response:
    version = expected_version(request)
    with admin_call(request, "locations", "update") as (db, actor):
        location = get_location(db, actor, uuid)
        windows = service.schedule_windows(body.schedule) if body.schedule is not None else None
        view = service.set_power(
            db,
            actor,
            location,
            limit_kw=body.limit_kw,
            strategy=body.strategy,
            windows=windows,
            expected_version=version,
        )
        return object_response(view)


@router.get(
    "/locations/{uuid}/circuits",
    summary="The site's circuits (feeders, sub-panels) and the stations on each",
    **lists(CircuitView, paged=False),
)
def list_circuits(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "locations", "read") as (db, actor):
        location = get_location(db, actor, uuid)
        views = [service.circuit_view(db, c) for c in service.circuits_of(db, location)]
        return json_response({"data": views})


@router.post(
    "/locations/{uuid}/circuits",
    summary="Add a circuit to the site",
    **creates(CircuitView),
)
def add_circuit(request: Request, uuid: UUID, body: CircuitCreate) -> Response:
    with admin_call(request, "locations", "update") as (db, actor):
        location = get_location(db, actor, uuid)
        circuit = service.add_circuit(db, actor, location, body)
        return json_response(service.circuit_view(db, circuit), 201)


@router.get("/locations/{uuid}/circuits/{circuit}", summary="Show a circuit", **shows(CircuitView))
def show_circuit(request: Request, uuid: UUID, circuit: CircuitRef) -> Response:
    with admin_call(request, "locations", "read") as (db, actor):
        location = get_location(db, actor, uuid)
        return json_response(service.circuit_view(db, service.get_circuit(db, location, circuit)))


@router.patch(
    "/locations/{uuid}/circuits/{circuit}",
    summary="Change a circuit (name, limits, phases, parent)",
    **shows(CircuitView, "The circuit as changed."),
)
def update_circuit(
    request: Request, uuid: UUID, circuit: CircuitRef, body: CircuitUpdate
) -> Response:
    with admin_call(request, "locations", "update") as (db, actor):
        location = get_location(db, actor, uuid)
        found = service.get_circuit(db, location, circuit)
        changed = service.update_circuit(db, actor, location, found, body)
        return json_response(service.circuit_view(db, changed))


@router.delete(
    "/locations/{uuid}/circuits/{circuit}",
    summary="Remove a circuit nothing hangs from",
    **shows(CircuitView, "The circuit removed."),
)
def remove_circuit(request: Request, uuid: UUID, circuit: CircuitRef) -> Response:
    with admin_call(request, "locations", "update") as (db, actor):
        location = get_location(db, actor, uuid)
        found = service.get_circuit(db, location, circuit)
        view = service.circuit_view(db, found)
        service.remove_circuit(db, actor, location, found)
        return json_response(view)


@router.put(
    "/stations/{uuid}/connectors/{connector}/charging-need",
    summary="Set the open transaction's own departure and energy need",
    **shows(ChargingNeedView, "The transaction's need."),
)
def set_charging_need(
    request: Request, uuid: UUID, connector: ConnectorNumber, body: ChargingNeedBody
) -> Response:
    with admin_call(request, "stations", "update") as (db, actor):
        station = get_station(db, actor, uuid)
        view = service.set_charging_need(
            db,
            actor,
            station,
            connector,
            departure_at=body.departure_at,
            energy_kwh=body.energy_kwh,
        )
        return json_response(view)

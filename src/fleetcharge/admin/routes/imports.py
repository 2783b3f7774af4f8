"""Bulk imports: the CSV file is the request body (formats in docs/import.md)."""

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from fleetcharge.admin.calls import admin_call, json_response
from fleetcharge.imports.locations import import_locations
from fleetcharge.imports.problems import InvalidFile
from fleetcharge.imports.schemas import ImportErrorBody, LocationsImported, VehiclesImported
from fleetcharge.imports.summary import Summary
from fleetcharge.imports.table import MAX_BYTES
from fleetcharge.imports.vehicles import import_vehicles
from fleetcharge.organisations.service import get_organisation

router = APIRouter(prefix="/imports", tags=["Imports"])

DryRun = Annotated[
    bool, Query(description="Check the file and answer what it would change; write nothing.")
]
CSV_BODY = {
    "required": True,
    "description": "The CSV file: UTF-8 (a byte order mark is allowed), a header row naming "
    "the columns in any order, CRLF or LF line ends.",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


def _imports(model: type[BaseModel], body_example: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {"model": model, "description": "Imported (or, on a dry run, checked)."},
            400: {
                "model": ImportErrorBody,
                "description": "The file has problems (`invalid_file`: each by line and "
                "column, nothing written), or a parameter is invalid.",
            },
        },
        "openapi_extra": {
            "requestBody": {
                **CSV_BODY,
                "content": {"text/csv": {"schema": {"type": "string"}, "example": body_example}},
            }
        },
    }


async def _file(request: Request) -> bytes:
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_BYTES:
            raise InvalidFile([], 0, f"the file is larger than {MAX_BYTES // 2**20} MB: split it")
    return bytes(data)


async def _answer(run: Callable[[], Summary]) -> Response:
    try:
        summary = await run_in_threadpool(run)
    except InvalidFile as error:
        detail = {
            "code": error.code,
            "message": error.message,
            "problems": [problem.view() for problem in error.problems],
            "total_problems": error.total,
        }
        return json_response({"error": detail}, 400)
    return json_response(summary.view())


@router.post(
    "/vehicles",
    summary="Import an organisation's vehicles with their cards (CSV; all or nothing)",
    **_imports(
        VehiclesImported,
        "vin,registration_number,fleet,cards\r\n1HGCM82633A004352,ABC123,Depot,04E1A2B3\r\n",
    ),
)
async def import_vehicles_file(
    request: Request,
    organisation_uuid: Annotated[UUID, Query(description="The vehicles' organisation.")],
    fleet: Annotated[
        str | None,
        Query(description="The fleet of rows without one (created if it does not exist)."),
    ] = None,
    dry_run: DryRun = False,
) -> Response:
    data = await _file(request)

    def run() -> Summary:
        with admin_call(request, "vehicles", "import") as (db, actor):
            organisation = get_organisation(db, actor, organisation_uuid)
            return import_vehicles(db, actor, organisation, data, fleet=fleet, dry_run=dry_run)

    return await _answer(run)


@router.post(
    "/locations",
    summary="Import locations with their stations and connectors (CSV; all or nothing)",
    **_imports(
        LocationsImported,
        "location,host_organisation,address,timezone,station_identity,evse_id,station_name,"
        "connector_id\r\nDepot,Acme,1 Main St Sydney,Australia/Sydney,CP1,AU*FCN*E1,Bay 1,1\r\n",
    ),
)
async def import_locations_file(request: Request, dry_run: DryRun = False) -> Response:
    data = await _file(request)

    def run() -> Summary:
        with admin_call(request, "locations", "import") as (db, actor):
            return import_locations(db, actor, data, dry_run=dry_run)

    return await _answer(run)

"""Reservations of a station's connectors (ReserveNow, CancelReservation) and their record.
Registered before the stations' routes."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Path, Query, Request, Response

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    admin_call,
    authorised,
    json_response,
    page_request,
    page_response,
)
from fleetcharge.admin.documents import lists
from fleetcharge.admin.routes.station_commands import SENDS
from fleetcharge.csms.commands import Command, CommandAnswer
from fleetcharge.csms.routing import StationRouter
from fleetcharge.errors import DomainError, InvalidField
from fleetcharge.models import Reservation
from fleetcharge.reservations import service
from fleetcharge.reservations.schemas import (
    MAX_INT32,
    ReservationCommandView,
    ReservationView,
    ReserveBody,
)

router = APIRouter(prefix="/stations/{identity}/reservations", tags=["Reservations"])
SENDS_RESERVATION: dict[str, Any] = {
    **SENDS,
    "responses": {**SENDS["responses"], 200: {"model": ReservationCommandView}},
}
ReservationId = Annotated[int, Path(ge=1, le=MAX_INT32, description="The reservationId.")]
StatusFilter = Annotated[
    str | None,
    Query(
        description="Only those with this status.",
        json_schema_extra={"enum": list(service.LISTED_STATUSES)},
    ),
]


def _now(request: Request) -> datetime:
    now: Callable[[], datetime] = request.app.state.central_system.config.now
    return now()


def _router(request: Request) -> StationRouter:
    station_router: StationRouter = request.app.state.central_system.router
    return station_router


async def _in_thread(request: Request, work: Callable[..., Any]) -> Any:
    def run() -> Any:
        with admin_call(request, "stations", "command") as (db, actor):
            return work(db, actor)

    return await anyio.to_thread.run_sync(run)


def _answered(answer: CommandAnswer, reservation: dict[str, Any]) -> Response:
    return json_response({**answer.to_json(), "reservation": reservation})


@router.post(
    "", summary="Reserve a connector for a card until a time (ReserveNow)", **SENDS_RESERVATION
)
async def reserve(request: Request, identity: str, body: ReserveBody) -> Response:
    authorised(request, "stations", "command")
    at = _now(request)
    if body.connector_id == 0:
        await _connector_zero_allowed(request, identity)
    reservation: Reservation = await _in_thread(
        request,
        lambda db, actor: service.create(
            db,
            actor,
            identity,
            connector=body.connector_id,
            id_tag=body.id_tag,
            parent_id_tag=body.parent_id_tag,
            expires_at=body.expiry_date,
            at=at,
        ),
    )
    payload: dict[str, Any] = {
        "connectorId": body.connector_id,
        "expiryDate": body.expiry_date.isoformat(),
        "idTag": body.id_tag,
        "reservationId": reservation.id,
    }
    if body.parent_id_tag is not None:
        payload["parentIdTag"] = body.parent_id_tag
    try:
        answer = await _router(request).send(identity, Command("ReserveNow", payload))
    except DomainError as error:
        code = error.code
        await _in_thread(
            request, lambda db, _: service.record_reserve_answer(db, reservation.id, code)
        )
        raise
    recorded = await _in_thread(
        request,
        lambda db, _: service.view(
            db, service.record_reserve_answer(db, reservation.id, str(answer.status)), at
        ),
    )
    return _answered(answer, recorded)


async def _connector_zero_allowed(request: Request, identity: str) -> None:
    key = "ReserveConnectorZeroSupported"
    answer = await _router(request).send(identity, Command("GetConfiguration", {"key": [key]}))
    values = {
        item.get("key"): str(item.get("value", "")).lower()
        for item in answer.answer.get("configurationKey") or []
        if isinstance(item, dict)
    }
    if values.get(key) != "true":
        raise InvalidField(
            f"charge station {identity!r} does not take reservations of connector 0 "
            f"({key} is not true)",
            field="connectorId",
        )


async def _cancel(request: Request, identity: str, reservation_id: int) -> Response:
    authorised(request, "stations", "command")
    at = _now(request)
    await _in_thread(request, lambda db, _: service.cancellable(db, identity, reservation_id, at))
    answer = await _router(request).send(
        identity, Command("CancelReservation", {"reservationId": reservation_id})
    )
    recorded = await _in_thread(
        request,
        lambda db, actor: service.view(
            db,
            service.record_cancel_answer(db, actor, reservation_id, str(answer.status), at),
            at,
        ),
    )
    return _answered(answer, recorded)


@router.delete(
    "/{reservation_id}", summary="Cancel a reservation (CancelReservation)", **SENDS_RESERVATION
)
async def cancel(request: Request, identity: str, reservation_id: ReservationId) -> Response:
    return await _cancel(request, identity, reservation_id)


@router.post(
    "/{reservation_id}/cancel",
    summary="Cancel a reservation (CancelReservation)",
    **SENDS_RESERVATION,
)
async def cancel_by_post(
    request: Request, identity: str, reservation_id: ReservationId
) -> Response:
    return await _cancel(request, identity, reservation_id)


@router.get("", summary="The station's reservations, newest first", **lists(ReservationView))
def list_reservations(
    request: Request,
    identity: str,
    cursor: Cursor = None,
    limit: Limit = None,
    status: StatusFilter = None,
) -> Response:
    at = _now(request)
    with admin_call(request, "stations", "read") as (db, _):
        page = service.list_reservations(db, identity, page_request(cursor, limit), at, status)
        return page_response(request, page, lambda reservation: service.view(db, reservation, at))

"""The security extensions of OCPP 1.6 for operators: a station's security events and
certificate signing requests, and the certificate commands (install, list, delete, renew,
ExtendedTriggerMessage) sent over its socket. Registered before the stations' routes."""

from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

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
from fleetcharge.db import unit_of_work
from fleetcharge.kit.cursors import Page
from fleetcharge.permissions import Actor
from fleetcharge.station_security import service
from fleetcharge.station_security.schemas import (
    CertificateRequestView,
    CertificateType,
    CertificateTypeBody,
    DeleteCertificateBody,
    ExtendedTriggerBody,
    InstallCertificateBody,
    InstalledCertificateView,
    RenewCertificateBody,
    SecurityEventView,
)

router = APIRouter(prefix="/stations", tags=["Station security"])

TypeFilter = Annotated[
    str | None, Query(description="Only events of this type, e.g. TamperDetectionActivated.")
]
CertificateTypeFilter = Annotated[
    CertificateType | None, Query(description="Only certificates of this type.")
]


async def _send(request: Request, identity: str, command: Command) -> tuple[Actor, CommandAnswer]:
    actor = authorised(request, "stations", "command")
    station_router: StationRouter = request.app.state.central_system.router
    return actor, await station_router.send(identity, command)


async def _send_audited(request: Request, identity: str, command: Command) -> Response:
    """Send a command that changes the station's certificates; audited with its answer."""
    actor, answer = await _send(request, identity, command)

    def audit() -> None:
        with unit_of_work(request.app.state.engine) as db:
            service.audit_command(
                db, actor, identity, command.action, command.payload, answer.status
            )

    await anyio.to_thread.run_sync(audit)
    return json_response(answer.to_json())


def _station_page(
    request: Request, identity: str, fetch: Callable[[Session, int], Page[Any]], view: Any
) -> Response:
    with admin_call(request, "stations", "read") as (db, _):
        station = service.station_named(db, identity)
        return page_response(request, fetch(db, station.id), view)


@router.get(
    "/{identity}/security-events",
    summary="The station's security events (SecurityEventNotification), newest first",
    **lists(SecurityEventView),
)
def security_events(
    request: Request,
    identity: str,
    cursor: Cursor = None,
    limit: Limit = None,
    type: TypeFilter = None,
) -> Response:
    page = page_request(cursor, limit)
    return _station_page(
        request,
        identity,
        lambda db, station_id: service.list_security_events(db, station_id, page, type or None),
        service.security_event_view,
    )


@router.get(
    "/{identity}/certificate-requests",
    summary="The station's certificate signing requests (SignCertificate), newest first",
    **lists(CertificateRequestView),
)
def certificate_requests(
    request: Request, identity: str, cursor: Cursor = None, limit: Limit = None
) -> Response:
    page = page_request(cursor, limit)
    return _station_page(
        request,
        identity,
        lambda db, station_id: service.list_certificate_requests(db, station_id, page),
        service.certificate_request_view,
    )


@router.get(
    "/{identity}/installed-certificates",
    summary="The certificates the station listed when last asked (GetInstalledCertificateIds)",
    **lists(InstalledCertificateView),
)
def installed_certificates(
    request: Request,
    identity: str,
    cursor: Cursor = None,
    limit: Limit = None,
    certificate_type: CertificateTypeFilter = None,
) -> Response:
    page = page_request(cursor, limit)
    return _station_page(
        request,
        identity,
        lambda db, station_id: service.list_installed(db, station_id, page, certificate_type),
        service.installed_view,
    )


@router.post(
    "/{identity}/get-installed-certificates",
    summary="Ask the station which certificates of a type it has (GetInstalledCertificateIds); "
    "the answer is kept",
    **SENDS,
)
async def get_installed_certificates(
    request: Request, identity: str, body: CertificateTypeBody
) -> Response:
    _, answer = await _send(
        request, identity, Command("GetInstalledCertificateIds", body.payload())
    )
    if answer.status in (service.ACCEPTED, "NotFound"):
        engine = request.app.state.engine
        now = request.app.state.central_system.config.now()

        def keep() -> None:
            with unit_of_work(engine) as db:
                station = service.station_named(db, identity)
                service.replace_installed(db, station.id, body.certificate_type, answer.answer, now)

        await anyio.to_thread.run_sync(keep)
    return json_response(answer.to_json())


@router.post(
    "/{identity}/install-certificate",
    summary="Install a root certificate on the station (InstallCertificate)",
    **SENDS,
)
async def install_certificate(
    request: Request, identity: str, body: InstallCertificateBody
) -> Response:
    return await _send_audited(request, identity, Command("InstallCertificate", body.payload()))


@router.post(
    "/{identity}/delete-certificate",
    summary="Delete a certificate from the station (DeleteCertificate), by its hash data or PEM",
    **SENDS,
)
async def delete_certificate(
    request: Request, identity: str, body: DeleteCertificateBody
) -> Response:
    return await _send_audited(request, identity, Command("DeleteCertificate", body.payload()))


@router.post(
    "/{identity}/extended-trigger",
    summary="Ask the station to send a message (ExtendedTriggerMessage)",
    **SENDS,
)
async def extended_trigger(request: Request, identity: str, body: ExtendedTriggerBody) -> Response:
    _, answer = await _send(request, identity, Command("ExtendedTriggerMessage", body.payload()))
    return json_response(answer.to_json())


@router.post(
    "/{identity}/renew-certificate",
    summary="Ask the station for a new client certificate: "
    "ExtendedTriggerMessage(SignChargePointCertificate); it sends a CSR, which is signed and "
    "sent back (see certificate-requests)",
    **SENDS,
)
async def renew_certificate(
    request: Request, identity: str, body: RenewCertificateBody | None = None
) -> Response:
    command = Command("ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"})
    return await _send_audited(request, identity, command)

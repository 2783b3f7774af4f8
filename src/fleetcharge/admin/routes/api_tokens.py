from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import Cursor, Limit, create, page_request
from fleetcharge.admin.documents import creates, lists, shows
from fleetcharge.admin.resources import Resource
from fleetcharge.auth import service
from fleetcharge.auth.schemas import TOKEN_STATES, ApiTokenCreate, ApiTokenIssued, ApiTokenView
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/api-tokens", tags=["Fleets API tokens"])
TOKENS = Resource("api_tokens", service.get_api_token, service.token_view)

OrganisationFilter = Annotated[UUID | None, Query(description="Only this organisation's tokens.")]
StateFilter = Annotated[
    str | None,
    Query(
        description="active, expired or revoked.",
        json_schema_extra={"enum": list(TOKEN_STATES)},
    ),
]


@router.get("", summary="List Fleets API tokens (never their secrets)", **lists(ApiTokenView))
def list_api_tokens(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    organisation_uuid: OrganisationFilter = None,
    state: StateFilter = None,
) -> Response:
    return TOKENS.page(
        request,
        lambda db, actor: service.list_api_tokens(
            db, actor, page_request(cursor, limit), organisation_uuid, state
        ),
    )


@router.post(
    "",
    summary="Issue a Fleets API token (the secret is shown once, as `token`)",
    **creates(ApiTokenIssued, "Issued; `token` is the secret, shown this once only."),
)
def issue_api_token(request: Request, body: ApiTokenCreate) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        issued = service.issue_api_token(db, actor, body)
        return 201, {**service.token_view(issued.token), "token": issued.secret}

    return create(request, "api_tokens", "create", body, make)


@router.get("/{uuid}", summary="Show a Fleets API token", **shows(ApiTokenView, "The token."))
def show_api_token(request: Request, uuid: UUID) -> Response:
    return TOKENS.show(request, uuid)


@router.post(
    "/{uuid}/revoke",
    summary="Revoke a Fleets API token: refused from the next call",
    **shows(ApiTokenView, "The token, revoked (revoking twice changes nothing)."),
)
def revoke_api_token(request: Request, uuid: UUID) -> Response:
    return TOKENS.answer(
        request, "revoke", lambda db, actor: service.revoke_api_token(db, actor, uuid)
    )

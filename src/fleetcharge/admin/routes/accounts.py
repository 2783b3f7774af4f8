from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.accounts import service
from fleetcharge.accounts.schemas import AccountCreated, AccountView
from fleetcharge.admin.calls import admin_call, create, json_response
from fleetcharge.admin.documents import creates, lists, shows
from fleetcharge.auth.service import parse_duration
from fleetcharge.errors import InvalidField, InvalidParameter, NotFound
from fleetcharge.models import Account, Organisation
from fleetcharge.permissions import Actor

router = APIRouter(prefix="/accounts", tags=["Accounts"])


class AccountCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Night shift", "role": "support"}]},
    )

    name: str = Field(description="Who the account is for, e.g. a person or a system.")
    role: str = Field(
        description="admin, support or billing for operator staff; fleet_manager, site_host "
        "or read_only for a member of `organisation_uuid`."
    )
    organisation_uuid: UUID | None = Field(
        None, description="Makes the account a member of this organisation only."
    )
    expires_in: str | None = Field(None, description="Token lifetime such as 90d; none: never.")


@router.get("", summary="List accounts", **lists(AccountView, paged=False))
def list_accounts(request: Request) -> Response:
    with admin_call(request, "accounts", "read") as (db, actor):
        accounts = service.list_accounts(db, actor)
        return json_response({"data": [service.account_view(a) for a in accounts]})


@router.post(
    "",
    summary="Create an account and its first admin token (the secret is shown once)",
    **creates(AccountCreated, "Created; `token` is its admin token, shown this once only."),
)
def create_account(request: Request, body: AccountCreate) -> Response:
    def make(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        organisation = None
        if body.organisation_uuid is not None:
            organisation = db.scalar(
                select(Organisation).where(Organisation.uuid == body.organisation_uuid)
            )
            if organisation is None:
                raise InvalidField(
                    f"no organisation {body.organisation_uuid}", field="organisation_uuid"
                )
        lifetime = None
        if body.expires_in is not None:
            try:
                lifetime = parse_duration(body.expires_in)
            except InvalidParameter as error:
                raise InvalidField(str(error), field="expires_in") from None
        issued = service.create_account(db, actor, body.name, body.role, organisation, lifetime)
        view = service.account_view(issued.token.account)
        return 201, {**view, "token": issued.secret}

    return create(request, "accounts", "create", body, make)


@router.post(
    "/{uuid}/revoke",
    summary="Revoke an account and all its tokens",
    **shows(AccountView, "The account, revoked."),
)
def revoke_account(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "accounts", "revoke") as (db, actor):
        account = db.scalar(select(Account).where(Account.uuid == uuid))
        if account is None:
            raise NotFound(f"no account {uuid}")
        service.revoke_account(db, actor, account)
        return json_response(service.account_view(account))

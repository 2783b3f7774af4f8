"""What the admin API and the CLI send to issue a Fleets API token."""

from typing import Literal, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from fleetcharge.models.token import ENDPOINT_SCOPES

TokenState = Literal["active", "expired", "revoked"]
TOKEN_STATES: tuple[str, ...] = get_args(TokenState)


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_uuid": "2f1b7c1e-5c5e-4b8e-9f3a-0d4c8a6b1e27",
                    "scopes": ["usage", "invoices"],
                    "expires_in": "90d",
                    "name": "finance reporting",
                }
            ]
        },
    )

    organisation_uuid: UUID | None = Field(
        None,
        description="The organisation whose data the token reads. Required for operator "
        "staff; an organisation's member may leave it out (its own).",
    )
    scopes: list[str] | None = Field(
        None,
        description="Endpoints the token may call, among "
        + ", ".join(ENDPOINT_SCOPES)
        + "; all of them when left out.",
    )
    expires_in: str | None = Field(
        None, description="Lifetime such as 12h, 90d, 8w or 1y; none: never expires."
    )
    name: str | None = Field(None, description="A label to recognise the token by.")


class TokenOrganisation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str


class ApiTokenView(BaseModel):
    """What the admin API answers for a Fleets API token: never its secret."""

    model_config = ConfigDict(extra="forbid")

    uuid: str
    organisation: TokenOrganisation
    name: str | None
    prefix: str = Field(description="The secret's first characters, to tell tokens apart.")
    scopes: list[str]
    state: TokenState
    created_at: str
    expires_at: str | None
    revoked_at: str | None


class ApiTokenIssued(ApiTokenView):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(description="The secret (fct_...), shown this once only.")

"""What the admin API and the CLI send to issue a Fleets API token."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from fleetcharge.models.token import ENDPOINT_SCOPES


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

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

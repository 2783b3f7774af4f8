"""What the admin API answers for accounts (documents the responses)."""

from pydantic import BaseModel, ConfigDict, Field


class OrganisationRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str


class AccountView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str
    role: str = Field(description="admin, support, billing, fleet_manager, site_host or read_only.")
    organisation: OrganisationRef | None = Field(
        description="The organisation a member belongs to; null for operator staff."
    )
    created_at: str
    revoked_at: str | None


class AccountCreated(AccountView):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(description="Its admin token (fca_...), shown this once only.")

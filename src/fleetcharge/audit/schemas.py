"""What the admin API answers for the audit log (documents the response)."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditActor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str | None = Field(description="The account; null for the command line.")
    name: str
    role: str


class AuditEventView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    at: str
    actor: AuditActor
    action: str = Field(description="create, update, revoke, ...")
    resource: str = Field(description="organisation, account, api_token, ...")
    resource_uuid: str
    before: dict[str, Any] | None = Field(description="The object before; null for a create.")
    after: dict[str, Any] | None = Field(description="The object after the change.")
    request_id: str | None = Field(description="The HTTP request that made it, if any.")

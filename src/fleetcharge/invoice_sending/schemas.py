"""What the admin API takes to send a document and the views it answers with (the views
document the responses; strict)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fleetcharge.invoice_sending.service import Outcome
from fleetcharge.models import InvoiceSending


class SendRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"force": False, "dry_run": False}]}
    )

    force: bool = Field(
        False,
        description="Send it again although it was sent (a re-send, recorded as forced).",
    )
    dry_run: bool = Field(
        False, description="Only say what would be sent (200); send and record nothing."
    )


class SendingActor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str | None = Field(description="The admin account; null for the command line.")
    name: str
    role: str


class SendingView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    invoice_number: int
    kind: Literal["sending", "reminder"] = Field(
        description="`sending`: the document; `reminder`: a payment reminder attaching it."
    )
    forced: bool = Field(description="A re-send asked for with `force`.")
    recipients: list[str]
    subject: str
    attachment_sha256: str = Field(description="SHA-256 of the PDF attached, hex.")
    message_id: str = Field(description="The email's Message-ID header.")
    attempted_at: str
    sent_at: str | None = Field(description="When the relay accepted it; null unless sent.")
    result: Literal["pending", "sent", "failed"] = Field(
        description="`pending`: claimed, outcome unknown yet (or its process stopped); "
        "`sent`: accepted by the relay; `failed`: nothing accepted."
    )
    error: str | None = Field(
        description="Why it failed, or the recipients the relay refused when others took it."
    )
    actor: SendingActor


class SendPreviewView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: Literal[True]
    invoice_number: int
    organisation: str
    recipients: list[str]


def sending_view(sending: InvoiceSending, number: int) -> dict[str, Any]:
    return {
        "uuid": str(sending.uuid),
        "invoice_number": number,
        "kind": sending.kind,
        "forced": sending.forced,
        "recipients": list(sending.recipients),
        "subject": sending.subject,
        "attachment_sha256": sending.attachment_sha256,
        "message_id": sending.message_id,
        "attempted_at": sending.attempted_at.isoformat(),
        "sent_at": sending.sent_at.isoformat() if sending.sent_at else None,
        "result": sending.result,
        "error": sending.error,
        "actor": {
            "uuid": str(sending.actor_uuid) if sending.actor_uuid else None,
            "name": sending.actor_name,
            "role": sending.actor_role,
        },
    }


def preview_view(outcome: Outcome) -> dict[str, Any]:
    return {
        "dry_run": True,
        "invoice_number": outcome.number,
        "organisation": outcome.organisation,
        "recipients": list(outcome.recipients),
    }

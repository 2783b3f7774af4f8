"""What the admin API and the CLI send to manage webhook subscriptions, and what they are
answered: never a signing secret, except once in the answer that issues it."""

from typing import Literal, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

DeliveryStatus = Literal["pending", "delivered", "failed"]
DELIVERY_STATUSES: tuple[str, ...] = get_args(DeliveryStatus)


class WebhookSubscriptionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_uuid": "2f1b7c1e-5c5e-4b8e-9f3a-0d4c8a6b1e27",
                    "url": "https://fleet.example.com/hooks/fleetcharge",
                    "event_types": ["session.completed", "invoice.approved"],
                    "description": "depot dashboard",
                }
            ]
        },
    )

    organisation_uuid: UUID | None = Field(
        None,
        description="The organisation whose events are sent. Required for operator staff; "
        "an organisation's member may leave it out (its own).",
    )
    url: str = Field(description="Where events are POSTed: https:// (a public address).")
    event_types: list[str] = Field(
        description='The event types sent, e.g. ["session.completed"]; ["*"] for all.'
    )
    description: str | None = Field(None, description="A label to recognise it by.")


class WebhookSubscriptionUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"event_types": ["*"], "description": "all events"}]},
    )

    url: str | None = Field(None, description="A new target, checked as on create.")
    event_types: list[str] | None = Field(None, description='The event types sent; ["*"]: all.')
    description: str | None = Field(None, description="A new label; an empty string clears it.")


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"overlap": "24h"}]})

    overlap: str | None = Field(
        None,
        description="How long the previous secret still signs too (each delivery then "
        "carries both signatures), e.g. 0h, 30m, 24h or 7d; default from the server's "
        "settings (24h unless set). At most 30 days.",
    )


class EventRedelivery(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"event_uuid": "7d9e2f0a-1c3b-4e5d-8f6a-9b0c1d2e3f4a"}]},
    )

    event_uuid: UUID = Field(description="The event's id, as receivers got it (`id`).")


class SubscriptionOrganisation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str
    name: str


class WebhookSubscriptionView(BaseModel):
    """A subscription as shown: never its secrets."""

    model_config = ConfigDict(extra="forbid")

    uuid: str
    organisation: SubscriptionOrganisation
    url: str
    event_types: list[str]
    description: str | None
    enabled: bool
    disabled_at: str | None
    disabled_reason: str | None = Field(
        description="Why it is disabled: by whom, or after failing deliveries for days."
    )
    previous_secret_expires_at: str | None = Field(
        description="Until when the secret before the last rotation still signs too."
    )
    created_at: str
    updated_at: str | None
    version: int


class WebhookSubscriptionIssued(WebhookSubscriptionView):
    model_config = ConfigDict(extra="forbid")

    secret: str = Field(description="The signing secret, shown this once only.")


class DeliveredEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uuid: str = Field(description="The event's id: receivers deduplicate by it.")
    type: str
    created_at: str


class WebhookDeliveryView(BaseModel):
    """One event's delivery to one subscription."""

    model_config = ConfigDict(extra="forbid")

    uuid: str
    subscription_uuid: str
    event: DeliveredEvent
    status: DeliveryStatus
    attempts: int = Field(
        description="Attempts since it was queued or last redelivered (`attempt_log`: all)."
    )
    next_attempt_at: str | None
    delivered_at: str | None
    last_error: str | None
    created_at: str


class WebhookAttemptView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    started_at: str
    status_code: int | None = Field(description="The receiver's HTTP status, if it answered.")
    latency_ms: int | None
    response_excerpt: str | None
    error: str | None = Field(description="Why no answer was read (timeout, refused, ...).")


class WebhookDeliveryDetail(WebhookDeliveryView):
    """A delivery with the event's payload and every attempt, oldest first."""

    model_config = ConfigDict(extra="forbid")

    payload: dict[str, object] = Field(description="The event's data as sent.")
    attempt_log: list[WebhookAttemptView]

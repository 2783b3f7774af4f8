"""The `webhooks` section (OpenAPI 3.1) of our OpenAPI documents: every event type the
server POSTs to an organisation's subscriptions, with its payload's schema
(`webhook_events.schemas`). Documentation only: no route is served."""

import inspect
from typing import Any

from fastapi import FastAPI, Response

from fleetcharge.webhook_events.schemas import EVENT_DATA, EVENT_MODELS

SIGNATURE_HEADER = {
    "name": "Fleetcharge-Signature",
    "in": "header",
    "required": True,
    "description": '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the '
    "subscription's signing secret>`; during a secret rotation one `v1` per valid secret. "
    "Verify it (fleetcharge.client.verify_webhook) and reject old timestamps.",
    "schema": {"type": "string"},
}

EVENT_HEADERS = [
    SIGNATURE_HEADER,
    {
        "name": "Fleetcharge-Event-Id",
        "in": "header",
        "required": True,
        "description": "The event's `id`, as in the body.",
        "schema": {"type": "string", "format": "uuid"},
    },
    {
        "name": "Fleetcharge-Event-Type",
        "in": "header",
        "required": True,
        "description": "The event's `type`, as in the body.",
        "schema": {"type": "string"},
    },
]

RECEIVED: dict[int | str, dict[str, Any]] = {
    200: {"description": "Received: any 2xx status marks the delivery done."},
    "default": {
        "description": "Anything else (or no answer within the timeout) is retried with "
        "exponential backoff for three days."
    },
}


def add_webhooks(app: FastAPI) -> None:
    """Document each event type as a webhook of `app` (before its document is made)."""
    for name, model in EVENT_MODELS.items():
        app.webhooks.add_api_route(
            name,
            _receiver(model),
            methods=["POST"],
            summary=name,
            description=EVENT_DATA[name][1],
            operation_id=f"webhook_{name.replace('.', '_')}",
            responses=RECEIVED,
            response_class=Response,
            # Signed by us, not authenticated by a token of the receiver's.
            openapi_extra={"parameters": EVENT_HEADERS, "security": []},
        )


def _receiver(model: type) -> Any:
    """What a receiver of `model` looks like to FastAPI: a POST taking it as its body."""

    def receive(event: Any) -> None:
        """Never called."""

    parameter = inspect.Parameter(
        "event", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=model
    )
    receive.__signature__ = inspect.Signature([parameter])  # type: ignore[attr-defined]
    return receive

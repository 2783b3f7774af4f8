from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from fleetcharge.admin.calls import (
    Cursor,
    Limit,
    admin_call,
    create,
    object_response,
    page_request,
)
from fleetcharge.admin.documents import changes, creates, lists, shows
from fleetcharge.admin.resources import Resource, listed, organisation_filter
from fleetcharge.kit.cursors import Page
from fleetcharge.models import WebhookSubscription
from fleetcharge.permissions import Actor
from fleetcharge.webhooks import deliveries, subscriptions
from fleetcharge.webhooks.admin_schemas import (
    DELIVERY_STATUSES,
    EventRedelivery,
    SecretRotation,
    WebhookDeliveryDetail,
    WebhookDeliveryView,
    WebhookSubscriptionCreate,
    WebhookSubscriptionIssued,
    WebhookSubscriptionUpdate,
    WebhookSubscriptionView,
)

router = APIRouter(prefix="/webhook-subscriptions", tags=["Webhook subscriptions"])
SUBSCRIPTIONS = Resource("webhooks", subscriptions.get_subscription, subscriptions.view)

OrganisationFilter = Annotated[UUID | None, Query(description="Only this organisation's.")]
EnabledFilter = Annotated[bool | None, Query(description="Only enabled (true) or disabled.")]
StatusFilter = Annotated[
    str | None,
    Query(
        description="pending, delivered or failed.",
        json_schema_extra={"enum": list(DELIVERY_STATUSES)},
    ),
]


# Declared before /{uuid}: `deliveries` is no subscription's uuid.
@router.get(
    "/deliveries/{uuid}",
    summary="Show a delivery, with its payload and every attempt",
    **shows(WebhookDeliveryDetail, "The delivery."),
)
def show_delivery(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "webhooks", "read") as (db, actor):
        return object_response(deliveries.detail(deliveries.get_delivery(db, actor, uuid)))


@router.post(
    "/deliveries/{uuid}/redeliver",
    summary="Send a delivery again",
    description="The delivery is pending again, due now, whatever its status was; its "
    "earlier attempts stay in its log. The receiver gets the same event id.",
    **shows(WebhookDeliveryDetail, "The delivery, pending."),
)
def redeliver(request: Request, uuid: UUID) -> Response:
    with admin_call(request, "webhooks", "redeliver") as (db, actor):
        delivery = deliveries.redeliver(db, actor, deliveries.get_delivery(db, actor, uuid))
        return object_response(deliveries.detail(delivery))


@router.get(
    "", summary="List webhook subscriptions (never their secrets)", **lists(WebhookSubscriptionView)
)
def list_subscriptions(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = None,
    organisation_uuid: OrganisationFilter = None,
    enabled: EnabledFilter = None,
) -> Response:
    def fetch(db: Session, actor: Actor) -> Page[WebhookSubscription]:
        organisation_id = organisation_filter(db, actor, organisation_uuid)
        return subscriptions.list_subscriptions(
            db, actor, page_request(cursor, limit), organisation_id, enabled
        )

    return SUBSCRIPTIONS.page(request, fetch)


@router.post(
    "",
    summary="Subscribe a URL to events (the signing secret is shown once, as `secret`)",
    **creates(WebhookSubscriptionIssued, "Created; `secret` is shown this once only."),
)
def create_subscription(request: Request, body: WebhookSubscriptionCreate) -> Response:
    def made(db: Session, actor: Actor) -> tuple[int, dict[str, Any]]:
        subscription, secret = subscriptions.create(db, actor, body)
        return 201, {**subscriptions.view(subscription), "secret": secret}

    return create(request, "webhooks", "create", body, made)


@router.get("/{uuid}", summary="Show a webhook subscription", **shows(WebhookSubscriptionView))
def show_subscription(request: Request, uuid: UUID) -> Response:
    return SUBSCRIPTIONS.show(request, uuid)


@router.patch(
    "/{uuid}",
    summary="Change a subscription's URL, event types or description (If-Match)",
    **changes(WebhookSubscriptionView),
)
def update_subscription(request: Request, uuid: UUID, body: WebhookSubscriptionUpdate) -> Response:
    return SUBSCRIPTIONS.change(
        request, uuid, lambda db, a, s, v: subscriptions.update(db, a, s, body, v)
    )


@router.post(
    "/{uuid}/rotate-secret",
    summary="Issue a new signing secret (shown once, as `secret`)",
    description="The previous secret keeps signing too for `overlap` (default 24h), so "
    "receivers can switch without missing an event.",
    **shows(WebhookSubscriptionIssued, "The new secret, shown this once only."),
)
def rotate_secret(request: Request, uuid: UUID, body: SecretRotation | None = None) -> Response:
    overlap = body.overlap if body is not None else None
    with admin_call(request, "webhooks", "update") as (db, actor):
        subscription = subscriptions.get_subscription(db, actor, uuid)
        secret = subscriptions.rotate_secret(db, actor, subscription, overlap)
        return object_response({**subscriptions.view(subscription), "secret": secret})


@router.post(
    "/{uuid}/disable",
    summary="Stop sending events to a subscription",
    description="Events are no longer queued for it, and its queued deliveries are failed "
    "(redeliver them once it is enabled again). Disabling twice changes nothing.",
    **shows(WebhookSubscriptionView, "The subscription, disabled."),
)
def disable_subscription(request: Request, uuid: UUID) -> Response:
    return SUBSCRIPTIONS.change(
        request, uuid, lambda db, a, s, v: subscriptions.disable(db, a, s, v)
    )


@router.post(
    "/{uuid}/enable",
    summary="Send events to a subscription again (its failing record is cleared)",
    **shows(WebhookSubscriptionView, "The subscription, enabled."),
)
def enable_subscription(request: Request, uuid: UUID) -> Response:
    return SUBSCRIPTIONS.change(
        request, uuid, lambda db, a, s, v: subscriptions.enable(db, a, s, v)
    )


@router.post(
    "/{uuid}/redeliver",
    summary="Send one of the organisation's events (again) to a subscription",
    description="Its delivery of the event is made pending again, or a new one is queued "
    "when it had none (it was disabled, or not subscribed to the type, when the event "
    "happened). The receiver gets the event's own id.",
    **shows(WebhookDeliveryDetail, "The delivery, pending."),
)
def redeliver_event(request: Request, uuid: UUID, body: EventRedelivery) -> Response:
    with admin_call(request, "webhooks", "redeliver") as (db, actor):
        subscription = subscriptions.get_subscription(db, actor, uuid)
        delivery = deliveries.redeliver_event(db, actor, subscription, body.event_uuid)
        return object_response(deliveries.detail(delivery))


@router.get(
    "/{uuid}/deliveries",
    summary="List a subscription's deliveries, newest first",
    **lists(WebhookDeliveryView),
)
def list_deliveries(
    request: Request,
    uuid: UUID,
    cursor: Cursor = None,
    limit: Limit = None,
    status: StatusFilter = None,
) -> Response:
    def fetch(db: Session, actor: Actor) -> Page[Any]:
        subscription = subscriptions.get_subscription(db, actor, uuid)
        return deliveries.list_deliveries(
            db, actor, subscription, page_request(cursor, limit), status
        )

    return listed(request, "webhooks", fetch, deliveries.view)

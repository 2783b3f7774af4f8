"""Webhook test data, made through the service as production does."""

from sqlalchemy.orm import Session

from fleetcharge.models import Organisation, WebhookSubscription
from fleetcharge.webhooks.service import create_subscription


def subscription(
    db: Session,
    org: Organisation,
    url: str = "http://127.0.0.1:9/hook",
    event_types: list[str] | None = None,
) -> tuple[WebhookSubscription, str]:
    """A subscription of `org` (to every event type by default) and its secret."""
    return create_subscription(db, organisation=org, url=url, event_types=event_types or ["*"])

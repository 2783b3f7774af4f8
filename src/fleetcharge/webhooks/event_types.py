"""The event types a subscription may ask for."""

# The version of the payload shapes (`data` is the Fleets API v1 representation).
API_VERSION = "v1"

SESSION_COMPLETED = "session.completed"
SESSION_INVOICED = "session.invoiced"
INVOICE_APPROVED = "invoice.approved"
INVOICE_PAID = "invoice.paid"
INVOICE_VOIDED = "invoice.voided"
VEHICLE_CREATED = "vehicle.created"
VEHICLE_UPDATED = "vehicle.updated"
VEHICLE_RETIRED = "vehicle.retired"
CARD_BLOCKED = "card.blocked"
STATION_STATUS_CHANGED = "station.status_changed"
STATION_OFFLINE = "station.offline"
STATION_ONLINE = "station.online"
# One of the organisation's subscriptions was disabled after failing for days: sent to its
# other enabled subscriptions whatever event types they chose.
SUBSCRIPTION_DISABLED = "webhook_subscription.disabled"

EVENT_TYPES: tuple[str, ...] = (
    SESSION_COMPLETED,
    SESSION_INVOICED,
    INVOICE_APPROVED,
    INVOICE_PAID,
    INVOICE_VOIDED,
    VEHICLE_CREATED,
    VEHICLE_UPDATED,
    VEHICLE_RETIRED,
    CARD_BLOCKED,
    STATION_STATUS_CHANGED,
    STATION_OFFLINE,
    STATION_ONLINE,
    SUBSCRIPTION_DISABLED,
)
# At most this many session uuids in one session.invoiced event; an invoice billing more
# is told in several (`part` of `parts`).
MAX_SESSIONS_PER_EVENT = 1000

# A subscription's event_types may be ["*"]: every type, present and future.
ALL = "*"


def wants(subscribed: list[str], event_type: str) -> bool:
    """Whether a subscription to `subscribed` receives an event of `event_type`."""
    return event_type == SUBSCRIPTION_DISABLED or ALL in subscribed or event_type in subscribed

"""Webhooks: events written to an outbox in the transaction of the change they tell of,
delivered signed to organisations' subscriptions, at least once (docs/webhooks.md)."""

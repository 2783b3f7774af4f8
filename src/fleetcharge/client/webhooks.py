"""Verifying the webhooks a fleetcharge server sends (docs/webhooks.md).

```python
from fleetcharge.client import WebhookVerificationError, verify_webhook

try:
    event = verify_webhook(request_body, headers["Fleetcharge-Signature"], secret)
except WebhookVerificationError:
    return 400
if already_seen(event["id"]):  # at least once: deduplicate by event id
    return 200
```
"""

import hashlib
import hmac
import json
import time
from typing import Any

SIGNATURE_HEADER = "Fleetcharge-Signature"


class WebhookVerificationError(Exception):
    """The payload is not a genuine, recent webhook signed with the secret."""


def verify_webhook(
    payload: bytes | str,
    header: str | None,
    secret: str,
    tolerance: int = 300,
    *,
    now: float | None = None,
) -> dict[str, Any]:
    """The event (the parsed JSON body) if `header` (Fleetcharge-Signature) carries a valid
    signature of `payload` (the raw request body, unchanged) under `secret`, made at most
    `tolerance` seconds from now; WebhookVerificationError otherwise."""
    body = payload.encode() if isinstance(payload, str) else payload
    timestamp, signatures = _parse(header)
    current = time.time() if now is None else now
    if tolerance > 0 and abs(current - timestamp) > tolerance:
        raise WebhookVerificationError(
            f"signature timestamp {timestamp} is more than {tolerance} s from now: a replay?"
        )
    signed = str(timestamp).encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise WebhookVerificationError(
            "no signature matches the payload with this secret "
            "(wrong secret, or the body was changed, e.g. parsed and re-serialised)"
        )
    try:
        event = json.loads(body)
    except ValueError as error:
        raise WebhookVerificationError("the payload is not JSON") from error
    if not isinstance(event, dict):
        raise WebhookVerificationError("the payload is not a JSON object")
    return event


def _parse(header: str | None) -> tuple[int, list[str]]:
    if not header:
        raise WebhookVerificationError(f"no {SIGNATURE_HEADER} header")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise WebhookVerificationError(f"malformed {SIGNATURE_HEADER} header")
        if key == "t":
            if not value.isdigit() or timestamp is not None:
                raise WebhookVerificationError(f"malformed timestamp in {SIGNATURE_HEADER}")
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None:
        raise WebhookVerificationError(f"no timestamp (t=) in {SIGNATURE_HEADER}")
    if not signatures:
        raise WebhookVerificationError(f"no v1 signature in {SIGNATURE_HEADER}")
    return timestamp, signatures

"""What a delivery's body is: the event's envelope, as compact JSON."""

import json
from datetime import UTC, datetime
from typing import Any


def timestamp(instant: datetime) -> str:
    """UTC, milliseconds, `Z`: 2026-12-04T03:10:00.123Z."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope(
    *, event_id: str, event_type: str, created_at: datetime, api_version: str, data: Any
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event_type,
        "created_at": timestamp(created_at),
        "api_version": api_version,
        "data": data,
    }


def body(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()

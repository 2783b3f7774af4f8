"""The signature of a delivery: `Fleetcharge-Signature: t=<unix time>,v1=<hex>` where hex is
HMAC-SHA256 of `<t>.<body>` under the subscription's secret; during a rotation's overlap one
`v1=` per secret (the current first). Verified by `fleetcharge.client.verify_webhook`."""

import hashlib
import hmac

HEADER = "Fleetcharge-Signature"
SCHEME = "v1"


def signature(body: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(body: bytes, secrets: list[str], timestamp: int) -> str:
    """The header's value for `body` sent at `timestamp` (seconds since the epoch)."""
    return ",".join(
        [f"t={timestamp}"]
        + [f"{SCHEME}={signature(body, secret, timestamp)}" for secret in secrets]
    )

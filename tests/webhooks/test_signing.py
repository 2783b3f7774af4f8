"""What the server signs, the SDK verifies; anything else it refuses."""

import time

import pytest

from fleetcharge.client import WebhookVerificationError, verify_webhook
from fleetcharge.webhooks.signing import sign

BODY = b'{"id":"e1","type":"card.blocked","data":{}}'
SECRET = "whsec_right"


def test_a_genuine_webhook_is_verified() -> None:
    header = sign(BODY, [SECRET], int(time.time()))
    assert verify_webhook(BODY, header, SECRET)["id"] == "e1"
    assert verify_webhook(BODY.decode(), header, SECRET)["type"] == "card.blocked"


@pytest.mark.parametrize(
    ("body", "secret", "age", "message"),
    [
        (BODY.replace(b"e1", b"e2"), SECRET, 0, "no signature matches"),
        (BODY + b" ", SECRET, 0, "no signature matches"),
        (BODY, "whsec_wrong", 0, "no signature matches"),
        (BODY, SECRET, 301, "more than 300 s"),
        (BODY, SECRET, -301, "more than 300 s"),
    ],
    ids=["changed body", "re-serialised body", "wrong secret", "old timestamp", "future"],
)
def test_refused(body: bytes, secret: str, age: int, message: str) -> None:
    now = int(time.time())
    header = sign(BODY, [SECRET], now - age)
    with pytest.raises(WebhookVerificationError, match=message):
        verify_webhook(body, header, secret, now=now)


@pytest.mark.parametrize(
    "header",
    [None, "", "garbage", "t=abc,v1=00", "v1=00", "t=1", "t=1,t=2,v1=00"],
)
def test_malformed_headers_are_refused(header: str | None) -> None:
    with pytest.raises(WebhookVerificationError):
        verify_webhook(BODY, header, SECRET, tolerance=0)


def test_during_a_rotation_either_secret_verifies() -> None:
    now = int(time.time())
    header = sign(BODY, ["whsec_new", "whsec_old"], now)
    for secret in ("whsec_new", "whsec_old"):
        verify_webhook(BODY, header, secret, now=now)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(BODY, header, "whsec_other", now=now)

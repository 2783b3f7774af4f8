"""A real SMTP server (aiosmtpd) on a loopback port, keeping what it is sent; and the
settings that point fleetcharge at it."""

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from fleetcharge.settings import get_settings
from tests.servers import free_port

SENDER = "accounts@fleetcharge.test"


@dataclass
class Mailbox:
    host: str
    port: int
    envelopes: list[Envelope] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # recipients answered 550

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for envelope in self.envelopes:
            assert isinstance(envelope.content, bytes)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed


class _Keeper:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.mailbox.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.mailbox.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def serve(mailbox: Mailbox, **options: Any) -> Controller:
    controller = Controller(_Keeper(mailbox), hostname=mailbox.host, port=mailbox.port, **options)
    controller.start()
    return controller


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox("127.0.0.1", free_port())
    controller = serve(box)
    yield box
    controller.stop()


@pytest.fixture
def smtp_env(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Settings sending to `mailbox` in plain text (a loopback relay), the operator's ABN
    set (tax invoices need it); the test may change them and call `get_settings.cache_clear`."""
    env = {
        "FLEETCHARGE_SMTP_HOST": mailbox.host,
        "FLEETCHARGE_SMTP_PORT": str(mailbox.port),
        "FLEETCHARGE_SMTP_TLS": "none",
        "FLEETCHARGE_SMTP_FROM": SENDER,
        "FLEETCHARGE_SMTP_TIMEOUT": "5",
        "FLEETCHARGE_OPERATOR_ABN": "51 824 753 556",
        "FLEETCHARGE_OPERATOR_LEGAL_NAME": "Fleetcharge Networks Pty Ltd",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()

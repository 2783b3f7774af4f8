"""No webhook is sent inside the network: refused at creation and again at delivery."""

import ipaddress
import random
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.errors import InvalidField
from fleetcharge.models import WebhookAttempt
from fleetcharge.settings import Settings, get_settings
from fleetcharge.webhooks import event_types as types
from fleetcharge.webhooks.dispatcher import Dispatcher
from fleetcharge.webhooks.outbox import emit
from fleetcharge.webhooks.sending import Sender
from fleetcharge.webhooks.targets import Target, TargetRefused, forbidden, resolve_target
from tests import factories as f
from tests.webhooks.factories import subscription
from tests.webhooks.receiver import receiver

PRODUCTION = Settings(webhooks_allow_http=False, webhooks_allow_private_targets=False)


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FLEETCHARGE_WEBHOOKS_ALLOW_HTTP", "false")
    monkeypatch.setenv("FLEETCHARGE_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/x", "must be an https:// URL"),
        ("ftp://hooks.example.com/x", "must be an https:// URL"),
        ("https:///x", "has no host"),
        ("https://user:pw@hooks.example.com/x", "must not contain credentials"),
        ("https://127.0.0.1/x", "resolves to 127.0.0.1"),
        ("https://localhost:8443/x", "loopback, private"),
        ("https://10.1.2.3/x", "resolves to 10.1.2.3"),
        ("https://192.168.0.10/x", "resolves to 192.168.0.10"),
        ("https://169.254.169.254/latest/meta-data", "resolves to 169.254.169.254"),
        ("https://[::1]/x", "resolves to ::1"),
        ("https://[::ffff:127.0.0.1]/x", "resolves to ::ffff:7f00:1"),
        ("https://[fd00:ec2::254]/x", "resolves to fd00:ec2::254"),
        ("https://224.0.0.1/x", "resolves to 224.0.0.1"),
        ("https://0.0.0.0/x", "resolves to 0.0.0.0"),
        ("https://100.64.0.1/x", "resolves to 100.64.0.1"),
        ("https://hooks.example.com:99999/x", "not a valid URL"),
    ],
)
def test_unsafe_targets_are_refused(url: str, message: str) -> None:
    with pytest.raises(TargetRefused, match=message) as refused:
        resolve_target(url, settings=PRODUCTION)
    assert refused.value.field == "url"


def test_a_public_address_is_allowed_and_kept() -> None:
    target = resolve_target("https://93.184.215.14/hook", settings=PRODUCTION)
    assert target.address == ipaddress.ip_address("93.184.215.14")
    assert not forbidden(ipaddress.ip_address("2606:4700::1111"))


def test_a_name_resolving_to_any_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443)) for a in ("8.8.8.8", "10.0.0.5")
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(TargetRefused, match=r"10\.0\.0\.5"):
        resolve_target("https://rebind.example.com/", settings=PRODUCTION)


def test_creation_refuses_an_internal_target(engine: Engine, production: None) -> None:
    with unit_of_work(engine) as db, pytest.raises(InvalidField, match=r"169\.254\.169\.254"):
        subscription(db, f.organisation(db), url="https://169.254.169.254/")


def test_delivery_refuses_a_target_that_became_internal(engine: Engine) -> None:
    """Created while allowed (or resolving elsewhere), the target is checked again on sending."""
    with receiver() as hooks:
        with unit_of_work(engine) as db:
            org = f.organisation(db)
            subscription(db, org, url=hooks.url)
            emit(db, organisation_id=org.id, event_type=types.CARD_BLOCKED, data={})
        settings = Settings(webhooks_allow_private_targets=False)
        dispatcher = Dispatcher(engine, settings=settings, rng=random.Random(1), name="t")
        try:
            assert dispatcher.run_once() == 1
        finally:
            dispatcher.close()
        assert hooks.received == []
    with unit_of_work(engine) as db:
        attempt = db.scalars(select(WebhookAttempt)).one()
        assert attempt.status_code is None
        assert attempt.error is not None and attempt.error.startswith("target refused")


def test_the_request_goes_to_the_checked_address_under_the_host_name() -> None:
    """No second DNS lookup: the connection is to the address checked, Host names the target."""
    with receiver() as hooks:
        port = hooks.url.split(":")[2].split("/")[0]
        url = f"http://hooks.invalid:{port}/x"  # .invalid never resolves
        sender = Sender(Settings())
        try:
            outcome = sender.post(
                Target(url, "hooks.invalid", ipaddress.ip_address("127.0.0.1")), b"{}", {}
            )
        finally:
            sender.close()
    assert outcome.status_code == 200
    assert hooks.received[0].headers["Host"] == f"hooks.invalid:{port}"

"""Limit texts and how the applicable windows are chosen (pure)."""

import pytest

from fleetcharge.errors import InvalidParameter
from fleetcharge.ratelimit.policy import LimitPolicy, parse_limits
from fleetcharge.settings import Settings


def windows(text: str) -> list[tuple[int, int]]:
    return [(w.amount, w.get_expiry()) for w in parse_limits(text)]


def test_limit_texts() -> None:
    assert windows("18/15minutes;50/hour") == [(18, 900), (50, 3600)]
    assert windows(" 5 per second ; 100/day ") == [(5, 1), (100, 86400)]
    assert windows("off") == [] and windows("") == []
    for bad in ("lots", "18/fortnight", "0/hour", "-3/hour"):
        with pytest.raises(InvalidParameter):
            parse_limits(bad)


def test_the_published_defaults_and_overrides() -> None:
    policy = LimitPolicy(Settings(_env_file=None).rate_limit_defaults())
    assert [w.amount for w in policy.windows("usage")] == [18, 50]
    assert [w.amount for w in policy.windows("sessions")] == [18, 50]
    assert [(w.amount, w.get_expiry()) for w in policy.windows("invoices")] == [(18, 3600)]
    assert policy.windows("vehicles") == ()
    assert [w.amount for w in policy.windows("usage", {"usage": "2/minute"})] == [2]
    assert policy.windows("usage", {"usage": "off"}) == ()
    assert [w.amount for w in policy.windows("sessions", {"usage": "off"})] == [18, 50]
    assert LimitPolicy({"usage": "1/hour"}, enabled=False).windows("usage") == ()

"""The token service: parsing scopes and lifetimes, issuing, authenticating, revoking."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from fleetcharge.auth.service import (
    TOKEN_PATTERN,
    TOKEN_PREFIX,
    Principal,
    authenticate,
    issue_token,
    parse_duration,
    parse_scopes,
    require_scope,
    revoke_token,
)
from fleetcharge.db import unit_of_work
from fleetcharge.errors import Forbidden, InvalidParameter, Unauthorized
from fleetcharge.kit.tokens import hash_secret
from fleetcharge.models import ApiToken
from fleetcharge.models.base import utcnow
from tests import factories as f


def test_parse_scopes() -> None:
    assert parse_scopes("usage") == ("usage",)
    assert parse_scopes(" usage , vehicles,usage,") == ("usage", "vehicles")
    assert parse_scopes("usage,sessions,vehicles,invoices") == (
        "usage",
        "sessions",
        "vehicles",
        "invoices",
    )
    for bad in ("", ",", "usage,billing", "USAGE", "all", "usage;vehicles"):
        with pytest.raises(InvalidParameter) as caught:
            parse_scopes(bad)
        assert caught.value.parameter == "scopes"


def test_parse_duration() -> None:
    assert parse_duration("12h") == timedelta(hours=12)
    assert parse_duration("90d") == timedelta(days=90)
    assert parse_duration(" 8w ") == timedelta(weeks=8)
    assert parse_duration("1y") == timedelta(days=365)
    for bad in (
        "",
        "90",
        "d90",
        "-1d",
        "1.5d",
        "90 d",
        "90D",
        "1m",
        "1000000d",
        "0d",
        "0h",
        "999999w",
        "999999y",
    ):
        with pytest.raises(InvalidParameter) as caught:
            parse_duration(bad)
        assert caught.value.parameter == "expires-in", bad


def test_issue_stores_only_the_hash_and_authenticates(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Cybertron")
        issued = issue_token(db, org, ("usage", "vehicles"), timedelta(days=90), name="ci")
    assert TOKEN_PATTERN.match(issued.secret)
    assert hash_secret(issued.secret) == hashlib.sha256(issued.secret.encode()).hexdigest()
    with unit_of_work(engine) as db:
        (row,) = db.scalars(select(ApiToken)).all()
        assert row.secret_sha256 == hash_secret(issued.secret)
        assert row.scopes == "usage,vehicles"
        assert row.name == "ci"
        assert row.expires_at is not None
        assert abs(row.expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)
        principal = authenticate(db, f"Bearer {issued.secret}")
    assert principal == Principal(row.id, org.id, "Cybertron", frozenset({"usage", "vehicles"}))
    # No column holds the secret; the prefix shown to operators is too short to use.
    stored = {c.name: getattr(row, c.key) for c in ApiToken.__table__.columns}
    for name, value in stored.items():
        assert issued.secret[len(TOKEN_PREFIX) :] not in str(value), name
    assert stored["prefix"] == issued.secret[:10]
    require_scope(principal, "usage")
    with pytest.raises(Forbidden):
        require_scope(principal, "invoices")
    # Secrets are random: fifty more never collide.
    with unit_of_work(engine) as db:
        secrets = {issue_token(db, org).secret for _ in range(50)}
    assert len(secrets | {issued.secret}) == 51


def test_expiry_boundary_and_revocation(engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        issued = issue_token(db, org, expires_in=timedelta(hours=1))
    expires_at = issued.token.expires_at
    assert expires_at is not None
    header = f"Bearer {issued.secret}"
    with unit_of_work(engine) as db:
        authenticate(db, header, now=expires_at - timedelta(microseconds=1))
        with pytest.raises(Unauthorized, match="expired"):
            authenticate(db, header, now=expires_at)
        token = db.get(ApiToken, issued.token.id)
        assert token is not None
        revoke_token(db, token)
        first = token.revoked_at
        revoke_token(db, token)  # idempotent: the first revocation time stays
        assert token.revoked_at == first
    with unit_of_work(engine) as db, pytest.raises(Unauthorized, match="revoked"):
        authenticate(db, header, now=expires_at - timedelta(minutes=1))

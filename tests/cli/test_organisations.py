"""`fleetcharge organisations list | set`: billing settings, and the network fee reaching
the sessions recorded after the change (and only those)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, Organisation
from tests import factories as f
from tests.cli.conftest import Cli

STOP = datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_the_network_fee_applies_to_sessions_recorded_afterwards(cli: Cli, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        host = f.organisation(db)
        host.network_fee_per_kwh = Decimal("0.1750")
        site = f.site(db, host)
        before = f.charge(db, site, f.driver(db), STOP, kwh="20.000").id
        name, host_id = host.name, host.id
    result = cli(
        "organisations", "set", name, "--network-fee", "0.2", "--timezone", "Australia/Perth"
    )
    assert result.exit_code == 0, result.output
    assert "network fee 0.2000/kWh" in result.stdout
    with unit_of_work(engine) as db:
        stored = db.get(Organisation, host_id)
        assert stored is not None and stored.billing_timezone == "Australia/Perth"
        site = f.Site(
            db.merge(site.location),
            db.merge(site.station),
            db.merge(site.connector),
            db.merge(site.tariff),
        )
        after = f.charge(db, site, f.driver(db), STOP, kwh="20.000").id
    with unit_of_work(engine) as db:
        costs = [db.get(ChargeSession, i).total_cost for i in (before, after)]  # type: ignore[union-attr]
    assert costs == [Decimal("3.50"), Decimal("4.00")]  # 20 kWh x 17.5c, then x 20c
    listed = cli("organisations", "list")
    assert name in listed.stdout and "0.2000" in listed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--network-fee", "abc"], "--network-fee: Input should be a valid decimal"),
        (["--network-fee", "-0.1"], "--network-fee: network_fee_per_kwh must be at least 0"),
        (["--network-fee", "0.12345"], "at most 4 decimal places"),
        (["--vehicle-fee", "4.999"], "--vehicle-fee: vehicle_fee has at most 2 decimal places"),
        (["--vehicle-fee", "NaN"], "--vehicle-fee: Input should be a finite number"),
        (["--network-fee", "1e400"], "below 1000000"),
        (["--station-subscription-fee", "123456789012"], "below 1000000"),
        (["--timezone", "Australia/Atlantis"], "--timezone: billing_timezone must be an IANA"),
        (["--abn", "51 824 753 557"], "is not a valid ABN"),
        ([], "nothing to change"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(
    cli: Cli, engine: Engine, args: list[str], message: str
) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        name, fee = org.name, org.vehicle_fee
    result = cli("organisations", "set", name, *args)
    assert result.exit_code == 2 and message in result.output, result.output
    with unit_of_work(engine) as db:
        assert db.get(Organisation, org.id).vehicle_fee == fee  # type: ignore[union-attr]


def test_unknown_organisation(cli: Cli) -> None:
    result = cli("organisations", "set", "Nobody Pty Ltd", "--vehicle-fee", "5")
    assert result.exit_code == 2 and "no organisation named" in result.output


def test_rate_limit_overrides(cli: Cli, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        name, org_id = org.name, org.id

    def stored() -> dict[str, str] | None:
        with unit_of_work(engine) as db:
            organisation = db.get(Organisation, org_id)
            assert organisation is not None
            return organisation.rate_limits

    ok = cli(
        "organisations",
        "set",
        name,
        "--rate-limit",
        "usage=100/hour",
        "--rate-limit",
        "invoices=OFF",
    )
    assert ok.exit_code == 0, ok.output
    assert stored() == {"usage": "100/hour", "invoices": "off"}
    assert cli("organisations", "set", name, "--rate-limit", "usage=default").exit_code == 0
    assert stored() == {"invoices": "off"}
    for bad, message in (
        ("usage=lots", "invalid rate limit"),
        ("billing=5/hour", "ENDPOINT=LIMIT"),
    ):
        result = cli("organisations", "set", name, "--rate-limit", bad)
        assert result.exit_code == 2 and message in result.output, result.output
    assert cli("organisations", "set", name, "--rate-limit", "invoices=default").exit_code == 0
    assert stored() is None


def test_the_abn_is_checked_and_stored_as_digits(cli: Cli, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        name, org_id = org.name, org.id
    result = cli("organisations", "set", name, "--abn", "53 004 085 616")
    assert result.exit_code == 0, result.output
    assert "ABN 53 004 085 616" in result.stdout
    with unit_of_work(engine) as db:
        assert db.get_one(Organisation, org_id).abn == "53004085616"
    assert "53 004 085 616" in cli("organisations", "list").stdout

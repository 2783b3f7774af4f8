"""`fleetcharge sites show` with the control loop's live allocation, from the real problem
source (sites.problem_source) through a cycle with a fake station side."""

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from fleetcharge.db import unit_of_work
from fleetcharge.models import OcppTransaction
from fleetcharge.permissions import Actor
from fleetcharge.site_control.loop import ControlSettings, SiteControl
from fleetcharge.site_control.wiring import SiteProblems
from fleetcharge.sites import service as sites
from tests import factories as f
from tests.cli.conftest import Cli
from tests.site_control.fakes import FakePresences, FakeSender


def test_sites_show_lists_each_sessions_live_limit_and_why(engine: Engine, cli: Cli) -> None:
    with unit_of_work(engine) as db:
        s = f.site(db, f.organisation(db))
        s.location.name = "Harbour depot"
        car = f.vehicle(db, f.fleet(db, f.organisation(db)))
        start = datetime.now(UTC) - timedelta(minutes=30)
        transaction = OcppTransaction(
            station_id=s.station.id, connector_id=s.connector.id, id_tag=car.cards[0].id_tag,
            id_tag_status="Accepted", card_id=car.cards[0].id, meter_start_wh=0,
            start_reported_at=start, started_at=start, received_at=start, flags=[],
        )  # fmt: skip
        db.add(transaction)
        db.flush()
        sites.set_power(db, Actor.command_line(), s.location, limit_kw="7", strategy="equal_share")
        identity, tx = s.station.ocpp_identity, transaction.id
    sender = FakeSender()
    control = SiteControl(
        engine,
        SiteProblems(),
        sender,
        FakePresences({identity}),
        node="node-a",
        settings=ControlSettings(settle_s=0),
    )
    asyncio.run(control.cycle())
    assert sender.limits()[identity] == pytest.approx(7000)
    shown = cli("sites", "show", "Harbour depot")
    assert shown.exit_code == 0, shown.output
    assert "live allocation at " in shown.stdout
    assert "limit 7.0 kW, measured -, allocated 7.0 kW" in shown.stdout
    assert f"{identity}#1 tx {tx}: 7.0 kW (drawing -; Accepted) - limited by the site limit" in (
        shown.stdout
    )
    view = json.loads(cli("sites", "show", "Harbour depot", "--json").stdout)
    [session] = view["allocation"]["sessions"]
    assert session["transaction_id"] == tx and session["profile_status"] == "Accepted"

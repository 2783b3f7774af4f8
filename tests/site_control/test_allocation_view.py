"""The live allocation as the admin API and `fleetcharge sites show` read it."""

import asyncio

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, select

from fleetcharge.db import unit_of_work
from fleetcharge.metrics import render
from fleetcharge.models import Location
from fleetcharge.site_control.service import allocation_lines
from fleetcharge.smart_charging.problem import Rate
from tests.admin.helpers import ADMIN, Caller, account, error_of, ok
from tests.api.helpers import make_client
from tests.site_control.fakes import (
    FakePresences,
    FakeSender,
    FakeSource,
    charging,
    control,
    locations,
)


def test_the_admin_api_shows_each_sessions_limit_and_why(engine: Engine) -> None:
    [location_id] = locations(engine, 1)
    source = FakeSource(
        {location_id: 20.0},
        {location_id: [charging(7, "CP7", drawn=Rate(4000, "W")), charging(8, "CP8", kw=7.4)]},
    )
    sender = FakeSender(answers={"CP8": "NotSupported"})
    asyncio.run(control(engine, source, sender, FakePresences({"CP7", "CP8"})).cycle())
    with unit_of_work(engine) as db:
        uuid = db.scalars(select(Location.uuid).where(Location.id == location_id)).one()
    support: Caller = account(engine, "support")
    with make_client(engine) as client:
        body = ok(client.get(f"{ADMIN}/locations/{uuid}/allocation", headers=support.headers))
        missing = client.get(
            f"{ADMIN}/locations/00000000-0000-4000-8000-000000000000/allocation",
            headers=support.headers,
        )
        assert error_of(missing, 404)
        assert client.get(f"{ADMIN}/locations/{uuid}/allocation").status_code == 401
    assert body["location"] == str(uuid)
    assert body["controlled"] is True
    assert body["limit_w"] == 20_000 and body["load_w"] == 4_000
    by_tx = {s["transaction_id"]: s for s in body["sessions"]}
    assert by_tx[7]["limit_w"] == 11_000 and by_tx[7]["profile_status"] == "Accepted"
    assert by_tx[7]["drawn_w"] == 4_000 and by_tx[7]["reason"] == "limited by station maximum"
    assert by_tx[8]["profile_status"] == "NotSupported" and by_tx[8]["station"] == "CP8"
    lines = allocation_lines(body)
    assert lines[0].startswith("live allocation at ")
    assert "limit 20.0 kW, measured 4.0 kW, allocated 18.4 kW" in lines[0]
    assert any("CP7#1 tx 7: 11.0 kW (drawing 4.0 kW; Accepted)" in line for line in lines)


def test_a_site_never_allocated_says_so(engine: Engine) -> None:
    [location_id] = locations(engine, 1)
    with unit_of_work(engine) as db:
        uuid = db.scalars(select(Location.uuid).where(Location.id == location_id)).one()
    admin = account(engine, "admin")
    with make_client(engine) as client:
        body = ok(client.get(f"{ADMIN}/locations/{uuid}/allocation", headers=admin.headers))
    assert body["sessions"] == [] and body["computed_at"] is None and not body["controlled"]
    assert allocation_lines(body) == [
        "live allocation: none yet (the control loop has not run for this site)"
    ]


def test_metrics_show_each_sites_load_limit_paused_and_rejected(engine: Engine) -> None:
    [location_id] = locations(engine, 1)
    source = FakeSource(
        {location_id: 11.0},
        {
            location_id: [
                charging(1, "CP1", drawn=Rate(6000, "W"), minimum=Rate.kw(5)),
                charging(2, "CP2", drawn=Rate(1500, "W"), minimum=Rate.kw(5)),
                charging(3, "CP3", minimum=Rate.kw(5)),
            ]
        },
    )
    sender = FakeSender(answers={"CP3": "Rejected"})
    asyncio.run(control(engine, source, sender, FakePresences({"CP1", "CP2", "CP3"})).cycle())
    with unit_of_work(engine) as db:
        uuid = str(db.scalars(select(Location.uuid).where(Location.id == location_id)).one())
    samples = {
        (s.name, s.labels.get("location")): s.value
        for family in text_string_to_metric_families(render(engine)[0].decode())
        for s in family.samples
    }
    assert samples[("fleetcharge_site_load_watts", uuid)] == 7_500
    assert samples[("fleetcharge_site_limit_watts", uuid)] == 11_000
    assert samples[("fleetcharge_site_sessions_paused", uuid)] == 1  # two minimums of 5 kW fit
    assert samples[("fleetcharge_site_profiles_rejected", uuid)] == 1

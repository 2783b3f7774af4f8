"""PostgreSQL renders /usage and /sessions pages itself; it must equal the Python rendering
value for value and type for type (1020 is not 1020.0, 0.3 is not "0.3000"), both derived
from the one declaration of each record (`charging.records`)."""

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import orjson
import pytest

from fleetcharge.charging import records, service
from fleetcharge.db import unit_of_work
from fleetcharge.kit.formats import NUMBER, number
from fleetcharge.kit.json_records import Field, Record
from fleetcharge.kit.paging import parse_list_params
from fleetcharge.models import ChargeSession
from tests import factories as f

PARKING = [
    {
        "price_components": [
            {"type": "ENERGY", "price": "0.4450", "step_size": 1},
            {"type": "PARKING_TIME", "price": "6.00", "step_size": 60},
        ]
    }
]


def typed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def both_renderings(monkeypatch: pytest.MonkeyPatch, render: Any) -> tuple[Any, Any]:
    database = orjson.loads(orjson.dumps(render()[1]))
    monkeypatch.setattr(service, "on_postgresql", lambda _db: False)
    python = render()[1]
    return database, python


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_database_rendering_equals_python_projection(engine, monkeypatch):
    with unit_of_work(engine) as db:
        host = f.organisation(db, "Cybertron")
        fleet_org = f.organisation(db, "Decepticons")
        vehicle = f.vehicle(db, f.fleet(db, fleet_org, "Strike Force"), id_tags=("JETFIRE",))
        vehicle.contract_number = None
        own = f.vehicle(db, f.fleet(db, host, "Autobots"), id_tags=("OPTIMUS",))
        sites = [
            f.site(db, host, zone, f.tariff(db, PARKING, grace=10))
            for zone in ("Australia/Adelaide", "Australia/Sydney", "Australia/Perth")
        ]
        drivers = [f.driver(db, vehicle), f.driver(db, own), f.driver(db, None)]
        # Across the Sydney DST change of 2024-04-07, long parking, odd seconds.
        stop = datetime(2024, 4, 6, 14, 0, 7, tzinfo=UTC)
        for i in range(30):
            f.charge(
                db,
                sites[i % 3],
                drivers[i % 3],
                stop + timedelta(minutes=47 * i, seconds=i),
                charging=timedelta(minutes=17, seconds=32 + i),
                parked=timedelta(hours=i % 4 * 7, seconds=i),
                kwh=f"{i * 1.337:.3f}",
            )
        billed = f.charge(db, sites[1], drivers[0], stop - timedelta(days=2))
        f.invoice(db, fleet_org, sessions=(billed,), number=2199185)
    params = parse_list_params(None)
    with unit_of_work(engine) as db:
        for organisation_id in (host.id, fleet_org.id):
            pairs = (
                both_renderings(
                    monkeypatch, lambda org=organisation_id: service.usage_page(db, org, params)
                ),
                both_renderings(
                    monkeypatch,
                    lambda org=organisation_id: service.site_host_page(db, org, params, "Net"),
                ),
            )
            monkeypatch.undo()
            for database, python in pairs:
                assert typed(database) == typed(python)
    assert any(s["invoice_number"] == "2199185" for s in python_usage(engine, fleet_org.id))


def python_usage(engine, organisation_id: int) -> list[dict[str, Any]]:
    with unit_of_work(engine) as db:
        return orjson.loads(
            orjson.dumps(service.usage_page(db, organisation_id, parse_list_params(None))[1])
        )


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_field_declared_once_is_rendered_by_both(engine, monkeypatch):
    """The two renderings derive from `charging.records`: a field added there appears in
    both, in the declared place, with the same value and type, and nowhere else is edited."""
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Cybertron")
        site = f.site(db, org, "Australia/Adelaide", f.tariff(db, PARKING))
        driver = f.driver(db, f.vehicle(db, f.fleet(db, org)))
        charged = f.charge(db, site, driver, datetime(2024, 4, 6, 14, 0, 7, tzinfo=UTC))
        gst_to_driver = number(charged.gst_to_driver)
    for view, render in (
        ("usage", lambda db: service.usage_page(db, org.id, parse_list_params(None))),
        ("sessions", lambda db: service.site_host_page(db, org.id, parse_list_params(None), "N")),
    ):
        declared = records.RECORDS[view]
        fields = dict(declared.fields)
        extended = Record(
            **{name: node for name, node in fields.items() if name != "charging_periods"},
            vehicle_pays_gst=Field(NUMBER, ChargeSession.gst_to_driver),
            charging_periods=fields["charging_periods"],
        )
        monkeypatch.setitem(records.RECORDS, view, extended)
        with unit_of_work(engine) as db:
            database, python = both_renderings(monkeypatch, partial(render, db))
        monkeypatch.undo()
        (session,) = python
        assert list(session) == [name for name, _ in extended.fields]
        assert session["vehicle_pays_gst"] == gst_to_driver
        # Byte for byte: the same keys in the same order, the same values and types.
        assert orjson.dumps(database) == orjson.dumps(python)

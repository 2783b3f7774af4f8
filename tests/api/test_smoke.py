from datetime import UTC, datetime

from fastapi.testclient import TestClient

from fleetcharge.api.app import create_app
from fleetcharge.db import unit_of_work
from tests import factories as f


def test_usage_smoke(engine):
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Cybertron")
        fl = f.fleet(db, org, "Autobots")
        v = f.vehicle(db, fl, id_tags=("OPTIMUS",))
        s = f.site(db, org)
        f.charge(db, s, f.driver(db, v), datetime(2024, 2, 10, 0, 0, tzinfo=UTC), kwh="8.539")
        secret = f.token(db, org)
    client = TestClient(create_app(engine))
    r = client.get("/api/fleets/v1/usage", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["pagination"] == {"total_entries": 1}
    session = body["data"]["sessions"][0]
    assert session["cost_to_driver"] == 2.56
    print(body)
    for path in ("sessions", "vehicles", "invoices"):
        r = client.get(f"/api/fleets/v1/{path}", headers={"Authorization": f"Bearer {secret}"})
        assert r.status_code == 200, r.text
        print(r.json())

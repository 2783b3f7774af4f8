"""vehicle_counts always holds each organisation's number of vehicle records, however the
rows are written: one at a time, many in one statement, moved, deleted."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, insert, select, update

from fleetcharge.db import unit_of_work
from fleetcharge.models import Vehicle, VehicleCount
from tests import factories as f

Step = tuple[str, int, int]
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add_many", "move", "delete"]),
        st.integers(min_value=0, max_value=2),
        st.integers(min_value=0, max_value=5),
    ),
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_counts_follow_every_kind_of_write(engine: Engine, steps: list[Step]) -> None:
    with unit_of_work(engine) as db:
        fleets = [f.fleet(db, f.organisation(db)) for _ in range(3)]
        for number, (action, which, n) in enumerate(steps):
            fleet = fleets[which]
            if action == "add":
                f.vehicle(db, fleet, id_tags=())
            elif action == "add_many" and n:
                retired = fleet.created_at.date()  # retired: VINs need not be unique
                rows = [
                    {
                        "fleet_id": fleet.id,
                        "organisation_id": fleet.organisation_id,
                        "vin": f"MANY{number:03d}{i:02d}",
                        "registration_number": "R",
                        "effective_from": retired,
                        "effective_to": retired,
                    }
                    for i in range(n)
                ]
                db.execute(insert(Vehicle), rows)
            elif action == "move":
                target = fleets[(which + 1) % 3]
                db.execute(
                    update(Vehicle)
                    .where(Vehicle.organisation_id == fleet.organisation_id)
                    .values(organisation_id=target.organisation_id, fleet_id=target.id)
                )
            elif action == "delete":
                db.execute(delete(Vehicle).where(Vehicle.organisation_id == fleet.organisation_id))
        db.flush()
        counted = dict(
            db.execute(
                select(Vehicle.organisation_id, func.count()).group_by(Vehicle.organisation_id)
            ).all()
        )
        kept = {row.organisation_id: row.vehicles for row in db.scalars(select(VehicleCount))}
        db.rollback()
    assert {org: n for org, n in kept.items() if n} == counted

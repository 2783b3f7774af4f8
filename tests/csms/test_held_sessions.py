"""Sessions held for review, as exact OCPP frames: held for the vehicle's own limit as for
the station's, the ordinary recorded at once, and a reviewed session left as the operator
decided when the connector later reports Available."""

from decimal import Decimal

from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from fleetcharge.csms import held_sessions
from fleetcharge.db import unit_of_work
from fleetcharge.models import ChargeSession, SessionReview, Vehicle
from fleetcharge.permissions import Actor
from fleetcharge.reviews.schemas import ReviewCorrection
from tests.api.helpers import get_page, records
from tests.csms.conftest import Network
from tests.csms.helpers import FakeClock, connected
from tests.csms.test_transactions import at, transaction


def reasons(engine: Engine, transaction_id: int) -> list[str] | None:
    with unit_of_work(engine) as db:
        review = db.scalar(
            select(SessionReview).where(SessionReview.transaction_id == transaction_id)
        )
        return None if review is None else [r["code"] for r in review.reasons]


def test_a_session_above_the_vehicles_own_limit_is_held_and_one_within_it_recorded(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with unit_of_work(engine) as db:
        vehicle = db.scalars(select(Vehicle)).one()
        vehicle.max_ac_power_kw = Decimal("7.4")  # a single-phase on-board charger
    with connected(client, network.identity, clock) as cp:
        # 22 kW for two hours would be 44 kWh; this car takes 7.4 kW at most: 16.28 kWh.
        above = cp.start(network.id_tag, 0, at(0))["transactionId"]
        cp.stop(above, 30_000, at(120))
        within = cp.start(network.id_tag, 30_000, at(130))["transactionId"]
        cp.stop(within, 44_000, at(250))
    assert reasons(engine, above) == ["energy_above_vehicle_power"]
    assert transaction(engine, above).session_id is None
    assert "held_for_review" in transaction(engine, above).flags
    assert reasons(engine, within) is None and transaction(engine, within).session_id
    usage = records(get_page(client, "usage", network.payer_token), "usage")
    assert [s["consumption"] for s in usage] == [14]


def test_a_corrected_session_is_not_repriced_from_the_stations_readings_when_unplugged(
    client: TestClient, engine: Engine, network: Network, clock: FakeClock
) -> None:
    with connected(client, network.identity, clock) as cp:
        forged = cp.start(network.id_tag, 0, at(0))["transactionId"]
        cp.status("Charging", at(0))
        cp.meter(50_000, at(30), transaction_id=forged)
        cp.stop(forged, 100_000, at(60), reason="Local")
        cp.status("Finishing", at(60))
        assert reasons(engine, forged) == ["energy_above_station_power"]
        with unit_of_work(engine) as db:
            review = db.scalars(select(SessionReview)).one()
            data = ReviewCorrection(energy_kwh=Decimal(18), note="meter read on site")
            held_sessions.correct(db, Actor.command_line(), review, data)
        # Unplugged 30 minutes later: parking would re-price it from its raw facts.
        cp.status("Available", at(90))
    with unit_of_work(engine) as db:
        session = db.scalars(select(ChargeSession)).one()
        assert (session.consumption_kwh, session.cost_to_driver) == (
            Decimal("18.000"),
            Decimal("7.20"),
        )
        assert (session.stop_date_time, session.total_parking_time_s) == (at(60), 0)
    assert "parked_until_available" not in transaction(engine, forged).flags

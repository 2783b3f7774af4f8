"""The models read the published examples and tolerate the contract's quirks."""

from datetime import date
from decimal import Decimal

from fleetcharge.client import Invoice, SiteHostSession, UsageSession, Vehicle
from tests.api.helpers import reference_example


def test_the_published_examples_parse() -> None:
    usage = [UsageSession.model_validate(s) for s in reference_example("usage")["data"]["sessions"]]
    assert usage[1].cost_to_driver == Decimal("2.56") and usage[1].invoice_number == "2199185"
    assert usage[1].total_time == 1020  # seconds, though the contract's prose says minutes
    assert usage[0].charging_time == 1262880 - 1256760
    assert usage[0].vehicle.contract_number == "DECEPTICON-10"
    hosted = [
        SiteHostSession.model_validate(s) for s in reference_example("sessions")["data"]["sessions"]
    ]
    assert hosted[0].location.sub_operator is not None
    assert hosted[0].location.sub_operator.name == "Cybertron"  # spelt `suboperator` there
    assert hosted[1].total_revenue == Decimal("0.5")
    vehicles = [
        Vehicle.model_validate(v) for v in reference_example("vehicles")["data"]["vehicles"]
    ]
    assert vehicles[2].effective_to == date(2024, 2, 15) and vehicles[2].id_tags == []
    (invoice,) = [
        Invoice.model_validate(i) for i in reference_example("invoices")["data"]["invoices"]
    ]
    assert invoice.charge_sessions[1].total_time == 114  # whole minutes on invoices
    assert invoice.total_amount_incl_tax == Decimal("171.31")
    assert invoice.model_extra == {"charge_station_subscriptions": []}  # unknown, kept


def test_nulls_absences_and_numbers_as_strings_are_tolerated() -> None:
    raw = reference_example("usage")["data"]["sessions"][1]
    raw.update(invoice_number=2199185, cost_to_driver=None)
    raw["vehicle"].update(contract_number=None, registration_number=None)
    del raw["charging_periods"], raw["consumption"]
    session = UsageSession.model_validate(raw)
    assert session.invoice_number == "2199185"
    assert session.cost_to_driver is None and session.consumption is None
    assert session.charging_periods == [] and session.periods_amount == 0
    hosted = reference_example("sessions")["data"]["sessions"][0]
    hosted["location"]["sub_operator"] = hosted["location"].pop("suboperator")
    hosted["location"].update(name=None, address=None)
    parsed = SiteHostSession.model_validate(hosted)
    assert parsed.location.sub_operator is not None and parsed.location.name is None

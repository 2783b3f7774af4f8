from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.lines import PRIOR_PERIOD
from fleetcharge.billing.payments import void_invoice
from fleetcharge.models import Invoice, Organisation
from tests import factories as f

from .readback import billed_sessions, billed_vehicles, lines, row_counts

JUNE = Period(2024, 6)
JULY = Period(2024, 7)
JUNE_SPAN = "from 2024-06-01 to 2024-06-30"
JULY_SPAN = "from 2024-07-01 to 2024-07-31"
SYDNEY = ZoneInfo("Australia/Sydney")
PRICE_140 = [{"price_components": [{"type": "ENERGY", "price": "1.40"}]}]
FREE = [{"price_components": [{"type": "ENERGY", "price": "0.00"}]}]


def sydney(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=SYDNEY)


def host(db: Session, name: str, subscription_fee: str = "0.00") -> Organisation:
    org = f.organisation(db, name)
    org.station_subscription_fee = Decimal(subscription_fee)
    db.flush()
    return org


def by_owner(db: Session, invoices: list[Invoice]) -> dict[tuple[str, str], Invoice]:
    return {(db.get_one(Organisation, i.organisation_id).name, i.kind): i for i in invoices}


def test_worked_example_matches_hand_computed_amounts(db: Session) -> None:
    # The published invoice example rebuilt: 1.40/kWh, one free charge, 4.95 per vehicle.
    cybertron = f.organisation(db, "Cybertron")
    autobots = f.fleet(db, cybertron, "Autobots")
    decepticons = f.fleet(db, cybertron, "Decepticons (Strike Force)")
    bumblebee = f.vehicle(db, autobots, id_tags=("BUMBLEBEE",))
    prime = f.vehicle(db, autobots, id_tags=("OPTIMUS", "PRIME"))
    ratchet = f.vehicle(db, autobots, id_tags=("RATCHET",), effective_from=date(2024, 6, 30))
    jetfire = f.vehicle(db, decepticons, id_tags=("JETFIRE",), effective_to=date(2024, 6, 1))
    soundwave = f.vehicle(db, decepticons, id_tags=("SOUNDWAVE",))
    # Neither was active in June: no fee.
    f.vehicle(db, decepticons, id_tags=("STARSCREAM",), effective_to=date(2024, 5, 31))
    f.vehicle(db, autobots, id_tags=("ARCEE",), effective_from=date(2024, 7, 1))

    outback = host(db, "Outback Hosting", subscription_fee="12.50")
    paid = f.site(db, outback, t=f.tariff(db, PRICE_140))
    free = f.site(db, outback, t=f.tariff(db, FREE))
    elsewhere = host(db, "Elsewhere")
    f.site(db, elsewhere)

    june_sessions = [
        f.charge(db, free, f.driver(db, prime), sydney(6, 20, 13), kwh="1.169"),  # 0.00
        f.charge(db, paid, f.driver(db, jetfire), sydney(6, 1, 0, 1), kwh="47.347"),  # 66.29
        f.charge(db, paid, f.driver(db, bumblebee), sydney(6, 18, 13), kwh="3.472"),  # 4.86
        f.charge(db, paid, f.driver(db, ratchet), sydney(6, 7, 15), kwh="0.417"),  # 0.58
        f.charge(db, paid, f.driver(db, soundwave), sydney(6, 30, 23, 59), kwh="53.447"),
        f.charge(db, paid, f.driver(db, None), sydney(6, 2, 9), kwh="10.000"),  # public 14.00
    ]
    # Completes at 00:30 on 1 July in Sydney (still 30 June in UTC): July's business.
    f.charge(db, paid, f.driver(db, soundwave), sydney(7, 1, 0, 30), kwh="5.000")

    drafted = draft_invoices(db, JUNE)

    assert [(i.organisation_id, i.kind) for i in drafted] == [
        (cybertron.id, "fleet"),
        (outback.id, "site_host"),
        (outback.id, "rcti"),
    ]
    fleet_invoice, site_host_invoice, rcti = drafted
    assert fleet_invoice.status == "draft"
    assert fleet_invoice.invoice_number is None
    assert fleet_invoice.invoice_date == date(2024, 6, 30)
    assert (fleet_invoice.period_start, fleet_invoice.period_end) == (
        date(2024, 6, 1),
        date(2024, 6, 30),
    )
    assert fleet_invoice.description == (
        f"Fleet vehicle management and public charging fees for services provided {JUNE_SPAN}"
    )
    assert (fleet_invoice.reference, fleet_invoice.currency) == ("Cybertron", "AUD")
    assert lines(db, fleet_invoice) == [
        (
            f"Autobots - Fees for vehicle management for current vehicles {JUNE_SPAN}",
            3,
            Decimal("4.95"),
            Decimal("14.85"),
        ),
        (
            f"Autobots - Fees for public charging {JUNE_SPAN} - Charge volume: 5.06kWh",
            1,
            Decimal("5.44"),
            Decimal("5.44"),
        ),
        (
            "Decepticons (Strike Force) - Fees for vehicle management for current vehicles"
            f" {JUNE_SPAN}",
            2,
            Decimal("4.95"),
            Decimal("9.90"),
        ),
        (
            f"Decepticons (Strike Force) - Fees for public charging {JUNE_SPAN}"
            " - Charge volume: 100.79kWh",
            1,
            Decimal("141.12"),
            Decimal("141.12"),
        ),
    ]
    assert fleet_invoice.total_amount == Decimal("171.31")
    assert fleet_invoice.total_tax == Decimal("15.57")  # 171.31 / 11 = 15.5736...
    assert fleet_invoice.total_paid == Decimal("0.00")
    assert billed_vehicles(db, fleet_invoice) == {
        v.id for v in (bumblebee, prime, ratchet, jetfire, soundwave)
    }
    assert billed_sessions(db, fleet_invoice) == {s.id for s in june_sessions[:5]}

    # Network fees at 0.175/kWh: 0.20 + 8.29 + 0.61 + 0.07 + 9.35 + 1.75 = 20.27.
    assert lines(db, site_host_invoice) == [
        (f"Charge station subscriptions {JUNE_SPAN}", 2, Decimal("12.50"), Decimal("25.00")),
        (
            f"Network fees for public charging at your stations {JUNE_SPAN}"
            " - Charge volume: 115.85kWh",
            1,
            Decimal("20.27"),
            Decimal("20.27"),
        ),
    ]
    assert site_host_invoice.total_amount == Decimal("45.27")
    assert site_host_invoice.total_tax == Decimal("4.12")  # 45.27 / 11 = 4.1154...
    assert site_host_invoice.reference == "Outback Hosting"
    assert billed_sessions(db, site_host_invoice) == {s.id for s in june_sessions}

    # Revenue: 0.00 + 66.29 + 4.86 + 0.58 + 74.83 + 14.00 = 160.56.
    assert lines(db, rcti) == [
        (
            f"Public charging revenue collected on your behalf {JUNE_SPAN}"
            " - Charge volume: 115.85kWh",
            1,
            Decimal("160.56"),
            Decimal("160.56"),
        ),
    ]
    assert rcti.total_amount == Decimal("160.56")
    assert rcti.total_tax == Decimal("14.60")  # 160.56 / 11 = 14.5963...
    assert billed_sessions(db, rcti) == {s.id for s in june_sessions}


def test_each_organisation_is_billed_in_its_own_time_zone(db: Session) -> None:
    perth_fleet_org = f.organisation(db, "West Fleet")
    perth_fleet_org.billing_timezone = "Australia/Perth"
    vehicle = f.vehicle(db, f.fleet(db, perth_fleet_org, "Utes"))
    sydney_host = host(db, "East Host")
    site = f.site(db, sydney_host, timezone="Australia/Sydney")
    # 01:30 on 1 July in Sydney is 23:30 on 30 June in Perth.
    late_evening = f.charge(db, site, f.driver(db, vehicle), sydney(7, 1, 1, 30), kwh="10.000")

    invoices = by_owner(db, draft_invoices(db, JUNE))

    assert billed_sessions(db, invoices["West Fleet", "fleet"]) == {late_evening.id}
    assert ("East Host", "site_host") not in invoices
    assert ("East Host", "rcti") not in invoices
    july = by_owner(db, draft_invoices(db, JULY))
    assert set(july) == {("West Fleet", "fleet"), ("East Host", "site_host"), ("East Host", "rcti")}
    assert billed_sessions(db, july["West Fleet", "fleet"]) == set()
    assert billed_sessions(db, july["East Host", "rcti"]) == {late_evening.id}


def test_a_session_completing_at_midnight_belongs_to_the_new_month(db: Session) -> None:
    org = f.organisation(db, "Midnight Fleet")
    vehicle = f.vehicle(db, f.fleet(db, org, "Night shift"))
    site = f.site(db, org)
    before = f.charge(db, site, f.driver(db, vehicle), sydney(6, 30, 23, 59), kwh="1.000")
    at_midnight = f.charge(db, site, f.driver(db, vehicle), sydney(7, 1, 0, 0), kwh="2.000")

    june = by_owner(db, draft_invoices(db, JUNE))
    july = by_owner(db, draft_invoices(db, JULY))

    for kind in ("fleet", "site_host"):
        assert billed_sessions(db, june["Midnight Fleet", kind]) == {before.id}
        assert billed_sessions(db, july["Midnight Fleet", kind]) == {at_midnight.id}
    # Its own fleet charging: nothing collected on its behalf, so no RCTI.
    assert ("Midnight Fleet", "rcti") not in june


def test_rerunning_a_period_creates_nothing(db: Session) -> None:
    org = f.organisation(db, "Repeat Fleet")
    vehicle = f.vehicle(db, f.fleet(db, org, "Vans"))
    site = f.site(db, host(db, "Repeat Host", subscription_fee="10.00"))
    f.charge(db, site, f.driver(db, vehicle), sydney(6, 10, 12), kwh="20.000")
    first = draft_invoices(db, JUNE)
    assert len(first) == 3
    before = row_counts(db)

    assert draft_invoices(db, JUNE) == []
    assert draft_invoices(db, JUNE, organisation_ids=[org.id]) == []
    assert row_counts(db) == before


def test_a_late_session_goes_on_the_next_months_invoice_as_a_prior_period_line(
    db: Session,
) -> None:
    org = f.organisation(db, "Late Fleet")
    vehicle = f.vehicle(db, f.fleet(db, org, "Trucks"))
    site = f.site(db, host(db, "Late Host"))
    on_time = f.charge(db, site, f.driver(db, vehicle), sydney(6, 10, 12), kwh="10.000")
    june = by_owner(db, draft_invoices(db, JUNE))
    approve_invoices(db)

    # Uploaded by offline stations after June was invoiced, but completed in June.
    late = [
        f.charge(db, site, f.driver(db, vehicle), sydney(6, 29, 12), kwh="20.000"),
        f.charge(db, site, f.driver(db, vehicle), sydney(6, 30, 23, 59), kwh="2.000"),
    ]
    in_july = f.charge(db, site, f.driver(db, vehicle), sydney(7, 3, 12), kwh="5.000")
    assert draft_invoices(db, JUNE) == []
    july = by_owner(db, draft_invoices(db, JULY))

    for kind in ("fleet", "site_host", "rcti"):
        owner = "Late Fleet" if kind == "fleet" else "Late Host"
        assert billed_sessions(db, june[owner, kind]) == {on_time.id}
        assert billed_sessions(db, july[owner, kind]) == {s.id for s in (*late, in_july)}
    # At the factory tariff's 0.30/kWh: July's own 5 kWh, then June's 22 kWh apart.
    assert lines(db, july["Late Fleet", "fleet"])[1:] == [
        (
            f"Trucks - Fees for public charging {JULY_SPAN} - Charge volume: 5.00kWh",
            1,
            Decimal("1.50"),
            Decimal("1.50"),
        ),
        (
            "Trucks - Fees for public charging from 2024-06-29 to 2024-06-30"
            " (prior period, received late) - Charge volume: 22.00kWh",
            1,
            Decimal("6.60"),
            Decimal("6.60"),
        ),
    ]
    # Network fees at 0.175/kWh: 0.88 in July; 3.50 + 0.35 late from June.
    assert [line[0].split(" - ")[0] for line in lines(db, july["Late Host", "site_host"])] == [
        f"Network fees for public charging at your stations {JULY_SPAN}",
        "Network fees for public charging at your stations from 2024-06-29 to 2024-06-30"
        " (prior period, received late)",
    ]
    assert [line[3] for line in lines(db, july["Late Host", "site_host"])] == [
        Decimal("0.88"),
        Decimal("3.85"),
    ]
    assert [line[3] for line in lines(db, july["Late Host", "rcti"])] == [
        Decimal("1.50"),
        Decimal("6.60"),
    ]
    assert july["Late Fleet", "fleet"].total_amount == Decimal("4.95") + Decimal("8.10")


def test_a_month_never_billed_before_bills_only_its_own_lines(db: Session) -> None:
    org = f.organisation(db, "On Time Fleet")
    vehicle = f.vehicle(db, f.fleet(db, org, "Cars"))
    site = f.site(db, host(db, "On Time Host"))
    f.charge(db, site, f.driver(db, vehicle), sydney(7, 3, 12), kwh="5.000")

    invoices = by_owner(db, draft_invoices(db, JULY))

    assert all(PRIOR_PERIOD not in line[0] for i in invoices.values() for line in lines(db, i))


def test_voiding_a_document_lets_the_period_be_billed_again(db: Session) -> None:
    org = f.organisation(db, "Void Fleet")
    vehicle = f.vehicle(db, f.fleet(db, org, "Cars"))
    site = f.site(db, host(db, "Void Host"))
    session = f.charge(db, site, f.driver(db, vehicle), sydney(6, 10, 12), kwh="10.000")
    (voided,) = draft_invoices(db, JUNE, organisation_ids=[org.id])
    approve_invoices(db)
    assert void_invoice(db, voided)

    (replacement,) = draft_invoices(db, JUNE, organisation_ids=[org.id])

    assert replacement.id != voided.id
    assert billed_sessions(db, replacement) == {session.id}
    assert billed_vehicles(db, replacement) == billed_vehicles(db, voided) == {vehicle.id}
    assert replacement.total_amount == voided.total_amount
    assert lines(db, replacement) == lines(db, voided)


def test_nothing_to_bill_creates_no_documents(db: Session) -> None:
    idle = f.organisation(db, "Idle Fleet")
    f.fleet(db, idle, "Empty fleet")
    retired = f.fleet(db, idle, "Retired fleet")
    f.vehicle(db, retired, effective_from=date(2023, 1, 1), effective_to=date(2024, 5, 31))
    f.site(db, host(db, "Free Host", subscription_fee="0.00"))
    f.organisation(db, "Nothing At All")

    assert draft_invoices(db, JUNE) == []
    assert row_counts(db)["invoices"] == 0


def test_a_fleet_without_active_vehicles_still_pays_for_its_charging(db: Session) -> None:
    org = f.organisation(db, "Shrinking Fleet")
    fleet = f.fleet(db, org, "Gone")
    vehicle = f.vehicle(db, fleet, effective_to=date(2024, 5, 31))
    site = f.site(db, host(db, "Some Host"))
    session = f.charge(db, site, f.driver(db, vehicle), sydney(6, 10, 12), kwh="10.000")

    (invoice,) = draft_invoices(db, JUNE, organisation_ids=[org.id])

    assert lines(db, invoice) == [
        (
            f"Gone - Fees for public charging {JUNE_SPAN} - Charge volume: 10.00kWh",
            1,
            Decimal("3.00"),
            Decimal("3.00"),
        )
    ]
    assert billed_sessions(db, invoice) == {session.id}
    assert billed_vehicles(db, invoice) == set()


def test_a_vehicle_moved_between_fleets_in_the_month_is_billed_once_in_its_new_fleet(
    db: Session,
) -> None:
    org = f.organisation(db, "Movers")
    org.vehicle_fee = Decimal("5.00")
    vans, utes = f.fleet(db, org, "Vans"), f.fleet(db, org, "Utes")
    before = f.vehicle(db, vans, effective_from=date(2024, 1, 1), effective_to=date(2024, 6, 14))
    after = f.vehicle(db, utes, effective_from=date(2024, 6, 15))
    after.vin = before.vin  # its record in the new fleet, as the admin API's move makes it
    other = f.vehicle(db, vans, effective_from=date(2024, 1, 1))
    db.flush()

    (invoice,) = draft_invoices(db, JUNE, organisation_ids=[org.id])

    assert billed_vehicles(db, invoice) == {after.id, other.id}
    fees = [line for line in lines(db, invoice) if "vehicle management" in line[0]]
    assert [(line[0].split(" - ")[0], line[1]) for line in fees] == [("Utes", 1), ("Vans", 1)]

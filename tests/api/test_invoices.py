"""/invoices (billing/listing.py) on invoices built row by row: exact rendering, statuses,
date filters; and the invoice number /usage shows for a billed session."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from fleetcharge.billing import Period, approve_invoices, draft_invoices
from fleetcharge.billing.adjustments import draft_adjustment_note
from fleetcharge.db import unit_of_work
from fleetcharge.models import Invoice, InvoiceSession
from tests import factories as f
from tests.api.helpers import get_page, records, uuids


def test_an_invoice_exactly(client: TestClient, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db, "Cybertron")
        autobots = f.fleet(db, org, "Autobots")
        prime = f.vehicle(
            db, autobots, id_tags=("OPTIMUS", "PRIME"), effective_from=date(2020, 12, 29)
        )
        bee = f.vehicle(
            db,
            autobots,
            id_tags=(),
            effective_from=date(2023, 4, 1),
            effective_to=date(2024, 6, 15),
        )
        bee.contract_number = None
        site = f.site(db, org, "Australia/Darwin")
        session = f.charge(
            db,
            site,
            f.driver(db, prime),
            datetime(2024, 6, 20, 4, 0, 0, 87000, tzinfo=UTC),
            charging=timedelta(minutes=17, seconds=32),
            kwh="8.539",
        )
        inv = f.invoice(
            db,
            org,
            invoice_date=date(2024, 6, 30),
            number=90003362,
            description="Fleet fees for June",
            reference="PO-17",
            lines=(
                ("Autobots - vehicle management", 2, "4.95"),
                ("Autobots - public charging - 8.54kWh", 1, "2.56"),
            ),
            vehicles=(bee, prime),
            sessions=(session,),
            total_paid="5.00",
        )
        secret = f.token(db, org)
        expected_uuids = {
            "invoice": str(inv.uuid),
            "prime": str(prime.uuid),
            "bee": str(bee.uuid),
            "fleet": str(autobots.uuid),
            "session": str(session.uuid),
        }
    (invoice,) = records(get_page(client, "invoices", secret), "invoices")
    autobots_customer = {"uuid": expected_uuids["fleet"], "name": "Autobots"}
    assert invoice == {
        "uuid": expected_uuids["invoice"],
        "invoice_number": 90003362,
        "invoice_date": "2024-06-30",
        "description": "Fleet fees for June",
        "status": "approved",
        "currency": "AUD",
        "total_tax": 1.13,  # 12.46 / 11
        "total_amount_incl_tax": 12.46,
        "total_paid_incl_tax": 5,
        "total_due_incl_tax": 7.46,
        "reference": "PO-17",
        "line_items": [
            {
                "description": "Autobots - vehicle management",
                "units": 2,
                "unit_price_incl_tax": 4.95,
                "amount_incl_tax": 9.9,
            },
            {
                "description": "Autobots - public charging - 8.54kWh",
                "units": 1,
                "unit_price_incl_tax": 2.56,
                "amount_incl_tax": 2.56,
            },
        ],
        "vehicles": [  # by effective_from
            {
                "uuid": expected_uuids["prime"],
                "contract_number": prime.contract_number,
                "vin": prime.vin,
                "registration_number": prime.registration_number,
                "effective_from": "2020-12-29",
                "effective_to": None,
                "customer": autobots_customer,
                "cards": [{"id_tag": "OPTIMUS"}, {"id_tag": "PRIME"}],
            },
            {
                "uuid": expected_uuids["bee"],
                "contract_number": "",
                "vin": bee.vin,
                "registration_number": bee.registration_number,
                "effective_from": "2023-04-01",
                "effective_to": "2024-06-15",
                "customer": autobots_customer,
                "cards": [],
            },
        ],
        "charge_sessions": [
            {
                "uuid": expected_uuids["session"],
                "location": site.location.name,
                "charge_station": site.station.name,
                "connector": "Port A",
                # Darwin is UTC+09:30 all year; milliseconds as in the published example.
                "start_time": "2024-06-20T13:12:28.087+09:30",
                "stop_time": "2024-06-20T13:30:00.087+09:30",
                "auth_id": "OPTIMUS",
                "total_time": 17,
                "consumption": 8.539,
                "total_cost_incl_tax": 2.56,
            },
        ],
    }


def test_statuses_order_and_what_each_document_bills(client: TestClient, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org, host, payer = f.organisation(db), f.organisation(db), f.organisation(db)
        v = f.vehicle(db, f.fleet(db, payer))
        site = f.site(db, host, "Australia/Hobart")
        session = f.charge(
            db, site, f.driver(db, v), datetime(2024, 3, 3, tzinfo=UTC), kwh="20.000"
        )  # 6.00 to the driver, 3.50 network fee
        site_host_invoice = f.invoice(
            db,
            host,
            kind="site_host",
            invoice_date=date(2024, 3, 31),
            number=11,
            sessions=(session,),
            status="paid",
            total_paid="9.90",
        )
        made = [
            f.invoice(
                db,
                host,
                kind="rcti",
                invoice_date=date(2024, 3, 31),
                number=12,
                accompanies=site_host_invoice,
            ),
            site_host_invoice,
            f.invoice(
                db, host, kind="fleet", invoice_date=date(2024, 2, 29), number=13, status="void"
            ),
            f.invoice(db, host, kind="fleet", invoice_date=date(2024, 1, 31), status="draft"),
            f.invoice(db, org, kind="fleet", invoice_date=date(2024, 1, 31), number=1),
        ]
        secret = f.token(db, host)
    body = get_page(client, "invoices", secret)
    assert body["pagination"] == {"total_entries": 3}
    listed = records(body, "invoices")
    # By invoice_date, then number; the draft and the other organisation's are absent.
    assert uuids(listed) == [str(made[2].uuid), str(made[1].uuid), str(made[0].uuid)]
    assert [x["status"] for x in listed] == ["void", "paid", "approved"]
    assert [x["invoice_number"] for x in listed] == [13, 11, 12]
    paid = listed[1]
    assert (paid["total_paid_incl_tax"], paid["total_due_incl_tax"]) == (9.9, 0)
    assert [s["total_cost_incl_tax"] for s in paid["charge_sessions"]] == [3.5]  # network fee
    # The RCTI bills the site-host invoice's sessions, at their revenue.
    assert [s["total_cost_incl_tax"] for s in listed[2]["charge_sessions"]] == [6]


def test_date_filters_use_the_invoice_date(client: TestClient, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        by_month = {
            month: str(f.invoice(db, org, invoice_date=date(2024, month, 28)).uuid)
            for month in (1, 2, 3, 4)
        }
        secret = f.token(db, org)

    def listed(**params: str) -> list[str]:
        return uuids(records(get_page(client, "invoices", secret, params), "invoices"))

    assert listed(date_from="2024-02-28", date_to="2024-03-28") == [by_month[2], by_month[3]]
    assert listed(date_from="2024-02-29") == [by_month[3], by_month[4]]
    assert listed(date_to="2024-02-27") == [by_month[1]]
    assert listed(date_from="2024-03-28T23:00:00+10:00") == [by_month[3], by_month[4]]
    assert listed(date_from="2025-01-01") == []


def test_usage_invoice_number_follows_the_fleet_invoice(client: TestClient, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        v = f.vehicle(db, f.fleet(db, org))
        host = f.organisation(db)
        session = f.charge(db, f.site(db, host), f.driver(db, v), datetime(2024, 3, 3, tzinfo=UTC))
        other = f.charge(db, f.site(db, host), f.driver(db, v), datetime(2024, 3, 4, tzinfo=UTC))
        # The host's documents bill the sessions too; that is not the fleet's invoice.
        f.invoice(db, host, kind="site_host", sessions=(session, other))
        draft = f.invoice(db, org, status="draft", sessions=(session,))
        secret = f.token(db, org)
        draft_id, session_uuid = draft.id, str(session.uuid)

    def numbers() -> list[str | None]:
        usage = records(get_page(client, "usage", secret), "usage")
        assert uuids(usage)[0] == session_uuid
        return [s["invoice_number"] for s in usage]

    assert numbers() == [None, None]  # drafted only
    with unit_of_work(engine) as db:
        db.execute(
            update(Invoice)
            .where(Invoice.id == draft_id)
            .values(status="approved", invoice_number=10000042)
        )
    assert numbers() == ["10000042", None]
    with unit_of_work(engine) as db:
        db.execute(
            update(Invoice)
            .where(Invoice.id == draft_id)
            .values(status="paid", total_paid=Invoice.total_amount)
        )
    assert numbers() == ["10000042", None]
    with unit_of_work(engine) as db:  # voided: the session is unbilled again
        db.execute(
            update(Invoice).where(Invoice.id == draft_id).values(status="void", total_paid=0)
        )
        db.execute(
            update(InvoiceSession).where(InvoiceSession.invoice_id == draft_id).values(active=False)
        )
    assert numbers() == [None, None]


def test_an_adjustment_note_is_listed_within_the_contract(
    client: TestClient, engine: Engine
) -> None:
    with unit_of_work(engine) as db:
        org = f.organisation(db)
        vehicle = f.vehicle(db, f.fleet(db, org))
        stop = datetime(2024, 6, 3, tzinfo=UTC)
        f.charge(db, f.site(db, f.organisation(db)), f.driver(db, vehicle), stop)
        draft_invoices(db, Period(2024, 6))
        (invoice,) = [i for i in approve_invoices(db) if i.organisation_id == org.id]
        note = draft_adjustment_note(db, invoice, Decimal("-2.00"), "Fee waived")
        approve_invoices(db, [note.id])
        secret = f.token(db, org)
        numbers = (invoice.invoice_number, note.invoice_number)

    listed = records(get_page(client, "invoices", secret), "invoices")  # validates both

    original, credit = sorted(listed, key=lambda x: x["invoice_number"])
    assert [original["invoice_number"], credit["invoice_number"]] == list(numbers)
    assert (original["total_paid_incl_tax"], original["total_due_incl_tax"]) == (2, 5.95)
    assert credit["reference"] == str(numbers[0])
    assert credit["description"].startswith(f"Adjustment note for invoice {numbers[0]} of")
    assert (credit["status"], credit["total_amount_incl_tax"], credit["total_tax"]) == (
        "paid",
        -2,
        -0.18,
    )
    assert (credit["total_paid_incl_tax"], credit["total_due_incl_tax"]) == (-2, 0)
    assert credit["line_items"] == [
        {
            "description": f"Adjustment to invoice {numbers[0]}: Fee waived",
            "units": 1,
            "unit_price_incl_tax": -2,
            "amount_incl_tax": -2,
        }
    ]
    assert (credit["vehicles"], credit["charge_sessions"]) == ([], [])

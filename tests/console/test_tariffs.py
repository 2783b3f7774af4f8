"""The operator's tariff pages: list, one in words and as its document, and a new one from
a pasted OCPI document with its problems named by field."""

import json
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from fleetcharge.console.tariff_text import price_bounds, readable_elements
from fleetcharge.db import unit_of_work
from fleetcharge.models import Tariff
from tests import factories
from tests.admin.helpers import ADMIN, account
from tests.console.conftest import Console
from tests.console.operator import field_error, forged, location, send, text_of, uuid_in

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "tariff-time-of-use.json"


def _tariffs(engine: Engine) -> int:
    with unit_of_work(engine) as db:
        return db.scalar(select(func.count()).select_from(Tariff)) or 0


def test_a_tariff_from_a_pasted_document(console: Console, engine: Engine) -> None:
    console.sign_in("admin")
    form = console.client.get("/network/tariffs/new")
    assert form.status_code == 200 and "<textarea" in form.text
    document = json.loads(EXAMPLE.read_text())
    document["name"] = "Peak <i>and</i> off-peak"
    text = json.dumps(document, indent=2)
    assert forged(console, "/network/tariffs/new", {"document": text}).status_code == 403

    not_json = send(console, "/network/tariffs/new", {"document": '{"name": "x",'})
    assert not_json.status_code == 400
    assert "not JSON" in field_error(not_json.text, "document")
    wrong = json.loads(text)
    wrong["elements"][1]["price_components"][0]["price"] = "-1"
    bad = send(console, "/network/tariffs/new", {"document": json.dumps(wrong)})
    assert bad.status_code == 400
    assert "elements[1].price_components[0].price" in field_error(bad.text, "document")
    assert "&#34;-1&#34;" in bad.text or "&quot;-1&quot;" in bad.text  # the document is kept
    assert _tariffs(engine) == 0

    page = console.client.get(location(send(console, "/network/tariffs/new", {"document": text})))
    words = text_of(page.text)
    assert "Tariff Peak &lt;i&gt;and&lt;/i&gt; off-peak created" in words
    assert "Energy: $0.69 per kWh" in words and "Mon to Fri, 16:00 to 21:00 local time" in words
    assert "Parking: $24.00 per hour, billed in steps of 60 s, after 10 minutes of grace" in words
    assert "Minimum $1.00 a session" in words
    admin = account(engine, "admin")
    uuid = uuid_in(page.url.path)
    stored = console.client.get(f"{ADMIN}/tariffs/{uuid}", headers=admin.headers).json()
    assert stored["name"] == "Peak <i>and</i> off-peak"
    assert stored["document"]["elements"][0]["price_components"][0]["price"] == "0.69"

    console.sign_in("support")
    listed = console.client.get("/network/tariffs")
    assert "Peak &lt;i&gt;and&lt;/i&gt; off-peak" in listed.text
    assert 'href="/network/tariffs/new"' not in listed.text
    assert console.client.get(f"/network/tariffs/{uuid}").status_code == 200
    assert console.client.get("/network/tariffs/new").status_code == 403
    assert send(console, "/network/tariffs/new", {"document": text}).status_code == 403
    assert _tariffs(engine) == 1


def test_the_list_searches(console: Console, engine: Engine) -> None:
    with unit_of_work(engine) as db:
        cheap, dear = factories.tariff(db), factories.tariff(db)
        dear.name = "Dear DC"
        fleet_operator = factories.organisation(db, "Fleet Co")
    console.sign_in("billing")
    every = console.client.get("/network/tariffs")
    assert cheap.name in every.text and "Dear DC" in every.text
    assert "Energy: $0.30 per kWh" in every.text
    found = console.client.get("/network/tariffs", params={"q": "dear"})
    assert "Dear DC" in found.text and cheap.name not in found.text
    assert console.client.get(f"/network/tariffs/{cheap.uuid}x").status_code == 400
    console.sign_in("fleet_manager", fleet_operator)  # not staff: no such page
    assert console.client.get("/network/tariffs").status_code == 404
    assert console.client.get(f"/network/tariffs/{cheap.uuid}").status_code == 404


def test_tariffs_in_words() -> None:
    document = {
        "tax_rate": "0.10",
        "parking_grace_minutes": 0,
        "max_price": {"excl_vat": "9.09", "incl_vat": "10.00"},
        "elements": [
            {
                "price_components": [
                    {"type": "TIME", "price": "3.3375", "step_size": 1},
                    {"type": "FLAT", "price": "1", "step_size": 1},
                ],
                "restrictions": {
                    "day_of_week": ["SATURDAY", "MONDAY"],
                    "min_kwh": "10",
                    "start_date": "2027-01-01",
                },
            },
            {"price_components": [{"type": "ENERGY", "price": "0.5", "step_size": 1000}]},
        ],
    }
    first, second = readable_elements(document)
    assert first.when == "Mon, Sat, from 2027-01-01, from 10 kWh"
    assert first.prices == ["Charging time: $3.3375 per hour", "Flat fee: $1.00 per session"]
    assert second.when == "Always"
    assert second.prices == ["Energy: $0.50 per kWh, billed in steps of 1000 Wh"]
    assert price_bounds(document) == [("Maximum", "$10.00 a session, $9.09 excl. GST")]


@given(st.decimals(min_value=0, max_value=10_000, places=4), st.sampled_from(["ENERGY", "FLAT"]))
def test_a_price_in_words_reads_back_as_the_price(price: Decimal, kind: str) -> None:
    document = {"elements": [{"price_components": [{"type": kind, "price": str(price)}]}]}
    ((words,),) = [element.prices for element in readable_elements(document)]
    shown = words.split("$", 1)[1].split(" ", 1)[0]
    assert Decimal(shown.replace(",", "")) == price
    assert len(shown.rsplit(".", 1)[1]) >= 2  # at least to the cent


OCPI_EXAMPLES = Path(__file__).resolve().parents[1] / "pricing" / "ocpi_2_2_1"


def test_an_ocpi_tariff_page_shows_its_text_url_energy_and_gst_inclusive_prices(
    console: Console,
) -> None:
    console.sign_in("admin")
    document = json.loads((OCPI_EXAMPLES / "tariff_2_alt_text.json").read_text())
    document["tariff_alt_url"] = "https://example.com/tariffs/12"
    document["energy_mix"] = {
        "is_green_energy": True,
        "energy_sources": [{"source": "SOLAR", "percentage": 100}],
        "supplier_name": "Sunny Power",
    }
    created = send(console, "/network/tariffs/new", {"document": json.dumps(document)})
    words = text_of(console.client.get(location(created)).text)
    assert "About (en) 2.00 euro p/hour including VAT." in words
    assert "About (nl) 2.00 euro p/uur inclusief BTW." in words
    assert 'href="https://example.com/tariffs/12"' in console.client.get(location(created)).text
    assert "Green: solar 100% (Sunny Power)" in words
    assert "Type AD_HOC_PAYMENT" in words
    # 1.90 excl. VAT + 5.2% = 1.9988 per hour including VAT, in steps of 300 s.
    assert "Charging time: $1.9988 per hour (GST 5.2%), billed in steps of 300 s" in words

"""A small crafted data set for the reports, with hand-computed expectations in the tests.

Reconcile (period 2024-06-01 .. 2024-06-30):
- invoice 501 bills a, b, d; usage says a, b, c carry 501 (b's amounts differ, c is on
  no invoice line, d is in no usage);
- invoice 502 bills h, and everything agrees;
- 503 is a site host's network-fee document and 504 is void: neither is reconciled;
- e is not invoiced; f is not invoiced but completed before the period; g names an
  invoice outside the period.
"""

from typing import Any

from tests.client import records as r

FLEET_LINES = (("Autobots - Fees for vehicle management", 9.90),)

RECONCILE_USAGE = [
    r.usage("a", stop="2024-06-10T10:00:00+10:00", amounts=(1.50, 1.06), invoice="501"),
    r.usage("b", stop="2024-06-11T10:00:00+10:00", amounts=(4.90,), invoice="501"),
    r.usage("c", stop="2024-06-12T10:00:00+10:00", amounts=(1.00,), cost=1.10, invoice="501"),
    r.usage("e", stop="2024-06-20T10:00:00+10:00", amounts=(3.00,)),
    r.usage("f", stop="2024-05-31T23:00:00+10:00", amounts=(3.00,)),
    r.usage("g", stop="2024-06-21T10:00:00+10:00", amounts=(1.25,), invoice="777"),
    r.usage("h", stop="2024-06-22T10:00:00+10:00", amounts=(2.00,), invoice="502"),
]
RECONCILE_INVOICES = [
    r.invoice(
        501,
        lines=(*FLEET_LINES, ("Autobots - Fees for public charging - 12.3kWh", 10.00)),
        sessions=(("a", 2.56), ("b", 5.00), ("d", 2.44)),
    ),
    r.invoice(502, lines=(("Autobots - Fees for public charging", 2.00),), sessions=(("h", 2.00),)),
    r.invoice(
        503,
        lines=(("Network fees for public charging at your stations", 0.50),),
        sessions=(("x", 0.50),),
    ),
    r.invoice(504, lines=(("Autobots - Fees for public charging", 9.99),), status="void"),
]

PERTH = "Australia/Perth"
REVENUE_SESSIONS = [
    r.site_host("h1", stop="2024-06-10T23:30:00+10:00", kwh=10.5, revenue=5.50,
                gst_revenue=0.50, cost=1.84, gst_cost=0.17, total_time=3600, parking=600),
    r.site_host("h2", stop="2024-06-10T08:00:00+10:00", kwh=4.25, revenue=2.20,
                gst_revenue=0.20, cost=0.74, gst_cost=0.07, total_time=1800),
    r.site_host("h3", stop="2024-06-10T12:00:00+10:00", connector=2, kwh=1, cost=0.18,
                gst_cost=0.02, total_time=600, host_key="sub_operator"),
    # 16:30 UTC is 00:30 the next day in Perth: the local day is 11 June.
    r.site_host("h4", stop="2024-06-10T16:30:00Z", location="Perth Hub", evse="EVSE-9",
                timezone=PERTH, kwh=20, revenue=11.00, gst_revenue=1.00, cost=3.50,
                gst_cost=0.32, total_time=7200, parking=1800),
    r.site_host("h5", stop="2024-06-11T00:10:00+10:00", kwh=2, revenue=1.10,
                gst_revenue=0.10, cost=0.35, gst_cost=0.03, total_time=900, parking=300),
]  # fmt: skip

AUDIT_VEHICLES = [
    r.vehicle("v1", "VIN-PRIME", ("OPTIMUS", "PRIME")),
    r.vehicle("v2", "VIN-BEE", ("BUMBLEBEE",)),
    r.vehicle("v3", "VIN-OLD", effective_to="2024-02-15"),
    r.vehicle("v4", "VIN-NEW"),
    r.vehicle("v5", "VIN-PRIME", effective_from="2019-01-01", effective_to="2022-12-31"),
    r.vehicle("v6", "VIN-FUT", ("FUTURE",), effective_from="2024-08-01"),
]


def _charged(uuid: str, tag: str, vin: str, day: str, cost: float, kwh: float) -> dict[str, Any]:
    return r.usage(
        uuid, auth_id=tag, vin=vin, stop=f"{day}T10:00:00+10:00", amounts=(cost,), kwh=kwh
    )


AUDIT_USAGE = [
    _charged("u1", "OPTIMUS", "VIN-PRIME", "2024-06-10", 2.56, 8.539),
    _charged("u2", "OPTIMUS", "VIN-PRIME", "2024-06-12", 3.00, 10),
    _charged("u3", "JAZZ", "VIN-BEE", "2024-06-15", 1.00, 2),
    _charged("u4", "OPTIMUS", "VIN-GHOST", "2024-06-20", 4.00, 5),
    _charged("u5", "RATCHET", "VIN-OLD", "2024-06-21", 1.50, 3),
]

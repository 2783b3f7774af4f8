"""Benchmark: rendering a tax invoice PDF whose appendix itemises 2,000 sessions (no
database: the document is built in memory, as `documents.tax_document` would return it).

    .venv/bin/python bench/invoice_pdf.py [--sessions 2000] [--vehicles 40] [--repeat 3]

Printed: the pages, the size, and the best and median wall time of a render over the
repeats, with this process's CPU time (on a shared machine the wall time moves with the
load). Target: a couple of seconds for 2,000 sessions.
"""

import argparse
import statistics
import time
from datetime import date
from decimal import Decimal

from fleetcharge.billing.appendix import Appendix, AppendixGroup, AppendixRow
from fleetcharge.billing.documents import (
    DocumentLine,
    Party,
    PaymentAccount,
    PaymentInstructions,
    TaxDocument,
)
from fleetcharge.billing.payment_reference import payment_reference
from fleetcharge.billing.pdf import render_pdf

TARGET_S = 2.0


def document(sessions: int, vehicles: int) -> TaxDocument:
    rows = [
        AppendixRow(
            date(2026, 10, 1 + n % 31),
            f"Charging hub {n % 25} - Parramatta Road, Annandale",
            Decimal("23.456") + n % 50,
            Decimal("12.34") + n % 40,
        )
        for n in range(sessions)
    ]
    groups = tuple(
        AppendixGroup(f"Vans - VAN{v:03d} (VIN 1N6AA0CA7AN31{v:04d})", tuple(rows[v::vehicles]))
        for v in range(vehicles)
    )
    appendix = Appendix("Charge sessions by vehicle", groups)
    total = appendix.amount
    operator = Party(
        "Fleetcharge Networks Pty Ltd",
        "51824753556",
        "Level 3, 10 Spring Street\nSydney NSW 2000",
        ("Phone 02 9000 0000",),
        PaymentAccount("Fleetcharge Networks", "062-000", "1234 5678", "98765"),
    )
    assert operator.payment is not None
    return TaxDocument(
        title="Tax invoice",
        number=10004711,
        issue_date=date(2026, 11, 3),
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        status="approved",
        supplier=operator,
        recipient=Party("Cybertron Logistics Pty Ltd", "33051775556", "1 Autobot Way"),
        description="Fleet vehicle management and public charging fees",
        lines=(DocumentLine("Vans - public charging", 1, total, total, total / 11),),
        currency="AUD",
        total=total,
        gst=(total / 11).quantize(Decimal("0.01")),
        paid=Decimal("0.00"),
        sessions=sessions,
        statements=("All supplies on this document are taxable supplies at 10% GST.",),
        due_date=date(2026, 11, 17),
        payment_terms_days=14,
        payment=PaymentInstructions(operator.payment, payment_reference(10004711)),
        appendix=appendix,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--vehicles", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    built = document(args.sessions, args.vehicles)
    walls, cpus, size = [], [], 0
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        content = render_pdf(built)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        size = len(content)
    pages = content.count(b"/Type /Page\n") or content.count(b"/Type /Page")
    print(
        f"{args.sessions:,} sessions over {args.vehicles} vehicles: ~{pages} pages,"
        f" {size / 1024:,.0f} KiB; render best {min(walls):.2f} s,"
        f" median {statistics.median(walls):.2f} s (CPU {min(cpus):.2f} s);"
        f" target <= {TARGET_S:.0f} s: {'met' if min(walls) <= TARGET_S else 'MISSED'}"
    )


if __name__ == "__main__":
    main()

"""Sessions priced per second on one core: a three-element time-of-use tariff with parking.

    .venv/bin/python bench/pricing_throughput.py [--sessions 50000] [--seed 1]

Pure CPU (no database). Sessions start at random times over a year in Australia/Sydney
(so DST days and midnight crossings occur), charge 10 min - 4 h and park 0 - 90 min.
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fleetcharge.pricing.engine import price
from fleetcharge.pricing.schemas import TariffSpec, Timeline

TARIFF = TariffSpec.from_document(
    [
        {
            "price_components": [{"type": "ENERGY", "price": "0.55", "step_size": 1}],
            "restrictions": {"start_time": "16:00", "end_time": "21:00"},
        },
        {
            "price_components": [{"type": "ENERGY", "price": "0.25", "step_size": 1}],
            "restrictions": {"start_time": "21:00", "end_time": "07:00"},
        },
        {
            "price_components": [
                {"type": "ENERGY", "price": "0.35", "step_size": 1},
                {"type": "PARKING_TIME", "price": "12.00", "step_size": 60},
            ]
        },
    ],
    currency="AUD",
    tax_rate=Decimal("0.10"),
    parking_grace_minutes=10,
)


def sessions(n: int, seed: int) -> list[Timeline]:
    rng = random.Random(seed)
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for _ in range(n):
        start = origin + timedelta(seconds=rng.randrange(365 * 86400))
        charge = rng.randrange(600, 4 * 3600)
        park = rng.choice((0, 0, rng.randrange(60, 90 * 60)))
        kwh = Decimal(rng.randrange(1000, 80000)).scaleb(-3)
        end = start + timedelta(seconds=charge)
        out.append(Timeline(start, end, end + timedelta(seconds=park), kwh))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    timelines = sessions(args.sessions, args.seed)
    for tl in timelines[:1000]:  # warm-up
        price(TARIFF, tl)
    began = time.perf_counter()
    periods = 0
    for tl in timelines:
        periods += len(price(TARIFF, tl).periods)
    elapsed = time.perf_counter() - began
    print(
        f"{len(timelines) / elapsed:,.0f} sessions/s on one core "
        f"({len(timelines):,} sessions, {periods / len(timelines):.2f} periods each, "
        f"{elapsed:.2f} s)"
    )


if __name__ == "__main__":
    main()

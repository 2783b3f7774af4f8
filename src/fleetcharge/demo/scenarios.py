"""Scripted sessions for the cases that break date handling and billing.

Crossing local midnight, crossing a daylight-saving change, ending on a month's last
day near midnight (a 23:30 completion in Perth), a car left parked for days, public
drivers at a site host's stations and a fleet charging at its own depot.
"""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from fleetcharge.demo.physics import Charge, DemoSession, demo_session, fixed_charge
from fleetcharge.demo.places import (
    ADL,
    BNE,
    COASTLINE,
    CYBERTRON,
    DRW,
    GREEN_WHEELS,
    HBA,
    MEL,
    OUTBACK,
    PER,
    SYD,
)
from fleetcharge.demo.timing import DemoWindow, local_instant, offset_changes
from fleetcharge.demo.world import ChargePoint, ChargingWorld, Driver
from fleetcharge.timezones import zone

H = 3600
M = 60


class _Script:
    def __init__(self, world: ChargingWorld, window: DemoWindow, seed: int) -> None:
        self.world = world
        self.window = window
        self.rng = random.Random(f"{seed}:scenarios")
        self.sessions: list[DemoSession] = []

    def point(
        self,
        timezone: str,
        current_type: str,
        *,
        host_key: str | None = None,
        where: Callable[[ChargePoint], bool] = lambda _: True,
    ) -> ChargePoint:
        for point in self.world.charge_points:
            if (
                point.timezone == timezone
                and point.current_type == current_type
                and (host_key is None or point.host_key == host_key)
                and where(point)
            ):
                return point
        raise LookupError(f"the demo network has no {current_type} station in {timezone}")

    def driver(self, payer_key: str | None, day: date) -> Driver:
        candidates = [
            d for d in self.world.drivers_of(payer_key) if d.active_on(day - timedelta(days=1))
        ]
        candidates = [d for d in candidates if d.active_on(day + timedelta(days=8))] or candidates
        return self.rng.choice(candidates)

    def add(
        self,
        point: ChargePoint,
        payer_key: str | None,
        day: date,
        at: time,
        charging_s: int,
        parking_s: int,
    ) -> None:
        """A session that starts at `at` local time on `day`."""
        start = local_instant(day, at, point.timezone)
        self._add_from(point, payer_key, day, start, charging_s, parking_s)

    def add_ending(
        self,
        point: ChargePoint,
        payer_key: str | None,
        day: date,
        at: time,
        charging_s: int,
        parking_s: int,
    ) -> None:
        """A session whose stop is exactly `at` local time on `day`."""
        stop = local_instant(day, at, point.timezone)
        start = stop - timedelta(seconds=charging_s + parking_s)
        self._add_from(point, payer_key, day, start, charging_s, parking_s)

    def _add_from(
        self,
        point: ChargePoint,
        payer_key: str | None,
        day: date,
        start: datetime,
        charging_s: int,
        parking_s: int,
    ) -> None:
        driver = self.driver(payer_key, day)
        charge = fixed_charge(self.rng, point, driver, charging_s, parking_s)
        self._append(point, driver, start, charge)

    def _append(self, point: ChargePoint, driver: Driver, start: datetime, charge: Charge) -> None:
        session = demo_session(self.rng, point, driver, start, charge)
        if self.window.start <= session.timeline.start and session.timeline.stop < self.window.end:
            self.sessions.append(session)


def scripted_sessions(world: ChargingWorld, window: DemoWindow, seed: int) -> list[DemoSession]:
    script = _Script(world, window, seed)
    months = window.completed_months
    public_site = COASTLINE

    # Across local midnight: an evening AC top-up and a late-night DC stop.
    script.add(
        script.point(MEL, "AC", host_key=public_site),
        CYBERTRON,
        months[1].first_day.replace(day=10),
        time(21, 47, 13),
        5 * H + 12 * M + 7,
        2 * H + 31 * M,
    )
    script.add(
        script.point(DRW, "DC", host_key=public_site),
        None,
        months[2].first_day.replace(day=15),
        time(23, 50, 21),
        31 * M + 40,
        4 * M + 2,
    )

    # Through every daylight-saving change in the window (first Sunday of April/October).
    for day in offset_changes(SYD, window.start, window.end - timedelta(days=1)):
        script.add(
            script.point(SYD, "AC", host_key=CYBERTRON),
            CYBERTRON,
            day,
            time(0, 40, 5),
            3 * H + 10 * M + 33,
            1 * H + 4 * M,
        )
        # Twenty minutes before the clocks jump forward at 02:00 or back at 03:00.
        springs_forward = _offset_grows(SYD, day)
        script.add(
            script.point(SYD, "DC", host_key=public_site),
            None,
            day,
            time(1, 42, 10) if springs_forward else time(2, 42, 10),
            38 * M + 12,
            6 * M,
        )
        script.add(
            script.point(ADL, "AC", host_key=public_site),
            None,
            day,
            time(1, 5, 0),
            2 * H + 48 * M + 9,
            35 * M,
        )
        script.add(
            script.point(HBA, "AC", host_key=public_site),
            CYBERTRON,
            day,
            time(0, 15, 44),
            4 * H + 2 * M + 17,
            0,
        )

    # On each completed month's last day, near midnight: Perth at 23:30, Sydney just before
    # midnight, Adelaide (UTC+9:30/+10:30) straddling the month end.
    for index, month in enumerate(months):
        last = month.last_day
        perth_payer = CYBERTRON if index % 2 == 0 else OUTBACK
        script.add_ending(
            script.point(PER, "AC", host_key=public_site),
            perth_payer,
            last,
            time(23, 30, 0),
            1 * H + 21 * M + 14,
            9 * M + 51,
        )
        script.add_ending(
            script.point(SYD, "DC", host_key=public_site),
            None,
            last,
            time(23, 59, 41),
            27 * M + 3,
            0,
        )
        script.add(
            script.point(ADL, "AC", host_key=public_site),
            CYBERTRON,
            last,
            time(23, 20, 0),
            1 * H + 4 * M + 9,
            0,
        )
    script.add_ending(
        script.point(DRW, "AC", host_key=public_site),
        GREEN_WHEELS,
        months[-1].last_day,
        time(23, 45, 0),
        2 * H,
        15 * M,
    )

    # Parked for days at free hotel charging and a flat-fee car park; hours at an idle-fee site.
    script.add(
        script.point(HBA, "AC", where=lambda p: p.tariff.price_of("ENERGY") == 0),
        CYBERTRON,
        months[3].first_day.replace(day=5),
        time(16, 45, 47),
        1 * H + 42 * M + 30,
        4 * 24 * H + 13 * H + 5 * M,
    )
    script.add(
        script.point(SYD, "AC", where=lambda p: p.tariff.price_of("FLAT") > 0),
        GREEN_WHEELS,
        months[2].first_day.replace(day=20),
        time(9, 3, 11),
        3 * H + 11 * M,
        2 * 24 * H + 20 * H + 40 * M,
    )
    script.add(
        script.point(MEL, "AC", where=lambda p: p.tariff.parking_grace_minutes > 0),
        None,
        months[4].first_day.replace(day=11),
        time(8, 15, 0),
        2 * H + 30 * M,
        3 * H + 7 * M,
    )

    # Fleets at their own depots (no revenue for the host), and the public at a fleet's depot.
    script.add(
        script.point(PER, "AC", host_key=OUTBACK),
        OUTBACK,
        months[0].first_day.replace(day=7),
        time(18, 5, 0),
        6 * H + 2 * M,
        5 * H,
    )
    script.add(
        script.point(MEL, "DC", host_key=CYBERTRON),
        CYBERTRON,
        months[1].first_day.replace(day=3),
        time(7, 12, 40),
        33 * M + 20,
        0,
    )
    script.add(
        script.point(SYD, "DC", host_key=CYBERTRON),
        None,
        months[3].first_day.replace(day=18),
        time(12, 30, 0),
        24 * M + 49,
        2 * M,
    )
    script.add(
        script.point(BNE, "DC", host_key=public_site),
        GREEN_WHEELS,
        months[5].first_day.replace(day=9),
        time(14, 2, 2),
        35 * M + 15,
        0,
    )
    return script.sessions


def _offset_grows(timezone: str, day: date) -> bool:
    tz = zone(timezone)
    before = datetime.combine(day, time(0, 30), tzinfo=tz).utcoffset()
    after = datetime.combine(day, time(12, 0), tzinfo=tz).utcoffset()
    return before is not None and after is not None and after > before

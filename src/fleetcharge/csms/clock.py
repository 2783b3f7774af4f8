"""Station timestamps: parsing, and bounding what a wrong station clock can do. Pure.

Past timestamps are normal (a station replays its offline queue with the original times
after reconnecting, without a new BootNotification), so only the implausible is replaced:
times in the future of the moment we received them, and times older than any offline
queue (clocks that reset to 1970 or 2000 after a power loss).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fleetcharge.models.ocpp import Flag
from fleetcharge.timezones import zone


@dataclass(frozen=True)
class ClockPolicy:
    max_future: timedelta = timedelta(minutes=15)
    max_past: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class StationTime:
    reported: datetime  # as the station sent it (aware)
    used: datetime  # what we record and price with
    flags: frozenset[Flag] = frozenset()


def parse_timestamp(text: str, timezone: str) -> tuple[datetime, bool]:
    """An aware datetime, and whether it had no UTC offset (then it is read as the
    location's wall clock: some stations run on local time). Raises ValueError."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is not None:
        return value, False
    return value.replace(tzinfo=zone(timezone)), True


def station_time(
    text: str, received_at: datetime, timezone: str, policy: ClockPolicy
) -> StationTime:
    """The time to use for a station timestamp received at `received_at`. Raises ValueError."""
    reported, local = parse_timestamp(text, timezone)
    try:
        reported.astimezone(UTC)
    except OverflowError:
        # Past the year 9999 (or before year 1) in UTC: nothing can store or compare it, and
        # no clock that reads it is right.
        return StationTime(received_at, received_at, frozenset({Flag.CLOCK_ADJUSTED}))
    flags = {Flag.LOCAL_CLOCK} if local else set()
    used = reported
    if reported > received_at + policy.max_future or reported < received_at - policy.max_past:
        used = received_at
        flags.add(Flag.CLOCK_ADJUSTED)
    return StationTime(reported, used, frozenset(flags))


def iso_utc(moment: datetime) -> str:
    """OCPP's timestamp form: UTC with milliseconds and a Z."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(instant: datetime, timezone: str) -> date:
    return instant.astimezone(zone(timezone)).date()


def local_iso(instant: datetime, timezone: str, timespec: str = "seconds") -> str:
    """ISO 8601 with the location's UTC offset, e.g. 2024-02-10T05:21:36+10:00."""
    return instant.astimezone(zone(timezone)).isoformat(timespec=timespec)

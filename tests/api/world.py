"""Random charging networks for paging and isolation tests, and the brute-force truth.

`Recorded` keeps what a test needs to know about each session it stored; the
`expected_*` functions compute what an endpoint must return with plain Python,
independently of the production query code.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fleetcharge.models import ChargeSession

ZONES = (
    "Australia/Perth",
    "Australia/Darwin",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Hobart",
)


@dataclass(frozen=True)
class Recorded:
    id: int
    uuid: str
    stop: datetime  # aware, UTC
    timezone: str
    payer: int | None  # paying organisation id (None for public drivers)
    host: int  # hosting organisation id

    @classmethod
    def of(cls, session: ChargeSession, timezone: str) -> "Recorded":
        return cls(
            session.id,
            str(session.uuid),
            session.stop_date_time.astimezone(UTC),
            timezone,
            session.payer_organisation_id,
            session.host_organisation_id,
        )

    @property
    def local_date(self) -> date:
        return self.stop.astimezone(ZoneInfo(self.timezone)).date()


def _bound(text: str | None) -> date | datetime | None:
    """A filter value as the contract defines it: a calendar date or an RFC 3339 instant."""
    if not text:
        return None
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _matches(session: Recorded, low: date | datetime | None, high: date | datetime | None) -> bool:
    for bound, after in ((low, True), (high, False)):
        if bound is None:
            continue
        value: date | datetime = session.stop if isinstance(bound, datetime) else session.local_date
        if (after and value < bound) or (not after and value > bound):
            return False
    return True


def expected_sessions(
    recorded: list[Recorded],
    view: str,
    organisation_id: int,
    date_from: str | None = None,
    date_to: str | None = None,
) -> list[str]:
    """UUIDs /usage or /sessions must list, in order: (stop_date_time, then insertion)."""
    low, high = _bound(date_from), _bound(date_to)
    owner = (lambda s: s.payer) if view == "usage" else (lambda s: s.host)
    chosen = [s for s in recorded if owner(s) == organisation_id and _matches(s, low, high)]
    return [s.uuid for s in sorted(chosen, key=lambda s: (s.stop, s.id))]

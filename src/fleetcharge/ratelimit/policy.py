"""Which limits apply to a call: the deployment's (settings; the published table by default),
unless the caller's organisation has its own.

A limit text is one or more `N/period` windows separated by `;` (e.g. `18/15minutes;50/hour`),
or `off` for no limit. Pure: no I/O.
"""

from collections.abc import Mapping

from limits import RateLimitItem, parse_many

from fleetcharge.errors import InvalidParameter

OFF = "off"
# Beyond these a limit is a typo (and a window's seconds must fit a Redis expiry).
MAX_COUNT = 1_000_000_000
MAX_WINDOW_S = 366 * 24 * 60 * 60


def parse_limits(text: str, *, parameter: str = "rate_limit") -> tuple[RateLimitItem, ...]:
    """The windows of a limit text; `off` (or empty) is no windows at all."""
    cleaned = text.strip().lower()
    if cleaned in ("", OFF):
        return ()
    try:
        items = tuple(parse_many(cleaned))
    except ValueError:
        raise InvalidParameter(
            f"invalid rate limit {text!r}: use windows like 18/15minutes;50/hour, or off",
            parameter=parameter,
        ) from None
    if any(not 0 < item.amount <= MAX_COUNT for item in items):
        raise InvalidParameter(
            f"invalid rate limit {text!r}: counts from 1 to {MAX_COUNT:,}", parameter=parameter
        )
    if any(item.get_expiry() > MAX_WINDOW_S for item in items):
        raise InvalidParameter(
            f"invalid rate limit {text!r}: windows of at most a year", parameter=parameter
        )
    return items


class LimitPolicy:
    """Resolves the windows for (organisation overrides, endpoint), caching parsed texts."""

    def __init__(self, defaults: Mapping[str, str], enabled: bool = True) -> None:
        self.enabled = enabled
        self.defaults = dict(defaults)
        self._parsed: dict[str, tuple[RateLimitItem, ...]] = {}

    def windows(
        self, endpoint: str, overrides: Mapping[str, str] | None = None
    ) -> tuple[RateLimitItem, ...]:
        if not self.enabled:
            return ()
        text = (overrides or {}).get(endpoint) or self.defaults.get(endpoint, OFF)
        parsed = self._parsed.get(text)
        if parsed is None:
            parsed = self._parsed[text] = parse_limits(text)
        return parsed

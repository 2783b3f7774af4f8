"""Reading the control loop's live allocation of a site, for the admin API and the CLI
(`fleetcharge sites show`). The loop alone writes it (site_control.loop)."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fleetcharge.models import Location, SiteAllocation
from fleetcharge.site_control import repository


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def session_view(row: SiteAllocation) -> dict[str, Any]:
    return {
        "transaction_id": row.transaction_id,
        "station": row.station_identity,
        "connector_id": row.connector_number,
        "limit_w": round(row.limit_w, 1),
        "limit_a": round(row.limit_a, 1),
        "paused": row.paused,
        "controllable": row.controllable,
        "reason": row.reason,
        "drawn_w": None if row.drawn_w is None else round(row.drawn_w, 1),
        "profile_status": row.profile_status,
        "sent_limit_w": None if row.sent_limit_w is None else round(row.sent_limit_w, 1),
        "sent_at": _iso(row.sent_at),
        "computed_at": _iso(row.computed_at),
    }


def live_allocation(db: Session, location: Location, now: datetime) -> dict[str, Any]:
    """The site's latest allocation: its figures, and each open transaction's limit and why."""
    state = repository.site_state(db, location.id)

    def figure(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "location": str(location.uuid),
        "controlled": state is not None and state.lease_until > now,
        "computed_at": None if state is None else _iso(state.computed_at),
        "limit_w": None if state is None else figure(state.limit_w),
        "load_w": None if state is None else figure(state.load_w),
        "allocated_w": None if state is None else figure(state.allocated_w),
        "sessions": [session_view(row) for row in repository.allocations(db, location.id)],
    }


def allocation_lines(view: dict[str, Any]) -> list[str]:
    """The live allocation as text, one line per session (for `fleetcharge sites show`)."""

    def kw(watts: float | None) -> str:
        return "-" if watts is None else f"{watts / 1000:.1f} kW"

    if view["computed_at"] is None:
        return ["live allocation: none yet (the control loop has not run for this site)"]
    lines = [
        f"live allocation at {view['computed_at']}: limit {kw(view['limit_w'])}, "
        f"measured {kw(view['load_w'])}, allocated {kw(view['allocated_w'])}"
        + ("" if view["controlled"] else " (not controlled now)")
    ]
    for s in view["sessions"]:
        state = "paused" if s["paused"] else kw(s["limit_w"])
        answer = s["profile_status"] or "not sent"
        lines.append(
            f"  {s['station']}#{s['connector_id']} tx {s['transaction_id']}: {state} "
            f"(drawing {kw(s['drawn_w'])}; {answer}) - {s['reason']}"
        )
    if not view["sessions"]:
        lines.append("  no open transactions")
    return lines

"""session.completed, told to the payer as its /usage shows the session and to the site
host as its /sessions does (one organisation may be both: `view` tells them apart)."""

from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from fleetcharge.charging.repository import SITE_HOST, USAGE, SessionView
from fleetcharge.charging.service import session_document
from fleetcharge.models import ChargeSession
from fleetcharge.settings import get_settings
from fleetcharge.webhooks import event_types
from fleetcharge.webhooks.emitters import emit_planned


def session_completed(db: Session, session: ChargeSession) -> None:
    operator_name = get_settings().operator_name
    emit_planned(
        db,
        [
            (
                organisation_id,
                event_types.SESSION_COMPLETED,
                partial(_session, db, session, view, operator_name),
            )
            for organisation_id, view in _readers(session)
        ],
        occurred_at=session.stop_date_time,
    )


def _readers(session: ChargeSession) -> list[tuple[int, SessionView]]:
    """Who is told of a session, each with its view: its payer (if any) and its host."""
    readers = [(session.host_organisation_id, SITE_HOST)]
    if session.payer_organisation_id is not None:
        readers.insert(0, (session.payer_organisation_id, USAGE))
    return readers


def _session(
    db: Session, session: ChargeSession, view: SessionView, operator_name: str
) -> dict[str, Any]:
    organisation_id = (
        session.payer_organisation_id if view is USAGE else session.host_organisation_id
    )
    assert organisation_id is not None, "a session without a payer has no usage view"
    document = session_document(db, view, organisation_id, session.id, operator_name)
    return {"view": view.name, "session": document}

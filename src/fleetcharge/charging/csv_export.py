"""The console's CSV download of the sessions table: exactly the sessions filtered, in the
table's order, as `fleetcharge export usage|sessions` writes them (`client.flatten`) from
the very records /usage and /sessions send (`charging.records`)."""

import csv
import io
from collections.abc import Iterator
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fleetcharge.charging.pseudonyms import ShownCardIds
from fleetcharge.charging.records import RECORDS
from fleetcharge.charging.repository import (
    USAGE,
    SessionView,
    card_pseudonym_key,
    page_with_details,
)
from fleetcharge.charging.table import (
    in_order,
    ordered_ids,
    plan_for_the_values,
    session_conditions,
    sort_column,
)
from fleetcharge.charging.table_query import Cursor, Direction, Sort, TableQuery
from fleetcharge.client import Resource
from fleetcharge.client.flatten import columns, flatten
from fleetcharge.client.models import SiteHostSession, UsageSession
from fleetcharge.kit.json_records import PythonRendering
from fleetcharge.models import ChargeSession, Tariff
from fleetcharge.permissions import Actor

CHUNK = 500


def session_csv(
    db: Session,
    actor: Actor,
    view: SessionView,
    organisation_id: int,
    query: TableQuery,
    operator_name: str,
) -> Iterator[str]:
    """The CSV's text, header first, a chunk of sessions at a time. The filters are resolved
    (and refused, InvalidParameter) before the first chunk is produced."""
    actor.visible_to(organisation_id, "organisation", organisation_id)
    plan_for_the_values(db)
    conditions = session_conditions(db, view, organisation_id, query.filters)
    resource = Resource.USAGE if view is USAGE else Resource.SESSIONS
    model = UsageSession if view is USAGE else SiteHostSession
    params = {
        "viewer": ShownCardIds(organisation_id, partial(card_pseudonym_key, db)),
        "operator_name": operator_name,
    }

    def chunks() -> Iterator[str]:
        yield _lines([columns(resource)])
        cursor = None
        while True:
            ids = ordered_ids(view, conditions, query.sort, cursor, CHUNK)
            keys = db.execute(
                select(ids.c.id, ids.c.sort_value).order_by(*in_order(ids, query.sort))
            ).all()
            if not keys:
                return
            ids = [key.id for key in keys]
            names = _tariff_names(db, ids) if view is USAGE else {}
            yield _lines(
                [
                    row
                    for record in _records(db, view, ids, query.sort, params)
                    for row in flatten(resource, _with_tariff(model, record, names))
                ]
            )
            cursor = Cursor(query.sort, keys[-1].sort_value, keys[-1].id, Direction.AFTER, 1)

    return chunks()


def _records(
    db: Session, view: SessionView, ids: list[int], order: Sort, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """The sessions' records as the API renders them, in `order`."""
    page = (
        select(ChargeSession.id, ChargeSession.stop_date_time)
        .where(ChargeSession.id.in_(ids))
        .subquery()
    )
    ordering = (sort_column(view, order.key), ChargeSession.id)
    rows = page_with_details(view, page).order_by(
        *(c.desc() if order.descending else c for c in ordering)
    )
    rendering = PythonRendering(RECORDS[view.name], rows, page.c.id)
    return rendering.render(lambda statement: list(db.execute(statement)), params)


def _tariff_names(db: Session, ids: list[int]) -> dict[str, str]:
    """The name of the tariff that priced each session, by session uuid: the Fleets API
    contract has no field for it, so only this download (read in-process) fills the
    CSV's `tariff_name` column."""
    query = (
        select(ChargeSession.uuid, Tariff.name)
        .join(Tariff, Tariff.id == ChargeSession.tariff_id)
        .where(ChargeSession.id.in_(ids))
    )
    return {str(uuid): name for uuid, name in db.execute(query)}


def _with_tariff(
    model: type[UsageSession | SiteHostSession], record: dict[str, Any], names: dict[str, str]
) -> UsageSession | SiteHostSession:
    parsed = model.model_validate(record)
    name = names.get(parsed.uuid)
    return parsed.model_copy(update={"tariff_name": name}) if name else parsed


def _lines(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()

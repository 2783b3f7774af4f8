"""The /usage and /sessions pages: located by `charging.repository`, their records
(`charging.records`) rendered by PostgreSQL or, elsewhere, in Python.

On PostgreSQL one statement returns the finished JSON array, so the API process does no
per-row work and a page costs about what the database costs; where the page can be
located in the database (`locates_in_database`) that statement counts the total too.
"""

from functools import lru_cache, partial
from typing import Any

import orjson
from sqlalchemy import BigInteger, Select, bindparam, select

from fleetcharge.charging.pseudonyms import ShownCardIds
from fleetcharge.charging.records import RECORDS
from fleetcharge.charging.repository import (
    SITE_HOST,
    USAGE,
    VIEWS,
    SessionView,
    Shape,
    bind_values,
    card_pseudonym_key,
    locate_in_database,
    locate_page,
    locates_in_database,
    page_of_ids,
    page_values,
    page_with_details,
    sessions_per_utc_day,
    shape_of,
)
from fleetcharge.db import Reader, fetch_all, on_postgresql
from fleetcharge.kit.json_records import PythonRendering, Record, json_array, json_sql
from fleetcharge.kit.paging import ListParams
from fleetcharge.models import ChargeSession

# A page of items: dicts rendered here, or a JSON array the database rendered.
Items = list[dict[str, Any]] | orjson.Fragment


def usage_page(db: Reader, organisation_id: int, params: ListParams) -> tuple[int, Items]:
    """Sessions paid by the organisation's fleets, anywhere on the network."""
    return _page(db, USAGE, organisation_id, params, {})


def site_host_page(
    db: Reader, organisation_id: int, params: ListParams, operator_name: str
) -> tuple[int, Items]:
    """Sessions at stations of locations the organisation hosts, whoever charged; other
    organisations' cards as pseudonyms (`charging.pseudonyms`)."""
    return _page(db, SITE_HOST, organisation_id, params, {"operator_name": operator_name})


def _page(
    db: Reader,
    view: SessionView,
    organisation_id: int,
    params: ListParams,
    request_values: dict[str, Any],
) -> tuple[int, Items]:
    """The total and the page; `request_values` are the values of the record's `Param`s
    other than the viewer."""
    record, shape = RECORDS[view.name], shape_of(params)
    in_database = on_postgresql(db)
    if in_database and locates_in_database(shape):
        values = {**bind_values(organisation_id, params), "offset": params.offset}
        statement = counted_page_json(record, view.name, shape)
        (row,) = fetch_all(db, statement, {**values, **request_values})
        return row.total, orjson.Fragment(row.page)
    per_day = sessions_per_utc_day(db, view, organisation_id, params)
    total = sum(n for _, n in per_day)
    start = locate_page(per_day, params.offset)
    if start is None:
        return total, []
    values = {**bind_values(organisation_id, params), **page_values(start), **request_values}
    if in_database:
        (row,) = fetch_all(db, page_json(record, view.name, shape), values)
        return total, orjson.Fragment(row[0])
    viewer = ShownCardIds(organisation_id, partial(card_pseudonym_key, db))
    return total, python_rendering(record, view.name, shape).render(
        lambda statement: fetch_all(db, statement, values), {**request_values, "viewer": viewer}
    )


def _documents(record: Record, view_name: str, page: Any) -> Any:
    """One row per session of the page: its sort keys and its JSON document."""
    details = page_with_details(VIEWS[view_name], page)
    return details.add_columns(json_sql(record).label("doc")).subquery()


def _array(documents: Any) -> Any:
    """The documents as one JSON array, in page order (`[]` for none); `fetch_all` hands
    it over as the bytes PostgreSQL sent."""
    rows = documents.c
    return json_array(rows.doc, rows.stop_date_time, rows.id)


@lru_cache(maxsize=64)
def page_json(record: Record, view_name: str, shape: Shape) -> Select[Any]:
    """The statement rendering one page located beforehand (`page_of_ids`)."""
    return select(_array(_documents(record, view_name, page_of_ids(view_name, shape))))


@lru_cache(maxsize=64)
def counted_page_json(record: Record, view_name: str, shape: Shape) -> Select[Any]:
    """One statement for `total` and the rendered `page`, located by the database itself
    (`locate_in_database`); bind `offset` rather than `page_start` and `skip`."""
    located = locate_in_database(view_name, shape)
    documents = _documents(record, view_name, located.ids)
    return select(located.total.label("total"), _array(documents).label("page"))


@lru_cache(maxsize=64)
def python_rendering(record: Record, view_name: str, shape: Shape) -> PythonRendering:
    """The statements and dicts of one page located beforehand (`page_of_ids`)."""
    page = page_of_ids(view_name, shape)
    rows = page_with_details(VIEWS[view_name], page).order_by(page.c.stop_date_time, page.c.id)
    return PythonRendering(record, rows, key=page.c.id)


def session_document(
    db: Reader, view: SessionView, organisation_id: int, session_id: int, operator_name: str
) -> dict[str, Any]:
    """One session as `view`'s page shows it to the organisation (webhook payloads)."""
    record = RECORDS[view.name]
    values = {
        "organisation_id": organisation_id,
        "session_id": session_id,
        "operator_name": operator_name,
    }
    if on_postgresql(db):
        ((document,),) = fetch_all(db, one_json(record, view.name), values)
        return document if isinstance(document, dict) else orjson.loads(document)
    viewer = ShownCardIds(organisation_id, partial(card_pseudonym_key, db))
    (document,) = one_rendering(record, view.name).render(
        lambda statement: fetch_all(db, statement, values),
        {"operator_name": operator_name, "viewer": viewer},
    )
    return document


@lru_cache(maxsize=8)
def _one_session(view_name: str) -> Any:
    """The session `session_id`, as the page subquery the views' statements join to."""
    return (
        select(ChargeSession.id, ChargeSession.stop_date_time)
        .where(ChargeSession.id == bindparam("session_id", type_=BigInteger()))
        .subquery()
    )


@lru_cache(maxsize=8)
def one_json(record: Record, view_name: str) -> Select[Any]:
    return select(_documents(record, view_name, _one_session(view_name)).c.doc)


@lru_cache(maxsize=8)
def one_rendering(record: Record, view_name: str) -> PythonRendering:
    page = _one_session(view_name)
    return PythonRendering(record, page_with_details(VIEWS[view_name], page), key=page.c.id)

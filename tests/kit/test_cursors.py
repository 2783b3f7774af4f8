"""Cursor paging: following `next` visits every filtered row once, in key order, and the
last page says there is no more."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fleetcharge.db import unit_of_work
from fleetcharge.errors import InvalidParameter
from fleetcharge.kit.cursors import PageRequest, encode_cursor, page_of, parse_page_request
from fleetcharge.models import Organisation
from tests import factories as f


def _walk(
    db: Session, prefix: str, limit: int, newest_first: bool = False
) -> tuple[list[list[int]], set[int]]:
    query = select(Organisation).where(Organisation.name.startswith(prefix))
    pages: list[list[int]] = []
    totals = set()
    request = PageRequest(limit=limit)
    while True:
        page = page_of(db, query, Organisation.id, request, newest_first=newest_first)
        totals.add(page.total)
        pages.append([org.id for org in page.items])
        if page.next_cursor is None:
            return pages, totals
        request = parse_page_request(page.next_cursor, str(limit))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=st.lists(st.sampled_from("ab"), min_size=0, max_size=30),
    limit=st.integers(min_value=1, max_value=12),
    newest_first=st.booleans(),
)
def test_pages_hold_every_filtered_row_once_in_order(
    engine: Engine, kinds: list[str], limit: int, newest_first: bool
) -> None:
    with unit_of_work(engine) as db:
        for org in db.scalars(select(Organisation)):
            db.delete(org)
        for index, kind in enumerate(kinds):
            f.organisation(db, f"{kind}{index}")
        wanted = [
            o.id
            for o in db.scalars(
                select(Organisation)
                .where(Organisation.name.startswith("a"))
                .order_by(Organisation.id)
            )
        ]
        pages, totals = _walk(db, "a", limit, newest_first)
        db.rollback()
    if newest_first:
        wanted.reverse()
    assert [row for page in pages for row in page] == wanted
    assert totals == {len(wanted)}
    assert all(len(page) == limit for page in pages[:-1])
    assert pages[-1] or not wanted  # no empty page after the last row
    assert len(pages[-1]) <= limit


def test_a_cursor_not_issued_here_is_refused() -> None:
    for cursor in ("nope", encode_cursor(5)[:-1] + "!", "YmVmb3JlOjU"):
        with pytest.raises(InvalidParameter) as error:
            parse_page_request(cursor, None)
        assert error.value.parameter == "cursor"
    assert parse_page_request(encode_cursor(5), "7") == PageRequest(5, 7)

"""Cursor paging for the admin lists: each page continues after the last row of the one
before (`WHERE id > :after ORDER BY id`), so page 1,000 costs what page 1 does."""

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from fleetcharge.errors import InvalidParameter

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    after: int = 0
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    next_cursor: str | None


def encode_cursor(after: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after}".encode()).decode().rstrip("=")


def parse_page_request(cursor: str | None, limit: str | None) -> PageRequest:
    after = 0
    if cursor:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            label, _, number = base64.urlsafe_b64decode(padded).decode().partition(":")
            after = int(number)
            if label != "after" or after < 0 or after >= 2**63:
                raise ValueError
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise InvalidParameter(
                "cursor is not one this server issued: use pagination.next as it is",
                parameter="cursor",
            ) from None
    size = DEFAULT_LIMIT
    if limit is not None and limit.strip() != "":
        if not limit.strip().isdigit() or not 1 <= int(limit.strip()[:6]) <= MAX_LIMIT:
            raise InvalidParameter(
                f"limit must be a whole number from 1 to {MAX_LIMIT}, got {limit!r}",
                parameter="limit",
            )
        size = int(limit.strip())
    return PageRequest(after, size)


def page_of(
    db: Session,
    query: "Select[Any]",
    key: InstrumentedAttribute[int],
    request: PageRequest,
    *,
    columns: "Select[*tuple[Any, ...]] | None" = None,
    total: int | None = None,
    newest_first: bool = False,
) -> Page[Any]:
    """One page of `query` (filters applied, no order) in `key` order, with the total count:
    records of a one-entity query, rows of a query of columns (one of them `key`). With
    `columns`, the page's rows are read with those (joins included) under `query`'s filters,
    and only `query` is counted; a `total` known otherwise is not counted at all.

    The rows left after the cursor are counted first, up to one more than a page, and the
    page asks for no more than those: a `LIMIT` the filtered rows cannot fill would let
    PostgreSQL walk the key's index past every other organisation's rows looking for the
    missing ones.

    `newest_first` pages in descending key order: each page continues below the last.
    """
    filtered = query.with_only_columns(key).order_by(None)
    if total is None:
        total = db.scalar(select(func.count()).select_from(filtered.subquery())) or 0
    beyond: ColumnElement[bool] = key > request.after
    if newest_first:
        beyond = key < request.after if request.after else true()
    ahead = filtered.where(beyond).limit(request.limit + 1).subquery()
    left = db.scalar(select(func.count()).select_from(ahead)) or 0
    rows: list[Any] = []
    if left:
        shown = query
        if columns is not None:
            shown = columns if query.whereclause is None else columns.where(query.whereclause)
        order = key.desc() if newest_first else key
        page = shown.where(beyond).order_by(order).limit(min(request.limit, left))
        # One entity: its records; several columns: rows.
        found = db.scalars(page) if len(shown.column_descriptions) == 1 else db.execute(page)
        rows = list(found)
    more = left > request.limit and bool(rows)
    next_cursor = encode_cursor(getattr(rows[-1], key.key)) if more else None
    return Page(rows, total, next_cursor)

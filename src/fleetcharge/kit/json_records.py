"""JSON records declared once, rendered by PostgreSQL or in Python from that declaration.

A `Record` lists its fields in wire order. A `Field` names the columns (or request
`Param`s) its value is made of and the `Format` that writes it; a bare column is shown as
it is. An `Array` nests the records of another table's rows. From one declaration,
`json_sql` builds the PostgreSQL expression of the whole JSON object (`json_build_object`)
and `PythonRendering` the statements fetching the same columns and the dicts made of
their rows, so adding or changing a field is one change that both renderings follow.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Union

from sqlalchemy import ColumnElement, Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from fleetcharge.kit.formats import AS_IS, Format

Node = Union["Field", "Record", "Array"]
EMPTY_ARRAY: ColumnElement[Any] = literal_column("'[]'::json")


class Param:
    """A value of the request rather than of a row: in SQL the bind parameter `sql`, in
    Python `params[name]`."""

    def __init__(self, name: str, sql: ColumnElement[Any]) -> None:
        self.name = name
        self.sql = sql


class Field:
    """A JSON value that `format` writes from the values of `sources` (columns, `Param`s)."""

    def __init__(self, format: Format, *sources: Any) -> None:
        self.format = format
        self.sources = sources


class Record:
    """A JSON object: its fields, in the order they go on the wire."""

    def __init__(self, **fields: Any) -> None:
        self.fields: tuple[tuple[str, Node], ...] = tuple(
            (name, node if isinstance(node, Field | Record | Array) else Field(AS_IS, node))
            for name, node in fields.items()
        )


class Array:
    """A JSON array of `record`s, one per row of `table` that `where` relates to the row of
    the enclosing record, in `order_by` order; `[]` for none."""

    def __init__(
        self, record: Record, *, table: Any, where: ColumnElement[bool], order_by: Any
    ) -> None:
        if _arrays(record):
            raise ValueError("an Array's records hold no Array of their own")
        self.record = record
        self.table = table
        self.where = where
        self.order_by = order_by


def json_array(item: ColumnElement[Any], *order_by: Any) -> ColumnElement[Any]:
    """The `json_agg` of `item` in `order_by` order, `[]` rather than null for no rows."""
    return func.coalesce(func.json_agg(aggregate_order_by(item, *order_by)), EMPTY_ARRAY)


def json_sql(node: Node) -> ColumnElement[Any]:
    """`node` as a PostgreSQL `json` expression over the columns of its declaration."""
    if isinstance(node, Field):
        return node.format.sql(*(s.sql if isinstance(s, Param) else s for s in node.sources))
    if isinstance(node, Record):
        arguments: list[Any] = []
        for name, child in node.fields:
            arguments += [literal_column(f"'{name}'"), json_sql(child)]
        return func.json_build_object(*arguments)
    items = select(json_array(json_sql(node.record), node.order_by)).select_from(node.table)
    return items.where(node.where).scalar_subquery()


Fetch = Callable[[Select[Any]], Sequence[Any]]


class PythonRendering:
    """`record` rendered in Python over `base`, a statement whose joined rows are the
    records to render, in order, each identified by `key`: one statement for the
    record's own fields, and one for each `Array`, `base` joined to its table (so any
    LIMIT of `base` belongs in a subquery)."""

    def __init__(self, record: Record, base: Select[Any], key: ColumnElement[Any]) -> None:
        self.record = record
        self.rows = base.with_only_columns(key, *_columns(record))
        self.arrays = [
            (
                array,
                base.join(array.table, array.where)
                .with_only_columns(key, *_columns(array.record))
                .order_by(None)
                .order_by(key, array.order_by),
            )
            for array in _arrays(record)
        ]

    def render(self, fetch: Fetch, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The records as dicts, from the rows `fetch` returns for each statement."""
        nested: dict[Array, dict[Any, list[Any]]] = {}
        for array, statement in self.arrays:
            nested[array] = by_key = defaultdict(list)
            for row in fetch(statement):
                by_key[row[0]].append(_python(array.record, iter(row[1:]), params, {}, None))
        return [
            _python(self.record, iter(row[1:]), params, nested, row[0]) for row in fetch(self.rows)
        ]


def _columns(node: Node) -> list[Any]:
    """The columns `_python` reads for `node`, in the order it reads them (Arrays apart)."""
    if isinstance(node, Field):
        return [source for source in node.sources if not isinstance(source, Param)]
    if isinstance(node, Record):
        return [column for _, child in node.fields for column in _columns(child)]
    return []


def _arrays(node: Node) -> list["Array"]:
    if isinstance(node, Record):
        return [array for _, child in node.fields for array in _arrays(child)]
    return [node] if isinstance(node, Array) else []


def _python(
    node: Node,
    values: Iterator[Any],
    params: Mapping[str, Any],
    nested: Mapping["Array", Mapping[Any, list[Any]]],
    key: Any,
) -> Any:
    if isinstance(node, Field):
        arguments = [
            params[source.name] if isinstance(source, Param) else next(values)
            for source in node.sources
        ]
        return node.format.python(*arguments)
    if isinstance(node, Record):
        return {name: _python(child, values, params, nested, key) for name, child in node.fields}
    return nested[node].get(key, [])

"""Reading an import file: UTF-8 CSV with a header row, as Excel and other spreadsheets
save it (with or without a byte order mark, CRLF or LF line ends, quoted cells)."""

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fleetcharge.imports.problems import Problems

# A file this long is a mistake, not a fleet; the API also refuses bodies above MAX_BYTES.
MAX_ROWS = 200_000
MAX_COLUMNS = 100  # several times the columns any import knows
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file, the header being line 1
    cells: dict[str, str]  # by column name, stripped; absent columns are not keys

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Table:
    columns: frozenset[str]  # those the header has, by their canonical name
    rows: list[Row]


def column_name(heading: str) -> str:
    """`Registration Number`, `registration-number` and `REGISTRATION_NUMBER` alike."""
    return "_".join(heading.strip().lower().replace("-", " ").replace("_", " ").split())


def read_table(
    data: bytes,
    known: Mapping[str, str],
    required: frozenset[str],
    problems: Problems,
) -> Table:
    """The file's rows by column, or problems (recorded) for what cannot be read.

    `known` maps each column the file may have to its description; an unknown column, a
    column twice or a required one missing is a problem of the header (line 1).
    """
    text = _decoded(data, problems)
    if text is None:
        return Table(frozenset(), [])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    lines = _records(reader, problems)
    first = next(lines, None)
    if first is None:
        problems.add(1, None, "the file is empty: the first line names the columns")
        return Table(frozenset(), [])
    _, header = first
    if len(header) > MAX_COLUMNS:  # not a header: one problem, not one per column
        problems.add(1, None, f"{len(header):,} columns; the columns are {', '.join(known)}")
        return Table(frozenset(), [])
    names = [column_name(heading) for heading in header]
    for position, (heading, name) in enumerate(zip(header, names, strict=True), start=1):
        if not name:
            problems.add(1, f"#{position}", "a column without a name")
        elif name not in known:
            problems.add(1, heading.strip(), f"unknown column; the columns are {', '.join(known)}")
        elif names.index(name) != position - 1:
            problems.add(1, heading.strip(), "the column appears twice")
    for name in sorted(required - set(names)):
        problems.add(1, name, f"missing column: {known[name]}")
    rows: list[Row] = []
    for line, record in lines:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(names):
            problems.add(line, None, f"{len(record)} cells for {len(names)} columns")
            continue
        if len(rows) == MAX_ROWS:
            problems.add(line, None, f"more than {MAX_ROWS} rows: split the file")
            break
        cells = {name: cell.strip() for name, cell in zip(names, record, strict=False) if name}
        rows.append(Row(line, cells))
    if not rows and not problems:
        problems.add(2, None, "the file has a header but no rows")
    return Table(frozenset(n for n in names if n in known), rows)


def _decoded(data: bytes, problems: Problems) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.add(line, None, "the file is not UTF-8 text: save it as CSV UTF-8")
        return None


def _records(reader: Any, problems: Problems) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on."""
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.add(start, None, f"unreadable CSV: {error}")
            return
        if "\x00" in "".join(record):
            problems.add(start, None, "a NUL character: this is not a text file")
            return
        yield start, record
        start = reader.line_num + 1

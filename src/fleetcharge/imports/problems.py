"""What is wrong with an import file, cell by cell."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fleetcharge.errors import DomainError, InvalidField

# Enough to fix a file by; a file wrong on every line says so without a megabyte of it.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    line: int
    column: str | None  # the column's name as the header spells it; None: the whole line
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    def view(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


class InvalidFile(DomainError):
    """The file cannot be imported; `problems` says where and why (the first MAX_PROBLEMS
    of `total`)."""

    status_code = 400
    code = "invalid_file"

    def __init__(self, problems: list[Problem], total: int, message: str | None = None) -> None:
        shown = f"; the first {len(problems)} are listed" if total > len(problems) else ""
        noun = "problem" if total == 1 else "problems"
        super().__init__(message or f"the file has {total} {noun}, nothing was imported{shown}")
        self.problems = problems
        self.total = total


class Problems:
    """Collects problems in file order; raises them all at once."""

    def __init__(self) -> None:
        self.found: list[Problem] = []
        self.total = 0

    def add(self, line: int, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(Problem(line, column, message))

    @contextmanager
    def cell(self, line: int, column: str | None) -> Iterator[None]:
        """A validator's InvalidField inside, as the problem of this cell."""
        try:
            yield
        except InvalidField as error:
            self.add(line, column, error.message)

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_any(self) -> None:
        if self.total:
            ordered = sorted(self.found, key=lambda p: (p.line, p.column or ""))
            raise InvalidFile(ordered, self.total)

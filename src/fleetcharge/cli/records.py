"""Creating and changing records from options: body models filled from the options given,
and errors naming the option a user typed rather than the body field behind it."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import ValidationError

from fleetcharge.cli.common import fail
from fleetcharge.errors import DomainError
from fleetcharge.kit.cursors import MAX_LIMIT, Page, PageRequest, parse_page_request

T = TypeVar("T")


def given(**values: Any) -> dict[str, Any]:
    """The options given (those not None)."""
    return {name: value for name, value in values.items() if value is not None}


class Options:
    """A command's options by the body field they fill; a field not listed is its
    option spelled `--field-name`."""

    def __init__(self, renamed: Mapping[str, str] | None = None) -> None:
        self.renamed = dict(renamed or {})

    def option(self, field: str) -> str:
        name = field.split(".")[0].split("[")[0]
        return self.renamed.get(name, "--" + name.replace("_", "-"))

    def validated(self, model: type[Any], values: dict[str, Any]) -> Any:
        try:
            return model(**values)
        except ValidationError as error:
            first = error.errors()[0]
            raise fail(f"{self.option(str(first['loc'][0]))}: {first['msg']}") from None

    @contextmanager
    def named(self) -> Iterator[None]:
        """A domain error about a field (invalid, not found, duplicate) raised inside, as a
        CLI error naming the option."""
        try:
            yield
        except DomainError as error:
            if error.field is None:
                raise
            raise fail(f"{self.option(error.field)}: {error.message}") from None


def every(fetch: Callable[[PageRequest], Page[T]]) -> list[T]:
    """Every record of a paged list, page after page."""
    records: list[T] = []
    request = PageRequest(limit=MAX_LIMIT)
    while True:
        page = fetch(request)
        records.extend(page.items)
        if page.next_cursor is None:
            return records
        request = parse_page_request(page.next_cursor, str(MAX_LIMIT))

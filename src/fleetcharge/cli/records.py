"""Creating and changing records from options: body models filled from the options given,
and errors naming the option a user typed rather than the body field behind it."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from fleetcharge.cli.common import fail
from fleetcharge.errors import InvalidField


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
        """InvalidField raised inside, as a CLI error naming the option."""
        try:
            yield
        except InvalidField as error:
            raise fail(f"{self.option(error.field or '')}: {error.message}") from None

"""Every command's --help reads as written: nothing swallowed as console markup (a `[...]`
in a help text disappears and leaves "repeat for more ." behind)."""

import re
from typing import Any

import typer.main
from typer.testing import CliRunner

from fleetcharge.cli.main import app


def _commands(group: Any, path: list[str]) -> list[list[str]]:
    found = [path]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group
            found += _commands(command, [*path, name])
        else:
            found.append([*path, name])
    return found


def test_no_help_text_loses_words_to_markup() -> None:
    root = typer.main.get_command(app)
    runner = CliRunner()
    commands = _commands(root, [])
    assert len(commands) > 40
    for command in commands:
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (command, result.output)
        assert not re.search(r"\s\.(\s|$)", result.output), (command, result.output)

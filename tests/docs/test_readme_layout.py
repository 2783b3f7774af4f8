"""The README's Layout names every folder and module of the package, and nothing else."""

import re
from pathlib import Path

import fleetcharge

README = Path(__file__).parents[2] / "README.md"
PACKAGE = Path(fleetcharge.__file__).parent
ENTRY = re.compile(r"(?<![\w/.])([a-z_]+(?:/|\.py))(?=\s)")


def _layout() -> str:
    section = README.read_text().split("## Layout", 1)[1]
    return section.split("```")[1]


def test_the_layout_names_each_part_of_the_package_once() -> None:
    package_lines = _layout().split("\nbench/")[0]
    named = [entry for entry in ENTRY.findall(package_lines) if entry != "src/"]
    parts = sorted(
        path.name + ("/" if path.is_dir() else "")
        for path in PACKAGE.iterdir()
        if not path.name.startswith("_") and (path.is_dir() or path.suffix == ".py")
    )
    assert sorted(set(named)) == parts
    assert len(named) == len(set(named)), "named twice: " + str(
        sorted({entry for entry in named if named.count(entry) > 1})
    )

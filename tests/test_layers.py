"""The layers of ARCHITECTURE.md section 11, read from the imports of src/fleetcharge.

A unit is a top-level folder or module of the package (`csms`, `web`, `errors`). No units
import each other in a loop; `web` (the HTTP application) is imported only by the commands
that serve it; in a domain folder only the HTTP files (endpoints.py, schemas.py) import
`api`; nothing in `kit` imports the web framework.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import fleetcharge

PACKAGE = Path(fleetcharge.__file__).parent
WEB_FRAMEWORKS = ("fastapi", "starlette")
# Units above the HTTP application: the command line starts its server.
SERVE_THE_WEB_APP = frozenset({"cli", "demo"})

# The HTTP application, the admin API and the console: any of their files may import `api`.
HTTP_FOLDERS = frozenset({"web", "admin", "console"})
DOMAIN_HTTP_FILES = ("endpoints.py", "schemas.py")


def _imported_modules(path: Path) -> Iterator[str]:
    """Every module `path` imports (also inside functions), as a dotted name."""
    package = ".".join(("fleetcharge", *path.relative_to(PACKAGE).parent.parts))
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _unit(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _units() -> set[str]:
    return {_unit(path) for path in PACKAGE.iterdir() if path.suffix == ".py" or path.is_dir()}


def _imports() -> dict[tuple[str, str], set[str]]:
    """(importing unit, imported unit) -> the files making that edge."""
    units = _units()
    edges: dict[tuple[str, str], set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        source = _unit(path)
        for module in _imported_modules(path):
            parts = module.split(".")
            if parts[0] != "fleetcharge" or len(parts) < 2 or parts[1] not in units:
                continue
            if parts[1] != source:
                edges.setdefault((source, parts[1]), set()).add(str(path.relative_to(PACKAGE)))
    return edges


def _loops(edges: set[tuple[str, str]]) -> list[set[str]]:
    """The groups of units that reach each other (strongly connected, more than one)."""
    reaches: dict[str, set[str]] = {}
    for source, target in edges:
        reaches.setdefault(source, set()).add(target)

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for target in reaches.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    found: list[set[str]] = []
    for unit in sorted(reaches):
        group = {other for other in reachable(unit) if unit in reachable(other)}
        if group and group not in found:
            found.append(group)
    return found


def test_no_units_import_each_other_in_a_loop() -> None:
    edges = _imports()
    loops = _loops(set(edges))
    described = [
        {f"{a} -> {b}": sorted(edges[a, b]) for a, b in sorted(edges) if {a, b} <= loop}
        for loop in loops
    ]
    assert not loops, f"units importing each other in a loop: {described}"


def test_only_the_commands_import_the_web_application() -> None:
    importers = {
        source: files
        for (source, target), files in _imports().items()
        if target == "web" and source not in SERVE_THE_WEB_APP
    }
    assert not importers, f"below the HTTP application, yet importing web: {importers}"


def test_in_a_domain_only_the_http_files_import_api() -> None:
    importers = {
        file
        for (source, target), files in _imports().items()
        if target == "api" and source not in HTTP_FOLDERS
        for file in files
        if not file.endswith(DOMAIN_HTTP_FILES)
    }
    assert not importers, sorted(importers)


def test_only_the_http_application_serves_the_console() -> None:
    importers = {
        source: files
        for (source, target), files in _imports().items()
        if target == "console" and source != "web"
    }
    assert not importers, f"importing the console, yet not the HTTP application: {importers}"


def test_the_kit_does_not_import_the_web_framework() -> None:
    offending = {
        str(path.relative_to(PACKAGE)): module
        for path in (PACKAGE / "kit").rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in WEB_FRAMEWORKS
    }
    assert not offending, offending


def test_the_checks_see_a_loop_and_the_imports_inside_functions() -> None:
    assert _loops({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [{"a", "b", "c"}]
    edges = _imports()
    assert ("cli", "web") in edges  # `serve` imports the server inside the command
    assert ("web", "csms") in edges

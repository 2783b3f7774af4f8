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

# The HTTP application and the admin API: any of their files may import `api`.
HTTP_FOLDERS = frozenset({"web", "admin"})
DOMAIN_HTTP_FILES = ("endpoints.py", "schemas.py")

# Import edges that close a loop today and are being removed: the test ignores each edge
# while it exists and fails once it is gone, so that it is taken off this list.
KNOWN_LOOP_EDGES: dict[tuple[str, str], str] = {
    ("network", "csms"): "issue 14 part C1 puts csms above network",
    ("reviews", "csms"): "issue 14 part C1 puts csms above reviews",
}
# Domain files that import `api` today for paging and number formats, which issue 14
# part A moves into `kit`; likewise taken off this list once they no longer do.
KNOWN_API_IMPORTERS = frozenset(
    {"charging/repository.py", "charging/service.py", "fleets/service.py", "billing/listing.py"}
)


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
    gone = [edge for edge in KNOWN_LOOP_EDGES if edge not in edges]
    assert not gone, f"no longer imported, take them off KNOWN_LOOP_EDGES: {gone}"
    loops = _loops(set(edges) - set(KNOWN_LOOP_EDGES))
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
    gone = sorted(KNOWN_API_IMPORTERS - importers)
    assert not gone, f"no longer importing api, take them off KNOWN_API_IMPORTERS: {gone}"
    assert importers <= KNOWN_API_IMPORTERS, sorted(importers - KNOWN_API_IMPORTERS)


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

"""What an import did (or, on a dry run, would do), and how it reports progress."""

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def view(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class Summary:
    kinds: tuple[str, ...]  # e.g. ("vehicles", "cards", "fleets"), in the order reported
    dry_run: bool
    counts: dict[str, Counts] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind in self.kinds:
            self.counts.setdefault(kind, Counts())

    def __getitem__(self, kind: str) -> Counts:
        return self.counts[kind]

    def view(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, **{k: self.counts[k].view() for k in self.kinds}}


class Progress(Protocol):
    """Told what an import is doing: a stage of `total` steps, then steps done."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, steps: int) -> None: ...


class Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, steps: int) -> None:
        pass

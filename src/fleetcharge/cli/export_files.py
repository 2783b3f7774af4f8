"""Export file formats, and the state file that lets an interrupted export resume.

Each page is rendered to bytes and appended whole; then the state file next to the
output (`FILE.export-state.json`) records the byte length of the output so far, the
`next` link, the counts, and the uuids of the last page. A re-run with the same arguments
(checked against a fingerprint) truncates the output to that length, so a page half
written when the export stopped is dropped and fetched again, and carries on from the
saved link. The state file is removed when the export completes.
"""

import csv
import hashlib
import io
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fleetcharge.client import Page, Resource
from fleetcharge.client.flatten import columns, flatten

STATE_VERSION = 1
FORMATS = ("csv", "json", "jsonl")


@dataclass(frozen=True)
class ExportSpec:
    """Everything that decides the bytes of an export; a resume must match it exactly."""

    resource: Resource
    base_url: str
    date_from: str | None
    date_to: str | None
    format: str
    per_period: bool
    bom: bool

    def fingerprint(self, token: str) -> str:
        # The token's own hash only goes into this digest: a different token may see
        # different records, so it must not resume another token's export.
        fields = {**asdict(self), "token": hashlib.sha256(token.encode()).hexdigest()}
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


@dataclass
class ExportState:
    fingerprint: str
    next_url: str | None
    offset: int
    records: int = 0
    rows: int = 0
    total_entries: int | None = None
    last_uuids: list[str] = field(default_factory=list)
    version: int = STATE_VERSION


def state_path(output: Path) -> Path:
    return output.with_name(output.name + ".export-state.json")


def load_state(path: Path) -> ExportState | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        state = ExportState(**data)
    except (OSError, ValueError, TypeError):
        return None
    return state if state.version == STATE_VERSION else None


def save_state(path: Path, state: ExportState) -> None:
    """Atomically: a crash leaves the previous state or the new one, never half of one."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(asdict(state), indent=1), encoding="utf-8")
    os.replace(temporary, path)


class Renderer:
    """Bytes for the start of a fresh file, for each page, and for the end."""

    def __init__(self, spec: ExportSpec) -> None:
        self.spec = spec

    def header(self) -> bytes:
        if self.spec.format == "csv":
            bom = "\ufeff" if self.spec.bom else ""
            return (bom + _csv_lines([columns(self.spec.resource, self.spec.per_period)])).encode()
        return b"[" if self.spec.format == "json" else b""

    def page(self, page: Page[Any], keep: Sequence[int], records_before: int) -> tuple[bytes, int]:
        """The bytes of the page's records at indexes `keep`, and how many rows they make."""
        if self.spec.format == "csv":
            rows = [
                row
                for index in keep
                for row in flatten(self.spec.resource, page.records[index], self.spec.per_period)
            ]
            return _csv_lines(rows).encode(), len(rows)
        parts = []
        for position, index in enumerate(keep):
            text = json.dumps(page.raw[index], ensure_ascii=False)
            if self.spec.format == "json":
                text = ("\n" if records_before + position == 0 else ",\n") + text
            else:
                text += "\n"
            parts.append(text)
        return "".join(parts).encode(), len(keep)

    def footer(self) -> bytes:
        return b"\n]\n" if self.spec.format == "json" else b""


def _csv_lines(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)  # RFC 4180: quoted as needed, CRLF line ends
    return buffer.getvalue()

"""The export loop: fetch page after page, append each whole, checkpoint after each."""

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

from rich.progress import Progress

from fleetcharge.cli.common import err_console
from fleetcharge.cli.export_files import (
    ExportSpec,
    ExportState,
    Renderer,
    load_state,
    save_state,
    state_path,
)
from fleetcharge.cli.remote import WaitNotices
from fleetcharge.client import ENDPOINTS, FleetsClient, Listing


def resumable_state(output: Path, fingerprint: str) -> ExportState | None:
    """The saved state of an unfinished export of the same arguments into `output`."""
    state = load_state(state_path(output))
    if state is None:
        return None
    if state.fingerprint != fingerprint:
        reason = "was started with other arguments"
    elif not output.exists() or output.stat().st_size < state.offset:
        reason = "has lost data since it stopped"
    else:
        return state
    err_console.print(f"An unfinished export into {output} {reason}: starting over.")
    return None


def export_pages(
    listing: Listing[Any],
    renderer: Renderer,
    sink: BinaryIO,
    state: ExportState,
    checkpoint: Callable[[ExportState], None],
    progress: Progress,
    notices: WaitNotices,
) -> ExportState:
    """Append every page from where `state` stands; returns the final state."""
    label = renderer.spec.resource.value
    task = progress.add_task(label, total=state.total_entries, completed=state.records)
    notices.track(task, label)
    skip = set(state.last_uuids)
    if state.next_url is None:  # every page was written; only the ending is missing
        return state
    for page in listing.pages():
        # After a resume, records that moved onto this page since (new ones inserted
        # before them) were already written: drop them.
        keep = [i for i, record in enumerate(page.records) if record.uuid not in skip]
        skip = set()
        data, rows = renderer.page(page, keep, state.records)
        sink.write(data)
        state = replace(
            state,
            next_url=page.next_url,
            offset=state.offset + len(data),
            records=state.records + len(keep),
            rows=state.rows + rows,
            total_entries=page.total_entries,
            last_uuids=[record.uuid for record in page.records],
        )
        checkpoint(state)
        progress.update(task, total=page.total_entries, completed=state.records)
    return state


def export_to_file(
    client: FleetsClient,
    spec: ExportSpec,
    token: str,
    output: Path,
    progress: Progress,
    notices: WaitNotices,
) -> ExportState:
    fingerprint = spec.fingerprint(token)
    saved = resumable_state(output, fingerprint)
    endpoint = ENDPOINTS[spec.resource]
    resume_from = saved.next_url if saved else None
    listing = client.listing(endpoint, spec.date_from, spec.date_to, resume_from)
    if saved is None or saved.next_url is not None:
        listing.first_page()  # fail early (bad token, unreachable) before touching the file
    renderer = Renderer(spec)
    path = state_path(output)
    with output.open("r+b" if saved else "wb") as file:

        def checkpoint(state: ExportState) -> None:
            file.flush()
            os.fsync(file.fileno())
            save_state(path, state)

        if saved is not None:
            file.truncate(saved.offset)
            file.seek(saved.offset)
            err_console.print(f"Resuming the export into {output} after {saved.records} records.")
            state = saved
        else:
            header = renderer.header()
            file.write(header)
            state = ExportState(fingerprint, listing.start_url, len(header))
        state = export_pages(listing, renderer, file, state, checkpoint, progress, notices)
        file.write(renderer.footer())
        file.flush()
        os.fsync(file.fileno())
    path.unlink(missing_ok=True)
    return state


def export_to_stream(
    client: FleetsClient,
    spec: ExportSpec,
    sink: BinaryIO,
    progress: Progress,
    notices: WaitNotices,
) -> ExportState:
    """To standard output: no state file, so no resume."""
    listing = client.listing(ENDPOINTS[spec.resource], spec.date_from, spec.date_to)
    listing.first_page()
    renderer = Renderer(spec)
    header = renderer.header()
    sink.write(header)
    state = ExportState("", listing.start_url, len(header))
    state = export_pages(listing, renderer, sink, state, lambda _: sink.flush(), progress, notices)
    sink.write(renderer.footer())
    sink.flush()
    return state

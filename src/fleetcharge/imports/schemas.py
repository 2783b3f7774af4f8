"""The import endpoints' answers, as documented (strict: a summary that grows a field its
model lacks fails the conformance tests)."""

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Counts(_Strict):
    created: int
    updated: int
    unchanged: int


class VehiclesImported(_Strict):
    dry_run: bool = Field(description="True: nothing was written; the counts say what would be.")
    vehicles: Counts
    cards: Counts = Field(description="Updated: given to another vehicle.")
    fleets: Counts = Field(description="The fleets the file names (a fleet is never updated).")


class LocationsImported(_Strict):
    dry_run: bool = Field(description="True: nothing was written; the counts say what would be.")
    locations: Counts
    stations: Counts = Field(description="Updated includes a station given new connectors.")
    connectors: Counts = Field(description="Updated: renamed.")


class ImportProblem(_Strict):
    line: int = Field(description="The file's line, the header being line 1.")
    column: str | None = Field(description="The column, as named in the header; null: the line.")
    message: str


class ImportErrorDetail(_Strict):
    code: str = Field(
        description="invalid_file (with `problems`), invalid_parameter, unauthorized, ..."
    )
    message: str
    field: str | None = None
    parameter: str | None = None
    problems: list[ImportProblem] = Field(
        None,  # type: ignore[arg-type]  # only for invalid_file, never null
        description="invalid_file: every problem found (at most 200), in file order.",
    )
    total_problems: int = Field(
        None,  # type: ignore[assignment]
        description="invalid_file: how many problems the file has in all.",
    )


class ImportErrorBody(_Strict):
    error: ImportErrorDetail

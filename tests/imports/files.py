"""Import files for tests."""

from collections.abc import Iterable


def vin(n: int) -> str:
    return f"1FCVH{n:012d}"


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]], newline: str = "\n") -> str:
    lines = [",".join(header), *(",".join(str(cell) for cell in row) for row in rows)]
    return newline.join(lines) + newline


def vehicles_file(count: int, *, start: int = 0, cards_every: int = 5) -> list[list[str]]:
    """`count` vehicle rows in fleets A and B, each with a card, every `cards_every`th
    with two."""
    rows = []
    for n in range(start, start + count):
        tags = [f"T{n}"] + ([f"U{n}"] if n % cards_every == 0 else [])
        rows.append([vin(n), f"R{n}", "AB"[n % 2], f"C-{n}", "2025-01-01", ";".join(tags)])
    return rows


VEHICLE_HEADER = [
    "vin",
    "registration_number",
    "fleet",
    "contract_number",
    "effective_from",
    "cards",
]

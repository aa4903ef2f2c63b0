"""Input files written the way a coordinator's spreadsheet would write them (for tests and benchmarks)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

MEMBER_COLUMNS = ("name", "email", "organisation", "country", "title", "topics", "workstreams", "knows")


def write_csv(
    path: Path,
    rows: list[dict[str, Any]],
    columns: tuple[str, ...] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """Write ``rows`` as a CSV file with a header of ``columns`` (by default the first row's keys)."""
    columns = columns or tuple(rows[0])
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.DictWriter(f, fieldnames=columns, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def member(name: str, email: str, **fields: str) -> dict[str, str]:
    """A member row with every column of MEMBER_COLUMNS, blank unless given."""
    row = dict.fromkeys(MEMBER_COLUMNS, "")
    row.update(name=name, email=email, **fields)
    return row

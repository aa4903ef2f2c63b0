"""Small helpers for writing input files the way a coordinator's spreadsheet would."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from graphapp.backup import snapshot
from graphapp.store import Store

MEMBER_COLUMNS = ("name", "email", "organisation", "country", "title", "topics", "workstreams", "knows")


def write_csv(
    path: Path,
    rows: list[dict[str, Any]],
    columns: tuple[str, ...] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    columns = columns or tuple(rows[0])
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.DictWriter(f, fieldnames=columns, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def member(name: str, email: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(MEMBER_COLUMNS, "")
    row.update(name=name, email=email, **fields)
    return row


def graph(store: Store) -> dict[str, Any]:
    """Everything the graph holds, as plain data: equal graphs give equal values."""
    return store.read(snapshot)

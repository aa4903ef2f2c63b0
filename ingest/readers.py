"""Read CSV, XLSX and JSON files into tables of raw rows that remember where each value came from.

A file holds one kind of record (members, organisations, topics, workstreams, themes, projects or
resources), told by ``--kind`` or
recognised from its columns. An XLSX workbook may hold several kinds, one sheet each, named after the
kind; a JSON file may be a list of records or an object whose keys are kinds.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphapp.ingest.problems import ImportRejected, Problem, reason

__all__ = ["COLUMNS", "KINDS", "RawRow", "Table", "read_file", "read_files", "read_tables"]

KINDS = ("organisations", "topics", "workstreams", "members", "themes", "projects", "resources")

#: Every column each kind of file may have. The first ones listed in REQUIRED must be present.
COLUMNS: dict[str, tuple[str, ...]] = {
    "members": (
        "id",
        "name",
        "email",
        "organisation",
        "organisation_kind",
        "country",
        "title",
        "topics",
        "workstreams",
        "knows",
        "email_visibility",
        "suggestible",
        "joined",
    ),
    "organisations": ("id", "name", "kind", "country", "aliases", "name_fr", "name_ru"),
    "topics": ("id", "name", "aliases", "themes", "name_fr", "name_ru"),
    "workstreams": ("id", "name", "description", "covers", "serves"),
    # The journey (issue 14): themes of the map, projects at a stage, shared resources.
    "themes": ("id", "name", "description", "kind", "position"),
    "projects": (
        "id",
        "title",
        "description",
        "organisation",
        "members",
        "topics",
        "workstream",
        "domain",
        "stage",
        "idea",
        "demonstration",
        "production",
        "maintenance",
        "report",
        "code",
    ),
    "resources": (
        "id",
        "title",
        "url",
        "kind",
        "language",
        "topics",
        "workstream",
        "shared_by",
        "description",
        "added",
    ),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "members": ("name",),
    "organisations": ("name",),
    "topics": ("name",),
    "workstreams": ("id", "name"),
    "themes": ("name",),
    "projects": ("title",),
    "resources": ("title", "url"),
}
#: Accepted spellings of kinds, for sheet names, JSON keys and --kind.
KIND_ALIASES = {
    "member": "members",
    "members": "members",
    "people": "members",
    "organisation": "organisations",
    "organisations": "organisations",
    "organization": "organisations",
    "organizations": "organisations",
    "topic": "topics",
    "topics": "topics",
    "workstream": "workstreams",
    "workstreams": "workstreams",
    "theme": "themes",
    "themes": "themes",
    "project": "projects",
    "projects": "projects",
    "resource": "resources",
    "resources": "resources",
}


@dataclass
class RawRow:
    file: str
    where: str  # "row 4" or "item 3"
    values: dict[str, Any]  # column -> str | list | None, as read


@dataclass
class Table:
    file: str
    kind: str
    columns: tuple[str, ...]
    rows: list[RawRow] = field(default_factory=list)
    #: Problems that do not stop the file being read (an unknown or repeated column, a row with more cells
    #: than the header): reported with the rows' own problems, in one round.
    problems: list[Problem] = field(default_factory=list)


def read_files(
    paths: Iterable[str | os.PathLike[str]], kind: str | None = None, max_bytes: int | None = None
) -> list[Table]:
    """Read every file; raise :class:`ImportRejected` listing the problems of all of them.

    ``max_bytes`` limits the size of each file (the web app's uploads set it; the CLI does not).
    """
    tables = read_tables(paths, kind, max_bytes)
    problems = [p for t in tables for p in t.problems]
    if problems:
        raise ImportRejected(problems)
    return tables


def read_tables(
    paths: Iterable[str | os.PathLike[str]], kind: str | None = None, max_bytes: int | None = None
) -> list[Table]:
    """Read every file, keeping in each table the problems that did not stop it being read (see
    :attr:`Table.problems`: the importer reports them with the rows' problems, in one round); raise
    :class:`ImportRejected` listing the problems of every file that could not be read at all (with those
    the other files' tables hold)."""
    tables: list[Table] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            tables.extend(read_file(path, kind, max_bytes))
        except ImportRejected as e:
            problems.extend(e.problems)
    if problems:
        raise ImportRejected(problems + [p for t in tables for p in t.problems])
    return tables


def read_file(
    path: str | os.PathLike[str], kind: str | None = None, max_bytes: int | None = None
) -> list[Table]:
    path = Path(path)
    name = path.name
    if kind is not None:
        kind = _kind(kind, name)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ImportRejected(
            [Problem(name, "", "", "", reason("cannot be read: %(error)s", error=e.strerror))]
        ) from e
    if max_bytes is not None and size > max_bytes:
        mib, limit = format(size / 2**20, ".1f"), format(max_bytes / 2**20, ".1f")
        why = reason("is %(size)s MiB, over the %(limit)s MiB limit", size=mib, limit=limit)
        raise ImportRejected([Problem(name, "", "", "", why)])
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix == ".csv" or suffix == ".txt" or suffix == ".tsv":
        return [_table_from_csv(name, data, kind)]
    if suffix in (".xlsx", ".xlsm"):
        return _tables_from_xlsx(name, data, kind)
    if suffix == ".json":
        return _tables_from_json(name, data, kind)
    raise ImportRejected(
        [Problem(name, "", "", "", reason("has an unknown file type; use .csv, .xlsx or .json"))]
    )


def _kind(kind: str, file: str) -> str:
    resolved = KIND_ALIASES.get(kind.strip().lower())
    if resolved is None:
        raise ImportRejected(
            [
                Problem(
                    file,
                    "",
                    "",
                    kind,
                    reason("is not a kind of record; use one of %(kinds)s", kinds=", ".join(KINDS)),
                )
            ]
        )
    return resolved


def normalise_header(name: Any) -> str:
    """Column names are matched loosely: case, spaces and hyphens do not matter.

    >>> normalise_header(" Organisation Kind ")
    'organisation_kind'
    """
    return "_".join(str(name or "").strip().lower().replace("-", " ").split())


def _detect_kind(file: str, columns: tuple[str, ...]) -> str:
    """Which kind of records a header describes, from the columns only that kind has.

    >>> _detect_kind("f", ("title", "url")), _detect_kind("f", ("title", "stage"))
    ('resources', 'projects')
    >>> _detect_kind("f", ("name", "kind", "position")), _detect_kind("f", ("name", "email"))
    ('themes', 'members')
    >>> _detect_kind("f", ("id", "name", "themes")), _detect_kind("f", ("id", "name", "serves"))
    ('topics', 'workstreams')
    """
    cols = set(columns)
    if cols & {"url", "shared_by", "language", "added"}:
        return "resources"
    project_only = {"stage", "domain", "report", "code", "members", *STAGE_COLUMNS}
    if cols & project_only or ("title" in cols and not cols & {"name", "email"}):
        return "projects"
    if "email" in cols or "knows" in cols or "topics" in cols:
        return "members"
    if "position" in cols or {"kind", "description"} <= cols:
        return "themes"
    if "covers" in cols or "serves" in cols or "description" in cols:
        return "workstreams"
    if "kind" in cols or "country" in cols:
        return "organisations"
    if "aliases" in cols or "themes" in cols or cols <= {"id", "name", "name_fr", "name_ru"}:
        return "topics"
    raise ImportRejected(
        [
            Problem(
                file,
                "",
                "",
                "",
                reason("cannot tell which kind of records this is from its columns; pass --kind"),
            )
        ]
    )


#: A project's columns holding the day it reached each stage (queries.schema.STAGES).
STAGE_COLUMNS = ("idea", "demonstration", "production", "maintenance")


def _check_columns(file: str, kind: str, columns: tuple[str, ...]) -> list[Problem]:
    """The header's problems: raises ImportRejected if a required column is missing (the rows cannot be
    read without it), else returns those of unknown or repeated columns (the rows are read, such a column
    ignored), for the importer to report with the rows' problems."""
    problems = []
    known = COLUMNS[kind]
    seen: set[str] = set()
    for column in columns:
        if not column:
            continue
        if column in seen:
            problems.append(Problem(file, "row 1", column, "", reason("appears twice in the header")))
        seen.add(column)
        if column not in known:
            close = difflib.get_close_matches(column, known, n=1)
            why = (
                reason(
                    "is not a column of %(kind)s files; did you mean '%(column)s'?",
                    kind=kind,
                    column=close[0],
                )
                if close
                else reason(
                    "is not a column of %(kind)s files; %(kind)s files have %(columns)s",
                    kind=kind,
                    columns=", ".join(known),
                )
            )
            problems.append(Problem(file, "row 1", column, "", why))
    missing = [
        Problem(file, "row 1", column, "", reason("is missing: %(kind)s files need it", kind=kind))
        for column in REQUIRED[kind]
        if column not in seen
    ]
    if kind == "members" and not ({"email", "id"} & seen):
        missing.append(
            Problem(file, "row 1", "email", "", reason("is missing: members need an email or an id"))
        )
    if missing:
        raise ImportRejected(problems + missing)
    return problems


def _make_table(
    file: str, kind: str | None, header: list[Any], rows: Iterable[tuple[str, list[Any]]]
) -> Table:
    columns = tuple(normalise_header(h) for h in header)
    # Trailing empty header cells are common in spreadsheets; ignore them.
    while columns and not columns[-1]:
        columns = columns[:-1]
    if not columns:
        raise ImportRejected([Problem(file, "", "", "", reason("is empty: no header row"))])
    kind = kind or _detect_kind(file, columns)
    table = Table(file, kind, columns, problems=_check_columns(file, kind, columns))
    for where, cells in rows:
        if all(_blank(c) for c in cells):
            continue  # blank lines carry nothing
        extra = [c for c in cells[len(columns) :] if not _blank(c)]
        if extra:  # (its cells cannot be told apart: the row is refused, the others are read)
            table.problems.append(
                Problem(
                    file,
                    where,
                    "",
                    str(extra[0]),
                    reason("has more cells than the header has columns (%(count)s)", count=len(columns)),
                )
            )
            continue
        values = {c: (_cell(cells[i]) if i < len(cells) else None) for i, c in enumerate(columns) if c}
        table.rows.append(RawRow(file, where, values))
    return table


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(value: Any) -> Any:
    """Spreadsheet and JSON cells as the validator expects them: text, a list, or None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return value
    return str(value)


def _decode(file: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        byte = format(data[e.start], "#04x")
        why = reason(
            "is not UTF-8 text (byte %(byte)s at offset %(offset)s); "
            "save the file as 'CSV UTF-8' and import it again",
            byte=byte,
            offset=e.start,
        )
        raise ImportRejected([Problem(file, f"row {line}", "", "", why)]) from e


def csv_delimiter(text: str, lines: int = 50) -> str:
    """The delimiter a CSV file is written with: ",", ";" (Excel in much of Europe, in French or Russian
    settings) or a tab. Each is tried on the first lines, and the one that splits the most of them into
    the same number of fields (more than one) wins; title lines above the header (one field) count for
    none, and commas inside quoted questions do not mislead it.

    >>> csv_delimiter('"What is your name?";"Which topics (e.g. NLP, imputation)?"\\nAna;NLP\\nBen;LLM\\n')
    ';'
    >>> csv_delimiter("Survey 2026\\nname,email\\nAna,a@example.org\\n"), csv_delimiter("name\\nAna\\n")
    (',', ',')
    """
    head = "\n".join(text.split("\n", lines)[:lines])
    best, best_score = ",", (0, 0)
    for candidate in (",", ";", "\t"):
        try:
            counts = [
                len(r) for r in csv.reader(io.StringIO(head, newline=""), delimiter=candidate) if any(r)
            ]
        except csv.Error:
            continue
        if len(counts) > 1 and len(text) > len(head):
            counts = counts[:-1]  # (the last line read may be cut short)
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        mode = max(set(wide), key=lambda c: (wide.count(c), c))
        score = (wide.count(mode), mode)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _table_from_csv(file: str, data: bytes, kind: str | None) -> Table:
    text = _decode(file, data)
    reader = csv.reader(_lines(text), delimiter=csv_delimiter(text), strict=True)

    def not_well_formed(e: csv.Error) -> ImportRejected:
        why = reason("is not well-formed CSV: %(error)s", error=str(e))
        return ImportRejected([Problem(file, f"row {reader.line_num}", "", "", why)])

    def rows() -> Iterator[tuple[str, list[str]]]:
        # reader.line_num counts physical lines; a quoted cell may span several, so number rows as a
        # spreadsheet shows them: the header is row 1.
        try:
            for i, cells in enumerate(reader, start=2):
                yield f"row {i}", cells
        except csv.Error as e:
            raise not_well_formed(e) from e

    try:
        header = next(reader, None)
    except csv.Error as e:
        raise not_well_formed(e) from e
    if header is None:
        raise ImportRejected([Problem(file, "", "", "", reason("is empty: no header row"))])
    return _make_table(file, kind, header, rows())


#: Where a line of a CSV file ends, as ``open(newline="")`` reads it: "\r\n", "\r" or "\n".
_LINE_END = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> Iterator[str]:
    r"""The lines of ``text``, each with its end, one at a time (as ``io.StringIO(text, newline="")``
    gives them, without its copy of the text: four bytes a character, 2.5 GiB for a million members).

    >>> list(_lines("a,b\r\nc\rd\n\ne"))
    ['a,b\r\n', 'c\r', 'd\n', '\n', 'e']
    """
    start = 0
    for end in _LINE_END.finditer(text):
        yield text[start : end.end()]
        start = end.end()
    if start < len(text):
        yield text[start:]


def _tables_from_xlsx(file: str, data: bytes, kind: str | None) -> list[Table]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise ImportRejected(
            [Problem(file, "", "", "", reason("is not a readable XLSX workbook (%(error)s)", error=str(e)))]
        ) from e
    try:
        sheets = list(workbook.worksheets)
        named = [s for s in sheets if KIND_ALIASES.get(s.title.strip().lower())]
        chosen: list[tuple[Any, str | None]] = (
            [(s, KIND_ALIASES[s.title.strip().lower()]) for s in named] if named and not kind else []
        )
        if not chosen:
            chosen = [(sheets[0], kind)] if sheets else []
        tables = []
        for sheet, sheet_kind in chosen:
            label = f"{file} [{sheet.title}]" if len(sheets) > 1 else file
            rows = list(sheet.iter_rows(values_only=True))
            if not rows:
                continue
            tables.append(
                _make_table(
                    label,
                    sheet_kind,
                    list(rows[0]),
                    ((f"row {i}", list(r)) for i, r in enumerate(rows[1:], start=2)),
                )
            )
        if not tables:
            raise ImportRejected([Problem(file, "", "", "", reason("is empty: no sheet has a header row"))])
        return tables
    finally:
        workbook.close()


def _tables_from_json(file: str, data: bytes, kind: str | None) -> list[Table]:
    try:
        document = json.loads(_decode(file, data))
    except json.JSONDecodeError as e:
        raise ImportRejected(
            [
                Problem(
                    file,
                    f"line {e.lineno}",
                    "",
                    "",
                    reason("is not valid JSON: %(error)s (column %(column)s)", error=e.msg, column=e.colno),
                )
            ]
        ) from e
    if isinstance(document, dict) and not kind:
        unknown = [k for k in document if k not in KIND_ALIASES]
        if unknown:
            raise ImportRejected(
                [
                    Problem(
                        file,
                        "",
                        unknown[0],
                        "",
                        reason("is not a kind of record; use %(kinds)s", kinds=", ".join(KINDS)),
                    )
                ]
            )
        parts: list[tuple[str | None, Any, str]] = [
            (KIND_ALIASES[k], v, f"{file} [{k}]") for k, v in document.items()
        ]
    else:
        parts = [(kind, document, file)]
    tables = []
    for part_kind, items, label in parts:
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ImportRejected(
                [Problem(label, "", "", "", reason("must be a list of objects, one per record"))]
            )
        header: list[str] = []
        for item in items:
            header.extend(k for k in item if k not in header)
        normalised = [normalise_header(h) for h in header]
        rows = ((f"item {i}", [item.get(h) for h in header]) for i, item in enumerate(items, start=1))
        if not items:
            continue
        table = _make_table(label, part_kind, normalised, rows)
        tables.append(table)
    return tables

"""The competence taxonomy (issue 14 §3): areas in a hierarchy (each narrower area has one broader area) and
the topics placed in them, imported from a CSV file that **replaces** the taxonomy held, all or nothing.

The file's columns: ``id``, ``name``, ``broader`` (the id of the broader area; empty for a top area),
``description``, ``topics`` (the topics placed in this area, ``; ``-separated, by id, name or alias: any
case or accents, as everywhere else in graphapp) and, optionally, ``source`` (the framework's attribution,
shown at the foot of the areas page). graphapp ships one derived from the EDISON Data Science Competence
Framework (``graphapp/data/taxonomy/edsf.csv``; see its NOTICE.md).

Shared by the pages, the API and the CLI: :func:`import_taxonomy` (one write transaction that records
itself in the history, kind "taxonomy"; run in a read transaction with ``dry_run`` to see what would
change) and :func:`taxonomy_tree` (the hierarchy with each topic's holders per level). Problems are
:class:`graphapp.ingest.problems.ImportRejected`, each naming the file, row, column and why.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphapp.ingest.problems import Either, ImportRejected, Problem, reason
from graphapp.proposals import Vocabulary, vocabulary
from graphapp.queries import history
from graphapp.queries import taxonomy as q
from graphapp.queries.cypher import Tx
from graphapp.queries.schema import LEVELS
from graphapp.queries.vocabulary import hold_vocabulary, topic_vocabulary
from graphapp.resources import TAXONOMY_DATA

__all__ = [
    "COLUMNS",
    "EDSF_FILE",
    "LEVEL_WORDS",
    "TaxonomyChange",
    "import_taxonomy",
    "import_taxonomy_file",
    "place_of_topic",
    "read_taxonomy",
    "taxonomy_tree",
    "tree_lines",
]

#: The columns of a taxonomy file (``id`` and ``name`` must be there; the others may be left out).
COLUMNS = ("id", "name", "broader", "description", "topics", "source")
REQUIRED = ("id", "name")
#: The shipped taxonomy, derived from the EDISON Data Science Competence Framework.
EDSF_FILE = TAXONOMY_DATA / "edsf.csv"
#: How the EDSF's three proficiency levels read in graphapp's levels of interest.
LEVEL_WORDS = {"learning": "Associate", "practising": "Professional", "expert": "Expert"}
#: The most characters a name, a description and a source may have, the most areas in a file, and the most
#: levels of the hierarchy.
LIMITS = {"name": 200, "description": 4000, "source": 1000, "areas": 5000, "depth": 8}
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


@dataclass
class AreaRow:
    """One area as the file gives it, checked."""

    id: str
    name: str
    broader: str
    description: str
    source: str
    topics: list[str]  # topic ids
    row: int  # the row number a spreadsheet shows (the header is row 1)


@dataclass
class TaxonomyChange:
    """What importing a taxonomy file does (or would do) to the taxonomy held."""

    file: str
    areas: list[AreaRow]
    added: list[str] = field(default_factory=list)  # area names
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old name, new name)
    changed: list[str] = field(default_factory=list)  # areas whose description, broader area or place moved
    placed: list[str] = field(default_factory=list)  # topics placed that had no area
    moved: list[str] = field(default_factory=list)  # topics whose areas changed
    unplaced: list[str] = field(default_factory=list)  # topics that lose every area
    topics_placed: int = 0
    #: The taxonomy held before and the one in the file, in the history's words: ``areas`` ("id: name"),
    #: ``broader`` ("narrower > broader") and ``places`` ("topic > area"), each sorted.
    before: dict[str, list[str]] = field(default_factory=dict)
    after: dict[str, list[str]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not any(
            (self.added, self.removed, self.renamed, self.changed, self.placed, self.moved, self.unplaced)
        )

    def headline(self) -> str:
        """One line: "edsf.csv: 35 areas, 32 topics placed"."""
        return f"{self.file}: {_n(len(self.areas), 'area')}, {_n(self.topics_placed, 'topic')} placed"

    def parts(self, dry_run: bool = False) -> list[tuple[str, list[str]]]:
        """What changes, as ("3 areas added", [their names]) pairs, the empty ones left out."""
        would = " would be" if dry_run else ""
        parts = [
            ("area", "areas", f"{would} added", self.added),
            ("area", "areas", f"{would} removed", self.removed),
            ("area", "areas", f"{would} renamed", [f"{a} → {b}" for a, b in self.renamed]),
            ("area", "areas", f"{would} given a new description or place", self.changed),
            ("topic", "topics", f"{would} placed", self.placed),
            ("topic", "topics", f"{would} moved to other areas", self.moved),
            ("topic", "topics", f"{would} left without an area", self.unplaced),
        ]
        return [
            (f"{len(names)} {one if len(names) == 1 else many}{what}", names)
            for one, many, what, names in parts
            if names
        ]

    def summary(self, dry_run: bool = False) -> str:
        """A report for people: what was (or would be) changed, with the names."""
        lines = [self.headline()]
        if self.is_empty():
            lines.append("nothing to change: the taxonomy held is this one already")
        for what, names in self.parts(dry_run):
            shown = "; ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
            lines.append(f"  {what}: {shown}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "areas": len(self.areas),
            "topics_placed": self.topics_placed,
            "added": self.added,
            "removed": self.removed,
            "renamed": [list(pair) for pair in self.renamed],
            "changed": self.changed,
            "placed": self.placed,
            "moved": self.moved,
            "unplaced": self.unplaced,
            "unchanged": self.is_empty(),
        }


def _n(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


# --- Reading and checking a file ----------------------------------------------------------------------


def read_taxonomy(data: bytes, file: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a taxonomy CSV file (UTF-8), each with the row number a spreadsheet shows; blank rows
    left out. Raises :class:`ImportRejected` for a file that is not UTF-8 or lacks a column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportRejected(
            [Problem(file, "", "", "", reason("is not UTF-8 text (byte %(offset)s)", offset=e.start))]
        ) from e
    # (Line breaks read the same however they came: a file saved on Windows, or sent back by a browser's
    # form as CRLF, is the same taxonomy.)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return _rows(reader, file)
    except csv.Error as e:
        raise ImportRejected(
            [
                Problem(
                    file,
                    f"row {reader.line_num}",
                    "",
                    "",
                    reason("is not well-formed CSV (%(error)s)", error=str(e)),
                )
            ]
        ) from e


def _rows(reader: Any, file: str) -> list[tuple[int, dict[str, str]]]:
    header = [(h or "").strip().lower() for h in next(reader, [])]
    problems = [
        Problem(
            file,
            "row 1",
            c,
            "",
            reason("is missing: a taxonomy file has the columns %(columns)s", columns=", ".join(COLUMNS[:5])),
        )
        for c in REQUIRED
        if c not in header
    ]
    problems += [
        Problem(
            file,
            "row 1",
            h,
            "",
            reason("is not a column of a taxonomy file (%(columns)s)", columns=", ".join(COLUMNS)),
        )
        for h in header
        if h and h not in COLUMNS
    ]
    if problems:
        raise ImportRejected(problems)
    rows = []
    for number, cells in enumerate(reader, start=2):
        row = {h: " ".join((cells[i] if i < len(cells) else "").split()) for i, h in enumerate(header) if h}
        if "description" in header:  # (a description keeps its line breaks; only its ends are trimmed)
            i = header.index("description")
            row["description"] = (cells[i] if i < len(cells) else "").strip()
        if any(row.values()):
            rows.append((number, row))
    return rows


def _check(
    rows: list[tuple[int, dict[str, str]]], file: str, vocab: Vocabulary
) -> tuple[list[AreaRow], list[Problem]]:
    """The areas of the rows, and every problem: a missing id or name, a bad or repeated id, an unknown
    broader area, a cycle, an unknown or retired topic (with the closest topics)."""
    problems: list[Problem] = []

    def bad(row: int, column: str, value: str, reason: str, suggestions: list[str] | None = None) -> None:
        problems.append(Problem(file, f"row {row}", column, value, reason, tuple(suggestions or ())))

    if not rows:
        problems.append(Problem(file, "", "", "", reason("holds no areas")))
    if len(rows) > LIMITS["areas"]:
        problems.append(
            Problem(
                file,
                "",
                "",
                "",
                reason("holds %(count)s areas: at most %(limit)s", count=len(rows), limit=LIMITS["areas"]),
            )
        )
        return [], problems
    areas: dict[str, AreaRow] = {}
    ids = {row.get("id", "").lower() for _, row in rows}
    for number, row in rows:
        area_id = row.get("id", "").lower()
        name = row.get("name", "")
        if not area_id:
            bad(number, "id", "", reason("is missing: every area needs an id"))
        elif not _ID.match(area_id):
            bad(number, "id", area_id, reason("is not an id: letters, digits, '-', '.' or '_', at most 80"))
        elif area_id in areas:
            bad(
                number,
                "id",
                area_id,
                reason("appears twice (first in row %(number)s)", number=areas[area_id].row),
            )
        if not name:
            bad(number, "name", "", reason("is missing: every area needs a name"))
        broader = row.get("broader", "").lower()
        if broader and broader not in ids:
            bad(number, "broader", broader, reason("is not the id of any area in this file"))
        for column in ("name", "description", "source"):
            if len(row.get(column, "")) > LIMITS[column]:
                bad(
                    number,
                    column,
                    row[column],
                    reason("is too long: at most %(limit)s characters", limit=LIMITS[column]),
                )
        topics: list[str] = []
        for text in (t.strip() for t in row.get("topics", "").split(";")):
            if not text:
                continue
            found = vocab.find(text)
            if found is None:
                suggestions = vocab.closest(text)
                why = (
                    reason(
                        "is not a topic of the network; did you mean %(names)s?",
                        names=Either(repr(s) for s in suggestions),
                    )
                    if suggestions
                    else reason("is not a topic of the network")
                )
                bad(number, "topics", text, why, suggestions)
            elif found.get("status") == "retired":
                bad(number, "topics", text, reason("is a topic a coordinator retired: it cannot be placed"))
            elif found["id"] not in topics:
                topics.append(found["id"])
        if area_id and area_id not in areas and _ID.match(area_id):
            areas[area_id] = AreaRow(
                area_id,
                name,
                row.get("broader", "").lower(),
                row.get("description", ""),
                row.get("source", ""),
                topics,
                number,
            )
    cycles = _cycles(areas, file)
    problems += cycles or _too_deep(areas, file)
    return list(areas.values()), problems


def _too_deep(areas: dict[str, AreaRow], file: str) -> list[Problem]:
    """A problem for each area more than :data:`LIMITS` ``depth`` levels down (pages and readers walk the
    hierarchy level by level; frameworks have a few levels)."""
    problems = []
    for area in areas.values():
        depth, at = 1, area.broader
        while at in areas and depth <= LIMITS["depth"]:
            depth, at = depth + 1, areas[at].broader
        if depth > LIMITS["depth"]:
            limit = LIMITS["depth"]
            problems.append(
                _broader_problem(
                    file, area, reason("puts this area more than %(limit)s levels down", limit=limit)
                )
            )
    return problems


def _broader_problem(file: str, area: AreaRow, why: str) -> Problem:
    """A problem with an area's ``broader`` cell."""
    return Problem(file, f"row {area.row}", "broader", area.broader, why)


def _cycles(areas: dict[str, AreaRow], file: str) -> list[Problem]:
    """A problem for each area whose chain of broader areas comes back to it."""
    problems = []
    for area in areas.values():
        chain, at = [area.id], area.broader
        while at in areas and at not in chain:
            chain.append(at)
            at = areas[at].broader
        if at == area.id:
            path = " › ".join([*chain, area.id])
            why = reason("makes a cycle: %(path)s (an area cannot be broader than itself)", path=path)
            problems.append(_broader_problem(file, area, why))
    return problems


# --- Importing ----------------------------------------------------------------------------------------


def _position(index: int) -> str:
    return f"{index:05d}"


def _diff(tx: Tx, change: TaxonomyChange, vocab: Vocabulary) -> None:
    held = {a["id"]: a for a in q.areas(tx)}
    held_broader = q.broader_links(tx)
    held_places = q.places(tx)
    new = {a.id: a for a in change.areas}
    name = {**{i: a["name"] or i for i, a in held.items()}, **{i: a.name for i, a in new.items()}}
    change.before = {
        "areas": sorted(f"{i}: {a['name'] or i}" for i, a in held.items()),
        "broader": sorted(f"{a} > {b}" for a, b in held_broader.items()),
        "places": sorted(f"{t} > {a}" for t, a in held_places),
    }
    change.after = {
        "areas": sorted(f"{a.id}: {a.name}" for a in change.areas),
        "broader": sorted(f"{a.id} > {a.broader}" for a in change.areas if a.broader),
        "places": sorted(f"{t} > {a.id}" for a in change.areas for t in a.topics),
    }
    change.added = [a.name for a in change.areas if a.id not in held]
    change.removed = [held[i]["name"] or i for i in held if i not in new]
    for index, area in enumerate(change.areas):
        was = held.get(area.id)
        if was is None:
            continue
        if (was["name"] or "") != area.name:
            change.renamed.append((was["name"] or area.id, area.name))
        if (
            (was["description"] or "") != area.description
            or (was["source"] or "") != area.source
            or (was["position"] or "") != _position(index)
            or held_broader.get(area.id, "") != area.broader
        ):
            change.changed.append(area.name)
    before: dict[str, set[str]] = defaultdict(set)
    for topic, area_id in held_places:
        before[topic].add(area_id)
    after: dict[str, set[str]] = defaultdict(set)
    for area in change.areas:
        for topic in area.topics:
            after[topic].add(area.id)
    change.topics_placed = len(after)

    def topic_name(topic: str) -> str:
        found = vocab.topics.get(topic)
        return str(found["name"] if found else topic)

    for topic in sorted(set(before) | set(after), key=topic_name):
        if before[topic] == after[topic]:
            continue
        where = ", ".join(sorted(name.get(a, a) for a in after[topic]))
        if not before[topic]:
            change.placed.append(f"{topic_name(topic)} (in {where})")
        elif not after[topic]:
            change.unplaced.append(topic_name(topic))
        else:
            change.moved.append(f"{topic_name(topic)} (now in {where})")


def import_taxonomy(tx: Tx, data: bytes, file: str, dry_run: bool = False) -> TaxonomyChange:
    """Replace the taxonomy held with the one in ``data`` (a CSV file's bytes; ``file`` names it in
    messages), in this transaction: every area, broader area and placement of a topic. Raises
    :class:`ImportRejected` listing every problem (nothing is written). With ``dry_run`` (in a read
    transaction) nothing is written; a file that changes nothing writes and records nothing."""
    if not dry_run:
        tx.touched([])  # (no member changes: the suggestion index stays as it is)
        hold_vocabulary(tx)  # (no topic is merged or retired between the checks and the writes)
    vocab = vocabulary(tx)
    areas, problems = _check(read_taxonomy(data, file), file, vocab)
    if problems:
        raise ImportRejected(problems)
    change = TaxonomyChange(file, areas)
    _diff(tx, change, vocab)
    if dry_run or change.is_empty():
        return change
    q.replace_taxonomy(
        tx,
        [
            {
                "id": a.id,
                "name": a.name,
                "description": a.description,
                "position": _position(i),
                "source": a.source,
            }
            for i, a in enumerate(areas)
        ],
        [{"source": a.id, "target": a.broader} for a in areas if a.broader],
        [{"source": t, "target": a.id} for a in areas for t in a.topics],
    )
    # (what was replaced stays readable in the history: the areas, their links and the placements that
    # changed, before and after)
    changed = [f for f in change.after if change.before.get(f) != change.after[f]]
    history.record(
        tx,
        "taxonomy",
        subject="taxonomy",
        summary=_said(change),
        before={f: change.before.get(f, []) for f in changed},
        after={f: change.after[f] for f in changed},
    )
    return change


def _said(change: TaxonomyChange) -> str:
    """The history's line: the headline, and what changed in counts."""
    counts = [
        (len(change.added), "added"),
        (len(change.removed), "removed"),
        (len(change.renamed), "renamed"),
        (len(change.placed) + len(change.moved) + len(change.unplaced), "topics placed anew"),
    ]
    said = ", ".join(f"{n} {what}" for n, what in counts if n)
    return f"{change.headline()} ({said})" if said else change.headline()


def import_taxonomy_file(tx: Tx, path: Path, dry_run: bool = False) -> TaxonomyChange:
    """:func:`import_taxonomy` of a file on disk, named in messages by its file name."""
    return import_taxonomy(tx, path.read_bytes(), path.name, dry_run=dry_run)


# --- Reading the taxonomy -----------------------------------------------------------------------------


def taxonomy_tree(tx: Tx) -> dict[str, Any]:
    """The taxonomy as a tree: ``areas`` (the top areas, each with ``id``, ``name``, ``description``,
    ``narrower`` areas and ``topics``: ``id``, ``name``, ``retired`` and members per level), ``sources``
    (the attributions the areas carry), and how many areas and topics placed in all."""
    topics = {t["id"]: t for t in topic_vocabulary(tx)}  # (with their holders per level)
    held = q.areas(tx)
    broader = q.broader_links(tx)
    topics_of: dict[str, list[str]] = defaultdict(list)
    for topic, area in q.places(tx):
        topics_of[area].append(topic)
    nodes: dict[str, dict[str, Any]] = {}
    for a in held:
        placed = [topics[t] for t in topics_of[a["id"]] if t in topics]
        nodes[a["id"]] = {
            "id": a["id"],
            "name": a["name"] or a["id"],
            "description": a["description"] or "",
            "broader": broader.get(a["id"], ""),
            "narrower": [],
            "topics": [
                {
                    "id": t["id"],
                    "name": t["name"] or t["id"],
                    "retired": t.get("status") == "retired",
                    "levels": {level: int(t.get(level) or 0) for level in reversed(LEVELS)},
                }
                for t in sorted(placed, key=lambda t: ((t["name"] or t["id"]).casefold(), t["id"]))
            ],
        }
    top: list[dict[str, Any]] = []
    for a in held:  # (in the file's order)
        parent = nodes.get(broader.get(a["id"], ""))
        (parent["narrower"] if parent else top).append(nodes[a["id"]])
    return {
        "areas": top,
        "sources": sorted({a["source"] for a in held if a["source"]}),
        "count": len(held),
        "topics_placed": len({t for ts in topics_of.values() for t in ts}),
    }


def place_of_topic(tx: Tx, topic: str) -> list[list[dict[str, str]]]:
    """Each area a topic sits in, as its path from the top: ``[[{id, name}, ...], ...]``."""
    ids = q.places_of_topic(tx, topic)
    if not ids:
        return []
    names = {a["id"]: a["name"] or a["id"] for a in q.areas(tx)}
    broader = q.broader_links(tx)
    paths = []
    for area in ids:
        path: list[dict[str, str]] = []
        at = area
        while at and at in names and all(p["id"] != at for p in path):
            path.insert(0, {"id": at, "name": names[at]})
            at = broader.get(at, "")
        paths.append(path)
    return paths


def tree_lines(tree: dict[str, Any]) -> list[str]:
    """The tree as indented text lines (for ``graphapp taxonomy show``)."""
    lines: list[str] = []

    def walk(area: dict[str, Any], depth: int) -> None:
        lines.append(f"{'  ' * depth}{area['name']} [{area['id']}]")
        for t in area["topics"]:
            held = ", ".join(f"{n} {level}" for level, n in t["levels"].items() if n) or "nobody yet"
            lines.append(f"{'  ' * (depth + 1)}- {t['name']}{' (retired)' if t['retired'] else ''}: {held}")
        for narrower in area["narrower"]:
            walk(narrower, depth + 1)

    for area in tree["areas"]:
        walk(area, 0)
    return lines

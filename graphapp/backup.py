"""The whole graph as one JSON document, and back.

The document lists every node of every label and every relationship of every type in the model, sorted
by id, with null properties left out, so that backing up a restored backup gives the same bytes. Beside
the network it keeps what people asked of each other and of graphapp (join requests, asks, offers,
introductions, the mail queue, trusted domains) and the accounts, with their password hashes, and pending
invitations, so that a restore onto a new, empty store gives back a service people can sign in to (see
:mod:`graphapp.queries.kept`); failed sign-ins are not kept. It carries the schema version it was taken
at. A restore checks the whole document before it writes, and writes it in one transaction.

Versions: 1 held the network only; 2 (now) also the nodes above. Both are read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graphapp.ingest.problems import ImportRejected, Problem
from graphapp.queries import history
from graphapp.queries.cypher import Cypher, Store, Tx
from graphapp.queries.kept import KEPT, count_kept, create_kept, delete_kept, read_kept
from graphapp.queries.schema import (
    ALL_NODES,
    ALL_RELS,
    DELETE_LABEL,
    NODES,
    RELATIONSHIPS,
    SCHEMA_VERSION,
    UPDATE_NODES,
    UPDATE_RELS,
    batches,
    counts,
    schema_version,
)

__all__ = ["BACKUP_FORMAT", "load_backup", "restore", "snapshot", "write_backup"]

BACKUP_FORMAT = "graphapp-backup"
BACKUP_VERSION = 2
#: The backup versions this graphapp reads, and the labels each may hold.
READABLE = {1: dict(NODES), 2: {**NODES, **KEPT}}


def snapshot(tx: Tx) -> dict[str, Any]:
    """The whole graph as plain data, in a stable order."""
    nodes = {
        label: sorted((_drop_nulls(row) for row in ALL_NODES[label].run(tx)), key=lambda n: n["id"])
        for label in NODES
    }
    nodes.update(
        {
            label: sorted(
                (_drop_nulls(_drop_bookkeeping(label, row)) for row in read_kept(tx, label)),
                key=lambda n: n["id"],
            )
            for label in KEPT
        }
    )
    rels = {
        t: sorted((_drop_nulls(row) for row in ALL_RELS[t].run(tx)), key=lambda r: (r["source"], r["target"]))
        for t in RELATIONSHIPS
    }
    return {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "schema_version": schema_version(tx) or SCHEMA_VERSION,
        "nodes": nodes,
        "relationships": rels,
    }


#: Bookkeeping a backup leaves out, as it leaves out failed sign-ins: an account's last visit (``seen``,
#: for "what's new"; noted at most hourly by any page, so two backups of an unchanged graph agree).
BOOKKEEPING = {"Account": ("seen",)}


def _drop_bookkeeping(label: str, row: dict[str, Any]) -> dict[str, Any]:
    for prop in BOOKKEEPING.get(label, ()):
        row.pop(prop, None)
    return row


def _drop_nulls(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


def write_backup(store: Store, path: str | Path) -> dict[str, int]:
    """Write the graph to ``path`` (atomically: a partial file never replaces a good one)."""
    data = store.read(snapshot)
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return _tally(data)


def _tally(data: dict[str, Any]) -> dict[str, int]:
    tally = {label: len(rows) for label, rows in data["nodes"].items()}
    tally.update({t: len(rows) for t, rows in data["relationships"].items()})
    return tally


def load_backup(path: str | Path) -> dict[str, Any]:
    """Read and check a backup; raise ImportRejected naming every problem."""
    path = Path(path)
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ImportRejected([Problem(name, "", "", "", f"cannot be read: {e.strerror}")]) from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ImportRejected([Problem(name, "", "", "", f"is not a graphapp backup: {e}")]) from e
    problems: list[Problem] = []

    def bad(where: str, field: str, value: Any, reason: str) -> None:
        problems.append(Problem(name, where, field, "" if value is None else str(value), reason))

    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise ImportRejected(
            [Problem(name, "", "format", "", f"is not '{BACKUP_FORMAT}': not a graphapp backup")]
        )
    labels = READABLE.get(data.get("version"))  # type: ignore[arg-type]
    if labels is None:
        bad(
            "",
            "version",
            data.get("version"),
            f"is not a backup version this graphapp reads ({', '.join(map(str, READABLE))})",
        )
        labels = READABLE[BACKUP_VERSION]
    if not isinstance(data.get("schema_version"), int) or data["schema_version"] > SCHEMA_VERSION:
        bad("", "schema_version", data.get("schema_version"), "is newer than this graphapp; upgrade graphapp")
    nodes, rels = data.get("nodes"), data.get("relationships")
    if not isinstance(nodes, dict) or not isinstance(rels, dict):
        raise ImportRejected([*problems, Problem(name, "", "nodes", "", "must map labels to lists of nodes")])
    ids: dict[str, set[str]] = {}
    for label, rows in nodes.items():
        spec = labels.get(label)
        if spec is None or not isinstance(rows, list):
            bad(f"nodes.{label}", "", None, "is not a label of the graphapp model")
            continue
        seen = ids.setdefault(label, set())
        for i, row in enumerate(rows):
            where = f"nodes.{label}[{i}]"
            if not isinstance(row, dict):
                bad(where, "", None, "must be an object")
                continue
            for key, value in row.items():
                if key not in spec.properties:
                    bad(where, key, None, f"is not a property of {label}")
                elif key in spec.list_properties:
                    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                        bad(where, key, value, "must be a list of strings")
                elif not isinstance(value, str):
                    bad(where, key, value, "must be a string")
            node_id = row.get("id")
            if not isinstance(node_id, str) or not node_id:
                bad(where, "id", node_id, "is missing")
            elif node_id in seen:
                bad(where, "id", node_id, f"appears twice among the {label} nodes")
            else:
                seen.add(node_id)
    for t, rows in rels.items():
        rel = RELATIONSHIPS.get(t)
        if rel is None or not isinstance(rows, list):
            bad(f"relationships.{t}", "", None, "is not a relationship type of the graphapp model")
            continue
        pairs: set[tuple[str, str]] = set()
        for i, row in enumerate(rows):
            where = f"relationships.{t}[{i}]"
            if not isinstance(row, dict):
                bad(where, "", None, "must be an object")
                continue
            for key, value in row.items():
                if key not in ("source", "target", *rel.properties):
                    bad(where, key, None, f"is not a property of {t}")
                elif not isinstance(value, str):
                    bad(where, key, value, "must be a string")
            for end, label in (("source", rel.source), ("target", rel.target)):
                if row.get(end) not in ids.get(label, set()):
                    bad(where, end, row.get(end), f"is not the id of any {label} in this backup")
            pair = (row.get("source"), row.get("target"))
            if pair in pairs:
                bad(where, "", None, "appears twice")
            pairs.add(pair)  # type: ignore[arg-type]
    if problems:
        raise ImportRejected(problems)
    return data


def restore(store: Store, data: dict[str, Any], replace: bool = False) -> dict[str, int]:
    """Write a checked backup into the graph, in one transaction.

    The graph must be empty unless ``replace`` is true, in which case everything in it is removed first
    (in the same transaction: if the restore fails, the old graph is still there).
    """

    def work(tx: Tx) -> dict[str, int]:
        present = {k: v for k, v in {**counts(tx), **count_kept(tx)}.items() if v}
        if present and not replace:
            raise GraphNotEmpty(present)
        for label in NODES:
            tx.run(DELETE_LABEL[label])
        delete_kept(tx)
        for label in KEPT:
            create_kept(tx, label, data["nodes"].get(label, []))
        for label, spec in NODES.items():
            rows = [{p: row.get(p) for p in spec.properties} for row in data["nodes"].get(label, [])]
            tx.bulk_create(label, rows)
            # (list properties are written by UNWIND, which keeps an empty string; a member's "" reads as
            # unset wherever it is read, and members are many)
            if not spec.list_properties and label != "Member":
                _empty_strings_again(tx, UPDATE_NODES[label], rows)
        for t, rel in RELATIONSHIPS.items():
            keys = ("source", "target", *rel.properties)
            rows = [{k: row.get(k) for k in keys} for row in data["relationships"].get(t, [])]
            tx.bulk_create(t, rows)
            if rel.properties:
                _empty_strings_again(tx, UPDATE_RELS[t], rows)
        tally = _tally(data)
        said = ", ".join(f"{n} {k}" for k, n in tally.items() if n) or "nothing"
        history.record(
            tx,
            "restore",
            subject="restore",
            summary=f"restored from a backup{' (replacing the graph)' if present else ''}: {said}",
        )
        return tally

    return store.write(work)


def _empty_strings_again(tx: Tx, update: Cypher, rows: list[dict[str, Any]]) -> None:
    """Write again the rows that hold an empty string. LadybugDB's ``COPY FROM`` (its bulk create) reads
    an empty field as null, and an empty string can mean something (a workstream that serves a theme at
    every stage: ``stages`` ""): without this a restore would give back null where it was "". Neo4j's
    bulk create is UNWIND, which keeps it."""
    if tx.dialect != "ladybug":
        return
    empty = [row for row in rows if "" in row.values()]
    for batch in batches(empty):
        tx.run(update, rows=batch)


class GraphNotEmpty(Exception):
    def __init__(self, present: dict[str, int]) -> None:
        held = ", ".join(f"{n} {k}" for k, n in present.items())
        super().__init__(
            f"the graph is not empty ({held}); restore --replace removes all of it first, "
            "or restore into a new database"
        )

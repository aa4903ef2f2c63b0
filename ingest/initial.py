"""The initial load: a whole network into an empty store, in parts, each its own transaction.

``graphapp import`` plans an import against what the graph holds and writes it in one transaction; at a
million members that plan (every member's node, interests and contacts, as dicts to diff) and that
transaction (every node and relationship at once) do not fit in memory, on either side. Into an empty store
there is nothing to diff against, so the initial load checks the files with the same readers, records and
placement rules as an import (:mod:`graphapp.ingest.plan`), the members a chunk at a time, and spills what
they create to CSV files on disk; only once every row of every file passed does it write, in parts of
``part_rows`` rows, each part a transaction (LadybugDB: ``COPY ... FROM`` the spilled file; Neo4j: batched
``UNWIND ... CREATE``). A part that fails ends the load: what the parts before it wrote is removed again,
and the store is as empty as it was.

The graph, and the history's entries, are those a normal import of the same files into the empty store
makes (tests/test_initial_load.py compares them on both stores).
"""

from __future__ import annotations

import csv
import gc
import json
import os
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from graphapp.ingest.plan import (
    Catalog,
    FirstRows,
    MemberRefs,
    Plan,
    Progress,
    Props,
    Wanted,
    _contacts,
    _field,
    _present,
    _rel_field,
    changes,
    import_summary,
    name_resources,
    place_members,
    place_projects,
    place_resources,
    place_vocabulary,
    plan_history,
    read_records,
)
from graphapp.ingest.problems import ImportRejected
from graphapp.ingest.readers import Table, read_tables
from graphapp.ingest.records import MemberRecord, Source, parse_member
from graphapp.queries import history
from graphapp.queries.cypher import Cypher, Store, Tx
from graphapp.queries.schema import COUNT_NODES, NODES, RELATIONSHIPS, batches, csv_columns

__all__ = ["InitialLoad", "LoadFailed", "NotEmpty", "initial_load"]

#: The labels a store must hold none of for an initial load (accounts, the schema, the taxonomy's areas
#: and the history may be there already).
NETWORK_LABELS = ("Member", "Organisation", "Topic", "Workstream", "Theme", "Project", "Resource")
#: The tables the members' rows fill: spilled to disk, written in parts.
MEMBER_TABLES = ("Member", "WORKS_AT", "INTERESTED_IN", "MEMBER_OF", "KNOWS")
#: The history's name for each relationship a member owns (as plan_history names them).
MEMBER_FIELDS = {"WORKS_AT": "organisation", "INTERESTED_IN": "topics", "MEMBER_OF": "workstreams"}

#: Members placed at a time while checking (their records are dropped once spilled).
CHECK_CHUNK = 50_000
#: Rows per transaction: Neo4j's default transaction memory takes this many (a part of 100,000 interest
#: edges needs about 100 MiB of it) and LadybugDB copies them in a second or so.
PART_ROWS = 100_000
#: The history's entries per transaction (at most ``part_rows``): each is a few hundred bytes of JSON, and
#: LadybugDB holds a transaction's new nodes in memory until it commits (measured at 100,000 members: the
#: process's peak 1.96 GiB with parts of 100,000 entries, 1.27 GiB with 20,000).
HISTORY_PART = 20_000


class NotEmpty(Exception):
    """The store holds a network already: an initial load would not be the same as an import."""


class LoadFailed(Exception):
    """A part of the load failed; what was written was removed again (or, if that failed too, says so)."""


@dataclass
class InitialLoad:
    """What an initial load created (or, in a dry run, would create)."""

    files: list[str]
    rows: int
    created: Counter[str] = field(default_factory=Counter)
    new_topics: list[str] = field(default_factory=list)
    history: int = 0

    def summary(self, dry_run: bool = False) -> str:
        """A report for people, in the words of :meth:`graphapp.ingest.plan.Plan.summary`."""
        verb = "would create" if dry_run else "created"
        lines = [
            f"{self.rows} row{'s' if self.rows != 1 else ''} read from {len(self.files)} "
            f"file{'s' if len(self.files) != 1 else ''} (initial load into an empty store)"
        ]
        for name in (*NODES, *RELATIONSHIPS):
            if self.created[name]:
                lines.append(f"  {name}: {verb} {self.created[name]}")
        if self.new_topics:
            lines.append(
                f"  {verb} {len(self.new_topics)} new topic{'s' if len(self.new_topics) != 1 else ''} "
                "named in cells (new topics allowed): " + "; ".join(self.new_topics)
            )
        return "\n".join(lines)


# --- Checking, and spilling what the members' rows create ---------------------------------------------


class Spill:
    """CSV files of the rows the load creates, per table, cut into parts of ``part_rows`` rows."""

    def __init__(self, where: Path, part_rows: int) -> None:
        self.where = where
        self.part_rows = part_rows
        self.parts: dict[str, list[tuple[Path, int]]] = defaultdict(list)
        self._open: dict[str, tuple[TextIO, Any]] = {}

    def add(self, table: str, rows: Iterable[Props]) -> None:
        columns = csv_columns(table)
        for row in rows:
            if table not in self._open or self.parts[table][-1][1] >= self.part_rows:
                self._start(table, columns)
            writer = self._open[table][1]
            writer.writerow([row.get(c) for c in columns])
            path, count = self.parts[table][-1]
            self.parts[table][-1] = (path, count + 1)

    def _start(self, table: str, columns: tuple[str, ...]) -> None:
        if table in self._open:
            self._open[table][0].close()
        path = self.where / f"{table}-{len(self.parts[table]) + 1:04d}.csv"
        f = path.open("w", newline="", encoding="utf-8")
        writer = csv.writer(f)
        writer.writerow(columns)
        self._open[table] = (f, writer)
        self.parts[table].append((path, 0))

    def close(self) -> None:
        for f, _ in self._open.values():
            f.close()
        self._open.clear()

    def rows(self, table: str) -> int:
        return sum(n for _, n in self.parts.get(table, []))


@dataclass
class Checked:
    """What the files create, once every row passed: the small part in memory (as a plan), the members'
    part spilled, and what the history needs of each member."""

    plan: Plan
    spill: Spill
    #: One JSON line per member: [id, the history's "after" without contacts].
    member_history: Path
    contacts: dict[str, list[str]]
    topics_created: list[str]


def check_files(
    store: Store, tables: list[Table], where: Path, new_topics: bool = False, part_rows: int = PART_ROWS
) -> Checked:
    """Check the tables as :func:`graphapp.ingest.plan.plan_import` does against an empty graph (the same
    rules, in the same order, the members a chunk at a time); raise ImportRejected listing every problem,
    or spill what they create under ``where``."""
    member_tables = [t for t in tables if t.kind == "members"]
    records = read_records([t for t in tables if t.kind != "members"])
    problems = records.problems
    for table in member_tables:
        problems.extend(table.problems)
    store.read(name_resources, records.resources, problems)
    catalog = Catalog({}, {}, {}, {}, {}, {t: {} for t in RELATIONSHIPS})
    topics, organisations, wanted, workstreams = place_vocabulary(records, catalog, problems, new_topics)

    spill = Spill(where, part_rows)
    member_history = where / "member-history.jsonl"
    seen = FirstRows()
    email_owner: dict[str, str] = {}  # (the members' catalog: each email's first row's id)
    members_catalog = Catalog({}, {}, {}, {}, email_owner, catalog.rels)
    # (the contacts are checked once every email is known: where each row is, its id, email and contacts)
    contact_rows: list[tuple[Source, str, str | None, list[str]]] = []
    with member_history.open("w", encoding="utf-8") as out:
        for rows in _chunks(member_tables):
            chunk = [parse_member(row, problems) for row in rows]
            seen.check(chunk, problems)
            for m in chunk:
                if m.email:
                    email_owner.setdefault(m.email, m.id)
                if m.knows:
                    contact_rows.append((m.source, m.id, m.email, m.knows))
                    m.knows = []
            placed = Wanted()
            place_members(
                chunk, members_catalog, topics, organisations, workstreams, placed, problems, new_topics
            )
            if not problems:
                _spill_members(placed, spill, out)
    for table in member_tables:
        table.rows.clear()
    pairs: set[tuple[str, str]] = set()
    for row in contact_rows:
        found = _contacts(_with_contacts_only(*row), email_owner, problems)
        if row[1]:
            pairs |= found
    del contact_rows
    refs = MemberRefs(
        Catalog({}, {}, {}, {i: {} for i in seen.ids}, {e: i for e, i in email_owner.items() if i}, {}), []
    )
    place_projects(
        records.projects, catalog, topics, organisations, workstreams, refs, wanted, problems, new_topics
    )
    place_resources(records.resources, catalog, topics, workstreams, refs, wanted, problems, new_topics)
    if problems:
        spill.close()
        raise ImportRejected(problems)
    spill.add("KNOWS", ({"source": a, "target": b} for a, b in sorted(pairs)))
    spill.close()
    contacts: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        contacts[a].append(b)
        contacts[b].append(a)
    del pairs
    wanted.nodes.update(Topic=topics.wanted, Organisation=organisations.wanted)
    plan = changes(catalog, wanted, tables)
    plan.new_topics = list(topics.created)
    return Checked(plan, spill, member_history, contacts, list(topics.created))


def _chunks(tables: list[Table]) -> Iterator[list[Any]]:
    for table in tables:
        for start in range(0, len(table.rows), CHECK_CHUNK):
            yield table.rows[start : start + CHECK_CHUNK]


def _with_contacts_only(source: Source, id: str, email: str | None, knows: list[str]) -> MemberRecord:
    """What checking a member's contacts needs of its record (the rest is dropped with its chunk)."""
    return MemberRecord(
        source,
        frozenset(),
        id,
        name="",
        email=email,
        title=None,
        country=None,
        region=None,
        subregion=None,
        organisation=None,
        organisation_kind=None,
        knows=knows,
    )


def _spill_members(placed: Wanted, spill: Spill, history_out: TextIO) -> None:
    """A chunk of members as the plan would create them (its rows and their relationships), and the
    history's entry of each, but for their contacts."""
    props = NODES["Member"].properties
    for member_id in sorted(placed.nodes["Member"]):
        node = {p: placed.nodes["Member"][member_id].get(p) for p in props}
        spill.add("Member", [node])
        after = {p: _field(node.get(p)) for p in props if p != "id"}
        for t, name in MEMBER_FIELDS.items():
            targets = placed.rels[t].get(member_id)
            if targets:
                spill.add(
                    t, ({"source": member_id, "target": other, **targets[other]} for other in sorted(targets))
                )
                after[name] = _rel_field(t, targets)
        history_out.write(json.dumps([member_id, _present(after)], separators=(",", ":")) + "\n")


# --- Writing, in parts ----------------------------------------------------------------------------------


def _held_network(tx: Tx) -> dict[str, int]:
    return {label: n for label in NETWORK_LABELS if (n := tx.run(COUNT_NODES[label])[0]["n"])}


def refuse_unless_empty(store: Store) -> None:
    """Raise NotEmpty unless the store holds no members, organisations, topics, workstreams, themes,
    projects or resources."""
    held = store.read(_held_network)
    if held:
        what = ", ".join(f"{n:,} {label}" for label, n in held.items())
        raise NotEmpty(
            f"an initial load is for an empty store, and {getattr(store, 'description', 'the store')} holds "
            f"{what}: nothing was written. Import into it without --initial (which adds to what it holds), "
            "or load into a new store. (A store an interrupted load left half-written: empty it first: "
            "LadybugDB, a new database file; Neo4j, delete the network's nodes.)"
        )


#: What the load wrote of a label, by id: removed again if a later part fails (by id, not every node of
#: the label: someone else's write meanwhile is theirs).
DELETE_SOME: dict[str, Cypher] = {
    label: Cypher(f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) DETACH DELETE n RETURN count(*) AS n")
    for label in NETWORK_LABELS
}
DELETE_CHANGES = Cypher(
    "MATCH (c:Change) WHERE c.batch = $batch WITH c LIMIT 20000 DELETE c RETURN count(*) AS n"
)


def initial_load(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    kind: str | None = None,
    new_topics: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    part_rows: int = PART_ROWS,
) -> InitialLoad:
    """Check ``paths`` as an import does and write them into the empty ``store``, in parts.

    Raises NotEmpty (nothing written) on a store that holds a network, ImportRejected (nothing written)
    with every problem of the files, and LoadFailed when a part failed (what was written removed again).
    """
    refuse_unless_empty(store)
    tables = read_tables(paths, kind)
    result = InitialLoad(
        files=sorted({t.file.split(" [")[0] for t in tables}), rows=sum(len(t.rows) for t in tables)
    )
    where = Path(tempfile.mkdtemp(prefix="graphapp-initial-"))
    try:
        checked = check_files(store, tables, where, new_topics, part_rows)
        del tables
        plan = checked.plan
        for label, rows in plan.create_nodes.items():
            result.created[label] += len(rows)
        for t, rows in plan.create_rels.items():
            result.created[t] += len(rows)
        for table in MEMBER_TABLES:
            result.created[table] += checked.spill.rows(table)
        result.new_topics = checked.topics_created
        if dry_run:
            return result
        _write(store, checked, result, progress)
        return result
    finally:
        shutil.rmtree(where, ignore_errors=True)


def _write(store: Store, checked: Checked, result: InitialLoad, progress: Progress | None) -> None:
    # What the checking keeps (the contacts, the ids: millions of objects at a million members) is set
    # aside from the garbage collector meanwhile, and what each part leaves is collected after it. The
    # Neo4j driver's transactions are reference cycles that hold their statements' parameters (a part's
    # rows); with millions of objects alive, Python collected them so rarely that they piled up over the
    # parts of a million members (measured: 6.3 GiB resident after the last part, 1.8 GiB once collected).
    gc.collect()
    gc.freeze()
    try:
        _write_parts(store, checked, result, progress)
    finally:
        gc.unfreeze()


def _write_parts(store: Store, checked: Checked, result: InitialLoad, progress: Progress | None) -> None:
    batch_ids: list[str] = []
    step = "creating the topics, organisations, workstreams, themes, projects and resources"
    try:
        store.write(_write_small, checked.plan, batch_ids)
    except NotEmpty:
        raise  # (someone else's network: not ours to remove)
    except Exception as e:
        raise LoadFailed(f"the initial load failed while {step} ({e}); nothing was written") from e
    try:
        for table in MEMBER_TABLES:
            parts = checked.spill.parts.get(table, [])
            total, done = sum(n for _, n in parts), 0
            step = f"creating {table}"
            for path, count in parts:
                store.write(_write_part, table, str(path))
                gc.collect()
                done += count
                if progress:
                    progress(step, done, total)
        step = "creating the relationships of the topics, workstreams, themes, projects and resources"
        store.write(_write_small_relationships, checked.plan)
        step = "recording the history"
        result.history = _write_history(store, checked, result, batch_ids[0], progress)
    except BaseException as e:  # (an interruption too: Ctrl-C, a stop)
        try:
            _remove(store, checked, batch_ids[0] if batch_ids else None)
        except Exception as again:
            raise LoadFailed(
                f"the initial load failed while {step} ({e}), and removing what it had written failed too "
                f"({again}): the store holds part of the network; empty it (LadybugDB: a new database file; Neo4j: "
                "delete the network's nodes) before loading again"
            ) from e
        if not isinstance(e, Exception):
            raise  # (interrupted: what it wrote is removed, and the interruption goes on)
        raise LoadFailed(
            f"the initial load failed while {step} ({e}); what it had written was removed again: the store "
            "is empty, as before"
        ) from e


def _write_small(tx: Tx, plan: Plan, batch_ids: list[str]) -> None:
    """The nodes and relationships of every table but the members': few, in one transaction, after
    checking again that nothing was written since the check."""
    held = _held_network(tx)
    if held:
        what = ", ".join(f"{n:,} {label}" for label, n in held.items())
        raise NotEmpty(f"the store was written to while the files were checked ({what}): nothing was written")
    tx.touched(None)
    for label in NODES:
        tx.bulk_create(label, plan.create_nodes.get(label, []))
    batch_ids.append(history.new_batch())


def _write_small_relationships(tx: Tx, plan: Plan) -> None:
    """The relationships of every table but the members' (some end at a member: after the members)."""
    tx.touched(None)
    for t in RELATIONSHIPS:
        tx.bulk_create(t, plan.create_rels.get(t, []))


def _write_part(tx: Tx, table: str, path: str) -> None:
    tx.touched(None)  # (a part names more members than the revision log keeps: everything changed)
    tx.bulk_create_csv(table, path)


def _write_history(
    store: Store, checked: Checked, result: InitialLoad, batch: str, progress: Progress | None
) -> int:
    """The history's entries, as :func:`graphapp.ingest.plan.plan_history` makes them for an import into
    an empty store: one per node created (members with their contacts), then the import's summary."""
    small = [
        {**row, "batch": batch}
        for row in store.read(plan_history, checked.plan)
        if row["subject"] != "import"
    ]
    members = checked.spill.rows("Member")
    total, done = len(small) + members + 1, 0
    part = min(checked.spill.part_rows, HISTORY_PART)

    def write(rows: list[Props]) -> None:
        nonlocal done
        store.write(_write_changes, rows)
        gc.collect()
        done += len(rows)
        if progress:
            progress("recording the history", done, total)

    for rows in batches(small, part):
        write(rows)
    with checked.member_history.open(encoding="utf-8") as f:
        rows = []
        for line in f:
            member, after = json.loads(line)
            contacts = sorted(checked.contacts.get(member, ()))
            if contacts:
                after["knows"] = contacts
            rows.append(
                history.change(
                    "import",
                    member=member,
                    subject=f"member:{member}",
                    before={},
                    after=after,
                    about=contacts,
                    batch=batch,
                )
            )
            if len(rows) == part:
                write(rows)
                rows = []
        if rows:
            write(rows)
    new = Counter({label: n for label, n in result.created.items() if label in NODES})
    summary = history.change(
        "import", subject="import", summary=import_summary(result.files, new, Counter()), batch=batch
    )
    write([summary])
    return done


def _write_changes(tx: Tx, rows: list[Props]) -> None:
    # (Not touched([]): the kept list of members added (graphapp.reports.members_added) is read from the
    # history, and brought up to date with the members a write declares; the parts that wrote the members
    # came before their entries, so these writes say "everything" and the list is read again.)
    tx.touched(None)
    history.record_many(tx, rows)


def _remove(store: Store, checked: Checked, batch: str | None) -> None:
    """Remove what the load wrote, by id: the members of its spilled parts and the plan's other nodes,
    with their relationships, and the history's entries of its batch, a part at a time. A node someone else
    wrote meanwhile stays (unless it has an id the load wrote too: then the load's part failed on it)."""

    def some(tx: Tx, /, statement: Cypher, **params: Any) -> int:
        tx.touched(None)
        return int(tx.run(statement, **params)[0]["n"])

    def ids_of(label: str) -> Iterator[list[str]]:
        if label == "Member":
            for path, _ in checked.spill.parts.get("Member", []):
                with path.open(newline="", encoding="utf-8") as f:
                    ids = [row["id"] for row in csv.DictReader(f)]
                yield from batches(ids, 20_000)
        else:
            yield from batches([str(row["id"]) for row in checked.plan.create_nodes.get(label, [])], 20_000)

    for label in NETWORK_LABELS:
        for ids in ids_of(label):
            store.write(some, DELETE_SOME[label], ids=ids)
    if batch is not None:
        while store.write(some, DELETE_CHANGES, batch=batch):
            pass

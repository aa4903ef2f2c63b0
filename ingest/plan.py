"""Work out what an import changes, then write exactly that, in one transaction.

The plan is computed inside the same transaction that applies it, from what the graph holds at that
moment, so a dry run and a real run agree, a re-import of the same file plans nothing, and a retried
Neo4j transaction recomputes rather than repeats.

What a row owns: a member row is the truth about that member's properties, organisation, interests
and workstreams, for each of those columns the file has (a column the file lacks is left alone; an
empty cell clears). Contacts (``knows``) only ever add: a contact missing from one person's row may
still be listed by the other person. A workstream row owns the topics it covers, when the file has a
``covers`` column, and the themes it serves, when it has ``serves``. A topic or organisation row owns its
name and aliases, and its French and Russian names when the file has ``name_fr`` or ``name_ru`` (and a
topic row its themes, when the file has ``themes``). A project row owns its
properties, organisation, members (with their roles), topics and workstream; a resource row its
properties, topics, workstream and who shared it: each for the columns the file has.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from graphapp.ingest.normalise import closest, link_key, resource_id, slugify, topic_key
from graphapp.ingest.problems import Either, ImportRejected, Problem, Reason, reason
from graphapp.ingest.readers import Table, read_tables
from graphapp.ingest.records import (
    MemberRecord,
    OrganisationRecord,
    ProjectRecord,
    ResourceRecord,
    Source,
    ThemeRecord,
    TopicRecord,
    WorkstreamRecord,
    check_stages,
    parse_member,
    parse_organisation,
    parse_project,
    parse_resource,
    parse_theme,
    parse_topic,
    parse_workstream,
    workstream_key,
)
from graphapp.queries import history
from graphapp.queries.cypher import Cypher, Rows, Store, Tx
from graphapp.queries.library import resource_links
from graphapp.queries.schema import (
    ALL_NODES,
    ALL_RELS,
    DELETE_RELS,
    NODES,
    NODES_BY_ID,
    RELATIONSHIPS,
    RELS_FROM,
    RELS_TO,
    RELS_TOUCHING,
    STAGES,
    UPDATE_NODES,
    UPDATE_RELS,
    batches,
    changed_members,
)

__all__ = ["Plan", "apply_plan", "import_files", "plan_import"]

Progress = Callable[[str, int, int], None]
Props = dict[str, Any]
Pair = tuple[str, str]

MEMBERS_BY_EMAIL = Rows("MATCH (n:Member) WHERE n.email IN $emails", id="n.id", email="n.email")


@dataclass
class Plan:
    """What an import creates, changes and removes. Empty when the graph already says it all."""

    create_nodes: dict[str, list[Props]] = field(default_factory=lambda: defaultdict(list))
    update_nodes: dict[str, list[Props]] = field(default_factory=lambda: defaultdict(list))
    unchanged_nodes: Counter[str] = field(default_factory=Counter)
    create_rels: dict[str, list[Props]] = field(default_factory=lambda: defaultdict(list))
    update_rels: dict[str, list[Props]] = field(default_factory=lambda: defaultdict(list))
    delete_rels: dict[str, list[Props]] = field(default_factory=lambda: defaultdict(list))
    #: For each updated node, which properties or relationships change: {label: {id: [what, ...]}}.
    changed: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))
    files: list[str] = field(default_factory=list)
    rows: int = 0
    #: What the graph held when the plan was made (the history's "before"); None for a hand-made plan.
    catalog: Catalog | None = None
    #: The topics made because a member's or workstream's cell named them (only with ``new_topics``).
    new_topics: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(
            any(v for v in d.values())
            for d in (
                self.create_nodes,
                self.update_nodes,
                self.create_rels,
                self.update_rels,
                self.delete_rels,
            )
        )

    def counts(self) -> dict[str, dict[str, int]]:
        """{"Member": {"created": 3, "updated": 1, "unchanged": 146}, "INTERESTED_IN": {...}, ...}"""
        result: dict[str, dict[str, int]] = {}
        for label in NODES:
            result[label] = {
                "created": len(self.create_nodes.get(label, [])),
                "updated": len(self.update_nodes.get(label, [])),
                "unchanged": self.unchanged_nodes.get(label, 0),
            }
        for t in RELATIONSHIPS:
            result[t] = {
                "created": len(self.create_rels.get(t, [])),
                "updated": len(self.update_rels.get(t, [])),
                "removed": len(self.delete_rels.get(t, [])),
            }
        return result

    def summary(self, dry_run: bool = False, details: int = 10) -> str:
        """A report for people: what was (or would be) done, with a few names of what changes."""
        verb = {
            "created": "would create" if dry_run else "created",
            "updated": "would update" if dry_run else "updated",
            "removed": "would remove" if dry_run else "removed",
        }
        lines = [
            f"{self.rows} row{'s' if self.rows != 1 else ''} read from {len(self.files)} "
            f"file{'s' if len(self.files) != 1 else ''}"
        ]
        if self.is_empty():
            lines.append("nothing to change: the graph already holds all of it")
        for name, c in self.counts().items():
            parts = [f"{verb[k]} {n}" for k, n in c.items() if k in verb and n]
            if c.get("unchanged"):
                parts.append(f"{c['unchanged']} unchanged")
            if parts:
                lines.append(f"  {name}: " + ", ".join(parts))
        for label, rows in self.create_nodes.items():
            names = [str(r.get("name") or r.get("title") or r["id"]) for r in rows[:details]]
            if names:
                more = f" and {len(rows) - details} more" if len(rows) > details else ""
                lines.append(f"  new {label}: " + "; ".join(names) + more)
        if self.new_topics:
            lines.append(
                f"  {'would create' if dry_run else 'created'} {len(self.new_topics)} new "
                f"topic{'s' if len(self.new_topics) != 1 else ''} named in cells (new topics allowed): "
                + "; ".join(self.new_topics)
            )
        for label, changes in self.changed.items():
            shown = list(changes.items())[:details]
            for node_id, what in shown:
                lines.append(f"  changed {label} {node_id}: {', '.join(what)}")
            if len(changes) > details:
                lines.append(f"  ... and {len(changes) - details} more changed {label}")
        return "\n".join(lines)


# --- Reading what the graph holds --------------------------------------------------------------------


@dataclass
class Catalog:
    """What the graph holds that an import may name or change, read once at the start of the plan."""

    topics: dict[str, Props]
    organisations: dict[str, Props]
    workstreams: dict[str, Props]
    members: dict[str, Props]
    member_by_email: dict[str, str]
    rels: dict[str, dict[Pair, Props]]  # only those from (or touching, for KNOWS) the nodes imported
    themes: dict[str, Props] = field(default_factory=dict)
    projects: dict[str, Props] = field(default_factory=dict)  # those the records name
    resources: dict[str, Props] = field(default_factory=dict)  # those the records name
    #: The members that projects' and resources' cells name by id (not rows of their own).
    named_members: dict[str, Props] = field(default_factory=dict)


def load_catalog(tx: Tx, records: Records) -> Catalog:
    """What the graph holds that the records may name: all topics, organisations, workstreams and themes,
    the members, projects and resources the records name (by id, or by email for contacts), and the
    relationships they own."""
    member_ids = sorted({m.id for m in records.members if m.id})
    emails = [e for m in records.members for e in m.knows] + [m.email for m in records.members if m.email]
    named = [ref for p in records.projects for ref, _ in p.members]
    named += [r.shared_by for r in records.resources if r.shared_by]
    emails += [ref for ref in named if "@" in ref]
    named_ids = sorted({ref for ref in named if "@" not in ref})
    workstream_ids = sorted({w.id for w in records.workstreams if w.id})
    project_ids = sorted({p.id for p in records.projects if p.id})
    resource_ids = sorted({r.id for r in records.resources if r.id})
    topics = {r["id"]: _listify(r, NODES["Topic"].list_properties) for r in _all_nodes(tx, "Topic")}
    organisations = {
        r["id"]: _listify(r, NODES["Organisation"].list_properties) for r in _all_nodes(tx, "Organisation")
    }
    workstreams = {r["id"]: r for r in _all_nodes(tx, "Workstream")}
    themes = {r["id"]: r for r in _all_nodes(tx, "Theme")} if _names_themes(records) else {}
    members = _by_id(tx, "Member", member_ids)
    member_by_email: dict[str, str] = {}
    for batch in batches(sorted(set(emails))):
        member_by_email.update({r["email"]: r["id"] for r in MEMBERS_BY_EMAIL.run(tx, emails=batch)})
    rels: dict[str, dict[Pair, Props]] = {t: {} for t in RELATIONSHIPS}
    owned = {
        "WORKS_AT": member_ids,
        "INTERESTED_IN": member_ids,
        "MEMBER_OF": member_ids,
        "COVERS": workstream_ids,
        "SERVES": workstream_ids,
        "RUN_BY": project_ids,
        "ON_TOPIC": project_ids,
        "IN_WORKSTREAM": project_ids,
        "ABOUT": resource_ids,
        "FOR_WORKSTREAM": resource_ids,
    }
    for t, ids in owned.items():
        for batch in batches(ids):
            for r in RELS_FROM[t].run(tx, ids=batch):
                rels[t][(r.pop("source"), r.pop("target"))] = r
    for t, ids in {"WORKS_ON": project_ids, "SHARED": resource_ids}.items():
        for batch in batches(ids):
            for r in RELS_TO[t].run(tx, ids=batch):
                rels[t][(r.pop("source"), r.pop("target"))] = r
    if any("themes" in t.present for t in records.topics):
        rels["OF_THEME"] = {(r.pop("source"), r.pop("target")): r for r in ALL_RELS["OF_THEME"].run(tx)}
    for batch in batches(member_ids):
        for r in RELS_TOUCHING["KNOWS"].run(tx, ids=batch):
            rels["KNOWS"][(r["source"], r["target"])] = {}
    return Catalog(
        topics,
        organisations,
        workstreams,
        members,
        member_by_email,
        rels,
        themes=themes,
        projects=_by_id(tx, "Project", project_ids),
        resources=_by_id(tx, "Resource", resource_ids),
        named_members=_by_id(tx, "Member", named_ids),
    )


def _names_themes(records: Records) -> bool:
    """Whether the records define or name any theme (else the themes need not be read)."""
    return (
        bool(records.themes)
        or any("themes" in t.present for t in records.topics)
        or any("serves" in w.present for w in records.workstreams)
    )


def _by_id(tx: Tx, label: str, ids: list[str]) -> dict[str, Props]:
    found: dict[str, Props] = {}
    for batch in batches(ids):
        found.update({r["id"]: r for r in NODES_BY_ID[label].run(tx, ids=batch)})
    return found


def _all_nodes(tx: Tx, label: str) -> list[Props]:
    return ALL_NODES[label].run(tx)


def _listify(row: Props, list_props: tuple[str, ...]) -> Props:
    for p in list_props:
        if row.get(p) is None:
            row[p] = []
    return row


def held_nodes(tx: Tx, label: str) -> dict[str, Props]:
    """Every node of a kind the graph holds, by id, its list properties as lists (a survey's mapping
    reads the vocabulary and the organisations so)."""
    return {r["id"]: _listify(r, NODES[label].list_properties) for r in _all_nodes(tx, label)}


# --- Name indexes: the same topic or organisation, however it is spelt ---------------------------------


def name_key(text: str) -> str:
    """The key under which spellings of one topic or organisation meet (see :func:`topic_key`).

    A name with no letters or digits at all ("—") has no topic key; it is matched as written, so that
    importing it again finds it rather than creating it again.

    >>> name_key("Record-Linkage!"), name_key("  —  ")
    ('record linkage', '—')
    """
    return topic_key(text) or " ".join(text.split()).casefold()


class NameIndex:
    """The topics or organisations of one import: the graph's, then the files', under every spelling.

    Maps every spelling (name, id, aliases) to one id; ``wanted`` holds the nodes the import writes.
    """

    def __init__(self, what: str, held: dict[str, Props]) -> None:
        self.what = what
        self.ids: dict[str, str] = {}
        self.nodes: dict[str, Props] = {}
        self.wanted: dict[str, Props] = {}
        #: The names of nodes made by find_or_create (not by a row of their own table), in order.
        self.created: list[str] = []
        for node in held.values():
            self.add(node)

    def keys_of(self, node: Props) -> list[str]:
        """Every spelling of ``node``, as keys: its id, its name and its aliases."""
        keys = [name_key(node["id"].replace("-", " ")), name_key(node.get("name") or "")]
        keys += [name_key(a) for a in node.get("aliases") or []]
        return [k for k in dict.fromkeys(keys) if k]

    def add(self, node: Props, src: Source | None = None, problems: list[Problem] | None = None) -> None:
        """Index ``node``; a spelling that already names another node is reported against ``src``."""
        for key in self.keys_of(node):
            other = self.ids.get(key)
            if other is not None and other != node["id"]:
                if src is not None and problems is not None:
                    named = self.nodes[other]["name"]
                    problems.append(src.problem("aliases", key, ALREADY_NAMES[self.what].given(name=named)))
                continue
            self.ids[key] = node["id"]
        self.nodes[node["id"]] = node

    def want(self, node: Props, src: Source | None = None, problems: list[Problem] | None = None) -> None:
        """The import writes ``node`` (new or changed)."""
        self.wanted[node["id"]] = node
        self.add(node, src, problems)

    def find(self, text: str) -> str | None:
        """The id that ``text`` names, if any."""
        return self.ids.get(name_key(text))

    def is_retired(self, node_id: str) -> bool:
        """Whether a coordinator retired this node (a topic): kept where held, offered for nothing new."""
        return (self.nodes.get(node_id) or {}).get("status") == "retired"

    def closest(self, text: str, limit: int = 3) -> list[str]:
        """The names of the nodes in use whose name or an alias is closest to ``text`` ("did you mean")."""
        spellings: dict[str, str] = {}
        for node in self.nodes.values():
            if node.get("status") == "retired":
                continue
            name = str(node.get("name") or node["id"])
            for spelling in (name, *(node.get("aliases") or [])):
                spellings.setdefault(spelling, name)
        return closest(text, spellings, limit=limit)

    def find_or_create(self, name: str, **props: Any) -> str:
        """The id that ``name`` names; a new node (with ``props``) when nothing does yet."""
        found = self.find(name)
        if found is None:
            found = _unique_slug(name, self.nodes)
            self.want({"id": found, "name": name, **props, "aliases": []})
            self.created.append(name)
        return found


# --- Planning -------------------------------------------------------------------------------------------


@dataclass
class Records:
    """The rows of every table as typed records, and the problems found in single rows."""

    organisations: list[OrganisationRecord] = field(default_factory=list)
    topics: list[TopicRecord] = field(default_factory=list)
    workstreams: list[WorkstreamRecord] = field(default_factory=list)
    members: list[MemberRecord] = field(default_factory=list)
    themes: list[ThemeRecord] = field(default_factory=list)
    projects: list[ProjectRecord] = field(default_factory=list)
    resources: list[ResourceRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


#: Relationships owned by their target (a project owns who works on it; a resource who shared it): the
#: plan groups them by target, and a row replaces them from the target's side.
OWNED_BY_TARGET = frozenset({"WORKS_ON", "SHARED"})


@dataclass
class Wanted:
    """The graph as the files describe it: nodes by label, relationships each owner owns (by source, or
    by target for :data:`OWNED_BY_TARGET`), contacts."""

    nodes: dict[str, dict[str, Props]] = field(default_factory=lambda: {label: {} for label in NODES})
    rels: dict[str, dict[str, dict[str, Props]]] = field(
        default_factory=lambda: {t: {} for t in RELATIONSHIPS}
    )
    knows: set[Pair] = field(default_factory=set)


NamedRecord = TypeVar("NamedRecord", bound=TopicRecord | OrganisationRecord)


def plan_import(tx: Tx, tables: list[Table], new_topics: bool = False) -> Plan:
    """Validate the tables against each other and the graph; return the plan or raise ImportRejected.

    A topic named in a member's ``topics`` or a workstream's ``covers`` that is not in the vocabulary (nor
    in a topics table of these files) is a problem, unless ``new_topics``: then it is created."""
    records = read_records(tables)
    problems = records.problems
    check_duplicate_members(records.members, problems)
    name_resources(tx, records.resources, problems)
    catalog = load_catalog(tx, records)
    topics, organisations, wanted, workstreams = place_vocabulary(records, catalog, problems, new_topics)
    place_members(records.members, catalog, topics, organisations, workstreams, wanted, problems, new_topics)
    refs = MemberRefs(catalog, records.members)
    place_projects(
        records.projects, catalog, topics, organisations, workstreams, refs, wanted, problems, new_topics
    )
    place_resources(records.resources, catalog, topics, workstreams, refs, wanted, problems, new_topics)
    if problems:
        raise ImportRejected(problems)
    wanted.nodes.update(Topic=topics.wanted, Organisation=organisations.wanted)
    plan = changes(catalog, wanted, tables)
    plan.new_topics = list(topics.created)
    return plan


def place_vocabulary(
    records: Records, catalog: Catalog, problems: list[Problem], new_topics: bool = False
) -> tuple[NameIndex, NameIndex, Wanted, dict[str, str]]:
    """The themes, topics, organisations and workstreams the files name, placed against ``catalog`` (what
    the graph holds) in the order their references need: the topics' and organisations' name indexes, what
    is wanted of them so far, and the workstreams by name. The import and the initial load both start so."""
    topics = NameIndex("topic", catalog.topics)
    organisations = NameIndex("organisation", catalog.organisations)
    wanted = Wanted()
    themes = place_themes(records.themes, catalog, wanted, problems)
    place_named_rows(records.topics, topics, _topic_node, problems)
    place_topic_themes(records.topics, topics, themes, wanted, problems)
    place_named_rows(records.organisations, organisations, _organisation_node, problems)
    workstreams = place_workstreams(
        records.workstreams, catalog, topics, wanted, problems, new_topics, themes
    )
    return topics, organisations, wanted, workstreams


def read_records(tables: list[Table]) -> Records:
    """Every row of every table as a record of its kind; problems of single rows are collected."""
    records = Records()
    for table in tables:  # (an unknown column, a row with too many cells: with the rest, in one round)
        records.problems.extend(table.problems)
    parsers: dict[str, tuple[Callable[..., Any], list[Any]]] = {
        "organisations": (parse_organisation, records.organisations),
        "topics": (parse_topic, records.topics),
        "workstreams": (parse_workstream, records.workstreams),
        "members": (parse_member, records.members),
        "themes": (parse_theme, records.themes),
        "projects": (parse_project, records.projects),
        "resources": (parse_resource, records.resources),
    }
    for table in tables:
        parse, bucket = parsers[table.kind]
        bucket.extend(parse(row, records.problems) for row in table.rows)
    return records


def place_named_rows(
    rows: list[NamedRecord],
    index: NameIndex,
    node_for: Callable[[NamedRecord, Props | None, str], Props],
    problems: list[Problem],
) -> None:
    """Match each topic or organisation row to the node its id, name or aliases name (or a new one).

    A row whose name and aliases name two different nodes, or that names a node an earlier row named,
    is a problem; ``node_for(row, held, id)`` makes the node the row describes.
    """
    first_row: dict[str, Source] = {}
    for rec in rows:
        matches = sorted({i for i in (index.find(t) for t in (rec.name, *rec.aliases)) if i})
        if not rec.id and len(matches) > 1:
            problems.append(
                rec.source.problem(
                    "aliases",
                    rec.aliases,
                    DIFFERENT[index.what].given(ids=", ".join(matches)),
                )
            )
            continue
        target = rec.id or (matches[0] if matches else slugify(rec.name))
        if target in first_row:
            first = first_row[target]
            problems.append(rec.source.problem("name", rec.name, same_as(index.what, first)))
            continue
        first_row[target] = rec.source
        index.want(node_for(rec, index.nodes.get(target), target), rec.source, problems)


def _topic_node(rec: TopicRecord, held: Props | None, target: str) -> Props:
    """A topic row owns its name, and its aliases and translated names when the file has those columns."""
    node = dict(held or {"id": target, "name": rec.name, "aliases": []})
    node["name"] = rec.name
    if "aliases" in rec.present:
        node["aliases"] = [a for a in rec.aliases if topic_key(a) != topic_key(rec.name)]
    _translated_names(rec, node)
    return node


def _translated_names(rec: TopicRecord | OrganisationRecord, node: Props) -> None:
    """A row owns the French and Russian names of its node when the file has those columns (an empty
    cell clears one)."""
    for column in ("name_fr", "name_ru"):
        if column in rec.present:
            node[column] = getattr(rec, column)


def _organisation_node(rec: OrganisationRecord, held: Props | None, target: str) -> Props:
    """An organisation row owns its name, and its kind, country, aliases and translated names when the
    file has them."""
    node = dict(
        held
        or {"id": target, "kind": "other", "country": None, "region": None, "subregion": None, "aliases": []}
    )
    node["name"] = rec.name
    if "kind" in rec.present:
        node["kind"] = rec.kind or "other"
    if "country" in rec.present:
        node.update(country=rec.country, region=rec.region, subregion=rec.subregion)
    if "aliases" in rec.present:
        node["aliases"] = rec.aliases
    _translated_names(rec, node)
    return node


def place_workstreams(
    rows: list[WorkstreamRecord],
    catalog: Catalog,
    topics: NameIndex,
    wanted: Wanted,
    problems: list[Problem],
    new_topics: bool = False,
    themes: NameIndex | None = None,
) -> dict[str, str]:
    """Each workstream row, the topics it covers (a topic named that is not in the vocabulary is a
    problem unless ``new_topics``) and the themes it serves; returns the known workstreams by key."""
    known = {workstream_key(i): i for i in catalog.workstreams}
    for ws in rows:
        if not ws.id or ws.id in wanted.nodes["Workstream"]:
            if ws.id:
                problems.append(ws.source.problem("id", ws.id, reason("appears twice")))
            # (the row is refused, but what it names is checked too: every problem in one round)
            for t in ws.covers:
                topic_for(t, ws.source, "covers", topics, set(), new_topics, problems)
            for text, _stages in ws.serves:
                if themes is not None:
                    theme_for(text, ws.source, "serves", themes, problems)
            continue
        node = dict(catalog.workstreams.get(ws.id) or {"id": ws.id, "description": None})
        node["name"] = ws.name
        if "description" in ws.present:
            node["description"] = ws.description
        wanted.nodes["Workstream"][ws.id] = node
        known[ws.id] = ws.id
        if "covers" in ws.present:
            held = {target for (source, target) in catalog.rels["COVERS"] if source == ws.id}
            found = (topic_for(t, ws.source, "covers", topics, held, new_topics, problems) for t in ws.covers)
            wanted.rels["COVERS"][ws.id] = {tid: {} for tid in found if tid}
        if "serves" in ws.present and themes is not None:
            served: dict[str, Props] = {}
            for text, stages in ws.serves:
                theme = theme_for(text, ws.source, "serves", themes, problems)
                if theme is not None:
                    served[theme] = {"stages": ",".join(stages)}
            wanted.rels["SERVES"][ws.id] = served
    return known


def place_themes(
    rows: list[ThemeRecord], catalog: Catalog, wanted: Wanted, problems: list[Problem]
) -> NameIndex:
    """Each theme row (matched by id, else by name); returns the themes, held and wanted, by every spelling.

    A new theme without a ``position`` goes after the last one, so that the map lists themes as they came.
    """
    themes = NameIndex("theme", catalog.themes)
    first_row: dict[str, Source] = {}
    last = max((int(t.get("position") or 0) for t in catalog.themes.values()), default=0)
    for rec in rows:
        if not rec.name:
            continue
        target = rec.id or themes.find(rec.name) or slugify(rec.name)
        if target in first_row:
            first = first_row[target]
            problems.append(rec.source.problem("name", rec.name, same_as("theme", first)))
            continue
        first_row[target] = rec.source
        node = dict(
            catalog.themes.get(target)
            or {"id": target, "description": None, "kind": "theme", "position": None}
        )
        node["name"] = rec.name
        if "description" in rec.present:
            node["description"] = rec.description
        if "kind" in rec.present:
            node["kind"] = rec.kind or "theme"
        if "position" in rec.present and rec.position:
            node["position"] = rec.position
        if not node.get("position"):
            node["position"] = str(last + 1).zfill(3)
        last = max(last, int(node["position"]))
        themes.want(node, rec.source, problems)
        wanted.nodes["Theme"][target] = node
    return themes


def theme_for(text: str, src: Source, column: str, themes: NameIndex, problems: list[Problem]) -> str | None:
    """The theme a cell names, by id or name (case and punctuation aside); a problem offering the closest."""
    found = themes.find(text)
    if found is not None:
        return found
    near = themes.closest(text)
    known = ", ".join(sorted(str(t.get("name")) for t in themes.nodes.values()))
    if near:
        why = reason(
            "is not a theme: did you mean %(names)s? (themes: %(known)s); import a themes file first",
            names=Either(repr(n) for n in near),
            known=known,
        )
    elif known:
        why = reason("is not a theme: (themes: %(known)s); import a themes file first", known=known)
    else:
        why = reason("is not a theme: (themes: none yet); import a themes file first")
    problems.append(src.problem(column, text, why).with_suggestions(near))
    return None


def place_topic_themes(
    rows: list[TopicRecord], topics: NameIndex, themes: NameIndex, wanted: Wanted, problems: list[Problem]
) -> None:
    """The themes each topic row names, when its file has a ``themes`` column (they replace the topic's)."""
    for rec in rows:
        if "themes" not in rec.present:
            continue
        topic = rec.id or topics.find(rec.name)
        if not topic:
            continue
        found = (theme_for(t, rec.source, "themes", themes, problems) for t in rec.themes)
        wanted.rels["OF_THEME"][topic] = {t: {} for t in found if t}


class MemberRefs:
    """The members an import may name in a project's or resource's cells: those in the graph (by id or
    email) and those in the import's own member rows."""

    def __init__(self, catalog: Catalog, rows: list[MemberRecord]) -> None:
        self.by_email = dict(catalog.member_by_email)
        self.ids = set(catalog.named_members) | set(catalog.members)
        for m in rows:
            if m.id:
                self.ids.add(m.id)
                if m.email:
                    self.by_email.setdefault(m.email, m.id)

    def find(self, ref: str) -> str | None:
        """The id of the member ``ref`` names (an email or an id), if there is one."""
        if "@" in ref:
            return self.by_email.get(ref)
        return ref if ref in self.ids else None


NOT_A_MEMBER = reason("is not a member in the graph or in these files (give a member's email or id)")


def unknown_workstream(workstreams: dict[str, str]) -> Reason:
    """What an import says of a workstream that is neither in the graph nor in its files."""
    known = ", ".join(sorted(workstreams))
    if not known:
        return reason("is not a known workstream (known: none yet); import a workstreams file first")
    return reason(
        "is not a known workstream (known: %(known)s); import a workstreams file first", known=known
    )


#: What an import says of a spelling that already names another topic, organisation or theme.
ALREADY_NAMES = {
    "topic": reason("already names the topic '%(name)s'"),
    "organisation": reason("already names the organisation '%(name)s'"),
    "theme": reason("already names the theme '%(name)s'"),
}
#: ... of a row whose name and aliases name different topics or organisations.
DIFFERENT = {
    "topic": reason("name and aliases point at different topics: %(ids)s"),
    "organisation": reason("name and aliases point at different organisations: %(ids)s"),
}
#: ... of a row that names what an earlier row named, by kind.
SAME_AS = {
    "topic": reason("is the same topic as %(file)s %(row)s"),
    "organisation": reason("is the same organisation as %(file)s %(row)s"),
    "theme": reason("is the same theme as %(file)s %(row)s"),
    "project": reason("is the same project as %(file)s %(row)s"),
    "resource": reason("is the same resource as %(file)s %(row)s"),
    "member": reason("is the same member as %(file)s %(row)s"),
    "link": reason("is the same link as %(file)s %(row)s"),
    "email": reason("is already used by %(file)s %(row)s"),
}


def same_as(what: str, first: Source) -> Reason:
    """What an import says of a row that names the same ``what`` as the row ``first``."""
    return SAME_AS[what].given(file=first.file, row=first.where)


def _workstream_for(
    text: str | None, src: Source, workstreams: dict[str, str], problems: list[Problem]
) -> dict[str, Props]:
    if not text:
        return {}
    ws = workstreams.get(text)
    if ws is None:
        problems.append(src.problem("workstream", text, unknown_workstream(workstreams)))
        return {}
    return {ws: {}}


def _topics_for(
    texts: list[str],
    src: Source,
    topics: NameIndex,
    held: set[str],
    new_topics: bool,
    problems: list[Problem],
) -> dict[str, Props]:
    found = (topic_for(t, src, "topics", topics, held, new_topics, problems) for t in texts)
    return {tid: {} for tid in found if tid}


def _held_targets(catalog: Catalog, t: str, owner: str) -> set[str]:
    return {target for (source, target) in catalog.rels[t] if source == owner}


def place_projects(
    rows: list[ProjectRecord],
    catalog: Catalog,
    topics: NameIndex,
    organisations: NameIndex,
    workstreams: dict[str, str],
    refs: MemberRefs,
    wanted: Wanted,
    problems: list[Problem],
    new_topics: bool = False,
) -> None:
    """Each project row: its properties (its stage, when not given, from the furthest day it reached),
    organisation, members and roles, topics and workstream, for the columns its file has."""
    first_row: dict[str, Source] = {}
    for p in rows:
        if not p.id or p.id in first_row:
            if p.id:
                first = first_row[p.id]
                column, value = ("id", p.id) if "id" in p.present else ("title", p.title)
                problems.append(p.source.problem(column, value, same_as("project", first)))
            _check_project_references(p, topics, workstreams, refs, problems, new_topics)
            continue
        first_row[p.id] = p.source
        held_by = next(iter(_held_targets(catalog, "RUN_BY", p.id)), None)
        if not p.id_given and held_by and p.organisation and organisations.find(p.organisation) != held_by:
            # (the title's id is another organisation's project: changing it would replace its members)
            other = organisations.nodes.get(held_by, {}).get("name") or held_by
            problems.append(
                p.source.problem(
                    "title",
                    p.title,
                    reason(
                        "a project of %(organisation)s has this title: give an id to tell them apart",
                        organisation=other,
                    ),
                )
            )
            _check_project_references(p, topics, workstreams, refs, problems, new_topics)
            continue
        node = dict(catalog.projects.get(p.id) or {prop: None for prop in NODES["Project"].properties})
        node["id"], node["title"] = p.id, p.title
        for prop in ("description", "domain", "report", "code"):
            if prop in p.present:
                node[prop] = getattr(p, prop)
        node.update(p.dates)
        reached = [s for s in STAGES if node.get(s)]
        if p.stage:
            node["stage"] = p.stage
        elif reached:
            node["stage"] = reached[-1]
        if not node.get("stage") and not p.stage_written:  # (a stage refused is one problem already)
            problems.append(
                p.source.problem(
                    "stage",
                    None,
                    reason(
                        "is empty: give the project's stage (%(allowed)s) or the day it reached one",
                        allowed=", ".join(STAGES),
                    ),
                )
            )
        check_stages(p.source, node.get("stage"), {s: node.get(s) for s in STAGES}, problems)
        if "organisation" in p.present:
            wanted.rels["RUN_BY"][p.id] = (
                {organisations.find_or_create(p.organisation, kind="other"): {}} if p.organisation else {}
            )
        if "members" in p.present:
            people: dict[str, Props] = {}
            for ref, role in p.members:
                member = refs.find(ref)
                if member is None:
                    problems.append(p.source.problem("members", ref, NOT_A_MEMBER))
                else:
                    people[member] = {"role": role}
            wanted.rels["WORKS_ON"][p.id] = people
        if "topics" in p.present:
            held = _held_targets(catalog, "ON_TOPIC", p.id)
            wanted.rels["ON_TOPIC"][p.id] = _topics_for(
                p.topics, p.source, topics, held, new_topics, problems
            )
        if "workstream" in p.present:
            wanted.rels["IN_WORKSTREAM"][p.id] = _workstream_for(
                p.workstream, p.source, workstreams, problems
            )
        wanted.nodes["Project"][p.id] = node


def _check_project_references(
    p: ProjectRecord,
    topics: NameIndex,
    workstreams: dict[str, str],
    refs: MemberRefs,
    problems: list[Problem],
    new_topics: bool,
) -> None:
    """The members, topics and workstream a refused project row names, checked all the same, so that
    fixing the row does not bring new problems to light."""
    for ref, _role in p.members:
        if refs.find(ref) is None:
            problems.append(p.source.problem("members", ref, NOT_A_MEMBER))
    _topics_for(p.topics, p.source, topics, set(), new_topics, problems)
    _workstream_for(p.workstream, p.source, workstreams, problems)


def name_resources(tx: Tx, rows: list[ResourceRecord], problems: list[Problem]) -> None:
    """Give each resource row without an id the resource that holds its link (compared by
    :func:`~graphapp.ingest.normalise.link_key`), or else the id sharing it on the web would give
    (:func:`~graphapp.ingest.normalise.resource_id`); a link held by another resource than the row's id
    names, or given by two rows, is a problem: one link, one resource, as on the web."""
    if not rows:
        return
    given = {r.id for r in rows if r.id}
    held_ids: set[str] = set()
    holders: dict[str, Props] = {}
    for held in resource_links(tx):
        held_ids.add(held["id"])
        if held["id"] not in given:  # (a row with its id sets its link: what it held is not kept)
            holders.setdefault(link_key(held["url"] or ""), held)
    taken = held_ids | given
    first_row: dict[str, Source] = {}
    for r in rows:
        if r.url is None:  # (a problem already)
            continue
        key = link_key(r.url)
        if key in first_row:
            first = first_row[key]
            problems.append(r.source.problem("url", r.url, same_as("link", first)))
            r.id = r.id or ""
            continue
        first_row[key] = r.source
        holder = holders.get(key)
        if r.id is None:
            if holder is not None:
                r.id = str(holder["id"])
            else:
                r.id = resource_id(r.url)
                if r.id in taken:  # (its id held by a resource whose link was edited since)
                    r.id = f"r-{uuid.uuid4().hex[:12]}"
                taken.add(r.id)
        elif holder is not None and holder["id"] != r.id:
            problems.append(
                r.source.problem(
                    "url",
                    r.url,
                    reason(
                        "is shared already, as '%(title)s' (%(id)s): one link is one resource; leave the id "
                        "empty to change that one",
                        title=holder["title"] or "",
                        id=holder["id"],
                    ),
                )
            )


def place_resources(
    rows: list[ResourceRecord],
    catalog: Catalog,
    topics: NameIndex,
    workstreams: dict[str, str],
    refs: MemberRefs,
    wanted: Wanted,
    problems: list[Problem],
    new_topics: bool = False,
) -> None:
    """Each resource row: its properties (added today when new and undated), topics, workstream and the
    member who shared it, for the columns its file has."""
    first_row: dict[str, Source] = {}
    today = datetime.now(UTC).date().isoformat()
    for r in rows:
        if not r.id or r.id in first_row:
            if r.id:
                first = first_row[r.id]
                column, value = ("id", r.id) if "id" in r.present else ("url", r.url)
                problems.append(r.source.problem(column, value, same_as("resource", first)))
            # (the row is refused, but what it names is checked too: every problem in one round)
            _topics_for(r.topics, r.source, topics, set(), new_topics, problems)
            _workstream_for(r.workstream, r.source, workstreams, problems)
            if r.shared_by and refs.find(r.shared_by) is None:
                problems.append(r.source.problem("shared_by", r.shared_by, NOT_A_MEMBER))
            continue
        first_row[r.id] = r.source
        held = catalog.resources.get(r.id)
        node = dict(held or {prop: None for prop in NODES["Resource"].properties})
        node.update(id=r.id, title=r.title, url=r.url)
        for prop in ("language", "description"):
            if prop in r.present:
                node[prop] = getattr(r, prop)
        # (a language and a topic, as on the web; a column present and empty is a problem already)
        if "language" not in r.present and not node.get("language"):
            problems.append(
                r.source.problem(
                    "language", None, reason("is empty: every resource needs its language (en, fr, ru, ...)")
                )
            )
        if "topics" not in r.present and not _held_targets(catalog, "ABOUT", r.id):
            problems.append(
                r.source.problem("topics", None, reason("is empty: every resource needs at least one topic"))
            )
        if "kind" in r.present or held is None:
            node["kind"] = r.kind or "document"
        node["added"] = r.added or node.get("added") or today
        if "topics" in r.present:
            had = _held_targets(catalog, "ABOUT", r.id)
            wanted.rels["ABOUT"][r.id] = _topics_for(r.topics, r.source, topics, had, new_topics, problems)
        if "workstream" in r.present:
            wanted.rels["FOR_WORKSTREAM"][r.id] = _workstream_for(
                r.workstream, r.source, workstreams, problems
            )
        if "shared_by" in r.present:
            sharer: dict[str, Props] = {}
            if r.shared_by:
                member = refs.find(r.shared_by)
                if member is None:
                    problems.append(r.source.problem("shared_by", r.shared_by, NOT_A_MEMBER))
                else:
                    at = catalog.rels["SHARED"].get((member, r.id), {}).get("at") or node["added"]
                    sharer[member] = {"at": at}
            wanted.rels["SHARED"][r.id] = sharer
        wanted.nodes["Resource"][r.id] = node


def place_members(
    rows: list[MemberRecord],
    catalog: Catalog,
    topics: NameIndex,
    organisations: NameIndex,
    workstreams: dict[str, str],
    wanted: Wanted,
    problems: list[Problem],
    new_topics: bool = False,
) -> None:
    """Each member row: its properties, and the organisation, interests, workstreams and contacts it names
    (a topic that is not in the vocabulary is a problem unless ``new_topics``)."""
    email_owner = dict(catalog.member_by_email)
    for m in rows:
        if m.email:
            email_owner.setdefault(m.email, m.id)
    # The topics each member holds already, by member (once: looked up per row, it cost rows x interests)
    holding: dict[str, set[str]] = defaultdict(set)
    for source, target in catalog.rels["INTERESTED_IN"]:
        holding[source].add(target)
    for m in rows:
        if not m.id:
            # (a row with no id is refused, but what it names is checked too: every problem in one round)
            _interested_in(m, topics, problems, set(), new_topics)
            _member_of(m, workstreams, problems)
            _contacts(m, email_owner, problems)
            continue
        if m.email and email_owner.get(m.email) not in (None, m.id):
            problems.append(
                m.source.problem(
                    "email",
                    m.email,
                    reason("already belongs to another member (id %(id)s)", id=email_owner[m.email]),
                )
            )
        node = _member_node(m, catalog.members.get(m.id))
        if "organisation" in m.present:
            wanted.rels["WORKS_AT"][m.id] = _works_at(m, node, organisations)
        if "topics" in m.present:
            held = holding.get(m.id, set())
            wanted.rels["INTERESTED_IN"][m.id] = _interested_in(m, topics, problems, held, new_topics)
        if "workstreams" in m.present:
            wanted.rels["MEMBER_OF"][m.id] = _member_of(m, workstreams, problems)
        wanted.knows |= _contacts(m, email_owner, problems)
        wanted.nodes["Member"][m.id] = node


def _member_node(m: MemberRecord, held: Props | None) -> Props:
    """A member row owns its name, and each other property whose column the file has."""
    node = dict(held or {p: None for p in NODES["Member"].properties})
    node["id"] = m.id
    node["name"] = m.name
    for prop in ("email", "title", "email_visibility", "suggestible"):
        if prop in m.present:
            node[prop] = getattr(m, prop)
    if "country" in m.present:
        node.update(country=m.country, region=m.region, subregion=m.subregion)
    if m.joined:
        node["joined"] = m.joined  # joined before graphapp: the file says when
    elif held is None:
        node["joined"] = datetime.now(UTC).date().isoformat()  # joins today, with this import
    return node


def _works_at(m: MemberRecord, node: Props, organisations: NameIndex) -> dict[str, Props]:
    """The member's organisation (created from the row when new); a member with no country takes its."""
    if not m.organisation:
        return {}
    org_id = organisations.find_or_create(
        m.organisation,
        kind=m.organisation_kind or "other",
        country=m.country,
        region=m.region,
        subregion=m.subregion,
    )
    org = organisations.nodes[org_id]
    if not node.get("country") and org.get("country"):
        node.update(country=org["country"], region=org.get("region"), subregion=org.get("subregion"))
    return {org_id: {}}


#: The start of what an import says of a topic the vocabulary lacks, and of one it retired (in English:
#: forms tell these problems from others by it).
NOT_IN_VOCABULARY = "is not a topic in the vocabulary"
RETIRED = "was retired by a coordinator"


def topic_for(
    text: str,
    src: Source,
    column: str,
    topics: NameIndex,
    held: set[str],
    new_topics: bool,
    problems: list[Problem],
) -> str | None:
    """The topic a cell names, by any spelling (case and accents aside). A name that is not in the
    vocabulary is a problem offering the closest topics, unless ``new_topics`` (then it is created); a
    retired topic is one too, unless it is already ``held`` (a member or workstream keeps theirs)."""
    tid = topics.find(text)
    if tid is None and new_topics:
        return topics.find_or_create(text)
    if tid is not None and (not topics.is_retired(tid) or tid in held):
        return tid
    near = [n for n in topics.closest(text) if tid is None or topics.find(n) != tid]
    names = Either(f"'{n}'" for n in near)
    if tid is None and near:
        why = reason(
            "is not a topic in the vocabulary: did you mean %(names)s? If not, to add it to the vocabulary, "
            "list it in a topics file, or import with --new-topics (on the import page: tick 'create new "
            "topics')",
            names=names,
        )
    elif tid is None:
        why = reason(
            "is not a topic in the vocabulary: to add it to the vocabulary, list it in a topics file, or "
            "import with --new-topics (on the import page: tick 'create new topics')"
        )
    elif near:
        why = reason("was retired by a coordinator: did you mean %(names)s?", names=names)
    else:
        why = reason("was retired by a coordinator")
    problems.append(src.problem(column, text, why).with_suggestions(near))
    return None


def _interested_in(
    m: MemberRecord, topics: NameIndex, problems: list[Problem], held: set[str], new_topics: bool = False
) -> dict[str, Props]:
    """The member's topics and levels (unknown ones are problems unless ``new_topics``: see
    :func:`topic_for`); one topic at two levels is a problem."""
    wanted: dict[str, Props] = {}
    for interest in m.interests:
        tid = topic_for(interest.topic, m.source, "topics", topics, held, new_topics, problems)
        if tid is None:
            continue
        if tid in wanted and wanted[tid]["level"] != interest.level:
            problems.append(
                m.source.problem(
                    "topics", interest.topic, reason("names a topic already listed, with a different level")
                )
            )
        wanted[tid] = {"level": interest.level}
    return wanted


def _member_of(m: MemberRecord, workstreams: dict[str, str], problems: list[Problem]) -> dict[str, Props]:
    """The member's workstreams and roles; a workstream that is neither in the graph nor the files is a problem."""
    roles: dict[str, Props] = {}
    for ws_key, role in m.workstreams:
        ws_id = workstreams.get(ws_key)
        if ws_id is None:
            problems.append(m.source.problem("workstreams", ws_key, unknown_workstream(workstreams)))
            continue
        roles[ws_id] = {"role": role}
    return roles


def _contacts(m: MemberRecord, email_owner: dict[str, str], problems: list[Problem]) -> set[Pair]:
    """The member's contacts, as undirected pairs of ids; an email no member has is a problem."""
    pairs: set[Pair] = set()
    for contact in m.knows:
        other = email_owner.get(contact)
        if other is None:
            problems.append(
                m.source.problem(
                    "knows", contact, reason("is not the email of any member in the graph or in these files")
                )
            )
        elif other != m.id:
            pairs.add((min(m.id, other), max(m.id, other)))
    return pairs


def _unique_slug(name: str, taken: dict[str, Props]) -> str:
    slug = slugify(name)
    n = 2
    candidate = slug
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    return candidate


def check_duplicate_members(members: list[MemberRecord], problems: list[Problem]) -> None:
    """Two rows for one member (the same id or the same email) are a problem."""
    FirstRows().check(members, problems)


class FirstRows:
    """Where each member id and email was first seen, to find a second row for one member; it keeps the
    rows' places, not their records, so that members may be checked a chunk at a time
    (:mod:`graphapp.ingest.initial`)."""

    def __init__(self) -> None:
        self.ids: dict[str, tuple[Source, str | None]] = {}
        self.emails: dict[str, Source] = {}

    def check(self, members: list[MemberRecord], problems: list[Problem]) -> None:
        """A row with an id or email seen before is a problem; one with a repeated id is refused (its id
        emptied, so that what it names is still checked)."""
        for m in members:
            if m.id and m.id in self.ids:
                first, first_email = self.ids[m.id]
                column = "email" if m.email and first_email == m.email else "id"
                problems.append(
                    m.source.problem(
                        column,
                        m.email if column == "email" else m.id,
                        same_as("member", first),
                    )
                )
                m.id = ""
                continue
            if m.email and m.email in self.emails:
                problems.append(m.source.problem("email", m.email, same_as("email", self.emails[m.email])))
            if m.id:
                self.ids[m.id] = (m.source, m.email)
            if m.email:
                self.emails.setdefault(m.email, m.source)


def changes(catalog: Catalog, wanted: Wanted, tables: list[Table]) -> Plan:
    """The plan: what differs between the graph the files describe and the graph as it is."""
    plan = Plan(files=sorted({t.file.split(" [")[0] for t in tables}), rows=sum(len(t.rows) for t in tables))
    plan.catalog = catalog
    _diff_nodes(plan, wanted.nodes, catalog)
    _diff_rels(plan, wanted.rels, catalog)
    _add_contacts(plan, wanted.knows, catalog)
    return plan


def _add_contacts(plan: Plan, pairs: set[Pair], catalog: Catalog) -> None:
    """Contacts are only ever added: the pairs the graph does not hold yet."""
    new_members = {r["id"] for r in plan.create_nodes.get("Member", [])}
    for pair in sorted(pairs - set(catalog.rels["KNOWS"])):
        plan.create_rels["KNOWS"].append({"source": pair[0], "target": pair[1]})
        for node_id in pair:
            if node_id not in new_members:
                _note(plan, "Member", node_id, "contacts")


def _note(plan: Plan, label: str, node_id: str, what: str) -> None:
    changes = plan.changed[label].setdefault(node_id, [])
    if what not in changes:
        changes.append(what)


def _diff_nodes(plan: Plan, desired: dict[str, dict[str, Props]], catalog: Catalog) -> None:
    existing_by_label = {
        "Topic": catalog.topics,
        "Organisation": catalog.organisations,
        "Workstream": catalog.workstreams,
        "Member": catalog.members,
        "Theme": catalog.themes,
        "Project": catalog.projects,
        "Resource": catalog.resources,
    }
    for label, nodes in desired.items():
        if label not in existing_by_label:  # (an import never names areas: the taxonomy has its own import)
            continue
        props = NODES[label].properties
        existing = existing_by_label[label]
        for node_id in sorted(nodes):
            node = {p: nodes[node_id].get(p) for p in props}
            before = existing.get(node_id)
            if before is None:
                plan.create_nodes[label].append(node)
                continue
            changed = [p for p in props if _value(node.get(p)) != _value(before.get(p))]
            if changed:
                plan.update_nodes[label].append(node)
                for p in changed:
                    _note(plan, label, node_id, p)
            else:
                plan.unchanged_nodes[label] += 1


def _value(v: Any) -> Any:
    return None if v in ("", [], None) else v


#: The name of each relationship in a change's list of what changed (and in the history).
REL_FIELDS = {
    "WORKS_AT": "organisation",
    "INTERESTED_IN": "topics",
    "MEMBER_OF": "workstreams",
    "COVERS": "covers",
    "SERVES": "serves",
    "OF_THEME": "themes",
    "RUN_BY": "organisation",
    "WORKS_ON": "members",
    "ON_TOPIC": "topics",
    "IN_WORKSTREAM": "workstream",
    "ABOUT": "topics",
    "FOR_WORKSTREAM": "workstream",
    "SHARED": "shared_by",
}


def _diff_rels(plan: Plan, owned: dict[str, dict[str, dict[str, Props]]], catalog: Catalog) -> None:
    created = {label: {r["id"] for r in rows} for label, rows in plan.create_nodes.items()}
    for t, by_owner in owned.items():
        if not by_owner:
            continue
        spec = RELATIONSHIPS[t]
        by_target = t in OWNED_BY_TARGET
        owner_label = spec.target if by_target else spec.source
        existing: dict[str, dict[str, Props]] = defaultdict(dict)
        for (s, target), props in catalog.rels[t].items():
            if by_target:
                existing[target][s] = props
            else:
                existing[s][target] = props

        def row(owner: str, other: str, props: Props | None = None, by_target: bool = by_target) -> Props:
            ends = {"source": other, "target": owner} if by_target else {"source": owner, "target": other}
            return {**ends, **(props or {})}

        for owner in sorted(by_owner):
            wanted, had = by_owner[owner], existing.get(owner, {})
            changed = False
            for other in sorted(wanted.keys() - had.keys()):
                plan.create_rels[t].append(row(owner, other, wanted[other]))
                changed = True
            for other in sorted(had.keys() - wanted.keys()):
                plan.delete_rels[t].append(row(owner, other))
                changed = True
            for other in sorted(wanted.keys() & had.keys()):
                if any(_value(wanted[other].get(p)) != _value(had[other].get(p)) for p in spec.properties):
                    plan.update_rels[t].append(row(owner, other, wanted[other]))
                    changed = True
            if changed and owner not in created.get(owner_label, set()):
                _note(plan, owner_label, owner, REL_FIELDS[t])


# --- Applying -------------------------------------------------------------------------------------------


def apply_plan(tx: Tx, plan: Plan, progress: Progress | None = None) -> None:
    """Write the plan: new nodes, changed nodes, removed, changed and new relationships, in that order."""
    tx.touched(
        changed_members(
            [plan.create_nodes, plan.update_nodes], [plan.create_rels, plan.update_rels, plan.delete_rels]
        )
    )
    steps: list[tuple[str, Callable[[list[Props]], object], list[Props]]] = []
    for label in NODES:
        steps.append((f"creating {label}", partial(tx.bulk_create, label), plan.create_nodes.get(label, [])))
    for label in NODES:
        steps.append(
            (
                f"updating {label}",
                partial(_run_rows, tx, UPDATE_NODES[label]),
                plan.update_nodes.get(label, []),
            )
        )
    for t in RELATIONSHIPS:
        steps.append((f"removing {t}", partial(_run_rows, tx, DELETE_RELS[t]), plan.delete_rels.get(t, [])))
        if t in UPDATE_RELS:
            steps.append(
                (f"updating {t}", partial(_run_rows, tx, UPDATE_RELS[t]), plan.update_rels.get(t, []))
            )
    for t in RELATIONSHIPS:
        steps.append((f"creating {t}", partial(tx.bulk_create, t), plan.create_rels.get(t, [])))
    if not plan.is_empty():
        steps.append(("recording the history", partial(history.record_many, tx), plan_history(tx, plan)))
    for name, write, rows in steps:
        if not rows:
            continue
        done = 0
        for batch in batches(rows, 20000):
            write(batch)
            done += len(batch)
            if progress:
                progress(name, done, len(rows))


#: The history's name for each relationship a member (or workstream) owns, and how one is written.
_HISTORY_FIELDS = {"WORKS_AT": "organisation", "INTERESTED_IN": "topics", "MEMBER_OF": "workstreams"}
_REL_VALUE = {"INTERESTED_IN": "level", "MEMBER_OF": "role", "WORKS_ON": "role", "SERVES": "stages"}
_LABEL_WORDS = {
    "Member": ("member", "members"),
    "Organisation": ("organisation", "organisations"),
    "Topic": ("topic", "topics"),
    "Workstream": ("workstream", "workstreams"),
    "Theme": ("theme", "themes"),
    "Project": ("project", "projects"),
    "Resource": ("resource", "resources"),
}
#: Filed in the history under a kind of their own ("project", "theme", "resource"), not as the import.
_JOURNEY_LABELS = ("Theme", "Project", "Resource")


def _members_named(fields: Props) -> set[str]:
    """The members a project's or resource's change names (its ``members`` "id:role", its ``shared_by``),
    so that forgetting one of them blanks the change."""
    named = {str(m).split(":")[0] for m in fields.get("members") or []}
    if fields.get("shared_by"):
        named.add(str(fields["shared_by"]))
    return named


def plan_history(tx: Tx, plan: Plan) -> list[Props]:
    """The changes a plan makes, in the history's format, read before the plan is written: one per member,
    topic, organisation and workstream created or changed (only the fields that change), then, for an
    import (not a profile save), one summary change; all with one ``batch`` id."""
    catalog = plan.catalog
    if catalog is None:
        catalog = Catalog({}, {}, {}, {}, {}, {t: {} for t in RELATIONSHIPS})
    kind = {"the profile form": "profile", "the request to join": "approval"}.get(
        plan.files[0] if len(plan.files) == 1 else "", "import"
    )
    batch = history.new_batch()
    rows: list[Props] = []
    held_by_label = {
        "Topic": catalog.topics,
        "Organisation": catalog.organisations,
        "Workstream": catalog.workstreams,
    }
    new_counts: Counter[str] = Counter()
    changed_counts: Counter[str] = Counter()
    # The relationships each kind of node owns, as the history names them; and the kind of change a
    # project, theme or resource is filed under (the rest under the import's own kind).
    owned_fields = {
        "Topic": {"OF_THEME": "themes"},
        "Workstream": {"COVERS": "covers", "SERVES": "serves"},
        "Project": {
            "RUN_BY": "organisation",
            "WORKS_ON": "members",
            "ON_TOPIC": "topics",
            "IN_WORKSTREAM": "workstream",
        },
        "Resource": {"ABOUT": "topics", "FOR_WORKSTREAM": "workstream", "SHARED": "shared_by"},
    }
    held_by_label.update(Theme=catalog.themes, Project=catalog.projects, Resource=catalog.resources)
    for label, held in held_by_label.items():
        subject = label.lower()
        change_kind = subject if label in _JOURNEY_LABELS else kind
        rels_of = {
            name: _held_and_planned(plan, catalog, t) for t, name in owned_fields.get(label, {}).items()
        }
        for node in plan.create_nodes.get(label, []):
            after = _present({p: _field(node.get(p)) for p in NODES[label].properties if p != "id"})
            for name, changes in rels_of.items():
                if node["id"] in changes:
                    after.update(_present({name: changes[node["id"]][1]}))
            rows.append(
                history.change(
                    change_kind,
                    subject=f"{subject}:{node['id']}",
                    after=after,
                    about=_members_named(after),
                    batch=batch,
                )
            )
            new_counts[label] += 1
        updated = {n["id"]: n for n in plan.update_nodes.get(label, [])}
        with_rels = {i for changes in rels_of.values() for i in changes if i in held}
        for node_id in sorted(set(updated) | with_rels):
            before, after = {}, {}
            if node_id in updated:
                for p in NODES[label].properties:
                    old, new = _field(held[node_id].get(p)), _field(updated[node_id].get(p))
                    if p != "id" and old != new:
                        before[p], after[p] = old, new
            for name, changes in rels_of.items():
                if node_id in changes and changes[node_id][0] != changes[node_id][1]:
                    before[name], after[name] = changes[node_id]
            if after or before:
                rows.append(
                    history.change(
                        change_kind,
                        subject=f"{subject}:{node_id}",
                        before=before,
                        after=after,
                        about=_members_named(before) | _members_named(after),
                        batch=batch,
                    )
                )
                changed_counts[label] += 1
    rels = {t: _held_and_planned(plan, catalog, t) for t in _HISTORY_FIELDS}
    knows = _knows_before_and_after(tx, plan, catalog)
    created = {n["id"]: n for n in plan.create_nodes.get("Member", [])}
    updated = {n["id"]: n for n in plan.update_nodes.get("Member", [])}
    touched = set(created) | set(updated) | set(knows) | {i for t in rels.values() for i in t}
    for member in sorted(touched):
        before, after = {}, {}
        held = catalog.members.get(member) or {}
        new = created.get(member) or updated.get(member) or held
        for p in NODES["Member"].properties:
            old, now = _field(held.get(p)), _field(new.get(p))
            if p != "id" and old != now:
                before[p], after[p] = old, now
        for t, name in _HISTORY_FIELDS.items():
            if member in rels[t] and rels[t][member][0] != rels[t][member][1]:
                before[name], after[name] = rels[t][member]
        contacts: set[str] = set()
        if member in knows and knows[member][0] != knows[member][1]:
            before["knows"], after["knows"] = knows[member]
            contacts = set(knows[member][0]) ^ set(knows[member][1])
        if member in created:
            before, after = {}, _present(after)
        elif not (before or after):
            continue
        if member in created:
            new_counts["Member"] += 1
        else:
            changed_counts["Member"] += 1
        rows.append(
            history.change(
                kind,
                member=member,
                subject=f"member:{member}",
                before=before,
                after=after,
                about=contacts,
                batch=batch,
            )
        )
    if kind == "import" and rows:
        rows.append(
            history.change(
                "import",
                subject="import",
                summary=import_summary(plan.files, new_counts, changed_counts),
                batch=batch,
            )
        )
    return rows


def import_summary(files: list[str], new: Counter[str], changed: Counter[str]) -> str:
    """What an import did, in a line.

    >>> import_summary(["members.csv"], Counter(Member=3, Topic=1), Counter(Member=2))
    'members.csv: 3 new members, 2 changed; 1 new topic'
    """
    parts = []
    for label, (one, many) in _LABEL_WORDS.items():
        said = []
        if new[label]:
            said.append(f"{new[label]} new {one if new[label] == 1 else many}")
        if changed[label]:
            what = "changed" if said else f"{one if changed[label] == 1 else many} changed"
            said.append(f"{changed[label]} {what}")
        if said:
            parts.append(", ".join(said))
    return f"{', '.join(files)}: {'; '.join(parts) or 'no change'}"


def _field(value: Any) -> Any:
    """A property as the history writes it: unset and empty are both ""; lists sorted."""
    if value is None or value == []:
        return "" if not isinstance(value, list) else []
    return sorted(value) if isinstance(value, list) else value


def _present(values: Props) -> Props:
    return {k: v for k, v in values.items() if v not in ("", [], None)}


def _held_and_planned(plan: Plan, catalog: Catalog, t: str) -> dict[str, tuple[Any, Any]]:
    """For each owner whose ``t`` relationships the plan changes (the source, or the target for
    :data:`OWNED_BY_TARGET`): (before, after) in the history's spelling (an id or ""; a sorted list of
    ids, or of "id:value" for relationships with a level, role or stages)."""
    end, other = ("target", "source") if t in OWNED_BY_TARGET else ("source", "target")
    touched = {r[end] for d in (plan.create_rels, plan.delete_rels, plan.update_rels) for r in d.get(t, [])}
    if not touched:
        return {}
    held: dict[str, dict[str, Props]] = defaultdict(dict)
    for pair, props in catalog.rels[t].items():
        ends = {"source": pair[0], "target": pair[1]}
        if ends[end] in touched:
            held[ends[end]][ends[other]] = props
    now = {s: dict(held[s]) for s in touched}
    for r in plan.delete_rels.get(t, []):
        now[r[end]].pop(r[other], None)
    for r in plan.update_rels.get(t, []) + plan.create_rels.get(t, []):
        now[r[end]][r[other]] = r
    return {s: (_rel_field(t, held[s]), _rel_field(t, now[s])) for s in touched}


def _rel_field(t: str, targets: dict[str, Props]) -> Any:
    if t in ("WORKS_AT", "RUN_BY", "IN_WORKSTREAM", "FOR_WORKSTREAM", "SHARED"):
        return sorted(targets)[0] if targets else ""
    if t not in _REL_VALUE:
        return sorted(targets)
    values = ((target, props.get(_REL_VALUE[t]) or "") for target, props in targets.items())
    return sorted(f"{target}:{value}" if value else target for target, value in values)


def _knows_before_and_after(tx: Tx, plan: Plan, catalog: Catalog) -> dict[str, tuple[list[str], list[str]]]:
    """For each member the plan gives a contact: their contacts' ids before and after (sorted). Members
    the import names only as a contact are read here (the catalog holds the contacts of its rows only)."""
    pairs = plan.create_rels.get("KNOWS", [])
    if not pairs:
        return {}
    touched = {r[end] for r in pairs for end in ("source", "target")}
    held_pairs = set(catalog.rels["KNOWS"])
    unread = sorted(touched - set(catalog.members))
    for chunk in batches(unread):
        held_pairs |= {(r["source"], r["target"]) for r in RELS_TOUCHING["KNOWS"].run(tx, ids=chunk)}
    before: dict[str, set[str]] = {m: set() for m in touched}
    for a, b in held_pairs:
        if a in before:
            before[a].add(b)
        if b in before:
            before[b].add(a)
    after = {m: set(c) for m, c in before.items()}
    for r in pairs:
        after[r["source"]].add(r["target"])
        after[r["target"]].add(r["source"])
    return {m: (sorted(before[m]), sorted(after[m])) for m in touched}


def _run_rows(tx: Tx, statement: Cypher, rows: list[Props]) -> None:
    tx.run(statement, rows=rows)


def import_files(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    kind: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    max_bytes: int | None = None,
    new_topics: bool = False,
) -> Plan:
    """Read, validate and (unless ``dry_run``) write files in one transaction. Raises ImportRejected.

    ``max_bytes`` refuses any file larger than that (the web app's uploads set it). ``new_topics`` is the
    one switch that lets members' and workstreams' cells create topics (see :func:`plan_import`)."""
    tables = read_tables(paths, kind, max_bytes)
    if dry_run:
        return store.read(plan_import, tables, new_topics)

    def plan_and_apply(tx: Tx) -> Plan:
        plan = plan_import(tx, tables, new_topics)
        apply_plan(tx, plan, progress)
        return plan

    return store.write(plan_and_apply)

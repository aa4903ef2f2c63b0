"""Work out what an import changes, then write exactly that, in one transaction.

The plan is computed inside the same transaction that applies it, from what the graph holds at that
moment, so a dry run and a real run agree, a re-import of the same file plans nothing, and a retried
Neo4j transaction recomputes rather than repeats.

What a row owns: a member row is the truth about that member's properties, organisation, interests
and workstreams, for each of those columns the file has (a column the file lacks is left alone; an
empty cell clears). Contacts (``knows``) only ever add: a contact missing from one person's row may
still be listed by the other person. A workstream row owns the topics it covers, when the file has a
``covers`` column. A topic or organisation row owns its name and aliases.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from graphapp.ingest.normalise import slugify, topic_key
from graphapp.ingest.problems import ImportRejected, Problem
from graphapp.ingest.readers import Table, read_files
from graphapp.ingest.records import (
    MemberRecord,
    OrganisationRecord,
    Source,
    TopicRecord,
    WorkstreamRecord,
    parse_member,
    parse_organisation,
    parse_topic,
    parse_workstream,
    workstream_key,
)
from graphapp.queries.cypher import Cypher, Rows, Store, Tx
from graphapp.queries.schema import (
    ALL_NODES,
    DELETE_RELS,
    NODES,
    NODES_BY_ID,
    RELATIONSHIPS,
    RELS_FROM,
    RELS_TOUCHING,
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
            names = [str(r.get("name") or r["id"]) for r in rows[:details]]
            if names:
                more = f" and {len(rows) - details} more" if len(rows) > details else ""
                lines.append(f"  new {label}: " + "; ".join(names) + more)
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


def load_catalog(tx: Tx, records: Records) -> Catalog:
    """What the graph holds that the records may name: all topics, organisations and workstreams, the
    members the records name (by id, or by email for contacts), and the relationships they own."""
    member_ids = sorted({m.id for m in records.members if m.id})
    emails = [e for m in records.members for e in m.knows] + [m.email for m in records.members if m.email]
    workstream_ids = sorted({w.id for w in records.workstreams if w.id})
    topics = {r["id"]: _listify(r, NODES["Topic"].list_properties) for r in _all_nodes(tx, "Topic")}
    organisations = {
        r["id"]: _listify(r, NODES["Organisation"].list_properties) for r in _all_nodes(tx, "Organisation")
    }
    workstreams = {r["id"]: r for r in _all_nodes(tx, "Workstream")}
    members: dict[str, Props] = {}
    for batch in batches(member_ids):
        members.update({r["id"]: r for r in NODES_BY_ID["Member"].run(tx, ids=batch)})
    member_by_email: dict[str, str] = {}
    for batch in batches(sorted(set(emails))):
        member_by_email.update({r["email"]: r["id"] for r in MEMBERS_BY_EMAIL.run(tx, emails=batch)})
    rels: dict[str, dict[Pair, Props]] = {t: {} for t in RELATIONSHIPS}
    owned = {
        "WORKS_AT": member_ids,
        "INTERESTED_IN": member_ids,
        "MEMBER_OF": member_ids,
        "COVERS": workstream_ids,
    }
    for t, ids in owned.items():
        for batch in batches(ids):
            for r in RELS_FROM[t].run(tx, ids=batch):
                rels[t][(r.pop("source"), r.pop("target"))] = r
    for batch in batches(member_ids):
        for r in RELS_TOUCHING["KNOWS"].run(tx, ids=batch):
            rels["KNOWS"][(r["source"], r["target"])] = {}
    return Catalog(topics, organisations, workstreams, members, member_by_email, rels)


def _all_nodes(tx: Tx, label: str) -> list[Props]:
    return ALL_NODES[label].run(tx)


def _listify(row: Props, list_props: tuple[str, ...]) -> Props:
    for p in list_props:
        if row.get(p) is None:
            row[p] = []
    return row


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
                    problems.append(
                        src.problem(
                            "aliases", key, f"already names the {self.what} '{self.nodes[other]['name']}'"
                        )
                    )
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

    def find_or_create(self, name: str, **props: Any) -> str:
        """The id that ``name`` names; a new node (with ``props``) when nothing does yet."""
        found = self.find(name)
        if found is None:
            found = _unique_slug(name, self.nodes)
            self.want({"id": found, "name": name, **props, "aliases": []})
        return found


# --- Planning -------------------------------------------------------------------------------------------


@dataclass
class Records:
    """The rows of every table as typed records, and the problems found in single rows."""

    organisations: list[OrganisationRecord] = field(default_factory=list)
    topics: list[TopicRecord] = field(default_factory=list)
    workstreams: list[WorkstreamRecord] = field(default_factory=list)
    members: list[MemberRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Wanted:
    """The graph as the files describe it: nodes by label, relationships each source owns, contacts."""

    nodes: dict[str, dict[str, Props]] = field(default_factory=lambda: {label: {} for label in NODES})
    rels: dict[str, dict[str, dict[str, Props]]] = field(
        default_factory=lambda: {t: {} for t in RELATIONSHIPS}
    )
    knows: set[Pair] = field(default_factory=set)


NamedRecord = TypeVar("NamedRecord", bound=TopicRecord | OrganisationRecord)


def plan_import(tx: Tx, tables: list[Table]) -> Plan:
    """Validate the tables against each other and the graph; return the plan or raise ImportRejected."""
    records = read_records(tables)
    problems = records.problems
    check_duplicate_members(records.members, problems)
    catalog = load_catalog(tx, records)
    topics = NameIndex("topic", catalog.topics)
    organisations = NameIndex("organisation", catalog.organisations)
    wanted = Wanted()
    place_named_rows(records.topics, topics, _topic_node, problems)
    place_named_rows(records.organisations, organisations, _organisation_node, problems)
    workstreams = place_workstreams(records.workstreams, catalog, topics, wanted, problems)
    place_members(records.members, catalog, topics, organisations, workstreams, wanted, problems)
    if problems:
        raise ImportRejected(problems)
    wanted.nodes.update(Topic=topics.wanted, Organisation=organisations.wanted)
    return changes(catalog, wanted, tables)


def read_records(tables: list[Table]) -> Records:
    """Every row of every table as a record of its kind; problems of single rows are collected."""
    records = Records()
    parsers: dict[str, tuple[Callable[..., Any], list[Any]]] = {
        "organisations": (parse_organisation, records.organisations),
        "topics": (parse_topic, records.topics),
        "workstreams": (parse_workstream, records.workstreams),
        "members": (parse_member, records.members),
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
                    f"name and aliases point at different {index.what}s: {', '.join(matches)}",
                )
            )
            continue
        target = rec.id or (matches[0] if matches else slugify(rec.name))
        if target in first_row:
            first = first_row[target]
            problems.append(
                rec.source.problem(
                    "name", rec.name, f"is the same {index.what} as {first.file} {first.where}"
                )
            )
            continue
        first_row[target] = rec.source
        index.want(node_for(rec, index.nodes.get(target), target), rec.source, problems)


def _topic_node(rec: TopicRecord, held: Props | None, target: str) -> Props:
    """A topic row owns its name, and its aliases when the file has that column."""
    node = dict(held or {"id": target, "name": rec.name, "aliases": []})
    node["name"] = rec.name
    if "aliases" in rec.present:
        node["aliases"] = [a for a in rec.aliases if topic_key(a) != topic_key(rec.name)]
    return node


def _organisation_node(rec: OrganisationRecord, held: Props | None, target: str) -> Props:
    """An organisation row owns its name, and its kind, country and aliases when the file has them."""
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
    return node


def place_workstreams(
    rows: list[WorkstreamRecord], catalog: Catalog, topics: NameIndex, wanted: Wanted, problems: list[Problem]
) -> dict[str, str]:
    """Each workstream row, and the topics it covers; returns the known workstreams by key."""
    known = {workstream_key(i): i for i in catalog.workstreams}
    for ws in rows:
        if not ws.id:
            continue
        if ws.id in wanted.nodes["Workstream"]:
            problems.append(ws.source.problem("id", ws.id, "appears twice"))
            continue
        node = dict(catalog.workstreams.get(ws.id) or {"id": ws.id, "description": None})
        node["name"] = ws.name
        if "description" in ws.present:
            node["description"] = ws.description
        wanted.nodes["Workstream"][ws.id] = node
        known[ws.id] = ws.id
        if "covers" in ws.present:
            wanted.rels["COVERS"][ws.id] = {topics.find_or_create(t): {} for t in ws.covers}
    return known


def place_members(
    rows: list[MemberRecord],
    catalog: Catalog,
    topics: NameIndex,
    organisations: NameIndex,
    workstreams: dict[str, str],
    wanted: Wanted,
    problems: list[Problem],
) -> None:
    """Each member row: its properties, and the organisation, interests, workstreams and contacts it names."""
    email_owner = dict(catalog.member_by_email)
    for m in rows:
        if m.email:
            email_owner.setdefault(m.email, m.id)
    for m in rows:
        if not m.id:
            continue
        if m.email and email_owner.get(m.email) not in (None, m.id):
            problems.append(
                m.source.problem(
                    "email", m.email, f"already belongs to another member (id {email_owner[m.email]})"
                )
            )
        node = _member_node(m, catalog.members.get(m.id))
        if "organisation" in m.present:
            wanted.rels["WORKS_AT"][m.id] = _works_at(m, node, organisations)
        if "topics" in m.present:
            wanted.rels["INTERESTED_IN"][m.id] = _interested_in(m, topics, problems)
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


def _interested_in(m: MemberRecord, topics: NameIndex, problems: list[Problem]) -> dict[str, Props]:
    """The member's topics and levels (new topics are created); one topic at two levels is a problem."""
    wanted: dict[str, Props] = {}
    for interest in m.interests:
        tid = topics.find_or_create(interest.topic)
        if tid in wanted and wanted[tid]["level"] != interest.level:
            problems.append(
                m.source.problem(
                    "topics", interest.topic, "names a topic already listed, with a different level"
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
            known = ", ".join(sorted(workstreams)) or "none yet"
            problems.append(
                m.source.problem(
                    "workstreams",
                    ws_key,
                    f"is not a known workstream (known: {known}); import a workstreams file first",
                )
            )
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
                    "knows", contact, "is not the email of any member in the graph or in these files"
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
    by_id: dict[str, MemberRecord] = {}
    by_email: dict[str, MemberRecord] = {}
    for m in members:
        if m.id and m.id in by_id:
            first = by_id[m.id].source
            column = "email" if m.email and by_id[m.id].email == m.email else "id"
            problems.append(
                m.source.problem(
                    column,
                    m.email if column == "email" else m.id,
                    f"is the same member as {first.file} {first.where}",
                )
            )
            m.id = ""
            continue
        if m.email and m.email in by_email:
            first = by_email[m.email].source
            problems.append(
                m.source.problem("email", m.email, f"is already used by {first.file} {first.where}")
            )
        if m.id:
            by_id[m.id] = m
        if m.email:
            by_email.setdefault(m.email, m)


def changes(catalog: Catalog, wanted: Wanted, tables: list[Table]) -> Plan:
    """The plan: what differs between the graph the files describe and the graph as it is."""
    plan = Plan(files=sorted({t.file.split(" [")[0] for t in tables}), rows=sum(len(t.rows) for t in tables))
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
    }
    for label, nodes in desired.items():
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


def _diff_rels(plan: Plan, owned: dict[str, dict[str, dict[str, Props]]], catalog: Catalog) -> None:
    created = {label: {r["id"] for r in rows} for label, rows in plan.create_nodes.items()}
    for t, by_source in owned.items():
        if not by_source:
            continue
        spec = RELATIONSHIPS[t]
        existing: dict[str, dict[str, Props]] = defaultdict(dict)
        for (s, target), props in catalog.rels[t].items():
            existing[s][target] = props
        what = {
            "WORKS_AT": "organisation",
            "INTERESTED_IN": "topics",
            "MEMBER_OF": "workstreams",
            "COVERS": "covers",
        }[t]
        for source in sorted(by_source):
            wanted, had = by_source[source], existing.get(source, {})
            changed = False
            for target in sorted(wanted.keys() - had.keys()):
                plan.create_rels[t].append({"source": source, "target": target, **wanted[target]})
                changed = True
            for target in sorted(had.keys() - wanted.keys()):
                plan.delete_rels[t].append({"source": source, "target": target})
                changed = True
            for target in sorted(wanted.keys() & had.keys()):
                if any(_value(wanted[target].get(p)) != _value(had[target].get(p)) for p in spec.properties):
                    plan.update_rels[t].append({"source": source, "target": target, **wanted[target]})
                    changed = True
            if changed and source not in created.get(spec.source, set()):
                _note(plan, spec.source, source, what)


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
    for name, write, rows in steps:
        if not rows:
            continue
        done = 0
        for batch in batches(rows, 20000):
            write(batch)
            done += len(batch)
            if progress:
                progress(name, done, len(rows))


def _run_rows(tx: Tx, statement: Cypher, rows: list[Props]) -> None:
    tx.run(statement, rows=rows)


def import_files(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    kind: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    max_bytes: int | None = None,
) -> Plan:
    """Read, validate and (unless ``dry_run``) write files in one transaction. Raises ImportRejected.

    ``max_bytes`` refuses any file larger than that (the web app's uploads set it)."""
    tables = read_files(paths, kind, max_bytes)
    if dry_run:
        return store.read(plan_import, tables)

    def plan_and_apply(tx: Tx) -> Plan:
        plan = plan_import(tx, tables)
        apply_plan(tx, plan, progress)
        return plan

    return store.write(plan_and_apply)

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
from typing import Any

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
from graphapp.queries.cypher import Rows, TransactionRunner, Tx
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
    topics: dict[str, Props]
    organisations: dict[str, Props]
    workstreams: dict[str, Props]
    members: dict[str, Props]
    member_by_email: dict[str, str]
    rels: dict[str, dict[Pair, Props]]  # only those from (or touching, for KNOWS) the nodes imported


def load_catalog(tx: Tx, member_ids: list[str], emails: list[str], workstream_ids: list[str]) -> Catalog:
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


class NameIndex:
    """Maps every spelling (name, id, aliases) of topics or organisations to one id."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.ids: dict[str, str] = {}
        self.nodes: dict[str, Props] = {}

    def keys_of(self, node: Props) -> list[str]:
        keys = [topic_key(node["id"].replace("-", " ")), topic_key(node.get("name") or "")]
        keys += [topic_key(a) for a in node.get("aliases") or []]
        return [k for k in dict.fromkeys(keys) if k]

    def add(self, node: Props, src: Source | None = None, problems: list[Problem] | None = None) -> None:
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

    def find(self, text: str) -> str | None:
        return self.ids.get(topic_key(text))

    def find_all(self, texts: Iterable[str]) -> set[str]:
        return {i for i in (self.find(t) for t in texts) if i is not None}


# --- Planning -------------------------------------------------------------------------------------------


def plan_import(tx: Tx, tables: list[Table]) -> Plan:
    """Validate the tables against each other and the graph; return the plan or raise ImportRejected."""
    problems: list[Problem] = []
    orgs: list[OrganisationRecord] = []
    topics: list[TopicRecord] = []
    workstreams: list[WorkstreamRecord] = []
    members: list[MemberRecord] = []
    for table in tables:
        parse = {
            "organisations": parse_organisation,
            "topics": parse_topic,
            "workstreams": parse_workstream,
            "members": parse_member,
        }[table.kind]
        bucket: list[Any] = {
            "organisations": orgs,
            "topics": topics,
            "workstreams": workstreams,
            "members": members,
        }[table.kind]
        for row in table.rows:
            bucket.append(parse(row, problems))

    _check_duplicate_members(members, problems)
    knows_emails = [e for m in members for e in m.knows] + [m.email for m in members if m.email]
    catalog = load_catalog(
        tx, sorted({m.id for m in members if m.id}), knows_emails, sorted({w.id for w in workstreams if w.id})
    )
    plan = Plan(files=sorted({t.file.split(" [")[0] for t in tables}), rows=sum(len(t.rows) for t in tables))
    desired: dict[str, dict[str, Props]] = {label: {} for label in NODES}
    owned_rels: dict[str, dict[str, dict[str, Props]]] = {t: {} for t in RELATIONSHIPS}
    knows_pairs: set[Pair] = set()

    # Topics: the graph's, then the topic files', then any that members and workstreams name.
    topic_index = NameIndex("topic")
    for node in catalog.topics.values():
        topic_index.add(node)
    seen_topic_rows: dict[str, Source] = {}
    for rec in topics:
        matches = {i for i in (topic_index.find(rec.name), *(topic_index.find(a) for a in rec.aliases)) if i}
        if rec.id:
            target = rec.id
        elif len(matches) > 1:
            problems.append(
                rec.source.problem(
                    "aliases",
                    rec.aliases,
                    f"name and aliases point at different topics: {', '.join(sorted(matches))}",
                )
            )
            continue
        else:
            target = matches.pop() if matches else slugify(rec.name)
        if target in seen_topic_rows:
            first = seen_topic_rows[target]
            problems.append(
                rec.source.problem("name", rec.name, f"is the same topic as {first.file} {first.where}")
            )
            continue
        seen_topic_rows[target] = rec.source
        node = dict(catalog.topics.get(target) or {"id": target, "name": rec.name, "aliases": []})
        node["name"] = rec.name
        if "aliases" in rec.present:
            node["aliases"] = [a for a in rec.aliases if topic_key(a) != topic_key(rec.name)]
        desired["Topic"][target] = node
        topic_index.add(node, rec.source, problems)

    def topic_for(name: str) -> str:
        found = topic_index.find(name)
        if found is None:
            node = {"id": _unique_slug(name, topic_index.nodes), "name": name, "aliases": []}
            topic_index.add(node)
            desired["Topic"][node["id"]] = node
            found = node["id"]
        return found

    # Organisations.
    org_index = NameIndex("organisation")
    for node in catalog.organisations.values():
        org_index.add(node)
    seen_org_rows: dict[str, Source] = {}
    for org in orgs:
        matches = sorted(org_index.find_all([org.name, *org.aliases]))
        if not org.id and len(matches) > 1:
            problems.append(
                org.source.problem(
                    "aliases",
                    org.aliases,
                    f"name and aliases point at different organisations: {', '.join(matches)}",
                )
            )
            continue
        target = org.id or (matches[0] if matches else slugify(org.name))
        if target in seen_org_rows:
            first = seen_org_rows[target]
            problems.append(
                org.source.problem(
                    "name", org.name, f"is the same organisation as {first.file} {first.where}"
                )
            )
            continue
        seen_org_rows[target] = org.source
        node = dict(
            catalog.organisations.get(target)
            or {
                "id": target,
                "kind": "other",
                "country": None,
                "region": None,
                "subregion": None,
                "aliases": [],
            }
        )
        node["name"] = org.name
        if "kind" in org.present:
            node["kind"] = org.kind or "other"
        if "country" in org.present:
            node.update(country=org.country, region=org.region, subregion=org.subregion)
        if "aliases" in org.present:
            node["aliases"] = org.aliases
        desired["Organisation"][target] = node
        org_index.add(node, org.source, problems)

    # Workstreams and the topics they cover.
    known_workstreams = {workstream_key(i): i for i in catalog.workstreams}
    for ws in workstreams:
        if not ws.id:
            continue
        if ws.id in desired["Workstream"]:
            problems.append(ws.source.problem("id", ws.id, "appears twice"))
            continue
        node = dict(catalog.workstreams.get(ws.id) or {"id": ws.id, "description": None})
        node["name"] = ws.name
        if "description" in ws.present:
            node["description"] = ws.description
        desired["Workstream"][ws.id] = node
        known_workstreams[ws.id] = ws.id
        if "covers" in ws.present:
            owned_rels["COVERS"][ws.id] = {topic_for(t): {} for t in ws.covers}

    # Members.
    email_owner = dict(catalog.member_by_email)
    for m in members:
        if m.email:
            email_owner.setdefault(m.email, m.id)
    for m in members:
        if not m.id:
            continue
        if m.email and email_owner.get(m.email) not in (None, m.id):
            problems.append(
                m.source.problem(
                    "email", m.email, f"already belongs to another member (id {email_owner[m.email]})"
                )
            )
        existing = catalog.members.get(m.id)
        node = dict(existing or {p: None for p in NODES["Member"].properties})
        node["id"] = m.id
        node["name"] = m.name
        for prop in ("email", "title", "email_visibility", "suggestible"):
            if prop in m.present:
                node[prop] = getattr(m, prop)
        if "country" in m.present:
            node.update(country=m.country, region=m.region, subregion=m.subregion)
        if "organisation" in m.present:
            if m.organisation:
                org_id = org_index.find(m.organisation)
                if org_id is None:
                    org_id = _unique_slug(m.organisation, org_index.nodes)
                    new_org = {
                        "id": org_id,
                        "name": m.organisation,
                        "kind": m.organisation_kind or "other",
                        "country": m.country,
                        "region": m.region,
                        "subregion": m.subregion,
                        "aliases": [],
                    }
                    org_index.add(new_org)
                    desired["Organisation"][org_id] = new_org
                owned_rels["WORKS_AT"][m.id] = {org_id: {}}
                org = org_index.nodes[org_id]
                if not node.get("country") and org.get("country"):
                    node.update(
                        country=org["country"], region=org.get("region"), subregion=org.get("subregion")
                    )
            else:
                owned_rels["WORKS_AT"][m.id] = {}
        if "topics" in m.present:
            wanted: dict[str, Props] = {}
            for interest in m.interests:
                tid = topic_for(interest.topic)
                if tid in wanted and wanted[tid]["level"] != interest.level:
                    problems.append(
                        m.source.problem(
                            "topics", interest.topic, "names a topic already listed, with a different level"
                        )
                    )
                wanted[tid] = {"level": interest.level}
            owned_rels["INTERESTED_IN"][m.id] = wanted
        if "workstreams" in m.present:
            roles: dict[str, Props] = {}
            for ws_key, role in m.workstreams:
                ws_id = known_workstreams.get(ws_key)
                if ws_id is None:
                    known = ", ".join(sorted(known_workstreams)) or "none yet"
                    problems.append(
                        m.source.problem(
                            "workstreams",
                            ws_key,
                            f"is not a known workstream (known: {known}); import a workstreams file first",
                        )
                    )
                    continue
                roles[ws_id] = {"role": role}
            owned_rels["MEMBER_OF"][m.id] = roles
        for contact in m.knows:
            other = email_owner.get(contact)
            if other is None:
                problems.append(
                    m.source.problem(
                        "knows", contact, "is not the email of any member in the graph or in these files"
                    )
                )
            elif other != m.id:
                knows_pairs.add((min(m.id, other), max(m.id, other)))
        desired["Member"][m.id] = node

    if problems:
        raise ImportRejected(problems)

    _diff_nodes(plan, desired, catalog)
    _diff_rels(plan, owned_rels, catalog)
    new_members = {r["id"] for r in plan.create_nodes.get("Member", [])}
    for pair in sorted(knows_pairs - set(catalog.rels["KNOWS"])):
        plan.create_rels["KNOWS"].append({"source": pair[0], "target": pair[1]})
        for node_id in pair:
            if node_id not in new_members:
                _note(plan, "Member", node_id, "contacts")
    return plan


def _unique_slug(name: str, taken: dict[str, Props]) -> str:
    slug = slugify(name)
    n = 2
    candidate = slug
    while candidate in taken:
        candidate = f"{slug}-{n}"
        n += 1
    return candidate


def _check_duplicate_members(members: list[MemberRecord], problems: list[Problem]) -> None:
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
    steps: list[tuple[str, Callable[[list[Props]], None], list[Props]]] = []
    for label in NODES:
        rows = plan.create_nodes.get(label, [])
        steps.append((f"creating {label}", lambda rows, label=label: tx.bulk_create(label, rows), rows))
    for label in NODES:
        steps.append(
            (
                f"updating {label}",
                lambda rows, label=label: tx.run(UPDATE_NODES[label], rows=rows),
                plan.update_nodes.get(label, []),
            )
        )
    for t in RELATIONSHIPS:
        steps.append(
            (
                f"removing {t}",
                lambda rows, t=t: tx.run(DELETE_RELS[t], rows=rows),
                plan.delete_rels.get(t, []),
            )
        )
        if t in UPDATE_RELS:
            steps.append(
                (
                    f"updating {t}",
                    lambda rows, t=t: tx.run(UPDATE_RELS[t], rows=rows),
                    plan.update_rels.get(t, []),
                )
            )
    for t in RELATIONSHIPS:
        steps.append(
            (f"creating {t}", lambda rows, t=t: tx.bulk_create(t, rows), plan.create_rels.get(t, []))
        )
    for name, write, rows in steps:
        if not rows:
            continue
        done = 0
        for batch in batches(rows, 20000):
            write(batch)
            done += len(batch)
            if progress:
                progress(name, done, len(rows))


def import_files(
    store: TransactionRunner,
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

"""Projects (issue 14 §1): one machine-learning use each, with its stage on the journey, organisation,
members (and their role), topics and workstream. Statements and the functions that run them; the actions
(create, edit, move, delete) are :mod:`graphapp.projects`.

:func:`projects_of` is the read others call (the member, organisation, topic and workstream pages, the
journey map): the projects of a member, an organisation, a topic or a workstream, each whole.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Rows, Tx
from graphapp.queries.schema import (
    CREATE_NODES,
    CREATE_RELS,
    DELETE_RELS,
    NODES,
    NODES_BY_ID,
    STAGES,
    UPDATE_NODES,
    UPDATE_RELS,
)

__all__ = [
    "PROPERTIES",
    "RELATED",
    "delete_project",
    "members_by_id",
    "members_named",
    "project",
    "project_exists",
    "projects_of",
    "write_project",
]

#: A project's own properties (``id`` first), as the model has them.
PROPERTIES = NODES["Project"].properties
#: The relationships a project has, each as (type, the end that is not the project, its label).
RELATED = {
    "organisation": "RUN_BY",
    "topics": "ON_TOPIC",
    "workstream": "IN_WORKSTREAM",
    "members": "WORKS_ON",
}

ALL_IDS = Rows("MATCH (p:Project)", id="p.id")
# The projects of one member, organisation, topic or workstream (the filters of the list and the sections
# of the other pages). Each names its end by id: a primary-key look-up on LadybugDB, an index seek on Neo4j.
IDS_OF = {
    "member": Rows("MATCH (:Member {id: $id})-[:WORKS_ON]->(p:Project)", id="p.id"),
    "organisation": Rows("MATCH (p:Project)-[:RUN_BY]->(:Organisation {id: $id})", id="p.id"),
    "topic": Rows("MATCH (p:Project)-[:ON_TOPIC]->(:Topic {id: $id})", id="p.id"),
    "workstream": Rows("MATCH (p:Project)-[:IN_WORKSTREAM]->(:Workstream {id: $id})", id="p.id"),
}
ORGANISATIONS = Rows(
    "UNWIND $ids AS pid MATCH (p:Project {id: pid}) "
    "OPTIONAL MATCH (p)-[:RUN_BY]->(o:Organisation) WITH p, o WHERE o IS NOT NULL",
    project="p.id",
    id="o.id",
    name="o.name",
)
TOPICS = Rows(
    "UNWIND $ids AS pid MATCH (p:Project {id: pid}) "
    "OPTIONAL MATCH (p)-[:ON_TOPIC]->(t:Topic) WITH p, t WHERE t IS NOT NULL",
    project="p.id",
    id="t.id",
    name="t.name",
)
WORKSTREAMS = Rows(
    "UNWIND $ids AS pid MATCH (p:Project {id: pid}) "
    "OPTIONAL MATCH (p)-[:IN_WORKSTREAM]->(w:Workstream) WITH p, w WHERE w IS NOT NULL",
    project="p.id",
    id="w.id",
    name="w.name",
)
# A project's people, with what a viewer's redaction needs (graphapp.privacy.redact_person).
MEMBERS = Rows(
    "UNWIND $ids AS pid MATCH (m:Member)-[r:WORKS_ON]->(p:Project {id: pid})",
    project="p.id",
    id="m.id",
    name="m.name",
    email="m.email",
    email_visibility="m.email_visibility",
    role="r.role",
)
DELETE = "MATCH (p:Project {id: $id}) DETACH DELETE p"
# Whom a project's form names: first every entry by id (primary-key look-ups: the members already on it
# and the one adding it are named so), then only the entries left by email or name, in one pass over the
# members. Names are compared in lower case as Cypher's toLower makes it (Python's str.lower, not casefold).
MEMBER_COLUMNS = {
    "id": "m.id",
    "name": "m.name",
    "email": "m.email",
    "email_visibility": "m.email_visibility",
}
MEMBERS_BY_ID = Rows("UNWIND $ids AS mid MATCH (m:Member {id: mid})", **MEMBER_COLUMNS)
MEMBERS_NAMED = Rows(
    "UNWIND $entries AS e MATCH (m:Member) WHERE m.email = e.email OR toLower(m.name) = e.name",
    text="e.text",
    **MEMBER_COLUMNS,
)


def _by_project(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row.pop("project"), []).append(row)
    return out


def _name_key(row: dict[str, Any]) -> tuple[str, str]:
    return ((row.get("name") or row["id"]).casefold(), row["id"])


def _whole(tx: Tx, ids: list[str]) -> list[dict[str, Any]]:
    """The projects with these ids, each whole: its properties (unset as ""), ``organisation`` and
    ``workstream`` (``{id, name}`` or None), ``topics`` and ``members`` (with ``role``) by name."""
    if not ids:
        return []
    nodes = NODES_BY_ID["Project"].run(tx, ids=ids)
    organisations = _by_project(ORGANISATIONS.run(tx, ids=ids))
    topics = _by_project(TOPICS.run(tx, ids=ids))
    workstreams = _by_project(WORKSTREAMS.run(tx, ids=ids))
    members = _by_project(MEMBERS.run(tx, ids=ids))
    out = []
    for node in nodes:
        pid = node["id"]
        found: dict[str, Any] = {p: node.get(p) or "" for p in PROPERTIES}
        if found["stage"] not in STAGES:
            found["stage"] = STAGES[0]
        found["organisation"] = next(iter(organisations.get(pid, [])), None)
        found["workstream"] = next(iter(workstreams.get(pid, [])), None)
        found["topics"] = sorted(topics.get(pid, []), key=_name_key)
        found["members"] = sorted(members.get(pid, []), key=_name_key)
        out.append(found)
    return sorted(out, key=lambda p: (p["title"].casefold(), p["id"]))


def project(tx: Tx, id: str) -> dict[str, Any] | None:
    """One project, whole (see :func:`projects_of`); None if there is none."""
    found = _whole(tx, [id])
    return found[0] if found else None


def members_by_id(tx: Tx, ids: list[str]) -> list[dict[str, Any]]:
    """The members with these ids (``id``, ``name``, ``email``, ``email_visibility``)."""
    return MEMBERS_BY_ID.run(tx, ids=sorted(set(ids))) if ids else []


def members_named(tx: Tx, texts: list[str]) -> list[dict[str, Any]]:
    """The members whose email is one of ``texts`` (in lower case) or whose name is, in lower case as
    Cypher's ``toLower`` makes it; each row with the ``text`` it matched."""
    entries = [{"text": t, "email": t.lower(), "name": t.lower()} for t in sorted(set(texts))]
    return MEMBERS_NAMED.run(tx, entries=entries) if entries else []


def project_exists(tx: Tx, id: str) -> bool:
    return bool(NODES_BY_ID["Project"].run(tx, ids=[id]))


def projects_of(
    tx: Tx,
    member: str | None = None,
    organisation: str | None = None,
    topic: str | None = None,
    workstream: str | None = None,
    stage: str | None = None,
) -> list[dict[str, Any]]:
    """The projects of a member, an organisation, a topic and/or a workstream (all of them when none is
    given), at ``stage`` if given, by title. Each is whole: its properties (``title``, ``stage``, one ISO
    day per stage reached, ``domain``, ``report``, ``code`` ...; unset as ""), ``organisation`` and
    ``workstream`` (``{id, name}`` or None), ``topics`` (``{id, name}``) and ``members`` (``{id, name,
    email, email_visibility, role}``: redact before showing them)."""
    wanted: set[str] | None = None
    for kind, value in (
        ("member", member),
        ("organisation", organisation),
        ("topic", topic),
        ("workstream", workstream),
    ):
        if value:
            ids = {r["id"] for r in IDS_OF[kind].run(tx, id=value)}
            wanted = ids if wanted is None else wanted & ids
    if wanted is None:
        wanted = {r["id"] for r in ALL_IDS.run(tx)}
    found = _whole(tx, sorted(wanted))
    return [p for p in found if p["stage"] == stage] if stage else found


def write_project(tx: Tx, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    """Write a project as ``after`` says (a whole project, as :func:`project` gives one, ``members`` each
    ``{id, role}``), creating it when ``before`` is None, else changing only what differs from it."""
    row = {p: after.get(p) or "" for p in PROPERTIES}
    tx.run(CREATE_NODES["Project"] if before is None else UPDATE_NODES["Project"], rows=[row])
    pid = after["id"]

    def ends(p: dict[str, Any] | None, field: str) -> dict[str, str]:
        """The other ends of one relationship (id -> role, "" for relationships without one)."""
        if p is None:
            return {}
        value = p.get(field)
        if field in ("organisation", "workstream"):
            return {value["id"]: ""} if value else {}
        return {x["id"]: x.get("role") or "" for x in value or []}

    for field, rel_type in RELATED.items():
        old, new = ends(before, field), ends(after, field)
        people = field == "members"  # (a member works on the project: the project is the target)

        def pair(other: str, people: bool = people) -> dict[str, str]:
            return {"source": other, "target": pid} if people else {"source": pid, "target": other}

        gone = [pair(x) for x in old if x not in new]
        added = [{**pair(x), "role": new[x]} if people else pair(x) for x in new if x not in old]
        changed = [{**pair(x), "role": new[x]} for x in new if x in old and old[x] != new[x]]
        if gone:
            tx.run(DELETE_RELS[rel_type], rows=gone)
        if added:
            tx.run(CREATE_RELS[rel_type], rows=added)
        if changed:
            tx.run(UPDATE_RELS[rel_type], rows=changed)


def delete_project(tx: Tx, id: str) -> None:
    """Remove a project and its relationships (its members, organisation, topics and workstream stay)."""
    tx.run(DELETE, id=id)

"""The reads behind the network over time: the network as it is now, in the history's own terms (members
with their organisation, topics, workstreams and contacts as the history names them), and the changes to
members, topics, organisations and workstreams recorded since a time, newest first.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphapp.queries.cypher import Rows, Tx
from graphapp.queries.history import values

__all__ = ["network_now", "node_changes"]

MEMBERS = Rows(
    "MATCH (m:Member)",
    id="m.id",
    name="m.name",
    country="m.country",
    region="m.region",
    suggestible="m.suggestible",
    joined="m.joined",
)
WORKS_AT = Rows("MATCH (m:Member)-[:WORKS_AT]->(o:Organisation)", member="m.id", organisation="o.id")
INTERESTS = Rows(
    "MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic)", member="m.id", topic="t.id", level="r.level"
)
MEMBER_OF = Rows(
    "MATCH (m:Member)-[r:MEMBER_OF]->(w:Workstream)", member="m.id", workstream="w.id", role="r.role"
)
KNOWS = Rows("MATCH (a:Member)-[:KNOWS]->(b:Member)", a="a.id", b="b.id")
TOPICS = Rows("MATCH (t:Topic)", id="t.id", name="t.name", status="t.status")
ORGANISATIONS = Rows(
    "MATCH (o:Organisation)", id="o.id", name="o.name", country="o.country", region="o.region"
)
WORKSTREAMS = Rows("MATCH (w:Workstream)", id="w.id", name="w.name")
COVERS = Rows("MATCH (w:Workstream)-[:COVERS]->(t:Topic)", workstream="w.id", topic="t.id")
ASKS = Rows(
    "MATCH (a:Ask)",
    id="a.id",
    member="a.member",
    topics="a.topics",
    status="a.status",
    created="a.created",
    closed="a.closed",
)
# Changes to a member or a node of the vocabulary (subject set), since a time.
CHANGES = Rows(
    "MATCH (c:Change) WHERE c.subject <> '' AND c.at >= $since",
    id="c.id",
    at="c.at",
    subject="c.subject",
    before="c.before",
    after="c.after",
)


def _set(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None and v != "" and v != []}


def network_now(tx: Tx, *, interests: bool = True) -> dict[str, dict[str, dict[str, Any]]]:
    """The network as ``tx`` sees it, as id -> fields per kind (``members``, ``topics``,
    ``organisations``, ``workstreams``, ``asks``), fields named and valued as the history records them.
    Without ``interests``, members' topics are not read (the growth charts do not need them)."""
    statements = [MEMBERS, WORKS_AT, MEMBER_OF, KNOWS, TOPICS, ORGANISATIONS, WORKSTREAMS, COVERS, ASKS]
    if interests:
        statements.append(INTERESTS)
    read = tx.run_all([s.statement for s in statements])
    shaped = [Rows.shape(rows, tx.dialect) for rows in read]
    members_, works, member_of, knows, topics, organisations, workstreams, covers, asks = shaped[:9]
    members = {r["id"]: _set({k: v for k, v in r.items() if k != "id"}) for r in members_}
    lists: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in works:
        if r["member"] in members:
            members[r["member"]]["organisation"] = r["organisation"]
    for r in member_of:
        lists["workstreams"][r["member"]].append(f"{r['workstream']}:{r['role'] or 'member'}")
    for r in knows:  # (stored once; each of the two has the other among their contacts)
        lists["knows"][r["a"]].append(r["b"])
        lists["knows"][r["b"]].append(r["a"])
    if interests:
        for r in shaped[9]:
            lists["topics"][r["member"]].append(f"{r['topic']}:{r['level']}")
    for name, of in lists.items():
        for m, items in of.items():
            if m in members:
                members[m][name] = sorted(items)
    covered: dict[str, list[str]] = defaultdict(list)
    for r in covers:
        covered[r["workstream"]].append(r["topic"])
    return {
        "members": members,
        "topics": {r["id"]: _set({"name": r["name"], "status": r["status"]}) for r in topics},
        "organisations": {r["id"]: _set({k: v for k, v in r.items() if k != "id"}) for r in organisations},
        "workstreams": {
            r["id"]: _set({"name": r["name"], "covers": sorted(covered.get(r["id"], []))})
            for r in workstreams
        },
        "asks": {r["id"]: _set({k: v for k, v in r.items() if k != "id"}) for r in asks},
    }


def node_changes(tx: Tx, since: str = "") -> list[dict[str, Any]]:
    """The changes to members, topics, organisations and workstreams recorded at or after ``since`` (an
    ISO 8601 time; all of them by default), newest first: ``at``, ``subject``, and ``before`` and
    ``after`` as dicts."""
    rows = CHANGES.run(tx, since=since)
    rows.sort(key=lambda r: (r["at"] or "", r["id"]), reverse=True)
    found = []
    for r in rows:
        before, after = values(r)
        found.append({"at": r["at"] or "", "subject": r["subject"], "before": before, "after": after})
    return found

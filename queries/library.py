"""Shared resources (issue 14 §4): documents, code repositories, courses and recordings, by their public link,
linked to their topics (``ABOUT``), a workstream (``FOR_WORKSTREAM``, at most one) and the member who shared
them (``SHARED``, with the day). The statements, and the read others may call: :func:`resources_of`.

The actions (add, edit, remove, with their checks and history) are :mod:`graphapp.library`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx

__all__ = [
    "RESOURCE_PROPERTIES",
    "create_resource",
    "delete_resource",
    "resource_by_id",
    "resource_exists",
    "resource_links",
    "resources_of",
    "set_resource",
]

#: A resource's own properties, as the model has them (the id aside).
RESOURCE_PROPERTIES = ("title", "url", "kind", "language", "description", "added")

# Every resource with who shared it (none once they are forgotten) and its workstream; its topics apart.
_COLUMNS = {
    "id": "r.id",
    "title": "r.title",
    "url": "r.url",
    "kind": "r.kind",
    "language": "r.language",
    "description": "r.description",
    "added": "r.added",
    "sharer": "m.id",
    "sharer_name": "m.name",
    "shared_at": "s.at",
    "workstream": "w.id",
    "workstream_name": "w.name",
}
_WITH = "OPTIONAL MATCH (m:Member)-[s:SHARED]->(r) OPTIONAL MATCH (r)-[:FOR_WORKSTREAM]->(w:Workstream)"
ALL = Rows(f"MATCH (r:Resource) {_WITH}", **_COLUMNS)
ONE = Rows(f"MATCH (r:Resource {{id: $id}}) {_WITH}", **_COLUMNS)
TOPICS = Rows(
    "MATCH (r:Resource)-[:ABOUT]->(t:Topic)", resource="r.id", id="t.id", name="t.name", status="t.status"
)
TOPICS_OF = Rows(
    "MATCH (r:Resource {id: $id})-[:ABOUT]->(t:Topic)",
    resource="r.id",
    id="t.id",
    name="t.name",
    status="t.status",
)
LINKS = Rows("MATCH (r:Resource)", id="r.id", url="r.url", title="r.title")
EXISTS = Cypher("MATCH (r:Resource {id: $id}) RETURN r.id AS id")
CREATE = Cypher(
    "CREATE (r:Resource {id: $id}) SET r.title = $title, r.url = $url, r.kind = $kind, "
    "r.language = $language, r.description = $description, r.added = $added"
)
SET = Cypher(
    "MATCH (r:Resource {id: $id}) SET r.title = $title, r.url = $url, r.kind = $kind, "
    "r.language = $language, r.description = $description"
)
UNLINK_TOPICS = Cypher("MATCH (r:Resource {id: $id})-[a:ABOUT]->(:Topic) DELETE a")
LINK_TOPICS = Cypher(
    "UNWIND $topics AS topic MATCH (r:Resource {id: $id}) MATCH (t:Topic {id: topic}) CREATE (r)-[:ABOUT]->(t)"
)
UNLINK_WORKSTREAM = Cypher("MATCH (r:Resource {id: $id})-[f:FOR_WORKSTREAM]->(:Workstream) DELETE f")
LINK_WORKSTREAM = Cypher(
    "MATCH (r:Resource {id: $id}) MATCH (w:Workstream {id: $workstream}) CREATE (r)-[:FOR_WORKSTREAM]->(w)"
)
SHARE = Cypher(
    "MATCH (m:Member {id: $member}) MATCH (r:Resource {id: $id}) CREATE (m)-[:SHARED {at: $at}]->(r)"
)
DELETE = Cypher("MATCH (r:Resource {id: $id}) DETACH DELETE r")


def _shaped(row: dict[str, Any], topics: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **{k: row[k] or "" for k in ("id", "title", "url", "kind", "language", "description", "added")},
        "topics": sorted(
            (
                {"id": t["id"], "name": t["name"] or t["id"], "retired": t["status"] == "retired"}
                for t in topics
            ),
            key=lambda t: (t["name"].casefold(), t["id"]),
        ),
        "workstream": {"id": row["workstream"], "name": row["workstream_name"] or ""}
        if row["workstream"]
        else None,
        "shared_by": {"id": row["sharer"], "name": row["sharer_name"] or ""} if row["sharer"] else None,
        "shared_at": row["shared_at"] or "",
    }


def _newest_first(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    resources.sort(key=lambda r: r["title"].casefold())
    resources.sort(key=lambda r: r["added"], reverse=True)
    return resources


def resources_of(
    tx: Tx,
    topic: str | None = None,
    workstream: str | None = None,
    member: str | None = None,
    kind: str | None = None,
    language: str | None = None,
) -> list[dict[str, Any]]:
    """The resources on a topic, of a workstream, shared by a member, of a kind or in a language (each by
    id or code; any left out: every one), newest first: ``id``, ``title``, ``url``, ``kind``, ``language``,
    ``description``, ``added``, ``topics`` (``id``, ``name``, ``retired``, by name), ``workstream`` and
    ``shared_by`` (``id``, ``name``; None when there is none: a former member's) and ``shared_at``.

    The resources are few beside the members (hundreds, not thousands), so every one is read and the
    filters are applied here: one statement for both stores.
    """
    topics: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for t in TOPICS.run(tx):
        topics[t["resource"]].append(t)
    found = []
    for row in ALL.run(tx):
        if topic and not any(t["id"] == topic for t in topics[row["id"]]):
            continue
        if workstream and row["workstream"] != workstream:
            continue
        if member and row["sharer"] != member:
            continue
        if kind and row["kind"] != kind:
            continue
        if language and row["language"] != language:
            continue
        found.append(_shaped(row, topics[row["id"]]))
    return _newest_first(found)


def resource_by_id(tx: Tx, id: str) -> dict[str, Any] | None:
    """One resource, shaped as :func:`resources_of` gives them; None if there is none."""
    rows = ONE.run(tx, id=id)
    return _shaped(rows[0], TOPICS_OF.run(tx, id=id)) if rows else None


def resource_exists(tx: Tx, id: str) -> bool:
    return bool(tx.run(EXISTS, id=id))


def resource_links(tx: Tx) -> list[dict[str, Any]]:
    """Every resource's id, link and title (to find a link already held)."""
    return LINKS.run(tx)


def create_resource(tx: Tx, id: str, values: dict[str, Any], sharer: str | None, at: str) -> None:
    """A new resource with its topics, workstream and sharer (all checked by :mod:`graphapp.library`)."""
    tx.run(CREATE, id=id, **{k: values[k] for k in RESOURCE_PROPERTIES if k != "added"}, added=at)
    tx.run(LINK_TOPICS, id=id, topics=values["topics"])
    if values["workstream"]:
        tx.run(LINK_WORKSTREAM, id=id, workstream=values["workstream"])
    if sharer:
        tx.run(SHARE, id=id, member=sharer, at=at)


def set_resource(tx: Tx, id: str, values: dict[str, Any]) -> None:
    """Put a resource's properties, topics and workstream to ``values`` (its sharer and day stay)."""
    tx.run(SET, id=id, **{k: values[k] for k in RESOURCE_PROPERTIES if k != "added"})
    tx.run(UNLINK_TOPICS, id=id)
    tx.run(LINK_TOPICS, id=id, topics=values["topics"])
    tx.run(UNLINK_WORKSTREAM, id=id)
    if values["workstream"]:
        tx.run(LINK_WORKSTREAM, id=id, workstream=values["workstream"])


def delete_resource(tx: Tx, id: str) -> None:
    """The resource and its links (its topics, workstream and sharer stay)."""
    tx.run(DELETE, id=id)

"""The vocabulary that coordinators keep: topics and organisations with their aliases, and the statements
that rename, alias, describe, retire and merge them (the actions are in :mod:`graphapp.vocabulary`).

A merge moves what points at the merged node to the kept one: members' interests (``INTERESTED_IN``, with
their level) and workstreams' ``COVERS`` for a topic, members' ``WORKS_AT`` for an organisation, and the
ids that asks and requests to join keep in their properties; then the merged node goes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.schema import LEVELS

__all__ = [
    "RETIRED",
    "covering_workstreams",
    "delete_node",
    "hold_vocabulary",
    "holders",
    "interests_of",
    "organisation_vocabulary",
    "retired_topics",
    "topic_vocabulary",
    "vocabulary_of",
]

#: A topic's status once a coordinator retired it (unset or empty: in use).
RETIRED = "retired"

TOPICS = Rows(
    "MATCH (t:Topic) OPTIONAL MATCH (t)<-[r:INTERESTED_IN]-(:Member) WITH t, r.level AS level, count(r) AS n",
    id="t.id",
    name="t.name",
    aliases="t.aliases",
    description="t.description",
    status="t.status",
    name_fr="t.name_fr",
    name_ru="t.name_ru",
    level="level",
    n="n",
)
TOPIC_COVERS = Rows("MATCH (w:Workstream)-[:COVERS]->(t:Topic)", topic="t.id", workstream="w.id")
ORGANISATIONS = Rows(
    "MATCH (o:Organisation) OPTIONAL MATCH (o)<-[w:WORKS_AT]-(:Member) WITH o, count(w) AS n",
    id="o.id",
    name="o.name",
    aliases="o.aliases",
    kind="o.kind",
    country="o.country",
    name_fr="o.name_fr",
    name_ru="o.name_ru",
    n="n",
)
RETIRED_TOPICS = Rows("MATCH (t:Topic) WHERE t.status = 'retired'", id="t.id")

SET_TOPIC = Cypher(
    "MATCH (t:Topic {id: $id}) SET t.name = $name, t.aliases = $aliases, t.description = $description, "
    "t.status = $status RETURN t.id AS id"
)
SET_ORGANISATION = Cypher(
    "MATCH (o:Organisation {id: $id}) SET o.name = $name, o.aliases = $aliases RETURN o.id AS id"
)
#: A topic's or organisation's French and Russian names (null: none), by label (a constant).
SET_TRANSLATED_NAMES = {
    label: Cypher(
        f"MATCH (n:{label} {{id: $id}}) SET n.name_fr = $name_fr, n.name_ru = $name_ru RETURN n.id AS id"
    )
    for label in ("Topic", "Organisation")
}

# Who holds a topic, and at which level; the interests of some members (for their history).
HOLDERS = Rows("MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic {id: $topic})", member="m.id", level="r.level")
INTERESTS_OF = Rows(
    "UNWIND $ids AS mid MATCH (m:Member {id: mid}) "
    "OPTIONAL MATCH (m)-[r:INTERESTED_IN]->(t:Topic) WITH m, r, t WHERE t IS NOT NULL",
    member="m.id",
    topic="t.id",
    level="r.level",
)
SET_LEVELS = Cypher(
    "UNWIND $rows AS row MATCH (m:Member {id: row.member})-[r:INTERESTED_IN]->(t:Topic {id: $topic}) "
    "SET r.level = row.level"
)
ADD_INTERESTS = Cypher(
    "UNWIND $rows AS row MATCH (m:Member {id: row.member}), (t:Topic {id: $topic}) "
    "CREATE (m)-[r:INTERESTED_IN]->(t) SET r.level = row.level"
)
COVERING = Rows("MATCH (w:Workstream)-[:COVERS]->(t:Topic {id: $topic})", workstream="w.id", name="w.name")
COVERED_BY = Rows("MATCH (w:Workstream {id: $workstream})-[:COVERS]->(t:Topic)", topic="t.id")
ADD_COVERS = Cypher(
    "UNWIND $ids AS wid MATCH (w:Workstream {id: wid}), (t:Topic {id: $topic}) CREATE (w)-[:COVERS]->(t)"
)
EMPLOYEES = Rows("MATCH (m:Member)-[:WORKS_AT]->(o:Organisation {id: $organisation})", member="m.id")
ADD_EMPLOYEES = Cypher(
    "UNWIND $ids AS mid MATCH (m:Member {id: mid}), (o:Organisation {id: $organisation}) "
    "CREATE (m)-[:WORKS_AT]->(o)"
)
DELETE_NODE = {
    "Topic": Cypher("MATCH (n:Topic {id: $id}) DETACH DELETE n"),
    "Organisation": Cypher("MATCH (n:Organisation {id: $id}) DETACH DELETE n"),
}

# Writing the graph's revision to itself takes its write lock for the rest of the transaction (every write
# transaction writes it as it ends): vocabulary changes run one at a time on Neo4j, so that two coordinators
# cannot give one spelling to two topics, or merge A into B while B goes into C. (LadybugDB has one writer.)
HOLD_VOCABULARY = Cypher("MATCH (m:GraphappMeta {key: 'revision'}) SET m.value = m.value")

# What names a topic or organisation by id outside the relationships: asks (topic ids), requests to join
# ("topic-id:level", issue topics, an organisation id) and topic proposals (the topic they became).
ASKS_ON = Rows("MATCH (a:Ask) WHERE $topic IN a.topics", id="a.id", topics="a.topics")
SET_ASK_TOPICS = Cypher("UNWIND $rows AS row MATCH (a:Ask {id: row.id}) SET a.topics = row.topics")
REQUESTS = Rows(
    "MATCH (j:JoinRequest)",
    id="j.id",
    topics="j.topics",
    issue_topics="j.issue_topics",
    organisation="j.organisation",
)
SET_REQUEST_TOPICS = Cypher(
    "UNWIND $rows AS row MATCH (j:JoinRequest {id: row.id}) "
    "SET j.topics = row.topics, j.issue_topics = row.issue_topics"
)
SET_REQUEST_ORGANISATION = Cypher(
    "MATCH (j:JoinRequest) WHERE j.organisation = $merged SET j.organisation = $kept"
)
SET_PROPOSAL_TOPIC = Cypher("MATCH (p:TopicProposal) WHERE p.topic = $merged SET p.topic = $kept")


def hold_vocabulary(tx: Tx) -> None:
    """Wait for any other write to end, and hold the others off until this transaction ends."""
    tx.run(HOLD_VOCABULARY)


def topic_vocabulary(tx: Tx) -> list[dict[str, Any]]:
    """Every topic with its aliases, description, status, French and Russian names (``name_fr``,
    ``name_ru``, "" when none), holders per level (``learning``...) and in all
    (``n``), and the workstreams that cover it, by name."""
    covers: dict[str, list[str]] = defaultdict(list)
    for row in TOPIC_COVERS.run(tx):
        covers[row["topic"]].append(row["workstream"])
    out: dict[str, dict[str, Any]] = {}
    for row in TOPICS.run(tx):
        entry = out.setdefault(
            row["id"],
            {
                "id": row["id"],
                "name": row["name"],
                "aliases": sorted(row["aliases"] or []),
                "description": row["description"] or "",
                "status": row["status"] or "",
                "name_fr": row["name_fr"] or "",
                "name_ru": row["name_ru"] or "",
                **dict.fromkeys(LEVELS, 0),
                "n": 0,
                "covered_by": sorted(covers[row["id"]]),
            },
        )
        if row["level"] in LEVELS:
            entry[row["level"]] += row["n"]
            entry["n"] += row["n"]
    return sorted(out.values(), key=lambda t: (t["name"].casefold(), t["id"]))


def organisation_vocabulary(tx: Tx) -> list[dict[str, Any]]:
    """Every organisation with its aliases, kind, country, French and Russian names (``name_fr``,
    ``name_ru``, "" when none) and number of members, by name."""
    rows = [
        {
            **r,
            "aliases": sorted(r["aliases"] or []),
            "name_fr": r["name_fr"] or "",
            "name_ru": r["name_ru"] or "",
        }
        for r in ORGANISATIONS.run(tx)
    ]
    return sorted(rows, key=lambda o: (o["name"].casefold(), o["id"]))


def vocabulary_of(tx: Tx) -> dict[str, list[dict[str, Any]]]:
    """The whole vocabulary: ``topics`` and ``organisations`` (as :func:`topic_vocabulary` and
    :func:`organisation_vocabulary` give them)."""
    return {"topics": topic_vocabulary(tx), "organisations": organisation_vocabulary(tx)}


def retired_topics(tx: Tx) -> set[str]:
    """The ids of the retired topics."""
    return {r["id"] for r in RETIRED_TOPICS.run(tx)}


def set_topic(tx: Tx, topic: str, name: str, aliases: list[str], description: str, status: str) -> bool:
    return bool(
        tx.run(SET_TOPIC, id=topic, name=name, aliases=aliases, description=description, status=status)
    )


def set_organisation(tx: Tx, organisation: str, name: str, aliases: list[str]) -> bool:
    return bool(tx.run(SET_ORGANISATION, id=organisation, name=name, aliases=aliases))


def set_translated_names(tx: Tx, label: str, node: str, name_fr: str, name_ru: str) -> bool:
    """Set a topic's or organisation's (``label``) French and Russian names; an empty one is removed."""
    return bool(
        tx.run(SET_TRANSLATED_NAMES[label], id=node, name_fr=name_fr or None, name_ru=name_ru or None)
    )


def holders(tx: Tx, topic: str) -> dict[str, str]:
    """Who holds ``topic``, and at which level."""
    return {r["member"]: r["level"] for r in HOLDERS.run(tx, topic=topic)}


def interests_of(tx: Tx, members: list[str]) -> dict[str, list[str]]:
    """Each of these members' interests as a sorted list of "topic-id:level" (the history's format)."""
    out: dict[str, list[str]] = {m: [] for m in members}
    for row in INTERESTS_OF.run(tx, ids=members):
        out[row["member"]].append(f"{row['topic']}:{row['level']}")
    return {m: sorted(v) for m, v in out.items()}


def set_levels(tx: Tx, topic: str, rows: list[dict[str, str]]) -> None:
    if rows:
        tx.run(SET_LEVELS, topic=topic, rows=rows)


def add_interests(tx: Tx, topic: str, rows: list[dict[str, str]]) -> None:
    if rows:
        tx.run(ADD_INTERESTS, topic=topic, rows=rows)


def covering_workstreams(tx: Tx, topic: str) -> list[dict[str, Any]]:
    """The workstreams that cover ``topic`` (``workstream``, ``name``), by id."""
    return sorted(COVERING.run(tx, topic=topic), key=lambda w: w["workstream"])


def topics_covered(tx: Tx, workstream: str) -> list[str]:
    """The ids of the topics a workstream covers, sorted."""
    return sorted(r["topic"] for r in COVERED_BY.run(tx, workstream=workstream))


def add_covers(tx: Tx, topic: str, workstreams: list[str]) -> None:
    if workstreams:
        tx.run(ADD_COVERS, topic=topic, ids=workstreams)


def employees(tx: Tx, organisation: str) -> list[str]:
    return sorted(r["member"] for r in EMPLOYEES.run(tx, organisation=organisation))


def add_employees(tx: Tx, organisation: str, members: list[str]) -> None:
    if members:
        tx.run(ADD_EMPLOYEES, organisation=organisation, ids=members)


def delete_node(tx: Tx, label: str, node_id: str) -> None:
    """Remove a topic or organisation and its relationships."""
    tx.run(DELETE_NODE[label], id=node_id)


def _renamed(values: list[str] | None, merged: str, kept: str) -> list[str]:
    """A list of ids (or "id:level"s) with ``merged`` named as ``kept``, each once, in order.

    >>> _renamed(["b", "c", "a"], "b", "a")
    ['a', 'c']
    >>> _renamed(["b:expert", "a:learning"], "b", "a")  # (the higher level is kept)
    ['a:expert']
    """
    out: dict[str, str] = {}
    for value in values or []:
        head, sep, tail = value.partition(":")
        head = kept if head == merged else head
        if head in out and sep:
            tail = max(out[head].partition(":")[2], tail, key=_rank)
        out[head] = f"{head}{sep}{tail}"
    return list(out.values())


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def rename_topic_references(tx: Tx, merged: str, kept: str) -> None:
    """Asks, requests to join and topic proposals that name ``merged`` name ``kept`` instead."""
    asks = [
        {"id": a["id"], "topics": _renamed(a["topics"], merged, kept)} for a in ASKS_ON.run(tx, topic=merged)
    ]
    if asks:
        tx.run(SET_ASK_TOPICS, rows=asks)
    requests = []
    for r in REQUESTS.run(tx):
        named = [v.partition(":")[0] for v in (r["topics"] or []) + (r["issue_topics"] or [])]
        if merged in named:
            requests.append(
                {
                    "id": r["id"],
                    "topics": _renamed(r["topics"], merged, kept),
                    "issue_topics": _renamed(r["issue_topics"], merged, kept),
                }
            )
    if requests:
        tx.run(SET_REQUEST_TOPICS, rows=requests)
    tx.run(SET_PROPOSAL_TOPIC, merged=merged, kept=kept)


def rename_organisation_references(tx: Tx, merged: str, kept: str) -> None:
    """Requests to join that name ``merged`` as their organisation name ``kept`` instead."""
    tx.run(SET_REQUEST_ORGANISATION, merged=merged, kept=kept)

"""Contact-map subgraphs: the neighbourhood of a member, or everyone around a topic, workstream,
organisation, country or region, as nodes and relationships with their properties.

Nodes are keyed ``Label:id`` (ids are unique within a label only); relationships name their ends by key.
The front end and the exports draw from these.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphapp.queries.cypher import Rows, Tx
from graphapp.queries.members import FILTERED, MemberFilter
from graphapp.queries.schema import ALL_NODES, ALL_RELS, NODES, NODES_BY_ID, RELATIONSHIPS, RELS_FROM, RELS_TO

__all__ = [
    "AGGREGATES",
    "SUBGRAPH_KINDS",
    "UnknownSubject",
    "aggregated",
    "neighbourhood",
    "subgraph",
    "whole_network",
]

SUBGRAPH_KINDS = ("topic", "workstream", "organisation", "country", "region")
#: What the explorer and the contact-map exports leave out for now: the competence taxonomy (its areas, and
#: the links from topics to them and between them) and the journey (projects, themes, resources and their
#: links). Issue 14 §6 adds them, with shapes of their own.
NOT_DRAWN_LABELS = frozenset({"Area", "Project", "Theme", "Resource"})
NOT_DRAWN_TYPES = frozenset(
    {
        "BROADER",
        "IN_AREA",
        "RUN_BY",
        "WORKS_ON",
        "ON_TOPIC",
        "IN_WORKSTREAM",
        "SERVES",
        "OF_THEME",
        "ABOUT",
        "FOR_WORKSTREAM",
        "SHARED",
    }
)
#: The labels and relationship types a map may hold.
DRAWN_NODES = [label for label in NODES if label not in NOT_DRAWN_LABELS]
DRAWN_RELATIONSHIPS = {t: spec for t, spec in RELATIONSHIPS.items() if t not in NOT_DRAWN_TYPES}
AGGREGATES = ("organisation", "topic")

MEMBERS_OF: dict[str, Rows] = {
    "topic": Rows("MATCH (m:Member)-[:INTERESTED_IN]->(:Topic {id: $value})", id="m.id"),
    "workstream": Rows("MATCH (m:Member)-[:MEMBER_OF]->(:Workstream {id: $value})", id="m.id"),
    "organisation": Rows("MATCH (m:Member)-[:WORKS_AT]->(:Organisation {id: $value})", id="m.id"),
    "country": Rows("MATCH (m:Member) WHERE m.country = $value", id="m.id"),
    "region": Rows("MATCH (m:Member) WHERE m.region = $value", id="m.id"),
}
SUBJECT_LABEL = {"topic": "Topic", "workstream": "Workstream", "organisation": "Organisation"}


class UnknownSubject(LookupError):
    pass


def key(label: str, node_id: str) -> str:
    return f"{label}:{node_id}"


def _graph(tx: Tx, nodes: dict[str, set[str]], rels: list[dict[str, Any]]) -> dict[str, Any]:
    out_nodes = []
    for label in DRAWN_NODES:
        ids = sorted(nodes.get(label, ()))
        if ids:
            for props in sorted(NODES_BY_ID[label].run(tx, ids=ids), key=lambda p: p["id"]):
                out_nodes.append(
                    {
                        "key": key(label, props["id"]),
                        "label": label,
                        "properties": {k: v for k, v in props.items() if v is not None},
                    }
                )
    seen = set()
    out_rels = []
    for r in sorted(rels, key=lambda r: (r["type"], r["source"], r["target"])):
        ident = (r["type"], r["source"], r["target"])
        if ident not in seen:
            seen.add(ident)
            out_rels.append(r)
    return {"nodes": out_nodes, "relationships": out_rels}


def _rel(t: str, row: dict[str, Any]) -> dict[str, Any]:
    spec = RELATIONSHIPS[t]
    props = {p: row[p] for p in spec.properties if row.get(p) is not None}
    return {
        "type": t,
        "source": key(spec.source, row["source"]),
        "target": key(spec.target, row["target"]),
        "properties": props,
    }


def _expand(tx: Tx, frontier: dict[str, set[str]]) -> tuple[dict[str, set[str]], list[dict[str, Any]]]:
    """One hop from the frontier, along every relationship type, both ways."""
    found: dict[str, set[str]] = defaultdict(set)
    rels = []
    for t, spec in DRAWN_RELATIONSHIPS.items():
        if frontier.get(spec.source):
            for row in RELS_FROM[t].run(tx, ids=sorted(frontier[spec.source])):
                rels.append(_rel(t, row))
                found[spec.target].add(row["target"])
        if frontier.get(spec.target):
            for row in RELS_TO[t].run(tx, ids=sorted(frontier[spec.target])):
                rels.append(_rel(t, row))
                found[spec.source].add(row["source"])
    return found, rels


def neighbourhood(tx: Tx, member: str, depth: int = 1) -> dict[str, Any]:
    """A member and everything within ``depth`` (1 or 2) hops: organisation, topics, workstreams, contacts."""
    if depth not in (1, 2):
        raise ValueError("depth must be 1 or 2")
    if not NODES_BY_ID["Member"].run(tx, ids=[member]):
        raise UnknownSubject(f"no member with the id {member!r}")
    nodes: dict[str, set[str]] = defaultdict(set, {"Member": {member}})
    frontier: dict[str, set[str]] = {"Member": {member}}
    rels: list[dict[str, Any]] = []
    for _ in range(depth):
        found, new_rels = _expand(tx, frontier)
        rels += new_rels
        frontier = {label: ids - nodes[label] for label, ids in found.items()}
        for label, ids in found.items():
            nodes[label] |= ids
    return _graph(tx, nodes, rels)


def subgraph(tx: Tx, kind: str, value: str) -> dict[str, Any]:
    """The people of a topic, workstream, organisation, country (ISO alpha-3) or region, with their
    organisations, topics and workstreams, and the contacts among them."""
    if kind not in SUBGRAPH_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SUBGRAPH_KINDS)}")
    members = {r["id"] for r in MEMBERS_OF[kind].run(tx, value=value)}
    label = SUBJECT_LABEL.get(kind)
    if label and not NODES_BY_ID[label].run(tx, ids=[value]):
        raise UnknownSubject(f"no {kind} with the id {value!r}")
    nodes: dict[str, set[str]] = defaultdict(set, {"Member": set(members)})
    if label:
        nodes[label].add(value)
    found, rels = _expand(tx, {"Member": members})
    for lbl in ("Organisation", "Topic", "Workstream"):
        nodes[lbl] |= found.get(lbl, set())
    # Contacts only among the people shown; COVERS only between workstreams and topics shown.
    kept = [
        r
        for r in rels
        if r["type"] != "KNOWS"
        or (r["source"].split(":", 1)[1] in members and r["target"].split(":", 1)[1] in members)
    ]
    for row in RELS_FROM["COVERS"].run(tx, ids=sorted(nodes["Workstream"])):
        if row["target"] in nodes["Topic"]:
            kept.append(_rel("COVERS", row))
    return _graph(tx, nodes, kept)


def whole_network(tx: Tx) -> dict[str, Any]:
    """Every node and relationship (a topic nobody holds is part of the picture too)."""
    nodes = {label: {r["id"] for r in ALL_NODES[label].run(tx)} for label in DRAWN_NODES}
    rels = [_rel(t, row) for t in DRAWN_RELATIONSHIPS for row in ALL_RELS[t].run(tx)]
    return _graph(tx, nodes, rels)


# Aggregated views, for networks too big to draw person by person: organisations joined by the contacts
# between their people, or topics joined by the people who hold both. Counted in the database.
AGGREGATE_NODES = {
    "organisation": Rows(
        FILTERED + "MATCH (m)-[:WORKS_AT]->(o:Organisation) WITH o, count(*) AS n",
        id="o.id",
        name="o.name",
        n="n",
    ),
    "topic": Rows(
        FILTERED + "MATCH (m)-[:INTERESTED_IN]->(t:Topic) WITH t, count(*) AS n",
        id="t.id",
        name="t.name",
        n="n",
    ),
}
AGGREGATE_LINKS = {
    # One row per contact seen from a member in the view (a contact inside the view comes twice, once from
    # each end: they are told apart by the two people's ids).
    "organisation": Rows(
        FILTERED
        + "MATCH (m)-[:WORKS_AT]->(a:Organisation), (m)-[:KNOWS]-(c:Member)-[:WORKS_AT]->(b:Organisation) "
        "WHERE a.id <> b.id",
        source="a.id",
        target="b.id",
        via="[m.id, c.id]",
    ),
    "topic": Rows(
        FILTERED + "MATCH (a:Topic)<-[:INTERESTED_IN]-(m)-[:INTERESTED_IN]->(b:Topic) WHERE a.id < b.id",
        source="a.id",
        target="b.id",
        via="[m.id]",
    ),
}
AGGREGATE_LABEL = {"organisation": "Organisation", "topic": "Topic"}
AGGREGATE_LINK_TYPE = {"organisation": "CONTACTS", "topic": "SHARED_MEMBERS"}


def aggregated(tx: Tx, by: str, where: MemberFilter | None = None) -> dict[str, Any]:
    """Organisations (or topics) of the members that pass ``where`` as nodes, with ``members`` counted;
    weighted links: the contacts between two organisations' people, or the people holding both topics."""
    if by not in AGGREGATES:
        raise ValueError(f"aggregate by one of {', '.join(AGGREGATES)}")
    params = (where or MemberFilter()).params()
    label = AGGREGATE_LABEL[by]
    nodes: list[dict[str, Any]] = []
    for row in sorted(AGGREGATE_NODES[by].run(tx, **params), key=lambda r: r["id"]):
        props = {"id": row["id"], "name": row["name"], "members": row["n"]}
        nodes.append({"key": key(label, row["id"]), "label": label, "properties": props})
    shown = {n["properties"]["id"] for n in nodes}
    via: dict[tuple[str, str], set[frozenset[str]]] = defaultdict(set)
    for row in AGGREGATE_LINKS[by].run(tx, **params):
        if row["target"] in shown:
            pair = (min(row["source"], row["target"]), max(row["source"], row["target"]))
            via[pair].add(frozenset(row["via"]))
    weights = {pair: len(people) for pair, people in via.items()}
    rels = [
        {
            "type": AGGREGATE_LINK_TYPE[by],
            "source": key(label, a),
            "target": key(label, b),
            "properties": {"weight": n},
        }
        for (a, b), n in sorted(weights.items())
    ]
    return {"nodes": nodes, "relationships": rels}

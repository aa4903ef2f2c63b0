"""Contact-map subgraphs: the neighbourhood of a member, or everyone around a topic, workstream,
organisation, country or region, as nodes and relationships with their properties.

Nodes are keyed ``Label:id`` (ids are unique within a label only); relationships name their ends by key.
The front end and the exports draw from these.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from queries.cypher import Rows, Tx
from queries.schema import NODES, NODES_BY_ID, RELATIONSHIPS, RELS_FROM, RELS_TO

__all__ = ["SUBGRAPH_KINDS", "UnknownSubject", "neighbourhood", "subgraph"]

SUBGRAPH_KINDS = ("topic", "workstream", "organisation", "country", "region")

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
    for label in NODES:
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
    for t, spec in RELATIONSHIPS.items():
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

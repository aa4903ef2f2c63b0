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
    "member_names",
    "members_named",
    "neighbourhood",
    "subgraph",
    "whole_network",
]

SUBGRAPH_KINDS = ("topic", "workstream", "organisation", "country", "region")
#: Nothing is left out of the maps any more: issue 14 §6 draws the competence taxonomy and the journey too.
NOT_DRAWN_LABELS: frozenset[str] = frozenset()
NOT_DRAWN_TYPES: frozenset[str] = frozenset()
#: The labels and relationship types a map may hold.
DRAWN_NODES = [label for label in NODES if label not in NOT_DRAWN_LABELS]
DRAWN_RELATIONSHIPS = {t: spec for t, spec in RELATIONSHIPS.items() if t not in NOT_DRAWN_TYPES}
#: The people's network: maps grow from people along these, hop by hop.
NETWORK_TYPES = ("WORKS_AT", "INTERESTED_IN", "MEMBER_OF", "COVERS", "KNOWS")
#: The journey and the competence taxonomy (issue 14): projects, themes, areas, resources.
JOURNEY_LABELS = ("Project", "Theme", "Area", "Resource")
JOURNEY_TYPES = tuple(t for t in DRAWN_RELATIONSHIPS if t not in NETWORK_TYPES)
#: Around a member, the journey comes in through people, projects and resources only: their projects and
#: what they shared, a project's team, organisation, topics and workstream, a resource's topics. Never
#: from an organisation, topic or workstream (that would bring every project and resource of each topic
#: the member holds), and never the themes or the taxonomy.
PERSONAL = frozenset({"Member", "Project", "Resource"})
#: How a map too big to draw person by person groups its people: by organisation, country or region (each
#: group a node, joined by the contacts between their people), or shows topics joined by shared people.
AGGREGATES = ("organisation", "country", "region", "topic")

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


MEMBERS_NAMED = Rows("MATCH (m:Member) WHERE toLower(m.name) = $name", id="m.id", name="m.name")
MEMBER_NAMES = Rows("MATCH (m:Member)", id="m.id", name="m.name")


def members_named(tx: Tx, name: str) -> list[dict[str, Any]]:
    """The members called ``name`` (any case), as ``id`` and ``name``."""
    return MEMBERS_NAMED.run(tx, name=name.strip().lower())


def member_names(tx: Tx) -> list[dict[str, Any]]:
    """Every member's id and name (to offer the closest names to one typed that names nobody)."""
    return MEMBER_NAMES.run(tx)


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


def _expand(
    tx: Tx, frontier: dict[str, set[str]], personal: bool = False
) -> tuple[dict[str, set[str]], list[dict[str, Any]]]:
    """One hop from the frontier, both ways, along the people's network; with ``personal``, also along the
    journey's links from people, projects and resources (see :data:`PERSONAL`)."""
    found: dict[str, set[str]] = defaultdict(set)
    rels = []
    for t in NETWORK_TYPES:
        spec = RELATIONSHIPS[t]
        if frontier.get(spec.source):
            for row in RELS_FROM[t].run(tx, ids=sorted(frontier[spec.source])):
                rels.append(_rel(t, row))
                found[spec.target].add(row["target"])
        if frontier.get(spec.target):
            for row in RELS_TO[t].run(tx, ids=sorted(frontier[spec.target])):
                rels.append(_rel(t, row))
                found[spec.source].add(row["source"])
    for t in JOURNEY_TYPES if personal else ():
        spec = RELATIONSHIPS[t]
        if spec.source in PERSONAL and frontier.get(spec.source):
            for row in RELS_FROM[t].run(tx, ids=sorted(frontier[spec.source])):
                rels.append(_rel(t, row))
                found[spec.target].add(row["target"])
        if spec.target in PERSONAL and frontier.get(spec.target):
            for row in RELS_TO[t].run(tx, ids=sorted(frontier[spec.target])):
                rels.append(_rel(t, row))
                found[spec.source].add(row["source"])
    return found, rels


def _ids_from(tx: Tx, t: str, ids: set[str] | list[str]) -> set[str]:
    """The far ends of ``t`` relationships from these ids (the sources' targets)."""
    return {row["target"] for row in RELS_FROM[t].run(tx, ids=sorted(ids))} if ids else set()


def _ids_to(tx: Tx, t: str, ids: set[str] | list[str]) -> set[str]:
    """The near ends of ``t`` relationships to these ids (the targets' sources)."""
    return {row["source"] for row in RELS_TO[t].run(tx, ids=sorted(ids))} if ids else set()


def _with_broader(tx: Tx, areas: set[str]) -> set[str]:
    """The areas and every area above them (the taxonomy is a tree; a cycle in it stops where it closes)."""
    held = set(areas)
    frontier = set(areas)
    while frontier:
        frontier = _ids_from(tx, "BROADER", frontier) - held
        held |= frontier
    return held


def _journey_links(tx: Tx, nodes: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Every journey and taxonomy relationship between two nodes of the map (looked up from its projects,
    themes, areas and resources, which are few)."""
    rels = []
    for t in JOURNEY_TYPES:
        spec = RELATIONSHIPS[t]
        if not (nodes.get(spec.source) and nodes.get(spec.target)):
            continue  # (nothing to join: a statement saved, a few milliseconds each on LadybugDB)
        if spec.source in JOURNEY_LABELS:
            if nodes.get(spec.source):
                for row in RELS_FROM[t].run(tx, ids=sorted(nodes[spec.source])):
                    if row["target"] in nodes.get(spec.target, ()):
                        rels.append(_rel(t, row))
        elif nodes.get(spec.target):
            for row in RELS_TO[t].run(tx, ids=sorted(nodes[spec.target])):
                if row["source"] in nodes.get(spec.source, ()):
                    rels.append(_rel(t, row))
    return rels


def neighbourhood(tx: Tx, member: str, depth: int = 1) -> dict[str, Any]:
    """A member and everything within ``depth`` (1 or 2) hops: organisation, topics, workstreams, contacts,
    projects and the resources they shared; at depth 2 also their projects' teams, organisations, topics and
    workstreams, and their contacts' projects (never the themes or the taxonomy: see :data:`PERSONAL`)."""
    if depth not in (1, 2):
        raise ValueError("depth must be 1 or 2")
    if not NODES_BY_ID["Member"].run(tx, ids=[member]):
        raise UnknownSubject(f"no member with the id {member!r}")
    nodes: dict[str, set[str]] = defaultdict(set, {"Member": {member}})
    frontier: dict[str, set[str]] = {"Member": {member}}
    rels: list[dict[str, Any]] = []
    for _ in range(depth):
        found, new_rels = _expand(tx, frontier, personal=True)
        rels += new_rels
        frontier = {label: ids - nodes[label] for label, ids in found.items()}
        for label, ids in found.items():
            nodes[label] |= ids
    return _graph(tx, nodes, rels + _journey_links(tx, nodes))


def subgraph(tx: Tx, kind: str, value: str) -> dict[str, Any]:
    """The people of a topic, workstream, organisation, country (ISO alpha-3) or region, with their
    organisations, topics and workstreams, and the contacts among them; and what the subject holds of the
    journey (:func:`_journey_of`), with every link among what is shown."""
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
    for lbl, ids in _journey_of(tx, kind, value, members).items():
        nodes[lbl] |= ids
    return _graph(tx, nodes, kept + _journey_links(tx, nodes))


def _journey_of(tx: Tx, kind: str, value: str, members: set[str]) -> dict[str, set[str]]:
    """What a map of a topic, workstream, organisation or place holds of the journey, chosen for people who
    want to see who does what (not the whole taxonomy): a topic's projects, resources and themes and the
    competence areas it sits in with the areas above them; a workstream's projects, themes and resources;
    an organisation's projects; a country's or region's, the projects its people work on. Each project
    brings its organisation; its other members do not come with it (the people of a map are its subject's)."""
    found: dict[str, set[str]] = defaultdict(set)
    if kind == "topic":
        found["Project"] = _ids_to(tx, "ON_TOPIC", [value])
        found["Resource"] = _ids_to(tx, "ABOUT", [value])
        found["Theme"] = _ids_from(tx, "OF_THEME", [value])
        found["Area"] = _with_broader(tx, _ids_from(tx, "IN_AREA", [value]))
    elif kind == "workstream":
        found["Project"] = _ids_to(tx, "IN_WORKSTREAM", [value])
        found["Theme"] = _ids_from(tx, "SERVES", [value])
        found["Resource"] = _ids_to(tx, "FOR_WORKSTREAM", [value])
    elif kind == "organisation":
        found["Project"] = _ids_to(tx, "RUN_BY", [value])
    else:
        found["Project"] = _ids_from(tx, "WORKS_ON", members)
    found["Organisation"] = _ids_from(tx, "RUN_BY", found["Project"])
    return found


def whole_network(tx: Tx) -> dict[str, Any]:
    """Every node and relationship (a topic nobody holds is part of the picture too; every project, theme,
    competence area and resource)."""
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
    "country": Rows(
        FILTERED + "WITH m WHERE m.country IS NOT NULL AND m.country <> '' "
        "WITH m.country AS c, m.region AS r, count(*) AS n",
        id="c",
        name="c",
        region="r",
        n="n",
    ),
    "region": Rows(
        FILTERED + "WITH m WHERE m.region IS NOT NULL AND m.region <> '' WITH m.region AS r, count(*) AS n",
        id="r",
        name="r",
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
    "country": Rows(
        FILTERED + "MATCH (m)-[:KNOWS]-(c:Member) WHERE m.country <> c.country",
        source="m.country",
        target="c.country",
        via="[m.id, c.id]",
    ),
    "region": Rows(
        FILTERED + "MATCH (m)-[:KNOWS]-(c:Member) WHERE m.region <> c.region",
        source="m.region",
        target="c.region",
        via="[m.id, c.id]",
    ),
    "topic": Rows(
        FILTERED + "MATCH (a:Topic)<-[:INTERESTED_IN]-(m)-[:INTERESTED_IN]->(b:Topic) WHERE a.id < b.id",
        source="a.id",
        target="b.id",
        via="[m.id]",
    ),
}
#: The kind of node each grouping draws: Country and Region are groups of people, not nodes of the model.
AGGREGATE_LABEL = {"organisation": "Organisation", "country": "Country", "region": "Region", "topic": "Topic"}
AGGREGATE_LINK_TYPE = {
    "organisation": "CONTACTS",
    "country": "CONTACTS",
    "region": "CONTACTS",
    "topic": "SHARED_MEMBERS",
}


def aggregated(tx: Tx, by: str, where: MemberFilter | None = None) -> dict[str, Any]:
    """Organisations, countries, regions (or topics) of the members that pass ``where`` as nodes, with
    ``members`` counted; weighted links: the contacts between two groups' people, or the people holding
    both topics."""
    if by not in AGGREGATES:
        raise ValueError(f"aggregate by one of {', '.join(AGGREGATES)}")
    params = (where or MemberFilter()).params()
    label = AGGREGATE_LABEL[by]
    groups: dict[str, dict[str, Any]] = {}
    for row in sorted(AGGREGATE_NODES[by].run(tx, **params), key=lambda r: (r["id"], str(r.get("region")))):
        # (a country's people counted once per region given: one node, the first region named)
        props = groups.setdefault(row["id"], {"id": row["id"], "name": row["name"], "members": 0})
        props["members"] += row["n"]
        if row.get("region") and "region" not in props:
            props["region"] = row["region"]
    nodes: list[dict[str, Any]] = [
        {"key": key(label, g), "label": label, "properties": props} for g, props in groups.items()
    ]
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

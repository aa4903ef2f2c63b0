"""The competence taxonomy: areas (``Area``), each narrower area's broader one (``BROADER``) and the areas a
topic sits in (``IN_AREA``); reading it whole, replacing it whole, and moving a merged topic's places (the
actions are in :mod:`graphapp.taxonomy`)."""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.schema import CREATE_NODES, CREATE_RELS, batches

__all__ = [
    "areas",
    "broader_links",
    "move_places",
    "places",
    "places_of_topic",
    "replace_taxonomy",
]

AREAS = Rows(
    "MATCH (a:Area)",
    id="a.id",
    name="a.name",
    description="a.description",
    position="a.position",
    source="a.source",
)
BROADER = Rows("MATCH (a:Area)-[:BROADER]->(b:Area)", area="a.id", broader="b.id")
PLACES = Rows("MATCH (t:Topic)-[:IN_AREA]->(a:Area)", topic="t.id", area="a.id")
PLACES_OF_TOPIC = Rows("MATCH (t:Topic {id: $topic})-[:IN_AREA]->(a:Area)", area="a.id")
DELETE_AREAS = Cypher("MATCH (a:Area) DETACH DELETE a")
#: A merged topic's places go to the kept topic (those it has already are left as they are).
MOVE_PLACES = Cypher(
    "MATCH (m:Topic {id: $merged})-[:IN_AREA]->(a:Area), (k:Topic {id: $kept}) "
    "WHERE NOT EXISTS { MATCH (k)-[:IN_AREA]->(a) } CREATE (k)-[:IN_AREA]->(a)"
)


def areas(tx: Tx) -> list[dict[str, Any]]:
    """Every area (``id``, ``name``, ``description``, ``position``, ``source``), in the file's order."""
    return sorted(AREAS.run(tx), key=lambda a: (a["position"] or "", a["id"]))


def broader_links(tx: Tx) -> dict[str, str]:
    """Each narrower area's broader area, by id."""
    return {r["area"]: r["broader"] for r in BROADER.run(tx)}


def places(tx: Tx) -> set[tuple[str, str]]:
    """Every (topic id, area id) placement."""
    return {(r["topic"], r["area"]) for r in PLACES.run(tx)}


def places_of_topic(tx: Tx, topic: str) -> list[str]:
    """The ids of the areas a topic sits in, sorted."""
    return sorted(r["area"] for r in PLACES_OF_TOPIC.run(tx, topic=topic))


def replace_taxonomy(
    tx: Tx, nodes: list[dict[str, Any]], broader: list[dict[str, str]], placed: list[dict[str, str]]
) -> None:
    """Remove every area (and so every placement) and write these instead: ``nodes`` with every Area
    property, ``broader`` and ``placed`` as ``source``/``target`` rows."""
    tx.run(DELETE_AREAS)
    for batch in batches(nodes):
        tx.run(CREATE_NODES["Area"], rows=batch)
    for batch in batches(broader):
        tx.run(CREATE_RELS["BROADER"], rows=batch)
    for batch in batches(placed):
        tx.run(CREATE_RELS["IN_AREA"], rows=batch)


def move_places(tx: Tx, merged: str, kept: str) -> None:
    """Give the kept topic of a merge every area the merged one sits in (before the merged one goes)."""
    tx.run(MOVE_PLACES, merged=merged, kept=kept)

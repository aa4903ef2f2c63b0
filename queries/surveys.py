"""Saved survey mappings (label ``SurveyMapping``, see :data:`graphapp.queries.schema.WORKFLOW_LABELS`):
each a name and the mapping's JSON, kept in the graph so that every process (the web app's, the CLI) sees
them, and kept in backups; and the members a survey's answers may be the same person as (by name and
organisation)."""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx

__all__ = ["delete_mapping", "mapping_by_id", "mappings", "members_at", "put_mapping", "topic_names"]

MAPPINGS = Rows("MATCH (n:SurveyMapping)", id="n.id", name="n.name", saved="n.saved", saved_by="n.saved_by")
MAPPING = Rows(
    "MATCH (n:SurveyMapping {id: $id})",
    id="n.id",
    name="n.name",
    mapping="n.mapping",
    saved="n.saved",
    saved_by="n.saved_by",
)
DELETE = Cypher("MATCH (n:SurveyMapping {id: $id}) DELETE n")
CREATE = Cypher(
    "CREATE (n:SurveyMapping {id: $id}) SET n.name = $name, n.mapping = $mapping, n.saved = $saved, "
    "n.saved_by = $saved_by"
)
#: The members working at some organisations, with their names (a survey's answers matched by name).
MEMBERS_AT = Rows(
    "UNWIND $organisations AS org MATCH (m:Member)-[:WORKS_AT]->(o:Organisation {id: org})",
    id="m.id",
    name="m.name",
    email="m.email",
    organisation="o.id",
)


def mappings(tx: Tx) -> list[dict[str, Any]]:
    """Every saved mapping (without its JSON), by name."""
    return sorted(MAPPINGS.run(tx), key=lambda r: str(r["name"]).casefold())


def mapping_by_id(tx: Tx, mapping_id: str) -> dict[str, Any] | None:
    """One saved mapping, with its JSON, or None."""
    rows = MAPPING.run(tx, id=mapping_id)
    return rows[0] if rows else None


def put_mapping(tx: Tx, mapping_id: str, name: str, mapping: str, saved: str, saved_by: str) -> None:
    """Save a mapping under ``mapping_id``, replacing the one saved under it."""
    tx.run(DELETE, id=mapping_id)
    tx.run(CREATE, id=mapping_id, name=name, mapping=mapping, saved=saved, saved_by=saved_by)


def delete_mapping(tx: Tx, mapping_id: str) -> None:
    tx.run(DELETE, id=mapping_id)


def members_at(tx: Tx, organisations: list[str]) -> list[dict[str, Any]]:
    """The members of these organisations (ids), with their names and emails."""
    return MEMBERS_AT.run(tx, organisations=sorted(set(organisations))) if organisations else []


TOPIC_NAMES = Rows("MATCH (t:Topic)", name="t.name")


def topic_names(tx: Tx) -> list[str]:
    """The vocabulary's topic names (a first-guess mapping finds the topic a question asks about)."""
    return sorted(str(r["name"]) for r in TOPIC_NAMES.run(tx) if r["name"])

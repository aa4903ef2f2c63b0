"""The coverage report's small reads: organisations, workstreams with their numbers of members and leads,
and which workstream covers which topic. The rest comes from the interest index (:mod:`.interest`); the
gaps are found by :mod:`graphapp.analytics.coverage`.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Dialect, Rows

__all__ = ["M49_REGIONS", "STATEMENTS", "coverage_tables"]

M49_REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")

ORGANISATIONS = Rows(
    "MATCH (o:Organisation)", id="o.id", name="o.name", country="o.country", region="o.region"
)
# Per workstream: how many members and leads (one row each, not one per membership).
WORKSTREAMS = Rows(
    "MATCH (w:Workstream) OPTIONAL MATCH (w)<-[r:MEMBER_OF]-(:Member) "
    "WITH w, count(r) AS members, sum(CASE WHEN r.role = 'lead' THEN 1 ELSE 0 END) AS leads",
    id="w.id",
    name="w.name",
    members="members",
    leads="leads",
)
COVERS = Rows("MATCH (w:Workstream)-[:COVERS]->(t:Topic)", workstream="w.id", topic="t.id")

#: The three reads, in the order :func:`coverage_tables` takes their rows (so that they can be read side
#: by side with the interest index's).
STATEMENTS = [ORGANISATIONS.statement, WORKSTREAMS.statement, COVERS.statement]


def coverage_tables(rows: list[list[dict[str, Any]]], dialect: Dialect) -> dict[str, list[dict[str, Any]]]:
    """The rows of :data:`STATEMENTS` as ``organisations``, ``workstreams`` and ``covers``."""
    organisations, workstreams, covers = rows
    return {
        "organisations": Rows.shape(organisations, dialect),
        # (LadybugDB's sum() is a decimal.)
        "workstreams": [
            {**w, "members": int(w["members"]), "leads": int(w["leads"])}
            for w in Rows.shape(workstreams, dialect)
        ],
        "covers": Rows.shape(covers, dialect),
    }

"""The reads of the "been there" suggestion mode: every project's stage, organisation, members and topics.

Projects are few beside members (thousands, where members are a hundred thousand), so the whole of them
is read in three statements (side by side on Neo4j, see :meth:`Tx.run_all`) and kept per graph revision
by :func:`graphapp.reports.journeys`; the matching is :mod:`graphapp.analytics.journey_match`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphapp.queries.cypher import Rows, Tx
from graphapp.queries.schema import STAGES

__all__ = ["ProjectRows", "read_projects"]

#: Every project with its stage, the day each stage was reached, and its organisation's name (if any).
PROJECTS = Rows(
    "MATCH (p:Project) OPTIONAL MATCH (p)-[:RUN_BY]->(o:Organisation)",
    id="p.id",
    title="coalesce(p.title, '')",
    stage="coalesce(p.stage, '')",
    organisation="o.name",
    **{stage: f"coalesce(p.{stage}, '')" for stage in STAGES},
)
#: Who works on which project (any role).
WORKERS = Rows("MATCH (m:Member)-[:WORKS_ON]->(p:Project)", member="m.id", project="p.id")
#: Which topics each project is on.
PROJECT_TOPICS = Rows("MATCH (p:Project)-[:ON_TOPIC]->(t:Topic)", project="p.id", topic="t.id")


@dataclass
class ProjectRows:
    """The rows :class:`graphapp.analytics.journey_match.Journeys` is made from."""

    projects: list[dict[str, Any]]
    workers: list[dict[str, Any]]
    topics: list[dict[str, Any]]


def read_projects(tx: Tx) -> ProjectRows:
    """Every project (``id``, ``title``, ``stage``, one column per stage with its ISO day or '', and
    ``organisation``: its name or None), who works on each (``member``, ``project``) and its topics
    (``project``, ``topic``)."""
    reads = (PROJECTS, WORKERS, PROJECT_TOPICS)
    rows = tx.run_all([r.statement for r in reads])
    projects, workers, topics = (Rows.shape(found, tx.dialect) for found in rows)
    return ProjectRows(projects, workers, topics)

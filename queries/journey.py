"""The journey's reads (issue 14 §2): themes, which workstream serves which theme at which stages, which
topic serves which theme, and the projects with their stage, topics, workstream and people. Plain rows:
the map's cells and the stage counts are made by :mod:`graphapp.analytics.journey`.

Each read is one small statement with no OPTIONAL MATCH or collected lists, so that both stores run the
same text (LadybugDB wants homogeneous lists; plain rows need none).
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Rows, Tx
from graphapp.queries.schema import NODES_BY_ID, STAGES

__all__ = [
    "JourneyRows",
    "journey_rows",
    "project_stage_rows",
    "theme_by_id",
]

THEMES = Rows(
    "MATCH (t:Theme)",
    id="t.id",
    name="t.name",
    description="t.description",
    kind="t.kind",
    position="t.position",
)
SERVES = Rows(
    "MATCH (w:Workstream)-[s:SERVES]->(t:Theme)",
    workstream="w.id",
    name="w.name",
    theme="t.id",
    stages="s.stages",
)
OF_THEME = Rows("MATCH (p:Topic)-[:OF_THEME]->(t:Theme)", topic="p.id", name="p.name", theme="t.id")
# A project, its stage and the day it reached each stage (for the report as it stood on a day).
PROJECTS = Rows(
    "MATCH (p:Project)", id="p.id", title="p.title", stage="p.stage", **{s: f"p.{s}" for s in STAGES}
)
PROJECT_TOPICS = Rows(
    "MATCH (p:Project)-[:ON_TOPIC]->(t:Topic)", project="p.id", topic="t.id", name="t.name", status="t.status"
)
PROJECT_WORKSTREAMS = Rows(
    "MATCH (p:Project)-[:IN_WORKSTREAM]->(w:Workstream)", project="p.id", workstream="w.id"
)
PROJECT_MEMBERS = Rows(
    "MATCH (m:Member)-[:WORKS_ON]->(p:Project)", project="p.id", member="m.id", name="m.name"
)


class JourneyRows(dict[str, list[dict[str, Any]]]):
    """The rows the map is made of, by name: ``themes``, ``serves``, ``of_theme``, ``projects``,
    ``project_topics``, ``project_workstreams``, ``project_members``."""


def journey_rows(tx: Tx) -> JourneyRows:
    """Everything the themes-by-stage map is made of, read in the caller's transaction."""
    return JourneyRows(
        themes=THEMES.run(tx),
        serves=SERVES.run(tx),
        of_theme=OF_THEME.run(tx),
        projects=PROJECTS.run(tx),
        project_topics=PROJECT_TOPICS.run(tx),
        project_workstreams=PROJECT_WORKSTREAMS.run(tx),
        project_members=PROJECT_MEMBERS.run(tx),
    )


def project_stage_rows(tx: Tx) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The projects (id, stage, the day of each stage) and their topics (project, topic, name, status):
    what the per-topic stage counts and the stuck finding need."""
    return PROJECTS.run(tx), PROJECT_TOPICS.run(tx)


def theme_by_id(tx: Tx, theme: str) -> dict[str, Any] | None:
    """One theme's properties (unset ones left out); None if there is no such theme."""
    found = NODES_BY_ID["Theme"].run(tx, ids=[theme])
    return {k: v for k, v in found[0].items() if v is not None} if found else None

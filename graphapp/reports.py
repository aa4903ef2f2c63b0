"""What pages and the API share: the coverage report and heat map read in a transaction, and the address of
each kind of node's page."""

from __future__ import annotations

from typing import Any

from flask import url_for

from graphapp.analytics.coverage import coverage_report_of
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.cypher import Tx
from graphapp.queries.members import topic_region_matrix
from graphapp.queries.schema import graph_revision

__all__ = ["coverage_report", "gap_href", "heat_map", "page_of"]

PAGE_OF = {"Member": "member", "Organisation": "organisation", "Topic": "topic", "Workstream": "workstream"}


def page_of(kind: str, node_id: str) -> str:
    """The address of the page of a node of this kind (Member, Organisation, Topic, Workstream)."""
    endpoint = PAGE_OF[kind]
    return url_for(f"pages.{endpoint}", **{endpoint: node_id})


GAP_PAGES = {
    "topic": "topic",
    "workstream": "workstream",
    "organisation": "organisation",
    "country": "country",
    "region": "region",
    "member": "member",
    "broker": "member",
}


def gap_href(gap: dict[str, Any]) -> str | None:
    """The page of a gap's subject (a topic, workstream, organisation, country, region or member)."""
    endpoint = GAP_PAGES.get(gap["kind"].split("-", 1)[0])
    return url_for(f"pages.{endpoint}", **{endpoint: gap["subject"]}) if endpoint else None


# The coverage dashboard's report and heat map read the whole graph: each is made once per graph revision
# and kept with the store, so every view after the first costs nothing until the graph changes. Callers
# must not change what they get.


def coverage_report(tx: Tx) -> dict[str, Any]:
    """The gap report (see :func:`graphapp.analytics.coverage.coverage_gaps`) with default thresholds."""
    return tx.derived.get("coverage-report", graph_revision(tx), lambda: coverage_report_of(tx))  # type: ignore[no-any-return]


def heat_map(tx: Tx) -> dict[str, Any]:
    """Members holding each topic in each UN M49 region."""
    return tx.derived.get("heat-map", graph_revision(tx), lambda: topic_region_matrix(tx, M49_REGIONS))  # type: ignore[no-any-return]

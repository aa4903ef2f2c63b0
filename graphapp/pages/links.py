"""Where each kind of thing the network holds has its page: the links of the explorer's side panel and of
the coverage dashboard's gaps."""

from __future__ import annotations

from typing import Any

from flask import url_for

__all__ = ["gap_href", "page_of"]

#: The page (endpoint of the "pages" blueprint, and the name of its argument) of each kind of node.
PAGE_OF = {
    "Member": "member",
    "Organisation": "organisation",
    "Topic": "topic",
    "Workstream": "workstream",
    "Project": "project",
    "Theme": "theme",
}

#: The page of each kind of gap's subject, by the first word of the gap's kind.
GAP_PAGES = {
    "topic": "topic",
    "workstream": "workstream",
    "organisation": "organisation",
    "country": "country",
    "region": "region",
    "member": "member",
    "broker": "member",
    "stuck": "topic",  # (the journey: a topic whose projects stop at a stage)
}


def _page(endpoint: str, value: str) -> str:
    return url_for(f"pages.{endpoint}", **{endpoint: value})  # type: ignore[arg-type]


def page_of(kind: str, node_id: str) -> str:
    """The address of the page of a node of this kind: its own page (Member, Organisation, Topic,
    Workstream, Project, Theme), a competence area's place on the areas page, the list of resources (a
    resource's own page is its web link: see :func:`graphapp.visnetwork.vis_data`)."""
    if kind == "Area":
        return url_for("pages.areas", _anchor=f"area-{node_id}")
    if kind == "Resource":
        return url_for("pages.resources")
    return _page(PAGE_OF[kind], node_id)


def gap_href(gap: dict[str, Any]) -> str | None:
    """The page of a gap's subject (a topic, workstream, organisation, country, region or member)."""
    endpoint = GAP_PAGES.get(gap["kind"].split("-", 1)[0])
    return _page(endpoint, gap["subject"]) if endpoint else None

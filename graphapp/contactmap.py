"""A contact map: which part of the network to show (a :class:`View`), and the part read, as a networkx
graph (:func:`contact_graph`) for the layout, the explorer and the exports to draw from.

Where the rest lives: :mod:`graphapp.queries.contactmap` reads a view's nodes and relationships,
:mod:`graphapp.analytics.layout` places them, :mod:`graphapp.visnetwork` turns them into what the
explorer draws, and :mod:`graphapp.exports` into files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import networkx as nx

from graphapp.i18n import _, _l
from graphapp.queries.contactmap import MAP_KINDS, map_filter
from graphapp.queries.cypher import Tx
from graphapp.queries.members import MemberFilter
from graphapp.queries.subgraph import AGGREGATES, UnknownSubject

__all__ = ["VIEW_KINDS", "View", "contact_graph"]

#: The parts of the network a view can show (as the query layer names them).
VIEW_KINDS = MAP_KINDS

#: A view's title, by kind, in the reader's language (a member's neighbourhood is worded in
#: :meth:`View.title`, with its depth); ``BY``: an aggregated view's, around it.
TITLES = {
    "network": _l("graphapp contact map: the whole network"),
    "topic": _l("graphapp contact map: topic %(value)s"),
    "workstream": _l("graphapp contact map: workstream %(value)s"),
    "organisation": _l("graphapp contact map: organisation %(value)s"),
    "country": _l("graphapp contact map: country %(value)s"),
    "region": _l("graphapp contact map: region %(value)s"),
}
BY = {
    "organisation": _l("%(title)s, by organisation"),
    "topic": _l("%(title)s, by topic"),
    "country": _l("%(title)s, by country"),
    "region": _l("%(title)s, by region"),
}
if {*TITLES, "member"} != set(VIEW_KINDS) or set(BY) != set(AGGREGATES):  # a kind without words
    raise RuntimeError("a kind of view without a title in graphapp.contactmap")


@dataclass(frozen=True)
class View:
    """A part of the network: all of it, a topic, workstream, organisation, country (ISO alpha-3) or region,
    or a member's neighbourhood (``depth`` 1 or 2); optionally ``aggregate``\\ d by organisation or topic."""

    kind: str = "network"
    value: str = ""
    depth: int = 1
    aggregate: str = ""

    def __post_init__(self) -> None:
        if self.kind not in VIEW_KINDS:
            raise ValueError(f"kind must be one of {', '.join(VIEW_KINDS)}")
        if self.kind != "network" and not self.value:
            raise ValueError(f"say which {self.kind} to show")
        if self.depth not in (1, 2):
            raise ValueError("depth must be 1 or 2")
        if self.aggregate and self.aggregate not in AGGREGATES:
            raise ValueError(f"aggregate must be one of {', '.join(AGGREGATES)}")
        if self.aggregate and self.kind == "member":
            raise ValueError("a member's neighbourhood is drawn person by person; it cannot be aggregated")

    def member_filter(self) -> MemberFilter:
        """The people of the view, as a directory filter (no filter: everyone)."""
        return map_filter(self.kind, self.value)

    def args(self) -> dict[str, str]:
        """The view as query-string arguments."""
        out = {"kind": self.kind}
        if self.value:
            out["value"] = self.value
        if self.kind == "member":
            out["depth"] = str(self.depth)
        if self.aggregate:
            out["aggregate"] = self.aggregate
        return out

    def title(self) -> str:
        """A heading for the view, in words (in the reader's language: the files' titles).

        >>> View("member", "m-1", depth=2).title()
        'graphapp contact map: around member m-1 (depth 2)'
        """
        if self.kind == "member":
            text = _(
                "graphapp contact map: around member %(value)s (depth %(depth)s)",
                value=self.value,
                depth=self.depth,
            )
        else:
            text = str(TITLES[self.kind]) % {"value": self.value}
        if self.aggregate:
            text = str(BY[self.aggregate]) % {"title": text}
        return str(text)

    def slug(self) -> str:
        """A file name stem: letters, digits and hyphens only, whatever the value holds.

        >>> View("topic", "record-linkage").slug()
        'graphapp-topic-record-linkage'
        >>> View("member", "../../etc/passwd", depth=2).slug()
        'graphapp-member-etc-passwd-depth-2'
        """
        parts = ["graphapp", self.kind, self.value]
        if self.kind == "member":
            parts += ["depth", str(self.depth)]
        if self.aggregate:
            parts += ["by", self.aggregate]
        text = "-".join(p for p in parts if p)
        return "-".join(filter(None, "".join(c if c.isalnum() else "-" for c in text).split("-")))


def named_view(tx: Tx, view: View) -> View:
    """The view with its topic named by id, whichever spelling was given (name, alias or id, any case or
    accents); a topic that names nothing raises UnknownSubject with "did you mean ...?"."""
    if view.kind != "topic" or not view.value:
        return view
    from graphapp.proposals import UnknownTopic, find_topic

    try:
        return replace(view, value=find_topic(tx, view.value))
    except UnknownTopic as e:
        raise UnknownSubject(e.message) from e


def node_name(node: dict[str, Any]) -> str:
    """What a node is called on a map: a name; a project's title and its stage, a resource's title and
    its kind (so that a slide says what each is at a glance).

    >>> node_name({"label": "Project", "properties": {"id": "p1", "title": "Linking", "stage": "production"}})
    'Linking (production)'
    >>> node_name({"label": "Resource", "properties": {"id": "r1", "title": "Guide", "kind": "document"}})
    'Guide (document)'
    >>> node_name({"label": "Theme", "properties": {"id": "quality", "name": "Quality"}})
    'Quality'
    """
    props = node["properties"]
    name = str(props.get("name") or props.get("title") or props.get("id"))
    qualifier = {"Project": "stage", "Resource": "kind"}.get(node["label"])
    if qualifier and props.get(qualifier):
        return f"{name} ({props[qualifier]})"
    return name


def contact_graph(graph: dict[str, Any]) -> nx.Graph[str]:
    """The map as an undirected networkx graph: nodes keyed ``Label:id`` with ``label`` (the display
    name), ``category`` (Member, Organisation, ...) and their properties (lists joined by "; "); edges
    with ``relationship`` (its type) and their properties."""
    G: nx.Graph[str] = nx.Graph()
    for n in graph["nodes"]:
        attrs = {
            k: "; ".join(map(str, v)) if isinstance(v, list) else v
            for k, v in n["properties"].items()
            if v is not None and v != []
        }
        G.add_node(n["key"], **attrs, label=node_name(n), category=n["label"])
    for r in graph["relationships"]:
        G.add_edge(r["source"], r["target"], relationship=r["type"], **r["properties"])
    return G

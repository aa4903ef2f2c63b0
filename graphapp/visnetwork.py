"""A contact map as vis-network draws it: nodes with their positions (from
:func:`graphapp.analytics.layout.hub_layout`), shapes, colours and hover text, edges, and the drawing's
options, built with pyvis. The explorer page and the offline HTML export draw from this."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import networkx as nx
from pyvis.edge import Edge
from pyvis.network import Network as PyvisNetwork

from graphapp.analytics.layout import hub_layout

__all__ = ["PHYSICS_UP_TO", "STYLE", "vis_data"]

#: Up to this many nodes the browser relaxes the layout with physics before stopping; above, the map is
#: drawn where the server laid it out, and the physics waits to be asked for.
PHYSICS_UP_TO = 500

#: How each kind of node is drawn: colours readable on white (contrast 4.5:1 or more) and told apart by
#: shape as well, for people who do not see the colours. (The picture exports use the same.)
STYLE = {
    "Member": {"shape": "dot", "color": "#1f5fa8", "name": "person"},
    "Organisation": {"shape": "square", "color": "#a14a00", "name": "organisation"},
    "Topic": {"shape": "triangle", "color": "#2e6b30", "name": "topic"},
    "Workstream": {"shape": "diamond", "color": "#6a1b9a", "name": "workstream"},
}


def _size(degree: int, weight: float | None = None) -> float:
    return round(8 + 4 * math.sqrt(weight if weight is not None else degree), 1)


def _title(kind: str, name: str, attrs: dict[str, Any], degree: int) -> str:
    """The hover text: plain text (vis-network 9 shows a string title as text, never as HTML)."""
    lines = [f"{name} ({STYLE[kind]['name']})"]
    for field in ("title", "organisation", "country", "region", "members"):
        if attrs.get(field) not in (None, ""):
            lines.append(f"{field}: {attrs[field]}")
    lines.append(f"connections: {degree}")
    return "\n".join(lines)


def vis_data(G: nx.Graph[str], href: Callable[[str, str], str] | None = None) -> dict[str, Any]:
    """Nodes, edges and options for vis-network, from a contact graph
    (:func:`graphapp.contactmap.contact_graph`). Each node carries ``kind``, ``name``, ``degree`` and,
    given ``href(kind, id)``, the address of its page, for the explorer's side panel."""
    pos = hub_layout(G)
    net = PyvisNetwork(directed=False, cdn_resources="local")
    many = len(G) > 300
    for key in sorted(G):
        attrs = G.nodes[key]
        kind = attrs["category"]
        name = attrs["label"]
        degree = G.degree(key)
        x, y = pos[key]
        extra: dict[str, Any] = {"kind": kind, "name": name, "degree": degree}
        if href is not None:
            extra["href"] = href(kind, attrs["id"])
        net.add_node(
            key,
            # Past a few hundred nodes only the hubs are labelled on the canvas (people by hover, the panel
            # and the search box): drawing 2,000 labels is what makes a big canvas slow to pan.
            label=name if not (many and kind == "Member") else " ",
            title=_title(kind, name, attrs, degree),
            shape=STYLE[kind]["shape"],
            color=STYLE[kind]["color"],
            size=_size(degree, attrs.get("members")),
            x=round(x, 1),
            y=round(y, 1),
            **extra,
        )
    for u, v, data in sorted(G.edges(data=True)):
        weight = data.get("weight")
        title = data["relationship"].replace("_", " ").lower()
        for field in ("level", "role", "weight"):
            if data.get(field) is not None:
                title += f": {data[field]}"
        # pyvis's Edge directly: Network.add_edge looks for a duplicate among all edges so far, which is
        # quadratic (minutes at 25,000 edges); a networkx graph has no duplicates to look for.
        edge = Edge(u, v, False, title=title, width=1 + math.log2(weight) if weight else 1, color="#8a8a8a")
        net.edges.append(edge.options)
    big = len(G) > PHYSICS_UP_TO
    net.options = {
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "keyboard": {"enabled": True, "bindToWindow": False},
            # Drawing tens of thousands of edges is most of a frame: leave them out while panning/zooming.
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
        },
        "edges": {"smooth": False},
        "nodes": {"font": {"size": 14, "color": "#1a1a1a"}},
        "physics": {
            # A big map starts still, where the server laid it out (the physics can be resumed); a small
            # one relaxes for a moment first.
            "enabled": not big,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -3000, "springLength": 120, "damping": 0.4},
            "stabilization": {"enabled": not big, "iterations": 120, "updateInterval": 20, "fit": True},
        },
    }
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "options": json.loads(options)}

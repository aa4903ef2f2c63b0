"""A contact map as vis-network draws it: nodes with their positions (from
:func:`graphapp.analytics.layout.hub_layout`), shapes, colours and hover text, edges, and the drawing's
options, built with pyvis. The explorer page and the offline HTML export draw from this."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlsplit

import networkx as nx
from pyvis.edge import Edge
from pyvis.network import Network as PyvisNetwork

from graphapp.analytics.layout import hub_layout

__all__ = ["PHYSICS_UP_TO", "STYLE", "legend", "vis_data"]

#: Up to this many nodes the browser relaxes the layout with physics before stopping; above, the map is
#: drawn where the server laid it out, and the physics waits to be asked for.
PHYSICS_UP_TO = 500

#: How each kind of node is drawn: colours readable on white (contrast 4.5:1 or more) and told apart by
#: shape as well, for people who do not see the colours (the picture exports use the same). ``shape`` is
#: vis-network's; ``shape_name`` says it in the legend; ``name`` is the kind in words. vis-network has seven
#: shapes with the label beside them: a resource is a page with a folded corner, drawn as an image (an
#: inline SVG: nothing is fetched), and the same outline in the legend and the pictures.
STYLE: dict[str, dict[str, str]] = {
    "Member": {"shape": "dot", "shape_name": "dot", "color": "#1f5fa8", "name": "person"},
    "Organisation": {"shape": "square", "shape_name": "square", "color": "#a14a00", "name": "organisation"},
    "Topic": {"shape": "triangle", "shape_name": "triangle", "color": "#2e6b30", "name": "topic"},
    "Workstream": {"shape": "diamond", "shape_name": "diamond", "color": "#6a1b9a", "name": "workstream"},
    "Project": {"shape": "star", "shape_name": "star", "color": "#c2185b", "name": "project"},
    "Theme": {"shape": "hexagon", "shape_name": "hexagon", "color": "#00697a", "name": "theme"},
    "Area": {
        "shape": "triangleDown",
        "shape_name": "triangle pointing down",
        "color": "#7a6a00",
        "name": "competence area",
    },
    "Resource": {"shape": "image", "shape_name": "page", "color": "#4d5b66", "name": "resource"},
}

#: A resource's page with a folded corner, as an SVG path in a 24 x 30 box (the legend draws it too).
PAGE_OUTLINE = "M1.5 1.5H15.5L22.5 8.5V28.5H1.5Z"
PAGE_FOLD = "M15.5 1.5V8.5H22.5"


def _page_image(color: str, edge: str, width: float) -> str:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="30" viewBox="0 0 24 30">'
        f'<path d="{PAGE_OUTLINE}" fill="{color}" stroke="{edge}" stroke-width="{width}"/>'
        f'<path d="{PAGE_FOLD}" fill="none" stroke="{edge}" stroke-width="{width}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


#: The resource's image, and the one shown while it is selected (a dark edge, as vis-network darkens the
#: border of the other shapes).
PAGE_IMAGE = {
    "unselected": _page_image(STYLE["Resource"]["color"], "#ffffff", 1.5),
    "selected": _page_image(STYLE["Resource"]["color"], "#1a1a1a", 2.5),
}


def legend(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The kinds a drawing (:func:`vis_data`) shows, in the order of :data:`STYLE`, with their style: what
    its legend lists."""
    return _kinds_of(n["kind"] for n in data["nodes"])


def _kinds_of(kinds: Iterable[str]) -> dict[str, dict[str, str]]:
    shown = set(kinds)
    return {kind: style for kind, style in STYLE.items() if kind in shown}


def web_link(url: Any) -> str | None:
    """A link that may be offered to click: http or https only (a ``javascript:`` one never).

    >>> web_link("https://example.org/a b"), web_link("javascript:alert(1)"), web_link("//evil.example")
    ('https://example.org/a%20b', None, None)
    """
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(text, safe=":/?#[]@!$&'()*+,;=%~-._")


def _size(degree: int, weight: float | None = None) -> float:
    return round(8 + 4 * math.sqrt(weight if weight is not None else degree), 1)


def _title(kind: str, name: str, attrs: dict[str, Any], degree: int) -> str:
    """The hover text: plain text (vis-network 9 shows a string title as text, never as HTML)."""
    lines = [f"{name} ({STYLE[kind]['name']})", *_details(kind, attrs)]
    lines.append(f"connections: {degree}")
    return "\n".join(lines)


def _details(kind: str, attrs: dict[str, Any]) -> list[str]:
    """The lines of a node's hover text that describe it (never the people of a project or resource)."""
    if kind == "Project":
        from graphapp.ingest.gsbpm import domain_name

        lines = []
        stage = attrs.get("stage")
        if stage:
            day = attrs.get(str(stage))
            lines.append(f"stage: {stage}" + (f" since {day}" if day else ""))
        if attrs.get("domain"):
            lines.append(f"serves: {domain_name(str(attrs['domain']))}")
        return lines + [f"{field}: {attrs[field]}" for field in ("report", "code") if attrs.get(field)]
    if kind == "Resource":
        return [
            f"{field}: {attrs[field]}" for field in ("kind", "language", "url", "added") if attrs.get(field)
        ]
    if kind == "Theme":
        what = "what facilitates the work" if attrs.get("kind") == "facilitator" else "a theme of the journey"
        return [what, *([str(attrs["description"])] if attrs.get("description") else [])]
    if kind == "Area":
        return [str(attrs["description"])] if attrs.get("description") else []
    return [
        f"{field}: {attrs[field]}"
        for field in ("title", "organisation", "country", "region", "members")
        if attrs.get(field) not in (None, "")
    ]


#: Links in words, where the relationship's own name would not do (the others: its name in lower case).
EDGE_WORDS = {
    "WORKS_ON": "works on",
    "RUN_BY": "run by",
    "ON_TOPIC": "on the topic",
    "IN_WORKSTREAM": "in the workstream",
    "SERVES": "serves the theme",
    "OF_THEME": "serves the theme",
    "ABOUT": "about",
    "FOR_WORKSTREAM": "for the workstream",
    "SHARED": "shared",
    "BROADER": "narrower than",
    "IN_AREA": "in the competence area",
}


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
        if kind == "Resource":
            # A resource's page is its own link (when it is a web address); it is drawn as an image.
            link = web_link(attrs.get("url"))
            if href is not None:
                extra["href"] = link or href(kind, attrs["id"])
            elif link:
                extra["href"] = link
            extra["external"] = link is not None
            extra["image"] = PAGE_IMAGE
            extra["shapeProperties"] = {"useBorderWithImage": False}
        elif href is not None:
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
            kind_name=STYLE[kind]["name"],
            **extra,
        )
    for u, v, data in sorted(G.edges(data=True)):
        weight = data.get("weight")
        rel = data["relationship"]
        title = EDGE_WORDS.get(rel) or rel.replace("_", " ").lower()
        for field in ("level", "role", "weight", "at"):
            if data.get(field) not in (None, ""):
                title += f": {data[field]}"
        if rel == "SERVES":
            title += f" at {data['stages'].replace(',', ', ')}" if data.get("stages") else " at every stage"
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

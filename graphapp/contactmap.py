"""Contact maps: which part of the network to show (a :class:`View`), read in one transaction, laid out, and
turned into what the explorer (vis-network, through pyvis) and the exports draw.

Layout. A force layout of every person is what makes big pyvis graphs take minutes to settle (networkx's
spring layout also takes some 17 s for 2,000 nodes here). People sit where their organisation, topics and
workstreams pull them, so those "hubs" are laid out first, as a small weighted graph (hubs that share
people are pulled together), and each person is placed at the mean of their hubs, spread a little so
that people with the same hubs do not cover one another. That is linear in the size of the map; the
browser then only relaxes a layout that is already nearly still.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
from pyvis.edge import Edge
from pyvis.network import Network as PyvisNetwork

from graphapp.queries.cypher import Tx
from graphapp.queries.members import COUNT_FILTERED, MemberFilter
from graphapp.queries.subgraph import (
    AGGREGATES,
    SUBGRAPH_KINDS,
    aggregated,
    neighbourhood,
    subgraph,
    whole_network,
)

__all__ = ["MAX_NODES", "STYLE", "View", "contact_graph", "layout", "read_map", "vis_data"]

VIEW_KINDS = ("network", *SUBGRAPH_KINDS, "member")
#: Above this many people, the explorer shows organisations (or topics) as nodes unless asked otherwise.
MAX_NODES = 2000
#: Up to this many nodes the browser relaxes the layout with physics before stopping; above, the map is
#: drawn where the server laid it out, and the physics waits to be asked for.
PHYSICS_UP_TO = 500

#: How each kind of node is drawn: colours readable on white (contrast 4.5:1 or more) and told apart by
#: shape as well, for people who do not see the colours.
STYLE = {
    "Member": {"shape": "dot", "color": "#1f5fa8", "name": "person"},
    "Organisation": {"shape": "square", "color": "#a14a00", "name": "organisation"},
    "Topic": {"shape": "triangle", "color": "#2e6b30", "name": "topic"},
    "Workstream": {"shape": "diamond", "color": "#6a1b9a", "name": "workstream"},
}


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
        if self.kind in SUBGRAPH_KINDS:
            return MemberFilter(**{self.kind: self.value})
        return MemberFilter()

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
        """A heading for the view, in words.

        >>> View("member", "m-1", depth=2).title()
        'graphapp contact map: around member m-1 (depth 2)'
        """
        if self.kind == "network":
            text = "the whole network"
        elif self.kind == "member":
            text = f"around member {self.value} (depth {self.depth})"
        else:
            text = f"{self.kind} {self.value}"
        if self.aggregate:
            text += f", by {self.aggregate}"
        return f"graphapp contact map: {text}"

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


def read_map(tx: Tx, view: View) -> dict[str, Any]:
    """The nodes and relationships of a view (see :mod:`queries.subgraph` for their shape)."""
    if view.aggregate:
        return aggregated(tx, view.aggregate, view.member_filter())
    if view.kind == "member":
        return neighbourhood(tx, view.value, view.depth)
    if view.kind == "network":
        return whole_network(tx)
    return subgraph(tx, view.kind, view.value)


def people_in_view(tx: Tx, view: View) -> int:
    """How many people a view shows (to choose between the person-by-person and the aggregated map)."""
    if view.kind == "member":
        return 0
    return int(tx.run(COUNT_FILTERED, **view.member_filter().params())[0]["n"])


def node_name(node: dict[str, Any]) -> str:
    props = node["properties"]
    return str(props.get("name") or props.get("id"))


def contact_graph(graph: dict[str, Any]) -> nx.Graph:
    """The map as an undirected networkx graph: nodes keyed ``Label:id`` with ``label`` (the display
    name), ``category`` (Member, Organisation, ...) and their properties (lists joined by "; "); edges with ``relationship`` (its type) and their properties."""
    G = nx.Graph()
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


def _spread(key: str) -> tuple[float, float]:
    """A fixed pseudo-random point in the unit disc for a node, so that layouts repeat exactly."""
    h = hashlib.sha256(key.encode()).digest()
    angle = int.from_bytes(h[:4], "big") / 2**32 * 2 * math.pi
    radius = math.sqrt(int.from_bytes(h[4:8], "big") / 2**32)
    return radius * math.cos(angle), radius * math.sin(angle)


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)


def layout(G: nx.Graph, scale: float | None = None) -> dict[str, tuple[float, float]]:
    """Positions (in pixels) for every node of a contact graph; see the module docstring.

    >>> G = nx.Graph([("Member:a", "Topic:t"), ("Member:b", "Topic:t"), ("Member:b", "Topic:u")])
    >>> pos = layout(G)
    >>> sorted(pos) == sorted(G)
    True
    """
    n = len(G)
    if n == 0:
        return {}
    scale = scale or 60.0 * math.sqrt(n)
    hubs = [v for v in G if not str(v).startswith("Member:")]
    hub_set = set(hubs)
    people = [v for v in G if str(v).startswith("Member:")]
    shared: Counter[tuple[str, str]] = Counter()
    for u, v, data in G.edges(data=True):
        if u in hub_set and v in hub_set:
            shared[(min(u, v), max(u, v))] += float(data.get("weight", 1))
    for p in people:
        shared.update(itertools.combinations(sorted(h for h in G[p] if h in hub_set), 2))
    H = nx.Graph()
    H.add_nodes_from(hubs)
    H.add_weighted_edges_from((a, b, w) for (a, b), w in shared.items())
    # Shared people pull hubs together, on a log scale (or the most popular hubs collapse into one point);
    # hubs nobody shares are set on a ring outside, where they do not squeeze the rest into the middle.
    for _, _, data in H.edges(data=True):
        data["weight"] = 1.0 + math.log(data["weight"])
    alone = sorted(h for h in H if H.degree(h) == 0)
    joined = H.subgraph(h for h in H if H.degree(h) > 0)
    pos: dict[str, tuple[float, float]] = {}
    if len(joined) == 1:
        pos[next(iter(joined))] = (0.0, 0.0)
    elif len(joined) > 1:
        # The dense force method needs only numpy (the sparse one, used from 500 nodes up, needs scipy).
        raw = nx.spring_layout(joined, seed=2021, method="force", weight="weight", iterations=80)
        pos = {h: (float(x) * scale, float(y) * scale) for h, (x, y) in raw.items()}
    for i, h in enumerate(alone):
        a = 2 * math.pi * (i + 0.5) / len(alone)
        pos[h] = (scale * 1.2 * math.cos(a), scale * 1.2 * math.sin(a))
    spread = scale / max(3.0, math.sqrt(len(H) or 1)) * 0.8
    unplaced = []
    for p in sorted(people):
        around = [pos[h] for h in G[p] if h in pos]
        if not around:
            unplaced.append(p)
            continue
        # Mostly beside their organisation (the mean of many topics alone would pull everyone to the middle).
        orgs = [pos[h] for h in G[p] if h in pos and str(h).startswith("Organisation:")]
        anchor = orgs[0] if orgs else _mean(around)
        mean = _mean(around)
        dx, dy = _spread(p)
        pos[p] = (
            0.65 * anchor[0] + 0.35 * mean[0] + dx * spread,
            0.65 * anchor[1] + 0.35 * mean[1] + dy * spread,
        )
    # People with no hub: next to the contacts already placed, else on a ring around the map.
    for i, p in enumerate(unplaced):
        around = [pos[c] for c in G[p] if c in pos]
        dx, dy = _spread(p)
        if around:
            mx, my = _mean(around)
            pos[p] = (mx + dx * spread, my + dy * spread)
        else:
            a = 2 * math.pi * i / len(unplaced)
            pos[p] = (scale * 1.3 * math.cos(a), scale * 1.3 * math.sin(a))
    return pos


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


def vis_data(G: nx.Graph, href: Callable[[str, str], str] | None = None) -> dict[str, Any]:
    """Nodes, edges and options for vis-network, built with pyvis. Each node carries ``kind``, ``name``,
    ``degree`` and, given ``href(kind, id)``, the address of its page, for the explorer's side panel."""
    pos = layout(G)
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

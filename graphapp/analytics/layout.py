"""The contact map's layout: positions for every node, hubs first, people around them.

A force layout of every person is what makes big maps take minutes to settle (networkx's spring layout
also takes some 17 s for 2,000 nodes). People sit where their organisation, topics and workstreams pull
them, so those "hubs" are laid out first, as a small weighted graph (hubs that share people are pulled
together), and each person is placed near their organisation and the mean of their hubs, spread a little
so that people with the same hubs do not cover one another. That is linear in the size of the map; the
browser then only relaxes a layout that is already nearly still.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import defaultdict

import networkx as nx

__all__ = ["hub_layout"]

PERSON = "Member:"
ORGANISATION = "Organisation:"


def _spread(key: str) -> tuple[float, float]:
    """A fixed pseudo-random point in the unit disc for a node, so that layouts repeat exactly."""
    h = hashlib.sha256(key.encode()).digest()
    angle = int.from_bytes(h[:4], "big") / 2**32 * 2 * math.pi
    radius = math.sqrt(int.from_bytes(h[4:8], "big") / 2**32)
    return radius * math.cos(angle), radius * math.sin(angle)


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)


def _hub_graph(G: nx.Graph[str], hubs: list[str], people: list[str]) -> nx.Graph[str]:
    """The hubs, joined by how many people they share (and by any edge between them, by its weight), on
    a log scale: otherwise the most popular hubs collapse into one point."""
    hub_set = set(hubs)
    shared: defaultdict[tuple[str, str], float] = defaultdict(float)
    for u, v, data in G.edges(data=True):
        if u in hub_set and v in hub_set:
            shared[(min(u, v), max(u, v))] += float(data.get("weight", 1))
    for p in people:
        for pair in itertools.combinations(sorted(h for h in G[p] if h in hub_set), 2):
            shared[pair] += 1
    H: nx.Graph[str] = nx.Graph()
    H.add_nodes_from(hubs)
    H.add_weighted_edges_from((a, b, 1.0 + math.log(w)) for (a, b), w in shared.items())
    return H


def _place_hubs(H: nx.Graph[str], scale: float) -> dict[str, tuple[float, float]]:
    """Hubs that share people by a force layout; hubs nobody shares on a ring outside, where they do not
    squeeze the rest into the middle."""
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
    return pos


def hub_layout(G: nx.Graph[str], scale: float | None = None) -> dict[str, tuple[float, float]]:
    """Positions for every node of a contact graph: hubs laid out first, people placed around them.

    Parameters
    ----------
    G : networkx.Graph
        A contact graph whose nodes are keyed ``Label:id``: nodes keyed ``Member:...`` are people, every
        other node (``Organisation:...``, ``Topic:...``, ``Workstream:...``) is a hub. An edge's
        ``weight`` (between hubs, in an aggregated map) counts as that many shared people.
    scale : float, optional
        The radius of the map, in pixels (default: 60 times the square root of the number of nodes).

    Returns
    -------
    dict
        ``{node: (x, y)}`` for every node of ``G``. The same graph gives the same positions.

    Notes
    -----
    Hubs that share people are laid out by networkx's spring layout, weighted by ``1 + log`` of how many
    people they share; hubs nobody shares sit on a ring outside. Each person is placed at 65% of the way
    to their organisation (else to the mean of their hubs) and 35% to the mean of their hubs, plus a
    fixed jitter; people with no hub sit beside the contacts already placed, or on an outer ring.

    Examples
    --------
    Two people with a topic in common, one of whom also holds a second topic:

    >>> G = nx.Graph([("Member:a", "Topic:t"), ("Member:b", "Topic:t"), ("Member:b", "Topic:u")])
    >>> pos = hub_layout(G, scale=100)
    >>> sorted(pos) == sorted(G)
    True
    >>> pos == hub_layout(G, scale=100)
    True
    >>> hub_layout(nx.Graph())
    {}
    """
    n = len(G)
    if n == 0:
        return {}
    scale = scale or 60.0 * math.sqrt(n)
    hubs = [v for v in G if not str(v).startswith(PERSON)]
    people = [v for v in G if str(v).startswith(PERSON)]
    H = _hub_graph(G, hubs, people)
    pos = _place_hubs(H, scale)
    spread = scale / max(3.0, math.sqrt(len(H) or 1)) * 0.8
    unplaced = []
    for p in sorted(people):
        around = [pos[h] for h in G[p] if h in pos]
        if not around:
            unplaced.append(p)
            continue
        # Mostly beside their organisation (the mean of many topics alone would pull everyone to the middle).
        orgs = [pos[h] for h in G[p] if h in pos and str(h).startswith(ORGANISATION)]
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

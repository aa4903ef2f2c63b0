"""Brokers: the people whose removal would split the contact network, and how much.

One depth-first search finds every articulation point with the sizes of the pieces it leaves
(:func:`cut_pieces`); :func:`brokers` ranks them, with networkx's betweenness where it can be counted
exactly. :func:`find_cuts` does both for a network given as its list of contacts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from graphapp.analytics.interest_index import distinct

__all__ = ["ContactCuts", "brokers", "contact_lists", "cut_pieces", "find_cuts", "rank_brokers"]


def contact_lists(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    """The network of contacts ``a[i]``-``b[i]`` (any integer keys) as neighbour lists of the numbers
    0..k-1, one for each key in it, with those keys in number order: what :func:`cut_pieces` needs,
    built in a fraction of the time of a networkx graph at 100,000 members.

    Examples
    --------
    >>> keys, lists = contact_lists(np.array([7, 3, 9]), np.array([3, 7, 3]))
    >>> keys.tolist(), lists
    ([3, 7, 9], [[1, 2], [0], [0]])
    """
    keys = distinct(np.concatenate([a, b]).astype(np.int64))
    n = len(keys)
    x, y = np.searchsorted(keys, a), np.searchsorted(keys, b)
    links = distinct(np.minimum(x, y) * n + np.maximum(x, y))  # each contact once, whoever named whom
    links = links[links // n != links % n]
    both = np.sort(np.concatenate([links, (links % n) * n + links // n]))  # both directions, by first end
    ends = np.searchsorted(both // n, np.arange(n + 1)).tolist()
    neighbours = (both % n).tolist()
    return keys, [neighbours[ends[i] : ends[i + 1]] for i in range(n)]


def cut_pieces(G: nx.Graph[Any] | list[list[int]]) -> dict[Any, list[int]]:
    """Every articulation point of ``G`` with the sizes of the pieces its component falls into without it.

    One depth-first search (Hopcroft and Tarjan's low points, iterative), counting subtree sizes on the
    way: a child whose subtree cannot reach above the node is a piece of its own, and what is left of the
    component (the node's parent side) is one more. Linear time, where removing each articulation point
    and searching again is quadratic. Agrees with ``nx.articulation_points`` (tested). ``G`` is a networkx
    graph or neighbour lists of the numbers 0..n-1.

    Examples
    --------
    >>> cut_pieces(nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("b", "e")]))
    {'c': [3, 1], 'b': [1, 2, 1]}
    """
    if isinstance(G, nx.Graph):
        nodes = list(G)
        number = {node: i for i, node in enumerate(nodes)}
        found = cut_pieces([[number[m] for m in G[node]] for node in nodes])
        return {nodes[i]: sizes for i, sizes in found.items()}
    n = len(G)
    disc, low, size = [-1] * n, [0] * n, [1] * n
    result: dict[Any, list[int]] = {}
    clock = 0
    for root in range(n):
        if disc[root] >= 0:
            continue
        disc[root] = low[root] = clock
        clock += 1
        separated: dict[int, list[int]] = {}
        stack = [(root, -1, iter(G[root]))]
        while stack:
            node, parent, neighbours = stack[-1]
            for nxt in neighbours:
                if disc[nxt] < 0:
                    disc[nxt] = low[nxt] = clock
                    clock += 1
                    stack.append((nxt, node, iter(G[nxt])))
                    break
                if nxt != parent and disc[nxt] < low[node]:
                    low[node] = disc[nxt]
            else:
                stack.pop()
                if parent >= 0:
                    size[parent] += size[node]
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                    if low[node] >= disc[parent]:
                        separated.setdefault(parent, []).append(size[node])
        for node, pieces in separated.items():
            if node == root:
                if len(pieces) >= 2:  # the root is a cut only with two or more subtrees
                    result[node] = pieces
            else:
                result[node] = [size[root] - 1 - sum(pieces), *pieces]
    return result


def brokers(
    G: nx.Graph[Any] | list[list[int]],
    top: int = 10,
    budget: int = 1_000_000,
    label: Callable[[Any], str] = str,
) -> list[dict[str, Any]]:
    """People whose removal would split the contact network (articulation points), most critical first.

    For each: how many people it alone connects to the rest (the members outside the largest piece left
    when it is removed), the number of pieces, and ``separated_pairs``: the pairs of members who can only
    reach each other through it (every path between them passes through it, so each pair adds 1 to its
    betweenness). Betweenness centrality itself (networkx, normalised) is given where it can be computed
    exactly within ``budget`` node and edge visits; on larger networks it is None (sampled estimates at
    that size cost many seconds and rank these brokers no better than the separated pairs do). ``G`` is a
    networkx graph or neighbour lists; ties are broken by ``label`` of the node.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("b", "e")])
    >>> [(b["id"], b["splits_off"], b["separated_pairs"]) for b in brokers(G)]
    [('b', 2, 5), ('c', 1, 3)]
    """
    pieces = cut_pieces(G)
    centrality = _betweenness_within(G, budget, normalized=True) if pieces else None
    return rank_brokers(pieces, centrality, top, label)


def _betweenness_within(
    G: nx.Graph[Any] | list[list[int]], budget: int, normalized: bool
) -> dict[Any, float] | None:
    """networkx's exact betweenness of every node, if it takes at most ``budget`` node and edge visits
    (about nodes x (nodes + edges)); else None."""
    nodes = len(G)
    edges = G.number_of_edges() if isinstance(G, nx.Graph) else sum(map(len, G)) // 2
    if (nodes + edges) * nodes > budget:
        return None
    if isinstance(G, nx.Graph):
        graph = G
    else:
        neighbours: dict[int, Iterable[int]] = dict(enumerate(G))  # the shape networkx's stubs accept
        graph = nx.Graph(neighbours)
    return nx.betweenness_centrality(graph, normalized=normalized)


def rank_brokers(
    pieces: dict[Any, list[int]],
    centrality: dict[Any, float] | None,
    top: int,
    label: Callable[[Any], str],
) -> list[dict[str, Any]]:
    """The ``top`` articulation points of :func:`cut_pieces`, most critical first (see :func:`brokers`):
    by the people they alone connect, then separated pairs, then ``label``."""

    def separated_pairs(sizes: list[int]) -> int:
        return (sum(sizes) ** 2 - sum(s * s for s in sizes)) // 2

    ranked = sorted(
        pieces, key=lambda n: (-(sum(pieces[n]) - max(pieces[n])), -separated_pairs(pieces[n]), label(n))
    )[:top]
    result = []
    for node in ranked:
        sizes = sorted(pieces[node], reverse=True)
        result.append(
            {
                "id": node,
                "splits_off": sum(sizes[1:]),
                "pieces": len(sizes),
                "separated_pairs": separated_pairs(sizes),
                "betweenness": round(centrality[node], 6) if centrality is not None else None,
            }
        )
    return result


@dataclass
class ContactCuts:
    """The contact network's articulation points, by node key, with the sizes of the pieces each leaves
    (:func:`cut_pieces`), and their betweenness (unnormalised: the number of shortest paths through
    them, pairs counted once) where the network is small enough to count it exactly, else None."""

    pieces: dict[int, list[int]]
    betweenness: dict[int, float] | None


def find_cuts(a: np.ndarray, b: np.ndarray, budget: int = 1_000_000) -> ContactCuts:
    """The cuts of the network of contacts ``a[i]``-``b[i]``.

    Parameters
    ----------
    a, b : numpy.ndarray of int
        The two ends of each contact, as integer keys (either way round, repeats allowed).
    budget : int
        Betweenness is counted only if it takes at most this many node and edge visits (see
        :func:`brokers`).

    Returns
    -------
    ContactCuts

    Examples
    --------
    >>> find_cuts(np.array([10, 20]), np.array([20, 30]))
    ContactCuts(pieces={20: [1, 1]}, betweenness={20: 1.0})
    """
    keys, lists = contact_lists(a, b)
    found = cut_pieces(lists)
    raw = _betweenness_within(lists, budget, normalized=False)
    betweenness = {int(keys[i]): raw[i] for i in found} if raw is not None else None
    return ContactCuts({int(keys[i]): sizes for i, sizes in found.items()}, betweenness)

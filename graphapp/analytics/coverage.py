"""Whole-graph analytics: brokers in the contact network, clusters of interest, and the coverage report.

Brokers come from one depth-first search; clusters from networkx's Louvain over topic co-occurrence
counted with numpy. The report reads what it needs with :func:`read_coverage` (the contact network
searched side by side with the other reads) and :func:`coverage_gaps` puts it together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from graphapp.queries.coverage import (
    SEVERITY_WORDS,
    Gap,
    Network,
    Thresholds,
    read_contacts,
    read_network,
    topic_and_workstream_gaps,
)
from graphapp.queries.cypher import Tx, collector_paused
from graphapp.queries.interest_index import distinct

__all__ = [
    "ContactCuts",
    "brokers",
    "clusters_of_interest",
    "contact_cuts",
    "coverage_gaps",
    "coverage_report_of",
    "find_cuts",
    "read_coverage",
]


def contact_lists(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    """The network of contacts ``a[i]``-``b[i]`` (any integer keys) as neighbour lists of the numbers
    0..k-1, one for each key in it, with those keys in number order: what :func:`cut_pieces` needs,
    built in a fraction of the time of a networkx graph at 100,000 members.

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


def cut_pieces(G: nx.Graph | list[list[int]]) -> dict[Any, list[int]]:
    """Every articulation point of ``G`` with the sizes of the pieces its component falls into without it.

    One depth-first search (Hopcroft and Tarjan's low points, iterative), counting subtree sizes on the
    way: a child whose subtree cannot reach above the node is a piece of its own, and what is left of the
    component (the node's parent side) is one more. Linear time, where removing each articulation point
    and searching again is quadratic. Agrees with ``nx.articulation_points`` (tested). ``G`` is a networkx
    graph or neighbour lists of the numbers 0..n-1.

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
    G: nx.Graph | list[list[int]],
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

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("b", "e")])
    >>> [(b["id"], b["splits_off"], b["separated_pairs"]) for b in brokers(G)]
    [('b', 2, 5), ('c', 1, 3)]
    """
    pieces = cut_pieces(G)
    centrality = _betweenness_within(G, budget, normalized=True) if pieces else None
    return rank_brokers(pieces, centrality, top, label)


def _betweenness_within(
    G: nx.Graph | list[list[int]], budget: int, normalized: bool
) -> dict[Any, float] | None:
    """networkx's exact betweenness of every node, if it takes at most ``budget`` node and edge visits
    (about nodes x (nodes + edges)); else None."""
    nodes = len(G)
    edges = G.number_of_edges() if isinstance(G, nx.Graph) else sum(map(len, G)) // 2
    if (nodes + edges) * nodes > budget:
        return None
    graph = G if isinstance(G, nx.Graph) else nx.Graph(dict(enumerate(G)))
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
    """The cuts of the network of contacts ``a[i]``-``b[i]``; betweenness within ``budget`` node and
    edge visits (see :func:`brokers`)."""
    keys, lists = contact_lists(a, b)
    found = cut_pieces(lists)
    raw = _betweenness_within(lists, budget, normalized=False)
    betweenness = {int(keys[i]): raw[i] for i in found} if raw is not None else None
    return ContactCuts({int(keys[i]): sizes for i, sizes in found.items()}, betweenness)


def contact_cuts(tx: Tx) -> ContactCuts:
    """Read the contact network and find its cuts: a read function, so that it can run beside others."""
    return find_cuts(*read_contacts(tx))


def read_coverage(tx: Tx) -> tuple[Network, ContactCuts]:
    """What the coverage report needs. On Neo4j the contacts are read and searched (in Python) in a
    transaction beside the one that reads the rest, while the server is still busy with that."""
    net, cuts = tx.side_by_side([read_network, contact_cuts])
    return net, cuts


def coverage_report_of(tx: Tx, thresholds: Thresholds | None = None) -> dict[str, Any]:
    """The coverage report of the graph as ``tx`` sees it (see :func:`coverage_gaps`)."""
    with collector_paused():
        return coverage_gaps(*read_coverage(tx), thresholds)


def clusters_of_interest(net: Network, seed: int = 0) -> dict[str, Any]:
    """Communities of topics that the same people hold together (Louvain on topic co-occurrence).

    Returns the clusters (their topics and how many people hold any of them) and how strongly each pair of
    clusters is linked (people holding topics of both). The co-occurrence counts are made with numpy over
    the index (every pair of topics one member holds, counted for all members at once).
    """
    ix = net.index
    n_topics = len(ix.topic_ids)
    holding = np.flatnonzero(ix.degree > 0)
    first, second, together = _pairs_within(ix.by_member.ptr, ix.by_member.cols, n_topics)
    # Pairs held together by very few people are noise at scale and make Louvain slow: keep pairs held by
    # at least 2 people and at least 1 in 10,000 members.
    floor = max(2, len(holding) // 10_000)
    strong = together >= floor
    # Topics are numbered in id order (see the index): the graph gets nodes and edges in that order, and
    # Louvain, whose result depends on the order it meets them, always gives the same clusters.
    T = nx.Graph()
    T.add_nodes_from(np.flatnonzero(ix.holders > 0).tolist())
    T.add_weighted_edges_from(
        zip(first[strong].tolist(), second[strong].tolist(), together[strong].tolist(), strict=True)
    )
    if T.number_of_nodes() == 0:
        return {"clusters": [], "links": []}
    found = nx.community.louvain_communities(T, weight="weight", seed=seed)
    communities = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c))
    cluster_of_topic = np.full(n_topics, -1, np.int64)
    for i, c in enumerate(communities):
        cluster_of_topic[c] = i
    # Each member's clusters, once each: then people per cluster and per pair of clusters.
    member = np.repeat(np.arange(ix.size, dtype=np.int64), ix.degree)
    codes = distinct(member * len(communities) + cluster_of_topic[ix.by_member.cols])
    owner, cluster = codes // len(communities), codes % len(communities)
    people = np.bincount(cluster, minlength=len(communities))
    ptr = np.zeros(ix.size + 1, np.int64)
    np.cumsum(np.bincount(owner, minlength=ix.size), out=ptr[1:])
    a, b, n = (x.tolist() for x in _pairs_within(ptr, cluster, len(communities)))
    links = {(x, y): k for x, y, k in zip(a, b, n, strict=True)}
    return {
        "clusters": [
            {"cluster": i, "topics": [ix.topic_names[t] for t in c], "people": int(people[i])}
            for i, c in enumerate(communities)
        ],
        "links": [
            {"clusters": [a, b], "people": n}
            for (a, b), n in sorted(links.items(), key=lambda x: (-x[1], x[0]))
        ],
    }


def _pairs_within(ptr: np.ndarray, values: np.ndarray, n_values: int) -> tuple[np.ndarray, ...]:
    """How many rows hold each pair of values (a < b), for rows ``values[ptr[i]:ptr[i+1]]`` each sorted
    and without repeats, as arrays (a, b, count). Vectorised by distance: the j-th step pairs every
    entry with the one j places later in the same row."""
    row = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    values = values.astype(np.int64)
    codes = []
    for j in range(1, int(np.diff(ptr).max(initial=0))):
        same = np.flatnonzero(row[:-j] == row[j:])
        codes.append(values[same] * n_values + values[same + j])
    every = np.concatenate(codes or [np.zeros(0, np.int64)])
    if n_values * n_values <= 4 * len(every) + 1_000_000:  # a count per possible pair: one pass
        counted = np.bincount(every, minlength=n_values * n_values)
        found = np.flatnonzero(counted)
        counts = counted[found]
    else:
        found, counts = np.unique(every, return_counts=True)
    return found // n_values, found % n_values, counts


def coverage_gaps(net: Network, cuts: ContactCuts, thresholds: Thresholds | None = None) -> dict[str, Any]:
    """The coverage report: gaps most severe first, then brokers and clusters of interest."""
    th = thresholds or Thresholds()
    gaps = topic_and_workstream_gaps(net, th)
    ix = net.index
    # The cuts are by node key; members the index does not know (created since it was read; the next
    # reader builds both again) are left out.
    keys = list(cuts.pieces)
    number = dict(zip(keys, ix.numbers(keys).tolist(), strict=True))
    pieces = {number[k]: sizes for k, sizes in cuts.pieces.items() if number[k] >= 0}
    centrality = None
    if cuts.betweenness is not None:
        # networkx's normalisation over all members (those without contacts lie on no path)
        n = ix.size
        scale = 2 / ((n - 1) * (n - 2)) if n > 2 else 1.0
        centrality = {number[k]: v * scale for k, v in cuts.betweenness.items() if number[k] >= 0}
    for b in rank_brokers(pieces, centrality, th.brokers, ix.member_ids.__getitem__):
        b["id"] = member = ix.member_ids[b["id"]]
        gaps.append(
            Gap(
                "broker",
                2 if b["splits_off"] >= 3 else 1,
                member,
                ix.member_names[ix.member[member]],
                f"the only link to {b['splits_off']} other member(s) in the contact network",
                b,
            )
        )
    gaps.sort(key=lambda g: (-g.severity, g.kind, g.subject))
    counts = Counter(SEVERITY_WORDS[g.severity] for g in gaps)
    return {
        "summary": {
            "members": ix.size,
            "topics": len(ix.topic_ids),
            "workstreams": len(net.workstreams),
            "organisations": len(net.organisations),
            "gaps": dict(counts),
        },
        "thresholds": th.__dict__,
        "gaps": [g.as_dict() for g in gaps],
        "clusters_of_interest": clusters_of_interest(net),
    }

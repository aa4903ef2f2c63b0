"""Clusters of interest: communities of topics that the same people hold together.

Louvain (networkx) over the topic co-occurrence graph, whose edge weights (how many people hold both
topics) are counted with numpy over the interest index, for all members at once.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from graphapp.analytics.interest_index import InterestIndex, distinct

__all__ = ["clusters_of_interest", "pairs_within"]


def clusters_of_interest(ix: InterestIndex, seed: int = 0) -> dict[str, Any]:
    """Communities of topics that the same people hold together (Louvain on topic co-occurrence).

    The co-occurrence counts are made with numpy over the index (every pair of topics one member holds,
    counted for all members at once).

    Parameters
    ----------
    ix : InterestIndex
    seed : int
        Louvain's seed: the same graph always gives the same clusters.

    Returns
    -------
    dict
        ``clusters`` (each: its number, its topics' names, how many people hold any of them) and ``links``
        (each pair of clusters and how many people hold topics of both), strongest first.

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "expert", "llm": "learning"}, "b": {"nlp": "expert", "llm": "expert"},
    ...                        "c": {"gis": "expert", "maps": "learning"}, "d": {"gis": "learning", "maps": "expert"}})
    >>> [(c["topics"], c["people"]) for c in clusters_of_interest(ix)["clusters"]]
    [(['gis', 'maps'], 2), (['llm', 'nlp'], 2)]
    """
    n_topics = len(ix.topic_ids)
    holding = np.flatnonzero(ix.degree > 0)
    first, second, together = pairs_within(ix.by_member.ptr, ix.by_member.cols, n_topics)
    # Pairs held together by very few people are noise at scale and make Louvain slow: keep pairs held by
    # at least 2 people and at least 1 in 10,000 members.
    floor = max(2, len(holding) // 10_000)
    strong = together >= floor
    # Topics are numbered in id order (see the index): the graph gets nodes and edges in that order, and
    # Louvain, whose result depends on the order it meets them, always gives the same clusters.
    T: nx.Graph[int] = nx.Graph()
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
    a, b, n = (x.tolist() for x in pairs_within(ptr, cluster, len(communities)))
    links = {(x, y): k for x, y, k in zip(a, b, n, strict=True)}
    return {
        "clusters": [
            {
                "cluster": i,
                # its topics, the most held first (what the cluster is mainly about)
                "topics": [ix.topic_names[t] for t in sorted(c, key=lambda t: (-int(ix.holders[t]), t))],
                "people": int(people[i]),
            }
            for i, c in enumerate(communities)
        ],
        "links": [
            {"clusters": [a, b], "people": n}
            for (a, b), n in sorted(links.items(), key=lambda x: (-x[1], x[0]))
        ],
    }


def pairs_within(ptr: np.ndarray, values: np.ndarray, n_values: int) -> tuple[np.ndarray, ...]:
    """How many rows hold each pair of values (a < b), for rows ``values[ptr[i]:ptr[i+1]]`` each sorted
    and without repeats, as arrays (a, b, count). Vectorised by distance: the j-th step pairs every
    entry with the one j places later in the same row.

    Examples
    --------
    >>> a, b, n = pairs_within(np.array([0, 3, 5]), np.array([0, 1, 2, 0, 1]), 3)
    >>> list(zip(a.tolist(), b.tolist(), n.tolist()))
    [(0, 1, 2), (0, 2, 1), (1, 2, 1)]
    """
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

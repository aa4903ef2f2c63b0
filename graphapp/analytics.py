"""Whole-graph analytics with networkx: brokers in the contact network, clusters of interest, the report.

Pure functions, plain data in and out.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import networkx as nx

from queries.coverage import SEVERITY_WORDS, Gap, Network, Thresholds, topic_and_workstream_gaps

__all__ = ["brokers", "clusters_of_interest", "coverage_gaps"]


def contact_graph(net: Network) -> nx.Graph:
    """Members joined by the contacts they already have (KNOWS)."""
    G = nx.Graph()
    G.add_nodes_from(m["id"] for m in net.members)
    G.add_edges_from((k["source"], k["target"]) for k in net.knows)
    return G


def brokers(G: nx.Graph, top: int = 10, budget: int = 1_000_000, seed: int = 0) -> list[dict[str, Any]]:
    """People whose removal would split the contact network (articulation points), with betweenness.

    Betweenness is exact on small networks; on large ones it is estimated from as many sampled sources
    (networkx's ``k``, fixed seed) as fit in ``budget`` node and edge visits, at least 5. Only the ``top``
    articulation points by betweenness are returned, each with how many people it alone connects to the
    rest (the members outside the largest piece left when it is removed).

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("b", "e")])
    >>> [(b["id"], b["splits_off"]) for b in brokers(G)]
    [('b', 2), ('c', 1)]
    """
    if G.number_of_edges() == 0:
        return []
    cut = set(nx.articulation_points(G))
    if not cut:
        return []
    size = G.number_of_nodes() + G.number_of_edges()
    k = None if size * G.number_of_nodes() <= budget else max(5, budget // size)
    centrality = nx.betweenness_centrality(G, k=k, seed=seed, normalized=True)
    chosen = sorted(cut, key=lambda n: (-centrality[n], n))[:top]
    result = []
    for node in chosen:
        pieces = sorted(_pieces_without(G, node), reverse=True)
        result.append(
            {
                "id": node,
                "betweenness": round(centrality[node], 6),
                "splits_off": sum(pieces[1:]),
                "pieces": len(pieces),
                "betweenness_sampled": k is not None,
            }
        )
    result.sort(key=lambda b: (-b["splits_off"], -b["betweenness"], b["id"]))
    return result


def _pieces_without(G: nx.Graph, removed: Any) -> list[int]:
    """Sizes of the pieces that the component of ``removed`` falls into without it (plain BFS: several
    times faster than connected_components over a subgraph view on large graphs)."""
    seen = {removed}
    sizes = []
    for start in G[removed]:
        if start in seen:
            continue
        seen.add(start)
        queue, size = [start], 0
        while queue:
            node = queue.pop()
            size += 1
            for nxt in G[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        sizes.append(size)
    return sizes


def clusters_of_interest(net: Network, seed: int = 0) -> dict[str, Any]:
    """Communities of topics that the same people hold together (Louvain on topic co-occurrence).

    Returns the clusters (their topics and how many people hold any of them) and how strongly each pair of
    clusters is linked (people holding topics of both).
    """
    topics_of: dict[str, set[str]] = {}
    for i in net.interests:
        topics_of.setdefault(i["member"], set()).add(i["topic"])
    weights: Counter[tuple[str, str]] = Counter()
    for topics in topics_of.values():
        weights.update(itertools.combinations(sorted(topics), 2))
    # Pairs held together by very few people are noise at scale and make Louvain slow: keep pairs held by
    # at least 2 people and at least 1 in 10,000 members.
    floor = max(2, len(topics_of) // 10_000)
    T = nx.Graph()
    T.add_nodes_from({i["topic"] for i in net.interests})
    T.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items() if w >= floor)
    if T.number_of_nodes() == 0:
        return {"clusters": [], "links": []}
    communities = nx.community.louvain_communities(T, weight="weight", seed=seed)
    communities = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c))
    cluster_of = {t: i for i, c in enumerate(communities) for t in c}
    names = {t["id"]: t["name"] for t in net.topics}
    people: Counter[int] = Counter()
    links: Counter[tuple[int, int]] = Counter()
    for topics in topics_of.values():
        mine = sorted({cluster_of[t] for t in topics})
        people.update(mine)
        links.update(itertools.combinations(mine, 2))
    return {
        "clusters": [
            {"cluster": i, "topics": [names.get(t, t) for t in c], "people": people[i]}
            for i, c in enumerate(communities)
        ],
        "links": [
            {"clusters": [a, b], "people": n} for (a, b), n in sorted(links.items(), key=lambda x: -x[1])
        ],
    }


def coverage_gaps(net: Network, thresholds: Thresholds | None = None) -> dict[str, Any]:
    """The coverage report: gaps most severe first, then brokers and clusters of interest."""
    th = thresholds or Thresholds()
    gaps = topic_and_workstream_gaps(net, th)
    names = {m["id"]: m["name"] for m in net.members}
    broker_list = brokers(contact_graph(net), top=th.brokers)
    for b in broker_list:
        gaps.append(
            Gap(
                "broker",
                2 if b["splits_off"] >= 3 else 1,
                b["id"],
                names.get(b["id"], b["id"]),
                f"the only link to {b['splits_off']} other member(s) in the contact network",
                b,
            )
        )
    gaps.sort(key=lambda g: (-g.severity, g.kind, g.subject))
    counts = Counter(SEVERITY_WORDS[g.severity] for g in gaps)
    return {
        "summary": {
            "members": len(net.members),
            "topics": len(net.topics),
            "workstreams": len(net.workstreams),
            "organisations": len(net.organisations),
            "gaps": dict(counts),
        },
        "thresholds": th.__dict__,
        "gaps": [g.as_dict() for g in gaps],
        "clusters_of_interest": clusters_of_interest(net),
    }

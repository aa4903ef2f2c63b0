"""How well do suggestions find real links? A held-out evaluation on real affiliation data.

    .venv/bin/python -m benchmarks.evaluate_suggestions [--splits 20] [--hold-out 0.2]

Data, real affiliation networks that ship inside PyPI packages:
- ``davis``: the Southern Women network of Davis, Gardner and Gardner (1941), in networkx: 18 women and
  the 14 social events each attended;
- ``art_philo_science``: scikit-network's 30 artists, philosophers and scientists and the 11 words of their
  Wikipedia articles they link to (needs ``pip install -e '.[eval]'``; the people are numbered, not named).
People play members, the things they are linked to play topics.

Task: hide a random share of the woman-event links; for each woman with hidden links, rank the events she
is not (visibly) linked to and see where the hidden ones land. An event's score for a woman is the sum of
the similarity between her and each woman who attended it, with the similarity given by the method under
test: graphapp's own suggestions on a LadybugDB store loaded with the visible links only, or one of the
plain common-neighbours, Jaccard and Adamic-Adar similarities (:func:`plain_similarities`, over the
visible links). Baselines also: random order and popularity (the event's attendance). Metrics: precision@3, mean reciprocal rank of the first hidden event, and AUC
(the chance that a hidden event outranks an event she never attended), averaged over the splits.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path

import networkx as nx

from devtools.spreadsheets import member, write_csv
from graphapp.ingest import import_files
from graphapp.ingest.normalise import member_id
from graphapp.queries.schema import create_schema
from graphapp.reports import suggest_peers
from graphapp.store import LadybugStore

METHODS = ("random", "popularity", "common_neighbours", "jaccard", "adamic_adar", "graphapp")


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.org"


def dataset(name: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """People, items and the links between them."""
    if name == "davis":
        B = nx.davis_southern_women_graph()
        return B.graph["top"], B.graph["bottom"], sorted((w, e) for w in B.graph["top"] for e in B[w])
    if name == "art_philo_science":
        from sknetwork.data import art_philo_science

        data = art_philo_science(metadata=True)
        biadjacency = data.biadjacency.tocoo()
        people = [f"Person {i + 1}" for i in range(biadjacency.shape[0])]
        items = [str(w) for w in data.names_col]
        links = sorted({(people[r], items[c]) for r, c in zip(biadjacency.row, biadjacency.col, strict=True)})
        return people, items, links
    raise ValueError(name)


def plain_similarities(attends: dict[str, set[str]], w: str, method: str) -> dict[str, float]:
    """Every other person who shares an item with ``w``, scored by the textbook measure on the
    person-item bipartite graph: common neighbours, Jaccard, or Adamic-Adar (sum of 1 / ln holders)."""
    holders: dict[str, int] = defaultdict(int)
    for items in attends.values():
        for e in items:
            holders[e] += 1
    mine = attends[w]
    result = {}
    for o, theirs in attends.items():
        shared = mine & theirs
        if o == w or not shared:
            continue
        result[o] = {
            "common_neighbours": float(len(shared)),
            "jaccard": len(shared) / len(mine | theirs),
            "adamic_adar": sum(1 / math.log(holders[e]) for e in shared),
        }[method]
    return result


def evaluate(name: str, splits: int, hold_out: float, k: int = 3) -> dict[str, dict[str, float]]:
    women, events, edges = dataset(name)
    results: dict[str, dict[str, list[float]]] = {m: defaultdict(list) for m in METHODS}
    for split in range(splits):
        rng = random.Random(split)  # the same hidden links for every method
        hidden = set(rng.sample(edges, int(len(edges) * hold_out)))
        visible = [e for e in edges if e not in hidden]
        attends: dict[str, set[str]] = defaultdict(set)
        for w, e in visible:
            attends[w].add(e)
        with tempfile.TemporaryDirectory() as tmp:
            rows = [member(w, _email(w), topics="; ".join(sorted(attends[w]))) for w in women]
            store = LadybugStore(Path(tmp) / "eval.lbug")
            create_schema(store)
            import_files(store, [write_csv(Path(tmp) / "women.csv", rows)], new_topics=True)
            ids = {w: member_id(_email(w)) for w in women}
            name_of = {v: k for k, v in ids.items()}
            popularity = {e: sum(1 for w in women if e in attends[w]) for e in events}
            for w in women:
                truth = {e for (x, e) in hidden if x == w}
                if not truth or not attends[w]:
                    continue
                candidates = [e for e in events if e not in attends[w]]
                never = [e for e in candidates if e not in truth]
                for method in METHODS:
                    if method == "random":
                        score = {e: rng.random() for e in candidates}
                    elif method == "popularity":
                        score = {e: popularity[e] + rng.random() * 1e-9 for e in candidates}
                    else:
                        if method == "graphapp":
                            found = store.read(
                                suggest_peers,
                                ids[w],
                                limit=100,
                                exclude_known=False,
                                exclude_own_organisation=False,
                            )
                            sims = {name_of[s.id]: s.score for s in found.suggestions}
                        else:
                            sims = plain_similarities(attends, w, method)
                        score = {
                            e: sum(s for o, s in sims.items() if e in attends[o]) + rng.random() * 1e-9
                            for e in candidates
                        }
                    ranked = sorted(candidates, key=lambda e: -score[e])
                    results[method]["precision@3"].append(len(set(ranked[:k]) & truth) / k)
                    first = next(i for i, e in enumerate(ranked, start=1) if e in truth)
                    results[method]["mrr"].append(1 / first)
                    pairs = [(h, n) for h in truth for n in never]
                    if pairs:
                        wins = sum(
                            1.0 if score[h] > score[n] else 0.5 if score[h] == score[n] else 0.0
                            for h, n in pairs
                        )
                        results[method]["auc"].append(wins / len(pairs))
            store.close()
    return {m: {name: statistics.mean(v) for name, v in r.items()} for m, r in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--splits", type=int, default=20)
    parser.add_argument("--hold-out", type=float, default=0.2)
    parser.add_argument("--dataset", choices=["davis", "art_philo_science", "all"], default="all")
    args = parser.parse_args()
    names = ["davis", "art_philo_science"] if args.dataset == "all" else [args.dataset]
    for name in names:
        try:
            table = evaluate(name, args.splits, args.hold_out)
        except ImportError:
            print(f"{name}: skipped, scikit-network is not installed (pip install -e '.[eval]')\n")
            continue
        print(f"{name}: {args.splits} random splits, {args.hold_out:.0%} of links held out")
        print("| method | precision@3 | MRR | AUC |")
        print("|---|---:|---:|---:|")
        for method, r in table.items():
            print(f"| {method} | {r['precision@3']:.3f} | {r['mrr']:.3f} | {r['auc']:.3f} |")
        print()


if __name__ == "__main__":
    main()

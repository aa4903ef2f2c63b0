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

Ties are broken by the number of shared topics, then name, then id. The kind of a match is the mode
under which it scores highest (ties go to ``peer``).

Finding candidates is the expensive part: every holder of every topic I hold. Holders of my rarest
topics are scored first; a candidate who shares only more popular topics cannot score more than a bound
worked out from those topics' weights, so as soon as the k-th best score found beats that bound the
answer is exact and the popular topics' holders are never read. Otherwise more topics are taken in,
up to all of them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from queries.cypher import Cypher, Rows, Tx

__all__ = ["MODES", "Suggestion", "Suggestions", "UnknownMember", "level_fit", "suggest_peers"]

Mode = Literal["peers", "mentors", "mentees", "all"]
MODES: tuple[Mode, ...] = ("all", "peers", "mentors", "mentees")
RANK = {"learning": 0, "practising": 1, "expert": 2}
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


FIND_MEMBER = Rows(
    "MATCH (m:Member {id: $member}) OPTIONAL MATCH (m)-[:WORKS_AT]->(org:Organisation)",
    id="m.id",
    name="m.name",
    region="m.region",
    organisation="org.id",
)
FIND_MEMBER_BY_EMAIL = Rows(
    "MATCH (m:Member) WHERE m.email = $email OPTIONAL MATCH (m)-[:WORKS_AT]->(org:Organisation)",
    id="m.id",
    name="m.name",
    region="m.region",
    organisation="org.id",
)
PROFILE = Rows(
    "MATCH (m:Member {id: $id})-[r:INTERESTED_IN]->(t:Topic) "
    "WITH t, r, COUNT { MATCH (t)<-[:INTERESTED_IN]-(:Member) } AS holders",
    topic="t.id",
    name="t.name",
    level="r.level",
    holders="holders",
)
COUNT_MEMBERS = Cypher("MATCH (m:Member) RETURN count(m) AS n")
KNOWN = Rows("MATCH (:Member {id: $id})-[:KNOWS]-(o:Member)", id="o.id")

# Candidates: the holders of the seed topics, with every topic they share with me and how many topics
# they hold. The region filter is cheap here; organisation, workstream and topic filters are applied to
# the best-scoring candidates only (DETAILS), which on LadybugDB is several times faster than EXISTS
# subqueries over every candidate. An option that is off is passed as '' (LadybugDB cannot bind the type
# of a null parameter).
CANDIDATES = Rows(
    # Two MATCH clauses, not one pattern: within one pattern Neo4j never uses a relationship twice, so the
    # seed topic itself would go missing from `shared` (LadybugDB does not have that rule).
    "MATCH (s:Topic)<-[:INTERESTED_IN]-(o:Member) "
    "WHERE s.id IN $seeds AND NOT o.id IN $exclude AND ($region = '' OR o.region = $region) "
    # A member who said no to being suggested never is (their consent; unset means yes).
    "AND (o.suggestible IS NULL OR o.suggestible <> 'no') "
    "WITH DISTINCT o "
    "MATCH (o)-[r:INTERESTED_IN]->(t:Topic) "
    "WITH o, count(t) AS degree, collect(CASE WHEN t.id IN $mine THEN t.id + ':' + r.level END) AS shared",
    id="o.id",
    degree="degree",
    shared="shared",
)
DETAILS = Rows(
    "UNWIND $ids AS cid MATCH (o:Member {id: cid}) "
    # (LadybugDB 0.22 fails on a WITH between two OPTIONAL MATCHes here; back to back they work on both.)
    "OPTIONAL MATCH (o)-[:WORKS_AT]->(org:Organisation) "
    "OPTIONAL MATCH (o)-[:MEMBER_OF]->(w:Workstream) "
    "WITH o, org, collect(w.id) AS workstreams",
    id="o.id",
    name="o.name",
    organisation_id="org.id",
    organisation="org.name",
    country="o.country",
    region="o.region",
    workstreams="workstreams",
)
HOLDING = Rows(
    "UNWIND $ids AS cid MATCH (o:Member {id: cid})-[:INTERESTED_IN]->(:Topic {id: $topic})", id="o.id"
)


@dataclass
class _Candidate:
    id: str
    degree: int
    shared: dict[str, str]  # topic -> their level


def _score(c: _Candidate, mine: dict[str, str], weights: dict[str, float], mode: str) -> float:
    dot = sum(weights[t] * level_fit(mine[t], lv, mode) for t, lv in c.shared.items())
    return dot / math.sqrt(len(mine) * c.degree) if dot else 0.0


def _bound(unseen: list[str], weights: dict[str, float], fit_max: dict[str, float], n_mine: int) -> float:
    """The most a candidate can score who shares only topics from ``unseen`` (they hold >= s topics)."""
    gains = sorted((weights[t] * fit_max[t] for t in unseen), reverse=True)
    best, total = 0.0, 0.0
    for s, gain in enumerate(gains, start=1):
        total += gain
        best = max(best, total / math.sqrt(n_mine * s))
    return best


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
    seed_budget: int = 5000,
) -> Suggestions:
    """Ranked suggestions for ``member`` (an id or an email), each with its score, kind and reasons."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    found = FIND_MEMBER.run(tx, member=member) or FIND_MEMBER_BY_EMAIL.run(tx, email=member.strip().lower())
    if not found:
        raise UnknownMember(member)
    me = found[0]
    result = Suggestions(member=me["id"], name=me["name"], mode=mode)
    interests = PROFILE.run(tx, id=me["id"])
    if not interests:
        result.note = f"{me['name']} has no topics yet: add some to the profile to get suggestions"
        return result
    n = tx.run(COUNT_MEMBERS)[0]["n"]
    mine = {i["topic"]: i["level"] for i in interests}
    names = {i["topic"]: i["name"] for i in interests}
    holders = {i["topic"]: i["holders"] for i in interests}
    weights = {t: math.log(n / holders[t]) if holders[t] else 0.0 for t in mine}
    fit_max = {t: max(level_fit(mine[t], lv, mode) for lv in RANK) for t in mine}
    usable = sorted((t for t in mine if weights[t] > 0 and fit_max[t] > 0), key=lambda t: (holders[t], t))
    if not usable:
        result.note = "nobody can be suggested for these topics in this mode"
        return result
    exclude = [me["id"]] + ([r["id"] for r in KNOWN.run(tx, id=me["id"])] if exclude_known else [])
    params = {"exclude": exclude, "region": region or "", "mine": list(mine)}
    own_organisation = me["organisation"] if exclude_own_organisation else None

    def passes(d: dict[str, Any]) -> bool:
        return (
            (own_organisation is None or d["organisation_id"] != own_organisation)
            and (workstream is None or workstream in d["workstreams"])
            and (topic is None or d["has_topic"])
        )

    candidates: dict[str, _Candidate] = {}
    details: dict[str, dict[str, Any]] = {}
    seeded = 0
    budget = seed_budget
    while True:
        seeds, reach = [], 0
        for t in usable[seeded:]:
            if seeds and reach + holders[t] > budget:
                break
            seeds.append(t)
            reach += holders[t]
        for row in CANDIDATES.run(tx, seeds=seeds, **params):
            shared = dict(s.split(":", 1) for s in row["shared"] if s)
            candidates[row["id"]] = _Candidate(row["id"], row["degree"], shared)
        seeded += len(seeds)
        scored = sorted(
            ((s, c) for c in candidates.values() if (s := _score(c, mine, weights, mode)) > 0),
            key=lambda sc: -sc[0],
        )
        kept = _filtered(tx, scored, limit, passes, topic or "", details)
        unseen = usable[seeded:]
        if not unseen:
            break
        if len(kept) >= limit and kept[limit - 1][0] > _bound(unseen, weights, fit_max, len(mine)):
            break
        budget *= 4
    result.candidates_scored = len(candidates)
    if not kept:
        result.note = "nobody else shares these topics under these options"
        return result
    # Everyone tied with the last place is kept, so that ties are broken by name, not by arrival order.
    cutoff = kept[min(limit, len(kept)) - 1][0]
    top = [(s, c) for s, c in kept if s >= cutoff]
    my_workstreams = set(DETAILS.run(tx, ids=[me["id"]])[0]["workstreams"])
    suggestions = []
    for score, c in top:
        d = details[c.id]
        shared = []
        for t, theirs in sorted(c.shared.items(), key=lambda kv: (holders[kv[0]], kv[0])):
            diff = RANK[theirs] - RANK[mine[t]]
            relation = "mentor" if diff == 2 else "mentee" if diff == -2 else "peer"
            shared.append(SharedTopic(t, names[t], mine[t], theirs, holders[t], relation))
        kind = _kind(c, mine, weights, mode)
        same_region = bool(me["region"]) and d["region"] == me["region"]
        together = sorted(my_workstreams & set(d["workstreams"]))
        suggestions.append(
            Suggestion(
                id=c.id,
                name=d["name"],
                organisation=d["organisation"],
                country=d["country"],
                region=d["region"],
                score=round(score, 6),
                kind=kind,
                shared_topics=shared,
                shared_workstreams=together,
                same_region=same_region,
                reasons=_reasons(shared, together, same_region, d["region"]),
            )
        )
    suggestions.sort(key=lambda s: (-s.score, -len(s.shared_topics), s.name, s.id))
    result.suggestions = suggestions[:limit]
    return result


def _filtered(
    tx: Tx,
    scored: list[tuple[float, _Candidate]],
    limit: int,
    passes: Any,
    topic: str,
    details: dict[str, dict[str, Any]],
) -> list[tuple[float, _Candidate]]:
    """The best-scoring candidates that pass the filters: at least ``limit`` of them and all tied with the
    last, or every one there is. Details are read in chunks, best first, into ``details``, which is kept
    across rounds so that no candidate's details are read twice."""
    kept: list[tuple[float, _Candidate]] = []
    chunk = max(4 * limit, 50)
    for start in range(0, len(scored), chunk):
        part = scored[start : start + chunk]
        ids = [c.id for _, c in part if c.id not in details]
        if ids:
            holding = {r["id"] for r in HOLDING.run(tx, ids=ids, topic=topic)} if topic else set()
            for d in DETAILS.run(tx, ids=ids):
                d["has_topic"] = d["id"] in holding
                details[d["id"]] = d
        kept.extend((s, c) for s, c in part if passes(details[c.id]))
        if len(kept) >= limit and (
            start + chunk >= len(scored) or scored[start + chunk][0] < kept[limit - 1][0]
        ):
            break
    return kept


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

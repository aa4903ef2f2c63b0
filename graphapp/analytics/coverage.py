"""Coverage gaps: where the network is thin, as data ordered by severity.

Each kind of gap has its own finder, over the interest index (who holds which topic at which level, who
works where) and a few small tables (organisations, workstreams with their numbers of members and leads,
which workstream covers which topic): :func:`topic_gaps`, :func:`workstream_gaps`, :func:`region_gaps`,
:func:`country_gaps`, :func:`organisation_gaps`, :func:`member_gaps`, and :func:`broker_gaps` over the
cuts of the contact network (:mod:`graphapp.analytics.brokers`). :func:`coverage_gaps` puts them
together with the clusters of interest (:mod:`graphapp.analytics.clusters`) as one report.

A gap is a kind, a severity (3 critical, 2 serious, 1 worth a look), a subject and the numbers behind it;
the sentence that says it is made where it is shown (:func:`graphapp.wording.gap_detail`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from graphapp.analytics.brokers import ContactCuts, rank_brokers
from graphapp.analytics.clusters import clusters_of_interest
from graphapp.analytics.interest_index import InterestIndex
from graphapp.analytics.journey import STUCK_AT_LEAST, stuck_at
from graphapp.queries.schema import LEVELS, STAGES

__all__ = [
    "Gap",
    "Network",
    "Thresholds",
    "act_on",
    "ask_gaps",
    "broker_gaps",
    "counted_gaps",
    "demand_and_supply",
    "country_gaps",
    "coverage_gaps",
    "member_gaps",
    "lead_candidates",
    "organisation_gaps",
    "possible_mentors",
    "region_gaps",
    "stale_share",
    "stuck_gaps",
    "topic_gaps",
    "workstream_gaps",
]


@dataclass
class Network:
    """What the coverage report needs besides the contact network.

    Who holds which topic, where members work and who may be suggested come from the interest index
    (shared with the suggestions); the rest is small: organisations (id, name, country, region),
    workstreams (id, name, members, leads) and which workstream covers which topic (workstream, topic).
    """

    index: InterestIndex
    organisations: list[dict[str, Any]] = field(default_factory=list)
    workstreams: list[dict[str, Any]] = field(default_factory=list)
    covers: list[dict[str, Any]] = field(default_factory=list)
    #: For each topic with open asks, how many (:func:`graphapp.queries.asks.open_ask_topics`).
    open_asks: dict[str, int] = field(default_factory=dict)


@dataclass
class Thresholds:
    """What counts as thin. Every number can be set by a coordinator (``graphapp gaps --set name=value``)."""

    few_workstream_members: int = 3  # a workstream with fewer members than this is thin
    few_region_members: int = 3  # a region with fewer members than this is thin
    few_country_members: int = 1  # a represented country with no more members than this is thin
    demand_ratio: float = 3.0  # learners per expert above which demand outstrips supply
    min_learners: int = 3  # ... counted only where at least this many are learning
    brokers: int = 10  # how many brokers to list
    # (the journey) a topic is stuck with this many projects at its furthest stage and none beyond
    stuck_projects: int = STUCK_AT_LEAST


@dataclass
class Gap:
    kind: str
    severity: int  # 3 critical, 2 serious, 1 worth a look
    subject: str  # the id of the topic, workstream, region, country, organisation or member
    name: str
    numbers: dict[str, Any] = field(default_factory=dict)
    #: The people a coordinator can turn to (:func:`act_on`): each with ``id``, ``name`` and why.
    act: list[dict[str, Any]] = field(default_factory=list)
    #: How many people there are to turn to in all (``act`` names the first few).
    named: int = 0
    #: The UN M49 region the gap lies in, where it lies in one (a region, a country, an organisation or
    #: a member); None for a gap of the whole network (a topic, a workstream).
    region: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _topic_counts(ix: InterestIndex) -> tuple[np.ndarray, np.ndarray]:
    """Per topic: holders at each level (learning, practising, expert), and organisations among its
    holders (no organisation counts as one). One pass of numpy over every interest."""
    n_topics = len(ix.topic_ids)
    topic, holder, level = ix.edges_by_topic()
    levels = np.bincount(topic * len(LEVELS) + level, minlength=len(LEVELS) * n_topics).reshape(
        n_topics, len(LEVELS)
    )
    org = ix.organisation[holder].astype(np.int64) + 1  # 0: no organisation
    pairs = np.unique(topic.astype(np.int64) * (len(ix.organisations) + 1) + org)
    organisations = np.bincount(pairs // (len(ix.organisations) + 1), minlength=n_topics)
    return levels, organisations


def topic_gaps(ix: InterestIndex, covers: Sequence[dict[str, Any]], th: Thresholds) -> list[Gap]:
    """Topics nobody holds, held by one person or inside one organisation, without an expert, or with
    many more learners than experts. A gap on a topic a workstream covers is more severe.

    Parameters
    ----------
    ix : InterestIndex
    covers : sequence of dict
        Which workstream covers which topic (``workstream``, ``topic``).
    th : Thresholds

    Returns
    -------
    list of Gap
        By topic id; the numbers: holders, organisations, and holders at each level.

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "learning"}, "b": {"nlp": "learning"}}, topics=["cv"],
    ...                       organisations={"a": "ons", "b": "insee"})
    >>> [(g.kind, g.subject, g.severity) for g in topic_gaps(ix, [{"workstream": "WS1", "topic": "cv"}], Thresholds())]
    [('topic-unheld', 'cv', 3), ('topic-without-expert', 'nlp', 2)]
    """
    levels, organisations = _topic_counts(ix)
    covered_by: dict[str, list[str]] = defaultdict(list)
    for c in covers:
        covered_by[c["topic"]].append(c["workstream"])
    gaps = []
    for t in sorted(range(len(ix.topic_ids)), key=lambda t: ix.topic_ids[t]):
        tid, name, held = ix.topic_ids[t], ix.topic_names[t], int(ix.holders[t])
        at_level = {level: int(n) for level, n in zip(LEVELS, levels[t], strict=True)}
        learning, expert = at_level[LEVELS[0]], at_level[LEVELS[-1]]  # the first level and the last
        numbers = {"holders": held, "organisations": int(organisations[t]), **at_level}
        ws = sorted(covered_by.get(tid, []))
        if not held:
            gaps.append(Gap("topic-unheld", 3 if ws else 2, tid, name, {**numbers, "workstreams": ws}))
            continue
        if held == 1:
            gaps.append(Gap("topic-single-person", 3 if ws else 2, tid, name, numbers))
        elif organisations[t] == 1:
            gaps.append(Gap("topic-single-organisation", 2, tid, name, numbers))
        if expert == 0:
            gaps.append(Gap("topic-without-expert", 2 if learning else 1, tid, name, numbers))
        elif learning >= th.min_learners and learning / expert > th.demand_ratio:
            gaps.append(Gap("topic-demand-exceeds-supply", 1, tid, name, numbers))
    return gaps


def workstream_gaps(workstreams: Sequence[dict[str, Any]], th: Thresholds) -> list[Gap]:
    """Workstreams without a lead, or with fewer than ``few_workstream_members`` members.

    Parameters
    ----------
    workstreams : sequence of dict
        Each with ``id``, ``name``, ``members`` and ``leads`` (numbers).
    th : Thresholds

    Returns
    -------
    list of Gap

    Examples
    --------
    >>> [(g.kind, g.subject) for g in workstream_gaps([{"id": "WS1", "name": "Studies", "members": 2, "leads": 0}], Thresholds())]
    [('workstream-without-lead', 'WS1'), ('workstream-few-members', 'WS1')]
    """
    gaps = []
    for w in sorted(workstreams, key=lambda w: w["id"]):
        numbers = {"members": w["members"], "leads": w["leads"]}
        if not w["leads"]:
            gaps.append(Gap("workstream-without-lead", 3, w["id"], w["name"], numbers))
        if w["members"] < th.few_workstream_members:
            gaps.append(Gap("workstream-few-members", 2, w["id"], w["name"], numbers))
    return gaps


def _counts(codes: np.ndarray, values: list[str]) -> dict[str, int]:
    """How many members have each value, from the index's codes (-1, no value, is not counted)."""
    counted = np.bincount(codes[codes >= 0], minlength=len(values))
    return dict(zip(values, counted.tolist(), strict=True))


def region_gaps(ix: InterestIndex, regions: Sequence[str], th: Thresholds) -> list[Gap]:
    """Each of ``regions`` (the UN M49 regions) with no members, or fewer than ``few_region_members``.

    Parameters
    ----------
    ix : InterestIndex
    regions : sequence of str
    th : Thresholds

    Returns
    -------
    list of Gap

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {}}, regions={"a": "Europe"})
    >>> [(g.kind, g.subject) for g in region_gaps(ix, ["Africa", "Europe"], Thresholds())]
    [('region-without-members', 'Africa'), ('region-few-members', 'Europe')]
    """
    count = _counts(ix.region, ix.regions)
    gaps = []
    for region in regions:
        n = count.get(region, 0)
        if n == 0:
            gaps.append(Gap("region-without-members", 3, region, region, {"members": 0}))
        elif n < th.few_region_members:
            gaps.append(Gap("region-few-members", 2, region, region, {"members": n}))
    return gaps


def country_gaps(ix: InterestIndex, organisations: Sequence[dict[str, Any]], th: Thresholds) -> list[Gap]:
    """Countries with an organisation but no member, and countries with at most ``few_country_members``.

    Parameters
    ----------
    ix : InterestIndex
    organisations : sequence of dict
        Each with ``id`` and ``country``.
    th : Thresholds

    Returns
    -------
    list of Gap

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {}}, countries={"a": "CAN"})
    >>> [(g.kind, g.subject) for g in country_gaps(ix, [{"id": "ons", "country": "GBR"}], Thresholds())]
    [('country-few-members', 'CAN'), ('country-without-members', 'GBR')]
    """
    count = _counts(ix.country, ix.countries)
    with_organisation = {o["country"] for o in organisations if o["country"]}
    gaps = []
    for country in sorted(with_organisation | set(count)):
        n = count.get(country, 0)
        if n == 0:
            gaps.append(Gap("country-without-members", 1, country, country, {"members": 0}))
        elif n <= th.few_country_members:
            gaps.append(Gap("country-few-members", 1, country, country, {"members": n}))
    return gaps


def organisation_gaps(ix: InterestIndex, organisations: Sequence[dict[str, Any]]) -> list[Gap]:
    """Organisations with no member in the network, and those whose link to it is one member.

    Parameters
    ----------
    ix : InterestIndex
    organisations : sequence of dict
        Each with ``id`` and ``name`` (and ``region``, where known).

    Returns
    -------
    list of Gap

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {}}, organisations={"a": "ons"})
    >>> orgs = [{"id": "ons", "name": "ONS"}, {"id": "bfs", "name": "BFS", "region": "Europe"}]
    >>> [(g.kind, g.subject, g.region) for g in organisation_gaps(ix, orgs)]
    [('organisation-single-member', 'ons', None), ('organisation-without-members', 'bfs', 'Europe')]
    """
    count = _counts(ix.organisation, ix.organisations)
    gaps = []
    for o in sorted(organisations, key=lambda o: o["id"]):
        n = count.get(o["id"], 0)
        if n > 1:
            continue
        kind = "organisation-single-member" if n else "organisation-without-members"
        gaps.append(Gap(kind, 1, o["id"], o["name"] or o["id"], {"members": n}, region=o.get("region")))
    gaps.sort(key=lambda g: (g.kind, g.subject))
    return gaps


def member_gaps(ix: InterestIndex) -> list[Gap]:
    """Members without topics, and members with no possible peer: nobody outside their own
    organisation holds any of their topics.

    Parameters
    ----------
    ix : InterestIndex

    Returns
    -------
    list of Gap

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "expert"}, "b": {"nlp": "learning"}, "c": {}},
    ...                       organisations={"a": "ons", "b": "ons"})
    >>> [(g.kind, g.subject) for g in member_gaps(ix)]
    [('member-without-topics', 'c'), ('member-without-peer', 'a'), ('member-without-peer', 'b')]
    """
    topic, holder, _ = ix.edges_by_topic()
    # For each interest, how many other holders of that topic work elsewhere (anyone else, for a holder
    # with no organisation).
    org = ix.organisation[holder].astype(np.int64) + 1  # 0: no organisation
    _, inverse, same = np.unique(
        topic.astype(np.int64) * (len(ix.organisations) + 1) + org, return_inverse=True, return_counts=True
    )
    holders = ix.holders[topic]
    others = np.where(org > 0, holders - same[inverse], holders - 1)
    has_peer = np.bincount(holder, weights=others > 0, minlength=ix.size) > 0
    without_topics = sorted(np.flatnonzero(ix.degree == 0).tolist(), key=ix.member_ids.__getitem__)
    without_peer = sorted(np.flatnonzero((ix.degree > 0) & ~has_peer).tolist(), key=ix.member_ids.__getitem__)
    return [
        *(
            Gap("member-without-topics", 1, ix.member_ids[i], ix.member_names[i], {"topics": 0})
            for i in without_topics
        ),
        *(
            Gap("member-without-peer", 2, ix.member_ids[i], ix.member_names[i], {"topics": int(ix.degree[i])})
            for i in without_peer
        ),
    ]


def ask_gaps(ix: InterestIndex, open_asks: dict[str, int]) -> list[Gap]:
    """Topics with open asks and no expert to answer them: critical when nobody holds the topic at all,
    serious when only learners or practitioners do.

    Parameters
    ----------
    ix : InterestIndex
    open_asks : dict
        For each topic id, how many open asks name it (topics the index does not know are left out).

    Returns
    -------
    list of Gap
        By topic id; the numbers: ``asks``, ``holders`` and holders at each level.

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "learning", "cv": "expert"}}, topics=["gis"])
    >>> [(g.kind, g.subject, g.severity, g.numbers["asks"]) for g in ask_gaps(ix, {"nlp": 2, "cv": 1, "gis": 1})]
    [('topic-ask-without-expert', 'gis', 3, 1), ('topic-ask-without-expert', 'nlp', 2, 2)]
    """
    levels, _ = _topic_counts(ix)
    gaps = []
    for tid in sorted(t for t in open_asks if t in ix.topic):
        t = ix.topic[tid]
        at_level = {level: int(n) for level, n in zip(LEVELS, levels[t], strict=True)}
        if at_level[LEVELS[-1]]:
            continue
        held = int(ix.holders[t])
        numbers = {"asks": open_asks[tid], "holders": held, **at_level}
        gaps.append(Gap("topic-ask-without-expert", 3 if not held else 2, tid, ix.topic_names[t], numbers))
    return gaps


def counted_gaps(net: Network, th: Thresholds, regions: Sequence[str]) -> list[Gap]:
    """Every gap that counting finds: topics (and open asks no expert can answer), workstreams, regions,
    countries, organisations, members."""
    ix = net.index
    return [
        *topic_gaps(ix, net.covers, th),
        *ask_gaps(ix, net.open_asks),
        *workstream_gaps(net.workstreams, th),
        *region_gaps(ix, regions, th),
        *country_gaps(ix, net.organisations, th),
        *organisation_gaps(ix, net.organisations),
        *member_gaps(ix),
    ]


def broker_gaps(ix: InterestIndex, cuts: ContactCuts, th: Thresholds) -> list[Gap]:
    """The ``th.brokers`` members whose removal splits the contact network most (see
    :func:`graphapp.analytics.brokers.brokers`), with betweenness as networkx normalises it over all members.

    Parameters
    ----------
    ix : InterestIndex
    cuts : ContactCuts
        The contact network's cuts by node key (:func:`graphapp.analytics.brokers.find_cuts`).
    th : Thresholds

    Returns
    -------
    list of Gap
        The numbers: ``splits_off``, ``pieces``, ``separated_pairs``, ``betweenness``.

    Examples
    --------
    >>> from graphapp.analytics.brokers import find_cuts
    >>> ix = InterestIndex.of({"a": {}, "b": {}, "c": {}})  # (their keys: 0, 1, 2)
    >>> cuts = find_cuts(np.array([0, 1]), np.array([1, 2]))
    >>> [(g.subject, g.numbers["splits_off"], g.numbers["betweenness"], [p["id"] for p in g.act])
    ...  for g in broker_gaps(ix, cuts, Thresholds())]
    [('b', 1, 1.0, ['c'])]
    """
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
    key_of = {n: k for k, n in number.items()}
    gaps = []
    for b in rank_brokers(pieces, centrality, th.brokers, ix.member_ids.__getitem__):
        i = b["id"]
        b["id"] = ix.member_ids[i]
        # whom they alone connect, by name (the first few: ``splits_off`` says how many in all)
        alone = [j for j in ix.numbers(cuts.alone_connects(key_of[i])).tolist() if j >= 0]
        alone.sort(key=lambda j: (ix.member_names[j], ix.member_ids[j]))
        act = [_person(ix, j) for j in alone[: 2 * MOST_NAMED]]
        gaps.append(
            Gap("broker", 2 if b["splits_off"] >= 3 else 1, b["id"], ix.member_names[i], b, act, len(alone))
        )
    return gaps


# --- What a coordinator can act on (issue 15 §3): the people each gap names -----------------------------

#: How many people a gap names at most (the numbers say how many there are in all).
MOST_NAMED = 5


def _person(ix: InterestIndex, i: int, **why: Any) -> dict[str, Any]:
    d = ix.details(i)
    return {"id": d["id"], "name": d["name"], "organisation": d["organisation"], "region": d["region"], **why}


def lead_candidates(
    ix: InterestIndex, workstream: str, topics: Sequence[str], most: int = MOST_NAMED
) -> list[dict[str, Any]]:
    """The best candidates to lead ``workstream``: its members first, then experts elsewhere in the
    topics it covers, each ranked by what they hold of those topics (expert 3, practising 2, learning 1),
    then by name. Members who chose not to be suggested are left out.

    Parameters
    ----------
    ix : InterestIndex
    workstream : str
    topics : sequence of str
        The ids of the topics the workstream covers.
    most : int

    Returns
    -------
    list of dict
        ``id``, ``name``, ``organisation``, ``region``, ``member`` (of the workstream) and ``topics``
        (``name`` and ``level`` of each of its topics they hold, highest level first).

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "learning"}, "b": {"nlp": "expert"}, "c": {"nlp": "expert"},
    ...                        "d": {"cv": "expert"}}, workstreams={"WS1": ["a", "d"]})
    >>> [(c["id"], c["member"], [t["level"] for t in c["topics"]]) for c in lead_candidates(ix, "WS1", ["nlp"])]
    [('a', True, ['learning']), ('d', True, []), ('b', False, ['expert']), ('c', False, ['expert'])]
    """
    members = set(np.asarray(ix.workstream_members.get(workstream, []), np.int64).tolist())
    expert = len(LEVELS) - 1
    held: dict[int, list[tuple[int, str]]] = {i: [] for i in members if ix.suggestible[i]}
    for tid in topics:
        if tid not in ix.topic:
            continue
        t = ix.topic[tid]
        holders, levels = ix.by_topic.row(t)
        for i, level in zip(holders.tolist(), levels.tolist(), strict=True):
            if ix.suggestible[i] and (i in members or level == expert):
                held.setdefault(i, []).append((level, ix.topic_names[t]))
    ranked = sorted(
        held,
        key=lambda i: (
            i not in members,
            -sum(lv + 1 for lv, _ in held[i]),
            ix.member_names[i],
            ix.member_ids[i],
        ),
    )
    return [
        _person(
            ix,
            i,
            member=i in members,
            topics=[
                {"name": name, "level": LEVELS[lv]}
                for lv, name in sorted(held[i], key=lambda h: (-h[0], h[1]))
            ],
        )
        for i in ranked[:most]
    ]


def possible_mentors(ix: InterestIndex, topic: str, most: int = MOST_NAMED) -> dict[str, Any]:
    """Who could mentor the learners of ``topic``: its experts, then its practitioners, those who chose
    not to be suggested left out; each says whether they are outside the region where most of its
    learners are (a mentor need not be near).

    Parameters
    ----------
    ix : InterestIndex
    topic : str
    most : int

    Returns
    -------
    dict
        ``people`` (the first ``most``: ``id``, ``name``, ``organisation``, ``region``, ``level``,
        ``outside``: the region where most learners are, if they are elsewhere, else None), ``total``
        (how many in all) and ``learners_region`` (None when no region holds most learners).

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "learning"}, "b": {"nlp": "learning"}, "c": {"nlp": "practising"},
    ...                        "d": {"nlp": "expert"}}, regions={"a": "Africa", "b": "Africa", "d": "Asia"})
    >>> found = possible_mentors(ix, "nlp")
    >>> [(p["id"], p["level"], p["outside"]) for p in found["people"]], found["learners_region"]
    ([('d', 'expert', 'Africa'), ('c', 'practising', None)], 'Africa')
    """
    if topic not in ix.topic:
        return {"people": [], "total": 0, "learners_region": None}
    holders, levels = ix.by_topic.row(ix.topic[topic])
    learners = holders[levels == 0]
    regions = ix.region[learners]
    counted = np.bincount(regions[regions >= 0], minlength=len(ix.regions))
    main = int(counted.argmax()) if counted.sum() else -1
    if main >= 0 and (counted == counted[main]).sum() > 1:  # no one region holds most
        main = -1
    able = [
        (int(lv), i)
        for i, lv in zip(holders.tolist(), levels.tolist(), strict=True)
        if lv >= 1 and ix.suggestible[i]
    ]
    able.sort(key=lambda x: (-x[0], ix.member_names[x[1]], ix.member_ids[x[1]]))
    return {
        "people": [
            _person(
                ix,
                i,
                level=LEVELS[lv],
                outside=ix.regions[main] if main >= 0 and int(ix.region[i]) not in (-1, main) else None,
            )
            for lv, i in able[:most]
        ],
        "total": len(able),
        "learners_region": ix.regions[main] if main >= 0 else None,
    }


#: The gaps whose people are possible mentors for the topic's learners or askers.
MENTOR_GAPS = ("topic-demand-exceeds-supply", "topic-without-expert", "topic-ask-without-expert")


def act_on(net: Network, gaps: Sequence[Gap]) -> None:
    """Name, on each gap, what a coordinator can act on (:attr:`Gap.act`), and the region it lies in
    (:attr:`Gap.region`): for a workstream without a lead,
    :func:`lead_candidates`; for a topic short of experts, :func:`possible_mentors`.

    Examples
    --------
    >>> from graphapp.analytics.brokers import find_cuts
    >>> ix = InterestIndex.of({"a": {}, "b": {}, "c": {}}, regions={"c": "Asia"})
    >>> gaps = [Gap("workstream-without-lead", 3, "WS1", "Studies"), Gap("member-without-topics", 1, "c", "c")]
    >>> act_on(Network(ix, covers=[{"workstream": "WS1", "topic": "nlp"}]), gaps)
    >>> [(g.subject, g.region, [p["id"] for p in g.act]) for g in gaps]
    [('WS1', None, []), ('c', 'Asia', [])]
    """
    ix = net.index
    covers: dict[str, list[str]] = defaultdict(list)
    for c in net.covers:
        covers[c["workstream"]].append(c["topic"])
    country_region = {o["country"]: o.get("region") for o in net.organisations if o.get("country")}
    for i in range(ix.size):
        if ix.country[i] >= 0 and ix.region[i] >= 0:
            country_region[ix.countries[ix.country[i]]] = ix.regions[ix.region[i]]
    for g in gaps:
        if g.kind.startswith("region-"):
            g.region = g.subject
        elif g.kind.startswith("country-"):
            g.region = country_region.get(g.subject)
        elif (g.kind.startswith("member-") or g.kind == "broker") and g.subject in ix.member:
            i = ix.member[g.subject]
            g.region = ix.regions[ix.region[i]] if ix.region[i] >= 0 else None
        if g.kind == "workstream-without-lead":
            g.act = lead_candidates(ix, g.subject, sorted(covers.get(g.subject, [])))
            g.named = len(g.act)
        elif g.kind in MENTOR_GAPS:
            found = possible_mentors(ix, g.subject)
            g.act, g.named = found["people"], found["total"]


def demand_and_supply(ix: InterestIndex, most: int = 12) -> list[dict[str, Any]]:
    """The topics where learning demand most outruns expert supply: those with learners, by learners per
    expert (a topic with no expert first), then by learners, then by id; the first ``most``.

    Parameters
    ----------
    ix : InterestIndex
    most : int

    Returns
    -------
    list of dict
        ``topic``, ``name`` and the holders at each level (``learning``, ``practising``, ``expert``).

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "learning", "cv": "learning"}, "b": {"nlp": "learning", "cv": "expert"},
    ...                        "c": {"gis": "expert"}})
    >>> [(d["topic"], d["learning"], d["expert"]) for d in demand_and_supply(ix)]
    [('nlp', 2, 0), ('cv', 1, 1)]
    """
    levels, _ = _topic_counts(ix)
    learning, expert = levels[:, 0], levels[:, -1]
    held = np.flatnonzero(learning > 0).tolist()
    held.sort(key=lambda t: (-learning[t] / max(int(expert[t]), 0.5), -learning[t], ix.topic_ids[t]))
    return [
        {
            "topic": ix.topic_ids[t],
            "name": ix.topic_names[t],
            **{level: int(n) for level, n in zip(LEVELS, levels[t], strict=True)},
        }
        for t in held[:most]
    ]


def coverage_gaps(
    net: Network, cuts: ContactCuts, regions: Sequence[str], thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """The coverage report: every gap, most severe first, with brokers and clusters of interest.

    Parameters
    ----------
    net : Network
    cuts : ContactCuts
    regions : sequence of str
        The regions every network should reach (the UN M49 regions).
    thresholds : Thresholds, optional

    Returns
    -------
    dict
        ``summary`` (members, topics, workstreams, organisations, and ``gaps``: how many of each severity,
        ``{"3": ..., "2": ..., "1": ...}``), ``thresholds``, ``gaps`` (each as :class:`Gap` fields) and
        ``clusters_of_interest`` (:func:`graphapp.analytics.clusters.clusters_of_interest`) and ``demand``
        (:func:`demand_and_supply`): plain JSON.

    Examples
    --------
    >>> from graphapp.analytics.brokers import find_cuts
    >>> ix = InterestIndex.of({"a": {"nlp": "expert"}, "b": {"nlp": "learning"}}, regions={"a": "Europe"})
    >>> report = coverage_gaps(Network(ix), find_cuts(np.array([0]), np.array([1])), ["Europe"])
    >>> report["summary"]["gaps"], [(g["kind"], g["subject"]) for g in report["gaps"]][:2]
    ({'2': 2}, [('region-few-members', 'Europe'), ('topic-single-organisation', 'nlp')])
    """
    th = thresholds or Thresholds()
    gaps = counted_gaps(net, th, regions) + broker_gaps(net.index, cuts, th)
    act_on(net, gaps)
    gaps.sort(key=lambda g: (-g.severity, g.kind, g.subject))
    ix = net.index
    return {
        "summary": {
            "members": ix.size,
            "topics": len(ix.topic_ids),
            "workstreams": len(net.workstreams),
            "organisations": len(net.organisations),
            # (keyed by the severity as text: JSON keys are text, and the report is plain JSON as it is)
            "gaps": dict(Counter(str(g.severity) for g in gaps)),
        },
        "thresholds": th.__dict__,
        "gaps": [g.as_dict() for g in gaps],
        "clusters_of_interest": clusters_of_interest(ix),
        "demand": demand_and_supply(ix),
    }


# --- The journey (issue 14 §2): topics whose projects stop at a stage ----------------------------------------

#: The stage from which a stuck topic is only worth a look: its projects reached production (the stages
#: before it are serious: nothing on the topic has gone into production).
PRODUCTION = "production"


def stuck_gaps(topics: Sequence[dict[str, Any]], th: Thresholds) -> list[Gap]:
    """Topics whose projects pile up at a stage and go no further (kind ``stuck``): at least
    ``th.stuck_projects`` projects at the furthest stage any of them reached, that stage not the last
    (see :func:`graphapp.analytics.journey.stuck_at`). Serious before production (nothing on the topic
    reached production), worth a look at production (none in maintenance). Retired topics are left out.

    Parameters
    ----------
    topics : sequence of dict
        Per topic (:func:`graphapp.analytics.journey.topic_stages`): ``topic``, ``name``, ``retired``,
        ``counts`` (projects at each stage).
    th : Thresholds

    Returns
    -------
    list of Gap
        By topic id; the numbers: ``stage`` (where they stop), ``next`` (the stage none reached),
        ``projects`` (at that stage) and the projects at each stage.

    Examples
    --------
    >>> topics = [{"topic": "nlp", "name": "NLP", "counts": {"idea": 1, "demonstration": 3}},
    ...           {"topic": "cv", "name": "CV", "counts": {"production": 3}}]
    >>> [(g.subject, g.severity, g.numbers["stage"], g.numbers["next"]) for g in stuck_gaps(topics, Thresholds())]
    [('cv', 1, 'production', 'maintenance'), ('nlp', 2, 'demonstration', 'production')]
    """
    gaps = []
    for t in sorted(topics, key=lambda t: t["topic"]):
        if t.get("retired"):
            continue
        counts = {s: int(t["counts"].get(s, 0)) for s in STAGES}
        stage = stuck_at(counts, th.stuck_projects)
        if stage is None:
            continue
        numbers = {
            "stage": stage,
            "next": STAGES[STAGES.index(stage) + 1],
            "projects": counts[stage],
            **counts,
        }
        severity = 2 if STAGES.index(stage) < STAGES.index(PRODUCTION) else 1
        gaps.append(Gap("stuck", severity, t["topic"], t["name"], numbers))
    return gaps


def _gap_members(ix: InterestIndex, gap: dict[str, Any]) -> np.ndarray:
    """The numbers of the members a gap is about: a topic's holders, a workstream's, region's, country's
    or organisation's members, or the member themself (none for a gap about nobody)."""
    kind, subject = gap["kind"], gap["subject"]
    none = np.zeros(0, np.int64)
    if kind.startswith("topic-"):
        return ix.holders_of(ix.topic[subject]).astype(np.int64) if subject in ix.topic else none
    if kind.startswith("workstream-"):
        return np.asarray(ix.workstream_members.get(subject, none), np.int64)
    for prefix, codes, values in (
        ("region-", ix.region, ix.regions),
        ("country-", ix.country, ix.countries),
        ("organisation-", ix.organisation, ix.organisations),
    ):
        if kind.startswith(prefix):
            return np.flatnonzero(codes == values.index(subject)) if subject in values else none
    if kind.startswith("member-") or kind == "broker":
        return np.array([ix.member[subject]], np.int64) if subject in ix.member else none
    return none


def stale_share(ix: InterestIndex, gaps: Sequence[dict[str, Any]], stale: np.ndarray) -> dict[str, Any]:
    """How much of each gap rests on stale profiles (``stale``: one flag per member of the index), and
    the topics whose experts are all stale (no gap yet, but one as soon as they lapse).

    Parameters
    ----------
    ix : InterestIndex
    gaps : sequence of dict
        The coverage report's gaps (:func:`coverage_gaps`).
    stale : numpy.ndarray of bool

    Returns
    -------
    dict
        ``gaps``: the gaps with stale members among those they are about, each with ``members`` and
        ``stale`` (how many of them are stale), most severe first; ``experts_stale``: topics with experts,
        all stale (``topic``, ``name``, ``experts``).

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "expert"}, "b": {"nlp": "learning"}, "c": {"cv": "expert"}},
    ...                       regions={"a": "Europe", "b": "Europe"})
    >>> stale = np.array([True, False, True])
    >>> gaps = [{"kind": "region-few-members", "severity": 2, "subject": "Europe", "name": "Europe"},
    ...         {"kind": "topic-single-person", "severity": 2, "subject": "cv", "name": "cv"}]
    >>> out = stale_share(ix, gaps, stale)
    >>> [(g["subject"], g["stale"], g["members"]) for g in out["gaps"]], out["experts_stale"]
    ([('Europe', 1, 2), ('cv', 1, 1)], [{'topic': 'cv', 'name': 'cv', 'experts': 1}, {'topic': 'nlp', 'name': 'nlp', 'experts': 1}])
    """
    shares = []
    for g in gaps:
        members = _gap_members(ix, g)
        n_stale = int(stale[members].sum()) if len(members) else 0
        if n_stale:
            shares.append({**g, "members": int(len(members)), "stale": n_stale})
    topic, holder, level = ix.edges_by_topic()
    expert = level == len(LEVELS) - 1
    experts = np.bincount(topic[expert], minlength=len(ix.topic_ids))
    fresh_experts = np.bincount(topic[expert & ~stale[holder]], minlength=len(ix.topic_ids))
    hidden = [
        {"topic": ix.topic_ids[t], "name": ix.topic_names[t], "experts": int(experts[t])}
        for t in np.flatnonzero((experts > 0) & (fresh_experts == 0)).tolist()
    ]
    return {"gaps": shares, "experts_stale": sorted(hidden, key=lambda h: h["topic"])}

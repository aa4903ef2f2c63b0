"""Coverage gaps: where the network is thin, for coordinators, as data ordered by severity.

The facts come from the interest index (who holds which topic at which level, who works where) and a few
small reads here (organisations, workstreams with their members and leads, who knows whom); :mod:`graphapp.analytics.coverage` does the whole-graph work with networkx (brokers,
clusters of interest), and :func:`coverage_gaps` puts them together as one report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from graphapp.queries.cypher import Rows, Tx
from graphapp.queries.interest_index import CONTACTS, InterestIndex, interest_index_and

__all__ = ["Gap", "Network", "Thresholds", "read_contacts", "read_network"]

M49_REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")

ORGANISATIONS = Rows(
    "MATCH (o:Organisation)", id="o.id", name="o.name", country="o.country", region="o.region"
)
# Per workstream: how many members and leads (one row each, not one per membership).
WORKSTREAMS = Rows(
    "MATCH (w:Workstream) OPTIONAL MATCH (w)<-[r:MEMBER_OF]-(:Member) "
    "WITH w, count(r) AS members, sum(CASE WHEN r.role = 'lead' THEN 1 ELSE 0 END) AS leads",
    id="w.id",
    name="w.name",
    members="members",
    leads="leads",
)
COVERS = Rows("MATCH (w:Workstream)-[:COVERS]->(t:Topic)", workstream="w.id", topic="t.id")


@dataclass
class Network:
    """What the coverage report needs besides the contact network.

    Who holds which topic, where members work and who may be suggested come from the interest index
    (shared with the suggestions, and rebuilt only when the graph changes); the rest is small. The
    contacts are read on their own (:func:`read_contacts`), so that searching them can run beside
    these reads.
    """

    index: InterestIndex
    organisations: list[dict[str, Any]]
    workstreams: list[dict[str, Any]]  # with their numbers of members and leads
    covers: list[dict[str, Any]]


def read_network(tx: Tx) -> Network:
    index, (organisations, workstreams, covers) = interest_index_and(
        tx, [ORGANISATIONS.statement, WORKSTREAMS.statement, COVERS.statement]
    )
    return Network(
        index=index,
        organisations=Rows.shape(organisations, tx.dialect),
        # (LadybugDB's sum() is a decimal.)
        workstreams=[
            {**w, "members": int(w["members"]), "leads": int(w["leads"])}
            for w in Rows.shape(workstreams, tx.dialect)
        ],
        covers=Rows.shape(covers, tx.dialect),
    )


def read_contacts(tx: Tx) -> tuple[np.ndarray, np.ndarray]:
    """Who knows whom: the two ends of every KNOWS between members, as node keys (the index's
    :meth:`~graphapp.queries.interest_index.InterestIndex.numbers` turns them into member numbers)."""
    pairs = np.array(tx.run(CONTACTS)[0]["pairs"], np.int64)
    return pairs >> 32, pairs & 0xFFFFFFFF


@dataclass
class Thresholds:
    """What counts as thin. Every number can be set by a coordinator (``graphapp gaps --set name=value``)."""

    few_workstream_members: int = 3  # a workstream with fewer members than this is thin
    few_region_members: int = 3  # a region with fewer members than this is thin
    few_country_members: int = 1  # a represented country with no more members than this is thin
    demand_ratio: float = 3.0  # learners per expert above which demand outstrips supply
    min_learners: int = 3  # ... counted only where at least this many are learning
    brokers: int = 10  # how many brokers to list


@dataclass
class Gap:
    kind: str
    severity: int  # 3 critical, 2 serious, 1 worth a look
    subject: str  # the id of the topic, workstream, region, country, organisation or member
    name: str
    detail: str
    numbers: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SEVERITY_WORDS = {3: "critical", 2: "serious", 1: "worth a look"}


def topic_and_workstream_gaps(net: Network, th: Thresholds) -> list[Gap]:
    """Gaps that counting can find: topics, workstreams, regions, countries, organisations, lone members.

    The counting runs over the index's arrays (one pass of numpy per measure over every interest)."""
    gaps: list[Gap] = []
    ix = net.index
    n_topics = len(ix.topic_ids)
    topic, holder, level = ix.edges_by_topic()
    levels = np.bincount(topic * 3 + level, minlength=3 * n_topics).reshape(n_topics, 3)
    # Organisations per topic (no organisation counts as one, as it did when this was a set), and for
    # each interest how many holders of that topic work where its holder works.
    org = ix.organisation[holder].astype(np.int64) + 1  # 0: no organisation
    pair = topic.astype(np.int64) * (len(ix.organisations) + 1) + org
    pairs, inverse, count = np.unique(pair, return_inverse=True, return_counts=True)
    organisations = np.bincount(pairs // (len(ix.organisations) + 1), minlength=n_topics)
    holders = ix.holders[topic]
    others = np.where(org > 0, holders - count[inverse], holders - 1)
    has_peer = np.bincount(holder, weights=others > 0, minlength=ix.size) > 0
    covered_by: dict[str, list[str]] = defaultdict(list)
    for c in net.covers:
        covered_by[c["topic"]].append(c["workstream"])

    for t in sorted(range(n_topics), key=lambda t: ix.topic_ids[t]):
        tid, name, held = ix.topic_ids[t], ix.topic_names[t], int(ix.holders[t])
        learning, practising, expert = (int(x) for x in levels[t])
        numbers = {
            "holders": held,
            "organisations": int(organisations[t]),
            "learning": learning,
            "practising": practising,
            "expert": expert,
        }
        ws = sorted(covered_by.get(tid, []))
        if not held:
            where = f"; {', '.join(ws)} cover{'s' if len(ws) == 1 else ''} it" if ws else ""
            gaps.append(
                Gap(
                    "topic-unheld",
                    3 if ws else 2,
                    tid,
                    name,
                    f"nobody works on it{where}",
                    {**numbers, "workstreams": ws},
                )
            )
            continue
        if held == 1:
            gaps.append(
                Gap(
                    "topic-single-person",
                    3 if ws else 2,
                    tid,
                    name,
                    "one person holds it: a single point of failure",
                    numbers,
                )
            )
        elif organisations[t] == 1:
            gaps.append(
                Gap("topic-single-organisation", 2, tid, name, "held inside one organisation only", numbers)
            )
        if expert == 0:
            gaps.append(
                Gap(
                    "topic-without-expert",
                    2 if learning else 1,
                    tid,
                    name,
                    f"no expert; {learning} learning",
                    numbers,
                )
            )
        elif learning >= th.min_learners and learning / expert > th.demand_ratio:
            gaps.append(
                Gap(
                    "topic-demand-exceeds-supply",
                    1,
                    tid,
                    name,
                    f"{learning} learning for {expert} expert(s)",
                    numbers,
                )
            )

    for w in sorted(net.workstreams, key=lambda w: w["id"]):
        numbers = {"members": w["members"], "leads": w["leads"]}
        if not w["leads"]:
            gaps.append(Gap("workstream-without-lead", 3, w["id"], w["name"], "no lead", numbers))
        if w["members"] < th.few_workstream_members:
            gaps.append(
                Gap(
                    "workstream-few-members",
                    2,
                    w["id"],
                    w["name"],
                    f"{w['members']} member{'s' if w['members'] != 1 else ''}",
                    numbers,
                )
            )

    region_count = _counts(ix.region, ix.regions)
    for region in M49_REGIONS:
        n = region_count.get(region, 0)
        if n == 0:
            gaps.append(Gap("region-without-members", 3, region, region, "no members", {"members": 0}))
        elif n < th.few_region_members:
            gaps.append(Gap("region-few-members", 2, region, region, f"{n} member(s)", {"members": n}))
    country_count = _counts(ix.country, ix.countries)
    org_countries = {o["country"] for o in net.organisations if o["country"]}
    for country in sorted(org_countries | set(country_count)):
        n = country_count.get(country, 0)
        if n == 0:
            gaps.append(
                Gap(
                    "country-without-members",
                    1,
                    country,
                    country,
                    "an organisation here, but no members",
                    {"members": 0},
                )
            )
        elif n <= th.few_country_members:
            gaps.append(Gap("country-few-members", 1, country, country, f"{n} member(s)", {"members": n}))

    org_count = _counts(ix.organisation, ix.organisations)
    for o in sorted(net.organisations, key=lambda o: o["id"]):
        if org_count.get(o["id"]) == 1:
            gaps.append(
                Gap(
                    "organisation-single-member",
                    1,
                    o["id"],
                    o["name"],
                    "one member: the network's link to it hangs on one person",
                    {"members": 1},
                )
            )

    # Members with no possible peer: nobody outside their own organisation holds any of their topics.
    without_topics = np.flatnonzero(ix.degree == 0).tolist()
    without_peer = np.flatnonzero((ix.degree > 0) & ~has_peer).tolist()
    for i in sorted(without_topics, key=lambda i: ix.member_ids[i]):
        gaps.append(
            Gap(
                "member-without-topics",
                1,
                ix.member_ids[i],
                ix.member_names[i],
                "no topics: nobody can be suggested",
                {"topics": 0},
            )
        )
    for i in sorted(without_peer, key=lambda i: ix.member_ids[i]):
        gaps.append(
            Gap(
                "member-without-peer",
                2,
                ix.member_ids[i],
                ix.member_names[i],
                "nobody outside their organisation shares any of their topics",
                {"topics": int(ix.degree[i])},
            )
        )
    return gaps


def _counts(codes: np.ndarray, values: list[str]) -> dict[str, int]:
    """How many members have each value, from the index's codes (-1, no value, is not counted)."""
    counted = np.bincount(codes[codes >= 0], minlength=len(values))
    return dict(zip(values, counted.tolist(), strict=True))

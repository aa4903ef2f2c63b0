"""Coverage gaps: where the network is thin, for coordinators, as data ordered by severity.

The Cypher here reads the facts (who holds which topic at which level, who works where, who leads which
workstream, who knows whom); :mod:`graphapp.analytics` does the whole-graph work with networkx (brokers,
clusters of interest), and :func:`coverage_gaps` puts them together as one report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from queries.cypher import Rows, Tx

__all__ = ["Gap", "Network", "Thresholds", "read_network"]

M49_REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")

MEMBERS = Rows(
    "MATCH (m:Member) OPTIONAL MATCH (m)-[:WORKS_AT]->(o:Organisation)",
    id="m.id",
    name="m.name",
    country="m.country",
    region="m.region",
    organisation="o.id",
)
TOPICS = Rows("MATCH (t:Topic)", id="t.id", name="t.name")
ORGANISATIONS = Rows(
    "MATCH (o:Organisation)", id="o.id", name="o.name", country="o.country", region="o.region"
)
WORKSTREAMS = Rows("MATCH (w:Workstream)", id="w.id", name="w.name")
INTERESTS = Rows(
    "MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic)", member="m.id", topic="t.id", level="r.level"
)
ROLES = Rows(
    "MATCH (m:Member)-[r:MEMBER_OF]->(w:Workstream)", member="m.id", workstream="w.id", role="r.role"
)
COVERS = Rows("MATCH (w:Workstream)-[:COVERS]->(t:Topic)", workstream="w.id", topic="t.id")
KNOWS = Rows("MATCH (a:Member)-[:KNOWS]->(b:Member)", source="a.id", target="b.id")


@dataclass
class Network:
    """Everything the coverage report needs, read in one transaction."""

    members: list[dict[str, Any]]
    topics: list[dict[str, Any]]
    organisations: list[dict[str, Any]]
    workstreams: list[dict[str, Any]]
    interests: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    covers: list[dict[str, Any]]
    knows: list[dict[str, Any]]


def read_network(tx: Tx) -> Network:
    return Network(
        members=MEMBERS.run(tx),
        topics=TOPICS.run(tx),
        organisations=ORGANISATIONS.run(tx),
        workstreams=WORKSTREAMS.run(tx),
        interests=INTERESTS.run(tx),
        roles=ROLES.run(tx),
        covers=COVERS.run(tx),
        knows=KNOWS.run(tx),
    )


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
    """Gaps that counting can find: topics, workstreams, regions, countries, organisations, lone members."""
    gaps: list[Gap] = []
    org_of = {m["id"]: m["organisation"] for m in net.members}
    holders: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i in net.interests:
        holders[i["topic"]].append((i["member"], i["level"]))
    covered_by: dict[str, list[str]] = defaultdict(list)
    for c in net.covers:
        covered_by[c["topic"]].append(c["workstream"])

    for t in sorted(net.topics, key=lambda t: t["id"]):
        held = holders.get(t["id"], [])
        people = {m for m, _ in held}
        orgs = {org_of.get(m) for m in people}
        levels = Counter(level for _, level in held)
        numbers = {
            "holders": len(people),
            "organisations": len(orgs),
            **{k: levels.get(k, 0) for k in ("learning", "practising", "expert")},
        }
        ws = sorted(covered_by.get(t["id"], []))
        if not people:
            where = f"; {', '.join(ws)} cover{'s' if len(ws) == 1 else ''} it" if ws else ""
            gaps.append(
                Gap(
                    "topic-unheld",
                    3 if ws else 2,
                    t["id"],
                    t["name"],
                    f"nobody works on it{where}",
                    {**numbers, "workstreams": ws},
                )
            )
            continue
        if len(people) == 1:
            gaps.append(
                Gap(
                    "topic-single-person",
                    3 if ws else 2,
                    t["id"],
                    t["name"],
                    "one person holds it: a single point of failure",
                    numbers,
                )
            )
        elif len(orgs) == 1:
            gaps.append(
                Gap(
                    "topic-single-organisation",
                    2,
                    t["id"],
                    t["name"],
                    "held inside one organisation only",
                    numbers,
                )
            )
        if levels.get("expert", 0) == 0:
            gaps.append(
                Gap(
                    "topic-without-expert",
                    2 if levels.get("learning", 0) else 1,
                    t["id"],
                    t["name"],
                    f"no expert; {levels.get('learning', 0)} learning",
                    numbers,
                )
            )
        elif levels.get("learning", 0) >= th.min_learners and (
            levels["learning"] / levels["expert"] > th.demand_ratio
        ):
            gaps.append(
                Gap(
                    "topic-demand-exceeds-supply",
                    1,
                    t["id"],
                    t["name"],
                    f"{levels['learning']} learning for {levels['expert']} expert(s)",
                    numbers,
                )
            )

    by_ws: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in net.roles:
        by_ws[r["workstream"]].append((r["member"], r["role"]))
    for w in sorted(net.workstreams, key=lambda w: w["id"]):
        people = by_ws.get(w["id"], [])
        leads = [m for m, role in people if role == "lead"]
        numbers = {"members": len(people), "leads": len(leads)}
        if not leads:
            gaps.append(Gap("workstream-without-lead", 3, w["id"], w["name"], "no lead", numbers))
        if len(people) < th.few_workstream_members:
            gaps.append(
                Gap(
                    "workstream-few-members",
                    2,
                    w["id"],
                    w["name"],
                    f"{len(people)} member{'s' if len(people) != 1 else ''}",
                    numbers,
                )
            )

    region_count = Counter(m["region"] for m in net.members if m["region"])
    for region in M49_REGIONS:
        n = region_count.get(region, 0)
        if n == 0:
            gaps.append(Gap("region-without-members", 3, region, region, "no members", {"members": 0}))
        elif n < th.few_region_members:
            gaps.append(Gap("region-few-members", 2, region, region, f"{n} member(s)", {"members": n}))
    country_count = Counter(m["country"] for m in net.members if m["country"])
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

    org_count = Counter(m["organisation"] for m in net.members if m["organisation"])
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
    orgs_of_topic: dict[str, Counter[str | None]] = defaultdict(Counter)
    for i in net.interests:
        orgs_of_topic[i["topic"]][org_of.get(i["member"])] += 1
    topics_of: dict[str, list[str]] = defaultdict(list)
    for i in net.interests:
        topics_of[i["member"]].append(i["topic"])
    for m in sorted(net.members, key=lambda m: m["id"]):
        mine = topics_of.get(m["id"], [])
        own = m["organisation"]

        def others(t: str, own: str | None = own) -> int:
            c = orgs_of_topic[t]
            return sum(c.values()) - (c.get(own, 0) if own is not None else 1)

        if not mine:
            gaps.append(
                Gap(
                    "member-without-topics",
                    1,
                    m["id"],
                    m["name"],
                    "no topics: nobody can be suggested",
                    {"topics": 0},
                )
            )
        elif not any(others(t) > 0 for t in mine):
            gaps.append(
                Gap(
                    "member-without-peer",
                    2,
                    m["id"],
                    m["name"],
                    "nobody outside their organisation shares any of their topics",
                    {"topics": len(mine)},
                )
            )
    return gaps

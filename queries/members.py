"""The directory: members found by name and filters, a page at a time; people with their interests,
workstreams and contacts; what a filtered set of members connects to; and the lists of organisations,
topics, workstreams and places the pages link between.

Every filter is a parameter; an unused one is passed as '' (LadybugDB cannot bind the type of a null
parameter), so one statement serves every combination and nothing user-given is formatted into it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from typing import Any

from graphapp.queries import history
from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.schema import LEVELS, NODES_BY_ID, counts

__all__ = [
    "MemberFilter",
    "member_directory",
    "network_summary",
    "Page",
    "facets",
    "find_members",
    "member_profile",
    "organisation_list",
    "people",
    "place_list",
    "topic_list",
    "topic_region_matrix",
    "workstream_list",
]


@dataclass(frozen=True)
class MemberFilter:
    """Which members to show. Every field is optional; ``q`` matches anywhere in the name, any case;
    ``level`` alone means "holds some topic at this level", with ``topic`` "holds this topic at it"."""

    q: str = ""
    topic: str = ""
    level: str = ""
    workstream: str = ""
    organisation: str = ""
    country: str = ""
    region: str = ""

    def params(self) -> dict[str, str]:
        values = {f.name: (getattr(self, f.name) or "").strip() for f in fields(self)}
        values["q"] = values["q"].lower()
        return values

    def active(self) -> dict[str, str]:
        """The filters in use, for links and headings."""
        return {k: v for k, v in asdict(self).items() if v}

    def __bool__(self) -> bool:
        return bool(self.active())


FILTERED = (
    "MATCH (m:Member) "
    "WHERE ($q = '' OR toLower(m.name) CONTAINS $q) "
    "AND ($country = '' OR m.country = $country) AND ($region = '' OR m.region = $region) "
    "AND ($topic = '' AND $level = '' OR EXISTS { MATCH (m)-[r:INTERESTED_IN]->(t:Topic) "
    "WHERE ($topic = '' OR t.id = $topic) AND ($level = '' OR r.level = $level) }) "
    "AND ($workstream = '' OR EXISTS { MATCH (m)-[:MEMBER_OF]->(w:Workstream) WHERE w.id = $workstream }) "
    "AND ($organisation = '' OR EXISTS { MATCH (m)-[:WORKS_AT]->(o:Organisation) WHERE o.id = $organisation }) "
)
COUNT_FILTERED = Cypher(FILTERED + "RETURN count(m) AS n")
PAGE_OF_FILTERED = Rows(FILTERED + "WITH m ORDER BY m.name, m.id SKIP $skip LIMIT $limit", id="m.id")
ALL_FILTERED = Rows(FILTERED, id="m.id")
EVERYONE = Rows("MATCH (m:Member)", id="m.id", name="m.name")

CARDS = Rows(
    "UNWIND $ids AS mid MATCH (m:Member {id: mid}) OPTIONAL MATCH (m)-[:WORKS_AT]->(o:Organisation)",
    id="m.id",
    name="m.name",
    title="m.title",
    email="m.email",
    country="m.country",
    region="m.region",
    organisation_id="o.id",
    organisation="o.name",
    email_visibility="m.email_visibility",
    suggestible="m.suggestible",
)
# (Each member found by id first, then their relationships by OPTIONAL MATCH: LadybugDB 0.22 plans
# "UNWIND ... MATCH (m {id: x})-[r]->(t)" as a scan of every such relationship, 140 ms at 100,000
# members against 1 ms this way. The same shape in queries/proposals.py, vocabulary.py and projects.py.)
INTERESTS_OF = Rows(
    "UNWIND $ids AS mid MATCH (m:Member {id: mid}) "
    "OPTIONAL MATCH (m)-[r:INTERESTED_IN]->(t:Topic) WITH m, r, t WHERE t IS NOT NULL",
    member="m.id",
    id="t.id",
    name="t.name",
    level="r.level",
)
WORKSTREAMS_OF = Rows(
    "UNWIND $ids AS mid MATCH (m:Member {id: mid}) "
    "OPTIONAL MATCH (m)-[r:MEMBER_OF]->(w:Workstream) WITH m, r, w WHERE w IS NOT NULL",
    member="m.id",
    id="w.id",
    name="w.name",
    role="r.role",
)
CONTACTS_OF = Rows(
    "MATCH (:Member {id: $id})-[:KNOWS]-(c:Member) OPTIONAL MATCH (c)-[:WORKS_AT]->(o:Organisation)",
    id="c.id",
    name="c.name",
    organisation="o.name",
)


@dataclass
class Page:
    """One page of a longer list."""

    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "pages": self.pages}


def paginate(items: list[dict[str, Any]], page: int, per_page: int) -> Page:
    """A page of a list already in memory.

    >>> p = paginate([{"n": i} for i in range(45)], page=3, per_page=20)
    >>> [x["n"] for x in p.items], p.pages
    ([40, 41, 42, 43, 44], 3)
    """
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], len(items), page, per_page)


_LEVEL_ORDER = {level: i for i, level in enumerate(reversed(LEVELS))}  # expert first


def people(tx: Tx, ids: list[str]) -> list[dict[str, Any]]:
    """Members with their organisation, interests (expert first, then by name) and workstreams, in the order
    of ``ids``; unknown ids are left out."""
    cards = {c["id"]: c for c in CARDS.run(tx, ids=ids)}
    interests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in INTERESTS_OF.run(tx, ids=ids):
        interests[row.pop("member")].append(row)
    workstreams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in WORKSTREAMS_OF.run(tx, ids=ids):
        workstreams[row.pop("member")].append(row)
    out = []
    for mid in ids:
        card = cards.get(mid)
        if card is None:
            continue
        out.append(
            {
                **card,
                "interests": sorted(interests[mid], key=lambda i: (_LEVEL_ORDER[i["level"]], i["name"])),
                "workstreams": sorted(workstreams[mid], key=lambda w: w["id"]),
            }
        )
    return out


def find_members(tx: Tx, where: MemberFilter, page: int = 1, per_page: int = 25) -> Page:
    """One page of the members that pass the filter, by name, each with their organisation and interests."""
    params = where.params()
    total = tx.run(COUNT_FILTERED, **params)[0]["n"]
    skip = (page - 1) * per_page
    if skip >= total:
        # A page past the end is empty; it is not asked for, because LadybugDB 0.22 crashes the process
        # (a segmentation fault) on an ORDER BY ... SKIP far beyond the rows there are (found by
        # schemathesis asking for page 1,000,000).
        return Page([], total, page, per_page)
    ids = [r["id"] for r in PAGE_OF_FILTERED.run(tx, skip=skip, limit=per_page, **params)]
    return Page(people(tx, ids), total, page, per_page)


def member_ids(tx: Tx, where: MemberFilter) -> list[str]:
    """Every member that passes the filter (for maps and exports)."""
    return sorted(r["id"] for r in ALL_FILTERED.run(tx, **where.params()))


def member_profile(tx: Tx, member: str) -> dict[str, Any] | None:
    """A member with organisation, interests, workstreams and contacts; None if there is no such member."""
    found = people(tx, [member])
    if not found:
        return None
    profile = found[0]
    profile["contacts"] = sorted(CONTACTS_OF.run(tx, id=member), key=lambda c: (c["name"], c["id"]))
    return profile


FACET_TOPICS = Rows(
    FILTERED + "MATCH (m)-[r:INTERESTED_IN]->(t:Topic) WITH t, r.level AS level, count(*) AS n",
    id="t.id",
    name="t.name",
    level="level",
    n="n",
)
FACET_ORGANISATIONS = Rows(
    FILTERED + "MATCH (m)-[:WORKS_AT]->(o:Organisation) WITH o, count(*) AS n",
    id="o.id",
    name="o.name",
    n="n",
)
FACET_WORKSTREAMS = Rows(
    FILTERED + "MATCH (m)-[r:MEMBER_OF]->(w:Workstream) WITH w, r.role AS role, count(*) AS n",
    id="w.id",
    name="w.name",
    role="role",
    n="n",
)
FACET_COUNTRIES = Rows(
    FILTERED + "WITH m.country AS country, m.region AS region, count(*) AS n WHERE country IS NOT NULL",
    id="country",
    region="region",
    n="n",
)


def _by_level(rows: list[dict[str, Any]], key: str, values: tuple[str, ...]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = merged.setdefault(
            row["id"],
            {
                "id": row["id"],
                "name": row["name"],
                # (a topic's translated names, where the rows have them: graphapp.i18n.local_name)
                **{k: row[k] for k in ("name_fr", "name_ru") if row.get(k)},
                "n": 0,
                **dict.fromkeys(values, 0),
            },
        )
        entry[row[key]] += row["n"]
        entry["n"] += row["n"]
    return sorted(merged.values(), key=lambda e: (-e["n"], e["name"]))


def facets(tx: Tx, where: MemberFilter, top: int = 10) -> dict[str, list[dict[str, Any]]]:
    """What the filtered members connect to: their most held topics (by level), organisations,
    workstreams (by role) and countries, most members first."""
    params = where.params()
    return {
        "topics": _by_level(FACET_TOPICS.run(tx, **params), "level", LEVELS)[:top],
        "organisations": sorted(FACET_ORGANISATIONS.run(tx, **params), key=lambda e: (-e["n"], e["name"]))[
            :top
        ],
        "workstreams": _by_level(FACET_WORKSTREAMS.run(tx, **params), "role", ("lead", "member")),
        "countries": sorted(FACET_COUNTRIES.run(tx, **params), key=lambda e: (-e["n"], e["id"]))[:top],
    }


TOPICS_WITH_HOLDERS = Rows(
    "MATCH (t:Topic) OPTIONAL MATCH (t)<-[r:INTERESTED_IN]-(:Member) WITH t, r.level AS level, count(r) AS n",
    id="t.id",
    name="t.name",
    name_fr="t.name_fr",
    name_ru="t.name_ru",
    level="level",
    n="n",
)
ORGANISATIONS_WITH_MEMBERS = Rows(
    "MATCH (o:Organisation) OPTIONAL MATCH (o)<-[w:WORKS_AT]-(:Member) WITH o, count(w) AS n",
    id="o.id",
    name="o.name",
    name_fr="o.name_fr",
    name_ru="o.name_ru",
    kind="o.kind",
    country="o.country",
    region="o.region",
    n="n",
)
WORKSTREAMS_WITH_MEMBERS = Rows(
    "MATCH (w:Workstream) OPTIONAL MATCH (w)<-[r:MEMBER_OF]-(:Member) WITH w, r.role AS role, count(r) AS n",
    id="w.id",
    name="w.name",
    description="w.description",
    role="role",
    n="n",
)
COVERED_TOPICS = Rows(
    "MATCH (w:Workstream)-[:COVERS]->(t:Topic)", workstream="w.id", id="t.id", name="t.name"
)
MEMBERS_BY_COUNTRY = Rows(
    "MATCH (m:Member) WHERE m.country IS NOT NULL WITH m.country AS country, m.region AS region, count(*) AS n",
    id="country",
    region="region",
    n="n",
)


def topic_list(tx: Tx) -> list[dict[str, Any]]:
    """Every topic with its holders by level and its translated names (``name_fr``, ``name_ru``, when
    given), most held first (topics nobody holds last, with zeros)."""
    rows = [r if r["level"] else {**r, "level": "expert", "n": 0} for r in TOPICS_WITH_HOLDERS.run(tx)]
    return _by_level(rows, "level", LEVELS)


def organisation_list(tx: Tx) -> list[dict[str, Any]]:
    """Every organisation with its number of members and its translated names (``name_fr``, ``name_ru``:
    None when not given), by name."""
    return sorted(ORGANISATIONS_WITH_MEMBERS.run(tx), key=lambda o: (o["name"], o["id"]))


def workstream_list(tx: Tx) -> list[dict[str, Any]]:
    """Every workstream with its leads and members counted and the topics it covers, by id."""
    covers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in COVERED_TOPICS.run(tx):
        covers[row.pop("workstream")].append(row)
    out: dict[str, dict[str, Any]] = {}
    for row in WORKSTREAMS_WITH_MEMBERS.run(tx):
        entry = out.setdefault(
            row["id"],
            {
                "id": row["id"],
                "name": row["name"],
                "description": row["description"],
                "lead": 0,
                "member": 0,
                "n": 0,
                "covers": sorted(covers[row["id"]], key=lambda t: t["name"]),
            },
        )
        if row["role"]:
            entry[row["role"]] += row["n"]
            entry["n"] += row["n"]
    return sorted(out.values(), key=lambda w: w["id"])


def place_list(tx: Tx) -> list[dict[str, Any]]:
    """Countries with members, with their region, by region then most members."""
    return sorted(MEMBERS_BY_COUNTRY.run(tx), key=lambda c: (c["region"] or "~", -c["n"], c["id"]))


def node(tx: Tx, label: str, node_id: str) -> dict[str, Any] | None:
    """One organisation, topic or workstream by id, with its properties; None if there is none."""
    found = NODES_BY_ID[label].run(tx, ids=[node_id])
    return {k: v for k, v in found[0].items() if v is not None} if found else None


HOLDERS_BY_REGION = Rows(
    "MATCH (m:Member)-[:INTERESTED_IN]->(t:Topic) WITH t.id AS topic, m.region AS region, count(*) AS n",
    topic="topic",
    region="region",
    n="n",
)


def topic_region_matrix(tx: Tx, regions: tuple[str, ...]) -> dict[str, Any]:
    """How many members hold each topic in each region: a row per topic (most held first), a column per
    region (and one for members without a region, if there are any)."""
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    for row in HOLDERS_BY_REGION.run(tx):
        cells[row["topic"]][row["region"] or ""] = row["n"]
    columns = list(regions) + ([""] if any("" in c for c in cells.values()) else [])
    rows = []
    for topic in topic_list(tx):
        counts = [cells[topic["id"]].get(r, 0) for r in columns]
        rows.append({"id": topic["id"], "name": topic["name"], "counts": counts, "total": sum(counts)})
    return {
        "regions": columns,
        "topics": rows,
        "max": max((n for r in rows for n in r["counts"]), default=0),
    }


# --- A member's own choices, being forgotten, and holding a member while their profile is saved -------

MEMBER_EXISTS = Cypher("MATCH (m:Member {id: $id}) RETURN m.id AS id")
SET_CONSENT = Cypher(
    "MATCH (m:Member {id: $id}) SET m.email_visibility = $email_visibility, m.suggestible = $suggestible"
)
# Writing a property to itself takes the member's write lock for the rest of the transaction: a second
# save of the same profile waits until the first is committed, and then sees it (on Neo4j; LadybugDB has
# one writer at a time anyway).
HOLD = Cypher("MATCH (m:Member {id: $id}) SET m.name = m.name RETURN m.id AS id")


def member_exists(tx: Tx, member: str) -> bool:
    return bool(tx.run(MEMBER_EXISTS, id=member))


def set_consent(tx: Tx, member: str, email_visibility: str, suggestible: str) -> None:
    """Record a member's consent (who sees their email, whether they are suggested), and its change."""
    history.record_member_fields(
        tx, "consent", member, {"email_visibility": email_visibility, "suggestible": suggestible}
    )
    tx.run(SET_CONSENT, id=member, email_visibility=email_visibility, suggestible=suggestible)


def forget_member(tx: Tx, member: str) -> bool:
    """The member, every relationship they have, the accounts tied to them, and everything else filed
    under them (requests to join, mail...: the steps of :data:`graphapp.queries.forgetting.FORGET_STEPS`);
    False if there is none."""
    from graphapp.queries.forgetting import forget_everything

    return forget_everything(tx, member)


def hold_member(tx: Tx, member: str) -> bool:
    """Lock the member for the rest of this write transaction; False if there is none."""
    return bool(tx.run(HOLD, id=member))


def member_directory(tx: Tx, where: MemberFilter, page: int, per_page: int) -> dict[str, Any]:
    """What the directory shows, for the pages and the API alike: one page of the members that pass
    ``where`` (``results``) and what they connect to (``facets``)."""
    return {"results": find_members(tx, where, page, per_page), "facets": facets(tx, where)}


def network_summary(tx: Tx) -> dict[str, Any]:
    """The network at a glance: how many nodes and relationships of each kind, in how many countries and
    regions (the home page and ``/api/summary``)."""
    places = place_list(tx)
    return {
        "counts": counts(tx),
        "countries": len(places),
        "regions": len({p["region"] for p in places if p["region"]}),
    }

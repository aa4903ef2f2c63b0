"""The bulk reads of the member-topic graph that the interest index is built from, as plain rows.

Six reads (side by side on Neo4j, see :meth:`Tx.run_all`): members, who works where, topics, organisation
names, each topic's holders with their levels, each workstream's members. The rows are made into arrays
by :class:`graphapp.analytics.interest_index.InterestIndex`. After a write that changed a few members,
:func:`read_members` reads just them again, for :meth:`~graphapp.analytics.interest_index.InterestIndex.patched`.

Members are matched up across the reads by an integer key per node, not by their id: numpy looks
800,000 integers up in a few milliseconds, where reading and looking up the members' string ids makes
the index's longest read take 2.5 to 3 times as long (measured at 100,000 members on Neo4j: 1.1 s by an
integer key, 3.0 s by ``m.id``). The key is the node's number in the store: in LadybugDB
``offset(id(m))``, in Neo4j the number at the end of ``elementId(m)`` (``id(m)``, the same number, is
deprecated in Neo4j 5). The element id's form is not promised by Neo4j, so the index refuses keys that are
missing or not distinct (a changed form fails loudly, it does not mix people up). The keys are used only
while the index is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphapp.queries.cypher import Cypher, Dialect, Rows, Tx
from graphapp.queries.schema import LEVEL_BASE, LEVELS

__all__ = ["MEMBER_COLUMNS", "InterestRows", "read_contacts", "read_interests", "read_members"]

KEY = {"neo4j": "toInteger(split(elementId({}), ':')[2])", "ladybug": "offset(id({}))"}


def _both(template: str, *variables: str) -> Cypher:
    """A statement with ``{key:m}`` standing for the node key of variable m, in each dialect."""

    def spell(dialect: Dialect) -> str:
        text = template
        for v in variables:
            text = text.replace(f"{{key:{v}}}", KEY[dialect].format(v))
        return text

    return Cypher(spell("neo4j"), spell("ladybug"))


#: What the index holds of each member, as the expression that reads it: one list, read by the bulk read
#: (:data:`MEMBERS`) and by the read of a few members again (:func:`read_members`), so that both agree.
MEMBER_COLUMNS = {
    "key": "{key:m}",
    "id": "m.id",
    "name": "coalesce(m.name, '')",
    "region": "coalesce(m.region, '')",
    "country": "coalesce(m.country, '')",
    # (a member left out for not confirming their profile, issue 13, is not suggested, whatever they chose)
    "suggestible": "CASE WHEN coalesce(m.lapsed, '') <> '' THEN 'no' ELSE coalesce(m.suggestible, '') END",
}
# One row whose columns are lists (collect() leaves nulls out, hence the coalesce): a single record on
# Neo4j, whose driver pays per record.
MEMBERS = _both(
    "MATCH (m:Member) RETURN " + ", ".join(f"collect({e}) AS {c}" for c, e in MEMBER_COLUMNS.items()), "m"
)
# Grouped by organisation: a few hundred rows, where an OPTIONAL MATCH per member costs seconds on LadybugDB.
EMPLOYEES = _both(
    "MATCH (m:Member)-[:WORKS_AT]->(o:Organisation) RETURN o.id AS organisation, collect({key:m}) AS members",
    "m",
)
TOPICS = Rows("MATCH (t:Topic)", id="t.id", name="t.name")
ORGANISATION_NAMES = Rows("MATCH (o:Organisation)", id="o.id", name="o.name")
# One row per topic with its holders, each holder's key and level as one number (key * LEVEL_BASE + level): some
# 1,600 rows of one list each at 100,000 members, several times faster to read than 800,000 rows. On
# Neo4j a COLLECT subquery per topic, with no label check on the holder (only members hold topics, and a
# key that is not a member's is left out by numbers()), takes two thirds of the time of one grouping.
_LEVEL_CODE = (
    "CASE r.level "
    + " ".join(f"WHEN '{level}' THEN {code}" for code, level in enumerate(LEVELS))
    + f" ELSE {len(LEVELS)} END"
)
HOLDERS = Cypher(
    f"MATCH (t:Topic) RETURN t.id AS topic, "
    f"COLLECT {{ MATCH (t)<-[r:INTERESTED_IN]-(m) RETURN {KEY['neo4j'].format('m')} * {LEVEL_BASE} + {_LEVEL_CODE} }} "
    "AS holders",
    f"MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic) "
    f"RETURN t.id AS topic, collect({KEY['ladybug'].format('m')} * {LEVEL_BASE} + {_LEVEL_CODE}) AS holders",
)
WORKSTREAM_MEMBERS = _both(
    "MATCH (m:Member)-[:MEMBER_OF]->(w:Workstream) RETURN w.id AS workstream, collect({key:m}) AS members",
    "m",
)
#: Who knows whom (for the coverage report's contact network): the keys at both ends of every KNOWS.
#: KNOWS joins members only, so the ends' labels are not checked: on Neo4j that takes the read from
#: 0.56 s to 0.10 s at 100,000 members.
CONTACTS = _both("MATCH (a)-[:KNOWS]->(b) RETURN collect({key:a}) AS a, collect({key:b}) AS b", "a", "b")


# A few members read again (after a write that changed them), with all the index holds of each. Neo4j: one
# statement, each member's organisations, topics and workstreams as COLLECT subqueries (a statement costs
# milliseconds there). LadybugDB: four statements per member, each a primary-key look-up of a fraction of
# a millisecond (UNWIND $ids before the look-up makes it a join that scans: 10-15 ms at 3,000 members);
# for many members, four statements for all that scan the members once.
_COLUMNS = ", ".join(f"{e} AS {c}" for c, e in MEMBER_COLUMNS.items())
MEMBERS_AGAIN = _both(
    f"UNWIND $ids AS id MATCH (m:Member {{id: id}}) RETURN {_COLUMNS}, "
    "COLLECT { MATCH (m)-[:WORKS_AT]->(o:Organisation) RETURN o.id } AS organisations, "
    f"COLLECT {{ MATCH (m)-[r:INTERESTED_IN]->(t:Topic) RETURN [t.id, toString({_LEVEL_CODE})] }} AS topics, "
    "COLLECT { MATCH (m)-[:MEMBER_OF]->(w:Workstream) RETURN w.id } AS workstreams",
    "m",
)


def _ladybug_reads(seek: str, where: str) -> tuple[Cypher, ...]:
    return (
        _both(f"MATCH (m:Member{seek}){where} RETURN {_COLUMNS}", "m"),
        Cypher(
            f"MATCH (m:Member{seek})-[:WORKS_AT]->(o:Organisation){where} RETURN m.id AS id, o.id AS organisation"
        ),
        Cypher(
            f"MATCH (m:Member{seek})-[r:INTERESTED_IN]->(t:Topic){where} "
            f"RETURN m.id AS id, t.id AS topic, {_LEVEL_CODE} AS level"
        ),
        Cypher(
            f"MATCH (m:Member{seek})-[:MEMBER_OF]->(w:Workstream){where} RETURN m.id AS id, w.id AS workstream"
        ),
    )


MEMBER_AGAIN_LADYBUG = _ladybug_reads(" {id: $id}", "")
MEMBERS_AGAIN_LADYBUG = _ladybug_reads("", " WHERE m.id IN $ids")
#: Up to how many members LadybugDB reads one by one.
ONE_BY_ONE = 20


@dataclass
class InterestRows:
    """The rows :class:`~graphapp.analytics.interest_index.InterestIndex` is built from."""

    members: dict[str, list[Any]]
    topics: list[dict[str, Any]]
    holders: list[dict[str, Any]]
    employees: list[dict[str, Any]]
    workstream_members: list[dict[str, Any]]
    organisation_names: list[dict[str, Any]]


def read_interests(tx: Tx, also: Sequence[Cypher] = ()) -> tuple[InterestRows, list[list[dict[str, Any]]]]:
    """The index's rows as ``tx`` sees them, and the rows of the reads ``also``, read side by side."""
    # Side by side on Neo4j (the holders, the longest, in this transaction; see Tx.run_all): each read
    # may see writes the others did not, which the index's key lookups and the revision stamp (read
    # before these) already allow for.
    statements = [
        HOLDERS,
        MEMBERS,
        EMPLOYEES,
        WORKSTREAM_MEMBERS,
        TOPICS.statement,
        ORGANISATION_NAMES.statement,
    ]
    rows = tx.run_all([*statements, *also])
    holders, members, employees, workstream_members, topics, organisation_names = rows[: len(statements)]
    found = InterestRows(
        members=members[0],
        topics=Rows.shape(topics, tx.dialect),
        holders=holders,
        employees=employees,
        workstream_members=workstream_members,
        organisation_names=Rows.shape(organisation_names, tx.dialect),
    )
    return found, rows[len(statements) :]


def read_members(tx: Tx, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Members ``ids`` with all the interest index holds of each, as the graph has them now (see
    :data:`graphapp.analytics.interest_index.MemberRow`), in the order given; a member not found is left
    out."""
    if tx.dialect == "neo4j":
        rows = tx.run(MEMBERS_AGAIN, ids=list(ids))
        for row in rows:
            row["topics"] = [(t, int(level)) for t, level in row["topics"]]
    else:
        members, employees, interests, workstreams = (
            [row for m in ids for row in tx.run(statement, id=m)]
            if len(ids) <= ONE_BY_ONE
            else tx.run(statement, ids=list(ids))
            for statement in (MEMBER_AGAIN_LADYBUG if len(ids) <= ONE_BY_ONE else MEMBERS_AGAIN_LADYBUG)
        )
        rows = [{**m, "organisations": [], "topics": [], "workstreams": []} for m in members]
        by_id = {row["id"]: row for row in rows}
        for e in employees:
            by_id[e["id"]]["organisations"].append(e["organisation"])
        for i in interests:
            by_id[i["id"]]["topics"].append((i["topic"], int(i["level"])))
        for w in workstreams:
            by_id[w["id"]]["workstreams"].append(w["workstream"])
    order = {m: k for k, m in enumerate(ids)}
    return sorted(rows, key=lambda row: order[row["id"]])


def read_contacts(tx: Tx) -> tuple[list[int], list[int]]:
    """Who knows whom: the keys of the two ends of every KNOWS between members (the index's
    :meth:`~graphapp.analytics.interest_index.InterestIndex.numbers` turns them into member numbers)."""
    row = tx.run(CONTACTS)[0]
    return row["a"], row["b"]

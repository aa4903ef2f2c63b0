"""The bulk reads of the member-topic graph that the interest index is built from, as plain rows.

Six reads (side by side on Neo4j, see :meth:`Tx.run_all`): members, who works where, topics, organisation
names, each topic's holders with their levels, each workstream's members. The rows are made into arrays
by :class:`graphapp.analytics.interest_index.InterestIndex`.

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

__all__ = ["InterestRows", "read_contacts", "read_interests"]

KEY = {"neo4j": "toInteger(split(elementId({}), ':')[2])", "ladybug": "offset(id({}))"}


def _both(template: str, *variables: str) -> Cypher:
    """A statement with ``{key:m}`` standing for the node key of variable m, in each dialect."""

    def spell(dialect: Dialect) -> str:
        text = template
        for v in variables:
            text = text.replace(f"{{key:{v}}}", KEY[dialect].format(v))
        return text

    return Cypher(spell("neo4j"), spell("ladybug"))


# One row whose columns are lists (collect() leaves nulls out, hence the coalesce): a single record on
# Neo4j, whose driver pays per record.
MEMBERS = _both(
    "MATCH (m:Member) RETURN collect({key:m}) AS key, collect(m.id) AS id, "
    "collect(coalesce(m.name, '')) AS name, collect(coalesce(m.region, '')) AS region, "
    "collect(coalesce(m.country, '')) AS country, "
    # (a member left out for not confirming their profile, issue 13, is not suggested, whatever they chose)
    "collect(CASE WHEN coalesce(m.lapsed, '') <> '' THEN 'no' ELSE coalesce(m.suggestible, '') END) AS suggestible",
    "m",
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


def read_contacts(tx: Tx) -> tuple[list[int], list[int]]:
    """Who knows whom: the keys of the two ends of every KNOWS between members (the index's
    :meth:`~graphapp.analytics.interest_index.InterestIndex.numbers` turns them into member numbers)."""
    row = tx.run(CONTACTS)[0]
    return row["a"], row["b"]

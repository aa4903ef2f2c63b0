"""Who holds which topic at which level, as arrays: the whole member-topic graph in memory.

Scoring one member against everyone who shares a topic means touching every holder of every topic they
hold: at 100,000 members that is often most of the network, too many rows to read from a database per
request. The index reads the graph once (six bulk reads, side by side on Neo4j) into compressed sparse
arrays, indexed both ways (by topic: its holders; by member: their topics), with what the suggestion
filters need (organisation, region, consent, workstreams). It is kept in ``tx.derived`` stamped with the
graph revision, so any write, in any process, makes the next reader build it again.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.schema import LEVELS, graph_revision

__all__ = ["InterestIndex", "distinct", "interest_index", "interest_index_and"]

# Members are matched up by the database's own number for each node (``id(m)`` in Neo4j, the node's offset
# in LadybugDB), which is an integer: numpy looks 800,000 of those up in a few milliseconds, where a
# dictionary of the string ids takes most of a second. The numbers are used only within one transaction.
KEY = {"neo4j": "id({})", "ladybug": "offset(id({}))"}


def _both(template: str, *variables: str) -> Cypher:
    """A statement with ``{key:m}`` standing for the node key of variable m, in each dialect."""

    def spell(dialect: str) -> str:
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
    "collect(coalesce(m.country, '')) AS country, collect(coalesce(m.suggestible, '')) AS suggestible",
    "m",
)
# Grouped by organisation: a few hundred rows, where an OPTIONAL MATCH per member costs seconds on LadybugDB.
EMPLOYEES = _both(
    "MATCH (m:Member)-[:WORKS_AT]->(o:Organisation) RETURN o.id AS organisation, collect({key:m}) AS members",
    "m",
)
TOPICS = Rows("MATCH (t:Topic)", id="t.id", name="t.name")
ORGANISATION_NAMES = Rows("MATCH (o:Organisation)", id="o.id", name="o.name")
# One row per topic with its holders, each holder's key and level as one number (key * 4 + level): some
# 1,600 rows of one list each at 100,000 members, several times faster to read than 800,000 rows. On
# Neo4j a COLLECT subquery per topic, with no label check on the holder (only members hold topics, and a
# key that is not a member's is left out by numbers()), takes two thirds of the time of one grouping.
_LEVEL_CODE = "CASE r.level WHEN 'learning' THEN 0 WHEN 'practising' THEN 1 WHEN 'expert' THEN 2 ELSE 3 END"
HOLDERS = Cypher(
    f"MATCH (t:Topic) RETURN t.id AS topic, "
    f"COLLECT {{ MATCH (t)<-[r:INTERESTED_IN]-(m) RETURN {KEY['neo4j'].format('m')} * 4 + {_LEVEL_CODE} }} "
    "AS holders",
    f"MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic) "
    f"RETURN t.id AS topic, collect({KEY['ladybug'].format('m')} * 4 + {_LEVEL_CODE}) AS holders",
)
WORKSTREAM_MEMBERS = _both(
    "MATCH (m:Member)-[:MEMBER_OF]->(w:Workstream) RETURN w.id AS workstream, collect({key:m}) AS members",
    "m",
)
#: Who knows whom (for the coverage report's contact network), each pair of node keys as one number.
#: KNOWS joins members only, so the ends' labels are not checked: on Neo4j that takes the read from
#: 0.56 s to 0.10 s at 100,000 members.
CONTACTS = _both("MATCH (a)-[:KNOWS]->(b) RETURN collect({key:a} * 4294967296 + {key:b}) AS pairs", "a", "b")


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, sorted: ``np.unique`` by sorting. numpy 2's ``np.unique``
    without counts takes a hashing path that, for integers, is up to 70 times slower than this here
    (5 s for 2.8 million numbers, where sorting them takes 0.08 s).

    >>> distinct(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    keep = np.ones(len(ordered), bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _known(numbers: np.ndarray) -> np.ndarray:
    """The member numbers found (not -1), sorted, once each."""
    return distinct(numbers[numbers >= 0])


def _holds(sorted_numbers: np.ndarray, i: int) -> bool:
    at = int(np.searchsorted(sorted_numbers, i))
    return at < len(sorted_numbers) and int(sorted_numbers[at]) == i


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each value as a small integer, its place among the distinct values sorted (-1 for ''), and those
    distinct values."""
    seen = sorted(set(values) - {""})
    code_of = {v: i for i, v in enumerate(seen)}.get
    return np.array([code_of(v, -1) for v in values], np.int32), seen


class _KeyLookup:
    """Node keys to member numbers (the key's place in the list read), -1 for any other key.

    Keys are small integers in practice (LadybugDB's offsets count from 0; Neo4j's node ids are reused
    and stay below the number of nodes ever alive at once), so a table indexed by key answers 800,000
    lookups in milliseconds; keys spread wider than that are looked up by binary search instead."""

    def __init__(self, keys: np.ndarray) -> None:
        self._bound = int(keys.max(initial=-1)) + 1
        if keys.min(initial=0) >= 0 and self._bound <= 16 * len(keys) + 65_536:
            self._table: np.ndarray | None = np.full(self._bound, -1, np.int32)
            self._table[keys] = np.arange(len(keys), dtype=np.int32)
        else:
            self._table = None
            self._order = np.argsort(keys).astype(np.int32)
            self._sorted = keys[self._order]

    def __call__(self, keys: np.ndarray) -> np.ndarray:
        if self._table is not None:
            inside = (keys >= 0) & (keys < self._bound)
            found = np.full(len(keys), -1, np.int32)
            found[inside] = self._table[keys[inside]]
            return found
        if not len(self._sorted):
            return np.full(len(keys), -1, np.int32)
        at = np.searchsorted(self._sorted, keys)
        at[at == len(self._sorted)] = 0
        return np.where(self._sorted[at] == keys, self._order[at], -1).astype(np.int32)


@dataclass
class _CSR:
    """Rows of a sparse 0/1 matrix with a level on each entry: ``cols[ptr[i]:ptr[i+1]]`` for row i."""

    ptr: np.ndarray
    cols: np.ndarray
    levels: np.ndarray

    @classmethod
    def build(cls, rows: np.ndarray, cols: np.ndarray, levels: np.ndarray, n_rows: int) -> _CSR:
        # Row, column and level packed into one number and sorted: twice as fast as an argsort and two
        # gathers. Within a row, columns come in order.
        n_cols = int(cols.max(initial=0)) + 1
        packed = np.sort((rows.astype(np.int64) * n_cols + cols) * 4 + levels)
        ptr = np.zeros(n_rows + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=ptr[1:])
        return cls(ptr, (packed // 4 % n_cols).astype(np.int32), (packed % 4).astype(np.int8))

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.ptr[i], self.ptr[i + 1]
        return self.cols[start:end], self.levels[start:end]

    def lengths(self) -> np.ndarray:
        return np.diff(self.ptr)


class InterestIndex:
    """The member-topic graph as arrays. Members and topics are numbered in the order read."""

    def __init__(
        self,
        members: dict[str, list[Any]],
        topics: list[dict[str, Any]],
        holders: list[dict[str, Any]],
        employees: list[dict[str, Any]],
        workstream_members: list[dict[str, Any]],
        organisation_names: list[dict[str, Any]],
    ) -> None:
        self.member_ids: list[str] = members["id"]
        self.member_names: list[str] = members["name"]
        self.member = {mid: i for i, mid in enumerate(self.member_ids)}
        self._lookup = _KeyLookup(np.array(members["key"], np.int64))
        topics = sorted(topics, key=lambda t: t["id"])  # topic numbers in id order: results do not
        # depend on the order the database returned them in
        self.topic_ids = [t["id"] for t in topics]
        self.topic_names = [t["name"] or t["id"] for t in topics]
        self.topic = {tid: i for i, tid in enumerate(self.topic_ids)}
        n, n_topics = len(self.member_ids), len(topics)
        self.region, self.regions = _codes(members["region"])
        self.country, self.countries = _codes(members["country"])
        organisation = [""] * n
        for e in employees:
            for i in self.numbers(e["members"]).tolist():
                if i >= 0:
                    organisation[i] = e["organisation"]
        self.organisation, self.organisations = _codes(organisation)
        self.suggestible = np.array(members["suggestible"], dtype=str) != "no"

        # Every edge, as (member number, topic number, level code); then indexed both ways.
        packed = np.array([x for h in holders for x in h["holders"]], np.int64)
        rows, levels = self.numbers(packed // 4), (packed % 4).astype(np.int8)
        cols = np.repeat(
            np.array([self.topic[h["topic"]] for h in holders], np.int32),
            [len(h["holders"]) for h in holders],
        )
        read = (rows >= 0) & (levels < len(LEVELS))  # (3: a level graphapp does not know, left out)
        rows, cols, levels = rows[read], cols[read], levels[read]
        self.by_member = _CSR.build(rows, cols, levels, n)
        self.by_topic = _CSR.build(cols, rows, levels, n_topics)
        self.degree = self.by_member.lengths()
        self.holders = self.by_topic.lengths()
        self.organisation_names = {o["id"]: o["name"] for o in organisation_names}
        self.workstream_members = {
            w["workstream"]: _known(self.numbers(w["members"])) for w in workstream_members
        }

    @functools.cached_property
    def name_rank(self) -> np.ndarray:
        """Every member's place in the order of name, then id: how ties in a ranking are broken."""
        by_name = np.lexsort((np.array(self.member_ids, dtype=str), np.array(self.member_names, dtype=str)))
        rank = np.empty(self.size, np.int32)
        rank[by_name] = np.arange(self.size, dtype=np.int32)
        return rank

    def numbers(self, keys: list[int] | np.ndarray) -> np.ndarray:
        """The member numbers of these node keys, -1 for a key not among the members read.

        Neo4j reads at "read committed", and the index's reads run side by side: a member created by a
        write that commits while the index is read can show up in one read and not another. That write
        also renews the revision, so the index built without them is stamped older and the next reader
        builds it again.
        """
        return self._lookup(np.asarray(keys, np.int64))

    @property
    def size(self) -> int:
        return len(self.member_ids)

    @classmethod
    def load(cls, tx: Tx, also: Sequence[Cypher] = ()) -> tuple[InterestIndex, list[list[dict[str, Any]]]]:
        """The index as ``tx`` sees it, and the rows of the reads ``also``, read side by side with it."""
        # Side by side on Neo4j (the holders, the longest, in this transaction; see Tx.run_all): each
        # read may see writes the others did not, which the numbers() lookups and the revision stamp
        # (read before these) already allow for.
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
        index = cls(
            members[0],
            Rows.shape(topics, tx.dialect),
            holders,
            employees,
            workstream_members,
            Rows.shape(organisation_names, tx.dialect),
        )
        return index, rows[len(statements) :]

    def weight(self, t: int) -> float:
        """The rarity weight of topic ``t``: ln(N / holders), 0 for a topic nobody holds."""
        h = int(self.holders[t])
        return math.log(self.size / h) if h else 0.0

    def edges_by_topic(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every interest as parallel arrays (topic number, member number, level code), grouped by topic."""
        topic = np.repeat(np.arange(len(self.topic_ids), dtype=np.int32), self.holders)
        return topic, self.by_topic.cols, self.by_topic.levels

    def holders_of(self, t: int) -> np.ndarray:
        return self.by_topic.row(t)[0]

    def details(self, i: int) -> dict[str, Any]:
        """What a suggestion shows of member ``i``: id, name, organisation, country, region, workstreams."""
        organisation = self.organisations[self.organisation[i]] if self.organisation[i] >= 0 else None
        return {
            "id": self.member_ids[i],
            "name": self.member_names[i],
            "organisation_id": organisation,
            "organisation": self.organisation_names.get(organisation) if organisation else None,
            "country": self.countries[self.country[i]] if self.country[i] >= 0 else None,
            "region": self.regions[self.region[i]] if self.region[i] >= 0 else None,
            "workstreams": sorted(w for w, people in self.workstream_members.items() if _holds(people, i)),
        }

    def topics_of(self, i: int) -> dict[str, str]:
        """Member ``i``'s topics (id -> level)."""
        cols, levels = self.by_member.row(i)
        return {self.topic_ids[t]: LEVELS[lv] for t, lv in zip(cols.tolist(), levels.tolist(), strict=True)}


def interest_index(tx: Tx) -> InterestIndex:
    """The index of the graph as this transaction sees it: the store's copy if current, else a new one."""
    return interest_index_and(tx, [])[0]


def interest_index_and(
    tx: Tx, statements: Sequence[Cypher]
) -> tuple[InterestIndex, list[list[dict[str, Any]]]]:
    """The index (as :func:`interest_index`) and the rows of further reads: read side by side with the
    index when it has to be built, on their own (still side by side) when it is current."""
    read: list[list[dict[str, Any]]] | None = None

    def build() -> InterestIndex:
        nonlocal read
        index, read = InterestIndex.load(tx, statements)
        return index

    index = tx.derived.get("interest-index", graph_revision(tx), build)
    return index, read if read is not None else tx.run_all(statements)

"""Who holds which topic at which level, as arrays: the whole member-topic graph in memory.

Scoring one member against everyone who shares a topic means touching every holder of every topic they
hold: at 100,000 members that is often most of the network, too many rows to read from a database per
request. The index reads the graph once (three bulk reads in one transaction) into compressed sparse
arrays, indexed both ways (by topic: its holders; by member: their topics), with what the suggestion
filters need (organisation, region, consent, workstreams). It is kept in ``tx.derived`` stamped with the
graph revision, so any write, in any process, makes the next reader build it again.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from queries.cypher import Cypher, Rows, Tx
from queries.schema import LEVELS, graph_revision

__all__ = ["InterestIndex", "interest_index"]

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
# One row per held topic with its holders and their levels: some 1,600 rows at 100,000 members, several
# times faster to read than 800,000 rows of one interest each.
HOLDERS = _both(
    "MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic) "
    # Each holder's key and level as one number (key * 4 + level): one list to ship, not two.
    "RETURN t.id AS topic, collect({key:m} * 4 + "
    "CASE r.level WHEN 'learning' THEN 0 WHEN 'practising' THEN 1 WHEN 'expert' THEN 2 END) AS holders",
    "m",
)
WORKSTREAM_MEMBERS = _both(
    "MATCH (m:Member)-[:MEMBER_OF]->(w:Workstream) RETURN w.id AS workstream, collect({key:m}) AS members",
    "m",
)
#: Who knows whom (for the coverage report's contact network), each pair of node keys as one number.
CONTACTS = _both(
    "MATCH (a:Member)-[:KNOWS]->(b:Member) RETURN collect({key:a} * 4294967296 + {key:b}) AS pairs", "a", "b"
)


def _known(numbers: np.ndarray) -> np.ndarray:
    """The member numbers found (not -1), sorted, once each."""
    return np.unique(numbers[numbers >= 0])


def _holds(sorted_numbers: np.ndarray, i: int) -> bool:
    at = int(np.searchsorted(sorted_numbers, i))
    return at < len(sorted_numbers) and int(sorted_numbers[at]) == i


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each value as a small integer, its place among the distinct values sorted (-1 for ''), and those
    distinct values."""
    distinct = sorted(set(values) - {""})
    code_of = {v: i for i, v in enumerate(distinct)}.get
    return np.array([code_of(v, -1) for v in values], np.int32), distinct


@dataclass
class _CSR:
    """Rows of a sparse 0/1 matrix with a level on each entry: ``cols[ptr[i]:ptr[i+1]]`` for row i."""

    ptr: np.ndarray
    cols: np.ndarray
    levels: np.ndarray

    @classmethod
    def build(cls, rows: np.ndarray, cols: np.ndarray, levels: np.ndarray, n_rows: int) -> _CSR:
        order = np.argsort(rows.astype(np.int64) * (int(cols.max(initial=0)) + 1) + cols, kind="stable")
        ptr = np.zeros(n_rows + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=ptr[1:])
        return cls(ptr, cols[order], levels[order])

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
        keys = np.array(members["key"], np.int64)
        self._key_order = np.argsort(keys)
        self._sorted_keys = keys[self._key_order]
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
        read = rows >= 0
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

        Neo4j reads at "read committed": a member created by a write that commits between two reads of
        one build can show up in the second only. That write also renews the revision, so the index
        built without them is stamped older and the next reader builds it again.
        """
        keys = np.asarray(keys, np.int64)
        found = np.searchsorted(self._sorted_keys, keys)
        found[found == len(self._sorted_keys)] = 0
        known = (self._sorted_keys[found] == keys) if len(self._sorted_keys) else np.zeros(len(keys), bool)
        return np.where(known, self._key_order[found] if len(self._sorted_keys) else -1, -1).astype(np.int32)

    @property
    def size(self) -> int:
        return len(self.member_ids)

    @classmethod
    def load(cls, tx: Tx) -> InterestIndex:
        members = tx.run(MEMBERS)[0]
        return cls(
            members,
            TOPICS.run(tx),
            tx.run(HOLDERS),
            tx.run(EMPLOYEES),
            tx.run(WORKSTREAM_MEMBERS),
            ORGANISATION_NAMES.run(tx),
        )

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
    return tx.derived.get("interest-index", graph_revision(tx), lambda: InterestIndex.load(tx))

"""Who holds which topic at which level, as arrays: the whole member-topic graph in memory.

Scoring one member against everyone who shares a topic means touching every holder of every topic they
hold: at 100,000 members that is often most of the network, too many rows to read from a database per
request. :class:`InterestIndex` holds the rows of the graph's bulk reads (:mod:`graphapp.queries.interest`)
as compressed sparse arrays, indexed both ways (by topic: its holders; by member: their topics), with
what the suggestion filters need (organisation, region, consent, workstreams).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphapp.queries.schema import LEVEL_BASE, LEVELS

__all__ = ["InterestIndex", "distinct"]


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, sorted: ``np.unique`` by sorting. numpy 2's ``np.unique``
    without counts takes a hashing path that, for integers, is up to 70 times slower than this here
    (5 s for 2.8 million numbers, where sorting them takes 0.08 s).

    Examples
    --------
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


def _codes(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
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
        packed = np.sort((rows.astype(np.int64) * n_cols + cols) * LEVEL_BASE + levels)
        ptr = np.zeros(n_rows + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=ptr[1:])
        return cls(
            ptr, (packed // LEVEL_BASE % n_cols).astype(np.int32), (packed % LEVEL_BASE).astype(np.int8)
        )

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.ptr[i], self.ptr[i + 1]
        return self.cols[start:end], self.levels[start:end]

    def lengths(self) -> np.ndarray:
        return np.diff(self.ptr)


class InterestIndex:
    """The member-topic graph as arrays, from the rows of :mod:`graphapp.queries.interest`'s reads.

    Members are numbered in the order read, topics in id order. ``members`` holds columns (key, id,
    name, region, country, suggestible), each a list; members are matched up across the reads by their
    key, a distinct integer per member (``holders``: per topic, each holder's key * LEVEL_BASE + level code;
    ``employees``, ``workstream_members``: per organisation or workstream, its members' keys).

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "expert"}, "b": {"nlp": "learning", "cv": "practising"}})
    >>> ix.member_ids, ix.topic_ids, ix.holders.tolist(), ix.topics_of(ix.member["b"])
    (['a', 'b'], ['cv', 'nlp'], [1, 2], {'cv': 'practising', 'nlp': 'learning'})
    """

    def __init__(
        self,
        members: Mapping[str, Sequence[Any]],
        topics: Sequence[Mapping[str, Any]],
        holders: Sequence[Mapping[str, Any]],
        employees: Sequence[Mapping[str, Any]] = (),
        workstream_members: Sequence[Mapping[str, Any]] = (),
        organisation_names: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.member_ids: list[str] = list(members["id"])
        self.member_names: list[str] = list(members["name"])
        self.member = {mid: i for i, mid in enumerate(self.member_ids)}
        keys = np.array(members["key"], np.int64)
        if len(keys) != len(self.member_ids) or len(distinct(keys)) != len(keys):
            # (A key the database spells differently after an upgrade must fail here, not mix people up.)
            raise ValueError(f"{len(self.member_ids)} members read with {len(distinct(keys))} distinct keys")
        self._lookup = _KeyLookup(keys)
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
        # (a mask of bools; annotated, as numpy's stubs type this comparison as Any)
        self.suggestible: np.ndarray = np.array(members["suggestible"], dtype=str) != "no"

        # Every edge, as (member number, topic number, level code); then indexed both ways.
        packed = np.array([x for h in holders for x in h["holders"]], np.int64)
        rows, levels = self.numbers(packed // LEVEL_BASE), (packed % LEVEL_BASE).astype(np.int8)
        cols = np.repeat(
            np.array([self.topic[h["topic"]] for h in holders], np.int32),
            [len(h["holders"]) for h in holders],
        )
        read = (rows >= 0) & (levels < len(LEVELS))  # (len(LEVELS): a level graphapp does not know, left out)
        rows, cols, levels = rows[read], cols[read], levels[read]
        self.by_member = _CSR.build(rows, cols, levels, n)
        self.by_topic = _CSR.build(cols, rows, levels, n_topics)
        self.degree = self.by_member.lengths()
        self.holders = self.by_topic.lengths()
        self.organisation_names = {o["id"]: o["name"] for o in organisation_names}
        self.workstream_members = {
            w["workstream"]: _known(self.numbers(w["members"])) for w in workstream_members
        }

    @classmethod
    def of(
        cls,
        interests: Mapping[str, Mapping[str, str]],
        *,
        topics: Sequence[str] = (),
        organisations: Mapping[str, str] | None = None,
        regions: Mapping[str, str] | None = None,
        countries: Mapping[str, str] | None = None,
        workstreams: Mapping[str, Sequence[str]] | None = None,
    ) -> InterestIndex:
        """The index of a small network given as mappings: member id -> {topic id: level} (names are the
        ids), and optionally the topics nobody holds, each member's organisation, region, country, and
        each workstream's members. For examples and networks held in memory."""
        ids = list(interests)
        key = {m: k for k, m in enumerate(ids)}
        held: dict[str, list[int]] = {t: [] for t in topics}
        for m, levels in interests.items():
            for t, level in levels.items():
                held.setdefault(t, []).append(key[m] * LEVEL_BASE + LEVELS.index(level))
        by_organisation: dict[str, list[int]] = {}
        for m, o in (organisations or {}).items():
            by_organisation.setdefault(o, []).append(key[m])
        return cls(
            {
                "key": list(range(len(ids))),
                "id": ids,
                "name": ids,
                "region": [(regions or {}).get(m, "") for m in ids],
                "country": [(countries or {}).get(m, "") for m in ids],
                "suggestible": [""] * len(ids),
            },
            [{"id": t, "name": t} for t in held],
            [{"topic": t, "holders": h} for t, h in held.items()],
            [{"organisation": o, "members": ms} for o, ms in by_organisation.items()],
            [{"workstream": w, "members": [key[m] for m in ms]} for w, ms in (workstreams or {}).items()],
            [{"id": o, "name": o} for o in by_organisation],
        )

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

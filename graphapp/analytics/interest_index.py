"""Who holds which topic at which level, as arrays: the whole member-topic graph in memory.

Scoring one member against everyone who shares a topic means touching every holder of every topic they
hold: at 100,000 members that is often most of the network, too many rows to read from a database per
request. :class:`InterestIndex` holds the rows of the graph's bulk reads (:mod:`graphapp.queries.interest`)
as compressed sparse arrays, indexed both ways (by topic: its holders; by member: their topics), with
what the suggestion filters need (organisation, region, consent, workstreams).

After a write that changed a few members, :meth:`InterestIndex.patched` gives the index with just those
members read again (a new index sharing what did not change), equal in every answer to one built anew.
"""

from __future__ import annotations

import bisect
import copy
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from graphapp.queries.schema import LEVEL_BASE, LEVELS

__all__ = ["InterestIndex", "MemberRow", "distinct"]

#: One member as :meth:`InterestIndex.patched` takes them: ``key``, ``id``, ``name``, ``region``,
#: ``country``, ``suggestible`` (as the bulk read gives them), ``organisations`` (ids), ``topics`` (pairs of
#: topic id and level code) and ``workstreams`` (ids): see :func:`graphapp.queries.interest.read_members`.
MemberRow = Mapping[str, Any]


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


def _codes(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Each value as a small integer, its place among the distinct values sorted (-1 for ''), and those
    distinct values."""
    seen = sorted(set(values) - {""})
    code_of = {v: i for i, v in enumerate(seen)}.get
    return np.array([code_of(v, -1) for v in values], np.int32), seen


def _recoded(
    codes: np.ndarray, seen: list[str], size: int, at: Sequence[int], values: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """The codes of :func:`_codes` (for ``size`` members, the new ones at the end) with the members ``at``
    given ``values``: what :func:`_codes` gives for the whole list changed so, without reading it again.

    Examples
    --------
    >>> codes, seen = _codes(["fr", "de", "", "fr"])
    >>> codes, seen = _recoded(codes, seen, 5, [1, 4], ["it", "fr"])  # nobody is in "de" any more
    >>> codes.tolist(), seen, _codes(["fr", "it", "", "fr", "fr"])[0].tolist()
    ([0, 1, -1, 0, 0], ['fr', 'it'], [0, 1, -1, 0, 0])
    """
    union = sorted(set(seen) | set(values) - {""})
    out = np.full(size, -1, np.int32)
    if union == seen or not seen:
        out[: len(codes)] = codes
    else:
        place = np.array([bisect.bisect_left(union, v) for v in seen], np.int32)
        out[: len(codes)] = np.where(codes >= 0, place[np.maximum(codes, 0)], -1)
    code_of = {v: i for i, v in enumerate(union)}.get
    out[list(at)] = [code_of(v, -1) for v in values]
    used = np.bincount(out[out >= 0], minlength=len(union)) > 0
    if not used.all():  # a value nobody has any more is left out, as a new build leaves it out
        shift = (np.cumsum(used) - 1).astype(np.int32)
        out = np.where(out >= 0, shift[np.maximum(out, 0)], -1).astype(np.int32)
        union = [v for v, u in zip(union, used.tolist(), strict=True) if u]
    return out, union


def _suggestible(values: Sequence[str]) -> np.ndarray:
    """Who may be suggested, from the read's ``suggestible`` column (a mask of bools; annotated, as
    numpy's stubs type this comparison as Any)."""
    mask: np.ndarray = np.array(values, dtype=str) != "no"
    return mask


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

    def entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The entries of ``rows`` (row numbers), row after row: for each, its row's place in ``rows`` and
        its column.

        >>> csr = _CSR.build(np.array([0, 0, 2]), np.array([5, 7, 6]), np.zeros(3, np.int8), 3)
        >>> [a.tolist() for a in csr.entries(np.array([2, 1, 0]))]
        [[0, 2, 2], [6, 5, 7]]
        """
        rows = np.asarray(rows, np.int64)
        lengths = self.ptr[rows + 1] - self.ptr[rows]
        firsts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        at = np.repeat(self.ptr[rows] - firsts, lengths) + np.arange(int(lengths.sum()))
        return np.repeat(np.arange(len(rows)), lengths), self.cols[at]


def _pairs(by_member: _CSR, members: np.ndarray, n_topics: int) -> np.ndarray:
    """For :attr:`InterestIndex.co_held`: over ``members`` (numbers), each (level of topic m, topic m,
    topic t) among a member's own topics, as flat places in the table (level, m, t), one per pair.

    >>> rows = _CSR.build(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([2, 0, 2], np.int8), 2)
    >>> counts = np.bincount(_pairs(rows, np.array([0, 1]), 2), minlength=12).reshape(3, 2, 2)
    >>> counts[:, 1].tolist()  # pairs with topic 1 first: at level 0 (member 0), at level 2 (member 1)
    [[1, 1], [0, 0], [0, 1]]
    """
    members = np.asarray(members, np.int64)
    lengths = by_member.ptr[members + 1] - by_member.ptr[members]
    starts = np.cumsum(lengths) - lengths  # where each member's topics start among those taken
    at = np.repeat(by_member.ptr[members] - starts, lengths) + np.arange(int(lengths.sum()))
    topics, levels = by_member.cols[at].astype(np.int64), by_member.levels[at].astype(np.int64)
    # Each entry paired with every entry of its member's row: the first of a pair repeated as many times
    # as its row is long, the second running over that row.
    run = np.repeat(lengths, lengths)
    first = np.repeat(np.arange(len(topics), dtype=np.int64), run)
    second = np.repeat(np.repeat(starts, lengths), run) + (
        np.arange(len(first), dtype=np.int64) - np.repeat(np.cumsum(run) - run, run)
    )
    flat: np.ndarray = (levels[first] * n_topics + topics[first]) * n_topics + topics[second]
    return flat


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
        self._keys = keys
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
        self.suggestible = _suggestible(members["suggestible"])

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

    @functools.cached_property
    def co_held(self) -> np.ndarray:
        """``co_held[l, m, t]``: how many members who may be suggested hold topic ``m`` at level ``l`` and
        topic ``t`` (``t == m`` counts the holders of ``m`` at ``l``). What the second step of a suggestion
        needs (what each topic passes on, :func:`graphapp.analytics.suggestions.two_steps`) in one small
        product per member instead of a sum over every interest: 2,432 x 2,432 x 3 counts at a million
        members (68 MiB), made once per index in seconds, and brought up to date by :meth:`patched`.

        >>> ix = InterestIndex.of({"a": {"nlp": "expert", "cv": "learning"}, "b": {"nlp": "expert"}})
        >>> ix.co_held[LEVELS.index("expert"), ix.topic["nlp"]].tolist()  # cv, nlp
        [1, 2]
        """
        n_topics = len(self.topic_ids)
        table = np.zeros(len(LEVELS) * n_topics * n_topics, np.int32)
        members = np.flatnonzero(self.suggestible)
        # In slices of members, so that the pairs of topics (the sum of each member's topics squared: 80
        # million at a million members) never all sit in memory at once.
        for start in range(0, len(members), 50_000):
            flat = _pairs(self.by_member, members[start : start + 50_000], n_topics)
            np.add(table, np.bincount(flat, minlength=len(table)), out=table, casting="unsafe")
        return table.reshape(len(LEVELS), n_topics, n_topics)

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
        return self._weights[t]

    @functools.cached_property
    def _weights(self) -> list[float]:
        # (Asked some 200 times per suggestion, mostly by its descriptions: a list, made once per index.)
        return [math.log(self.size / h) if h else 0.0 for h in self.holders.tolist()]

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
            "workstreams": self._workstreams_of(i),
        }

    def _workstreams_of(self, i: int) -> list[str]:
        """Member ``i``'s workstreams, sorted."""
        names, rows = self._member_workstreams
        return [names[c] for c in rows.row(i)[0].tolist()]

    @functools.cached_property
    def _member_workstreams(self) -> tuple[list[str], _CSR]:
        """The workstreams' names sorted, and a row per member of their places in that list: a
        suggestion's descriptions ask for eleven members' (a binary search per workstream and member took
        a tenth of a suggestion's time)."""
        names = sorted(self.workstream_members)
        people = [self.workstream_members[w] for w in names]
        owners = np.concatenate([np.zeros(0, np.int64), *people]).astype(np.int64)
        codes = np.repeat(np.arange(len(names), dtype=np.int32), [len(p) for p in people])
        return names, _CSR.build(owners, codes, np.zeros(len(owners), np.int8), self.size)

    def topics_of(self, i: int) -> dict[str, str]:
        """Member ``i``'s topics (id -> level)."""
        cols, levels = self.by_member.row(i)
        return {self.topic_ids[t]: LEVELS[lv] for t, lv in zip(cols.tolist(), levels.tolist(), strict=True)}

    def patched(self, changed: Sequence[MemberRow]) -> InterestIndex | None:
        """This index with the members ``changed`` read again (each with all the index holds of them, as
        the graph has it now; a member not held yet is added), as a new index: this one is left as it is,
        for whoever still uses it. Its answers are those of an index built anew.

        None when the change reaches beyond those members, and the index must be built anew: a topic or
        an organisation the index does not know, a member at two organisations, a member's node key
        changed or taken by another.

        Examples
        --------
        >>> ix = InterestIndex.of({"a": {"nlp": "expert"}, "b": {"cv": "learning"}}, topics=["cv", "nlp"])
        >>> row = {"key": 5, "id": "c", "name": "c", "region": "", "country": "", "suggestible": "",
        ...        "organisations": [], "topics": [("nlp", 0)], "workstreams": []}
        >>> new = ix.patched([row])
        >>> new.member_ids, new.holders.tolist(), new.topics_of(new.member["c"]), ix.size
        (['a', 'b', 'c'], [1, 2], {'nlp': 'learning'}, 2)
        """
        if not changed:
            return self
        n = self.size
        fresh = [r["id"] for r in changed if r["id"] not in self.member]
        number = {r["id"]: self.member[r["id"]] for r in changed if r["id"] in self.member}
        number.update({m: n + k for k, m in enumerate(fresh)})
        if len(number) != len(changed):
            return None  # a member listed twice
        size = n + len(fresh)
        at = [number[r["id"]] for r in changed]
        keys = np.array([r["key"] for r in changed], np.int64)
        held = self.numbers(keys)
        if any(h != (i if i < n else -1) for h, i in zip(held.tolist(), at, strict=True)):
            return None  # a key that moved to another member, or a new member's key already held
        if len(distinct(keys)) != len(keys):
            return None
        if any(len(r["organisations"]) > 1 for r in changed):
            return None  # (a new build keeps one of them, whichever comes last: not for us to guess)
        organisation = [r["organisations"][0] if r["organisations"] else "" for r in changed]
        if any(o and o not in self.organisation_names for o in organisation):
            return None
        if any(t not in self.topic for r in changed for t, _ in r["topics"]):
            return None
        interests = sorted(
            (self.topic[t], number[r["id"]], level)
            for r in changed
            for t, level in r["topics"]
            if level < len(LEVELS)  # (a level graphapp does not know: left out)
        )

        ix = copy.copy(self)
        for made in ("name_rank", "_weights", "_member_workstreams"):
            ix.__dict__.pop(made, None)
        if fresh:
            ix.member_ids = [*self.member_ids, *fresh]
            ix.member = {**self.member, **{m: number[m] for m in fresh}}
            ix._keys = np.concatenate([self._keys, keys[[i >= n for i in at]]])
            ix._lookup = _KeyLookup(ix._keys)
        ix.member_names = [*self.member_names, *[""] * len(fresh)]
        for r, i in zip(changed, at, strict=True):
            ix.member_names[i] = r["name"]
        ix.region, ix.regions = _recoded(self.region, self.regions, size, at, [r["region"] for r in changed])
        ix.country, ix.countries = _recoded(
            self.country, self.countries, size, at, [r["country"] for r in changed]
        )
        ix.organisation, ix.organisations = _recoded(
            self.organisation, self.organisations, size, at, organisation
        )
        ix.suggestible = np.concatenate([self.suggestible, np.ones(len(fresh), bool)])
        ix.suggestible[at] = _suggestible([r["suggestible"] for r in changed])

        touched = np.zeros(size, bool)
        touched[at] = True
        ix.by_member = self._members_rows_replaced(at, interests, size)
        ix.by_topic = self._holders_replaced(at, interests)
        ix.degree = ix.by_member.lengths()
        ix.holders = ix.by_topic.lengths()

        joined: dict[str, list[int]] = {}
        for r, i in zip(changed, at, strict=True):
            for w in r["workstreams"]:
                joined.setdefault(w, []).append(i)
        workstreams = {}
        for w in self.workstream_members.keys() | joined.keys():
            people = self.workstream_members.get(w, np.zeros(0, np.int32))
            people = people[~touched[people]]
            if w in joined:  # (distinct: a member's row may name a workstream twice, as a build reads it)
                people = distinct(np.concatenate([people, np.array(joined[w], people.dtype)]))
            if len(people):
                workstreams[w] = people
        ix.workstream_members = workstreams

        if "name_rank" in self.__dict__:
            ix.__dict__["name_rank"] = self._name_rank_with(ix, at, n)
        ix.__dict__.pop("co_held", None)
        if "co_held" in self.__dict__:
            # The changed members' pairs of topics out (as they were, if they could be suggested), in
            # (as they are now, if they can): a copy, as this index's table stays as it is.
            # (Only the places the few members' pairs touch: a full-size count per write took 0.1 s and
            # 270 MiB at a million members.)
            n_topics = len(self.topic_ids)
            was = np.array([i for i in at if i < n and self.suggestible[i]], np.int64)
            now = np.array([i for i in at if ix.suggestible[i]], np.int64)
            table = self.co_held.reshape(-1).copy()
            for flat, sign in (
                (_pairs(self.by_member, was, n_topics), -1),
                (_pairs(ix.by_member, now, n_topics), 1),
            ):
                places, counts = np.unique(flat, return_counts=True)
                table[places] += sign * counts.astype(np.int32)
            ix.__dict__["co_held"] = table.reshape(self.co_held.shape)
        return ix

    def _members_rows_replaced(
        self, at: Sequence[int], interests: list[tuple[int, int, int]], size: int
    ) -> _CSR:
        """``by_member`` with the rows of members ``at`` (new ones at the end) made of ``interests``
        (topic, member, level), sorted."""
        rows: dict[int, list[tuple[int, int]]] = {i: [] for i in at}
        for t, i, level in interests:
            rows[i].append((t, level))
        lengths = np.zeros(size, np.int64)
        lengths[: self.size] = self.by_member.lengths()
        cols, levels = [], []
        ptr, done = self.by_member.ptr, 0
        for i in sorted(rows):
            if i < self.size:
                cols.append(self.by_member.cols[ptr[done] : ptr[i]])
                levels.append(self.by_member.levels[ptr[done] : ptr[i]])
                done = i + 1
            elif done <= self.size:
                cols.append(self.by_member.cols[ptr[done] :])
                levels.append(self.by_member.levels[ptr[done] :])
                done = self.size + 1
            cols.append(np.array([t for t, _ in rows[i]], np.int32))
            levels.append(np.array([lv for _, lv in rows[i]], np.int8))
            lengths[i] = len(rows[i])
        if done <= self.size:
            cols.append(self.by_member.cols[ptr[done] :])
            levels.append(self.by_member.levels[ptr[done] :])
        new_ptr = np.zeros(size + 1, np.int64)
        np.cumsum(lengths, out=new_ptr[1:])
        return _CSR(new_ptr, np.concatenate(cols), np.concatenate(levels))

    def _holders_replaced(self, at: Sequence[int], interests: list[tuple[int, int, int]]) -> _CSR:
        """``by_topic`` without the entries of members ``at``, with ``interests`` (topic, member, level)
        in their places: within a topic, holders stay in member order. Copied in slices between the places
        that change (``np.insert`` and a boolean mask over every entry took 30 ms at 800,000 entries)."""
        ptr, cols, levels = self.by_topic.ptr, self.by_topic.cols, self.by_topic.levels

        def place(t: int, i: int) -> int:
            return int(ptr[t] + np.searchsorted(cols[ptr[t] : ptr[t + 1]], i))

        # (old place, 0 to insert before it or 1 to drop it, topic, member, level), in the order to apply
        # them: at one place, inserts first (the end of one topic is the start of the next: by topic)
        changes = [(place(t, i), 0, t, i, level) for t, i, level in interests]
        for i in at:
            if i < self.size:
                changes += [(place(t, i), 1, t, i, 0) for t in self.by_member.row(i)[0].tolist()]
        changes.sort()
        new_cols: list[np.ndarray] = []
        new_levels: list[np.ndarray] = []
        done = 0
        for where, drop, _, i, level in changes:
            new_cols.append(cols[done:where])
            new_levels.append(levels[done:where])
            if drop:
                done = where + 1
            else:
                new_cols.append(np.array([i], cols.dtype))
                new_levels.append(np.array([level], levels.dtype))
                done = where
        new_cols.append(cols[done:])
        new_levels.append(levels[done:])
        n_topics = len(self.topic_ids)
        added = np.bincount(np.array([t for t, _, _ in interests], np.int64), minlength=n_topics)
        dropped = np.bincount(
            np.concatenate([self.by_member.row(i)[0] for i in at if i < self.size] + [np.zeros(0, np.int32)]),
            minlength=n_topics,
        )
        new_ptr = ptr.copy()
        new_ptr[1:] += np.cumsum(added - dropped)
        return _CSR(new_ptr, np.concatenate(new_cols), np.concatenate(new_levels))

    def _name_rank_with(self, ix: InterestIndex, at: Sequence[int], n: int) -> np.ndarray:
        """``ix.name_rank`` from this index's, where ``ix`` is this index with members ``at`` changed
        (those from ``n`` on new): only they are placed again (sorting everyone costs 50 ms at 100,000)."""
        moved = [
            i
            for i in at
            if i >= n or (ix.member_names[i], ix.member_ids[i]) != (self.member_names[i], self.member_ids[i])
        ]
        if not moved:
            return self.name_rank
        order = np.empty(self.size, np.int64)
        order[self.name_rank] = np.arange(self.size)
        leaving = np.zeros(ix.size, bool)
        leaving[moved] = True
        kept: list[int] = order[~leaving[order]].tolist()
        names, ids = ix.member_names, ix.member_ids
        for i in sorted(moved, key=lambda i: (names[i], ids[i])):
            place = bisect.bisect_left(kept, (names[i], ids[i]), key=lambda j: (names[j], ids[j]))
            kept.insert(place, i)
        rank = np.empty(ix.size, np.int32)
        rank[np.array(kept, np.int64)] = np.arange(ix.size, dtype=np.int32)
        return rank

    def content(self) -> dict[str, Any]:
        """All the index says, by id rather than by number (which differs between builds): for checking
        that two indexes, built differently, are the same."""
        ws_of: dict[int, list[str]] = {}
        for w, people in sorted(self.workstream_members.items()):
            for i in people.tolist():
                ws_of.setdefault(i, []).append(w)

        def code(values: list[str], c: int) -> str | None:
            return values[c] if c >= 0 else None

        return {
            "members": {
                m: (
                    self.member_names[i],
                    code(self.regions, int(self.region[i])),
                    code(self.countries, int(self.country[i])),
                    code(self.organisations, int(self.organisation[i])),
                    bool(self.suggestible[i]),
                    self.topics_of(i),
                    ws_of.get(i, []),
                )
                for i, m in enumerate(self.member_ids)
            },
            "topics": list(zip(self.topic_ids, self.topic_names, self.holders.tolist(), strict=True)),
            "organisation_names": self.organisation_names,
            "name_order": [self.member_ids[i] for i in np.argsort(self.name_rank).tolist()],
            "regions": self.regions,
            "countries": self.countries,
            "organisations": self.organisations,
        }

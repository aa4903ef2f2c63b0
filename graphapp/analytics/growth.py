"""The network over time, from the history: as it stood on a day, and how it grew month by month.

The graph holds the network as it is now; the history (:mod:`graphapp.queries.history`) holds every change
with, for each field changed, its value before and after. Undoing the changes made after a day, newest
first, gives the network as it stood that day (:func:`as_of`); doing that for the end of every month, in
one pass over each member's changes, gives how it grew (:func:`growth`). A member who joined before
graphapp has a ``joined`` date: they count from that day, as first recorded.

What cannot be known: changes made before the history began, and members forgotten since (forgetting
removes them from every day, past ones too: that is what it means). Changes whose details were blanked
because they named a forgotten member undo nothing.

A network here is a :class:`Snapshot`: members, topics, organisations and workstreams, each an id with
its fields as the history names them (see the common format: ``topics`` as sorted ``"topic-id:level"``,
``workstreams`` as ``"workstream-id:role"``, ``knows`` as member ids, ``organisation`` as an id). A
contact is one between two people, whichever of them lists it (the graph stores it once; the history may
name it in either's list, or both).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from graphapp.analytics.coverage import Network
from graphapp.analytics.interest_index import InterestIndex
from graphapp.queries.schema import LEVEL_BASE, LEVELS

__all__ = [
    "GROUPINGS",
    "MEASURES",
    "Snapshot",
    "after_day",
    "as_network",
    "as_of",
    "growth",
    "heat_map_of",
    "undo",
]

#: What is counted each month.
MEASURES = ("members", "organisations", "countries", "contacts")
#: How the counts are broken down: the whole network, each workstream, each region.
GROUPINGS = ("network", "workstream", "region")
#: The kind of node a change's subject names (``"member:<id>"``...), and where a snapshot keeps it.
_KINDS = {
    "member": "members",
    "topic": "topics",
    "organisation": "organisations",
    "workstream": "workstreams",
}

Fields = dict[str, Any]


@dataclass
class Snapshot:
    """The network in the history's own terms: for each kind of node, id -> fields (empty ones left out)."""

    members: dict[str, Fields] = field(default_factory=dict)
    topics: dict[str, Fields] = field(default_factory=dict)
    organisations: dict[str, Fields] = field(default_factory=dict)
    workstreams: dict[str, Fields] = field(default_factory=dict)
    #: Asks (id -> topics, created, closed), to count the open ones as of a day.
    asks: dict[str, Fields] = field(default_factory=dict)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def undo(fields: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]) -> Fields:
    """The fields as they were before a change that took them from ``before`` to ``after`` (only the
    fields changed are named; a field absent or empty before was unset).

    >>> undo({"name": "Ana", "title": "Head"}, {"title": "Analyst"}, {"title": "Head"})
    {'name': 'Ana', 'title': 'Analyst'}
    >>> undo({"name": "Ana", "country": "PRT"}, {"country": ""}, {"country": "PRT"})
    {'name': 'Ana'}
    """
    restored = dict(fields)
    for name in set(before) | set(after):
        value = before.get(name)
        if _empty(value):
            restored.pop(name, None)
        else:
            restored[name] = value
    return restored


def _subject(subject: str) -> tuple[str | None, str]:
    kind, _, id = (subject or "").partition(":")
    return _KINDS.get(kind), id


def _joined_by(fields: Mapping[str, Any], day: date, *, unset: bool) -> bool:
    """Whether the member had joined by ``day`` (``unset``: the answer for a member with no joined date)."""
    joined = fields.get("joined")
    return unset if _empty(joined) else str(joined)[:10] <= day.isoformat()


def after_day(day: date) -> str:
    """A time-stamp that sorts after every ISO 8601 time of ``day`` and before the next day's (even
    for 9999-12-31, which has no next day).

    >>> after_day(date(2024, 1, 10))
    '2024-01-10T99'
    >>> "2024-01-10T23:59:59+00:00" < after_day(date(2024, 1, 10)) < "2024-01-11"
    True
    """
    return f"{day.isoformat()}T99"


def as_of(now: Snapshot, changes: Iterable[Mapping[str, Any]], day: date) -> Snapshot:
    """The network as it stood at the end of ``day`` (UTC): ``now`` with every change made after that day
    undone, newest first; then only the members whose ``joined`` is on or before the day (those with none,
    from before joined dates were kept, count).

    ``changes`` are the history's rows newest first, with ``at``, ``subject``, and ``before`` and
    ``after`` as dicts; those made on or before the day are ignored. A member created after the day but
    with ``joined`` on or before it stays, as first recorded.

    Examples
    --------
    >>> now = Snapshot(members={"a": {"name": "Ana", "joined": "2021-05-01", "topics": ["nlp:expert"]},
    ...                         "b": {"name": "Bo", "joined": "2024-02-01"},
    ...                         "c": {"name": "Cy", "joined": "2021-01-01"}})
    >>> history = [
    ...     {"at": "2024-03-01T10:00:00+00:00", "subject": "member:a",
    ...      "before": {"topics": ["nlp:learning"]}, "after": {"topics": ["nlp:expert"]}},
    ...     {"at": "2024-02-01T10:00:00+00:00", "subject": "member:b", "before": {}, "after": {"name": "Bo", "joined": "2024-02-01"}},
    ...     {"at": "2024-02-01T09:00:00+00:00", "subject": "member:c", "before": {}, "after": {"name": "Cy", "joined": "2021-01-01"}}]
    >>> then = as_of(now, history, date(2024, 1, 31))
    >>> sorted(then.members), then.members["a"]["topics"]
    (['a', 'c'], ['nlp:learning'])
    """
    state = {kind: {id: dict(f) for id, f in getattr(now, kind).items()} for kind in _KINDS.values()}
    cutoff = after_day(day)
    for c in changes:
        if c["at"] < cutoff:
            break
        kind, id = _subject(c["subject"])
        before, after = c["before"], c["after"]
        if kind is None or (not before and not after):
            continue
        table = state[kind]
        current = table.get(id)
        if not before:  # made after the day
            if kind == "members" and current is not None and _joined_by(current, day, unset=False):
                continue  # but joined on or before it: as first recorded
            table.pop(id, None)
            continue
        table[id] = undo(current or {}, before, after)
    members = {id: f for id, f in state["members"].items() if _joined_by(f, day, unset=True)}
    asks = {
        id: a
        for id, a in now.asks.items()
        if str(a.get("created") or "") < cutoff and a.get("member", "") in members
    }
    return Snapshot(members, state["topics"], state["organisations"], state["workstreams"], asks)


def _split(entry: str) -> tuple[str, str]:
    """``"record-linkage:expert"`` -> ("record-linkage", "expert")."""
    id, _, qualifier = entry.rpartition(":")
    return (id, qualifier) if id else (entry, "")


def as_network(snap: Snapshot, day: date | None = None) -> tuple[Network, np.ndarray, np.ndarray]:
    """What the coverage report is made of (:func:`graphapp.analytics.coverage.coverage_gaps`), from a
    snapshot: the network (its interest index and tables) and the contact network's two ends, as node
    keys (members numbered in id order). Links to nodes the snapshot lacks are left out. With ``day``,
    the asks open at its end are counted (else those open now).

    Examples
    --------
    >>> snap = Snapshot(members={"a": {"name": "Ana", "topics": ["nlp:expert"], "knows": ["b"]},
    ...                          "b": {"name": "Bo", "workstreams": ["WS1:lead"]}},
    ...                 topics={"nlp": {"name": "NLP"}}, workstreams={"WS1": {"name": "Studies"}})
    >>> net, a, b = as_network(snap)
    >>> net.index.member_ids, net.index.topics_of(0), net.workstreams, a.tolist(), b.tolist()
    (['a', 'b'], {'nlp': 'expert'}, [{'id': 'WS1', 'name': 'Studies', 'members': 1, 'leads': 1}], [0], [1])
    """
    ids = sorted(snap.members)
    key = {m: k for k, m in enumerate(ids)}
    rows = [snap.members[m] for m in ids]
    holders: dict[str, list[int]] = {t: [] for t in sorted(snap.topics)}
    employees: dict[str, list[int]] = defaultdict(list)
    in_workstream: dict[str, list[int]] = {w: [] for w in sorted(snap.workstreams)}
    leads: dict[str, int] = defaultdict(int)
    pairs: set[tuple[int, int]] = set()  # a contact is one, whichever of the two lists it (or both)
    for k, f in enumerate(rows):
        for entry in f.get("topics") or []:
            topic, level = _split(entry)
            if topic in holders:
                code = LEVELS.index(level) if level in LEVELS else len(LEVELS)
                holders[topic].append(k * LEVEL_BASE + code)
        if f.get("organisation") in snap.organisations:
            employees[f["organisation"]].append(k)
        for entry in f.get("workstreams") or []:
            ws, role = _split(entry)
            if ws in in_workstream:
                in_workstream[ws].append(k)
                leads[ws] += role == "lead"
        for other in f.get("knows") or []:
            j = key.get(other)
            if j is not None and j != k:
                pairs.add((min(j, k), max(j, k)))
    index = InterestIndex(
        {
            "key": list(range(len(ids))),
            "id": ids,
            "name": [f.get("name", "") for f in rows],
            "region": [f.get("region", "") for f in rows],
            "country": [f.get("country", "") for f in rows],
            "suggestible": [f.get("suggestible", "") for f in rows],
        },
        [{"id": t, "name": snap.topics[t].get("name", "")} for t in holders],
        [{"topic": t, "holders": h} for t, h in holders.items()],
        [{"organisation": o, "members": ms} for o, ms in employees.items()],
        [{"workstream": w, "members": ms} for w, ms in in_workstream.items()],
        [{"id": o, "name": f.get("name", "")} for o, f in sorted(snap.organisations.items())],
    )
    cutoff = after_day(day) if day else None
    open_asks: dict[str, int] = defaultdict(int)
    for ask in snap.asks.values():
        closed = str(ask.get("closed") or "")
        still_open = (not closed or closed >= cutoff) if cutoff else ask.get("status") == "open"
        if still_open:
            for t in ask.get("topics") or []:
                open_asks[t] += 1
    net = Network(
        index,
        organisations=[
            {"id": o, "name": f.get("name", ""), "country": f.get("country"), "region": f.get("region")}
            for o, f in sorted(snap.organisations.items())
        ],
        workstreams=[
            {"id": w, "name": snap.workstreams[w].get("name", ""), "members": len(ms), "leads": leads[w]}
            for w, ms in in_workstream.items()
        ],
        covers=[
            {"workstream": w, "topic": t}
            for w, f in sorted(snap.workstreams.items())
            for t in sorted(f.get("covers") or [])
            if t in snap.topics
        ],
        open_asks=dict(open_asks),
    )
    ordered = sorted(pairs)
    return net, np.array([p[0] for p in ordered], np.int64), np.array([p[1] for p in ordered], np.int64)


# --- Month by month --------------------------------------------------------------------------------------


def _month(iso: str) -> int:
    """A month as one number (year * 12 + month - 1), from an ISO date or time."""
    return int(iso[:4]) * 12 + int(iso[5:7]) - 1


def _month_name(n: int) -> str:
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def _groups(f: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The groups a member's counts go to: the network, their region, each of their workstreams."""
    groups = [("network", "")]
    if f.get("region"):
        groups.append(("region", f["region"]))
    groups += sorted({("workstream", _split(e)[0]) for e in f.get("workstreams") or []})
    return groups


def _segments(
    now: Fields | None, changes: Sequence[Mapping[str, Any]], end: int
) -> list[tuple[int | None, int, Fields]]:
    """A member's states over time: (first month, month after the last, fields), newest first; a first
    month of None: since before the history. A state holds at the end of each month in its range."""
    found: list[tuple[int | None, int, Fields]] = []
    current = now
    for c in changes:
        before, after = c["before"], c["after"]
        if not before and not after:
            continue
        k = _month(c["at"])
        if current is not None:
            found.append((k, end, current))
        end = min(end, k)
        if not before:  # created: before that, only if they had joined already, as first recorded
            joined = (current or {}).get("joined")
            if current is not None and not _empty(joined) and _month(str(joined)) < k:
                found.append((_month(str(joined)), k, current))
            return found
        current = undo(current or {}, before, after)
    if current is not None:
        found.append((None, end, current))
    return found


class _Spans:
    """Spans of months, each in a group (and for distinct counts, of a value), counted per group and month
    at the end with numpy."""

    #: Counted once per value however many spans cover a month; the others are summed (their spans do not
    #: overlap: a member's states, a contact's months).
    DISTINCT = ("organisations", "countries")

    def __init__(self, first: int, n: int) -> None:
        self.first, self.n = first, n
        self.keys: dict[str, dict[tuple[tuple[str, str], str], int]] = defaultdict(dict)
        self.rows: dict[str, tuple[list[int], list[int], list[int]]] = defaultdict(lambda: ([], [], []))

    def add(self, measure: str, group: tuple[str, str], start: int, stop: int, value: str = "") -> None:
        keys = self.keys[measure]
        k = keys.setdefault((group, value), len(keys))
        at, starts, stops = self.rows[measure]
        at.append(k)
        starts.append(start)
        stops.append(stop)

    def totals(self) -> dict[str, dict[tuple[str, str], list[int]]]:
        found: dict[str, dict[tuple[str, str], list[int]]] = {m: {} for m in MEASURES}
        for measure, keys in self.keys.items():
            at, starts, stops = (np.array(x, np.int64) for x in self.rows[measure])
            lo = np.maximum(starts - self.first, 0)
            hi = np.minimum(stops - self.first, self.n)
            inside = lo < hi
            diff = np.zeros((len(keys), self.n + 1), np.int32)
            np.add.at(diff, (at[inside], lo[inside]), 1)
            np.add.at(diff, (at[inside], hi[inside]), -1)
            held = np.cumsum(diff, axis=1)[:, : self.n]
            if measure in self.DISTINCT:
                held = (held > 0).astype(np.int32)
            groups = {g: i for i, g in enumerate(dict.fromkeys(g for g, _ in keys))}
            per_group = np.zeros((len(groups), self.n), np.int64)
            np.add.at(per_group, np.array([groups[g] for g, _ in keys], np.int64), held)
            found[measure] = {g: per_group[i].tolist() for g, i in groups.items()}
        return found


def growth(
    now: Snapshot, changes: Iterable[Mapping[str, Any]], today: date, *, since: str | None = None
) -> dict[str, Any]:
    """How the network grew: at the end of each month, its members, the organisations and countries they
    come from, and their contacts (each contact once, whichever of the two lists it; counted in a
    workstream or region when both people are in it), for the whole network, each workstream and each
    region.

    ``changes`` are the history's rows, newest first (as :func:`as_of` takes them); each month's network
    is the one :func:`as_of` gives for its last day. The months run from the first one anybody joined in
    (or ``since``, ``YYYY-MM``) to today's.

    Returns
    -------
    dict
        ``months`` (``YYYY-MM``) and ``series``: for each of :data:`GROUPINGS`, each group (the network's
        is ``""``), each of :data:`MEASURES`, the counts month by month.

    Examples
    --------
    >>> now = Snapshot(members={
    ...     "a": {"joined": "2024-01-15", "organisation": "ons", "country": "GBR", "region": "Europe",
    ...           "workstreams": ["WS1:lead"], "knows": ["b"]},
    ...     "b": {"joined": "2024-03-02", "organisation": "ons", "country": "GBR", "region": "Europe"}})
    >>> history = [{"at": "2024-03-02T09:00:00+00:00", "subject": "member:a",
    ...             "before": {"knows": []}, "after": {"knows": ["b"]}}]
    >>> g = growth(now, history, date(2024, 4, 10))
    >>> g["months"], g["series"]["network"][""]
    (['2024-01', '2024-02', '2024-03', '2024-04'], {'members': [1, 1, 2, 2], 'organisations': [1, 1, 1, 1], 'countries': [1, 1, 1, 1], 'contacts': [0, 0, 1, 1]})
    >>> g["series"]["workstream"]["WS1"]["members"], g["series"]["region"]["Europe"]["contacts"]
    ([1, 1, 1, 1], [0, 0, 1, 1])
    """
    by_member: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for c in changes:
        kind, id = _subject(c["subject"])
        if kind == "members":
            by_member[id].append(c)
    last = _month(today.isoformat())
    end = last + 1
    segments: dict[str, list[tuple[int | None, int, Fields]]] = {}
    for m in set(now.members) | set(by_member):
        segments[m] = _segments(now.members.get(m), by_member.get(m, []), end)
    starts = [
        _month(str(f["joined"]))
        for segs in segments.values()
        for _, _, f in segs
        if not _empty(f.get("joined"))
    ] + [s for segs in segments.values() for s, _, _ in segs if s is not None]
    first = _month(since) if since else min(starts, default=last)
    first = min(first, last)

    # Each state's months: from its start (or the member's joining, if later) to its end; with the groups
    # it counts in (worked out once per state) and the contacts it lists.
    spans: dict[str, list[tuple[int, int, frozenset[tuple[str, str]], Fields]]] = {}
    for m, segs in segments.items():
        kept = []
        for s, e, f in segs:
            joined = f.get("joined")
            start = max(s if s is not None else first, _month(str(joined)) if not _empty(joined) else first)
            if start < e:
                kept.append((start, e, frozenset(_groups(f)), f))
        if kept:
            spans[m] = sorted(kept, key=lambda x: x[0])

    n = last - first + 1
    counts = _Spans(first, n)
    for ss in spans.values():
        for s, e, groups, f in ss:
            org, country = f.get("organisation"), f.get("country")
            for g in groups:
                counts.add("members", g, s, e)
                if org:
                    counts.add("organisations", g, s, e, org)
                if country:
                    counts.add("countries", g, s, e, country)
    # A contact holds while both are members and either lists the other; in a group, while both are in it.
    # Each pair once: walk the two people's states side by side (each person's states do not overlap).
    pairs = {
        (m, other) if m < other else (other, m)
        for m, ss in spans.items()
        for _, _, _, f in ss
        for other in f.get("knows") or []
        if other != m and other in spans
    }
    for a, b in pairs:
        sa, sb = spans[a], spans[b]
        i = j = 0
        while i < len(sa) and j < len(sb):
            s1, e1, g1, f1 = sa[i]
            s2, e2, g2, f2 = sb[j]
            lo, hi = max(s1, s2), min(e1, e2)
            if lo < hi and (b in (f1.get("knows") or ()) or a in (f2.get("knows") or ())):
                for g in g1 & g2:
                    counts.add("contacts", g, lo, hi)
            if e1 <= e2:
                i += 1
            else:
                j += 1
    counted = counts.totals()
    months = [_month_name(k) for k in range(first, last + 1)]
    zero = [0] * len(months)
    series: dict[str, dict[str, dict[str, list[int]]]] = {by: {} for by in GROUPINGS}
    for g in counted["members"]:
        by, name = g
        series[by][name] = {measure: counted[measure].get(g, zero) for measure in MEASURES}
    series["network"].setdefault("", {measure: zero for measure in MEASURES})
    for by in GROUPINGS:
        series[by] = dict(sorted(series[by].items()))
    names = {w: str(f.get("name") or w) for w, f in now.workstreams.items()}
    return {"months": months, "series": series, "names": {"workstream": names}, "today": today.isoformat()}


def heat_map_of(snap: Snapshot, regions: Sequence[str]) -> dict[str, Any]:
    """Members holding each topic in each region, as :func:`graphapp.queries.members.topic_region_matrix`
    gives it for the graph (most held first), for a snapshot.

    >>> snap = Snapshot(members={"a": {"region": "Europe", "topics": ["nlp:expert"]}, "b": {"topics": ["nlp:learning"]}},
    ...                 topics={"nlp": {"name": "NLP"}, "cv": {"name": "CV"}})
    >>> heat_map_of(snap, ["Africa", "Europe"])
    {'regions': ['Africa', 'Europe', ''], 'topics': [{'id': 'nlp', 'name': 'NLP', 'counts': [0, 1, 1], 'total': 2}, {'id': 'cv', 'name': 'CV', 'counts': [0, 0, 0], 'total': 0}], 'max': 1}
    """
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for f in snap.members.values():
        for entry in f.get("topics") or []:
            topic = _split(entry)[0]
            if topic in snap.topics:
                cells[topic][f.get("region") or ""] += 1
    columns = list(regions) + ([""] if any("" in c for c in cells.values()) else [])
    rows = []
    for topic, f in snap.topics.items():
        counts = [cells[topic].get(r, 0) for r in columns]
        rows.append({"id": topic, "name": f.get("name", ""), "counts": counts, "total": sum(counts)})
    rows.sort(key=lambda r: (-r["total"], str(r["name"]).lower(), r["id"]))
    return {"regions": columns, "topics": rows, "max": max((n for r in rows for n in r["counts"]), default=0)}

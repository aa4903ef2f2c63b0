"""The "been there" suggestion mode: people whose projects on a member's topics are further along the journey.

The journey is :data:`~graphapp.queries.schema.STAGES`: idea < demonstration < production < maintenance. A
member's stage on a topic is the furthest stage of their own projects on it; a topic they hold an interest
in but have no project on counts as *before the idea* (stage -1), so anyone with a project at any stage on
it is ahead. Another member is ahead on a topic by their stage minus mine, when that is 1 or more, and for
each topic they are ahead on they gain::

    gain(t) = ahead(t) * recency(t) * (1 + fit(t)) / 2

- ``ahead``: how many stages further (1 to 4).
- ``recency = 0.5 ** (years since the day they reached that stage / HALF_LIFE)``, HALF_LIFE 5 years; a
  day not known counts as :data:`UNKNOWN_RECENCY` (as if reached five years ago).
- ``fit``: how far their level of interest in the topic is above mine
  (:func:`~graphapp.analytics.suggestions.level_fit` ``"ahead"``: 1 expert where I am learning, 0.5 one level above,
  0 at or below mine, or when either of us holds no level on it). Level fit counts for at most half.

Their score is the sum of their gains; ties (to 6 places) go to the one furthest ahead on a topic, then
name, then id. The same people are left out as in the other modes (the member, people they know,
colleagues, members who said no to suggestions or lapsed: :func:`~graphapp.analytics.suggestions.allowed`).
Structure out, words in :mod:`graphapp.wording`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from graphapp.analytics.interest_index import InterestIndex
from graphapp.analytics.suggestions import (
    FIT,
    RANK,
    Suggestion,
    Suggestions,
    UnknownMember,
    allowed,
    level_fit,
)
from graphapp.queries.schema import STAGES

__all__ = [
    "HALF_LIFE",
    "MODE",
    "UNKNOWN_RECENCY",
    "AheadTopic",
    "BeenThere",
    "JourneySuggestions",
    "Journeys",
    "Reached",
    "TopicJourneys",
    "been_there",
    "recency",
]

#: The mode's id, as pages, the API and the CLI offer it.
MODE = "been-there"
#: After how many years reaching a stage counts half as much as reaching it today.
HALF_LIFE = 5.0
#: What a stage reached on a day not known counts for (as if reached HALF_LIFE years ago).
UNKNOWN_RECENCY = 0.5
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(value: Any) -> str:
    """An ISO day as kept (its first ten characters), '' when missing or not a day of the calendar."""
    text = str(value or "")[:10]
    if not _DAY.fullmatch(text):
        return ""
    try:
        date.fromisoformat(text)
    except ValueError:
        return ""
    return text


def recency(day: str, today: date) -> float:
    """How much reaching a stage on ``day`` counts, seen from ``today``: halves every HALF_LIFE years.

    Examples
    --------
    >>> recency("2026-01-01", date(2026, 1, 1)), round(recency("2021-01-01", date(2026, 1, 1)), 3)
    (1.0, 0.5)
    >>> recency("", date(2026, 1, 1)), recency("2030-01-01", date(2026, 1, 1))  # unknown; in the future
    (0.5, 1.0)
    """
    if not day:
        return UNKNOWN_RECENCY
    years = max(0, (today - date.fromisoformat(day)).days) / 365.25
    return float(0.5 ** (years / HALF_LIFE))


@dataclass(frozen=True)
class Reached:
    """How far one member took one topic: the furthest stage of their projects on it (its place in
    STAGES), the day it was reached ('' if not known), and the project that reached it."""

    stage: int
    day: str
    project: str
    title: str
    organisation: str | None


class Journeys:
    """Each member's furthest stage on each topic, from the rows of
    :func:`graphapp.queries.beenthere.read_projects` (projects, who works on them, their topics).

    A project whose stage is not one of STAGES is left out. Of a member's projects on a topic, the one
    furthest along counts; between equals, the one that got there most recently (a known day before an
    unknown one), then the greater project id.

    Examples
    --------
    >>> j = Journeys.of({"p1": {"stage": "production", "production": "2023-05-02", "members": ["ann"],
    ...                         "topics": ["rl"], "organisation": "StatCan"},
    ...                  "p2": {"stage": "idea", "members": ["ann", "bo"], "topics": ["rl", "nlp"]}})
    >>> j.by_member["ann"]["rl"].stage, j.by_member["ann"]["nlp"].stage, j.projects_of
    (2, 0, {'ann': 2, 'bo': 1})
    >>> [(m, r.project) for m, r in j.by_topic["rl"]]
    [('ann', 'p1'), ('bo', 'p2')]
    """

    def __init__(
        self,
        projects: Sequence[Mapping[str, Any]],
        workers: Sequence[Mapping[str, Any]],
        topics: Sequence[Mapping[str, Any]],
    ) -> None:
        reached: dict[str, Reached] = {}
        for p in projects:
            stage = p.get("stage") or ""
            if stage not in STAGES:
                continue
            reached[p["id"]] = Reached(
                STAGES.index(stage),
                _day(p.get(stage)),
                p["id"],
                p.get("title") or p["id"],
                p.get("organisation"),
            )
        topics_of: dict[str, list[str]] = {}
        for row in topics:
            if row["project"] in reached:
                topics_of.setdefault(row["project"], []).append(row["topic"])
        self.by_member: dict[str, dict[str, Reached]] = {}
        self.projects_of: dict[str, int] = {}
        for row in workers:
            project = reached.get(row["project"])
            if project is None:
                continue
            member = row["member"]
            self.projects_of[member] = self.projects_of.get(member, 0) + 1
            furthest = self.by_member.setdefault(member, {})
            for t in topics_of.get(row["project"], ()):
                best = furthest.get(t)
                if best is None or _key(project) > _key(best):
                    furthest[t] = project
        self._numbered: tuple[InterestIndex, dict[str, TopicJourneys]] | None = None
        #: topic -> (member id, how far they took it), by member id.
        self.by_topic: dict[str, list[tuple[str, Reached]]] = {}
        for member in sorted(self.by_member):
            for t, r in self.by_member[member].items():
                self.by_topic.setdefault(t, []).append((member, r))

    def numbered(self, index: InterestIndex) -> dict[str, TopicJourneys]:
        """Per topic, the journeys with the members as numbers of ``index`` (made once per index: both
        are kept per graph revision; a member the index lacks is left out)."""
        kept = self._numbered
        if kept is not None and kept[0] is index:
            return kept[1]
        numbered = {}
        for t, entries in self.by_topic.items():
            known = [(index.member[m], r) for m, r in entries if m in index.member]
            numbered[t] = TopicJourneys(
                np.array([i for i, _ in known], np.int64),
                np.array([r.stage for _, r in known], np.int64),
                np.array([date.fromisoformat(r.day).toordinal() if r.day else 0 for _, r in known], np.int64),
                [r for _, r in known],
            )
        self._numbered = (index, numbered)
        return numbered

    @classmethod
    def of(cls, projects: Mapping[str, Mapping[str, Any]]) -> Journeys:
        """The journeys of projects given as mappings: project id -> ``stage``, each stage's day,
        ``title``, ``organisation``, ``members`` and ``topics`` (lists of ids). For examples and tests."""
        rows = [
            {"id": p, **{k: v for k, v in fields.items() if k not in ("members", "topics")}}
            for p, fields in projects.items()
        ]
        workers = [
            {"member": m, "project": p} for p, fields in projects.items() for m in fields.get("members", ())
        ]
        topics = [
            {"project": p, "topic": t} for p, fields in projects.items() for t in fields.get("topics", ())
        ]
        return cls(rows, workers, topics)


@dataclass
class TopicJourneys:
    """One topic's journeys as arrays: the members (numbers of an interest index), the stage each took it
    to, that stage's day as an ordinal (0: not known), and each one's :class:`Reached`."""

    members: np.ndarray
    stages: np.ndarray
    days: np.ndarray
    reached: list[Reached]


def _key(r: Reached) -> tuple[int, str, str]:
    return (r.stage, r.day, r.project)


@dataclass
class AheadTopic:
    """One topic another member is ahead on: how far they took it (``stage``, its ``day``, the project
    and its organisation), where the member is (``my_stage``: None before the idea, i.e. no project of
    theirs on it), by how many stages, both levels of interest (None: no interest held) and its gain."""

    topic: str
    name: str
    stage: str
    day: str
    project: str
    title: str
    organisation: str | None
    my_stage: str | None
    ahead: int
    mine: str | None
    theirs: str | None
    gain: float


@dataclass
class BeenThere(Suggestion):
    """A suggestion of the been-there mode (kind ``been-there``): ``ahead`` holds the topics they are
    ahead on, the best first; ``shared_topics`` is left empty."""

    ahead: list[AheadTopic] = field(default_factory=list)


@dataclass
class JourneySuggestions(Suggestions):
    """The been-there suggestions, with how many projects the member works on (what would help when the
    list is empty). ``empty_because``: "no-topics" (no interest and no project), "nobody-ahead",
    "nobody-passes" (those ahead are all left out by the options)."""

    projects: int = 0


def _gain(ahead: int, day: str, mine: str | None, theirs: str | None, today: date) -> float:
    fit = level_fit(mine, theirs, "ahead") if mine and theirs else 0.0
    return ahead * recency(day, today) * (1 + fit) / 2


def been_there(
    index: InterestIndex,
    journeys: Journeys,
    member: str,
    known: Iterable[str] = (),
    *,
    today: date,
    limit: int = 10,
    exclude_known: bool = True,
    exclude_own_organisation: bool = True,
    topic: str | None = None,
    workstream: str | None = None,
    region: str | None = None,
) -> JourneySuggestions:
    """The people whose projects on ``member``'s topics are one or more stages ahead of theirs, ranked.

    Parameters
    ----------
    index : InterestIndex
        Levels, names, organisations, consent, regions and workstreams of every member.
    journeys : Journeys
    member : str
        The member's id.
    known : iterable of str
        The ids of the people they know.
    today : date
        From when recency is counted.
    limit, exclude_known, exclude_own_organisation, workstream, region
        As the other modes (:func:`graphapp.analytics.suggestions.allowed`).
    topic : str, optional
        Only the journeys on this topic (a topic id).

    Returns
    -------
    JourneySuggestions
        Each suggestion a :class:`BeenThere`; when there are none, ``empty_because`` says why.

    Raises
    ------
    UnknownMember
        If the index has no such member.

    Examples
    --------
    >>> ix = InterestIndex.of({"me": {"rl": "learning"}, "ann": {"rl": "expert"}, "bo": {"rl": "expert"}})
    >>> j = Journeys.of({"p1": {"stage": "production", "production": "2026-01-01", "members": ["ann"],
    ...                         "topics": ["rl"]},
    ...                  "p2": {"stage": "demonstration", "demonstration": "2026-01-01",
    ...                         "members": ["bo", "me"], "topics": ["rl"]}})
    >>> found = been_there(ix, j, "me", today=date(2026, 1, 1))
    >>> [(s.name, s.score, [(a.stage, a.my_stage, a.ahead) for a in s.ahead]) for s in found.suggestions]
    [('ann', 1.0, [('production', 'demonstration', 1)])]
    """
    if member not in index.member:
        raise UnknownMember(member)
    me = index.member[member]
    result = JourneySuggestions(
        member=member, name=index.member_names[me], mode=MODE, projects=journeys.projects_of.get(member, 0)
    )
    my_levels = index.topics_of(me)
    my_journeys = journeys.by_member.get(member, {})
    mine = sorted(set(my_levels) | set(my_journeys))
    if not mine:
        result.empty_because = "no-topics"
        return result
    if topic:
        mine = [t for t in mine if t == topic]
    # Everyone ahead on each of my topics, as arrays: one weighted count, as the other modes score.
    numbered = journeys.numbered(index)
    who, gains, aheads, on = [], [], [], []
    for t in mine:
        found = numbered.get(t)
        my_stage = my_journeys[t].stage if t in my_journeys else -1
        if found is None:
            continue
        keep = (found.stages > my_stage) & (found.members != me)
        if not keep.any():
            continue
        members, ahead = found.members[keep], found.stages[keep] - my_stage
        gain = ahead * _recency(found.days[keep], today) * (1 + _fit(index, t, my_levels.get(t), members)) / 2
        who.append(members)
        gains.append(gain)
        aheads.append(ahead)
        on.append((t, my_stage, found, np.flatnonzero(keep)))
    if not who:
        result.empty_because = "nobody-ahead"
        return result
    everyone, ahead = np.concatenate(who), np.concatenate(aheads)
    score = np.bincount(everyone, weights=np.concatenate(gains), minlength=index.size)
    furthest = np.zeros(index.size, np.int64)
    np.maximum.at(furthest, everyone, ahead)
    result.candidates_scored = int(np.count_nonzero(furthest))
    ok = allowed(
        index,
        me,
        known,
        exclude_known=exclude_known,
        exclude_own_organisation=exclude_own_organisation,
        workstream=workstream,
        region=region,
    )
    candidates = np.flatnonzero(ok & (furthest > 0))
    if not len(candidates):
        result.empty_because = "nobody-passes"
        return result
    shown = np.round(score[candidates], 6)
    order = np.lexsort((index.name_rank[candidates], -furthest[candidates], -shown))[:limit]
    result.suggestions = [
        _describe(index, me, int(i), on, my_levels, float(score[i]), today)
        for i in candidates[order].tolist()
    ]
    return result


def _recency(days: np.ndarray, today: date) -> np.ndarray:
    """:func:`recency` of days given as ordinals (0: not known)."""
    years = np.maximum(today.toordinal() - days, 0) / 365.25
    recent: np.ndarray = np.where(days > 0, 0.5 ** (years / HALF_LIFE), UNKNOWN_RECENCY)
    return recent


def _fit(index: InterestIndex, t: str, mine: str | None, members: np.ndarray) -> np.ndarray:
    """The "ahead" level fit (d / 2 above mine) of each member's level on topic ``t`` against mine (0 without one)."""
    fit = np.zeros(len(members))
    if mine is None or t not in index.topic:
        return fit
    holders, levels = index.by_topic.row(index.topic[t])
    if not len(holders):
        return fit
    sorter = np.argsort(holders, kind="stable")
    at = np.minimum(np.searchsorted(holders, members, sorter=sorter), len(holders) - 1)
    place = sorter[at]
    held = holders[place] == members
    fit[held] = FIT["ahead"][RANK[mine]][levels[place[held]]]
    return fit


def _describe(
    index: InterestIndex,
    me: int,
    other: int,
    on: list[tuple[str, int, TopicJourneys, np.ndarray]],
    my_levels: Mapping[str, str],
    score: float,
    today: date,
) -> BeenThere:
    """What a been-there suggestion of ``other`` shows (``on``: per topic of mine, my stage, its journeys
    and which of them are ahead)."""
    theirs = index.topics_of(other)
    ahead = []
    for t, my_stage, found, keep in on:
        for k in keep[found.members[keep] == other].tolist():
            reached = found.reached[k]
            gain = _gain(reached.stage - my_stage, reached.day, my_levels.get(t), theirs.get(t), today)
            ahead.append(
                AheadTopic(
                    topic=t,
                    name=index.topic_names[index.topic[t]] if t in index.topic else t,
                    stage=STAGES[reached.stage],
                    day=reached.day,
                    project=reached.project,
                    title=reached.title,
                    organisation=reached.organisation,
                    my_stage=STAGES[my_stage] if my_stage >= 0 else None,
                    ahead=reached.stage - my_stage,
                    mine=my_levels.get(t),
                    theirs=theirs.get(t),
                    gain=round(gain, 6),
                )
            )
    # The best first: the greatest gain, then furthest ahead, then the topic's name.
    ahead.sort(key=lambda a: (-a.gain, -a.ahead, a.name, a.topic))
    me_, them = index.details(me), index.details(other)
    return BeenThere(
        id=them["id"],
        name=them["name"],
        organisation=them["organisation"],
        country=them["country"],
        region=them["region"],
        score=round(score, 6),
        kind=MODE,
        shared_topics=[],
        shared_workstreams=sorted(set(me_["workstreams"]) & set(them["workstreams"])),
        same_region=bool(me_["region"]) and them["region"] == me_["region"],
        ahead=ahead,
    )

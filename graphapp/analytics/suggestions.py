"""Peer suggestions: who should a member talk to, scored over the interest index.

The score of another member ``o`` for member ``m`` is a sum over shared topics, weighted by rarity::

    score(m, o) = sum over shared topics t of  w(t) * f(level_m(t), level_o(t))

- ``w(t) = ln(N / holders(t))``, an inverse document frequency: N members, ``holders(t)`` of them hold t.
  A rare shared topic counts for much more than a popular one; a topic everyone holds counts for nothing.
- ``f`` is how well the two levels fit the mode (:func:`level_fit`).
- No normalisation by how many topics each holds (until issue 18 the sum was divided by
  ``sqrt(|T(m)| * |T(o)|)``): on six real data sets the busy members it lowered were the better peers
  (docs/suggestions.md, "Quality on real data"). :class:`Scoring` holds these choices; :data:`SCORING`.

In the modes ``all`` and ``peers`` everyone also gets a small share (0.1) of their score **two steps
away** (:func:`two_steps`: how much they share with the people who share ``m``'s topics), which lifts
people close to ``m``'s peers and lets someone who shares no topic with ``m`` be suggested: their kind is
``two-steps`` and they carry the people in between (:func:`describe_two_steps`). :func:`blend` sums the
second step only for those who could make the list.

Ties (scores equal to 6 places) are broken by the number of shared topics, then name, then id. The kind
of a match is the mode under which it scores highest (ties go to ``peer``).

:func:`suggest` is the steps in order: :func:`score_everyone` (one weighted count over the holders of my
topics), :func:`allowed` (the options as masks over all members), :func:`blend`, :func:`rank`,
:func:`describe`. It
returns structure; the words (reasons, why a list is empty) are made where they are shown
(:mod:`graphapp.wording`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from graphapp.analytics.interest_index import InterestIndex
from graphapp.queries.schema import LEVELS

__all__ = [
    "MODES",
    "RANK",
    "SCORED_MODES",
    "SCORING",
    "Scores",
    "Person",
    "Scoring",
    "TWO_STEPS",
    "TWO_STEP_MODES",
    "SharedTopic",
    "Suggestion",
    "Suggestions",
    "UnknownMember",
    "allowed",
    "blend",
    "describe",
    "level_fit",
    "rank",
    "score_everyone",
    "scoring_in",
    "suggest",
    "topic_weights",
    "two_steps",
]

Mode = Literal["peers", "mentors", "mentees", "all", "been-there"]
#: The modes this scorer ranks by shared topics and levels.
SCORED_MODES: tuple[Mode, ...] = ("all", "peers", "mentors", "mentees")
#: Every mode offered (pages, API, CLI): been-there ranks by projects' stages (graphapp.analytics.journey_match).
MODES: tuple[Mode, ...] = (*SCORED_MODES, "been-there")
#: Each level's rank: learning 0, practising 1, expert 2.
RANK = {level: i for i, level in enumerate(LEVELS)}
KIND_OF_MODE = {"peers": "peer", "mentors": "mentor", "mentees": "mentee"}


class UnknownMember(LookupError):
    def __init__(self, member: str) -> None:
        super().__init__(f"no member with the id or email {member!r}")
        self.member = member


@functools.cache  # (pure, over 3 x 3 x 5 arguments: a suggestion's description asks it hundreds of times)
def level_fit(mine: str, theirs: str, mode: str) -> float:
    """How well two levels on one topic fit a mode of suggestion.

    Parameters
    ----------
    mine, theirs : str
        My level and theirs: learning, practising or expert.
    mode : str
        One of :data:`SCORED_MODES`.

    Returns
    -------
    float
        With ``d`` their rank minus mine: ``peers`` 1 for the same level, 0.5 one apart, 0 two apart;
        ``mentors`` only where I am learning: 1 for an expert, 0.5 for someone practising; ``mentees`` the
        mirror image (only where I am expert: 1 for a learner, 0.5 for someone practising); ``all`` the
        best of the three; ``ahead`` (the been-there mode's fit) d / 2 when d > 0, whatever my level.

    Examples
    --------
    >>> level_fit("learning", "expert", "mentors"), level_fit("learning", "expert", "peers")
    (1.0, 0.0)
    >>> level_fit("practising", "expert", "mentors"), level_fit("practising", "expert", "ahead")
    (0.0, 0.5)
    >>> level_fit("practising", "expert", "all"), level_fit("expert", "expert", "all")
    (0.5, 1.0)
    """
    d = RANK[theirs] - RANK[mine]
    if mode == "peers":
        return 1.0 - 0.5 * abs(d) if abs(d) <= 1 else 0.0
    if mode == "ahead":
        return d / 2 if d > 0 else 0.0
    if mode == "mentors":
        # A mentor is ahead of me on a topic I am learning: someone expert where I practise is a peer.
        return d / 2 if d > 0 and mine == LEVELS[0] else 0.0
    if mode == "mentees":
        return -d / 2 if d < 0 and mine == LEVELS[-1] else 0.0
    return max(level_fit(mine, theirs, m) for m in ("peers", "mentors", "mentees"))


#: FIT[mode][my level][their level]: the level_fit table as arrays indexed by level code.
FIT: dict[str, np.ndarray] = {
    mode: np.array([[level_fit(a, b, mode) for b in RANK] for a in RANK], dtype=np.float64)
    for mode in (*SCORED_MODES, "ahead")
}


@dataclass(frozen=True)
class Scoring:
    """How the score is made. :data:`SCORING` is the one shipped; ``benchmarks/evaluate_suggestions.py``
    tries the others on real data (docs/suggestions.md, "Quality on real data").

    - ``norm``: the score is divided by ``(|T(m)| * |T(o)|) ** norm``: 0.5 is Salton's cosine, 0 none,
      0.25 a softer one that lowers busy members less.
    - ``rarity``: the weight of a shared topic held by ``h`` of the ``N`` members: ``idf`` ln(N / h),
      ``adamic_adar`` 1 / ln(h), ``resource`` 1 / h, ``none`` 1.
    - ``level_fit``: whether the levels' fit counts (False: every shared topic fits as if the levels were
      equal; the modes other than ``all`` and ``peers`` still keep only the topics whose levels fit).
    - ``two_steps``: the share of score for people two steps away (who share topics with the people who
      share mine; :func:`two_steps`): everyone scores ``first + two_steps * second`` in the modes ``all``
      and ``peers`` (:func:`blend`); 0 never suggests anyone who shares no topic.
    """

    norm: float = 0.5
    rarity: str = "idf"
    level_fit: bool = True
    two_steps: float = 0.0


#: The score as shipped (chosen across data sets: docs/suggestions.md).
SCORING = Scoring(norm=0.0, two_steps=0.1)
#: The modes in which people two steps away can be suggested (they share no topic, so no level can fit a
#: mentor's or a mentee's relation).
TWO_STEP_MODES = ("all", "peers")
#: The kind of a suggestion of someone who shares no topic with the member but shares topics with people
#: who share the member's.
TWO_STEPS = "two-steps"


def topic_weights(index: InterestIndex, rarity: str = "idf") -> np.ndarray:
    """Every topic's rarity weight (see :class:`Scoring`), 0 for a topic nobody holds.

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "expert"}, "b": {"nlp": "learning", "cv": "expert"}})
    >>> topic_weights(ix).round(3).tolist(), topic_weights(ix, "resource").tolist()
    ([0.693, 0.0], [1.0, 0.5])
    """
    h = index.holders.astype(np.float64)
    held = h > 0
    w = np.zeros(len(h))
    if rarity == "idf":
        w[held] = np.log(index.size / h[held])
    elif rarity == "adamic_adar":
        two = h > 1
        w[two] = 1 / np.log(h[two])
    elif rarity == "resource":
        w[held] = 1 / h[held]
    elif rarity == "none":
        w[held] = 1.0
    else:
        raise ValueError(f"unknown rarity weight {rarity!r}")
    return w


@dataclass
class SharedTopic:
    topic: str
    name: str
    mine: str
    theirs: str
    holders: int
    relation: str  # peer, mentor (they can teach me), mentee (I can teach them)
    #: Whether this topic makes the match in the mode asked (its level fit is above 0); the topics that do
    #: come first. In the mentors and mentees modes a shared topic that does not can work the other way
    #: round (they are learning what I practise): the pages say so.
    counts: bool = True


@dataclass
class Person:
    """Someone (or a topic) named in a suggestion: an id and a name."""

    id: str
    name: str


#: How many of the people in between a two-step suggestion names.
BETWEEN_SHOWN = 3
#: How many of the topics of someone two steps away it names.
THEIR_TOPICS_SHOWN = 5


@dataclass
class Suggestion:
    id: str
    name: str
    organisation: str | None
    country: str | None
    region: str | None
    score: float
    kind: str
    shared_topics: list[SharedTopic]
    shared_workstreams: list[str]
    same_region: bool
    #: For someone two steps away (kind ``two-steps``, no shared topic): the people in between, who share
    #: topics with the member and with them (the closest to the member first, at most :data:`BETWEEN_SHOWN`),
    #: how many there are in all, and the topics of theirs that those people hold (rarest first).
    between: list[Person] = field(default_factory=list)
    between_count: int = 0
    their_topics: list[Person] = field(default_factory=list)


@dataclass
class Suggestions:
    member: str
    name: str
    mode: str
    suggestions: list[Suggestion] = field(default_factory=list)
    #: Why the list is empty, when it is: "no-topics", "no-fit" (no level fits the mode), "nobody-passes".
    empty_because: str | None = None
    candidates_scored: int = 0
    #: In the mixed mode, for each of mentor and mentee that the list holds none of: how many people the
    #: mode of that kind would list under the same options (0: nobody is ahead of the member on a topic
    #: they are learning, or behind on one they are expert in). The pages say why the list is all peers.
    elsewhere: dict[str, int] = field(default_factory=dict)


@dataclass
class Scores:
    """Everyone's score for one member in one mode, as arrays over all members."""

    score: np.ndarray  # 0 for anyone who shares no topic that counts
    shared: np.ndarray  # how many topics each shares with the member (whatever their weight)
    scored: int  # how many members were scored above 0
    #: The member's topics that count (numbers), and for each what a holder at each level scores by it
    #: (its weight times the level's fit, before any normalisation): ``score`` is their sum over the
    #: topics held, when the score is not normalised. None for scores made otherwise.
    topics: np.ndarray | None = None
    gains: np.ndarray | None = None


def score_everyone(index: InterestIndex, me: int, mode: str, scoring: Scoring = SCORING) -> Scores | None:
    """Member ``me``'s score for every member in ``mode``: one weighted count over the holders of my
    topics (``numpy.bincount``).

    Parameters
    ----------
    index : InterestIndex
    me : int
        The member's number in the index.
    mode : str
        One of :data:`SCORED_MODES`.
    scoring : Scoring
        How the score is made (:data:`SCORING`, the one shipped, by default).

    Returns
    -------
    Scores or None
        Everyone's score (``me`` included) and number of topics shared with ``me``; None when no topic of
        mine can count (each is held by everyone, or no level of mine fits the mode).

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "expert"}, "b": {"nlp": "practising"}, "c": {"cv": "expert"}})
    >>> s = score_everyone(ix, ix.member["a"], "peers")
    >>> s.score.round(6).tolist(), s.shared.tolist()  # b: ln(3 / 2) * 0.5 / sqrt(1 * 1); a is me
    ([0.405465, 0.202733, 0.0], [1, 1, 0])
    """
    my_topics, my_levels = index.by_member.row(me)
    weights = topic_weights(index, scoring.rarity) if scoring.rarity != "idf" else None
    # My topics rarest first (then by id), so that the sums below always add up in the same order.
    order = sorted(
        range(len(my_topics)), key=lambda k: (int(index.holders[my_topics[k]]), index.topic_ids[my_topics[k]])
    )
    who, gain, everyone = [], [], []
    counting, gains = [], []
    fit = FIT[mode] if scoring.level_fit or mode not in ("all", "peers") else _NO_FIT
    for k in order:
        t, my_level = int(my_topics[k]), int(my_levels[k])
        holders, levels = index.by_topic.row(t)
        everyone.append(holders)
        w = index.weight(t) if weights is None else float(weights[t])
        if w > 0 and fit[my_level].max() > 0:
            who.append(holders)
            gain.append(w * fit[my_level].take(levels))  # (take: half the time of fit[my_level][levels])
            counting.append(t)
            gains.append(w * fit[my_level])
    if not who:
        return None
    n = index.size
    dot = np.bincount(np.concatenate(who), weights=np.concatenate(gain), minlength=n)
    holding = dot > 0
    if scoring.norm == 0:  # (the shipped score: the sum itself; dividing by x ** 0 took 1 ms at 100,000)
        score: np.ndarray = dot
    elif scoring.norm == 0.5:
        score = np.zeros(n)
        score[holding] = dot[holding] / np.sqrt(len(my_topics) * index.degree[holding])
    else:
        score = np.zeros(n)
        score[holding] = (
            dot[holding] / (len(my_topics) * index.degree[holding].astype(np.float64)) ** scoring.norm
        )
    shared = np.bincount(np.concatenate(everyone), minlength=n)
    return Scores(
        score, shared, int(np.count_nonzero(holding)), np.array(counting, np.int64), np.array(gains)
    )


#: Every level fits every level (a Scoring without level fit, in the modes all and peers).
_NO_FIT = np.ones((len(RANK), len(RANK)))


def two_steps(index: InterestIndex, me: int, first: Scores, scoring: Scoring = SCORING) -> np.ndarray:
    """Everyone's score two steps away from member ``me``: the people who share my topics (their first
    score), each passing it on to the people who share topics with them, in proportion to how alike they
    are (the same rarity weights and normalisation, levels aside)::

        second(o) = sum over p of  first(p) * sim(p, o)  /  sum over p of first(p)

    with ``p`` every member who may be suggested (their consent: only they are named as the people in
    between), ``me`` aside. Two sums over every interest: what each topic passes on
    (:func:`_passed_on`), then each member's sum over their topics.

    Examples
    --------
    >>> ix = InterestIndex.of({"me": {"a": "expert"}, "p": {"a": "expert", "b": "expert"},
    ...                        "o": {"b": "expert"}, "x": {"c": "expert"}})
    >>> first = score_everyone(ix, ix.member["me"], "all")
    >>> second = two_steps(ix, ix.member["me"], first)
    >>> bool(second[ix.member["o"]] > 0), bool(second[ix.member["x"]] == 0)
    (True, True)
    """
    passed = _passed_on(index, me, first, scoring)
    if passed is None:
        return np.zeros(index.size)
    return _row_sums(passed[index.by_member.cols], index.by_member.ptr) / _scale(index, scoring)


def _scale(index: InterestIndex, scoring: Scoring) -> np.ndarray | float:
    """What each member's score is divided by: ``degree ** norm`` (1 without normalisation)."""
    return np.maximum(index.degree, 1).astype(np.float64) ** scoring.norm if scoring.norm else 1.0


def _passed_on(index: InterestIndex, me: int, first: Scores, scoring: Scoring) -> np.ndarray | None:
    """What each topic passes on in :func:`two_steps`: its rarity weight times the first scores of its
    holders who may be suggested (``me`` aside, each divided by their scale), over the sum of those
    scores. None when nobody who may be suggested scores. One gather and one sum over runs
    (``numpy.add.reduceat`` over the index's rows of holders: three times as fast as a weighted
    ``numpy.bincount`` over the same interests)."""
    if scoring.norm == 0 and first.topics is not None and first.gains is not None:
        passed, total = _passed_on_co_held(index, me, first.topics, first.gains)
    else:
        s1 = np.where(index.suggestible, first.score, 0.0)
        s1[me] = 0.0
        total = s1.sum()
        passed = _row_sums((s1 / _scale(index, scoring))[index.by_topic.cols], index.by_topic.ptr)
    if total <= 1e-9:
        return None
    passed *= topic_weights(index, scoring.rarity) / total
    return passed


def _passed_on_co_held(
    index: InterestIndex, me: int, topics: np.ndarray, gains: np.ndarray
) -> tuple[np.ndarray, float]:
    """:func:`_passed_on`'s sums for an unnormalised score, from the index's table of topics held
    together (:attr:`InterestIndex.co_held`): for each topic t, the first scores of those who hold it and
    may be suggested, and the sum of all their first scores; ``me`` aside. A holder's first score is what
    each of my topics they hold gives at their level (``gains``: my topics' rows), so the sum over t's
    holders is, over my topics m and levels l, gain(m, l) times how many hold m at l and t. A product of
    (my topics x 3) by (my topics x 3 x topics), not a sum over every interest: 0.1 ms, against 2 ms
    at 100,000 members and 25 ms at a million.

    >>> from graphapp.analytics.interest_index import InterestIndex
    >>> ix = InterestIndex.of({"me": {"a": "expert"}, "p": {"a": "expert", "b": "learning"},
    ...                        "q": {"a": "learning"}, "o": {"b": "expert"}})
    >>> first = score_everyone(ix, ix.member["me"], "all")
    >>> s1 = np.where(np.arange(4) == ix.member["me"], 0, first.score)
    >>> passed, total = _passed_on_co_held(ix, ix.member["me"], first.topics, first.gains)
    >>> bool(np.isclose(total, s1.sum())), bool(np.allclose(passed, _row_sums(s1[ix.by_topic.cols], ix.by_topic.ptr)))
    (True, True)
    """
    table = index.co_held[:, topics, :]  # (level, my topic, topic)
    passed = np.einsum("kl,lkt->t", gains, table).astype(np.float64)
    total = float(np.einsum("kl,lk->", gains, table[:, np.arange(len(topics)), topics]))
    if index.suggestible[me]:
        # I hold each of my topics at my level, and was counted among the holders: out again.
        my_topics, my_levels = index.by_member.row(me)
        level_of = dict(zip(my_topics.tolist(), my_levels.tolist(), strict=True))
        mine = float(sum(gains[k, level_of[int(t)]] for k, t in enumerate(topics.tolist())))
        passed[my_topics] -= mine
        total -= mine
    return passed, total


def blend(
    index: InterestIndex, me: int, first: Scores, ok: np.ndarray, limit: int, scoring: Scoring = SCORING
) -> Scores:
    """The scores to rank ``limit`` people by, among those ``ok``: ``first + scoring.two_steps * second``
    (:func:`two_steps`), exact for everyone who can make the list.

    The second step is summed only for the people who could make it: someone's second score is at most
    the sum of the ``degree`` largest amounts any topic passes on (over their scale), so anyone whose
    first score plus that bound is below the ``limit``-th best first score among those ``ok`` cannot reach
    the list (everyone above them there gains too). At 100,000 members that leaves some 10 to 30 people
    out of 100,000 to sum: the blend costs one pass over the interests instead of two, and :func:`rank`
    sorts those few. Those left out score 0 here (whoever is ``ok`` and not left out scores as in the
    full blend).

    Examples
    --------
    >>> ix = InterestIndex.of({"me": {"a": "expert"}, "p": {"a": "expert", "b": "expert"},
    ...                        "o": {"b": "expert"}, "x": {"c": "expert"}})
    >>> me = ix.member["me"]
    >>> first = score_everyone(ix, me, "all")
    >>> full = first.score + 0.1 * two_steps(ix, me, first)
    >>> ok = allowed(ix, me)
    >>> bool(np.allclose(blend(ix, me, first, ok, 10).score[ok], full[ok]))
    True
    """
    passed = _passed_on(index, me, first, scoring)
    if passed is None:
        return first
    share = scoring.two_steps
    # (compress: a sixth of the time of first.score[mask] over 100,000 members)
    positive = np.compress(ok & (first.score > 0), first.score)
    if len(positive) >= limit:
        # (Of the scores above 0 only: numpy's partition slows down tenfold over many equal values.)
        threshold = np.partition(positive, -limit)[-limit]
        most = np.concatenate([[0.0], np.cumsum(np.sort(passed)[::-1])])
        # (Less a little: rank() compares scores rounded to 6 places.)
        reach = threshold - 1e-6
        # First against the largest bound anyone has (a scale is at least 1), then those left each
        # against their own: the same people, for two passes over everyone instead of six.
        near = np.flatnonzero(ok & (first.score + share * most.max() >= reach))
        scale = _scale(index, scoring)
        bound = (
            share
            * most[np.minimum(index.degree[near], len(most) - 1)]
            / (scale[near] if isinstance(scale, np.ndarray) else scale)
        )
        who = near[first.score[near] + bound >= reach]
    else:
        who = np.flatnonzero(ok)
    score = np.zeros(index.size)
    if len(who) > index.size // 8:
        score[who] = (
            first.score
            + share * _row_sums(passed[index.by_member.cols], index.by_member.ptr) / _scale(index, scoring)
        )[who]
    elif len(who):
        owner, their_topics = index.by_member.entries(who)
        sums = np.bincount(owner, weights=passed[their_topics], minlength=len(who))
        scale = _scale(index, scoring)
        score[who] = first.score[who] + share * sums / (
            scale[who] if isinstance(scale, np.ndarray) else scale
        )
    return Scores(score, first.shared, int(np.count_nonzero(score > 0)))


def _row_sums(values: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """The sum of each row of a CSR layout (``values[ptr[i]:ptr[i+1]]`` for row i), 0 for an empty row.

    >>> _row_sums(np.array([1.0, 2, 3, 4]), np.array([0, 2, 2, 4, 4])).tolist()
    [3.0, 0.0, 7.0, 0.0]
    """
    sums = np.zeros(len(ptr) - 1)
    filled = ptr[1:] > ptr[:-1]
    if filled.any():
        # Only the rows that hold something start a run: an empty row's start would add its neighbour's.
        sums[filled] = np.add.reduceat(values, ptr[:-1][filled])
    return sums


def scoring_in(index: InterestIndex, me: int, mode: str, ok: np.ndarray, scoring: Scoring = SCORING) -> int:
    """How many of those ``ok`` score above 0 for ``me`` in ``mode`` (the people :func:`score_everyone`
    would score), without scoring them: the holders of each topic of mine that counts, at a level that
    fits.

    >>> ix = InterestIndex.of({"a": {"nlp": "learning"}, "b": {"nlp": "expert"}, "c": {"nlp": "learning"},
    ...                        "d": {}})
    >>> me = ix.member["a"]
    >>> scoring_in(ix, me, "mentors", allowed(ix, me)), scoring_in(ix, me, "mentees", allowed(ix, me))
    (1, 0)
    """
    weights = topic_weights(index, scoring.rarity) if scoring.rarity != "idf" else None
    fit = FIT[mode] if scoring.level_fit or mode not in ("all", "peers") else _NO_FIT
    hit = np.zeros(index.size, bool)
    for t, my_level in zip(*(a.tolist() for a in index.by_member.row(me)), strict=True):
        w = index.weight(t) if weights is None else float(weights[t])
        if w > 0 and fit[my_level].max() > 0:
            holders, levels = index.by_topic.row(t)
            hit[np.compress(fit[my_level].take(levels) > 0, holders)] = True
    hit[me] = False
    return int(np.count_nonzero(hit & ok))


def allowed(
    index: InterestIndex,
    me: int,
    known: Iterable[str] = (),
    *,
    exclude_known: bool = True,
    exclude_own_organisation: bool = True,
    topic: str | None = None,
    workstream: str | None = None,
    region: str | None = None,
) -> np.ndarray:
    """Who may be suggested to member ``me`` under these options, as a mask over all members.

    Parameters
    ----------
    index : InterestIndex
    me : int
        The member's number in the index.
    known : iterable of str
        The ids of the people ``me`` knows.
    exclude_known, exclude_own_organisation : bool
        Leave out the people ``me`` knows, and colleagues.
    topic, workstream, region : str, optional
        Keep only holders of the topic, members of the workstream, people in the region.

    Returns
    -------
    numpy.ndarray of bool
        Never ``me``, nor a member who said no to being suggested (their consent).

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {}, "b": {}, "c": {}}, organisations={"a": "ons", "b": "ons"})
    >>> allowed(ix, ix.member["a"]).tolist(), allowed(ix, ix.member["a"], ["c"]).tolist()
    ([False, False, True], [False, False, False])
    """
    n = index.size
    ok = index.suggestible.copy()
    ok[me] = False
    if exclude_known:
        ok[[index.member[k] for k in known if k in index.member]] = False
    if exclude_own_organisation and index.organisation[me] >= 0:
        ok &= index.organisation != index.organisation[me]
    if region:
        ok &= index.region == (index.regions.index(region) if region in index.regions else -2)
    if workstream:
        in_workstream = np.zeros(n, bool)
        in_workstream[index.workstream_members.get(workstream, [])] = True
        ok &= in_workstream
    if topic:
        holds_topic = np.zeros(n, bool)
        if topic in index.topic:
            holds_topic[index.holders_of(index.topic[topic])] = True
        ok &= holds_topic
    return ok


def rank(scores: Scores, ok: np.ndarray, name_rank: np.ndarray, limit: int) -> np.ndarray:
    """The best ``limit`` members among those ``ok`` with a score above 0.

    Parameters
    ----------
    scores : Scores
    ok : numpy.ndarray of bool
        Who may be suggested (:func:`allowed`).
    name_rank : numpy.ndarray of int
        Each member's place in the order of name, then id.
    limit : int

    Returns
    -------
    numpy.ndarray of int
        Member numbers, by score to 6 places (as shown), then more shared topics, then ``name_rank``.

    Examples
    --------
    >>> s = Scores(np.array([0.5, 0.25, 0.5, 0.0]), np.array([1, 2, 2, 0]), 3)
    >>> rank(s, np.array([True, True, True, True]), np.array([0, 1, 2, 3]), 2).tolist()
    [2, 0]
    """
    candidates = np.flatnonzero(ok & (scores.score > 0))
    shown = np.round(scores.score[candidates], 6)
    # Only those that can make the list are sorted: everyone at or above the limit-th best score.
    if len(candidates) > limit:
        cutoff = np.partition(shown, -limit)[-limit]
        keep = shown >= cutoff
        candidates, shown = candidates[keep], shown[keep]
    order = np.lexsort((name_rank[candidates], -scores.shared[candidates], -shown))
    return candidates[order][:limit]


def _kind(
    index: InterestIndex,
    me: int,
    other: int,
    mode: str,
    topics: tuple[dict[str, str], dict[str, str]] | None = None,
) -> str:
    """The mode under which ``other`` scores highest for ``me`` (ties go to peer); in a single mode, its kind.
    ``topics``: both members' topics (:meth:`InterestIndex.topics_of`), when already at hand."""
    if mode != "all":
        return KIND_OF_MODE[mode]
    mine, theirs = topics or (index.topics_of(me), index.topics_of(other))
    by_kind = {}
    for m, kind in KIND_OF_MODE.items():
        dot = sum(
            index.weight(index.topic[t]) * level_fit(mine[t], theirs[t], m) for t in mine if t in theirs
        )
        by_kind[kind] = dot / math.sqrt(len(mine) * len(theirs)) if dot else 0.0
    best = max(by_kind.values())
    return "peer" if by_kind["peer"] == best else max(by_kind, key=lambda k: by_kind[k])


def describe(
    index: InterestIndex,
    me: int,
    other: int,
    score: float,
    mode: str,
    me_details: dict[str, Any] | None = None,
) -> Suggestion:
    """What a suggestion of ``other`` to ``me`` shows.

    Parameters
    ----------
    index : InterestIndex
    me, other : int
        Member numbers in the index.
    score : float
        ``other``'s score for ``me``.
    mode : str
        One of :data:`SCORED_MODES`.
    me_details : dict, optional
        ``index.details(me)``, when already made (a list describes every suggestion for the same member).

    Returns
    -------
    Suggestion
        Who they are, the score (to 6 places), the kind of match (the mode it scores highest in, ties to
        peer), the topics both hold with both levels, how many hold each, the relation (``mentor``: two
        levels above me, ``mentee``: two below, else ``peer``) and whether the topic makes the match in
        this mode (``counts``): those that do first, best fit then rarest, then the others rarest first;
        the workstreams both are in, and whether they are in the same region.

    Examples
    --------
    >>> ix = InterestIndex.of({"a": {"nlp": "learning"}, "b": {"nlp": "expert"}, "c": {}})
    >>> s = describe(ix, ix.member["a"], ix.member["b"], 0.405465, "mentors")
    >>> s.kind, [(t.topic, t.mine, t.theirs, t.holders, t.relation) for t in s.shared_topics]
    ('mentor', [('nlp', 'learning', 'expert', 2, 'mentor')])
    """
    me_ = me_details or index.details(me)
    them = index.details(other)
    mine, theirs = index.topics_of(me), index.topics_of(other)
    both = [t for t in mine if t in theirs]
    shared = []
    fit_mode = mode if mode in SCORED_MODES else "all"

    def makes_the_match(t: str) -> bool:
        return index.weight(index.topic[t]) > 0 and level_fit(mine[t], theirs[t], fit_mode) > 0

    # The topics that make the match first (best fit, then rarest), then the others, rarest first.
    for t in sorted(
        both,
        key=lambda t: (
            not makes_the_match(t),
            -level_fit(mine[t], theirs[t], fit_mode),
            int(index.holders[index.topic[t]]),
            t,
        ),
    ):
        diff = RANK[theirs[t]] - RANK[mine[t]]
        relation = "mentor" if diff == 2 else "mentee" if diff == -2 else "peer"
        held = int(index.holders[index.topic[t]])
        shared.append(
            SharedTopic(
                t, index.topic_names[index.topic[t]], mine[t], theirs[t], held, relation, makes_the_match(t)
            )
        )
    return _suggestion(me_, them, score, _kind(index, me, other, mode, (mine, theirs)), shared_topics=shared)


def _suggestion(
    me_: dict[str, Any], them: dict[str, Any], score: float, kind: str, **more: Any
) -> Suggestion:
    """A suggestion of ``them`` to ``me_`` (both as :meth:`InterestIndex.details` gives them): who they are,
    the score to 6 places, the kind, the workstreams both are in and whether they share a region."""
    return Suggestion(
        id=them["id"],
        name=them["name"],
        organisation=them["organisation"],
        country=them["country"],
        region=them["region"],
        score=float(np.round(score, 6)),
        kind=kind,
        shared_workstreams=sorted(set(me_["workstreams"]) & set(them["workstreams"])),
        same_region=bool(me_["region"]) and them["region"] == me_["region"],
        **more,
    )


def describe_two_steps(
    index: InterestIndex,
    me: int,
    other: int,
    score: float,
    first: Scores,
    me_details: dict[str, Any] | None = None,
) -> Suggestion:
    """What a suggestion of ``other``, two steps away from ``me``, shows: no shared topic, the people in
    between (who may be suggested, ``me`` and ``other`` aside, sharing topics with both: the closest to
    ``me`` first, then by name), how many, and the topics of ``other`` that they hold (rarest first).

    Examples
    --------
    >>> ix = InterestIndex.of({"me": {"a": "expert"}, "p": {"a": "expert", "b": "expert"},
    ...                        "o": {"b": "expert"}, "x": {"c": "expert"}})
    >>> me, o = ix.member["me"], ix.member["o"]
    >>> s = describe_two_steps(ix, me, o, 0.1, score_everyone(ix, me, "all"))
    >>> s.kind, s.shared_topics, [p.name for p in s.between], s.between_count, [t.id for t in s.their_topics]
    ('two-steps', [], ['p'], 1, ['b'])
    """
    me_ = me_details or index.details(me)
    them = index.details(other)
    their_topics = index.by_member.row(other)[0]
    near = np.zeros(index.size, bool)
    for t in their_topics.tolist():
        near[index.holders_of(t)] = True
    near &= (first.score > 0) & index.suggestible
    near[[me, other]] = False
    people = np.flatnonzero(near)
    people = people[np.lexsort((index.name_rank[people], -np.round(first.score[people], 6)))]
    between_held = np.zeros(index.size, bool)
    between_held[people] = True
    bridging = [t for t in their_topics.tolist() if between_held[index.holders_of(t)].any()]
    bridging.sort(key=lambda t: (int(index.holders[t]), index.topic_ids[t]))
    return _suggestion(
        me_,
        them,
        score,
        TWO_STEPS,
        shared_topics=[],
        between=[Person(index.member_ids[p], index.member_names[p]) for p in people[:BETWEEN_SHOWN].tolist()],
        between_count=len(people),
        their_topics=[
            Person(index.topic_ids[t], index.topic_names[t]) for t in bridging[:THEIR_TOPICS_SHOWN]
        ],
    )


def suggest(
    index: InterestIndex,
    member: str,
    known: Iterable[str] = (),
    *,
    limit: int = 10,
    mode: str = "all",
    exclude_known: bool = True,
    exclude_own_organisation: bool = True,
    topic: str | None = None,
    workstream: str | None = None,
    region: str | None = None,
    scoring: Scoring | None = None,
) -> Suggestions:
    """Ranked suggestions for a member: find me, score everyone, keep who the options allow, rank,
    describe.

    Parameters
    ----------
    index : InterestIndex
    member : str
        The member's id.
    known : iterable of str
        The ids of the people they know.
    limit, mode, exclude_known, exclude_own_organisation, topic, workstream, region
        As :func:`graphapp.reports.suggest_peers` (see :func:`allowed`).
    scoring : Scoring, optional
        How the score is made: :data:`SCORING`, the one shipped, unless given (the evaluation's variants).

    Returns
    -------
    Suggestions
        The suggestions in order; when there are none, ``empty_because`` says why.

    Raises
    ------
    UnknownMember
        If the index has no such member.
    ValueError
        If ``mode`` is not one of :data:`MODES`.

    Examples
    --------
    >>> ix = InterestIndex.of({"me": {"nlp": "learning", "gis": "expert"}, "ann": {"nlp": "expert"},
    ...                        "bo": {"gis": "expert"}, "cy": {"cv": "expert"}})
    >>> [(s.name, s.score, s.kind) for s in suggest(ix, "me").suggestions]
    [('ann', 0.727805, 'mentor'), ('bo', 0.727805, 'peer')]
    """
    if mode not in SCORED_MODES:
        raise ValueError(f"mode must be one of {', '.join(SCORED_MODES)}, not {mode!r}")
    if member not in index.member:
        raise UnknownMember(member)
    me = index.member[member]
    result = Suggestions(member=member, name=index.member_names[me], mode=mode)
    if not index.degree[me]:
        result.empty_because = "no-topics"
        return result
    scoring = scoring or SCORING
    scores = score_everyone(index, me, mode, scoring)
    if scores is None:
        result.empty_because = "no-fit"
        return result
    first = scores
    result.candidates_scored = scores.scored
    ok = allowed(
        index,
        me,
        known,
        exclude_known=exclude_known,
        exclude_own_organisation=exclude_own_organisation,
        topic=topic,
        workstream=workstream,
        region=region,
    )
    if mode in TWO_STEP_MODES and scoring.two_steps > 0:
        # Someone who shares a topic that does not count (levels that do not fit the mode, a topic everyone
        # holds) is not lifted into the list by the second step: they share a topic, so they are not two
        # steps away, and no shared topic makes their match.
        ok = ok & ((first.score > 0) | (first.shared == 0))
        scores = blend(index, me, first, ok, limit, scoring)
    ranked = rank(scores, ok, index.name_rank, limit)
    shown = scores.score
    if not len(ranked):
        result.empty_because = "nobody-passes"
        return result
    me_details = index.details(me)
    result.suggestions = [
        describe(index, me, i, float(shown[i]), mode, me_details)
        if scores.shared[i]
        else describe_two_steps(index, me, i, float(shown[i]), first, me_details)
        for i in ranked.tolist()
    ]
    if mode == "all":
        for kind in ("mentor", "mentee"):
            if not any(s.kind == kind for s in result.suggestions):
                result.elsewhere[kind] = scoring_in(index, me, f"{kind}s", ok, scoring)
    return result

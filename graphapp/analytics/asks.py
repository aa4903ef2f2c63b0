"""Who is best placed to help with an ask: members ranked by their expertise in the ask's topics.

Each member holding any of the ask's topics gets, per level, the sum of the rarity weights of the ask's
topics they hold at that level, the same weight suggestions give a topic (:meth:`InterestIndex.weight`,
``ln(N / holders)``: a rare topic counts for much more than a popular one)::

    at(o, level) = sum over the ask's topics t that o holds at that level of  w(t)

and members are ranked by expertise first: by ``at(o, expert)``, then ``at(o, practising)``, then
``at(o, learning)`` (each to 6 places), then by how many of the ask's topics they hold at each level, in
the same order (a topic everyone holds weighs nothing, yet an expert in it can still help), then name,
then id. The rules of suggestions hold: never the asker, never a member who said no to being suggested
(their consent), and never one in ``unavailable`` (who turned introductions off).

:func:`rank_helpers` returns structure (each helper's topics with their level and how many hold them);
the words are :func:`graphapp.wording.helper_reasons`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from graphapp.analytics.interest_index import InterestIndex
from graphapp.queries.schema import LEVELS

__all__ = ["Helper", "HelperTopic", "Helpers", "rank_helpers"]


@dataclass
class HelperTopic:
    topic: str
    name: str
    level: str  # the helper's level on it
    holders: int  # how many members hold it


@dataclass
class Helper:
    id: str
    name: str
    organisation: str | None
    country: str | None
    region: str | None
    #: Per level, the rarity weights of the ask's topics held at that level (to 6 places).
    weight: dict[str, float]
    #: The ask's topics they hold: highest level first, then rarest, then id.
    topics: list[HelperTopic]


@dataclass
class Helpers:
    topics: list[str]
    helpers: list[Helper] = field(default_factory=list)
    #: Why the list is empty, when it is: "no-topics" (none of the ask's topics is known), "nobody-holds"
    #: (nobody else holds them), "nobody-passes" (those who do said no to being suggested or introduced).
    empty_because: str | None = None


def rank_helpers(
    index: InterestIndex,
    asker: str,
    topics: Iterable[str],
    *,
    limit: int = 10,
    unavailable: Iterable[str] = (),
) -> Helpers:
    """The members best placed to help with an ask on ``topics``, expertise first.

    Parameters
    ----------
    index : InterestIndex
    asker : str
        The asker's id (never listed).
    topics : iterable of str
        The ask's topic ids (ids the index does not know are left out).
    limit : int
        How many to list.
    unavailable : iterable of str
        Ids of members who may not be listed (they turned introductions off).

    Returns
    -------
    Helpers
        The helpers in order, each with the weight of the ask's topics they hold at each level and those
        topics; when there are none, ``empty_because`` says why.

    Examples
    --------
    >>> ix = InterestIndex.of({"me": {"nlp": "learning"}, "ann": {"nlp": "practising", "gis": "expert"},
    ...                        "bo": {"nlp": "expert"}, "cy": {"cv": "expert"}})
    >>> found = rank_helpers(ix, "me", ["nlp", "gis"])
    >>> [(h.name, h.weight["expert"], [(t.topic, t.level) for t in h.topics]) for h in found.helpers]
    [('ann', 1.386294, [('gis', 'expert'), ('nlp', 'practising')]), ('bo', 0.287682, [('nlp', 'expert')])]
    """
    wanted = sorted({t for t in topics if t in index.topic}, key=lambda t: index.topic[t])
    result = Helpers(topics=wanted)
    if not wanted:
        result.empty_because = "no-topics"
        return result
    n, levels = index.size, len(LEVELS)
    weight = np.zeros((levels, n))
    count = np.zeros((levels, n), np.int64)
    for t in wanted:
        number = index.topic[t]
        holders, at = index.by_topic.row(number)
        np.add.at(weight, (at.astype(np.int64), holders), index.weight(number))
        np.add.at(count, (at.astype(np.int64), holders), 1)
    holding = count.sum(axis=0) > 0
    ok = holding & index.suggestible
    for mid in (asker, *unavailable):
        if mid in index.member:
            holding[index.member[mid]] = ok[index.member[mid]] = False
    if not holding.any():
        result.empty_because = "nobody-holds"
        return result
    candidates = np.flatnonzero(ok)
    if not len(candidates):
        result.empty_because = "nobody-passes"
        return result
    shown = np.round(weight[:, candidates], 6)
    # np.lexsort sorts by its last key first: expert weight, practising, learning, then the counts, then name.
    keys = [index.name_rank[candidates]]
    keys += [-count[level, candidates] for level in range(levels)]
    keys += [-shown[level] for level in range(levels)]
    ranked = candidates[np.lexsort(keys)][:limit]
    for i in ranked.tolist():
        held = index.topics_of(i)
        mine = sorted(
            (t for t in wanted if t in held),
            key=lambda t: (-LEVELS.index(held[t]), int(index.holders[index.topic[t]]), t),
        )
        details = index.details(i)
        result.helpers.append(
            Helper(
                id=details["id"],
                name=details["name"],
                organisation=details["organisation"],
                country=details["country"],
                region=details["region"],
                weight={level: float(np.round(weight[k, i], 6)) for k, level in enumerate(LEVELS)},
                topics=[
                    HelperTopic(
                        t, index.topic_names[index.topic[t]], held[t], int(index.holders[index.topic[t]])
                    )
                    for t in mine
                ],
            )
        )
    return result

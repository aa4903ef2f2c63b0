"""The evaluation's row for the score as shipped (issue 18): it ranks people exactly as the list a member
sees, because it is made by the function that serves suggestions, not by a copy of its rules."""

from __future__ import annotations

import numpy as np

from benchmarks.evaluate_suggestions import SHIPPED, VARIANTS, graphapp_scores, shipped_scores
from graphapp.analytics.interest_index import InterestIndex
from graphapp.analytics.suggestions import SCORING, TWO_STEPS, suggest
from graphapp.queries.schema import LEVELS


def _network() -> InterestIndex:
    """40 people over 12 topics at random (seed 0), and one, "rare", whose only topic two others hold: the
    list of someone with one rare topic is short, so people two steps away fill it."""
    rng = np.random.default_rng(0)
    interests = {
        f"p{i:02d}": {f"t{t}": LEVELS[int(rng.integers(3))] for t in rng.choice(12, 3, replace=False)}
        for i in range(40)
    }
    interests["rare"] = {"rare-topic": "practising"}
    interests["p00"]["rare-topic"] = "expert"
    interests["p01"]["rare-topic"] = "learning"
    return InterestIndex.of(interests)


def test_the_shipped_row_lists_what_a_member_sees_in_the_same_order() -> None:
    ix = _network()
    order, score = shipped_scores(ix)
    for member in ix.member_ids:
        me = ix.member[member]
        seen = suggest(ix, member, exclude_known=False, exclude_own_organisation=False).suggestions
        top = np.argsort(-order[me], kind="stable")[: len(seen)]
        assert [ix.member_ids[i] for i in top] == [s.id for s in seen], member
        assert [score[me, i] for i in top] == [s.score for s in seen], member
    rare = suggest(ix, "rare", exclude_known=False, exclude_own_organisation=False).suggestions
    assert sorted(s.id for s in rare[:2]) == ["p00", "p01"] and len(rare) == 10
    assert all(s.kind == TWO_STEPS for s in rare[2:])


def test_the_shipped_list_follows_the_chosen_variants_scores() -> None:
    """The app ships the variant the rule chose (no normalisation, two steps blended at 0.1): for every
    member, the list as long as the network holds exactly those that variant scores above 0, in the order
    of its scores (to 6 places, as the list shows them; ties aside), and carries those scores."""
    chosen = [name for name, scoring in VARIANTS.items() if scoring == SCORING]
    assert chosen == ["graphapp none + two steps 0.1"]
    ix = _network()
    order, score = shipped_scores(ix)
    blended = np.round(graphapp_scores(ix, VARIANTS[chosen[0]]), 6)
    for me, member in enumerate(ix.member_ids):
        listed = np.argsort(-order[me], kind="stable")[: int(np.count_nonzero(order[me]))]
        assert set(listed.tolist()) == set(np.flatnonzero(blended[me] > 0).tolist()), member
        assert blended[me, listed].tolist() == sorted(blended[me, listed].tolist(), reverse=True), member
        assert blended[me, listed].tolist() == score[me, listed].tolist(), member
    # A row beside the variants, not one of them: the rule chose among the variants before it existed.
    assert SHIPPED not in VARIANTS

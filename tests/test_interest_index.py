"""The interest index on its own: numbering, levels, details, rows that name a member it never read, key
lookups; and the collector pause its builds run under."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from graphapp.analytics.interest_index import InterestIndex, _KeyLookup
from graphapp.queries.cypher import collector_paused


def test_index_numbers_members_and_leaves_out_those_it_did_not_read() -> None:
    members = {
        "key": [10, 3, 7],
        "id": ["a", "b", "c"],
        "name": ["Ann", "Bo", "Cy"],
        "region": ["Europe", "", "Asia"],
        "country": ["GBR", "", "JPN"],
        "suggestible": ["", "no", ""],
    }
    # Key 99 is a member created after the members were read (Neo4j reads at read committed).
    holders = [
        {"topic": "nlp", "holders": [10 * 4 + 2, 3 * 4 + 0, 99 * 4 + 1]},
        {"topic": "cv", "holders": []},
    ]
    ix = InterestIndex(
        members,
        [{"id": "nlp", "name": "NLP"}, {"id": "cv", "name": "Computer vision"}],
        holders,
        [{"organisation": "ons", "members": [7, 55]}],
        [{"workstream": "WS1", "members": [3, 10, 42]}],
        [{"id": "ons", "name": "Office for National Statistics"}],
    )
    assert ix.numbers([3, 7, 10, 11, 99]).tolist() == [1, 2, 0, -1, -1]
    assert ix.topic_ids == ["cv", "nlp"]  # numbered in id order, whatever order they were read in
    assert ix.holders.tolist() == [0, 2] and ix.degree.tolist() == [1, 1, 0]
    assert ix.topics_of(0) == {"nlp": "expert"} and ix.topics_of(1) == {"nlp": "learning"}
    assert ix.suggestible.tolist() == [True, False, True]
    assert ix.details(2) == {
        "id": "c",
        "name": "Cy",
        "organisation_id": "ons",
        "organisation": "Office for National Statistics",
        "country": "JPN",
        "region": "Asia",
        "workstreams": [],
    }
    assert ix.details(1)["workstreams"] == ["WS1"] and ix.details(1)["region"] is None
    assert ix.name_rank.tolist() == [0, 1, 2]


@pytest.mark.parametrize("spread", [1, 10_000_000], ids=["dense keys: a table", "sparse keys: a search"])
def test_keys_are_looked_up_like_a_dictionary(spread: int) -> None:
    rng = np.random.default_rng(0)
    keys = rng.choice(2_000 * spread, size=1_000, replace=False)
    lookup = _KeyLookup(keys.astype(np.int64))
    asked = np.concatenate([keys, rng.integers(-5, 2_000 * spread + 5, size=3_000), [-1, 2**40]])
    number = {int(k): i for i, k in enumerate(keys)}
    assert lookup(asked.astype(np.int64)).tolist() == [number.get(int(k), -1) for k in asked]
    assert _KeyLookup(np.zeros(0, np.int64))(np.array([0, 5], np.int64)).tolist() == [-1, -1]


def test_a_level_graphapp_does_not_know_is_left_out() -> None:
    members = {"key": [0], "id": ["a"], "name": ["Ann"], "region": [""], "country": [""], "suggestible": [""]}
    # 3: the statement's code for a level that is not learning, practising or expert (or none)
    ix = InterestIndex(
        members, [{"id": "nlp", "name": "NLP"}], [{"topic": "nlp", "holders": [3]}], [], [], []
    )
    assert ix.holders.tolist() == [0] and ix.topics_of(0) == {}


def test_the_collector_is_paused_while_work_runs_and_back_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        with collector_paused():  # nested, as the report inside the index's build
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()
    gc.disable()  # someone else's choice is left alone
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

"""The interest index on its own: numbering, levels, details, rows that name a member it never read, key
lookups, patches (a few members read again) against builds from scratch; and the collector pause its
builds run under."""

from __future__ import annotations

import gc
import random
from typing import Any

import numpy as np
import pytest

from graphapp.analytics.interest_index import InterestIndex, _KeyLookup
from graphapp.analytics.suggestions import SCORED_MODES, suggest
from graphapp.queries.cypher import collector_paused
from graphapp.queries.schema import LEVEL_BASE, LEVELS


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


# --- Patching: a few members read again give the index a build from scratch gives --------------------


def _network(rng: random.Random, n: int) -> dict[str, dict[str, Any]]:
    """A small random network: each member's topics (with levels), organisation, region, country,
    workstreams and consent."""
    topics = [f"t{k}" for k in range(12)]
    return {
        f"m{i:03d}": {
            "topics": {t: rng.choice(LEVELS) for t in rng.sample(topics, rng.randint(0, 5))},
            "organisation": rng.choice(["", "ons", "istat", "insee"]),
            "region": rng.choice(["", "Europe", "Asia", "Africa"]),
            "country": rng.choice(["", "GBR", "ITA", "JPN", "KEN"]),
            "workstreams": sorted(rng.sample(["WS1", "WS2", "WS3"], rng.randint(0, 2))),
            "suggestible": rng.choice(["", "", "no"]),
            "name": rng.choice(["Ann", "Bo", "Cy", "Di", "Ed"]),
        }
        for i in range(n)
    }


def _index(network: dict[str, dict[str, Any]]) -> InterestIndex:
    ids = list(network)
    workstreams: dict[str, list[str]] = {}
    for m, p in network.items():
        for w in p["workstreams"]:
            workstreams.setdefault(w, []).append(m)
    ix = InterestIndex(
        {
            "key": list(range(len(ids))),
            "id": ids,
            "name": [network[m]["name"] for m in ids],
            "region": [network[m]["region"] for m in ids],
            "country": [network[m]["country"] for m in ids],
            "suggestible": [network[m]["suggestible"] for m in ids],
        },
        [{"id": f"t{k}", "name": f"Topic {k}"} for k in range(12)],
        [
            {
                "topic": f"t{k}",
                "holders": [
                    i * LEVEL_BASE + LEVELS.index(network[m]["topics"][f"t{k}"])
                    for i, m in enumerate(ids)
                    if f"t{k}" in network[m]["topics"]
                ],
            }
            for k in range(12)
        ],
        [
            {"organisation": o, "members": [i for i, m in enumerate(ids) if network[m]["organisation"] == o]}
            for o in ("ons", "istat", "insee")
        ],
        [{"workstream": w, "members": [ids.index(m) for m in ms]} for w, ms in workstreams.items()],
        [{"id": o, "name": o.upper()} for o in ("ons", "istat", "insee", "cso")],
    )
    return ix


def _row(network: dict[str, dict[str, Any]], m: str) -> dict[str, Any]:
    p = network[m]
    return {
        "key": list(network).index(m),
        "id": m,
        "name": p["name"],
        "region": p["region"],
        "country": p["country"],
        "suggestible": p["suggestible"],
        "organisations": [p["organisation"]] if p["organisation"] else [],
        "topics": [(t, LEVELS.index(level)) for t, level in p["topics"].items()],
        "workstreams": p["workstreams"],
    }


def _answers(ix: InterestIndex) -> dict[tuple[str, str], Any]:
    return {
        (m, mode): suggest(ix, m, [], limit=50, mode=mode) for m in ix.member_ids for mode in SCORED_MODES
    }


@pytest.mark.parametrize("seed", range(8))
def test_a_patched_index_equals_one_built_anew(seed: int) -> None:
    rng = random.Random(seed)
    network = _network(rng, 40)
    ix = _index(network)
    ix.name_rank  # noqa: B018 (kept by the patch: it must stay true)
    for _ in range(4):  # several patches in a row, each on the last
        changed = rng.sample(list(network), rng.randint(1, 5))
        new = _network(rng, rng.randint(0, 3))
        for m in changed:  # some of everything: the last in a region, a new country, a workstream emptied...
            network[m] = {
                **network[m],
                **{k: v for k, v in _network(rng, 1)["m000"].items() if rng.random() < 0.6},
            }
        for k, p in enumerate(new.values()):
            network[f"n{len(network):03d}x{k}"] = p
        added = [m for m in network if m.startswith("n")][-len(new) :] if new else []
        patched = ix.patched([_row(network, m) for m in [*changed, *added]])
        assert patched is not None
        fresh = _index(network)
        assert patched.content() == fresh.content()
        assert _answers(patched) == _answers(fresh)
        assert np.array_equal(patched.numbers(np.arange(len(network))), np.arange(len(network)))
        ix = patched


def test_a_patch_leaves_the_index_it_came_from_as_it_was() -> None:
    network = _network(random.Random(99), 30)
    ix = _index(network)
    before = ix.content()
    m = ix.member_ids[0]
    network[m] = {**network[m], "topics": {"t1": "expert"}, "region": "Oceania", "name": "Zed"}
    assert ix.patched([_row(network, m)]) is not None
    assert ix.content() == before


def test_a_workstream_named_twice_is_shown_once_patched_or_built() -> None:
    """A member's row can name a workstream twice (two MEMBER_OF relationships): a build reads each
    workstream's members once each, and so does a patch."""
    network = _network(random.Random(5), 10)
    ix = _index(network)
    ix.details(0)  # (each member's workstreams made, as a running app has them)
    network["m001"] = {**network["m001"], "workstreams": ["WS2", "WS2", "WS3"]}
    patched = ix.patched([_row(network, "m001")])
    assert patched is not None
    one = patched.member["m001"]
    assert (
        patched.details(one)["workstreams"] == _index(network).details(one)["workstreams"] == ["WS2", "WS3"]
    )


def test_a_change_beyond_the_members_refuses_a_patch() -> None:
    network = _network(random.Random(7), 10)
    ix = _index(network)
    row = _row(network, "m001")
    assert ix.patched([{**row, "topics": [("a-new-topic", 0)]}]) is None
    assert ix.patched([{**row, "organisations": ["a-new-organisation"]}]) is None
    assert ix.patched([{**row, "organisations": ["ons", "istat"]}]) is None
    assert ix.patched([{**row, "key": 5}]) is None  # another member's key
    assert ix.patched([{**row, "id": "someone-new"}]) is None  # a new member with a key already held
    assert ix.patched([row, row]) is None
    assert ix.patched([{**row, "organisations": ["cso"]}]) is not None  # known, though nobody worked there
    assert ix.patched([]) is ix

"""The interest index on its own: numbering, levels, details, and rows that name a member it never read."""

from __future__ import annotations

from queries.interest_index import InterestIndex


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

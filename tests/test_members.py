"""The directory queries, on both stores, checked against the graph's own contents."""

from __future__ import annotations

from collections import Counter

import pytest

from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.members import (
    MemberFilter,
    facets,
    find_members,
    member_ids,
    member_profile,
    organisation_list,
    place_list,
    topic_list,
    topic_region_matrix,
    workstream_list,
)
from tests.helpers import graph


@pytest.fixture
def demo(store):
    import_files(store, DEMO_FILES)
    return graph(store)


def _expected(demo, where: MemberFilter) -> list[str]:
    """The members a filter should find, worked out in Python from the snapshot."""
    rels = demo["relationships"]
    out = []
    for m in demo["nodes"]["Member"]:
        mine = [r for r in rels["INTERESTED_IN"] if r["source"] == m["id"]]
        if where.q and where.q.lower() not in m["name"].lower():
            continue
        if where.country and m.get("country") != where.country:
            continue
        if where.region and m.get("region") != where.region:
            continue
        if (where.topic or where.level) and not any(
            (not where.topic or r["target"] == where.topic) and (not where.level or r["level"] == where.level)
            for r in mine
        ):
            continue
        if where.workstream and not any(
            r["source"] == m["id"] and r["target"] == where.workstream for r in rels["MEMBER_OF"]
        ):
            continue
        if where.organisation and not any(
            r["source"] == m["id"] and r["target"] == where.organisation for r in rels["WORKS_AT"]
        ):
            continue
        out.append(m)
    return [m["id"] for m in sorted(out, key=lambda m: (m["name"], m["id"]))]


FILTERS = [
    MemberFilter(),
    MemberFilter(q="AN"),
    MemberFilter(topic="record-linkage"),
    MemberFilter(topic="record-linkage", level="expert"),
    MemberFilter(level="learning", region="Asia"),
    MemberFilter(workstream="WS2"),
    MemberFilter(organisation="ons", topic="natural-language-processing"),
    MemberFilter(country="NLD"),
    MemberFilter(q="zzzz-nobody"),
]


def test_every_filter_finds_exactly_the_right_members_in_name_order(store, demo) -> None:
    for where in FILTERS:
        expected = _expected(demo, where)
        found = []
        page = 1
        while True:
            p = store.read(find_members, where, page, 7)
            assert p.total == len(expected), where
            found += [m["id"] for m in p.items]
            if page >= p.pages:
                break
            page += 1
        assert found == expected, where
        assert store.read(member_ids, where) == sorted(expected)
        assert expected or where.q == "zzzz-nobody"  # every other filter finds somebody: no vacuous pass


def test_people_come_with_organisation_interests_and_workstreams(store, demo) -> None:
    p = store.read(find_members, MemberFilter(topic="record-linkage", level="expert"), 1, 50)
    assert p.items
    rels = demo["relationships"]
    for m in p.items:
        held = {(r["target"], r["level"]) for r in rels["INTERESTED_IN"] if r["source"] == m["id"]}
        assert {(i["id"], i["level"]) for i in m["interests"]} == held
        assert ("record-linkage", "expert") in held
        ranks = [("expert", "practising", "learning").index(i["level"]) for i in m["interests"]]
        assert ranks == sorted(ranks)  # expert first
        org = next(r["target"] for r in rels["WORKS_AT"] if r["source"] == m["id"])
        assert m["organisation_id"] == org and m["organisation"]
        assert {w["id"] for w in m["workstreams"]} == {
            r["target"] for r in rels["MEMBER_OF"] if r["source"] == m["id"]
        }


def test_profile_lists_contacts_both_ways_and_none_for_unknown(store, demo) -> None:
    knows = demo["relationships"]["KNOWS"]
    me = knows[0]["target"]  # stored as the larger id: a contact seen "backwards" must still show
    profile = store.read(member_profile, me)
    expected = {r["target"] for r in knows if r["source"] == me} | {
        r["source"] for r in knows if r["target"] == me
    }
    assert {c["id"] for c in profile["contacts"]} == expected
    assert store.read(member_profile, "m-nobody") is None


def test_facets_count_what_the_filtered_members_hold(store, demo) -> None:
    where = MemberFilter(region="Europe")
    ids = set(_expected(demo, where))
    f = store.read(facets, where, top=100)
    held = Counter(r["target"] for r in demo["relationships"]["INTERESTED_IN"] if r["source"] in ids)
    assert {t["id"]: t["n"] for t in f["topics"]} == dict(held)
    experts = Counter(
        r["target"]
        for r in demo["relationships"]["INTERESTED_IN"]
        if r["source"] in ids and r["level"] == "expert"
    )
    assert all(t["expert"] == experts[t["id"]] for t in f["topics"])
    assert sum(c["n"] for c in f["countries"]) == len(ids)


def test_lists_and_heat_map(store, demo) -> None:
    topics = store.read(topic_list)
    assert len(topics) == len(demo["nodes"]["Topic"])
    held = Counter(r["target"] for r in demo["relationships"]["INTERESTED_IN"])
    assert {t["id"]: t["n"] for t in topics} == {t["id"]: held[t["id"]] for t in demo["nodes"]["Topic"]}
    assert topics[-1]["n"] == 0  # the demo's unheld topics come last
    orgs = store.read(organisation_list)
    assert sum(o["n"] for o in orgs) == len(demo["relationships"]["WORKS_AT"])
    ws = {w["id"]: w for w in store.read(workstream_list)}
    assert ws["WS4"]["lead"] == 0 and ws["WS4"]["n"] > 0
    assert sum(c["n"] for c in store.read(place_list)) == sum(
        1 for m in demo["nodes"]["Member"] if m.get("country")
    )
    matrix = store.read(topic_region_matrix, M49_REGIONS)
    region_of = {m["id"]: m.get("region") for m in demo["nodes"]["Member"]}
    cells = Counter((r["target"], region_of[r["source"]]) for r in demo["relationships"]["INTERESTED_IN"])
    for row in matrix["topics"]:
        assert row["counts"] == [cells[(row["id"], r)] for r in matrix["regions"]]
    assert matrix["max"] == max(cells.values())


def test_a_page_far_past_the_end_is_empty(store, demo) -> None:
    """(LadybugDB 0.22 crashed the whole process on such a SKIP; schemathesis found it.)"""
    far = store.read(find_members, MemberFilter(), 1_000_000, 100)
    assert far.items == [] and far.total == 150 and far.pages == 2
    last = store.read(find_members, MemberFilter(), 2, 100)
    assert len(last.items) == 50

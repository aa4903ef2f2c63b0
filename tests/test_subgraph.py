"""Contact-map subgraphs, on both stores."""

from __future__ import annotations

import pytest

from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.queries.schema import NODES
from graphapp.queries.subgraph import UnknownSubject, neighbourhood, subgraph
from tests.helpers import graph
from tests.journey import add_journey


@pytest.fixture
def demo(store):
    """The demo network with projects, themes, competence areas and resources (tests/journey.py), which
    change nothing of who each map shows."""
    import_files(store, DEMO_FILES)
    add_journey(store)
    return graph(store)


def _keys(sub, label):
    return {n["properties"]["id"] for n in sub["nodes"] if n["label"] == label}


def test_neighbourhood_depth_1(store, demo) -> None:
    me = next(r["source"] for r in demo["relationships"]["KNOWS"])
    sub = store.read(neighbourhood, me, 1)
    contacts = {r["target"] for r in demo["relationships"]["KNOWS"] if r["source"] == me}
    contacts |= {r["source"] for r in demo["relationships"]["KNOWS"] if r["target"] == me}
    assert _keys(sub, "Member") == {me} | contacts
    assert _keys(sub, "Topic") == {
        r["target"] for r in demo["relationships"]["INTERESTED_IN"] if r["source"] == me
    }
    assert _keys(sub, "Organisation") == {
        r["target"] for r in demo["relationships"]["WORKS_AT"] if r["source"] == me
    }
    keys = {n["key"] for n in sub["nodes"]}
    assert all(r["source"] in keys and r["target"] in keys for r in sub["relationships"])
    levels = {r["properties"]["level"] for r in sub["relationships"] if r["type"] == "INTERESTED_IN"}
    assert levels <= {"learning", "practising", "expert"} and levels


def test_neighbourhood_depth_2_reaches_fellow_topic_holders(store, demo) -> None:
    me = demo["nodes"]["Member"][0]["id"]
    one, two = store.read(neighbourhood, me, 1), store.read(neighbourhood, me, 2)
    my_topics = _keys(one, "Topic")
    fellows = {r["source"] for r in demo["relationships"]["INTERESTED_IN"] if r["target"] in my_topics}
    assert fellows <= _keys(two, "Member")
    assert len(two["nodes"]) > len(one["nodes"])


def test_topic_subgraph(store, demo) -> None:
    sub = store.read(subgraph, "topic", "record-linkage")
    holders = {r["source"] for r in demo["relationships"]["INTERESTED_IN"] if r["target"] == "record-linkage"}
    assert _keys(sub, "Member") == holders
    assert "record-linkage" in _keys(sub, "Topic")
    members = {f"Member:{m}" for m in holders}
    for r in sub["relationships"]:
        if r["type"] == "KNOWS":
            assert r["source"] in members and r["target"] in members
    assert any(r["type"] == "COVERS" and r["target"] == "Topic:record-linkage" for r in sub["relationships"])
    keys = {n["key"] for n in sub["nodes"]}
    assert all(r["source"] in keys and r["target"] in keys for r in sub["relationships"])
    assert {n["label"] for n in sub["nodes"]} == set(
        NODES
    )  # (the journey's kinds: tests/test_journey_maps.py)


@pytest.mark.parametrize(
    ("kind", "value", "field"), [("country", "GBR", "country"), ("region", "Europe", "region")]
)
def test_place_subgraphs(store, demo, kind, value, field) -> None:
    sub = store.read(subgraph, kind, value)
    expected = {m["id"] for m in demo["nodes"]["Member"] if m.get(field) == value}
    assert expected and _keys(sub, "Member") == expected


def test_workstream_and_organisation_subgraphs(store, demo) -> None:
    ws = store.read(subgraph, "workstream", "WS1")
    assert _keys(ws, "Member") == {
        r["source"] for r in demo["relationships"]["MEMBER_OF"] if r["target"] == "WS1"
    }
    org = store.read(subgraph, "organisation", "ons")
    assert _keys(org, "Member") == {
        r["source"] for r in demo["relationships"]["WORKS_AT"] if r["target"] == "ons"
    }


def test_unknown_subjects(store, demo) -> None:
    with pytest.raises(UnknownSubject):
        store.read(subgraph, "topic", "no-such-topic")
    with pytest.raises(UnknownSubject):
        store.read(neighbourhood, "m-nobody", 1)

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


# --- Grouped maps and the explorer (issue 15 §2) --------------------------------------------------------


@pytest.mark.parametrize("by", ["country", "region"])
def test_people_grouped_by_country_or_region(store, demo, by) -> None:
    """Each group counts its people, and a link between two groups counts the contacts between them, as
    counted here from the members and their contacts."""
    from collections import Counter

    from graphapp.queries.subgraph import aggregated

    members = {m["id"]: m for m in demo["nodes"]["Member"]}
    sub = store.read(aggregated, by)
    expected = Counter(m[by] for m in members.values() if m.get(by))
    assert {n["properties"]["id"]: n["properties"]["members"] for n in sub["nodes"]} == dict(expected)
    assert {n["label"] for n in sub["nodes"]} == {by.title()}
    pairs: Counter[tuple[str, str]] = Counter()
    for r in demo["relationships"]["KNOWS"]:
        a, b = members[r["source"]].get(by), members[r["target"]].get(by)
        if a and b and a != b:
            pairs[(min(a, b), max(a, b))] += 1
    got = {
        (r["source"].split(":", 1)[1], r["target"].split(":", 1)[1]): r["properties"]["weight"]
        for r in sub["relationships"]
    }
    assert got == dict(pairs) and got
    if by == "country":  # a country's group knows its region, for colouring by region
        assert all(
            n["properties"]["region"] == members_region(members, n["properties"]["id"]) for n in sub["nodes"]
        )


def members_region(members, country):
    return sorted({m["region"] for m in members.values() if m.get("country") == country and m.get("region")})[
        0
    ]


def _drawn(client, url, status=200):
    import json
    import re

    response = client.get(url)
    assert response.status_code == status, url
    text = response.get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.S)
    return text, json.loads(block.group(1)) if block else None


def test_the_explorer_takes_names_as_a_person_types_them(client, demo_app) -> None:
    """A topic, workstream, organisation, member, country or region typed by its name (any case) draws the
    same map as its id."""
    from graphapp.queries.members import organisation_list, place_list, workstream_list

    ws = demo_app.read(workstream_list)[0]
    org = next(o for o in demo_app.read(organisation_list) if o.get("n"))
    country = demo_app.read(place_list)[0]["id"]
    import pycountry

    country_name = pycountry.countries.get(alpha_3=country).name
    _text, by_id = _drawn(client, "/explore?kind=topic&value=record-linkage")
    text, by_name = _drawn(client, "/explore?kind=topic&value=record linkage")
    assert {n["id"] for n in by_name["nodes"]} == {n["id"] for n in by_id["nodes"]}
    assert 'value="record linkage"' in text  # the form keeps what was typed
    for kind, value, name in [
        ("workstream", ws["id"], ws["name"]),
        ("organisation", org["id"], org["name"]),
        ("country", country, country_name.upper()),
        ("region", "Europe", "europe"),
    ]:
        _t, a = _drawn(client, f"/explore?kind={kind}&value={value}")
        _t, b = _drawn(client, f"/explore?kind={kind}&value={name}")
        assert {n["id"] for n in a["nodes"]} == {n["id"] for n in b["nodes"]}, kind
    member = next(n for n in by_id["nodes"] if n["kind"] == "Member")
    text, around = _drawn(client, f"/explore?kind=member&value={member['name'].lower()}")
    subject = [n for n in around["nodes"] if n.get("subject")]
    assert [n["id"] for n in subject] == [member["id"]]  # the member the view is about is marked
    assert subject[0]["borderWidth"] > 1 and f"Around {member['name']}" in text


def test_a_name_that_names_nothing_keeps_the_form_and_says_why(client, demo_app) -> None:
    text, data = _drawn(client, "/explore?kind=topic&value=recrd+linkage&colour=region", 404)
    assert data is None and "No topic is called \u201crecrd linkage\u201d." in text
    assert 'value="recrd linkage"' in text and '<option value="region" selected>' in text
    assert "Did you mean" in text and ">record linkage</a>" in text  # a link that draws it
    text, _ = _drawn(client, "/explore?kind=organisation&value=", 400)
    assert "Type the name of an organisation to show." in text
    text, _ = _drawn(client, "/explore?kind=member&value=Nobody+Atall", 404)
    assert "No member is called" in text and "<h1>Network explorer</h1>" in text


def test_unconnected_nodes_are_counted_and_shown_on_request(client, demo_app) -> None:
    text, data = _drawn(client, "/explore")
    assert all(n["degree"] > 0 for n in data["nodes"])
    import re

    hidden = int(re.search(r"(\d+) unconnected nodes? \(linked to nothing\)", text).group(1))
    assert hidden >= 1
    _t, everything = _drawn(client, "/explore?unconnected=show")
    assert len(everything["nodes"]) == len(data["nodes"]) + hidden
    # Labels grow with the nodes and the zoom, and small ones are left out when zoomed out.
    assert data["options"]["nodes"]["scaling"]["label"]["enabled"] is True


def test_a_big_view_groups_people_and_a_group_opens_its_people(client, demo_app, monkeypatch) -> None:
    monkeypatch.setattr("graphapp.pages.explorer.MAX_NODES", 20)
    text, data = _drawn(client, "/explore")
    assert {n["kind"] for n in data["nodes"]} == {"Organisation"} and "it shows organisations instead" in text
    for by, kind in [("country", "Country"), ("region", "Region")]:
        text, data = _drawn(client, f"/explore?aggregate={by}&colour=region")
        assert {n["kind"] for n in data["nodes"]} == {kind}
        assert all(n["opens"] and n["href"].startswith(f"/explore?kind={by}&") for n in data["nodes"])
        assert all(not n["name"].isupper() or n["name"] == "USA" for n in data["nodes"])  # names, not codes
        monkeypatch.setattr("graphapp.pages.explorer.MAX_NODES", 10_000)
        _t, group = _drawn(client, data["nodes"][0]["href"])
        assert any(n["kind"] == "Member" for n in group["nodes"])
        monkeypatch.setattr("graphapp.pages.explorer.MAX_NODES", 20)


def test_colour_by_region_or_workstream_with_a_legend(client, demo_app) -> None:
    from graphapp.visnetwork import REGION_COLOURS

    text, data = _drawn(client, "/explore?kind=region&value=Europe&colour=region")
    people = [n for n in data["nodes"] if n["kind"] == "Member"]
    assert people and all(n["color"] == REGION_COLOURS["Europe"] for n in people)
    assert {"name": "Europe", "color": REGION_COLOURS["Europe"]} in data["colours"]
    assert '<h3 id="colour-heading">Colours</h3>' in text
    text, data = _drawn(client, "/explore?colour=workstream")
    streams = {n["name"]: n["color"] for n in data["nodes"] if n["kind"] == "Workstream"}
    legend = {c["name"]: c["color"] for c in data["colours"]}
    assert streams and all(legend[name] == colour for name, colour in streams.items())

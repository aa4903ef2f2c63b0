"""Projects, themes, competence areas and resources on the contact maps (issue 14 §6), on both stores: which
of them each kind of map holds, how the explorer draws them (shapes, labels, a legend of the kinds shown),
and every export of them, hostile titles included; the people a map leaves out stay out.

The fixture adds the journey to the demo network (tests/journey.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import pytest

from graphapp.contactmap import View, contact_graph
from graphapp.exports import FORMATS, export, read_export
from graphapp.queries.contactmap import read_map
from graphapp.queries.members import MemberFilter, member_ids
from graphapp.queries.schema import NODES, RELATIONSHIPS
from graphapp.queries.subgraph import neighbourhood, subgraph
from graphapp.store import Store
from graphapp.visnetwork import STYLE, legend, vis_data
from tests.journey import TITLE, TITLE_IN_XML, add_journey, demo_without_journey


@pytest.fixture
def journey(store: Store) -> dict[str, str]:
    demo_without_journey(store)
    return add_journey(store)


def ids(graph: dict[str, Any], label: str) -> set[str]:
    return {n["properties"]["id"] for n in graph["nodes"] if n["label"] == label}


def links(graph: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(r["type"], r["source"], r["target"]) for r in graph["relationships"]}


def closed(graph: dict[str, Any]) -> bool:
    """Every relationship joins two nodes of the map."""
    keys = {n["key"] for n in graph["nodes"]}
    return all(r["source"] in keys and r["target"] in keys for r in graph["relationships"])


# --- What each map holds --------------------------------------------------------------------------------


def test_a_topics_map_holds_its_projects_resources_themes_and_areas(store, journey) -> None:
    a, z = journey["a"], journey["z"]
    sub = store.read(subgraph, "topic", "record-linkage")
    assert ids(sub, "Project") == {"p-link"}
    assert ids(sub, "Resource") == {"r-guide"}
    assert ids(sub, "Theme") == {"th-quality"}
    # The topic's own area and the areas above it; not the areas of the other topics on the map (NLP is
    # there, held by a, but its area and theme are not), nor the rest of the taxonomy.
    assert ids(sub, "Area") == {"a-mid", "a-top"}
    assert "natural-language-processing" in ids(sub, "Topic")
    # The people are the topic's holders, as before: z works on the project but does not hold the topic.
    assert ids(sub, "Member") == set(store.read(member_ids, MemberFilter(topic="record-linkage")))
    assert z not in ids(sub, "Member")
    assert "ons" in ids(sub, "Organisation")  # the project's organisation comes with it
    assert {
        ("ON_TOPIC", "Project:p-link", "Topic:record-linkage"),
        ("WORKS_ON", f"Member:{a}", "Project:p-link"),
        ("RUN_BY", "Project:p-link", "Organisation:ons"),
        ("IN_WORKSTREAM", "Project:p-link", "Workstream:WS1"),
        ("ABOUT", "Resource:r-guide", "Topic:record-linkage"),
        ("FOR_WORKSTREAM", "Resource:r-guide", "Workstream:WS1"),
        ("SHARED", f"Member:{a}", "Resource:r-guide"),
        ("OF_THEME", "Topic:record-linkage", "Theme:th-quality"),
        ("IN_AREA", "Topic:record-linkage", "Area:a-mid"),
        ("BROADER", "Area:a-mid", "Area:a-top"),
    } <= links(sub)
    assert closed(sub)
    roles = {r["properties"].get("role") for r in sub["relationships"] if r["type"] == "WORKS_ON"}
    assert roles == {"lead"}


def test_a_workstreams_map_holds_its_projects_themes_and_resources(store, journey) -> None:
    ws1 = store.read(subgraph, "workstream", "WS1")
    assert ids(ws1, "Project") == {"p-link"}
    assert ids(ws1, "Theme") == {"th-sharing"}
    assert ids(ws1, "Resource") == {"r-guide"}
    assert ids(ws1, "Area") == set()
    assert closed(ws1)
    ws2 = store.read(subgraph, "workstream", "WS2")
    assert ids(ws2, "Theme") == {"th-quality"} and ids(ws2, "Project") == set()
    (serves,) = [r for r in ws2["relationships"] if r["type"] == "SERVES"]
    assert serves["properties"] == {"stages": "demonstration,production"}


def test_an_organisations_map_holds_the_projects_it_runs(store, journey) -> None:
    ons = store.read(subgraph, "organisation", "ons")
    assert ids(ons, "Project") == {"p-link"}
    assert ids(ons, "Theme") == ids(ons, "Area") == ids(ons, "Resource") == set()
    assert ("RUN_BY", "Project:p-link", "Organisation:ons") in links(ons)
    assert closed(ons)


def test_a_members_neighbourhood_holds_their_projects_and_what_they_shared(store, journey) -> None:
    a, z = journey["a"], journey["z"]
    one = store.read(neighbourhood, a, 1)
    assert ids(one, "Project") == {"p-link", "p-nlp"}
    assert ids(one, "Resource") == {"r-guide"}
    assert ids(one, "Theme") == ids(one, "Area") == set()
    assert z not in ids(one, "Member")
    # A project's links to what the map shows are drawn (the member's topics are one hop away).
    assert ("ON_TOPIC", "Project:p-link", "Topic:record-linkage") in links(one)
    assert closed(one)
    two = store.read(neighbourhood, a, 2)
    assert z in ids(two, "Member")  # who they work with on a project
    assert "ons" in ids(two, "Organisation")
    assert ids(two, "Theme") == ids(two, "Area") == set()  # never the taxonomy or the themes
    assert ids(two, "Resource") == {"r-guide"}  # what their contacts shared, not every resource of a topic
    assert closed(two)


def test_a_places_map_holds_the_projects_of_its_people(store, journey) -> None:
    country = store.read(
        lambda tx: tx.run("MATCH (m:Member {id: $id}) RETURN m.country AS c", id=journey["a"])
    )
    sub = store.read(subgraph, "country", country[0]["c"])
    assert {"p-link", "p-nlp"} <= ids(sub, "Project")
    assert ids(sub, "Theme") == ids(sub, "Area") == set()
    assert closed(sub)


def test_the_whole_network_holds_every_node_and_relationship(store, journey) -> None:
    from graphapp.queries.schema import counts
    from graphapp.queries.subgraph import whole_network

    net = store.read(whole_network)
    held = store.read(counts)
    for label in NODES:
        assert len(ids(net, label)) == held[label], label
    for t in RELATIONSHIPS:
        assert sum(r["type"] == t for r in net["relationships"]) == held[t], t
    assert closed(net)


def test_aggregated_maps_still_draw_organisations_or_topics(store, journey) -> None:
    for view, label in (
        (View(aggregate="topic"), "Topic"),
        (View(aggregate="organisation"), "Organisation"),
        (View("topic", "record-linkage", aggregate="organisation"), "Organisation"),
    ):
        graph = store.read(read_map, view)
        assert graph["nodes"] and {n["label"] for n in graph["nodes"]} == {label}


# --- How the explorer draws them ------------------------------------------------------------------------


def _contrast(colour: str) -> float:
    """The WCAG contrast ratio of a colour against white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 1.05 / (luminance + 0.05)


def test_every_kind_has_a_shape_and_a_colour_of_its_own() -> None:
    assert set(STYLE) == set(NODES)
    assert len({s["shape"] for s in STYLE.values()}) == len(STYLE)
    assert len({s["color"] for s in STYLE.values()}) == len(STYLE)
    assert len({s["name"] for s in STYLE.values()}) == len(STYLE)
    assert all(_contrast(s["color"]) >= 4.5 for s in STYLE.values()), {
        k: round(_contrast(s["color"]), 2) for k, s in STYLE.items()
    }


def test_the_drawing_gives_each_kind_its_shape_label_and_legend(store, journey) -> None:
    graph = store.read(read_map, View("topic", "record-linkage"))
    data = vis_data(contact_graph(graph))
    by_id = {n["id"]: n for n in data["nodes"]}
    assert {n["kind"] for n in data["nodes"]} == set(NODES)
    for n in data["nodes"]:
        assert n["shape"] == STYLE[n["kind"]]["shape"], n["id"]
    assert by_id["Project:p-link"]["label"] == f"{TITLE} (production)"
    assert by_id["Resource:r-guide"]["label"] == "Record linkage guide (document)"
    assert by_id["Theme:th-quality"]["label"] == "Quality"
    assert by_id["Area:a-mid"]["label"] == "Linking data"
    hover = by_id["Project:p-link"]["title"]
    assert "production since 2023-05-02" in hover and "5.1 " in hover and "https://example.org/code" in hover
    assert "lead" not in hover  # a project's hover names no people
    assert "language: en" in by_id["Resource:r-guide"]["title"]
    # The legend lists the kinds shown, in the order of STYLE.
    assert list(legend(data)) == list(STYLE)
    place = vis_data(contact_graph(store.read(read_map, View("organisation", "ons"))))
    assert list(legend(place)) == [
        k for k in STYLE if k in {"Member", "Organisation", "Topic", "Workstream", "Project"}
    ]


def _graph_data(page: str) -> dict[str, Any]:
    blob = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S)
    assert blob, "no graph data on the page"
    return json.loads(blob.group(1))  # type: ignore[no-any-return]


def _legend_items(page: str) -> list[str]:
    block = re.search(r'<ul class="legend">(.*?)</ul>', page, re.S)
    assert block
    return [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
    ]


def test_the_explorer_shows_the_new_kinds_with_a_legend_and_links(client, demo_app) -> None:
    add_journey(demo_app)
    page = client.get("/explore?kind=topic&value=record-linkage").get_data(as_text=True)
    items = _legend_items(page)
    for s in STYLE.values():
        assert any(s["name"] in item for item in items), s["name"]
    data = _graph_data(page)
    href = {n["id"]: n["href"] for n in data["nodes"]}
    assert href["Project:p-link"] == "/projects/p-link"
    assert href["Theme:th-quality"] == "/themes/th-quality"
    assert href["Area:a-mid"] == "/areas#area-a-mid"
    assert href["Resource:r-guide"] == "https://example.org/guide"
    # The table names each kind in words, and escapes the hostile title.
    assert "competence area" in page and "</script><script>alert(1)" not in page
    # A map without themes or areas does not list them.
    items = _legend_items(client.get("/explore?kind=organisation&value=ons").get_data(as_text=True))
    assert not any("theme" in item or "competence area" in item for item in items)
    assert any("project" in item for item in items)


def test_a_resource_links_only_to_a_web_address(client, demo_app) -> None:
    add_journey(demo_app)
    page = client.get("/explore?kind=topic&value=natural-language-processing").get_data(as_text=True)
    data = _graph_data(page)
    (course,) = [n for n in data["nodes"] if n["id"] == "Resource:r-nlp"]
    assert not course["href"].startswith("javascript")
    assert "javascript:" not in page.split('id="graph-data"')[0]


# --- Exports --------------------------------------------------------------------------------------------

from tests.test_exports import GEXF, GRAPHML  # noqa: E402 (the official schemas, loaded once)


def _export(store: Store, view: View) -> Any:
    return store.read(read_export, view, view.title())


def test_gexf_and_graphml_carry_the_new_kinds_and_stay_valid(store, journey) -> None:
    for view in (
        View("topic", "record-linkage"),
        View(),
        View("workstream", "WS2"),
        View("member", journey["a"], 2),
    ):
        e = _export(store, view)
        gexf = export(e, "gexf")
        GEXF.validate(gexf.decode("utf-8"))
        graphml = export(e, "graphml")
        GRAPHML.validate(graphml.decode("utf-8"))
        G = nx.read_graphml(io.BytesIO(graphml))
        assert set(G) == {n["key"] for n in e.graph["nodes"]}
    e = _export(store, View("topic", "record-linkage"))
    G = nx.read_graphml(io.BytesIO(export(e, "graphml")))
    project = G.nodes["Project:p-link"]
    assert project["category"] == "Project" and project["stage"] == "production"
    assert project["production"] == "2023-05-02" and project["idea"] == "2022-01-10"
    assert project["report"] == "https://example.org/report?a=1&b=2" and project["domain"] == "5.1"
    assert project["title"] == TITLE_IN_XML and project["label"] == f"{TITLE_IN_XML} (production)"
    assert G.nodes["Resource:r-guide"]["kind"] == "document" and G.nodes["Resource:r-guide"]["url"]
    assert G.nodes["Theme:th-quality"]["kind"] == "theme"
    assert G.nodes["Area:a-top"]["label"] == "Data science analytics"
    assert G.edges["Member:" + journey["a"], "Project:p-link"]["role"] == "lead"
    root = ElementTree.fromstring(export(e, "gexf"))
    labels = {n.get("id"): n.get("label") for n in root.iterfind(".//{http://gexf.net/1.3}node")}
    assert labels["Project:p-link"] == f"{TITLE_IN_XML} (production)"


def test_hostile_titles_are_data_in_every_export(store, journey) -> None:
    e = _export(store, View("topic", "record-linkage"))
    for fmt in FORMATS:
        body = export(e, fmt)
        if fmt in ("gexf", "graphml", "svg"):
            ElementTree.fromstring(body)
            assert b"<script>" not in body
        elif fmt == "html":
            page = body.decode("utf-8")
            assert "</script><script>alert(1)" not in page
            assert any(n["name"] == f"{TITLE} (production)" for n in _graph_data(page)["nodes"])
        elif fmt == "cyjs":
            data = json.loads(body)
            (p,) = [n for n in data["elements"]["nodes"] if n["data"]["id"] == "Project:p-link"]
            assert p["data"]["title"] == TITLE and "position" in p
        elif fmt in ("csv", "vcf"):
            # People only: a project is not a person.
            text = body.decode("utf-8-sig")
            assert "Linkage" not in text and "Record linkage guide" not in text
    rows = list(csv.DictReader(io.StringIO(export(e, "csv").decode("utf-8-sig"))))
    assert len(rows) == len(e.people) == len(ids(e.graph, "Member"))


def test_the_html_export_has_a_legend_of_the_kinds_it_shows(store, journey) -> None:
    page = export(_export(store, View("topic", "record-linkage")), "html").decode("utf-8")
    items = _legend_items(page)
    assert all(any(s["name"] in item for item in items) for s in STYLE.values())
    page = export(_export(store, View("organisation", "ons")), "html").decode("utf-8")
    assert not any("theme" in item for item in _legend_items(page))


def test_the_pictures_draw_the_new_kinds_with_a_legend(store, journey) -> None:
    from PIL import Image

    e = _export(store, View("topic", "record-linkage"))
    svg = export(e, "svg")
    root = ElementTree.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    (box,) = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("id") == "legend_1"]
    entries = [g for g in box.findall("s:g", ns) if (g.get("id") or "").startswith("text_")]
    assert len(entries) == len(STYLE)  # one line per kind shown
    png = Image.open(io.BytesIO(export(e, "png")))
    assert png.format == "PNG"
    fewer = ElementTree.fromstring(export(_export(store, View("organisation", "ons")), "svg"))
    (box,) = [g for g in fewer.iter("{http://www.w3.org/2000/svg}g") if g.get("id") == "legend_1"]
    assert len([g for g in box.findall("s:g", ns) if (g.get("id") or "").startswith("text_")]) == 5


def test_people_a_map_leaves_out_stay_out_and_emails_stay_hidden(app, client, demo_app) -> None:
    """z works on the record-linkage project but does not hold the topic, and keeps their email from
    everyone: the topic's exports carry the project without them; their neighbourhood shows the project
    and no email, to members and coordinators alike."""
    from tests.helpers import signed_in

    ids_ = add_journey(demo_app)
    z = ids_["z"]
    email = demo_app.read(lambda tx: tx.run("MATCH (m:Member {id: $id}) RETURN m.email AS e", id=z))[0]["e"]
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    for fmt in FORMATS:
        body = coordinator.get(f"/api/export/{fmt}?kind=topic&value=record-linkage").get_data()
        assert z.encode() not in body and email.encode() not in body, fmt
    graphml = coordinator.get("/api/export/graphml?kind=topic&value=record-linkage").get_data()
    assert b"Project:p-link" in graphml
    member = signed_in(app, "member@example.org", "member", ids_["a"])
    for viewer in (member, coordinator):
        answer = viewer.get(f"/api/subgraph?kind=member&value={z}&depth=1").get_json()
        assert "p-link" in ids(answer, "Project")
        (node,) = [n for n in answer["nodes"] if n["key"] == f"Member:{z}"]
        assert "email" not in node["properties"]
        assert email not in json.dumps(answer)
    body = coordinator.get(f"/api/export/graphml?kind=member&value={ids_['a']}&depth=2").get_data()
    assert f"Member:{z}".encode() in body and email.encode() not in body

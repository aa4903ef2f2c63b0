"""The journey (issue 14 §2), on both stores: the themes-by-stage map (which cell a workstream, a project
and a person land in; the cells "to be defined"; the facilitators' band), a theme's page, and per topic the
projects at each stage with the stuck rule at its boundary, as a gap of the coverage report (report,
dashboard, CLI, API, as of a day), kept up to date after a project write that changed no member; the
roles; hostile names shown as text. Fixtures are written with the schema's generic statements."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from graphapp import reports, wording
from graphapp.analytics.journey import STUCK_AT_LEAST
from graphapp.db import get_store
from graphapp.queries.cypher import Store, Tx
from graphapp.queries.schema import CREATE_NODES, CREATE_RELS, NODES, create_schema
from graphapp.store import LadybugStore, Neo4jStore
from tests.helpers import signed_in

HOSTILE_THEME = "<script>alert('theme')</script>"
HOSTILE_PROJECT = '<img src=x onerror="alert(1)">'


def _nodes(label: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with every property of the label (unset ones None), as the generic statement wants them."""
    spec = NODES[label]
    return [
        {p: row.get(p, [] if p in spec.list_properties else None) for p in spec.properties} for row in rows
    ]


def write_graph(
    tx: Tx,
    nodes: dict[str, list[dict[str, Any]]],
    rels: dict[str, list[dict[str, Any]]],
    *,
    touched: bool = False,
) -> None:
    """Nodes and relationships by the schema's generic statements (``touched``: declare that no member
    changed, as a project's write does)."""
    for label, rows in nodes.items():
        if rows:
            tx.run(CREATE_NODES[label], rows=_nodes(label, rows))
    for rel, rows in rels.items():
        if rows:
            tx.run(CREATE_RELS[rel], rows=rows)
    if touched:
        tx.touched([])


def project(pid: str, stage: str, title: str | None = None, **days: str) -> dict[str, Any]:
    return {"id": pid, "title": title or f"Project {pid}", "stage": stage, **days}


#: The map's fixture: three themes and a facilitator; WS2 serves quality at demonstration and production,
#: WS4 serves training data at every stage; record linkage serves quality. p1 (record linkage, Ann and Bo)
#: is at demonstration; p2 (WS4, Cy) in production; p3 has no stage; p4 (a topic of no theme) at idea.
MAP_NODES: dict[str, list[dict[str, Any]]] = {
    "Theme": [
        {
            "id": "quality",
            "name": "Quality",
            "kind": "theme",
            "position": "01",
            "description": "Accuracy, timeliness",
        },
        {"id": "ethics", "name": "Ethics and legal", "kind": "theme", "position": "06"},
        {"id": "training-data", "name": "Good training data", "kind": "theme", "position": "02"},
        {"id": "sharing", "name": "Sharing and collaboration", "kind": "facilitator", "position": "09"},
    ],
    "Workstream": [{"id": "WS2", "name": "Quality framework"}, {"id": "WS4", "name": "Training data"}],
    "Topic": [{"id": "record-linkage", "name": "record linkage"}, {"id": "gis", "name": "GIS"}],
    "Member": [
        {"id": "ann", "name": "Ann Adams", "email": "ann@example.org"},
        {"id": "bo", "name": "Bo Berg", "email": "bo@example.org"},
        {"id": "cy", "name": "Cy Cole", "email": "cy@example.org"},
    ],
    "Project": [
        project("p1", "demonstration", "Linking the census"),
        project("p2", "production", "Labelled images"),
        project("p3", None, "No stage yet"),  # type: ignore[arg-type]
        project("p4", "idea", "Maps"),
    ],
}
MAP_RELS: dict[str, list[dict[str, Any]]] = {
    "SERVES": [
        {"source": "WS2", "target": "quality", "stages": "demonstration,production"},
        {"source": "WS4", "target": "training-data", "stages": ""},
    ],
    "OF_THEME": [{"source": "record-linkage", "target": "quality"}],
    "ON_TOPIC": [
        {"source": "p1", "target": "record-linkage"},
        {"source": "p3", "target": "record-linkage"},
        {"source": "p4", "target": "gis"},
    ],
    "IN_WORKSTREAM": [{"source": "p2", "target": "WS4"}],
    "WORKS_ON": [
        {"source": "ann", "target": "p1", "role": "lead"},
        {"source": "bo", "target": "p1", "role": "data scientist"},
        {"source": "cy", "target": "p2", "role": "lead"},
    ],
}


def _cells(row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["stage"]: c for c in row["cells"]}


def _rows(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in answer["rows"]}


@pytest.fixture
def mapped(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        get_store().write(write_graph, MAP_NODES, MAP_RELS)
    return app


def test_which_cell_each_workstream_project_and_person_lands_in(mapped, client) -> None:
    answer = client.get("/api/journey").get_json()
    assert [c["id"] for c in answer["columns"]] == ["idea", "demonstration", "production", "maintenance"]
    # Themes by position, the facilitators after them.
    assert [r["id"] for r in answer["rows"]] == ["quality", "training-data", "ethics", "sharing"]
    rows = _rows(answer)
    quality = _cells(rows["quality"])
    # WS2 takes only the stages listed on its link; p1 lands at its stage through its topic, with its two people.
    assert quality["demonstration"] == {
        "stage": "demonstration",
        "workstreams": ["WS2"],
        "projects": ["p1"],
        "members": 2,
        "to_be_defined": False,
    }
    assert quality["production"]["workstreams"] == ["WS2"] and quality["production"]["projects"] == []
    assert quality["idea"]["to_be_defined"] and quality["maintenance"]["to_be_defined"]
    # An empty list of stages is every stage; p2 lands through its workstream.
    training = _cells(rows["training-data"])
    assert all(c["workstreams"] == ["WS4"] and not c["to_be_defined"] for c in training.values())
    assert training["production"]["projects"] == ["p2"] and training["production"]["members"] == 1
    assert training["idea"]["projects"] == []
    # Nothing serves ethics or the facilitator; a project with no stage and one on a topic of no theme land nowhere.
    assert all(c["to_be_defined"] for c in _cells(rows["ethics"]).values())
    assert all(c["to_be_defined"] for c in _cells(rows["sharing"]).values())
    placed = {p for r in answer["rows"] for c in r["cells"] for p in c["projects"]}
    assert placed == {"p1", "p2"}
    assert answer["to_be_defined"] == 2 + 0 + 4 + 4


def test_the_map_page_reads_like_the_groups_table(mapped, client) -> None:
    page = client.get("/journey").get_data(as_text=True)
    assert "<h1>The journey: themes by stage</h1>" in page
    for words in wording.STAGE_HEADINGS.values():
        assert str(words) in page
    # The facilitators are a band of their own, below the themes.
    assert (
        page.index("Good training data")
        < page.index("Facilitated by")
        < page.index("Sharing and collaboration")
    )
    assert page.index("Quality") < page.index("Good training data") < page.index("Ethics and legal")
    # Empty cells say so in the group's words and are marked as gaps.
    assert page.count('class="gap"') == 10 and page.count('<span class="tbd">To be defined</span>') >= 10
    # Each thing links to its page; people are named (sorted) with links to their profiles, never emails.
    assert 'href="/projects/p1">Linking the census</a>' in page
    assert 'href="/workstreams/WS2">WS2</a>' in page
    assert (
        "2 people: " in page
        and '<a href="/members/ann">Ann Adams</a>, <a href="/members/bo">Bo Berg</a>' in page
    )
    assert all(f"{m}@example.org" not in page for m in ("ann", "bo", "cy"))
    assert 'href="/themes/quality"' in page


def test_a_cell_names_a_few_people_and_counts_the_rest(app, client) -> None:
    people = [{"id": f"m{i}", "name": f"Person {i}", "email": f"m{i}@example.org"} for i in range(5)]
    nodes = {
        "Theme": [{"id": "quality", "name": "Quality", "kind": "theme", "position": "01"}],
        "Topic": [{"id": "nlp", "name": "NLP"}],
        "Member": people,
        "Project": [project("a", "idea"), project("b", "idea")],
    }
    rels = {
        "OF_THEME": [{"source": "nlp", "target": "quality"}],
        "ON_TOPIC": [{"source": "a", "target": "nlp"}, {"source": "b", "target": "nlp"}],
        # m0 works on both projects: counted once.
        "WORKS_ON": [{"source": f"m{i}", "target": "a", "role": ""} for i in range(3)]
        + [{"source": f"m{i}", "target": "b", "role": ""} for i in (0, 3, 4)],
    }
    with app.app_context():
        get_store().write(write_graph, nodes, rels)
    page = client.get("/journey").get_data(as_text=True)
    assert "5 people: " in page and "Person 2</a> and 2 more" in page and "Person 3<" not in page
    assert _cells(client.get("/api/journey").get_json()["rows"][0])["idea"]["members"] == 5


def test_a_theme_page_and_the_theme_api(mapped, client) -> None:
    page = client.get("/themes/quality").get_data(as_text=True)
    assert "<h1>Quality</h1>" in page and "Accuracy, timeliness" in page
    assert 'href="/workstreams/WS2">WS2</a> Quality framework: demonstration, production' in page
    assert 'href="/topics/record-linkage">record linkage</a>' in page
    assert 'href="/projects/p1">Linking the census</a>' in page
    assert page.count('<span class="tbd">To be defined</span>') == 2
    assert client.get("/themes/nope").status_code == 404
    one = client.get("/api/themes/training-data").get_json()
    assert one["workstreams"] == [
        {
            "id": "WS4",
            "name": "Training data",
            "stages": ["idea", "demonstration", "production", "maintenance"],
        }
    ]
    assert [s["projects"] for s in one["stages"]] == [[], [], [{"id": "p2", "title": "Labelled images"}], []]
    assert client.get("/api/themes/nope").status_code == 404
    listed = client.get("/api/themes").get_json()
    assert [t["id"] for t in listed["items"]] == ["quality", "training-data", "ethics", "sharing"]
    assert listed["items"][0]["topics"] == ["record-linkage"] and listed["total"] == 4


def test_no_themes_yet(client) -> None:
    page = client.get("/journey").get_data(as_text=True)
    assert "No themes yet" in page and "No project is on a topic yet" in page
    assert client.get("/api/journey").get_json()["rows"] == []


def test_members_may_read_themes_but_not_the_map(mapped) -> None:
    member = signed_in(mapped, "member@example.org", "member")
    assert member.get("/journey").status_code == 403
    assert member.get("/api/journey").status_code == 403
    assert member.get("/themes/quality").status_code == 200
    assert member.get("/api/themes").status_code == 200
    assert 'href="/journey"' not in member.get("/themes/quality").get_data(as_text=True)
    coordinator = signed_in(mapped, "co@example.org", "coordinator")
    assert coordinator.get("/journey").status_code == 200
    assert 'href="/journey"' in coordinator.get("/coverage").get_data(as_text=True)  # (the navigation)


def test_hostile_names_are_shown_as_text(app, client) -> None:
    nodes = {
        "Theme": [
            {
                "id": "bad",
                "name": HOSTILE_THEME,
                "kind": "theme",
                "position": "01",
                "description": HOSTILE_THEME,
            }
        ],
        "Topic": [{"id": "t", "name": HOSTILE_PROJECT}],
        "Workstream": [{"id": "WS9", "name": HOSTILE_THEME}],
        "Project": [project(f"x{i}", "demonstration", HOSTILE_PROJECT) for i in range(STUCK_AT_LEAST)],
    }
    rels = {
        "OF_THEME": [{"source": "t", "target": "bad"}],
        "SERVES": [{"source": "WS9", "target": "bad", "stages": ""}],
        "ON_TOPIC": [{"source": f"x{i}", "target": "t"} for i in range(STUCK_AT_LEAST)],
    }
    with app.app_context():
        get_store().write(write_graph, nodes, rels)
    for url in ("/journey", "/themes/bad", "/coverage"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;img src=x onerror=" in page, url
    assert "&lt;script&gt;alert(" in client.get("/themes/bad").get_data(as_text=True)


# --- Per topic: the projects at each stage, and where they stop ------------------------------------------


def stuck_graph(at_demonstration: int, *, production: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """``at_demonstration`` projects on record linkage at demonstration (and ``production`` further on),
    one at idea."""
    projects = [project(f"d{i}", "demonstration") for i in range(at_demonstration)]
    projects += [project(f"p{i}", "production") for i in range(production)] + [project("i0", "idea")]
    nodes = {"Topic": [{"id": "record-linkage", "name": "record linkage"}], "Project": projects}
    rels = {"ON_TOPIC": [{"source": p["id"], "target": "record-linkage"} for p in projects]}
    return nodes, rels


def _stuck(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for g in report["gaps"] if g["kind"] == "stuck"]


@pytest.mark.parametrize(
    ("at_demonstration", "production", "stuck"),
    [(STUCK_AT_LEAST - 1, 0, False), (STUCK_AT_LEAST, 0, True), (STUCK_AT_LEAST + 2, 1, False)],
)
def test_the_stuck_rule_at_its_boundary(
    store: Store, at_demonstration: int, production: int, stuck: bool
) -> None:
    store.write(write_graph, *stuck_graph(at_demonstration, production=production))
    report = store.read(reports.coverage_report)
    found = _stuck(report)
    assert bool(found) == stuck
    [topic] = store.read(reports.topic_stages_of)
    assert topic["counts"] == {
        "idea": 1,
        "demonstration": at_demonstration,
        "production": production,
        "maintenance": 0,
    }
    if stuck:
        [gap] = found
        assert (gap["subject"], gap["name"], gap["severity"]) == ("record-linkage", "record linkage", 2)
        assert wording.gap_detail(gap) == f"{STUCK_AT_LEAST} projects reached demonstration, none production"
        # Counted with the others by severity, and ranked with them: the report's order is kept.
        assert report["summary"]["gaps"] == dict(Counter(str(g["severity"]) for g in report["gaps"]))
        order = [(-g["severity"], g["kind"], g["subject"]) for g in report["gaps"]]
        assert order == sorted(order)


def test_stuck_in_production_is_worth_a_look_and_maintenance_is_the_end(store: Store) -> None:
    projects = [project(f"p{i}", "production") for i in range(STUCK_AT_LEAST)]
    projects += [project(f"m{i}", "maintenance") for i in range(STUCK_AT_LEAST)]
    nodes = {"Topic": [{"id": "nlp", "name": "NLP"}, {"id": "cv", "name": "CV"}], "Project": projects}
    rels = {
        "ON_TOPIC": [{"source": p["id"], "target": "nlp" if p["id"][0] == "p" else "cv"} for p in projects]
    }
    store.write(write_graph, nodes, rels)
    [gap] = _stuck(store.read(reports.coverage_report))
    assert (gap["subject"], gap["severity"], gap["numbers"]["next"]) == ("nlp", 1, "maintenance")


def test_a_project_write_that_changed_no_member_renews_the_stuck_gaps(store: Store) -> None:
    nodes, rels = stuck_graph(STUCK_AT_LEAST - 1)
    store.write(write_graph, nodes, rels)
    assert _stuck(store.read(reports.coverage_report)) == []
    # One more project at demonstration, written as a project's write is: it declares that no member changed.
    more = {"Project": [project("late", "demonstration")]}
    store.write(
        write_graph, more, {"ON_TOPIC": [{"source": "late", "target": "record-linkage"}]}, touched=True
    )
    assert [g["subject"] for g in _stuck(store.read(reports.coverage_report))] == ["record-linkage"]
    # A retired topic is no gap.
    store.write(lambda tx: tx.run("MATCH (t:Topic {id: 'record-linkage'}) SET t.status = 'retired'"))
    assert _stuck(store.read(reports.coverage_report)) == []


def test_stuck_as_of_a_day_from_the_days_stages_were_reached(store: Store) -> None:
    from datetime import date

    projects = [
        project(f"d{i}", "demonstration", idea="2021-01-01", demonstration="2022-01-10")
        for i in range(STUCK_AT_LEAST)
    ]
    projects.append(project("far", "production", demonstration="2022-02-01", production="2023-06-01"))
    nodes = {"Topic": [{"id": "record-linkage", "name": "record linkage"}], "Project": projects}
    rels = {"ON_TOPIC": [{"source": p["id"], "target": "record-linkage"} for p in projects]}
    store.write(write_graph, nodes, rels)
    assert _stuck(store.read(reports.coverage_report)) == []  # today: one reached production
    then = store.read(reports.coverage_report_as_of, date(2022, 12, 31))
    assert [g["numbers"]["projects"] for g in _stuck(then)] == [STUCK_AT_LEAST + 1]
    # Earlier, the same projects were all ideas (the one dated later not yet counted): stuck at idea.
    earlier = _stuck(store.read(reports.coverage_report_as_of, date(2021, 6, 30)))
    assert [(g["numbers"]["stage"], g["numbers"]["projects"]) for g in earlier] == [("idea", STUCK_AT_LEAST)]
    assert _stuck(store.read(reports.coverage_report_as_of, date(2020, 12, 31))) == []


@pytest.fixture
def stuck_app(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        get_store().write(write_graph, *stuck_graph(STUCK_AT_LEAST))
    return app


def test_the_gap_on_the_dashboard_and_in_the_api(stuck_app, client) -> None:
    page = client.get("/coverage").get_data(as_text=True)
    detail = f"{STUCK_AT_LEAST} projects reached demonstration, none production"
    assert detail in page and '<a href="/topics/record-linkage">record linkage</a>' in page
    assert 'id="stuck-heading"' in page and "stuck at demonstration" in page
    gaps = client.get("/api/gaps").get_json()
    [gap] = [g for g in gaps["gaps"] if g["kind"] == "stuck"]
    assert gap["detail"] == detail and gap["numbers"]["stage"] == "demonstration"
    assert gaps["summary"]["gaps"]["serious"] >= 1
    [topic] = client.get("/api/journey").get_json()["topics"]
    assert topic["stuck"] == "demonstration" and topic["counts"]["demonstration"] == STUCK_AT_LEAST


def _opened(store_config: dict[str, str]) -> Store:
    if "NEO4J_URI" in store_config:
        return Neo4jStore(store_config["NEO4J_URI"], None, None, None)
    return LadybugStore(store_config["GRAPHAPP_DB"])


@pytest.fixture
def stuck_store(store_config: dict[str, str]) -> Iterator[None]:
    opened = _opened(store_config)
    try:
        create_schema(opened)
        opened.write(write_graph, *stuck_graph(STUCK_AT_LEAST))
    finally:
        opened.close()
    yield


def test_the_gap_in_the_cli(stuck_store, runner) -> None:
    text = runner.invoke("gaps").stdout
    assert (
        f"[2] stuck: record linkage: {STUCK_AT_LEAST} projects reached demonstration, none production" in text
    )
    report = json.loads(runner.invoke("gaps", "--json").stdout)
    assert [g["subject"] for g in report["gaps"] if g["kind"] == "stuck"] == ["record-linkage"]
    assert report["thresholds"]["stuck_projects"] == STUCK_AT_LEAST
    # The threshold can be set like the others: one more than there are, and the topic is not stuck.
    higher = json.loads(
        runner.invoke("gaps", "--json", "--set", f"stuck_projects={STUCK_AT_LEAST + 1}").stdout
    )
    assert [g for g in higher["gaps"] if g["kind"] == "stuck"] == []


def test_each_page_and_answer_reads_in_one_transaction(mapped, client, monkeypatch) -> None:
    from tests.test_page_transactions import Transactions

    with mapped.app_context():
        transactions = Transactions(mapped, get_store(), monkeypatch)
    assert transactions.of(client, "GET", "/journey") == [("read", "journey_page")]
    assert transactions.of(client, "GET", "/themes/quality") == [("read", "theme_page")]
    assert transactions.of(client, "GET", "/api/journey") == [("read", "journey_page")]
    assert transactions.of(client, "GET", "/api/themes/quality") == [("read", "theme_page")]
    assert [kind for kind, _ in transactions.of(client, "GET", "/api/themes")] == ["read"]
    assert [kind for kind, _ in transactions.of(client, "GET", "/coverage")] == ["read"]

"""Coverage rolled up by competence area and region (issue 14 §3), on both stores: each area counts the
members holding its topics (its narrower areas' included) once, at their highest level there, per UN M49
region and across the network; the findings (no expert in a region, no expert anywhere, more learners than
experts) at their boundaries; retired topics count for nothing, lapsed and unsuggestible members still
count; kept per graph revision yet new after a taxonomy import; checked against a count written out from
plain rows on the demo; the page, the API and the CLI say the same; hostile area names are text."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from graphapp import vocabulary
from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.queries.coverage import M49_REGIONS
from graphapp.reports import area_coverage
from graphapp.taxonomy import EDSF_FILE, import_taxonomy
from tests.helpers import member, signed_in, write_csv
from tests.test_taxonomy import taxonomy_csv

# Data Management holds two competences; Analytics one with a topic and one without.
TAXONOMY = taxonomy_csv(
    [
        {"id": "dm", "name": "Data Management", "broader": "", "topics": ""},
        {"id": "dm1", "name": "Data integration", "broader": "dm", "topics": "record linkage"},
        {"id": "dm2", "name": "Data governance", "broader": "dm", "topics": "data governance; privacy"},
        {"id": "an", "name": "Analytics", "broader": "", "topics": ""},
        {"id": "an1", "name": "Machine learning", "broader": "an", "topics": "machine learning"},
        {"id": "an2", "name": "Nothing placed", "broader": "an", "topics": ""},
    ]
)
# NLD: Europe, KEN: Africa, BRA: Americas, JPN: Asia.
PEOPLE = [
    ("Ana", "NLD", "record linkage:expert; data governance:learning"),
    ("Ben", "KEN", "data governance:practising; privacy:learning"),
    ("Cai", "KEN", "privacy:learning"),
    ("Dee", "BRA", "machine learning:expert"),
    ("Eve", "BRA", "machine learning:learning"),
    ("Fay", "JPN", "machine learning:learning; record linkage:learning"),
]


def people_file(
    tmp_path: Path, people: list[tuple[str, str, str]], name: str = "members.csv", **extra: str
) -> Path:
    rows = [
        member(who, f"{who.lower()}@example.org", country=country, topics=topics, **extra)
        for who, country, topics in people
    ]
    return write_csv(tmp_path / name, rows)


def load_network(store: Any, tmp_path: Path) -> None:
    import_files(store, [people_file(tmp_path, PEOPLE)], new_topics=True)
    store.write(import_taxonomy, TAXONOMY, "mine.csv")


@pytest.fixture
def network(store: Any, tmp_path: Path) -> Any:
    load_network(store, tmp_path)
    return store


def areas_by_id(rolled: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}

    def walk(a: dict[str, Any]) -> None:
        out[a["id"]] = a
        for n in a["narrower"]:
            walk(n)

    for a in rolled["areas"]:
        walk(a)
    return out


def cell(rolled: dict[str, Any], area: str, region: str | None = None) -> tuple[int, int, int]:
    """(experts, practising, learning) of an area in a region, or across the network."""
    a = areas_by_id(rolled)[area]
    n = a["network"] if region is None else a["regions"][region]
    assert n["members"] == n["expert"] + n["practising"] + n["learning"]
    return n["expert"], n["practising"], n["learning"]


def findings(rolled: dict[str, Any], kind: str) -> set[tuple[str, str | None]]:
    return {(f["area"], f["region"]) for f in rolled["findings"] if f["kind"] == kind}


def test_each_area_counts_its_members_once_at_their_highest_level_at_every_level(network) -> None:
    rolled = network.read(area_coverage)
    assert [a["name"] for a in rolled["areas"]] == ["Data Management", "Analytics"]
    assert [a["name"] for a in rolled["areas"][0]["narrower"]] == ["Data integration", "Data governance"]
    # Ana holds two topics of Data Management: one expert, counted once, as its expert. Fay learns
    # record linkage: a learner of it. Ben holds governance (practising) and privacy (learning): once,
    # practising.
    assert cell(rolled, "dm") == (1, 1, 2)
    assert cell(rolled, "dm1") == (1, 0, 1)
    assert cell(rolled, "dm2") == (0, 1, 2)  # Ana learns governance, Ben practises it, Cai learns privacy
    assert cell(rolled, "dm", "Africa") == (0, 1, 1)
    assert cell(rolled, "dm", "Europe") == (1, 0, 0)
    assert cell(rolled, "dm", "Asia") == (0, 0, 1)
    assert cell(rolled, "dm", "Oceania") == (0, 0, 0)
    assert cell(rolled, "an") == (1, 0, 2) and cell(rolled, "an1") == (1, 0, 2)
    assert cell(rolled, "an2") == (0, 0, 0)
    depth = {a: v["depth"] for a, v in areas_by_id(rolled).items()}
    assert depth == {"dm": 0, "dm1": 1, "dm2": 1, "an": 0, "an1": 1, "an2": 1}
    assert areas_by_id(rolled)["dm"]["topics"] == 3 and areas_by_id(rolled)["an2"]["topics"] == 0
    assert rolled["regions"] == list(M49_REGIONS)


def test_no_expert_in_a_region_where_members_hold_the_area_and_no_expert_anywhere(network) -> None:
    rolled = network.read(area_coverage)
    assert findings(rolled, "no-expert-in-region") == {
        ("dm", "Africa"),
        ("dm", "Asia"),
        ("dm1", "Asia"),
        ("dm2", "Africa"),
        ("dm2", "Europe"),
        ("an1", "Asia"),
        ("an", "Asia"),
    }
    # (Oceania: nobody holds anything there, which is the region's gap, not the area's.)
    # Nobody is expert in governance; an area with no topic placed is no finding.
    assert findings(rolled, "no-expert-anywhere") == {("dm2", None)}
    assert rolled["summary"]["no-expert-anywhere"] == 1
    assert rolled["summary"]["no-expert-in-region"] == 7


def test_learning_demand_exceeds_expert_supply_only_past_its_boundary(network, tmp_path) -> None:
    rolled = network.read(area_coverage)
    demand = findings(rolled, "demand-exceeds-supply")
    # Across the network: dm has 2 learners for 1 expert; dm1 1 for 1 (not more); an 2 for 1.
    assert {a for a, r in demand if r is None} == {"dm", "dm2", "an", "an1"}
    # In the Americas, machine learning has one learner for one expert: not more...
    assert ("an1", "Americas") not in demand and cell(rolled, "an1", "Americas") == (1, 0, 1)
    # ... until a second learner joins there (a write: the rollup kept for the old revision is not used).
    import_files(network, [people_file(tmp_path, [("Gus", "BRA", "machine learning:learning")], "gus.csv")])
    rolled = network.read(area_coverage)
    assert cell(rolled, "an1", "Americas") == (1, 0, 2)
    assert {("an1", "Americas"), ("an", "Americas")} <= findings(rolled, "demand-exceeds-supply")
    assert rolled["summary"]["demand-exceeds-supply"] == 4  # (network-wide)
    assert rolled["summary"]["demand-in-regions"] == len(
        [f for f in rolled["findings"] if f["kind"] == "demand-exceeds-supply" and f["region"]]
    )


def test_retired_topics_count_for_nothing(network) -> None:
    before = network.read(area_coverage)
    assert ("dm", "Africa") in findings(before, "demand-exceeds-supply")
    network.write(vocabulary.retire, "privacy")
    rolled = network.read(area_coverage)
    # Cai held only privacy: gone from Data Management; Ben stays, practising governance.
    assert cell(rolled, "dm2") == (0, 1, 1) and cell(rolled, "dm", "Africa") == (0, 1, 0)
    assert areas_by_id(rolled)["dm2"]["topics"] == 1
    assert ("dm", "Africa") not in findings(rolled, "demand-exceeds-supply")
    assert ("dm", "Africa") in findings(rolled, "no-expert-in-region")


def test_lapsed_and_unsuggestible_members_still_count_for_supply(network, tmp_path) -> None:
    # Dee chooses not to be suggested, then lapses: still the expert in machine learning.
    again = people_file(tmp_path, [PEOPLE[3]], "dee.csv", suggestible="no")
    import_files(network, [again])
    network.write(
        lambda tx: tx.run(
            "MATCH (m:Member {email: 'dee@example.org'}) SET m.lapsed = '2026-01-01T00:00:00+00:00'"
        )
    )
    assert (
        network.read(
            lambda tx: tx.run("MATCH (m:Member {email: 'dee@example.org'}) RETURN m.suggestible AS s")
        )[0]["s"]
        == "no"
    )
    rolled = network.read(area_coverage)
    assert cell(rolled, "an1", "Americas") == (1, 0, 1)
    assert ("an1", None) not in findings(rolled, "no-expert-anywhere")


def test_kept_per_revision_and_made_anew_after_a_taxonomy_import(network) -> None:
    first = network.read(area_coverage)
    assert network.read(area_coverage) is first  # kept while nothing is written
    # A taxonomy import changes no member (it declares so), yet the rollup follows it.
    other = taxonomy_csv(
        [{"id": "all", "name": "Everything", "broader": "", "topics": "privacy; machine learning"}]
    )
    network.write(import_taxonomy, other, "other.csv")
    rolled = network.read(area_coverage)
    assert [a["id"] for a in rolled["areas"]] == ["all"]
    assert cell(rolled, "all") == (1, 0, 4)  # Dee; Ben and Cai (privacy), Eve and Fay
    # A write that changes no member and not the taxonomy keeps it.
    network.write(lambda tx: tx.touched([]))
    assert network.read(area_coverage) is rolled


def reference(store: Any) -> dict[tuple[str, str | None], tuple[int, int, int]]:
    """The rollup counted the obvious way from plain rows: each member's topics, each topic's areas and
    every broader area above, the highest level per member and area."""
    rank = {"learning": 0, "practising": 1, "expert": 2}
    interests = store.read(
        lambda tx: tx.run(
            "MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic) "
            "RETURN m.id AS m, m.region AS region, t.id AS t, r.level AS level, t.status AS status"
        )
    )
    places = store.read(lambda tx: tx.run("MATCH (t:Topic)-[:IN_AREA]->(a:Area) RETURN t.id AS t, a.id AS a"))
    broader = {
        r["a"]: r["b"]
        for r in store.read(
            lambda tx: tx.run("MATCH (a:Area)-[:BROADER]->(b:Area) RETURN a.id AS a, b.id AS b")
        )
    }
    areas_of: dict[str, set[str]] = defaultdict(set)
    for p in places:
        at = p["a"]
        while at:
            areas_of[p["t"]].add(at)
            at = broader.get(at, "")
    best: dict[tuple[str, str], tuple[int, str | None]] = {}
    for i in interests:
        if i["status"] == "retired":
            continue
        for a in areas_of[i["t"]]:
            held = best.get((a, i["m"]))
            if held is None or rank[i["level"]] > held[0]:
                best[(a, i["m"])] = (rank[i["level"]], i["region"])
    counts: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (a, _), (level, region) in best.items():
        for where in {None, region}:  # (a member with no region counts only across the network)
            counts[(a, where)][2 - level] += 1
    return {k: (v[0], v[1], v[2]) for k, v in counts.items()}


def test_the_demo_rolls_up_as_counted_from_plain_rows(store) -> None:
    import_files(store, DEMO_FILES)
    store.write(import_taxonomy, EDSF_FILE.read_bytes(), "edsf.csv")
    store.write(vocabulary.retire, "record linkage")  # (one retired topic, left out by both)
    rolled = store.read(area_coverage)
    expected = reference(store)
    shown = areas_by_id(rolled)
    assert len(shown) == 35
    held = 0
    for a in shown:
        for region in (None, *M49_REGIONS):
            assert cell(rolled, a, region) == expected.get((a, region), (0, 0, 0)), (a, region)
            held += sum(cell(rolled, a, region))
    assert held > 150  # (the demo's members hold the areas: not a comparison of zeros)
    # The findings follow from those numbers.
    for f in rolled["findings"]:
        e, p, learning = expected.get((f["area"], f["region"]), (0, 0, 0))
        if f["kind"] == "demand-exceeds-supply":
            assert learning > e
        else:
            assert e == 0


# --- The page, the API, the CLI ------------------------------------------------------------------------


@pytest.fixture
def coordinator(app: Any, tmp_path: Path) -> Any:
    with app.app_context():
        load_network(get_store(), tmp_path)
    return signed_in(app, "coordinator@example.org", "coordinator")


def test_the_page_says_it_plainly_then_a_table_per_top_area(coordinator) -> None:
    response = coordinator.get("/coverage/areas")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    summary = page.index("Data Management has no expert in Africa or Asia.")
    assert summary < page.index("<table")  # the summary comes first
    assert "1 area has no expert anywhere in the network: Data governance." in page
    assert "Learning demand exceeds expert supply in 4 areas across the network" in page
    tables = re.findall(r"<table class=\"data rollup\">.*?</table>", page, re.S)
    assert len(tables) == 2  # one per top area
    dm = tables[0]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', dm)
    assert headers == ["Area", "All regions", *M49_REGIONS]
    rows = re.findall(r"<tr class=\"depth-(\d)\">\s*<th scope=\"row\">([^<]+)", dm)
    assert rows == [("0", "Data Management"), ("1", "Data integration"), ("1", "Data governance")]
    # Data Management in Africa: the numbers, linked to the area, and the findings in words.
    africa = re.search(
        r'<td class="finding"><a href="/areas#area-dm" aria-label="Data Management, Africa: ([^"]+)">([^<]+)</a>(.*?)</td>',
        dm,
        re.S,
    )
    assert africa, dm
    assert africa.group(1) == "0 experts, 1 practising, 1 learning" and africa.group(2) == "0 / 1 / 1"
    assert "no expert</span>" in africa.group(3) and "more learners than experts</span>" in africa.group(3)
    assert "(no topic placed)" in tables[1]  # Analytics' empty competence
    assert (
        "Every finding in words" in page
        and "Data governance has no expert anywhere in the network (1 practising, 2 learning)" in page
    )


def test_the_region_filter_shows_one_region_beside_the_network(coordinator) -> None:
    page = coordinator.get("/coverage/areas?region=Africa").get_data(as_text=True)
    tables = re.findall(r"<table class=\"data rollup\">.*?</table>", page, re.S)
    assert re.findall(r'<th scope="col">([^<]+)</th>', tables[0]) == ["Area", "All regions", "Africa"]
    assert "Asia" not in tables[0] and "Data Management has no expert in Africa." in page
    assert "1 narrower area has no expert in Africa where members hold them." in page
    assert '<option value="Africa" selected>Africa</option>' in page
    bad = coordinator.get("/coverage/areas?region=Atlantis")
    assert bad.status_code == 400 and "region must be one of" in bad.get_data(as_text=True)


def test_without_a_taxonomy_the_page_says_so_and_links_to_the_import(app) -> None:
    coordinator = signed_in(app, "coordinator@example.org", "coordinator")
    page = coordinator.get("/coverage/areas").get_data(as_text=True)
    assert "No competence taxonomy is held yet" in page and 'href="/areas/import"' in page
    assert "<table" not in page


def test_the_areas_and_coverage_pages_link_to_it_for_coordinators(coordinator, app) -> None:
    assert 'href="/coverage/areas"' in coordinator.get("/areas").get_data(as_text=True)
    assert 'href="/coverage/areas"' in coordinator.get("/coverage").get_data(as_text=True)
    member = signed_in(app, "member@example.org", "member")
    assert 'href="/coverage/areas"' not in member.get("/areas").get_data(as_text=True)
    assert member.get("/coverage/areas").status_code == 403
    assert member.get("/api/coverage/areas").status_code == 403


def test_the_api_gives_the_same_numbers_with_the_findings_in_words(coordinator, app) -> None:
    answer = coordinator.get("/api/coverage/areas").get_json()
    with app.app_context():
        rolled = get_store().read(area_coverage)
    assert answer["areas"] == json.loads(json.dumps(rolled["areas"]))
    assert answer["summary"] == rolled["summary"]
    assert answer["said"][0] == "1 area has no expert anywhere in the network: Data governance."
    assert {f["detail"] for f in answer["findings"]} >= {
        "Data Management has no expert in Africa (1 practising, 1 learning)",
        "Data integration: more members learning it than expert in it, in Asia (1 learning)",
    }
    africa = coordinator.get("/api/coverage/areas?region=Africa").get_json()
    assert africa["regions"] == ["Africa"] and {f["region"] for f in africa["findings"]} <= {"Africa", None}
    assert list(africa["areas"][0]["regions"]) == ["Africa"]
    bad = coordinator.get("/api/coverage/areas?region=Atlantis")
    assert bad.status_code == 400 and "region" in bad.get_json()["error"]["message"]


def test_the_cli_prints_the_summary_and_the_tree_and_json(runner, store_config, tmp_path) -> None:
    from graphapp.store import open_store

    empty = runner.invoke("taxonomy", "coverage")
    assert empty.exit_code == 0 and "no taxonomy" in empty.output
    with open_store() as store:
        load_network(store, tmp_path)
    result = runner.invoke("taxonomy", "coverage")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Data Management has no expert in Africa or Asia." in lines
    assert (
        "Data Management: 1/1/2  0/1/1  0/0/0  0/0/1  1/0/0  0/0/0  (no expert in Africa; no expert in Asia; more learners than experts; more learners than experts in Africa; more learners than experts in Asia)"
        in lines
    )
    assert (
        "  Data integration: 1/0/1  0/0/0  0/0/0  0/0/1  1/0/0  0/0/0  (no expert in Asia; more learners than experts in Asia)"
        in lines
    )
    answer = json.loads(runner.invoke("taxonomy", "coverage", "--json", "--region", "Asia").output)
    assert answer["regions"] == ["Asia"] and answer["said"]
    bad = runner.invoke("taxonomy", "coverage", "--region", "Atlantis")
    assert bad.exit_code != 0 and "must be one of" in bad.output


HOSTILE = "<script>alert('area')</script>"


def test_hostile_area_names_are_shown_as_text(app, tmp_path) -> None:
    with app.app_context():
        store = get_store()
        import_files(store, [people_file(tmp_path, PEOPLE)], new_topics=True)
        bad = taxonomy_csv(
            [
                {"id": "x", "name": HOSTILE, "broader": "", "topics": "privacy"},
                {
                    "id": "y",
                    "name": '"><img src=x onerror=alert(1)>',
                    "broader": "x",
                    "topics": "record linkage",
                },
            ]
        )
        store.write(import_taxonomy, bad, "bad.csv")
    coordinator = signed_in(app, "coordinator@example.org", "coordinator")
    page = coordinator.get("/coverage/areas").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;area&#39;)&lt;/script&gt;" in page
    answer = coordinator.get("/api/coverage/areas").get_json()
    assert answer["areas"][0]["name"] == HOSTILE

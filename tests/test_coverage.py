"""The coverage report, on a small network whose gaps are known, and on the demo."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from graphapp import wording
from graphapp.analytics.brokers import ContactCuts, contact_lists, cut_pieces, find_cuts, rank_brokers
from graphapp.analytics.clusters import pairs_within
from graphapp.analytics.coverage import Thresholds
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.ingest.normalise import member_id
from graphapp.reports import contact_cuts, coverage_report_of
from tests.helpers import member, write_csv


@pytest.fixture
def small(store, tmp_path: Path):
    write_csv(
        tmp_path / "workstreams.csv",
        [
            {
                "id": "WS1",
                "name": "Studies",
                "description": "",
                "covers": "record linkage; satellite imagery",
            },
            {"id": "WS4", "name": "Training data", "description": "", "covers": "training data"},
        ],
    )
    write_csv(tmp_path / "topics.csv", [{"id": "", "name": "quantum statistics", "aliases": ""}])
    people = [
        member(
            "Ana",
            "ana@example.org",
            organisation="ONS",
            country="GBR",
            topics="record linkage:expert; nlp:learning",
            workstreams="WS1:lead",
            knows="bo@example.org",
        ),
        member(
            "Bo",
            "bo@example.org",
            organisation="ONS",
            country="GBR",
            topics="record linkage:learning; nlp:learning",
            workstreams="WS1",
            knows="cy@example.org",
        ),
        member(
            "Cy",
            "cy@example.org",
            organisation="Statistics Canada",
            country="CAN",
            topics="nlp:learning; web scraping",
            workstreams="WS4",
            knows="di@example.org",
        ),
        member(
            "Di", "di@example.org", organisation="Statistics Canada", country="CAN", topics="nlp:learning"
        ),
        member(
            "Ed", "ed@example.org", organisation="Stats SA", country="ZAF", topics="edge computing:expert"
        ),
    ]
    write_csv(tmp_path / "members.csv", people)
    import_files(
        store,
        [tmp_path / "workstreams.csv", tmp_path / "topics.csv", tmp_path / "members.csv"],
        new_topics=True,
    )
    return store.read(coverage_report_of, Thresholds(few_workstream_members=2))


def _found(report, kind: str) -> dict[str, dict]:
    return {g["subject"]: g for g in report["gaps"] if g["kind"] == kind}


def test_topic_gaps(small) -> None:
    unheld = _found(small, "topic-unheld")
    assert set(unheld) == {"satellite-imagery", "training-data", "quantum-statistics"}
    assert unheld["satellite-imagery"]["severity"] == 3  # a workstream covers it
    assert unheld["quantum-statistics"]["severity"] == 2
    assert set(_found(small, "topic-single-person")) == {"web-scraping", "edge-computing"}
    assert set(_found(small, "topic-single-organisation")) == {"record-linkage"}
    assert set(_found(small, "topic-without-expert")) >= {"nlp", "web-scraping"}
    nlp = _found(small, "topic-without-expert")["nlp"]
    assert nlp["numbers"] == {"holders": 4, "organisations": 2, "learning": 4, "practising": 0, "expert": 0}


def test_workstream_region_organisation_and_member_gaps(small) -> None:
    assert set(_found(small, "workstream-without-lead")) == {"WS4"}
    assert set(_found(small, "workstream-few-members")) == {"WS4"}
    assert set(_found(small, "region-without-members")) == {"Asia", "Oceania"}
    assert set(_found(small, "region-few-members")) == {"Africa", "Americas", "Europe"}
    assert set(_found(small, "organisation-single-member")) == {"stats-sa"}
    assert set(_found(small, "member-without-peer")) == {member_id("ed@example.org")}


def test_brokers_split_the_contact_network(small) -> None:
    found = _found(small, "broker")
    # Ana - Bo - Cy - Di is a path: Bo and Cy each hold it together.
    assert set(found) == {member_id("bo@example.org"), member_id("cy@example.org")}
    # Betweenness as networkx gives it for the whole contact network, Ed (no contacts) included: the
    # report counts paths among the people with contacts and scales by every member.
    ana, bo, cy, di, ed = (member_id(f"{n}@example.org") for n in ("ana", "bo", "cy", "di", "ed"))
    G = nx.Graph([(ana, bo), (bo, cy), (cy, di)])
    G.add_node(ed)
    expected = nx.betweenness_centrality(G, normalized=True)
    assert {m: g["numbers"]["betweenness"] for m, g in found.items()} == {
        m: round(expected[m], 6) for m in found
    }
    assert found[bo]["numbers"]["separated_pairs"] == 2  # Ana with Cy, and Ana with Di


def test_report_is_ordered_by_severity(small) -> None:
    severities = [g["severity"] for g in small["gaps"]]
    assert severities == sorted(severities, reverse=True)
    assert small["summary"]["gaps"]["3"] >= 3


def test_each_gap_is_said_in_words(small) -> None:
    """The sentences the API, the CLI and the dashboard show, made from each gap's kind and numbers."""
    said = wording.worded_report(small)
    detail = {(g["kind"], g["subject"]): g["detail"] for g in said["gaps"]}
    assert detail[("topic-unheld", "satellite-imagery")] == "nobody works on it; WS1 covers it"
    assert detail[("topic-unheld", "quantum-statistics")] == "nobody works on it"
    assert detail[("topic-without-expert", "nlp")] == "no expert; 4 learning"
    assert detail[("workstream-few-members", "WS4")] == "1 member"
    assert detail[("region-few-members", "Europe")] == "2 member(s)"
    assert (
        detail[("broker", member_id("bo@example.org"))]
        == "the only link to 1 other member(s) in the contact network"
    )
    assert detail[("member-without-peer", member_id("ed@example.org"))] == (
        "nobody outside their organisation shares any of their topics"
    )
    words = {3: "critical", 2: "serious", 1: "worth a look"}
    assert said["summary"]["gaps"] == dict(Counter(words[g["severity"]] for g in small["gaps"]))
    assert "detail" not in small["gaps"][0]  # the report kept per revision is not changed


def test_the_api_and_the_dashboard_say_the_gaps_in_words(client, demo_app) -> None:
    gaps = client.get("/api/gaps").get_json()
    ws4 = next(g for g in gaps["gaps"] if g["kind"] == "workstream-without-lead" and g["subject"] == "WS4")
    assert ws4["detail"] == "no lead"
    assert gaps["summary"]["gaps"]["critical"] >= 1 and set(gaps["summary"]["gaps"]) <= set(
        wording.SEVERITY.values()
    )
    page = client.get("/coverage").get_data(as_text=True)
    assert '<span class="severity severity-3">critical</span>' in page and "<td>no lead</td>" in page


def _contacts(G: nx.Graph) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """A networkx graph with integer nodes as the two ends of each contact, as the report reads them."""
    ends = np.array(list(G.edges()), np.int64).reshape(-1, 2)
    return ends[:, 0], ends[:, 1]


def test_brokers_are_networkx_articulation_points_on_a_real_network() -> None:
    G = nx.karate_club_graph()
    cuts = find_cuts(*_contacts(G))
    ranked = rank_brokers(cuts.pieces, None, top=100, label=str)  # every articulation point fits in 100
    assert {b["id"] for b in ranked} == set(nx.articulation_points(G))
    expected = nx.betweenness_centrality(G, normalized=False)
    assert cuts.betweenness == {node: pytest.approx(expected[node]) for node in cuts.pieces}


@pytest.mark.parametrize("seed", range(25))
def test_cut_pieces_agree_with_removing_each_node(seed: int) -> None:
    """The one-pass pieces equal what removing each node and searching again gives; separated pairs are
    the part of betweenness that the cut alone accounts for, so never more than betweenness."""
    G = nx.gnm_random_graph(40, 42 + seed, seed=seed)  # sparse: many cuts, several components
    G.remove_nodes_from(list(nx.isolates(G)))  # (the contacts name only people who have some)
    keys, lists = contact_lists(*_contacts(G))
    found = {int(keys[i]): sizes for i, sizes in cut_pieces(lists).items()}
    assert set(found) == set(nx.articulation_points(G))
    betweenness = nx.betweenness_centrality(G, normalized=False)
    for b in rank_brokers(found, None, top=100, label=str):
        node = b["id"]
        rest = nx.node_connected_component(G, node) - {node}
        expected = sorted((len(c) for c in nx.connected_components(G.subgraph(rest))), reverse=True)
        assert sorted(found[node], reverse=True) == expected
        assert b["splits_off"] == sum(expected[1:]) and b["pieces"] == len(expected)
        assert b["separated_pairs"] <= betweenness[node] + 1e-9


def test_topic_pairs_are_counted_like_itertools() -> None:
    rng = random.Random(0)
    rows = [sorted(rng.sample(range(12), rng.randint(0, 6))) for _ in range(300)]
    expected = Counter(pair for row in rows for pair in itertools.combinations(row, 2))
    ptr = np.cumsum([0] + [len(r) for r in rows])
    values = np.array([v for r in rows for v in r], np.int64)
    a, b, n = pairs_within(ptr, values, 12)
    assert dict(zip(zip(a.tolist(), b.tolist(), strict=True), n.tolist(), strict=True)) == dict(expected)


def test_demo_report_shows_the_demo_gaps(store) -> None:
    import_files(store, DEMO_FILES)
    report = store.read(coverage_report_of)
    assert {"reinforcement-learning", "federated-learning"} <= set(_found(report, "topic-unheld"))
    assert "WS4" in _found(report, "workstream-without-lead")
    clusters = report["clusters_of_interest"]["clusters"]
    assert len(clusters) >= 2 and sum(len(c["topics"]) for c in clusters) == 30
    assert json.loads(json.dumps(report)) == report  # plain data, ready for the API


def test_gaps_cli(runner) -> None:
    runner.invoke("demo")
    text = runner.invoke("gaps")
    assert text.exit_code == 0, text.stderr
    assert "[3] workstream-without-lead: Good training data: no lead" in text.stdout
    report = json.loads(runner.invoke("gaps", "--json", "--set", "few_region_members=100").stdout)
    assert report["thresholds"]["few_region_members"] == 100
    assert {g["subject"] for g in report["gaps"] if g["kind"] == "region-few-members"} >= {"Europe"}
    bad = runner.invoke("gaps", "--set", "nonsense=1")
    assert bad.exit_code == 1 and "no threshold called 'nonsense'" in bad.stderr


def test_a_member_without_contacts_makes_no_broker(store, tmp_path: Path) -> None:
    import_files(store, [write_csv(tmp_path / "m.csv", [member("Ana", "ana@example.org")])], new_topics=True)
    assert store.read(contact_cuts) == ContactCuts({}, {})
    assert _found(store.read(coverage_report_of), "broker") == {}


def test_contact_lists_number_the_people_with_contacts() -> None:
    """Contacts named either way round, twice, or to oneself become one undirected link each."""
    keys, lists = contact_lists(np.array([40, 10, 10, 30, 30]), np.array([10, 40, 30, 10, 30]))
    assert keys.tolist() == [10, 30, 40]
    assert lists == [[1, 2], [0], [0]]

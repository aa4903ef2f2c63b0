"""The coverage report, on a small network whose gaps are known, and on the demo."""

from __future__ import annotations

import itertools
import json
import random
import re
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
    assert detail[("region-few-members", "Europe")] == "2 members"
    assert (
        detail[("broker", member_id("bo@example.org"))]
        == "the only link to 1 other member in the contact network"
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
    assert '<span class="severity severity-3">critical</span>' in page
    assert re.search(r"<td>no lead\s*<div class=\"act\"><p>Who could lead it, best first:</p>", page)


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


# --- What a coordinator can act on (issue 15 §3) ------------------------------------------------------------


def test_a_broker_names_the_members_only_they_connect(small) -> None:
    brokers = _found(small, "broker")
    ana, bo, cy, di = (member_id(f"{n}@example.org") for n in ("ana", "bo", "cy", "di"))
    # The contacts are the chain Ana - Bo - Cy - Di: without Bo, Ana is cut off; without Cy, Di.
    assert [p["id"] for p in brokers[bo]["act"]] == [ana] and brokers[bo]["named"] == 1
    assert [p["name"] for p in brokers[cy]["act"]] == ["Di"]
    said = wording.gap_act(brokers[bo])
    assert said is not None and [p["name"] for p in said["people"]] == ["Ana"]
    assert said["lead"] == "Only Bo connects 1 person to the rest of the network: introduce them to others:"
    assert di not in {p["id"] for p in brokers[bo]["act"]}


def test_whom_a_cut_alone_connects_agrees_with_networkx() -> None:
    """Against a reference: remove the cut, keep every component but the largest."""
    rng = random.Random(7)
    for _ in range(40):
        G = nx.gnm_random_graph(rng.randint(3, 40), rng.randint(2, 45), seed=rng.randint(0, 10**6))
        cuts = find_cuts(*_contacts(G))
        for node in nx.articulation_points(G):
            H = G.copy()
            H.remove_node(node)
            component = nx.node_connected_component(G, node) - {node}
            pieces = sorted((c for c in nx.connected_components(H) if c <= component), key=len, reverse=True)
            alone = set(cuts.alone_connects(node))
            assert len(alone) == sum(len(c) for c in pieces[1:])
            # what is left out is one whole largest piece
            left = component - alone
            assert left in pieces and len(left) == len(pieces[0])


def test_a_workstream_without_a_lead_names_candidates_with_reasons(small) -> None:
    (gap,) = [g for g in small["gaps"] if g["kind"] == "workstream-without-lead"]
    assert gap["subject"] == "WS4"
    assert [(p["name"], p["member"]) for p in gap["act"]] == [("Cy", True)]
    said = wording.gap_act(gap)
    assert said is not None and said["people"] == [
        {"id": member_id("cy@example.org"), "name": "Cy", "why": "member of the workstream"}
    ]


def test_lead_candidates_rank_members_by_what_they_hold_then_experts_elsewhere() -> None:
    from graphapp.analytics.coverage import lead_candidates
    from graphapp.analytics.interest_index import InterestIndex

    ix = InterestIndex.of(
        {
            "low": {"nlp": "learning"},
            "high": {"nlp": "expert", "cv": "practising"},
            "out": {"nlp": "expert"},
            "outlearner": {"nlp": "learning"},  # not a member and not an expert: not a candidate
        },
        workstreams={"WS1": ["low", "high"]},
    )
    found = lead_candidates(ix, "WS1", ["nlp", "cv"])
    assert [c["id"] for c in found] == ["high", "low", "out"]
    assert found[0]["topics"] == [{"name": "nlp", "level": "expert"}, {"name": "cv", "level": "practising"}]
    said = wording.gap_act({"kind": "workstream-without-lead", "numbers": {}, "act": found})
    assert said is not None
    assert said["people"][0]["why"] == "member of the workstream; expert in nlp and practising cv"
    assert said["people"][2]["why"] == "expert in nlp; not yet a member of the workstream"


def test_a_topic_short_of_experts_names_possible_mentors(demo_app) -> None:
    from graphapp.queries.members import MemberFilter, member_ids
    from graphapp.reports import coverage_report

    report = demo_app.read(coverage_report)
    short = [g for g in report["gaps"] if g["kind"] == "topic-demand-exceeds-supply"]
    assert short, "the demo has topics with more learners than experts"
    for gap in short:
        experts = set(demo_app.read(member_ids, MemberFilter(topic=gap["subject"], level="expert")))
        practising = set(demo_app.read(member_ids, MemberFilter(topic=gap["subject"], level="practising")))
        named = [p["id"] for p in gap["act"]]
        assert named and set(named) <= experts | practising
        levels = [p["level"] for p in gap["act"]]
        assert levels == sorted(levels, key=["expert", "practising"].index)  # experts first
        assert gap["named"] <= len(experts | practising) and len(named) == min(5, gap["named"])


def test_organisations_without_members_are_a_gap(demo_app) -> None:
    from graphapp.queries.members import organisation_list
    from graphapp.reports import coverage_report

    report = demo_app.read(coverage_report)
    organisations = demo_app.read(organisation_list)
    empty = {o["id"] for o in organisations if o["n"] == 0}
    assert empty, "the demo has organisations without members"
    assert {g["subject"] for g in report["gaps"] if g["kind"] == "organisation-without-members"} == empty
    one = {o["id"] for o in organisations if o["n"] == 1}
    assert {g["subject"] for g in report["gaps"] if g["kind"] == "organisation-single-member"} == one


def _every_page(client, total: int) -> str:
    """The coverage page's pages of gaps, one after the other."""
    return "".join(
        client.get(f"/coverage?per_page=100&page={n}").get_data(as_text=True)
        for n in range(1, total // 100 + 2)
    )


def test_the_coverage_page_says_what_to_do_with_pictures_and_names(client, demo_app) -> None:
    from graphapp.exports import country_name
    from graphapp.reports import coverage_report

    report = demo_app.read(coverage_report)
    page = _every_page(client, len(report["gaps"]))
    # who to turn to, linked
    assert "Who could lead it, best first:" in page and "Possible mentors for its learners:" in page
    for gap in report["gaps"]:
        for p in gap["act"]:
            assert f'<a href="/members/{p["id"]}">' in page
    # countries by name, never by code, in the gap list
    for gap in report["gaps"]:
        if gap["kind"].startswith("country-"):
            assert (
                f">{country_name(gap['subject'])}</a>" in page
                or f">{country_name(gap['subject'])}</th>" in page
            )
            assert f">{gap['subject']}<" not in page
    # the pictures: inline SVG (no request elsewhere), each with the numbers in a table
    page = client.get("/coverage").get_data(as_text=True)
    assert page.count('<svg class="bars"') == 2 and "http://" not in page.replace(
        "http://www.w3.org/2000/svg", ""
    )
    region_table = page.split("<caption>Gaps by region</caption>")[1].split("</table>")[0]
    europe = re.search(r'<th scope="row">Europe</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>', region_table)
    assert europe
    in_europe = Counter(g["severity"] for g in report["gaps"] if g["region"] == "Europe")
    assert [int(x) for x in europe.groups()] == [in_europe[3], in_europe[2], in_europe[1]]
    demand = page.split("<caption>Learners and experts by topic</caption>")[1].split("</table>")[0]
    first = report["demand"][0]
    assert f">{first['name']}</a></th><td>{first['learning']}</td><td>{first['expert']}</td>" in demand
    # clusters by their main topics and size
    cluster = report["clusters_of_interest"]["clusters"][0]
    assert f"{cluster['people']} people around {', '.join(cluster['topics'][:3])}" in page
    # no command line in the page
    assert "graphapp gaps" not in page and "<code>" not in page


def test_the_coverage_page_in_french_and_russian(client, demo_app) -> None:
    """The gaps, what to do and the pictures in the reader's language (names of people and topics as
    entered), with countries and regions named in it."""
    from graphapp.exports import country_name
    from graphapp.i18n import country_in
    from graphapp.reports import coverage_report

    gaps = demo_app.read(coverage_report)["gaps"]
    countries = [g["subject"] for g in gaps if g["kind"].startswith("country-")]
    for language, words in {
        "fr": [
            "Où le réseau est clairsemé",
            "critique",
            "Qui pourrait en prendre la responsabilité",
            "Afrique",
        ],
        "ru": ["Слабые места сети", "критический", "Возможные наставники для изучающих:", "Африка"],
    }.items():
        client.set_cookie("graphapp_lang", language)
        page = _every_page(client, len(gaps))
        for said in words:
            assert said in page, (language, said)
        for code in countries:
            assert country_in(country_name(code), language) in page
        assert "Who could lead it" not in page and "critical<" not in page


def test_the_api_stays_english_for_a_french_reader(client, demo_app) -> None:
    client.set_cookie("graphapp_lang", "fr")
    gaps = client.get("/api/gaps").get_json()
    assert set(gaps["summary"]["gaps"]) <= {"critical", "serious", "worth a look"}
    assert any(g["detail"] == "no lead" for g in gaps["gaps"])
    assert "Où le réseau est clairsemé" in client.get("/coverage").get_data(
        as_text=True
    )  # (the page is French)


def test_the_first_views_kept_per_revision_follow_writes_languages_and_roles(
    client, app, demo_app, tmp_path: Path
) -> None:
    """The coverage page's and the explorer's first views are kept per graph revision (pages/kept.py):
    the next view after a write shows it, a French reader gets French, and a member does not get the
    export links an administrator's copy holds."""
    from tests.helpers import signed_in

    def members_counted(page: str) -> int:
        found = re.search(r'<p class="lead">(\d+) members,', page)
        assert found, page[:2000]
        return int(found.group(1))

    first = client.get("/coverage").get_data(as_text=True)
    assert client.get("/coverage").get_data(as_text=True) == first  # (kept: the same page again)
    explorer = client.get("/explore").get_data(as_text=True)
    assert "Zed Newcomer" not in explorer and "/api/export/" in explorer
    topic = demo_app.read(lambda tx: tx.run("MATCH (t:Topic) RETURN t.name AS name ORDER BY t.id LIMIT 1"))
    organisation = demo_app.read(
        lambda tx: tx.run("MATCH (o:Organisation) RETURN o.name AS name ORDER BY o.id LIMIT 1")
    )
    newcomer = member(
        "Zed Newcomer",
        "zed.newcomer@example.org",
        organisation=organisation[0]["name"],
        topics=f"{topic[0]['name']}:learning",
    )
    import_files(demo_app, [write_csv(tmp_path / "members.csv", [newcomer])])
    assert members_counted(client.get("/coverage").get_data(as_text=True)) == members_counted(first) + 1
    assert "Zed Newcomer" in client.get("/explore").get_data(as_text=True)

    reader = signed_in(app, "reader@example.org", "member")
    theirs = reader.get("/explore").get_data(as_text=True)
    assert "Zed Newcomer" in theirs and "/api/export/" not in theirs  # (not the administrator's copy)
    client.set_cookie("graphapp_lang", "fr")
    assert "Où le réseau est clairsemé" in client.get("/coverage").get_data(as_text=True)
    assert "Explorateur du réseau" in client.get("/explore").get_data(as_text=True)

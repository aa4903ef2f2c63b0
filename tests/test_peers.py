"""Peer suggestions and plain similarity measures, checked against independent references on both stores."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.ingest.normalise import member_id
from graphapp.queries.interest_index import interest_index
from graphapp.queries.members import forget_member, set_consent
from graphapp.queries.peers import METRICS, RANK, UnknownMember, level_fit, suggest_peers, topic_similarities
from graphapp.queries.schema import DELETE_ALL, create_schema
from graphapp.store import Neo4jStore
from tests.helpers import graph, member, write_csv


def _load_bipartite(store, tmp_path: Path, people: dict[str, list[str]]) -> dict[str, str]:
    """Import people and their topics; return person -> member id."""
    rows = [
        member(p, f"{p.lower().replace(' ', '.')}@example.org", topics="; ".join(ts))
        for p, ts in people.items()
    ]
    import_files(store, [write_csv(tmp_path / "people.csv", rows)])
    return {p: member_id(f"{p.lower().replace(' ', '.')}@example.org") for p in people}


# The example graph of Neo4j's Graph Data Science documentation, Node Similarity chapter: people liking
# instruments. Its printed Jaccard results are Alice-Dave 1.0, Alice-Bob 0.6666666666666666,
# Alice-Carol 0.3333333333333333, Bob-Dave 0.6666666666666666, Carol-Dave 0.3333333333333333 (and their
# overlap coefficients are all 1.0, each smaller set lying inside the larger).
INSTRUMENTS = {
    "Alice": ["Guitar", "Synthesizer", "Bongos"],
    "Bob": ["Guitar", "Synthesizer"],
    "Carol": ["Bongos"],
    "Dave": ["Guitar", "Synthesizer", "Bongos"],
}


def test_node_similarity_documentation_example(store, tmp_path: Path) -> None:
    ids = _load_bipartite(store, tmp_path, INSTRUMENTS)
    name = {v: k for k, v in ids.items()}
    alice = {name[k]: v for k, v in store.read(topic_similarities, ids["Alice"], "jaccard").items()}
    assert alice == pytest.approx({"Dave": 1.0, "Bob": 0.6666666666666666, "Carol": 0.3333333333333333})
    dave = {name[k]: v for k, v in store.read(topic_similarities, ids["Dave"], "jaccard").items()}
    assert dave == pytest.approx({"Alice": 1.0, "Bob": 0.6666666666666666, "Carol": 0.3333333333333333})
    overlap = store.read(topic_similarities, ids["Alice"], "overlap")
    assert set(overlap.values()) == {1.0}


def _davis(store, tmp_path: Path) -> tuple[nx.Graph, dict[str, str]]:
    B = nx.davis_southern_women_graph()
    women = B.graph["top"]
    people = {w: sorted(B[w]) for w in women}
    return B, _load_bipartite(store, tmp_path, people)


@pytest.mark.parametrize("metric", METRICS)
def test_plain_measures_equal_networkx_on_davis_southern_women(store, tmp_path: Path, metric: str) -> None:
    B, ids = _davis(store, tmp_path)
    women = B.graph["top"]
    if metric in ("jaccard", "overlap"):
        reference_graph = nx.bipartite.overlap_weighted_projected_graph(B, women, jaccard=metric == "jaccard")
    else:
        reference_graph = nx.bipartite.weighted_projected_graph(B, women)
    for w in women[:6]:
        got = {k: v for k, v in store.read(topic_similarities, ids[w], metric).items()}
        others = [o for o in women if o != w and set(B[o]) & set(B[w])]
        if metric in ("jaccard", "overlap", "common_neighbours"):
            expected = {ids[o]: float(reference_graph[w][o]["weight"]) for o in others}
        elif metric == "adamic_adar":
            expected = {ids[o]: s for _, o, s in nx.adamic_adar_index(B, [(w, o) for o in others])}
        elif metric == "resource_allocation":
            expected = {ids[o]: s for _, o, s in nx.resource_allocation_index(B, [(w, o) for o in others])}
        else:  # cosine (Salton): common neighbours over the geometric mean of degrees, from networkx's graph
            expected = {
                ids[o]: len(list(nx.common_neighbors(B, w, o))) / math.sqrt(B.degree(w) * B.degree(o))
                for o in others
            }
        assert got.keys() == expected.keys()
        for k in expected:
            assert got[k] == pytest.approx(expected[k], rel=1e-12)


def _reference_scores(store, me: str, mode: str) -> dict[str, float]:
    """graphapp's score, recomputed independently with networkx from the graph as backed up."""
    held = graph(store)
    B = nx.Graph()
    for r in held["relationships"]["INTERESTED_IN"]:
        B.add_edge(r["source"], "t:" + r["target"], level=r["level"])
    n = len(held["nodes"]["Member"])
    mine = {t: B[me][t]["level"] for t in B[me]}
    scores = {}
    for other in {o for t in mine for o in B[t]} - {me}:
        dot = sum(
            math.log(n / B.degree(t)) * level_fit(mine[t], B[other][t]["level"], mode)
            for t in nx.common_neighbors(B, me, other)
        )
        if dot > 0:
            scores[other] = dot / math.sqrt(B.degree(me) * B.degree(other))
    return scores


@pytest.mark.parametrize("mode", ["all", "peers", "mentors", "mentees"])
def test_suggestions_match_an_independent_reference(store, mode: str) -> None:
    import_files(store, DEMO_FILES)
    people = sorted(m["id"] for m in graph(store)["nodes"]["Member"])[:12]
    for me in people:
        got = store.read(
            suggest_peers, me, limit=15, mode=mode, exclude_known=False, exclude_own_organisation=False
        )
        reference = _reference_scores(store, me, mode)
        best = sorted(reference.values(), reverse=True)[:15]
        assert [s.score for s in got.suggestions] == pytest.approx(best, abs=1e-6)
        for s in got.suggestions:
            assert s.score == pytest.approx(reference[s.id], abs=1e-6)


@pytest.fixture
def demo(store):
    import_files(store, DEMO_FILES)
    return graph(store)


def test_suggestions_come_with_reasons(store, demo) -> None:
    me = demo["nodes"]["Member"][0]
    result = store.read(suggest_peers, me["email"])
    assert result.member == me["id"] and 0 < len(result.suggestions) <= 10
    top = result.suggestions[0]
    assert top.shared_topics and top.reasons
    assert top.kind in ("peer", "mentor", "mentee")
    for shared in top.shared_topics:
        assert shared.mine in ("learning", "practising", "expert") and shared.theirs
        assert any(shared.name in reason for reason in top.reasons)
    scores = [s.score for s in result.suggestions]
    assert scores == sorted(scores, reverse=True)


def test_known_people_and_colleagues_are_left_out_by_default(store, demo) -> None:
    works_at = {r["source"]: r["target"] for r in demo["relationships"]["WORKS_AT"]}
    knows: dict[str, set[str]] = {}
    for r in demo["relationships"]["KNOWS"]:
        knows.setdefault(r["source"], set()).add(r["target"])
        knows.setdefault(r["target"], set()).add(r["source"])
    checked = 0
    for me in [m["id"] for m in demo["nodes"]["Member"] if m["id"] in knows][:10]:
        default = store.read(suggest_peers, me, limit=50)
        assert not {s.id for s in default.suggestions} & knows[me]
        assert all(works_at[s.id] != works_at[me] for s in default.suggestions)
        everyone = store.read(
            suggest_peers, me, limit=200, exclude_known=False, exclude_own_organisation=False
        )
        shown = {s.id for s in everyone.suggestions}
        checked += len(shown & knows[me])
    assert checked > 0  # the options do bring known people back


def test_mentor_mode_finds_experts_where_i_am_learning(store, demo) -> None:
    learners = {r["source"] for r in demo["relationships"]["INTERESTED_IN"] if r["level"] == "learning"}
    me = sorted(learners)[0]
    result = store.read(suggest_peers, me, mode="mentors")
    assert result.suggestions
    for s in result.suggestions:
        assert s.kind == "mentor"
        # Every suggested mentor knows more than I do on at least one topic we share.
        assert any(RANK[t.theirs] > RANK[t.mine] for t in s.shared_topics)
    assert any(t.relation == "mentor" for s in result.suggestions for t in s.shared_topics)


def test_filters_by_topic_workstream_and_region(store, demo) -> None:
    me = demo["nodes"]["Member"][3]["id"]
    region = "Europe"
    for s in store.read(suggest_peers, me, region=region, limit=30).suggestions:
        assert s.region == region
    member_of = {(r["source"], r["target"]) for r in demo["relationships"]["MEMBER_OF"]}
    for s in store.read(suggest_peers, me, workstream="WS2", limit=30).suggestions:
        assert (s.id, "WS2") in member_of
    holds = {(r["source"], r["target"]) for r in demo["relationships"]["INTERESTED_IN"]}
    for s in store.read(suggest_peers, me, topic="natural-language-processing", limit=30).suggestions:
        assert (s.id, "natural-language-processing") in holds


def test_filters_keep_exactly_the_best_of_those_who_pass(store, demo) -> None:
    """A filter is not a sieve over the unfiltered top 10: the list is the best of everyone who passes."""
    region_of = {m["id"]: m["region"] for m in demo["nodes"]["Member"]}
    in_ws2 = {r["source"] for r in demo["relationships"]["MEMBER_OF"] if r["target"] == "WS2"}
    holds_nlp = {
        r["source"]
        for r in demo["relationships"]["INTERESTED_IN"]
        if r["target"] == "natural-language-processing"
    }
    cases = [
        ({"region": "Europe"}, lambda o: region_of[o] == "Europe"),
        ({"workstream": "WS2"}, lambda o: o in in_ws2),
        ({"topic": "natural-language-processing"}, lambda o: o in holds_nlp),
    ]
    for me in sorted(region_of)[:5]:
        reference = _reference_scores(store, me, "all")
        for options, passes in cases:
            got = store.read(
                suggest_peers, me, limit=5, exclude_known=False, exclude_own_organisation=False, **options
            )
            best = sorted((s for o, s in reference.items() if passes(o)), reverse=True)[:5]
            assert [s.score for s in got.suggestions] == pytest.approx(best, abs=1e-6), options


def test_suggestions_follow_every_write_at_once(store, tmp_path: Path) -> None:
    """The suggestion index is rebuilt after any write: consent, a new member, a forgotten one."""
    people = {"Me": ["nlp", "ethics"], "Amy": ["nlp"], "Bea": ["ethics"], "Other": ["x"], "Else": ["y"]}
    ids = _load_bipartite(store, tmp_path, people)

    def names() -> list[str]:
        return [s.name for s in store.read(suggest_peers, ids["Me"]).suggestions]

    assert sorted(names()) == ["Amy", "Bea"]
    store.write(set_consent, ids["Amy"], "members", "no")
    assert names() == ["Bea"]
    rows = [member("Cy", "cy@example.org", topics="nlp; ethics")]
    import_files(store, [write_csv(tmp_path / "more.csv", rows)])
    assert names() == ["Cy", "Bea"]
    store.write(forget_member, member_id("cy@example.org"))
    assert names() == ["Bea"]


def test_the_index_is_kept_while_the_graph_is_unchanged(store, tmp_path: Path) -> None:
    ids = _load_bipartite(store, tmp_path, {"Me": ["nlp"], "Amy": ["nlp"], "Bea": ["ethics"]})
    first = store.read(interest_index)
    assert store.read(interest_index) is first  # reads do not change the revision
    store.write(set_consent, ids["Amy"], "members", "yes")  # a write, even one that changes nothing
    assert store.read(interest_index) is not first


def test_a_change_made_by_another_process_reaches_the_suggestions(neo4j_config, tmp_path: Path) -> None:
    """Two app servers on one Neo4j: what one writes, the other's index picks up at its next read."""
    settings = (
        neo4j_config["NEO4J_URI"],
        neo4j_config.get("NEO4J_USER"),
        neo4j_config.get("NEO4J_PASSWORD"),
        neo4j_config.get("NEO4J_DATABASE"),
    )
    with Neo4jStore(*settings) as here, Neo4jStore(*settings) as there:
        here.write(lambda tx: tx.run(DELETE_ALL))
        create_schema(here)
        ids = _load_bipartite(
            here, tmp_path, {"Me": ["nlp"], "Amy": ["nlp"], "Bea": ["ethics"], "Cy": ["x"], "Dee": ["y"]}
        )
        assert [s.name for s in here.read(suggest_peers, ids["Me"]).suggestions] == ["Amy"]
        rows = [member("Bea", "bea@example.org", topics="ethics; nlp")]
        import_files(there, [write_csv(tmp_path / "more.csv", rows)])
        assert [s.name for s in here.read(suggest_peers, ids["Me"]).suggestions] == ["Amy", "Bea"]


def test_member_without_interests_gets_a_reason_not_an_error(store, tmp_path: Path) -> None:
    import_files(store, [write_csv(tmp_path / "m.csv", [member("Ana Example", "ana@example.org")])])
    result = store.read(suggest_peers, "ana@example.org")
    assert result.suggestions == [] and "no topics yet" in (result.note or "")


def test_unknown_member_is_a_clear_error(store) -> None:
    with pytest.raises(UnknownMember, match="nobody@example.org"):
        store.read(suggest_peers, "nobody@example.org")


def test_ties_are_broken_deterministically(store, tmp_path: Path) -> None:
    people = {"Zed": ["nlp"], "Amy": ["nlp"], "Bea": ["nlp"], "Me": ["nlp"], "Other": ["ethics"]}
    ids = _load_bipartite(store, tmp_path, people)
    result = store.read(suggest_peers, ids["Me"])
    assert [s.name for s in result.suggestions] == ["Amy", "Bea", "Zed"]


def test_a_topic_everyone_holds_suggests_nobody(store, tmp_path: Path) -> None:
    ids = _load_bipartite(store, tmp_path, {"Amy": ["nlp"], "Bea": ["nlp"], "Me": ["nlp"]})
    result = store.read(suggest_peers, ids["Me"])
    assert result.suggestions == [] and result.note

"""Peer suggestions, checked on both stores against scores worked out by hand, networkx on real data, and
an independent recomputation on the demo network."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

from graphapp import wording
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.ingest.normalise import member_id
from graphapp.queries.members import forget_member, set_consent
from graphapp.queries.schema import DELETE_ALL, create_schema
from graphapp.reports import UnknownMember, interest_index, suggest_peers
from graphapp.store import Neo4jStore
from tests.helpers import graph, member, write_csv


def _load_bipartite(store, tmp_path: Path, people: dict[str, list[str]]) -> dict[str, str]:
    """Import people and their topics; return person -> member id."""
    rows = [
        member(p, f"{p.lower().replace(' ', '.')}@example.org", topics="; ".join(ts))
        for p, ts in people.items()
    ]
    import_files(store, [write_csv(tmp_path / "people.csv", rows)], new_topics=True)
    return {p: member_id(f"{p.lower().replace(' ', '.')}@example.org") for p in people}


# A network small enough to score by hand with the formula of docs/suggestions.md:
#
#     first(m, o) = sum over shared topics t of ln(N / holders(t)) * f(level_m(t), level_o(t))
#     score(m, o) = first(m, o) + 0.1 * second(m, o)      (modes all and peers; the others: first alone)
#
# (no normalisation since issue 18: the evaluation across six data sets chose it, docs/suggestions.md)
#
# f, with d = their level's rank minus mine (learning 0, practising 1, expert 2): peers 1 (d = 0), 0.5
# (|d| = 1), 0 (|d| = 2); mentors d / 2 for d > 0 where I am learning (else 0); mentees -d / 2 for d < 0
# where I am expert (else 0); all: the best of the three.
#
# second(m, o) = sum over p of first(m, p) * sim(p, o) / sum over p of first(m, p): p every member who may
# be suggested, m aside, o included; sim(p, o) = sum over the topics p and o both hold of ln(N / holders),
# levels aside (graphapp.analytics.suggestions.two_steps).
HAND = {
    "Me": ["nlp:learning", "gis:expert", "ethics:practising"],
    "Ann": ["nlp:expert", "gis:practising"],
    "Bo": ["nlp:practising"],
    "Cy": ["gis:learning", "ethics:learning", "cv:expert"],
    "Dee": ["cv:expert"],
    "Eve": ["cv:learning"],
}
# N = 6; nlp, gis and cv are held by 3 (weight ln 2 = 0.6931472), ethics by 2 (ln 3 = 1.0986123).
#
# First scores:
# Ann: nlp d = +2 (peers 0, mentors 1, mentees 0), gis d = -1 (0.5, 0, 0.5).
#   peers ln2 * 0.5 = 0.3465736; mentors ln2 = 0.693147; mentees 0.346574;
#   all ln2 * (1 + 0.5) = 1.0397208, a mentor (the mode it scores highest in).
# Bo: nlp d = +1 (0.5, 0.5, 0): peers = mentors = all = ln2 * 0.5 = 0.3465736,
#   a peer (a tie between peer and mentor goes to peer); mentees 0.
# Cy: gis d = -2 (0, 0, 1), ethics d = -1 (0.5, 0, 0: I practise ethics, I am not expert).
#   peers ln3 * 0.5 = 0.5493061; mentors 0; mentees ln2 = 0.693147;
#   all ln2 + ln3 * 0.5 = 1.2424533, a mentee.
# Dee and Eve share nothing with Me: first 0.
#
# sim (levels aside): Ann-Ann 2 ln2 (nlp, gis), Ann-Bo ln2 (nlp), Ann-Cy ln2 (gis), Bo-Bo ln2,
# Cy-Cy 2 ln2 + ln3 (gis, ethics, cv), Cy-Dee = Cy-Eve = ln2 (cv); Bo shares nothing with Cy, Dee, Eve.
# With a, b, c the first scores of Ann, Bo, Cy and T = a + b + c:
#   second(Ann) = (a * 2ln2 + b * ln2 + c * ln2) / T = ln2 * (T + a) / T
#   second(Bo)  = (a * ln2 + b * ln2) / T             = ln2 * (a + b) / T
#   second(Cy)  = (a * ln2 + c * (2ln2 + ln3)) / T
#   second(Dee) = second(Eve) = c * ln2 / T
#
# all: a = 1.0397208, b = 0.3465736, c = 1.2424533, T = 2.6287477.
#   second: Ann 0.6931472 * 3.6684685 / 2.6287477 = 0.9673004; Bo 0.6931472 * 1.3862944 / 2.6287477
#   = 0.3655376; Cy (0.7206795 + 1.2424533 * 2.4849066) / 2.6287477 = 1.4486214; Dee, Eve 0.3276096.
#   score: Cy 1.2424533 + 0.1448621 = 1.387315; Ann 1.0397208 + 0.0967300 = 1.136451;
#   Bo 0.3465736 + 0.0365538 = 0.383127; Dee = Eve = 0.032761 (two steps away, through Cy; a tie: by name).
# peers: a = b = 0.3465736, c = 0.5493061, T = 1.2424533.
#   second: Ann 0.6931472 * 1.5890269 / 1.2424533 = 0.8864957; Bo 0.6931472 * 0.6931472 / 1.2424533
#   = 0.3866970; Cy (0.2402265 + 0.5493061 * 2.4849066) / 1.2424533 = 1.2919608; Dee, Eve 0.3064501.
#   score: Cy 0.5493061 + 0.1291961 = 0.678502; Ann 0.3465736 + 0.0886496 = 0.435223 (Ann and Bo tie on
#   the first score: Ann is closer to the others who share Me's topics); Bo 0.3465736 + 0.0386697
#   = 0.385243; Dee = Eve = 0.030645.
# mentors and mentees: the first score alone (test_the_hand_worked_numbers_add_up checks this arithmetic).
HAND_EXPECTED = {
    "peers": [
        ("Cy", 0.678502, "peer"),
        ("Ann", 0.435223, "peer"),
        ("Bo", 0.385243, "peer"),
        ("Dee", 0.030645, "two-steps"),
        ("Eve", 0.030645, "two-steps"),
    ],
    "mentors": [("Ann", 0.693147, "mentor"), ("Bo", 0.346574, "mentor")],
    "mentees": [("Cy", 0.693147, "mentee"), ("Ann", 0.346574, "mentee")],
    "all": [
        ("Cy", 1.387315, "mentee"),
        ("Ann", 1.136451, "mentor"),
        ("Bo", 0.383127, "peer"),
        ("Dee", 0.032761, "two-steps"),
        ("Eve", 0.032761, "two-steps"),
    ],
}


def test_the_hand_worked_numbers_add_up() -> None:
    """The arithmetic of the comment above, in plain Python (no graphapp): HAND_EXPECTED is what it gives."""
    ln2, ln3 = math.log(2), math.log(3)
    expected = {
        "mentors": {"Ann": ln2, "Bo": ln2 * 0.5},
        "mentees": {"Cy": ln2, "Ann": ln2 * 0.5},
    }
    for mode, (a, b, c) in {
        "all": (ln2 * 1.5, ln2 * 0.5, ln2 + ln3 * 0.5),
        "peers": (ln2 * 0.5, ln2 * 0.5, ln3 * 0.5),
    }.items():
        t = a + b + c
        second = {
            "Ann": ln2 * (t + a) / t,
            "Bo": ln2 * (a + b) / t,
            "Cy": (a * ln2 + c * (2 * ln2 + ln3)) / t,
            "Dee": c * ln2 / t,
            "Eve": c * ln2 / t,
        }
        first = {"Ann": a, "Bo": b, "Cy": c, "Dee": 0.0, "Eve": 0.0}
        expected[mode] = {p: first[p] + 0.1 * second[p] for p in first}
    for mode, listed in HAND_EXPECTED.items():
        assert {name: score for name, score, _ in listed} == {
            p: round(s, 6) for p, s in expected[mode].items()
        }, mode
        assert [score for _, score, _ in listed] == sorted((score for _, score, _ in listed), reverse=True)


@pytest.mark.parametrize("mode", list(HAND_EXPECTED))
def test_scores_equal_the_formula_worked_out_by_hand(store, tmp_path: Path, mode: str) -> None:
    ids = _load_bipartite(store, tmp_path, HAND)
    got = store.read(suggest_peers, ids["Me"], mode=mode)
    assert [(s.name, s.score, s.kind) for s in got.suggestions] == HAND_EXPECTED[mode]
    cy = next((s for s in got.suggestions if s.name == "Cy"), None)
    if cy is not None and mode == "mentees":  # the topic that makes the match first, then the other
        assert [(t.topic, t.mine, t.theirs, t.holders, t.relation, t.counts) for t in cy.shared_topics] == [
            ("gis", "expert", "learning", 3, "mentee", True),
            ("ethics", "practising", "learning", 2, "peer", False),
        ]
    elif cy is not None:  # both count: the better fit first (gis 1 in all), then the rarest
        assert [t.topic for t in cy.shared_topics] == (
            ["gis", "ethics"] if mode == "all" else ["ethics", "gis"]
        )


def test_the_reasons_say_the_structure_in_words(store, tmp_path: Path) -> None:
    """What the API, the CLI and the profile page show: the structure of the hand-worked example in words,
    each person named (the API and the CLI have no "you"), the topic that makes the match first."""
    ids = _load_bipartite(store, tmp_path, HAND)
    shown = wording.worded_suggestions(store.read(suggest_peers, ids["Me"]))
    assert shown["note"] is None
    assert [s["name"] for s in shown["suggestions"][:2]] == ["Cy", "Ann"]
    assert shown["suggestions"][1]["reasons"] == [
        "Ann is an expert in nlp, which Me is learning (a rare topic: 3 people hold it)",
        "Ann practises gis, in which Me is an expert (a rare topic: 3 people hold it)",
    ]
    # Read by the member themself (their profile, their home page), the member is "you".
    ann = store.read(suggest_peers, ids["Me"]).suggestions[1]
    assert (
        wording.reasons(ann)[0]
        == "Ann is an expert in nlp, which you are learning (a rare topic: 3 people hold it)"
    )
    nobody = wording.worded_suggestions(store.read(suggest_peers, ids["Dee"], mode="mentors"))
    assert nobody["suggestions"] == [] and nobody["note"] == (
        "Dee is learning no topic yet: a mentor is someone ahead of Dee on a topic Dee is learning"
    )


# Ana is learning A and practises B and C; Xi is expert in B (which Ana practises) and learning C (which
# Ana practises): Xi is ahead of Ana on nothing Ana is learning. Yu practises A (which Ana is learning) and
# holds three more topics; Wen is expert in A and learning C. Fay holds G alone, so that N = 5.
NOT_A_MENTOR = {
    "Ana": ["a:learning", "b:practising", "c:practising"],
    "Xi": ["b:expert", "c:learning"],
    "Yu": ["a:practising", "d:expert", "e:expert", "f:expert"],
    "Wen": ["a:expert", "c:learning"],
    "Fay": ["g:expert"],
}


def test_mentors_are_ahead_on_a_topic_the_member_is_learning(store, tmp_path: Path) -> None:
    """Issue 15: "Mentors (expert where I am learning)" listed first someone expert in none of the topics
    Ana is learning, with a topic they are learning as a reason. A mentor is ahead of Ana on a topic Ana
    is learning; the topic that makes the match comes first, and one that works the other way round is
    said to."""
    ids = _load_bipartite(store, tmp_path, NOT_A_MENTOR)
    mentors = store.read(suggest_peers, ids["Ana"], mode="mentors")
    assert [s.name for s in mentors.suggestions] == ["Wen", "Yu"]
    for s in mentors.suggestions:
        assert s.shared_topics[0].topic == "a" and s.shared_topics[0].counts
    wen = wording.reasons(mentors.suggestions[0], "Ana")
    assert wen == [
        "Wen is an expert in a, which Ana is learning (a rare topic: 3 people hold it)",
        "the other way round: Wen is learning c, which Ana practises (a rare topic: 3 people hold it)",
    ]
    # Mentees, the mirror: Ana practises b, in which Xi is an expert; c works the other way round.
    mentees = store.read(suggest_peers, ids["Xi"], mode="mentees")
    assert [(s.name, [(t.topic, t.counts) for t in s.shared_topics]) for s in mentees.suggestions] == [
        ("Ana", [("b", True), ("c", False)])
    ]
    # Ana is an expert in nothing: she has no mentee, and is told why.
    none = store.read(suggest_peers, ids["Ana"], mode="mentees")
    assert none.suggestions == [] and none.empty_because == "no-fit"
    assert wording.note(none) == (
        "Ana is an expert in no topic yet: a mentee is someone learning a topic Ana is an expert in"
    )
    # Xi and Ana still meet as peers, and in the mixed mode.
    assert "Xi" in {s.name for s in store.read(suggest_peers, ids["Ana"], mode="peers").suggestions}


def test_the_mixed_mode_says_why_it_holds_no_mentor_or_mentee(store, tmp_path: Path) -> None:
    """Issue 15: the mixed mode's ten suggestions were all peers. When it lists no mentor (or no mentee)
    it says whether nobody fits or how many the mode of that kind lists."""
    ids = _load_bipartite(store, tmp_path, NOT_A_MENTOR)
    mixed = store.read(suggest_peers, ids["Ana"], mode="all")
    kinds = {s.name: s.kind for s in mixed.suggestions}
    assert kinds["Wen"] == "mentor" and "mentee" not in kinds.values()
    assert mixed.elsewhere == {"mentee": 0}
    assert wording.worded_suggestions(mixed)["balance"] == [
        "No mentee among these: nobody is learning a topic Ana is an expert in."
    ]
    # Xi's best match is Ana, a peer on both topics (the practise-expert pair ties peer and mentee, and a
    # tie goes to peer); Ana is also in the Mentors list (she practises c, which Xi is learning) and the
    # Mentees list (she practises b, in which Xi is an expert): the page says where they are.
    only_top = store.read(suggest_peers, ids["Xi"], mode="all", limit=1)
    assert [(s.name, s.kind) for s in only_top.suggestions] == [("Ana", "peer")]
    assert only_top.elsewhere == {"mentor": 1, "mentee": 1}
    assert wording.balance_note(only_top) == [
        "No mentor among these: the Mentors list has 1 person ahead of Xi on a topic Xi is learning.",
        "No mentee among these: the Mentees list has 1 person learning a topic Xi is an expert in.",
    ]
    # Yu is learning nothing: no mentor can fit, and the note says so.
    assert store.read(suggest_peers, ids["Yu"], mode="mentors").empty_because == "no-fit"


def _davis(store, tmp_path: Path, level: str) -> tuple[nx.Graph, dict[str, str]]:
    """Davis Southern Women (networkx's copy) in the store: each woman holds the events she attended,
    all at ``level``."""
    B = nx.davis_southern_women_graph()
    people = {w: [f"{e}:{level}" for e in sorted(B[w])] for w in B.graph["top"]}
    return B, _load_bipartite(store, tmp_path, people)


def test_scores_equal_networkx_projection_on_davis_southern_women(store, tmp_path: Path) -> None:
    """With every level the same, f is 1 for peers, and the first score is a weighted projection of the
    bipartite graph onto the women: networkx's generic_weighted_projected_graph, with the weight of a
    pair made from networkx's own neighbour sets and degrees. The second step is that projection once
    more: what each neighbour of mine passes on to hers (and to herself, over all her events), in
    proportion to her weight for me. The list is everyone the two reach, by weight + 0.1 * second; those
    who share an event carry networkx's common neighbours and degrees, the others are two steps away."""
    B, ids = _davis(store, tmp_path, "practising")
    women = B.graph["top"]
    n = len(women)

    def weight(G: nx.Graph, u: str, v: str) -> float:
        shared = set(G[u]) & set(G[v])
        return sum(math.log(n / G.degree(t)) for t in shared)

    P = nx.bipartite.generic_weighted_projected_graph(B, women, weight_function=weight)
    name_of = {v: k for k, v in ids.items()}
    # No event was attended by everyone: every shared event counts.
    assert all(B.degree(e) < n for e in B.graph["bottom"])
    seen_two_steps = 0
    for w in women:
        got = store.read(
            suggest_peers, ids[w], limit=n, mode="peers", exclude_known=False, exclude_own_organisation=False
        )
        total = sum(P[w][p]["weight"] for p in P[w])

        def sim(p: str, o: str) -> float:
            return weight(B, o, o) if p == o else P[p][o]["weight"] if o in P[p] else 0.0

        second = {o: sum(P[w][p]["weight"] * sim(p, o) for p in P[w]) / total for o in women if o != w}
        expected = {o: P[w][o]["weight"] if o in P[w] else 0.0 for o in second}
        expected = {o: s + 0.1 * second[o] for o, s in expected.items() if s + 0.1 * second[o] > 0}
        assert {name_of[s.id] for s in got.suggestions} == set(expected)
        for s in got.suggestions:
            o = name_of[s.id]
            assert s.score == pytest.approx(expected[o], abs=5e-7)
            assert (s.kind == "two-steps") == (o not in P[w])
            common = set(nx.common_neighbors(B, w, o))
            assert sorted((t.name, t.holders) for t in s.shared_topics) == sorted(
                (e, B.degree(e)) for e in common
            )
        assert [s.score for s in got.suggestions] == sorted(
            (round(s, 6) for s in expected.values()), reverse=True
        )
        seen_two_steps += sum(s.kind == "two-steps" for s in got.suggestions)
    assert seen_two_steps  # some women share no event with some others
    # Mentors need a topic the member is learning: with all practising, nobody fits, and the result says why.
    none = store.read(suggest_peers, ids[women[0]], mode="mentors")
    assert none.suggestions == [] and none.empty_because == "no-fit"


# The level fit of docs/suggestions.md, written out: FIT[mode][(mine, theirs)].
_L, _P, _E = "learning", "practising", "expert"
FIT = {
    "peers": {
        (a, b): 1.0 if a == b else 0.0 if {a, b} == {_L, _E} else 0.5
        for a in (_L, _P, _E)
        for b in (_L, _P, _E)
    },
    "mentors": {(_L, _P): 0.5, (_L, _E): 1.0},
    "mentees": {(_E, _P): 0.5, (_E, _L): 1.0},
}
FIT["all"] = {k: max(FIT[m].get(k, 0.0) for m in ("peers", "mentors", "mentees")) for k in FIT["peers"]}


def _reference_scores(store, me: str, mode: str) -> dict[str, float]:
    """graphapp's score, recomputed independently with networkx from the graph as backed up."""
    return _reference_scores_of(graph(store), me, mode)


#: The share of the second step in the modes all and peers (docs/suggestions.md).
TWO_STEP_SHARE = 0.1


def _reference_scores_of(held: dict, me: str, mode: str) -> dict[str, float]:
    """Everyone's score for ``me`` above 0 (``me`` aside): in the modes all and peers, the first score plus
    0.1 times the second (see the comment above HAND), for whoever scores first or shares no topic with
    ``me`` (someone whose shared topics all fail to count is not lifted in by the second step)."""
    B = nx.Graph()
    for r in held["relationships"]["INTERESTED_IN"]:
        B.add_edge(r["source"], "t:" + r["target"], level=r["level"])
    n = len(held["nodes"]["Member"])
    mine = {t: B[me][t]["level"] for t in B[me]}
    first = {}
    for other in {o for t in mine for o in B[t]} - {me}:
        dot = sum(
            math.log(n / B.degree(t)) * FIT[mode].get((mine[t], B[other][t]["level"]), 0.0)
            for t in nx.common_neighbors(B, me, other)
        )
        if dot > 0:
            first[other] = dot
    if mode not in ("all", "peers"):
        return first
    refused = {m["id"] for m in held["nodes"]["Member"] if m.get("suggestible") == "no"}
    passing = {p: s for p, s in first.items() if p not in refused}  # me is not among them

    def sim(p: str, o: str) -> float:  # levels aside; p == o counts (all of o's topics)
        return sum(math.log(n / B.degree(t)) for t in set(B[p]) & set(B[o]))

    total = sum(passing.values())
    reached = {o for p in passing for t in B[p] for o in B[t]} | set(first)
    scores = {}
    for o in reached - {me}:
        if o not in first and set(B[o]) & set(mine):
            continue  # (shares a topic that does not count: not two steps away, and no match)
        second = sum(s * sim(p, o) for p, s in passing.items()) / total if total else 0.0
        score = first.get(o, 0.0) + TWO_STEP_SHARE * second
        if score > 0:
            scores[o] = score
    return scores


def _in_order(held: dict, me: str, scores: dict[str, float], who) -> list[str]:
    """``who`` in the order docs/suggestions.md says: score to 6 places, then more topics shared with
    ``me``, then name, then id."""
    name = {m["id"]: m["name"] for m in held["nodes"]["Member"]}
    topics: dict[str, set[str]] = {}
    for r in held["relationships"]["INTERESTED_IN"]:
        topics.setdefault(r["source"], set()).add(r["target"])
    mine = topics.get(me, set())
    return sorted(who, key=lambda o: (-round(scores[o], 6), -len(topics.get(o, set()) & mine), name[o], o))


@pytest.mark.parametrize("mode", ["all", "peers", "mentors", "mentees"])
def test_suggestions_match_an_independent_reference(store, mode: str) -> None:
    """The whole list, people two steps away included: the best 15 by the reference score (and everyone
    with a score, in a list as long as the network), in its order, each with its score."""
    import_files(store, DEMO_FILES)
    held = graph(store)
    everyone = len(held["nodes"]["Member"])
    people = sorted(m["id"] for m in held["nodes"]["Member"])[:12]
    two_steps_seen = 0
    for me in people:
        reference = _reference_scores_of(held, me, mode)
        expected = _in_order(held, me, reference, reference)
        for limit in (15, everyone):
            got = store.read(
                suggest_peers, me, limit=limit, mode=mode, exclude_known=False, exclude_own_organisation=False
            )
            assert [s.id for s in got.suggestions] == expected[:limit], (me, limit)
            for s in got.suggestions:
                assert s.score == pytest.approx(reference[s.id], abs=1e-6)
            two_steps_seen += sum(s.kind == "two-steps" for s in got.suggestions)
    # Only the modes all and peers reach people who share no topic (on the demo, past the first 15).
    assert (two_steps_seen > 0) == (mode in ("all", "peers"))


@pytest.fixture
def demo(store):
    import_files(store, DEMO_FILES)
    return graph(store)


def test_suggestions_come_with_reasons(store, demo) -> None:
    me = demo["nodes"]["Member"][0]
    result = store.read(suggest_peers, me["email"])
    assert result.member == me["id"] and 0 < len(result.suggestions) <= 10
    top = result.suggestions[0]
    assert top.shared_topics and wording.reasons(top)
    assert top.kind in ("peer", "mentor", "mentee")
    for shared in top.shared_topics:
        assert shared.mine in ("learning", "practising", "expert") and shared.theirs
        assert any(shared.name in reason for reason in wording.reasons(top))
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


ORDER = [_L, _P, _E]


def test_mentor_mode_finds_experts_where_i_am_learning(store, demo) -> None:
    learners = {r["source"] for r in demo["relationships"]["INTERESTED_IN"] if r["level"] == "learning"}
    me = sorted(learners)[0]
    result = store.read(suggest_peers, me, mode="mentors")
    assert result.suggestions
    for s in result.suggestions:
        assert s.kind == "mentor"
        # Every suggested mentor knows more than I do on at least one topic we share.
        assert any(ORDER.index(t.theirs) > ORDER.index(t.mine) for t in s.shared_topics)
    assert any(t.relation == "mentor" for s in result.suggestions for t in s.shared_topics)


def _best_who_pass(demo, me: str, passes, limit: int, leave_out: set[str] = frozenset()) -> list[str]:
    """Who should be suggested to ``me``: the best ``limit`` of those who pass (and are not left out) by the
    reference score (first + 0.1 * second: people two steps away included), ties broken as
    docs/suggestions.md says: more shared topics, then name, then id."""
    reference = _reference_scores_of(demo, me, "all")
    refused = {m["id"] for m in demo["nodes"]["Member"] if m.get("suggestible") == "no"}  # their consent
    chosen = [o for o in reference if passes(o) and o not in leave_out | refused]
    return _in_order(demo, me, reference, chosen)[:limit]


def _filters(demo) -> list[tuple[dict[str, str], object]]:
    region_of = {m["id"]: m["region"] for m in demo["nodes"]["Member"]}
    in_ws2 = {r["source"] for r in demo["relationships"]["MEMBER_OF"] if r["target"] == "WS2"}
    holds_nlp = {
        r["source"]
        for r in demo["relationships"]["INTERESTED_IN"]
        if r["target"] == "natural-language-processing"
    }
    return [
        ({"region": "Europe"}, lambda o: region_of[o] == "Europe"),
        ({"workstream": "WS2"}, lambda o: o in in_ws2),
        ({"topic": "natural-language-processing"}, lambda o: o in holds_nlp),
    ]


def test_filters_by_topic_workstream_and_region(store, demo) -> None:
    """Each filter gives the people who pass it, and exactly the best of them (with the people the member
    knows and colleagues left out, as by default): never an empty list where someone passes."""
    me = demo["nodes"]["Member"][3]["id"]
    works_at = {r["source"]: r["target"] for r in demo["relationships"]["WORKS_AT"]}
    known = {r["target"] for r in demo["relationships"]["KNOWS"] if r["source"] == me}
    known |= {r["source"] for r in demo["relationships"]["KNOWS"] if r["target"] == me}
    colleagues = {o for o, org in works_at.items() if org == works_at.get(me)}
    for options, passes in _filters(demo):
        got = store.read(suggest_peers, me, limit=30, **options)
        expected = _best_who_pass(demo, me, passes, 30, known | colleagues | {me})
        assert expected, f"the demo has nobody for {options}: choose another member"
        assert [s.id for s in got.suggestions] == expected, options
        assert all(passes(s.id) for s in got.suggestions)


def test_filters_keep_exactly_the_best_of_those_who_pass(store, demo) -> None:
    """A filter is not a sieve over the unfiltered top 10: the list is the best of everyone who passes."""
    people = sorted(m["id"] for m in demo["nodes"]["Member"])[:5]
    shown = 0
    for me in people:
        for options, passes in _filters(demo):
            got = store.read(
                suggest_peers, me, limit=5, exclude_known=False, exclude_own_organisation=False, **options
            )
            expected = _best_who_pass(demo, me, passes, 5)
            assert [s.id for s in got.suggestions] == expected, (me, options)
            shown += len(expected)
    assert shown >= 5 * 3 * 3  # most of these lists are full: the comparison is not between empty lists


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
    import_files(store, [write_csv(tmp_path / "more.csv", rows)], new_topics=True)
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
        import_files(there, [write_csv(tmp_path / "more.csv", rows)], new_topics=True)
        # Bea now shares nlp as Amy does (the same first score, ln(5 / 3)); Bea also holds ethics, which
        # nobody else does, so her second step is higher (by ln 5 / 2, through herself): Bea comes first.
        assert [s.name for s in here.read(suggest_peers, ids["Me"]).suggestions] == ["Bea", "Amy"]


def test_member_without_interests_gets_a_reason_not_an_error(store, tmp_path: Path) -> None:
    import_files(
        store, [write_csv(tmp_path / "m.csv", [member("Ana Example", "ana@example.org")])], new_topics=True
    )
    result = store.read(suggest_peers, "ana@example.org")
    assert result.suggestions == [] and result.empty_because == "no-topics"
    assert wording.note(result) == "Ana Example has no topics yet: add some to the profile to get suggestions"


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
    assert result.suggestions == [] and result.empty_because == "no-fit"

"""People two steps away (issue 18): a kind of suggestion of their own, for someone who shares no topic
with the member but shares topics with people who share the member's; its reasons name the people in
between, in three languages on pages and in English in the API; consent and modes are respected.
And the evaluation's own pieces, on data small enough to work out by hand."""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pytest

from benchmarks.evaluate_suggestions import (
    BASELINES,
    Cell,
    bootstrap,
    choose,
    item_similarities,
    projection_similarities,
    ranked_measures,
)
from graphapp import wording
from graphapp.analytics.suggestions import TWO_STEPS
from graphapp.db import get_store
from graphapp.ingest import import_files
from graphapp.ingest.normalise import member_id
from graphapp.queries.members import set_consent
from graphapp.reports import interest_index, suggest_peers
from tests.helpers import member, write_csv

# Me holds one rare topic, record linkage, with Ann and Bo. Cy shares no topic with Me, but GIS with Ann
# and Bo; Dee shares NLP with Bo only; Eve shares nothing with anyone in Me's circle.
PEOPLE = {
    "Me": ["record-linkage:practising"],
    "Ann": ["record-linkage:practising", "gis:practising"],
    "Bo": ["record-linkage:expert", "gis:practising", "nlp:practising"],
    "Cy": ["gis:practising"],
    "Dee": ["nlp:learning"],
    "Eve": ["cv:expert"],
    "Fay": ["cv:practising", "ethics:practising"],
}


def _email(p: str) -> str:
    return f"{p.lower()}@example.org"


def _load(store, tmp_path: Path) -> dict[str, str]:
    rows = [member(p, _email(p), topics="; ".join(ts)) for p, ts in PEOPLE.items()]
    import_files(store, [write_csv(tmp_path / "people.csv", rows)], new_topics=True)
    return {p: member_id(_email(p)) for p in PEOPLE}


def _listed(result) -> list[tuple[str, str]]:
    return [(s.name, s.kind) for s in result.suggestions]


def test_a_member_with_one_rare_topic_gets_people_two_steps_away(store, tmp_path: Path) -> None:
    ids = _load(store, tmp_path)
    got = store.read(suggest_peers, ids["Me"])
    # Everyone by first + 0.1 * second (N = 7; record linkage and GIS are held by 3, weight ln(7/3) =
    # 0.847298; NLP by 2, ln(7/2) = 1.252763). Ann practises record linkage as Me does (first 0.847298);
    # Bo is an expert in it (fit 0.5: 0.423649); Ann fits better. Those two pass their first scores on:
    # Ann 0.847298 + 0.1 * 1.694596 = 1.016757, Bo 0.423649 + 0.1 * 2.112183 = 0.634867; two steps away,
    # Cy through both on GIS 0.1 * 0.847298 = 0.084730, Dee through Bo on NLP 0.1 * 0.417588 = 0.041759
    # (here below those who share the rare topic; test_someone_close_to_my_peers_can_come_before_someone_
    # who_shares_a_topic shows the other case); never Eve nor Fay, whom nobody in Me's circle shares with.
    assert _listed(got) == [("Ann", "peer"), ("Bo", "peer"), ("Cy", TWO_STEPS), ("Dee", TWO_STEPS)]
    assert [s.score for s in got.suggestions] == [1.016757, 0.634867, 0.08473, 0.041759]
    cy, dee = got.suggestions[2], got.suggestions[3]
    assert cy.shared_topics == [] and dee.shared_topics == []
    assert [p.name for p in cy.between] == ["Ann", "Bo"] and cy.between_count == 2
    assert [p.name for p in dee.between] == ["Bo"] and [t.id for t in dee.their_topics] == ["nlp"]
    assert [t.id for t in cy.their_topics] == ["gis"]
    assert all(a.score > b.score for a, b in zip(got.suggestions, got.suggestions[1:], strict=False))
    # Never dressed as a shared interest: the reasons name the people in between and say "no topic".
    assert wording.reasons(cy, "Me") == [
        "Cy shares topics with 2 people who share topics with Me: Ann, Bo",
        "Cy shares no topic with Me; the topics of Cy that connect them: gis",
    ]
    assert wording.reasons(dee)[0] == "Dee shares topics with 1 person who shares topics with you: Bo"


# Pat shares Me's rarest topic, record linkage, and works with Oz on two more that only the two of them
# hold; Oz shares no topic with Me. Quinn and six others share only statistics with Me, which nine of the
# ten hold.
CLOSE_TO_MY_PEERS = {
    "Me": ["record-linkage", "statistics"],
    "Pat": ["record-linkage", "statistics", "imputation", "small-area-estimation"],
    "Oz": ["imputation", "small-area-estimation"],
    **{p: ["statistics"] for p in ("Quinn", "Rae", "Sol", "Tom", "Uma", "Vic", "Wes")},
}


def test_someone_close_to_my_peers_can_come_before_someone_who_shares_a_topic(store, tmp_path: Path) -> None:
    """The score is blended, not "two steps away after everyone who shares a topic": Oz, who shares no
    topic with Me but two rare ones with Pat, Me's closest peer, comes before Quinn, who shares with Me
    only a topic nearly everyone holds."""
    rows = [member(p, _email(p), topics="; ".join(ts)) for p, ts in CLOSE_TO_MY_PEERS.items()]
    import_files(store, [write_csv(tmp_path / "people.csv", rows)], new_topics=True)
    got = store.read(suggest_peers, member_id(_email("Me")))
    others = ["Quinn", "Rae", "Sol", "Tom", "Uma", "Vic", "Wes"]
    assert _listed(got) == [("Pat", "peer"), ("Oz", TWO_STEPS), *((p, "peer") for p in others)]
    # N = 10, every level the same: record linkage, imputation and small-area estimation weigh ln(10 / 2),
    # statistics ln(10 / 9). First: Pat ln5 + ln(10/9), the seven ln(10/9) each, Oz 0; T their sum.
    rare, common = math.log(5), math.log(10 / 9)
    pat, total = rare + common, rare + 8 * common
    oz = 0.1 * pat * 2 * rare / total  # Pat passes on to Oz over imputation and small-area estimation
    quinn = common + 0.1 * (pat * common + 7 * common * common) / total  # = common * 1.1
    pat_score = pat + 0.1 * (pat * (3 * rare + common) + 7 * common * common) / total
    assert [s.score for s in got.suggestions] == [round(x, 6) for x in (pat_score, oz, *[quinn] * 7)]
    assert [p.name for p in got.suggestions[1].between] == ["Pat"]
    assert [t.id for t in got.suggestions[1].their_topics] == ["imputation", "small-area-estimation"]


def test_peers_leaves_out_someone_whose_only_shared_topic_does_not_fit(store, tmp_path: Path) -> None:
    """In the Peers list, Lev, an expert in GIS which Me is learning (two levels apart: that topic does
    not count for peers), is not lifted in by his second step through Ann: he shares a topic, so he is
    not two steps away, and no shared topic makes a peer of him (a cold review found him listed as a
    "peer" whose only reason was "the other way round"). In Mentors he is Me's mentor."""
    people = {
        "Me": ["gis:learning"],
        "Ann": ["gis:learning", "nlp:practising"],
        "Lev": ["gis:expert", "nlp:practising"],
        "Xi": ["cv:expert"],
    }
    rows = [member(p, _email(p), topics="; ".join(ts)) for p, ts in people.items()]
    import_files(store, [write_csv(tmp_path / "people.csv", rows)], new_topics=True)
    me = member_id(_email("Me"))
    # N = 4: GIS held by 3 (ln(4/3)), NLP by 2 (ln 2). Only Ann scores first (ln(4/3)), so she passes
    # all of it on: second = sim(Ann, .) = ln(4/3) + ln 2 for both Ann and Lev.
    gis, nlp = math.log(4 / 3), math.log(2)
    peers = store.read(suggest_peers, me, mode="peers")
    assert [(s.name, s.kind, s.score) for s in peers.suggestions] == [
        ("Ann", "peer", round(gis + 0.1 * (gis + nlp), 6)),
    ]
    mentors = store.read(suggest_peers, me, mode="mentors")
    assert [(s.name, s.kind, s.score) for s in mentors.suggestions] == [("Lev", "mentor", round(gis, 6))]


def test_two_steps_never_for_someone_who_shares_a_topic(store, tmp_path: Path) -> None:
    ids = _load(store, tmp_path)
    index = store.read(interest_index)
    for person in PEOPLE:
        mine = set(index.topics_of(index.member[ids[person]]))
        for s in store.read(suggest_peers, ids[person], limit=20).suggestions:
            theirs = set(index.topics_of(index.member[s.id]))
            assert (s.kind == TWO_STEPS) == (not mine & theirs), (person, s.name, s.kind)


def test_two_steps_respect_consent_of_those_suggested_and_those_named(store, tmp_path: Path) -> None:
    ids = _load(store, tmp_path)
    store.write(set_consent, ids["Bo"], "members", "no")
    got = store.read(suggest_peers, ids["Me"])
    assert _listed(got) == [("Ann", "peer"), ("Cy", TWO_STEPS)]  # Dee was reached through Bo only
    assert [p.name for p in got.suggestions[1].between] == ["Ann"]
    store.write(set_consent, ids["Cy"], "members", "no")
    assert _listed(store.read(suggest_peers, ids["Me"])) == [("Ann", "peer")]


def test_two_steps_in_the_modes_that_rank_peers_only(store, tmp_path: Path) -> None:
    ids = _load(store, tmp_path)
    peers = store.read(suggest_peers, ids["Me"], mode="peers")
    assert [s.kind for s in peers.suggestions].count(TWO_STEPS) >= 1
    for mode in ("mentors", "mentees"):
        got = store.read(suggest_peers, ids["Bo"], mode=mode)
        assert all(s.kind != TWO_STEPS for s in got.suggestions), mode
    # The options still hold: a topic filter keeps only its holders (Dee, two steps away on NLP, is left out).
    on_gis = store.read(suggest_peers, ids["Me"], topic="gis")
    assert _listed(on_gis) == [("Ann", "peer"), ("Bo", "peer"), ("Cy", TWO_STEPS)]


@pytest.mark.parametrize("backend", ["ladybug"], indirect=True)
def test_the_api_carries_the_kind_and_english_reasons(app, client, tmp_path: Path) -> None:
    with app.app_context():
        ids = _load(get_store(), tmp_path)
    body = client.get(f"/api/members/{ids['Me']}/suggestions").get_json()
    cy = next(s for s in body["suggestions"] if s["name"] == "Cy")
    assert cy["kind"] == "two-steps" and cy["shared_topics"] == []
    assert sorted(p["name"] for p in cy["between"]) == ["Ann", "Bo"] and cy["between_count"] == 2
    assert cy["reasons"][0].startswith("Cy shares topics with 2 people who share topics with Me: ")


@pytest.mark.parametrize("backend", ["ladybug"], indirect=True)
def test_the_profile_says_it_in_three_languages(app, client, tmp_path: Path) -> None:
    with app.app_context():
        ids = _load(get_store(), tmp_path)
    said = {
        "en": (
            "two steps away",
            "Dee shares topics with 1 person who shares topics with Me: Bo",
            "In between:",
        ),
        "fr": (
            "contact au second degré",
            "Dee a des sujets en commun avec 1 personne qui a des sujets en commun avec Me : Bo",
            "Intermédiaires :",
        ),
        "ru": (
            "контакт второго уровня",
            "У Dee есть общие темы с 1 участником, у которого есть общие темы с Me: Bo",
            "Связующие участники:",
        ),
    }
    for language, words in said.items():
        page = client.get(f"/members/{ids['Me']}", headers={"Accept-Language": language})
        text = html.unescape(page.get_data(as_text=True))
        for w in words:
            assert w in text, (language, w)


# --- The evaluation's own pieces -------------------------------------------------------------------------

# Three people, three items: a holds x, y; b holds x, z; c holds z.
B = np.array([[1, 1, 0], [1, 0, 1], [0, 0, 1]], float)


def test_baselines_on_shared_items_give_the_textbook_answers() -> None:
    assert item_similarities(B, "cn").tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    # Jaccard a-b: 1 shared of 3 items between them; b-c: 1 of 2.
    assert item_similarities(B, "jaccard").round(4).tolist()[1] == [0.3333, 0, 0.5]
    # x and z are held by two people each: Adamic-Adar 1 / ln 2, resource allocation 1 / 2.
    assert item_similarities(B, "adamic_adar")[0, 1] == pytest.approx(1 / np.log(2))
    assert item_similarities(B, "resource")[1, 2] == pytest.approx(0.5)


def test_baselines_on_the_projection_reach_two_steps() -> None:
    # The projection is the path a - b - c: a and c have one common neighbour, b (of degree 2).
    cn = projection_similarities(B, "cn")
    assert cn[0, 2] == 1 and cn[0, 1] == 0
    assert projection_similarities(B, "resource")[0, 2] == pytest.approx(0.5)
    assert projection_similarities(B, "jaccard")[0, 2] == pytest.approx(1.0)


def test_ranked_measures_and_the_bootstrap() -> None:
    m = ranked_measures(
        np.array([0.9, 0.8, 0.7, 0.1]),
        np.array([False, True, False, True]),
        np.ones(4, bool),
        np.array([True, False, True, False]),
        (2,),
    )
    assert m == {"precision@2": 0.5, "mrr": 0.5, "auc": 0.25}
    assert bootstrap([0.1, 0.1, 0.1]) == pytest.approx((0.1, 0.1, 0.1))
    mean, low, high = bootstrap([0.0, 1.0, 0.0, 1.0])
    assert mean == 0.5 and 0 <= low < 0.5 < high <= 1


def test_the_rule_prefers_a_variant_never_clearly_worse_than_the_best_baseline() -> None:
    cell = Cell(("mrr",), "mrr", {b: {"mrr": [0.5, 0.5, 0.5]} for b in BASELINES})
    cell.per_split["steady"] = {"mrr": [0.52, 0.51, 0.53]}
    cell.per_split["clearly worse"] = {"mrr": [0.2, 0.2, 0.2]}
    chosen, rank, eligible = choose({("d", "t"): cell}, ["clearly worse", "steady"])
    assert chosen == "steady" and eligible == {"clearly worse": False, "steady": True}
    assert rank["steady"] == 1

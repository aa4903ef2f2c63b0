"""The "been there" suggestion mode (issue 14 §1): people whose projects on a member's topics are one or
more stages ahead of the member's own, on both stores, in the API, the CLI and the profile page.

The projects are written with the schema's generic statements (the importer and the forms are another
part's), in a write that declares it changed no member (``tx.touched([])``), as project writes do.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from graphapp import wording
from graphapp.analytics.interest_index import InterestIndex
from graphapp.analytics.journey_match import Journeys, been_there
from graphapp.db import get_store
from graphapp.ingest import import_files
from graphapp.ingest.normalise import member_id
from graphapp.queries.members import set_consent
from graphapp.queries.schema import CREATE_NODES, CREATE_RELS, NODES
from graphapp.reports import UnknownMember, suggest_been_there, suggest_peers
from tests.helpers import member, signed_in, write_csv

TODAY = date(2028, 4, 1)
RL = "record linkage"


def _id(name: str) -> str:
    return member_id(f"{name.lower()}@example.org")


def _years(day: str) -> float:
    return (TODAY - date.fromisoformat(day)).days / 365.25


def _recency(day: str | None) -> float:
    """Written out again: halves every five years; a day not known counts half."""
    return 0.5 if day is None else 0.5 ** (_years(day) / 5)


# Who is who: Me is learning record linkage, with a pilot at the demonstration stage, and practising NLP,
# with no project on it (before the idea, so any project on NLP is ahead).
PEOPLE = [
    ("Me", "ONS", "GBR", f"{RL}:learning; nlp:practising", ""),
    ("Ann", "Statistics Canada", "CAN", f"{RL}:expert", ""),  # production: ahead by 1
    ("Bo", "Stats SA", "ZAF", f"{RL}:expert", ""),  # maintenance: ahead by 2
    ("Cy", "INSEE", "FRA", f"{RL}:practising", ""),  # demonstration (level) and an idea (behind)
    ("Di", "ONS", "GBR", f"{RL}:expert", ""),  # production, but a colleague
    ("Ed", "Istat", "ITA", f"{RL}:expert", "me@example.org"),  # production, but known
    ("Fay", "CBS", "NLD", f"{RL}:expert", ""),  # production, said no to suggestions
    ("Gus", "Statistics Norway", "NOR", f"{RL}:expert", ""),  # production, lapsed
    ("Hal", "Statistics Finland", "FIN", "nlp:expert", ""),  # an NLP idea, day not known
    ("Ivy", "Destatis", "DEU", "web scraping:learning", ""),  # production, no level on record linkage
    ("Zed", "INE", "ESP", "nlp:learning", ""),  # no projects at all
    ("Nil", "INE Chile", "CHL", "", ""),  # no topics and no projects
]
# project id: (title, stage, {stage: day}, members, topics, organisation (a member's, by name))
PROJECTS = {
    "p-me": (
        "Me's linkage pilot",
        "demonstration",
        {"idea": "2024-01-10", "demonstration": "2025-03-01"},
        ["Me"],
        [RL],
        "Me",
    ),
    "p-ann": (
        "Census linkage",
        "production",
        {"demonstration": "2022-01-01", "production": "2023-04-01"},
        ["Ann"],
        [RL],
        "Ann",
    ),
    "p-bo": (
        "Business register linkage",
        "maintenance",
        {"production": "2021-05-01", "maintenance": "2023-04-01"},
        ["Bo"],
        [RL],
        "Bo",
    ),
    "p-cy1": ("Patient linkage", "demonstration", {"demonstration": "2024-02-01"}, ["Cy"], [RL], "Cy"),
    "p-cy2": ("Linkage ideas", "idea", {"idea": "2025-02-01"}, ["Cy"], [RL], "Cy"),
    "p-di": ("Admin data linkage", "production", {"production": "2023-04-01"}, ["Di"], [RL], "Di"),
    "p-ed": ("Tax linkage", "production", {"production": "2023-04-01"}, ["Ed"], [RL], "Ed"),
    "p-fay": ("Survey linkage", "production", {"production": "2023-04-01"}, ["Fay"], [RL], "Fay"),
    "p-gus": ("Register linkage", "production", {"production": "2023-04-01"}, ["Gus"], [RL], "Gus"),
    "p-hal": ("Text coding", "idea", {}, ["Hal"], ["nlp"], "Hal"),
    "p-ivy": ("Price linkage", "production", {"production": "2024-06-01"}, ["Ivy"], [RL], "Ivy"),
}


def _topic_id(name: str) -> str:
    return name.replace(" ", "-")


def add_projects(store, projects: dict[str, tuple], organisation_of: dict[str, str]) -> None:
    """Projects with their members, topics and organisation, as one write that changed no member."""
    empty = dict.fromkeys(NODES["Project"].properties, "")

    def write(tx) -> None:  # type: ignore[no-untyped-def]
        tx.run(
            CREATE_NODES["Project"],
            rows=[
                {**empty, "id": p, "title": title, "stage": stage, **days}
                for p, (title, stage, days, _, _, _) in projects.items()
            ],
        )
        tx.run(
            CREATE_RELS["WORKS_ON"],
            rows=[
                {"source": _id(m), "target": p, "role": "lead"}
                for p, (_, _, _, members, _, _) in projects.items()
                for m in members
            ],
        )
        tx.run(
            CREATE_RELS["ON_TOPIC"],
            rows=[{"source": p, "target": _topic_id(t)} for p, spec in projects.items() for t in spec[4]],
        )
        tx.run(
            CREATE_RELS["RUN_BY"],
            rows=[{"source": p, "target": organisation_of[spec[5]]} for p, spec in projects.items()],
        )
        tx.touched([])

    store.write(write)


def build(store, tmp_path: Path) -> None:
    rows = [
        member(
            name, f"{name.lower()}@example.org", organisation=org, country=country, topics=topics, knows=knows
        )
        for name, org, country, topics, knows in PEOPLE
    ]
    import_files(store, [write_csv(tmp_path / "members.csv", rows)], new_topics=True)
    organisations = {
        r["name"]: r["id"]
        for r in store.read(lambda tx: tx.run("MATCH (o:Organisation) RETURN o.id AS id, o.name AS name"))
    }
    add_projects(store, PROJECTS, {name: organisations[org] for name, org, *_ in PEOPLE})
    store.write(set_consent, _id("Fay"), "members", "no")
    store.write(
        lambda tx: tx.run(
            "MATCH (m:Member {id: $id}) SET m.lapsed = '2028-01-01T00:00:00+00:00'", id=_id("Gus")
        )
    )


@pytest.fixture
def network(store, tmp_path: Path):  # type: ignore[no-untyped-def]
    build(store, tmp_path)
    return store


# The gains, written out: ahead * recency * (1 + fit) / 2, fit as the mentors mode (d / 2 for d > 0).
# Bo: demonstration -> maintenance = 2 ahead, reached 2023-04-01, expert where Me is learning (fit 1).
# Ann: 1 ahead (production), same day, same levels. Hal: NLP, Me before the idea -> idea = 1 ahead, day
# not known (0.5), expert where Me is practising (fit 0.5). Ivy: 1 ahead, 2024-06-01, no level (fit 0).
EXPECTED = [
    ("Bo", round(2 * _recency("2023-04-01") * 1, 6)),
    ("Ann", round(1 * _recency("2023-04-01") * 1, 6)),
    ("Hal", round(1 * _recency(None) * 0.75, 6)),
    ("Ivy", round(1 * _recency("2024-06-01") * 0.5, 6)),
]


def test_ranks_those_further_ahead_first_and_leaves_out_those_behind_or_level(network) -> None:
    got = network.read(suggest_been_there, _id("Me"), today=TODAY)
    assert [(s.name, s.score) for s in got.suggestions] == EXPECTED
    assert all(s.kind == "been-there" for s in got.suggestions)
    bo, ann = got.suggestions[0], got.suggestions[1]
    assert [(a.topic, a.stage, a.my_stage, a.ahead, a.mine, a.theirs) for a in bo.ahead] == [
        ("record-linkage", "maintenance", "demonstration", 2, "learning", "expert")
    ]
    assert ann.ahead[0].ahead == 1 and ann.ahead[0].organisation == "Statistics Canada"
    assert "Cy" not in {s.name for s in got.suggestions}  # level (demonstration) or behind (an idea)
    # The same through suggest_peers, the one function pages, API and CLI call.
    same = network.read(suggest_peers, _id("Me"), mode="been-there")
    assert [s.name for s in same.suggestions] == [name for name, _ in EXPECTED]


def test_the_same_people_are_left_out_as_in_the_other_modes(network) -> None:
    everyone = network.read(
        suggest_been_there, _id("Me"), exclude_known=False, exclude_own_organisation=False, limit=50
    )
    names = {s.name for s in everyone.suggestions}
    # a colleague and someone Me knows come back when asked for; never Me, the member who said no, the
    # lapsed one, nor those level or behind
    assert names == {"Bo", "Ann", "Hal", "Ivy", "Di", "Ed"}
    default = {s.name for s in network.read(suggest_been_there, _id("Me")).suggestions}
    assert default == {"Bo", "Ann", "Hal", "Ivy"}
    # the other modes leave out the same people
    peers = {s.name for s in network.read(suggest_peers, _id("Me"), mode="all", limit=50).suggestions}
    assert not peers & {"Me", "Di", "Ed", "Fay", "Gus"}


def test_the_reasons_say_the_stage_the_organisation_and_the_year(network) -> None:
    shown = wording.worded_suggestions(network.read(suggest_peers, _id("Me"), mode="been-there"))
    assert shown["mode"] == "been-there" and shown["note"] is None
    reasons = {s["name"]: s["reasons"] for s in shown["suggestions"]}
    # (the API names both people: whoever reads it, "you" would be ambiguous)
    assert reasons["Ann"] == [
        "Ann took record linkage to production at Statistics Canada in 2023; Me is at the demonstration "
        "stage; Ann is an expert in record linkage, which Me is learning"
    ]
    assert reasons["Bo"] == [
        "Bo took record linkage to production and has maintained it at Stats SA since 2023; Me is at the "
        "demonstration stage; Bo is an expert in record linkage, which Me is learning"
    ]
    assert reasons["Hal"] == [
        "Hal is at the idea stage with nlp at Statistics Finland; Me has no project on it yet; Hal is an "
        "expert in nlp, which Me practises",
        "in the same region (Europe)",  # (as the other modes say it)
    ]
    assert reasons["Ivy"] == [
        "Ivy took record linkage to production at Destatis in 2024; Me is at the demonstration stage",
        "in the same region (Europe)",
    ]
    # On Me's own profile, Me is "you".
    ann = next(
        s for s in network.read(suggest_peers, _id("Me"), mode="been-there").suggestions if s.name == "Ann"
    )
    assert wording.reasons(ann)[0] == (
        "Ann took record linkage to production at Statistics Canada in 2023; you are at the demonstration "
        "stage; Ann is an expert in record linkage, which you are learning"
    )
    ann = next(s for s in shown["suggestions"] if s["name"] == "Ann")
    assert ann["ahead"][0]["title"] == "Census linkage" and ann["ahead"][0]["day"] == "2023-04-01"


def test_one_line_per_topic_the_best_first() -> None:
    index = InterestIndex.of(
        {"me": {"a": "learning", "b": "learning"}, "ann": {"a": "expert", "b": "expert"}}
    )
    journeys = Journeys.of(
        {
            "p1": {"stage": "idea", "idea": "2027-01-01", "members": ["ann"], "topics": ["a"]},
            "p2": {"stage": "production", "production": "2027-01-01", "members": ["ann"], "topics": ["b"]},
        }
    )
    (ann,) = been_there(index, journeys, "me", today=TODAY).suggestions
    assert [(a.topic, a.ahead) for a in ann.ahead] == [("b", 3), ("a", 1)]
    assert ann.score == round(sum(a.gain for a in ann.ahead), 6)
    assert len(wording.reasons(ann)) == 2 and wording.reasons(ann)[0].startswith("ann took b to production")


def test_a_member_with_no_projects_is_behind_everyone_on_their_topics(network) -> None:
    zed = network.read(suggest_peers, _id("Zed"), mode="been-there")
    assert [(s.name, [(a.my_stage, a.ahead) for a in s.ahead]) for s in zed.suggestions] == [
        ("Hal", [(None, 1)])
    ]
    nil = network.read(suggest_peers, _id("Nil"), mode="been-there")
    assert nil.suggestions == [] and wording.note(nil) == (
        "Nil has no topics or projects yet: add your projects (with their topics and stage) so that "
        "people who have been there can be found"
    )


def test_nobody_ahead_says_so_and_what_would_help(network, tmp_path: Path) -> None:
    import_files(
        network,
        [
            write_csv(
                tmp_path / "more.csv", [member("Uma", "uma@example.org", topics="edge computing:expert")]
            )
        ],
        new_topics=True,
    )
    uma = network.read(suggest_peers, _id("Uma"), mode="been-there")
    assert uma.suggestions == [] and wording.note(uma) == (
        "nobody has a project further along than Uma's own on these topics yet: add your projects (with "
        "their topics and stage) so that people who have been there can be found"
    )
    # Bo is ahead of everyone: nobody further along, and Bo has projects, so no advice to add them
    bo = network.read(suggest_peers, _id("Bo"), mode="been-there")
    assert bo.suggestions == [] and wording.note(bo) == (
        "nobody has a project further along than Bo's own on these topics yet"
    )


def test_a_new_project_is_seen_by_the_next_suggestion(network) -> None:
    before = network.read(suggest_peers, _id("Zed"), mode="been-there")
    assert [s.name for s in before.suggestions] == ["Hal"]
    add_projects(
        network,
        {"p-cy3": ("Text mining", "production", {"production": "2027-06-01"}, ["Cy"], ["nlp"], "Cy")},
        {"Cy": _org(network, "INSEE")},
    )
    after = network.read(suggest_peers, _id("Zed"), mode="been-there")
    assert [s.name for s in after.suggestions] == ["Cy", "Hal"]


def _org(store, name: str) -> str:
    (row,) = store.read(
        lambda tx: tx.run("MATCH (o:Organisation {name: $name}) RETURN o.id AS id", name=name)
    )
    return str(row["id"])


def test_an_unknown_member_is_an_error(network) -> None:
    with pytest.raises(UnknownMember):
        network.read(suggest_peers, "nobody@example.org", mode="been-there")


# --- API, CLI, page -----------------------------------------------------------------------------------


@pytest.fixture
def web(app, tmp_path: Path):  # type: ignore[no-untyped-def]
    with app.app_context():
        build(get_store(), tmp_path)
    return app


def test_the_api_gives_the_mode_with_reasons_and_no_emails(web, client) -> None:
    answer = client.get(f"/api/members/{_id('Me')}/suggestions?mode=been-there")
    assert answer.status_code == 200
    found = answer.get_json()
    assert found["mode"] == "been-there"
    assert [s["name"] for s in found["suggestions"]] == [name for name, _ in EXPECTED]
    assert found["suggestions"][1]["reasons"][0].startswith(
        "Ann took record linkage to production at Statistics Canada in 2023"
    )
    assert "@example.org" not in answer.get_data(as_text=True)
    wrong = client.get(f"/api/members/{_id('Me')}/suggestions?mode=been-here")
    assert wrong.status_code == 400
    assert "mode must be one of all, peers, mentors, mentees, been-there, not 'been-here'" in wrong.get_data(
        as_text=True
    )


def test_the_cli_says_it_in_text_and_json(web, runner) -> None:
    text = runner.invoke("suggest", "me@example.org", "--mode", "been-there")
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "suggestions for Me (been-there):"
    assert lines[1].startswith("  1. Bo (Stats SA, ZAF): been-there, score")
    assert (
        "       - Bo took record linkage to production and has maintained it at Stats SA since 2023"
        in text.stdout
    )
    as_json = json.loads(runner.invoke("suggest", "me@example.org", "--mode", "been-there", "--json").stdout)
    assert [s["name"] for s in as_json["suggestions"]] == [name for name, _ in EXPECTED]
    empty = runner.invoke("suggest", "nil@example.org", "--mode", "been-there")
    assert "none: Nil has no topics or projects yet: add your projects" in empty.stdout
    wrong = runner.invoke("suggest", "me@example.org", "--mode", "been-here")
    assert wrong.exit_code == 2 and "been-there" in wrong.stderr


def _page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return unescape(response.get_data(as_text=True))


def test_the_profile_page_offers_the_mode_and_explains_it(web, client) -> None:
    page = _page(client, f"/members/{_id('Me')}?mode=been-there")
    assert '<option value="been-there" selected>' in page
    assert "one or more stages further along the journey" in page
    names = re.findall(r'<h3><a href="/members/[^"]+">([^<]+)</a> <span class="kind kind-been-there">', page)
    assert names == [name for name, _ in EXPECTED]
    assert "took record linkage to production at Statistics Canada in 2023" in page
    assert '<a href="/projects/p-ann">Census linkage</a> (Statistics Canada)' in page
    assert "Add your projects" not in page  # (an administrator looking, and Me has a project)
    wrong = client.get(f"/members/{_id('Me')}?mode=been-here")
    assert wrong.status_code == 400 and "mode must be one of" in wrong.get_data(as_text=True)


def test_a_member_with_no_projects_is_told_to_add_them(web) -> None:
    nil = signed_in(web, "nil@example.org", "member", _id("Nil"))
    page = _page(nil, f"/members/{_id('Nil')}?mode=been-there")
    assert "Nil has no topics or projects yet: add your projects" in page
    assert '<a href="/projects/new">Add your projects</a>' in page
    zed = signed_in(web, "zed@example.org", "member", _id("Zed"))
    page = _page(zed, f"/members/{_id('Zed')}?mode=been-there")
    assert "is at the idea stage with nlp at Statistics Finland; you have no project on it yet" in page
    assert '<a href="/projects/new">Add your projects</a>' in page
    assert "kind=been-there" in page  # the introduction it asks for is counted as this mode's


def test_an_introduction_asked_from_the_mode_is_counted_under_it(web) -> None:
    from tests.helpers import csrf_token

    me = signed_in(web, "me@example.org", "member", _id("Me"))
    form = _page(me, f"/introductions/new?to={_id('Ann')}&kind=been-there")
    assert "been there" in form
    sent = me.post(
        "/introductions",
        data={
            "to": _id("Ann"),
            "kind": "been-there",
            "note": "How did you get to production?",
            "csrf_token": csrf_token(me, f"/introductions/new?to={_id('Ann')}&kind=been-there"),
        },
    )
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)
    admin = signed_in(web, "coord@example.org", "coordinator")
    stats = {r["kind"]: r for r in admin.get("/api/introductions/stats").get_json()["kinds"]}
    assert stats["been-there"]["waiting"] == 1


def test_a_member_with_projects_but_no_interests_is_matched_on_their_projects_topics() -> None:
    index = InterestIndex.of({"me": {}, "ann": {"a": "expert"}, "bo": {}})
    journeys = Journeys.of(
        {
            "mine": {"stage": "idea", "idea": "2027-01-01", "members": ["me"], "topics": ["a"]},
            "p1": {"stage": "production", "production": "2027-01-01", "members": ["ann"], "topics": ["a"]},
            "p2": {"stage": "idea", "idea": "2020-01-01", "members": ["bo"], "topics": ["a"]},  # level
        }
    )
    found = been_there(index, journeys, "me", today=TODAY)
    assert [(s.name, s.ahead[0].my_stage, s.ahead[0].ahead, s.ahead[0].mine) for s in found.suggestions] == [
        ("ann", "idea", 2, None)
    ]
    # fit 0 without a level of mine: 2 * recency * 1/2
    assert found.suggestions[0].score == round(2 * 0.5 ** (_years("2027-01-01") / 5) / 2, 6)


def test_the_mode_is_for_signed_in_members_even_in_public_mode(web) -> None:
    """Projects are for members (the list, the profile's section): in public mode an anonymous visitor
    sees the mode's sentence telling them to sign in, and the API answers 403; a member sees the mode."""
    web.config["GRAPHAPP_PUBLIC"] = "1"
    visitor = web.test_client()
    page = _page(visitor, f"/members/{_id('Me')}?mode=been-there")
    assert "Sign in as a member to see who has been there" in page
    assert "Census linkage" not in page and "Statistics Canada in 2023" not in page
    assert "kind-been-there" not in page
    assert visitor.get(f"/members/{_id('Me')}").status_code == 200  # (the other modes stay public)
    answer = visitor.get(f"/api/members/{_id('Me')}/suggestions?mode=been-there")
    assert answer.status_code == 403
    assert "sign in as a member" in answer.get_json()["error"]["message"]
    assert "Census linkage" not in answer.get_data(as_text=True)
    assert visitor.get(f"/api/members/{_id('Me')}/suggestions").status_code == 200
    member = signed_in(web, "zed@example.org", "member", _id("Zed"))
    assert "took record linkage to production at Statistics Canada in 2023" in _page(
        member, f"/members/{_id('Me')}?mode=been-there"
    )
    assert member.get(f"/api/members/{_id('Me')}/suggestions?mode=been-there").status_code == 200

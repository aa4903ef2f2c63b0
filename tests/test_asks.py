"""Asks, on both stores: who is best placed to help (checked against an independent count over the graph's
own rows), the ask on its topics' pages and on the home part of those who match, offer -> mail -> pick ->
introduction, close, form problems, the coverage gap of open asks without an expert, exports and the API."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from typing import Any

import pytest

from graphapp.auth import Viewer
from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.queries.members import MemberFilter, member_ids, set_consent, topic_list
from tests.helpers import csrf_token, signed_in
from tests.test_introductions import contact, email_of, mailed_link, queued_mail

TEXT = "How do you explain probabilistic record linkage to a steering board? [ask-51be]"


def independent_ranking(store: Any, asker: str, topics: list[str], limit: int = 10) -> list[str]:
    """Who can help, counted here from the graph's rows with plain Python: per level, the sum of
    ln(N / holders) over the ask's topics held at that level; expert first, then practising, learning,
    then the counts, then name and id. Never the asker, nor who said no to suggestions or introductions."""
    members = store.read(
        lambda tx: tx.run(
            "MATCH (m:Member) RETURN m.id AS id, m.name AS name, m.suggestible AS s, m.introductions AS i"
        )
    )
    held = store.read(
        lambda tx: tx.run(
            "MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic) RETURN m.id AS m, t.id AS t, r.level AS level"
        )
    )
    n = len(members)
    holders: dict[str, int] = {}
    for row in held:
        holders[row["t"]] = holders.get(row["t"], 0) + 1
    order = ["expert", "practising", "learning"]
    score: dict[str, list[float]] = {}
    for row in held:
        if row["t"] in topics and row["level"] in order:
            s = score.setdefault(row["m"], [0.0] * 6)
            k = order.index(row["level"])
            s[k] += math.log(n / holders[row["t"]])
            s[3 + k] += 1
    names = {m["id"]: m["name"] for m in members}
    ok = {m["id"] for m in members if m["s"] != "no" and m["i"] != "no" and m["id"] != asker}
    ranked = sorted(
        (m for m in score if m in ok),
        key=lambda m: (*(-round(v, 6) for v in score[m][:3]), *(-c for c in score[m][3:]), names[m], m),
    )
    return ranked[:limit]


@pytest.fixture
def net(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo network; an asker with an account, the topics of the ask (a rare one and record linkage)."""
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
        asker = store.read(member_ids, MemberFilter(topic="record-linkage", level="learning"))[0]
        topics = store.read(topic_list)
        rare = min(
            (t for t in topics if t["n"] >= 2 and t["id"] != "record-linkage"),
            key=lambda t: (t["n"], t["id"]),
        )
    return {
        "asker": asker,
        "topics": ["record-linkage", rare["id"]],
        "A": signed_in(app, "asker@example.org", "member", asker),
    }


def post_ask(client: Any, topics: list[str], text: str = TEXT, kind: str = "technical") -> Any:
    token = csrf_token(client, "/asks")
    return client.post("/asks", data={"kind": kind, "text": text, "topics": topics, "csrf_token": token})


def ask_id(response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[1]


def test_helpers_are_ranked_by_expertise_as_an_independent_count_says(app, net) -> None:
    from graphapp.reports import ask_helpers

    with app.app_context():
        store = get_store()
        first = store.read(ask_helpers, net["asker"], net["topics"]).helpers
        # Consent: the two best say no, one to being suggested, the other to introductions.
        store.write(set_consent, first[0].id, "members", "no")
        store.write(
            lambda tx: tx.run("MATCH (m:Member {id: $id}) SET m.introductions = 'no'", id=first[1].id)
        )
        found = store.read(ask_helpers, net["asker"], net["topics"]).helpers
        expected = independent_ranking(store, net["asker"], net["topics"])
    assert [h.id for h in found] == expected and len(expected) >= 3
    assert first[0].id not in expected and first[1].id not in expected and net["asker"] not in expected
    # Expertise first: nobody listed below holds a topic at a higher level than someone above, all else equal.
    best = found[0]
    assert best.weight["expert"] >= max(h.weight["expert"] for h in found)
    assert {t.topic for t in best.topics} <= set(net["topics"])


def test_an_ask_shows_its_helpers_on_its_topics_and_on_matching_home_parts(app, net) -> None:
    from graphapp.pages.asks import home_part

    A = net["A"]
    made = ask_id(post_ask(A, net["topics"]))
    page = A.get(f"/asks/{made}").get_data(as_text=True)
    assert "ask-51be" in page and "Best placed to help" in page
    with app.app_context():
        from graphapp.reports import ask_helpers
        from graphapp.wording import helper_reasons

        helpers = get_store().read(ask_helpers, net["asker"], net["topics"]).helpers
    for h in helpers:
        assert h.name in page
        for reason in helper_reasons(h):
            assert reason in page
    assert "Ask to be introduced to " + helpers[0].name in page  # from the ask, to a helper
    # On each topic's page, for members; not for visitors in public mode.
    other = signed_in(app, "other@example.org", "member", helpers[0].id)
    for topic in net["topics"]:
        assert "ask-51be" in other.get(f"/topics/{topic}").get_data(as_text=True)
    app.config["GRAPHAPP_PUBLIC"] = "1"
    assert "ask-51be" not in app.test_client().get(f"/topics/{net['topics'][0]}").get_data(as_text=True)
    assert app.test_client().get(f"/asks/{made}").status_code == 302  # (to sign in)
    # On the home part of those who match, and of the asker.
    with app.app_context():
        store = get_store()
        theirs = store.read(home_part, Viewer("x", "member", helpers[0].id))
        mine = store.read(home_part, Viewer("y", "member", net["asker"]))
        nobody = store.read(home_part, Viewer("z", "member", None))
    assert [a["id"] for a in theirs["could_help"]] == [made] and theirs["my_asks"] == []
    with app.test_request_context("/"):  # the partial the home page includes
        from flask import render_template

        part = render_template("pages/_home_asks.html", part=theirs)
    assert f'href="/asks/{made}"' in part and "Asks I could help with" in part and "ask-51be" in part
    assert [a["id"] for a in mine["my_asks"]] == [made] and mine["could_help"] == []
    assert nobody is None  # (an account that is no member has no such part)
    # The experts among the best placed are told by mail.
    experts = [h for h in helpers[:5] if any(t.level == "expert" for t in h.topics)]
    told = queued_mail(app, "ask_match")
    assert {m["member"] for m in told} == {h.id for h in experts} and experts
    assert mailed_link(told[0]["text"]) == f"/asks/{made}"


def test_offer_mail_pick_introduction_and_close(app, net) -> None:
    A, asker = net["A"], net["asker"]
    made = ask_id(post_ask(A, net["topics"]))
    with app.app_context():
        from graphapp.reports import ask_helpers

        helper = get_store().read(ask_helpers, asker, net["topics"]).helpers[0].id
        for m in (asker, helper):
            get_store().write(set_consent, m, "nobody", "yes")
    H = signed_in(app, "helper@example.org", "member", helper)
    offered = H.post(
        f"/asks/{made}/offers",
        data={"note": "I ran this for our board [offer-22aa]", "csrf_token": csrf_token(H, f"/asks/{made}")},
    )
    assert offered.status_code == 302
    (mail,) = queued_mail(app, "ask_offer")
    assert mail["recipient"] == email_of(app, asker) and "offer-22aa" not in mail["text"]  # (on the page)
    assert "They left you a note" in mail["text"]
    assert mailed_link(mail["text"]) == f"/asks/{made}"
    page = A.get(f"/asks/{made}").get_data(as_text=True)
    assert "offer-22aa" in page and "Pick this offer" in page
    third = signed_in(
        app, "third@example.org", "member", next(m for m in all_members(app) if m not in (asker, helper))
    )
    assert "offer-22aa" not in third.get(f"/asks/{made}").get_data(
        as_text=True
    )  # a note is for the two of them
    assert (
        H.post(f"/asks/{made}/offers", data={"note": "", "csrf_token": csrf_token(H, "/asks")}).status_code
        == 409
    )
    (offer,) = re.findall(rf'action="/asks/{made}/offers/([0-9a-f]+)/pick"', page)

    picked = A.post(f"/asks/{made}/offers/{offer}/pick", data={"csrf_token": csrf_token(A, "/asks")})
    assert picked.status_code == 302 and picked.headers["Location"].endswith(f"/members/{helper}")
    assert contact(app, asker, helper)["via"] == "introduction"
    assert email_of(app, helper) in A.get(f"/members/{helper}").get_data(as_text=True)
    assert email_of(app, asker) in H.get(f"/members/{asker}").get_data(as_text=True)
    (told,) = queued_mail(app, "introduction_answer")
    assert told["member"] == helper and "picked your offer" in told["text"]

    closed = A.post(f"/asks/{made}/close", data={"outcome": "resolved", "csrf_token": csrf_token(A, "/asks")})
    assert closed.status_code == 302
    assert "resolved" in A.get(f"/asks/{made}").get_data(as_text=True)
    assert "ask-51be" not in A.get(f"/topics/{net['topics'][0]}").get_data(as_text=True)
    assert (
        third.post(
            f"/asks/{made}/offers", data={"note": "", "csrf_token": csrf_token(third, "/asks")}
        ).status_code
        == 409
    )
    # Only the asker closes.
    assert (
        H.post(
            f"/asks/{made}/close", data={"outcome": "withdrawn", "csrf_token": csrf_token(H, "/asks")}
        ).status_code
        == 409
    )


def all_members(app: Any) -> list[str]:
    with app.app_context():
        return list(get_store().read(member_ids, MemberFilter()))


@pytest.mark.parametrize(
    ("text", "topics", "problem"),
    [
        ("   ", ["record-linkage"], "text must not be empty"),
        ("x" * 2001, ["record-linkage"], "text is too long (at most 2000 characters)"),
        ("fine", [], "topics: pick from 1 to 10 topics"),
        ("fine", ["no-such-topic"], "there is no topic &#39;no-such-topic&#39;"),
    ],
)
def test_a_bad_ask_says_which_field_and_keeps_what_was_typed(app, net, text, topics, problem) -> None:
    refused = post_ask(net["A"], topics, text=text, kind="strategic")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and problem in page, page[:3000]
    assert '<option value="strategic" selected>' in page
    if text.strip() and len(text) < 100:
        assert f">{text}</textarea>" in page
    assert all_asks(app) == 0


def test_a_refusal_is_in_the_readers_language_on_the_page_and_in_english_in_the_api(app, net) -> None:
    """Issue 15 §5: a French reader's page says why in French (as the catalogue words it); the JSON API,
    for programs, keeps English whatever the reader's language."""
    from flask_babel import force_locale, gettext

    A = net["A"]
    A.set_cookie("graphapp_lang", "fr")
    refused = post_ask(A, ["no-such-topic"], text="fine", kind="strategic")
    page = refused.get_data(as_text=True)
    with app.test_request_context(headers={"Cookie": "graphapp_lang=fr"}), force_locale("fr"):
        french = gettext(
            "topics: there is no topic '%(topic)s'; pick topics from the list.", topic="no-such-topic"
        )
    assert refused.status_code == 400 and '<html lang="fr">' in page
    assert french.replace("'", "&#39;") in page, page[:3000]
    token = csrf_token(A, "/asks")
    body = {"kind": "technical", "text": "fine", "topics": ["no-such-topic"]}
    answer = A.post("/api/asks", json=body, headers={"X-CSRFToken": token})
    assert answer.status_code == 404
    assert "there is no topic 'no-such-topic'; pick topics from the list." in answer.get_data(as_text=True)
    assert all_asks(app) == 0


def all_asks(app: Any) -> int:
    with app.app_context():
        return int(get_store().read(lambda tx: tx.run("MATCH (a:Ask) RETURN count(a) AS n"))[0]["n"])


def test_open_asks_on_a_topic_without_an_expert_are_a_coverage_gap(app, net) -> None:
    coordinator = signed_in(app, "co@example.org", "coordinator")
    gaps = coordinator.get("/api/gaps").get_json()["gaps"]
    no_expert = next(g["subject"] for g in gaps if g["kind"] == "topic-without-expert")
    assert not [g for g in gaps if g["kind"] == "topic-ask-without-expert"]
    made = ask_id(post_ask(net["A"], [no_expert]))
    gaps = coordinator.get("/api/gaps").get_json()["gaps"]
    (gap,) = [g for g in gaps if g["kind"] == "topic-ask-without-expert"]
    assert (
        gap["subject"] == no_expert
        and gap["numbers"]["asks"] == 1
        and "1 open ask and no expert" in gap["detail"]
    )
    page = coordinator.get("/coverage?per_page=100").get_data(as_text=True)
    assert "asks nobody can answer" in page and "1 open ask and no expert" in page
    net["A"].post(
        f"/asks/{made}/close", data={"outcome": "withdrawn", "csrf_token": csrf_token(net["A"], "/asks")}
    )
    gaps = coordinator.get("/api/gaps").get_json()["gaps"]
    assert not [g for g in gaps if g["kind"] == "topic-ask-without-expert"]


def test_exports_carry_the_open_asks_of_the_people_in_the_view(app, net) -> None:
    ask_id(post_ask(net["A"], net["topics"]))
    coordinator = signed_in(app, "co@example.org", "coordinator")
    body = coordinator.get("/api/export/csv?kind=topic&value=record-linkage").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    with app.app_context():
        name = get_store().read(
            lambda tx: tx.run("MATCH (m:Member {id: $id}) RETURN m.name AS n", id=net["asker"])
        )[0]["n"]
    (row,) = [r for r in rows if r["name"] == name]
    assert row["open asks"] == f"technical: {TEXT} ({', '.join(net['topics'])})"
    assert all(r["open asks"] == "" for r in rows if r["name"] != name)
    data = json.loads(coordinator.get("/api/export/cyjs?kind=topic&value=record-linkage").get_data())
    (node,) = [n for n in data["elements"]["nodes"] if n["data"].get("graphapp_id") == net["asker"]]
    assert node["data"]["open_asks"][0]["text"] == TEXT


def test_the_api(app, net) -> None:
    A, asker = net["A"], net["asker"]
    token = csrf_token(A, "/asks")
    body = {"kind": "organisational", "text": TEXT, "topics": net["topics"]}
    assert A.post("/api/asks", json=body).status_code == 400  # without the CSRF token
    made = A.post("/api/asks", json=body, headers={"X-CSRFToken": token})
    assert made.status_code == 200, made.get_json()
    ask = made.get_json()["id"]
    assert (
        A.post("/api/asks", json={**body, "topics": ["nope"]}, headers={"X-CSRFToken": token}).status_code
        == 404
    )
    listed = A.get("/api/asks").get_json()
    assert [a["id"] for a in listed["items"]] == [ask]
    read = A.get(f"/api/asks/{ask}").get_json()
    helper = read["helpers"]["helpers"][0]
    assert helper["reasons"] and read["offers"] == []
    assert (
        A.post(f"/api/asks/{ask}/offers", json={"note": "mine"}, headers={"X-CSRFToken": token}).status_code
        == 409
    )
    H = signed_in(app, "helper@example.org", "member", helper["id"])
    h_token = csrf_token(H, "/asks")
    offer = H.post(f"/api/asks/{ask}/offers", json={"note": "happy to"}, headers={"X-CSRFToken": h_token})
    assert offer.status_code == 200
    picked = A.post(f"/api/asks/{ask}/offers/{offer.get_json()['id']}/pick", headers={"X-CSRFToken": token})
    assert picked.status_code == 200 and picked.get_json()["introduced"] == helper["id"]
    assert contact(app, asker, helper["id"])["via"] == "introduction"
    closed = A.post(f"/api/asks/{ask}/close", json={"outcome": "resolved"}, headers={"X-CSRFToken": token})
    assert closed.status_code == 200 and closed.get_json()["status"] == "resolved"
    assert A.get("/api/asks").get_json()["items"] == []
    assert A.get("/api/asks/nope").status_code == 404
    assert app.test_client().get("/api/asks").status_code == 401


def test_forgetting_a_member_takes_their_asks_and_offers(app, net) -> None:
    from graphapp.queries.members import forget_member

    A, asker = net["A"], net["asker"]
    made = ask_id(post_ask(A, net["topics"]))
    other = next(m for m in all_members(app) if m != asker)
    B = signed_in(app, "o@example.org", "member", other)
    B.post(f"/asks/{made}/offers", data={"note": "x", "csrf_token": csrf_token(B, "/asks")})
    mine = ask_id(post_ask(B, net["topics"], text="theirs"))
    A.post(f"/asks/{mine}/offers", data={"note": "from the asker", "csrf_token": csrf_token(A, "/asks")})
    with app.app_context():
        store = get_store()
        store.write(forget_member, asker)  # (its steps: graphapp.queries.forgetting)
        asks = store.read(lambda tx: tx.run("MATCH (x:Ask) RETURN x.member AS member"))
        offers = store.read(lambda tx: tx.run("MATCH (x:Offer) RETURN x.member AS member"))
    assert [r["member"] for r in asks] == [other] and offers == []  # every offer of or to the asker went


def test_the_offer_mail_the_smtp_server_received_opens_the_ask(app, net, smtp_server) -> None:
    from urllib.parse import urlsplit

    from graphapp.mail import deliver_queued
    from tests.smtp import links_in

    A, asker = net["A"], net["asker"]
    made = ask_id(post_ask(A, net["topics"]))
    helper = next(m for m in all_members(app) if m != asker)
    H = signed_in(app, "helper@example.org", "member", helper)
    H.post(f"/asks/{made}/offers", data={"note": "glad to [offer-5c]", "csrf_token": csrf_token(H, "/asks")})
    with app.app_context():
        deliver_queued(get_store(), smtp_server.config)
    (offer,) = smtp_server.to(email_of(app, asker))
    assert "offers to help" in str(offer["Subject"])
    link = next(u for u in links_in(offer) if "/asks/" in u)
    page = A.get(urlsplit(link).path).get_data(as_text=True)
    assert "offer-5c" in page and "Pick this offer" in page


def test_a_retired_topic_is_not_offered_nor_taken_for_a_new_ask(app, net) -> None:
    """A topic a coordinator retired leaves the ask form's list, and an ask naming it is refused, saying
    why; nothing is stored."""
    from graphapp.vocabulary import retire

    retired = net["topics"][1]
    with app.app_context():
        get_store().write(retire, retired)
    form = net["A"].get("/asks").get_data(as_text=True)
    assert f'value="{retired}"' not in form and 'value="record-linkage"' in form
    refused = post_ask(net["A"], ["record-linkage", retired])
    assert refused.status_code >= 400 and "was retired by a coordinator" in refused.get_data(as_text=True)
    assert all_asks(app) == 0

"""Introductions, with consent on both sides, on both stores: a member asks from a suggestion or a profile
with a note, the other follows the mailed link (without signing in) or answers signed in; on accept both
see each other's email and the contact is on both profiles (via introduction, dated); a decline is told to
the asker only; a weekly limit; introductions off; "do not suggest me" still askable from the profile;
coordinators see counts, never the notes; the API; forgetting a member takes their introductions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.queries.introductions import WEEKLY_LIMIT
from graphapp.queries.members import MemberFilter, member_ids, set_consent
from graphapp.reports import suggest_peers
from tests.helpers import csrf_token, signed_in

NOTE = "Hello from the record linkage team: could we compare notes on blocking? [note-7f3a]"


def queued_mail(app: Any, kind: str | None = None) -> list[dict[str, Any]]:
    """The mails queued in the graph (optionally of one kind), oldest first."""
    with app.app_context():
        rows = get_store().read(
            lambda tx: tx.run(
                "MATCH (x:Mail) RETURN x.recipient AS recipient, x.member AS member, x.kind AS kind, "
                "x.subject AS subject, x.text AS text, x.created AS created"
            )
        )
    return sorted((r for r in rows if kind is None or r["kind"] == kind), key=lambda r: r["created"])


def mailed_link(text: str) -> str:
    """The path of the first link to this site in a mail's text (not the preferences link)."""
    for url in re.findall(r"https?://\S+", text):
        if "/introductions/" in url or "/asks/" in url:
            return urlsplit(url).path
    raise AssertionError(f"no link in {text!r}")


def contact(app: Any, a: str, b: str) -> dict[str, Any] | None:
    """The KNOWS between two members, with its properties (None if they do not know each other)."""
    with app.app_context():
        rows = get_store().read(
            lambda tx: tx.run(
                "MATCH (x:Member {id: $a})-[r:KNOWS]-(y:Member {id: $b}) RETURN r.via AS via, r.since AS since",
                a=a,
                b=b,
            )
        )
    return rows[0] if rows else None


def email_of(app: Any, member: str) -> str:
    with app.app_context():
        return str(
            get_store().read(lambda tx: tx.run("MATCH (m:Member {id: $id}) RETURN m.email AS e", id=member))[
                0
            ]["e"]
        )


@pytest.fixture
def pair(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo network; member A (with an account, signed in) and B, A's first suggested peer (with an
    account too), both hiding their email from everyone."""
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
        a = store.read(member_ids, MemberFilter(topic="record-linkage"))[0]
        suggestion = store.read(suggest_peers, a).suggestions[0]
        b = suggestion.id
        for m in (a, b):
            store.write(set_consent, m, "nobody", "yes")
    client_a = signed_in(app, "a@example.org", "member", a)
    client_b = signed_in(app, "b@example.org", "member", b)
    return {"a": a, "b": b, "kind": suggestion.kind, "A": client_a, "B": client_b}


def ask_introduction(client: Any, to: str, kind: str = "profile", note: str = NOTE, ask: str = "") -> Any:
    token = csrf_token(client, f"/introductions/new?to={to}&kind={kind}" + (f"&ask={ask}" if ask else ""))
    return client.post(
        "/introductions", data={"to": to, "kind": kind, "note": note, "ask": ask, "csrf_token": token}
    )


def test_from_a_suggestion_to_an_accepted_introduction_by_the_mailed_link(app, pair) -> None:
    a, b, A = pair["a"], pair["b"], pair["A"]
    email_a, email_b = email_of(app, a), email_of(app, b)
    profile = A.get(f"/members/{a}").get_data(as_text=True)
    assert f"/introductions/new?to={b}&amp;kind={pair['kind']}" in profile  # a button per suggestion
    assert email_b not in A.get(f"/members/{b}").get_data(as_text=True)  # hidden from strangers

    sent = ask_introduction(A, b, pair["kind"])
    assert sent.status_code == 302
    (mail,) = queued_mail(app, "introduction_request")
    assert mail["recipient"] == email_b and mail["member"] == b
    assert "Choose which mails you get" in mail["text"]
    assert NOTE not in mail["text"]  # (the note stays in graphapp, for the two: admins read the outbox)

    visitor = app.test_client()  # B follows the link without signing in
    link = mailed_link(mail["text"])
    page = visitor.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert NOTE.replace("'", "&#39;") in text and "Accept" in text
    answered = visitor.post(link, data={"answer": "accept", "csrf_token": csrf_token(visitor, link)})
    assert answered.status_code == 302
    after = visitor.get(link).get_data(as_text=True)
    assert email_a in after  # the one asked sees the asker's email now
    assert "are introduced</h1>" in after and "asks to be introduced to you" not in after  # (says what is)

    # Both see each other's email, whatever their choice for strangers, and the contact is on both profiles.
    B = pair["B"]
    page_b = A.get(f"/members/{b}").get_data(as_text=True)
    page_a = B.get(f"/members/{a}").get_data(as_text=True)
    assert email_b in page_b and email_a in page_a
    assert (
        f'href="/members/{a}"' in page_b and f'href="/members/{b}"' in page_a
    )  # each in the other's contacts
    assert A.get(f"/api/members/{b}").get_json()["email"] == email_b
    known = contact(app, a, b)
    assert known == {"via": "introduction", "since": datetime.now(UTC).date().isoformat()}
    # Wherever A meets B, not only on B's page: the API's list, a neighbourhood's graph (the directory's
    # list shows no emails to anyone).
    name_b = A.get(f"/api/members/{b}").get_json()["name"]
    listed = A.get("/api/members", query_string={"q": name_b, "per_page": 100}).get_json()["items"]
    assert [p.get("email") for p in listed if p["id"] == b] == [email_b]
    graph = A.get(f"/api/members/{a}/neighbourhood").get_json()
    assert email_b in [n["properties"].get("email") for n in graph["nodes"] if n["properties"]["id"] == b]
    # A stranger still does not see them, anywhere.
    stranger = signed_in(app, "c@example.org", "member")
    assert email_b not in stranger.get(f"/members/{b}").get_data(as_text=True)
    assert email_b not in stranger.get("/api/members", query_string={"q": name_b}).get_data(as_text=True)
    (told,) = queued_mail(app, "introduction_answer")
    assert told["recipient"] == email_a and "accepted" in told["text"] and email_b in told["text"]
    # The link answers once.
    again = visitor.post(link, data={"answer": "decline", "csrf_token": csrf_token(visitor, "/login")})
    assert again.status_code == 409


def test_answer_signed_in_and_a_decline_is_told_to_the_asker_only(app, pair) -> None:
    a, b, A, B = pair["a"], pair["b"], pair["A"], pair["B"]
    ask_introduction(A, b)
    waiting = B.get("/introductions").get_data(as_text=True)
    (found,) = re.findall(r'href="/introductions/([0-9a-f]{32})"', waiting)
    page = B.get(f"/introductions/{found}").get_data(as_text=True)
    assert "Decline" in page
    done = B.post(
        f"/introductions/{found}", data={"answer": "decline", "csrf_token": csrf_token(B, "/introductions")}
    )
    assert done.status_code == 302
    (told,) = queued_mail(app, "introduction_answer")
    assert told["recipient"] == email_of(app, a) and "did not take up" in told["text"]
    assert "reason" not in told["text"].split("-- ")[0].lower()
    assert contact(app, a, b) is None and email_of(app, b) not in A.get(f"/members/{b}").get_data(
        as_text=True
    )
    assert "not taken up" in A.get("/introductions").get_data(as_text=True)
    held = A.get("/me/data.json").get_json()["introductions"]  # in "my data", note and all
    assert [(i["to_member"], i["note"], i["status"]) for i in held] == [(b, NOTE, "declined")]
    # Nobody else sees it: not a third member, not a coordinator (who sees counts only).
    for other in (signed_in(app, "c@example.org", "member"), signed_in(app, "co@example.org", "coordinator")):
        assert other.get(f"/introductions/{found}").status_code == 404
        assert found not in other.get("/introductions").get_data(as_text=True)
    # Only the one asked may answer.
    assert (
        A.post(
            f"/introductions/{found}",
            data={"answer": "accept", "csrf_token": csrf_token(A, "/introductions")},
        ).status_code
        == 404
    )


def test_a_weekly_limit(app, pair) -> None:
    A = pair["A"]
    with app.app_context():
        everyone = [m for m in get_store().read(member_ids, MemberFilter()) if m != pair["a"]]
    for to in everyone[:WEEKLY_LIMIT]:
        assert ask_introduction(A, to).status_code == 302, to
    refused = ask_introduction(A, everyone[WEEKLY_LIMIT])
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert (
        f"{WEEKLY_LIMIT} introductions in the last seven days" in text and NOTE.split(":")[0] in text
    )  # kept
    assert f"up to {WEEKLY_LIMIT} introductions a week" in A.get("/introductions").get_data(as_text=True)
    assert len(queued_mail(app, "introduction_request")) <= WEEKLY_LIMIT


def test_introductions_off_and_do_not_suggest_me(app, pair) -> None:
    a, b, A, B = pair["a"], pair["b"], pair["A"], pair["B"]
    # "Do not suggest me": gone from suggestions, still askable from the profile.
    B.post(
        "/me/consent",
        data={
            "email_visibility": "nobody",
            "suggestible": "no",
            "introductions": "yes",
            "csrf_token": csrf_token(B, "/me"),
        },
    )
    assert f"to={b}&amp;kind=" not in A.get(f"/members/{a}").get_data(as_text=True)
    assert f"/introductions/new?to={b}&amp;kind=profile" in A.get(f"/members/{b}").get_data(as_text=True)
    assert ask_introduction(A, b, "peer").status_code == 409
    assert ask_introduction(A, b, "profile").status_code == 302
    # Introductions off: no button, and asking is refused.
    other = signed_in(app, "c@example.org", "member", member_ids_except(app, a, b))
    me = B.get("/me").get_data(as_text=True)
    assert 'name="introductions"' in me
    B.post(
        "/me/consent",
        data={
            "email_visibility": "nobody",
            "suggestible": "no",
            "introductions": "no",
            "csrf_token": csrf_token(B, "/me"),
        },
    )
    assert "Ask to be introduced" not in other.get(f"/members/{b}").get_data(as_text=True)
    refused = ask_introduction(other, b)
    assert refused.status_code == 409 and "chosen not to be introduced" in refused.get_data(as_text=True)


def member_ids_except(app: Any, *ids: str) -> str:
    with app.app_context():
        return next(m for m in get_store().read(member_ids, MemberFilter()) if m not in ids)


def test_coordinators_see_counts_never_the_notes(app, pair, runner) -> None:
    a, b, A = pair["a"], pair["b"], pair["A"]
    ask_introduction(A, b, pair["kind"])
    (mail,) = queued_mail(app, "introduction_request")
    visitor = app.test_client()
    link = mailed_link(mail["text"])
    visitor.post(link, data={"answer": "accept", "csrf_token": csrf_token(visitor, link)})
    ask_introduction(A, member_ids_except(app, a, b), "profile", note="second [note-99c1]")
    coordinator = signed_in(app, "co@example.org", "coordinator")
    page = coordinator.get("/introductions/stats").get_data(as_text=True)
    assert "note-7f3a" not in page and "note-99c1" not in page
    stats = {r["kind"]: r for r in coordinator.get("/api/introductions/stats").get_json()["kinds"]}
    assert stats[pair["kind"]]["accepted"] == 1 and stats[pair["kind"]]["share_accepted"] == 1.0
    assert stats["profile"]["waiting"] == 1 and stats["all"]["asked"] == 2
    assert A.get("/introductions/stats").status_code == 403  # a member does not see them
    app.extensions["graphapp.store"].close()
    app.extensions["graphapp.store"] = None
    app.extensions["graphapp.schema_ready"] = False
    out = runner.invoke("introductions", "stats").output
    assert "100%" in out and "note-" not in out
    assert "a suggested " + pair["kind"] in out


def test_a_reimport_keeps_an_introduced_contact(app, pair) -> None:
    a, b, A = pair["a"], pair["b"], pair["A"]
    ask_introduction(A, b)
    (mail,) = queued_mail(app, "introduction_request")
    visitor = app.test_client()
    link = mailed_link(mail["text"])
    visitor.post(link, data={"answer": "accept", "csrf_token": csrf_token(visitor, link)})
    assert contact(app, a, b)["via"] == "introduction"
    with app.app_context():
        import_files(get_store(), DEMO_FILES)  # the same files again: they do not list this contact
    assert contact(app, a, b)["via"] == "introduction"


def test_the_api(app, pair) -> None:
    a, b, A, B = pair["a"], pair["b"], pair["A"], pair["B"]
    body = {"to": b, "note": NOTE, "kind": "profile"}
    assert A.post("/api/introductions", json=body).status_code == 400  # no CSRF token
    token = csrf_token(A, "/introductions")
    made = A.post("/api/introductions", json=body, headers={"X-CSRFToken": token})
    assert made.status_code == 200, made.get_json()
    again = A.post("/api/introductions", json=body, headers={"X-CSRFToken": token})
    assert again.status_code == 409 and "already waiting" in again.get_json()["error"]["message"]
    bad = A.post("/api/introductions", json={"to": b, "note": "x" * 501}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400 and "note" in bad.get_json()["error"]["message"]
    mine = B.get("/api/introductions").get_json()
    (waiting,) = mine["waiting"]
    assert waiting["from_member"] == a and waiting["note"] == NOTE and "token_hash" not in waiting
    answer = B.post(
        f"/api/introductions/{waiting['id']}/answer",
        json={"answer": "accept"},
        headers={"X-CSRFToken": csrf_token(B, "/introductions")},
    )
    assert answer.status_code == 200 and answer.get_json()["status"] == "accepted"
    assert A.get(f"/api/members/{b}").get_json()["email"] == email_of(app, b)
    assert B.get(f"/api/members/{a}").get_json()["email"] == email_of(app, a)


def test_forgetting_a_member_takes_their_introductions_both_ways(app, pair) -> None:
    from graphapp.queries.introductions import introductions_of
    from graphapp.queries.members import forget_member

    a, b, A = pair["a"], pair["b"], pair["A"]
    ask_introduction(A, b)
    third = member_ids_except(app, a, b)
    ask_introduction(signed_in(app, "c@example.org", "member", third), a)
    with app.app_context():
        store = get_store()
        assert len(store.read(introductions_of, a)) == 2
        # The request from A waits in the mail queue for B: it speaks of A, and goes with A.
        waiting = "MATCH (x:Mail {kind: 'introduction_request'}) RETURN x.recipient AS to"
        assert email_of(app, b) in [r["to"] for r in store.read(lambda tx: tx.run(waiting))]
        email_b = email_of(app, b)
        store.write(forget_member, a)  # (its steps: graphapp.queries.forgetting)
        assert store.read(introductions_of, a) == [] and store.read(introductions_of, b) == []
        assert store.read(lambda tx: tx.run("MATCH (i:Introduction) RETURN count(i) AS n"))[0]["n"] == 0
        assert email_b not in [r["to"] for r in store.read(lambda tx: tx.run(waiting))]


def test_the_link_in_the_mail_the_smtp_server_received_answers(app, pair, smtp_server) -> None:
    """Through a real SMTP server on loopback: the request's message (plain text, why it came, the link),
    its link followed with a test client that never signed in, and the answer's message back."""
    from graphapp.mail import deliver_queued
    from tests.smtp import links_in

    a, b, A = pair["a"], pair["b"], pair["A"]
    ask_introduction(A, b, pair["kind"])
    with app.app_context():
        assert deliver_queued(get_store(), smtp_server.config)["sent"] == 1
    (message,) = smtp_server.wait_for(1)
    assert str(message["To"]) == email_of(app, b)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert NOTE not in body and "a member of the network asked to be introduced to you" in body
    link = next(u for u in links_in(message) if "/introductions/answer/" in u)
    visitor = app.test_client()
    assert visitor.get(urlsplit(link).path).status_code == 200
    done = visitor.post(
        urlsplit(link).path, data={"answer": "accept", "csrf_token": csrf_token(visitor, "/login")}
    )
    assert done.status_code == 302
    with app.app_context():
        assert deliver_queued(get_store(), smtp_server.config)["sent"] == 1
    answer = smtp_server.wait_for(2)[1]
    assert (
        str(answer["To"]) == email_of(app, a)
        and email_of(app, b) in answer.get_body(preferencelist=("plain",)).get_content()
    )
    assert contact(app, a, b)["via"] == "introduction"


def test_two_answers_at_once_count_once(app, pair, backend) -> None:
    """An accept (by the mailed link) and a decline (signed in) at the same moment: the one that commits
    second finds the introduction answered, so there is one answer, one contact at most, one mail. On Neo4j
    the first answer is held open (a transaction of the driver's own) while the second runs."""
    import threading

    from graphapp.queries.cypher import Derived
    from graphapp.queries.introductions import answer_introduction, introductions_of
    from graphapp.store import Neo4jTx

    a, b, A = pair["a"], pair["b"], pair["A"]
    ask_introduction(A, b)
    with app.app_context():
        store = get_store()
        (asked,) = store.read(introductions_of, a)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        if backend == "ladybug":  # (one writer at a time: the second simply comes after)
            assert store.write(answer_introduction, asked["id"], "accepted", now)
            assert not store.write(answer_introduction, asked["id"], "declined", now)
            return
        second: list[bool] = []
        with store.driver.session(database=store._home_database()) as session:  # type: ignore[attr-defined]
            first = session.begin_transaction()
            assert answer_introduction(Neo4jTx(first, Derived()), asked["id"], "accepted", now)
            racing = threading.Thread(
                target=lambda: second.append(store.write(answer_introduction, asked["id"], "declined", now))
            )
            racing.start()
            racing.join(timeout=2)
            assert racing.is_alive()  # the second answer waits for the first one's lock...
            first.commit()
            racing.join(timeout=60)
        assert second == [False]  # ...and then finds it answered
        (answered,) = store.read(introductions_of, a)
        assert answered["status"] == "accepted"

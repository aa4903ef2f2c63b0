"""Fresh profiles and lasting consent (issue 13), on both stores: when each profile was last confirmed;
the reminders (a first, a second, then left out of suggestions), never sent twice, from the command line
as a real process with a real mail server; the link in the mail; consent asked again before a lapsed
member comes back; the coordinators' list; the coverage report's stale profiles; all in the history."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from graphapp import create_app
from graphapp.analytics.coverage import stale_share
from graphapp.analytics.interest_index import InterestIndex
from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.freshness import (
    Timing,
    confirmation_token,
    member_of_confirmation_token,
    remind,
    renew_consent,
)
from graphapp.ingest import import_files
from graphapp.introductions import Refused, request_introduction
from graphapp.queries.cypher import Tx
from graphapp.queries.freshness import freshness_of
from graphapp.queries.history import changes, values
from graphapp.queries.mail import set_mail_off
from graphapp.queries.members import MemberFilter, member_ids
from graphapp.reports import suggest_peers
from tests.helpers import csrf_token, signed_in
from tests.smtp import SmtpServer, links_in

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
BASE = "http://graphapp.example.org"


def _set(tx: Tx, member: str, **fields: str) -> None:
    for name, value in fields.items():  # (names from this file only)
        tx.run(f"MATCH (m:Member {{id: $id}}) SET m.{name} = $value", id=member, value=value)


def _state(app: Any, member: str) -> dict[str, Any]:
    with app.app_context():
        return get_store().read(freshness_of, [member])[0]


def _mails(app: Any) -> list[dict[str, str]]:
    with app.app_context():
        return get_store().read(
            lambda tx: tx.run(
                "MATCH (x:Mail) RETURN x.kind AS kind, x.member AS member, x.recipient AS recipient, "
                "x.subject AS subject, x.text AS text ORDER BY x.created"
            )
        )


def _remind(app: Any, now: datetime, **kwargs: Any) -> list[dict[str, Any]]:
    with app.test_request_context("/", base_url=BASE):
        return remind(get_store(), Timing(12, 30), now=now, **kwargs)


OURS = ("confirm", "reminder", "lapse", "consent")


def _history(app: Any, member: str, kind: str | None = None) -> list[dict[str, Any]]:
    """The member's changes of the kinds freshness records (or of ``kind``), oldest first."""
    with app.app_context():
        # (with a limit: on LadybugDB, main's changes() without one fails, "ORDER BY must be followed by
        # SKIP or LIMIT"; reported to the lead)
        found = get_store().read(changes, member=member, kind=kind, oldest_first=True, limit=10_000)
    return [c for c in found if c["kind"] in OURS]


def _suggested(app: Any, member: str) -> list[str]:
    with app.app_context():
        found = get_store().read(suggest_peers, member, limit=500)
    return [s.id for s in found.suggestions]


@pytest.fixture
def network(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo network, everyone confirmed a week before NOW but ``old`` (joined two years before NOW,
    never confirmed) and ``peer`` (another member ``old`` is suggested to)."""
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
        everyone = store.read(member_ids, MemberFilter())
        recent = (NOW - timedelta(days=7)).isoformat(timespec="seconds")
        store.write(lambda tx: [_set(tx, m, confirmed=recent) for m in everyone])
        pairs = [(m, s) for m in everyone[:40] for s in _suggested(app, m)[:1]]
        peer, old = pairs[0]
        store.write(_set, old, confirmed="", joined="2024-05-01")
    return {"old": old, "peer": peer, "everyone": everyone}


def test_a_profile_shows_when_it_was_last_confirmed(app, network) -> None:
    old, peer = network["old"], network["peer"]
    visitor = signed_in(app, "someone@example.org", "member")
    page = visitor.get(f"/members/{old}").get_data(as_text=True)
    # (the test runs after NOW: at least 2 years since 2024-05-01)
    assert re.search(r"Profile confirmed \d+ years? ago \(May 1, 2024\)\.", page), page
    assert "Confirm it is still right" not in page  # (only its owner gets the link)
    with app.app_context():
        get_store().write(_set, peer, confirmed="", joined="")
    assert "Profile never confirmed." in visitor.get(f"/members/{peer}").get_data(as_text=True)
    owner = signed_in(app, "old@example.org", "member", old)
    page = owner.get(f"/members/{old}").get_data(as_text=True)
    link = re.search(r'href="(/confirm/[^"]+)">Confirm it is still right', page)
    assert link, page
    assert "Is your profile still right" in owner.get(link.group(1)).get_data(as_text=True)


def test_saving_ones_own_profile_confirms_it_and_a_coordinators_edit_does_not(app, network) -> None:
    from tests.test_profiles import _form

    old, peer = network["old"], network["peer"]
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    form = _form(coordinator, old)
    form["title"] = "Edited by a coordinator"
    assert coordinator.post(f"/members/{old}/edit", data=form).status_code == 302
    assert _state(app, old)["confirmed"] == ""  # not confirmed for them
    assert _history(app, old, "confirm") == []

    owner = signed_in(app, "old@example.org", "member", old)
    form = _form(owner, old)
    form["title"] = "Edited by myself"
    before = datetime.now(UTC).replace(microsecond=0)
    assert owner.post(f"/members/{old}/edit", data=form).status_code == 302
    confirmed = datetime.fromisoformat(_state(app, old)["confirmed"])
    assert before <= confirmed <= datetime.now(UTC)
    (change,) = _history(app, old, "confirm")
    assert change["by"] == "account:old@example.org" and change["subject"] == f"member:{old}"
    assert values(change) == ({"confirmed": ""}, {"confirmed": _state(app, old)["confirmed"]})
    assert "confirmed today" in owner.get(f"/members/{old}").get_data(as_text=True)
    assert _state(app, peer)["confirmed"] == (NOW - timedelta(days=7)).isoformat(timespec="seconds")


def test_two_reminders_then_left_out_of_suggestions_until_consent_is_given_again(app, network) -> None:
    old, peer = network["old"], network["peer"]
    assert old in _suggested(app, peer)
    # Due (joined 2024-05-01, 12 months): a first reminder, once, however often it runs.
    assert _remind(app, NOW) == [
        {"id": old, "name": _state(app, old)["name"], "step": "first", "mailed": True}
    ]
    assert _remind(app, NOW) == [] and _remind(app, NOW + timedelta(days=29)) == []
    (mail,) = _mails(app)
    assert mail["kind"] == "profile_reminder" and mail["member"] == old
    assert mail["subject"] == "Is your profile in the network still right?"
    (token,) = re.findall(rf"{re.escape(BASE)}/confirm/([\w.-]+)", mail["text"])
    assert member_of_token_in(app, token) == old  # (a dated token: each made at its own second)
    assert _state(app, old)["reminders"] == "1"
    # No answer in 30 days: a second reminder; 30 more: left out.
    assert [r["step"] for r in _remind(app, NOW + timedelta(days=30))] == ["second"]
    assert _remind(app, NOW + timedelta(days=59)) == []
    assert [r["step"] for r in _remind(app, NOW + timedelta(days=60))] == ["lapse"]
    assert _remind(app, NOW + timedelta(days=200)) == []  # (nothing more to do to a lapsed member)
    assert [m["kind"] for m in _mails(app)] == ["profile_reminder", "profile_reminder"]
    state = _state(app, old)
    assert state["lapsed"] == (NOW + timedelta(days=60)).isoformat(timespec="seconds")
    # Left out of suggestions, not deleted; no introduction asked from a suggestion either.
    assert old not in _suggested(app, peer)
    assert old in network["everyone"] and _state(app, old)["name"]
    with app.test_request_context("/", base_url=BASE), pytest.raises(Refused):
        get_store().write(request_introduction, None, old, "", "peer", "", NOW.isoformat())
    # The history: two reminders and the lapse, in the member format.
    kinds = [(c["kind"], values(c)) for c in _history(app, old)]
    assert kinds[0][0] == "reminder" and kinds[0][1][1]["reminders"] == "1"
    assert kinds[1][0] == "reminder" and kinds[1][1][1]["reminders"] == "2"
    assert kinds[2] == ("lapse", ({"lapsed": ""}, {"lapsed": state["lapsed"]}))
    state_lapsed = state["lapsed"]
    # Confirming the profile alone does not bring them back: their consent is asked again.
    with app.app_context():
        get_store().write(
            renew_consent,
            old,
            {"email_visibility": "coordinators", "suggestible": "yes", "introductions": "no"},
            (NOW + timedelta(days=61)).isoformat(timespec="seconds"),
        )
    state = _state(app, old)
    assert (state["lapsed"], state["reminders"], state["email_visibility"], state["introductions"]) == (
        "",
        "",
        "coordinators",
        "no",
    )
    assert old in _suggested(app, peer)
    consent = _history(app, old, "consent")[-1]
    # (the demo's members never chose: unset, now chosen; the lapse is undone)
    assert values(consent) == (
        {"email_visibility": "", "suggestible": "", "introductions": "", "lapsed": state_lapsed},
        {"email_visibility": "coordinators", "suggestible": "yes", "introductions": "no", "lapsed": ""},
    )
    # The reminders start again from the new confirmation.
    assert _remind(app, NOW + timedelta(days=300)) == []
    later = _remind(app, NOW + timedelta(days=61 + 366))  # (by then everyone else is due too)
    assert [r["step"] for r in later if r["id"] == old] == ["first"]


def test_a_lapsed_member_is_not_offered_as_help_with_an_ask(app, network) -> None:
    from graphapp.queries.members import member_profile
    from graphapp.reports import ask_helpers

    asker = network["peer"]
    with app.app_context():
        store = get_store()
        topics = [i["id"] for i in store.read(member_profile, asker)["interests"]]

        def helpers() -> list[str]:
            return [h.id for h in store.read(ask_helpers, asker, topics, limit=500).helpers]

        helper = helpers()[0]
        store.write(_set, helper, lapsed="2026-05-01T00:00:00+00:00")
        assert helper not in helpers()
        choices = {"email_visibility": "members", "suggestible": "yes", "introductions": "yes"}
        store.write(renew_consent, helper, choices, NOW.isoformat(timespec="seconds"))
        assert helper in helpers()


def member_of_token_in(app: Any, token: str) -> str | None:
    with app.test_request_context():
        return member_of_confirmation_token(token)


def confirmation_token_in(app: Any, member: str) -> str:
    with app.test_request_context():
        return confirmation_token(member)


def test_a_member_who_turned_reminders_off_gets_no_mail_but_still_lapses(app, network) -> None:
    old = network["old"]
    with app.app_context():
        get_store().write(set_mail_off, old, {"profile_reminder"})
    assert _remind(app, NOW)[0]["mailed"] is False
    _remind(app, NOW + timedelta(days=30))
    assert _mails(app) == []
    assert [r["step"] for r in _remind(app, NOW + timedelta(days=60), dry_run=True)] == ["lapse"]
    assert _state(app, old)["lapsed"] == ""  # (a dry run changes nothing)
    _remind(app, NOW + timedelta(days=60))
    assert _state(app, old)["lapsed"]


def test_reminders_run_twice_at_once_send_each_reminder_once(app, network) -> None:
    """Two runs side by side (threads on one store; on Neo4j two transactions racing for the same
    members) over 40 due members: each gets one first reminder."""
    due = sorted({*network["everyone"][:40], network["old"]})
    with app.app_context():
        get_store().write(lambda tx: [_set(tx, m, confirmed="", joined="2020-01-01") for m in due])
    results: list[list[dict[str, Any]]] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        results.append(_remind(app, NOW, batch=7))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = sorted(r["id"] for rows in results for r in rows)
    assert done == sorted(due)  # each once, between the two runs
    assert sorted(m["member"] for m in _mails(app)) == sorted(due)


def test_the_link_confirms_in_one_click_and_a_lapsed_member_chooses_again(app, network) -> None:
    old = network["old"]
    link = f"/confirm/{confirmation_token_in(app, old)}"
    visitor = app.test_client()  # nobody signed in
    page = visitor.get(link).get_data(as_text=True)
    assert "Is your profile still right" in page and "Yes, my profile is still right" in page
    assert "May 1, 2024" in page
    done = visitor.post(link, data={"csrf_token": csrf_token(visitor, link)})
    assert done.status_code == 302
    assert "Thank you: your profile is confirmed." in visitor.get(link).get_data(as_text=True)
    (change,) = _history(app, old, "confirm")
    assert change["by"] == "link:reminder"
    assert visitor.get("/confirm/not-a-token").status_code == 404

    with app.app_context():
        get_store().write(_set, old, lapsed="2026-01-01T00:00:00+00:00", suggestible="no")
    page = visitor.get(link).get_data(as_text=True)
    assert "left out of suggestions" in page
    assert page.count('type="radio"') == 7 and " checked" not in page  # (nothing chosen for them)
    refused = visitor.post(
        link, data={"csrf_token": csrf_token(visitor, link), "suggestible": "yes", "introductions": "maybe"}
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Who may see my email address: choose one of" in text
    assert "May other members ask to be introduced to me: choose one of" in text
    assert re.search(r'value="yes"\s+checked', text.split("May I be suggested")[1])  # kept what was chosen
    assert _state(app, old)["lapsed"] == "2026-01-01T00:00:00+00:00"  # nothing written
    done = visitor.post(
        link,
        data={
            "csrf_token": csrf_token(visitor, link),
            "email_visibility": "nobody",
            "suggestible": "yes",
            "introductions": "yes",
        },
    )
    assert done.status_code == 302
    state = _state(app, old)
    assert (state["lapsed"], state["email_visibility"], state["suggestible"]) == ("", "nobody", "yes")
    assert old in _suggested(app, network["peer"])
    assert _history(app, old, "consent")[-1]["by"] == "link:reminder"


def test_coordinators_see_the_stale_profiles(app, network) -> None:
    old, peer = network["old"], network["peer"]
    with app.app_context():
        get_store().write(_set, peer, reminders="2", reminded="2026-05-02T00:00:00+00:00")
        get_store().write(_set, network["everyone"][5], lapsed="2026-04-03T00:00:00+00:00")
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    page = coordinator.get("/members/stale").get_data(as_text=True)
    assert (
        "3 profiles not confirmed in the last 12 months: 1 reminded and waiting for an answer, 1 left out"
        in page
    )
    assert "left out of suggestions since Apr 3, 2026" in page  # (days in the reader's language)
    assert "reminded twice, no answer yet" in page and "<td>May 2, 2026</td>" in page
    assert "due for a reminder" in page and "<td>May 1, 2024</td>" in page
    rows = re.findall(r'<th scope="row"><a href="/members/([^"]+)"', page)
    assert rows[0] == network["everyone"][5] and set(rows) == {old, peer, network["everyone"][5]}
    member = signed_in(app, "m@example.org", "member", peer)
    assert member.get("/members/stale").status_code == 403


def test_the_coverage_report_shows_how_much_of_each_gap_rests_on_stale_profiles(app, network) -> None:
    from graphapp.reports import coverage_report

    with app.app_context():
        store = get_store()
        gap = next(
            g for g in store.read(coverage_report)["gaps"] if g["kind"] == "organisation-single-member"
        )
        (holder,) = store.read(member_ids, MemberFilter(organisation=gap["subject"]))
        store.write(_set, holder, confirmed="", joined="2020-01-01")
    stale = {network["old"], holder}
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    page = coordinator.get("/coverage").get_data(as_text=True)
    assert f"{len(stale)} of {len(network['everyone'])} profiles are stale" in page
    section = page.split('id="stale-heading"')[1].split("</section>")[0]
    row = re.search(
        rf'<td>organisation with one member</td>\s*<th scope="row"><a href="[^"]+">{re.escape(gap["name"])}</a></th>\s*<td>([^<]+)</td>',
        section,
    )
    assert row and row.group(1) == "1 of 1 member stale", section
    assert 'href="/members/stale"' in section
    # Nothing rests on fresh profiles: every gap listed names at least one stale holder or member.
    assert "0 of" not in section


def test_stale_share_counts_each_gap_against_a_count_by_hand() -> None:
    ix = InterestIndex.of(
        {
            "a": {"nlp": "expert", "gis": "learning"},
            "b": {"nlp": "learning"},
            "c": {"gis": "expert"},
            "d": {"cv": "practising"},
        },
        organisations={"a": "ons", "b": "ons", "c": "insee"},
        regions={"a": "Europe", "b": "Europe", "c": "Europe", "d": "Africa"},
        countries={"a": "GBR", "b": "GBR", "c": "FRA", "d": "KEN"},
        workstreams={"WS1": ["a", "c"]},
    )
    stale = np.array([True, True, False, False])  # a and b
    gaps = [
        {"kind": "topic-single-organisation", "subject": "nlp", "name": "nlp", "severity": 2},
        {"kind": "topic-without-expert", "subject": "cv", "name": "cv", "severity": 2},
        {"kind": "region-few-members", "subject": "Europe", "name": "Europe", "severity": 2},
        {"kind": "country-few-members", "subject": "GBR", "name": "GBR", "severity": 1},
        {"kind": "organisation-single-member", "subject": "ons", "name": "ONS", "severity": 1},
        {"kind": "workstream-few-members", "subject": "WS1", "name": "WS1", "severity": 2},
        {"kind": "member-without-peer", "subject": "b", "name": "b", "severity": 2},
        {"kind": "broker", "subject": "c", "name": "c", "severity": 1},
        {"kind": "region-without-members", "subject": "Asia", "name": "Asia", "severity": 3},
    ]
    out = stale_share(ix, gaps, stale)
    assert [(g["subject"], g["stale"], g["members"]) for g in out["gaps"]] == [
        ("nlp", 2, 2),
        ("Europe", 2, 3),
        ("GBR", 2, 2),
        ("ons", 2, 2),
        ("WS1", 1, 2),
        ("b", 1, 1),
    ]
    assert out["experts_stale"] == [{"topic": "nlp", "name": "nlp", "experts": 1}]  # gis has fresh c


def test_graphapp_remind_as_a_process_sends_one_mail_whose_link_confirms(
    store, store_config, smtp_server: SmtpServer, tmp_path
) -> None:
    """`graphapp remind` from cron, run twice: one mail arrives; its link opens the page and confirms."""
    from tests.processes import _clean_env, graphapp

    import_files(store, DEMO_FILES)
    everyone = store.read(member_ids, MemberFilter())
    store.write(lambda tx: [_set(tx, m, confirmed=datetime.now(UTC).isoformat()) for m in everyone])
    old = everyone[3]
    store.write(_set, old, confirmed="", joined="2020-01-01")
    email = store.read(freshness_of, [old])[0]["email"]
    store.close()
    env = {**_clean_env(), **store_config, **smtp_server.config, "GRAPHAPP_SECRET_KEY": "x" * 40}

    dry = graphapp(env, "remind", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(f"{old}\t") and "would get: first reminder" in dry.stdout
    first = graphapp(env, "remind", "--base-url", "http://127.0.0.1:5999")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("first reminder") and first.stdout.count("\n") == 1
    assert "queued 1 first and 0 second reminder(s); left 0 member(s) out of suggestions" in first.stderr
    again = graphapp(env, "remind")
    assert again.returncode == 0 and again.stdout == ""
    sent = graphapp(env, "mail", "send-queued")
    assert sent.returncode == 0 and sent.stdout.startswith("sent 1,"), sent.stdout + sent.stderr
    (received,) = smtp_server.wait_for(1)
    assert received["To"] == email and received["Subject"] == "Is your profile in the network still right?"
    (link,) = [u for u in links_in(received) if "/confirm/" in u]
    assert link.startswith("http://127.0.0.1:5999/confirm/")
    path = link.removeprefix("http://127.0.0.1:5999")

    app = create_app({"TESTING": True, **store_config, "SECRET_KEY": "x" * 40})
    try:
        visitor = app.test_client()
        page = visitor.get(path).get_data(as_text=True)
        assert "Is your profile still right" in page and "Last confirmed: <strong>" in page
        assert visitor.post(path, data={"csrf_token": csrf_token(visitor, path)}).status_code == 302
        assert _state(app, old)["reminders"] == "" and _state(app, old)["confirmed"]
        assert [c["kind"] for c in _history(app, old)] == ["reminder", "confirm"]
        assert [c["by"] for c in _history(app, old)][0].startswith("cli:")
    finally:
        app.extensions["graphapp.store"].close()
    assert graphapp(env, "remind").stdout == ""


def test_a_reminders_link_expires(app, network) -> None:
    """A reminder's link lasts three reminder periods (forwarded or kept mails do not change a member's
    consent years later); an expired one says what to do instead."""
    import time

    import itsdangerous

    old = network["old"]
    assert app.test_client().get(f"/confirm/{confirmation_token_in(app, old)}").status_code == 200

    class Backdated(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 91 * 86400  # (GRAPHAPP_REMINDER_DAYS is 30: it lasts 90 days)

    signer = itsdangerous.URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="graphapp profile confirmation", signer=Backdated
    )
    page = app.test_client().get(f"/confirm/{signer.dumps(old)}")
    assert page.status_code == 404 and "has expired" in page.get_data(as_text=True)

"""The history of every change: what each write records (who, when, before and after), what forgetting
leaves of it, and how people read it (the history page, its CSV, the API, a member's own history)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from graphapp.backup import load_backup, restore, write_backup
from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.ingest.normalise import member_id
from graphapp.queries import history
from graphapp.queries.history import acting_as
from graphapp.queries.members import forget_member, set_consent
from graphapp.queries.schema import graph_revision
from tests.helpers import PASSWORD, csrf_token, member, sign_in, signed_in, write_csv

ANA = "ana.example@example.org"
BEN = "ben.example@example.org"
CAI = "cai.example@example.org"


def _changes(store: Any, **filters: Any) -> list[dict[str, Any]]:
    return store.read(lambda tx: history.changes(tx, **filters))


def _import(store: Any, tmp_path: Path, rows: list[dict[str, str]], name: str = "members.csv") -> Any:
    with acting_as("cli:tester"):
        return import_files(store, [write_csv(tmp_path / name, rows)], new_topics=True)


def test_an_import_records_each_member_and_one_summary(store, tmp_path: Path) -> None:
    _import(
        store,
        tmp_path,
        [
            member(
                "Ana Example",
                ANA,
                organisation="Statistics Testland",
                title="Analyst",
                topics="record linkage:learning",
            ),
            member("Ben Example", BEN, topics="record linkage:expert", knows=ANA),
        ],
    )
    rows = _changes(store)
    batches = {r["batch"] for r in rows}
    assert len(batches) == 1 and "" not in batches
    summary = [r for r in rows if r["subject"] == "import"]
    assert [r["summary"] for r in summary] == ["members.csv: 2 new members; 1 new organisation; 1 new topic"]
    ana = member_id(ANA)
    ana_rows = _changes(store, member=ana)
    own = [r for r in ana_rows if r["member"] == ana]
    assert len(own) == 1 and own[0]["kind"] == "import" and own[0]["by"] == "cli:tester"
    before, after = history.values(own[0])
    assert before == {}
    assert after["name"] == "Ana Example" and after["title"] == "Analyst" and after["email"] == ANA
    assert after["organisation"] == "statistics-testland"
    assert after["topics"] == ["record-linkage:learning"]
    assert after["knows"] == [member_id(BEN)]
    topic = [r for r in rows if r["subject"] == "topic:record-linkage"]
    assert history.values(topic[0]) == ({}, {"name": "record linkage"})

    # A second import changes Ana's title and topics, and gives Cai (new) Ana as a contact.
    _import(
        store,
        tmp_path,
        [
            member(
                "Ana Example",
                ANA,
                organisation="Statistics Testland",
                title="Head of unit",
                topics="record linkage:expert; imagery:learning",
            ),
            member("Cai Example", CAI, knows=BEN),
        ],
        "second.csv",
    )
    latest = _changes(store, member=ana, kind="import")[0]
    before, after = history.values(latest)
    assert before == {"title": "Analyst", "topics": ["record-linkage:learning"]}
    assert after == {"title": "Head of unit", "topics": ["imagery:learning", "record-linkage:expert"]}
    # Ben is not in the second file, but gained a contact: his knows is recorded, in full.
    ben = [r for r in _changes(store, member=member_id(BEN)) if r["member"] == member_id(BEN)][0]
    assert history.values(ben) == (
        {"knows": [member_id(ANA)]},
        {"knows": sorted([member_id(ANA), member_id(CAI)])},
    )
    summary = _changes(store, kind="import")
    assert any(r["summary"] == "second.csv: 1 new member, 2 changed; 1 new topic" for r in summary)


def test_a_dry_run_and_a_reimport_record_nothing(store, tmp_path: Path) -> None:
    rows = [member("Ana Example", ANA, title="Analyst")]
    import_files(store, [write_csv(tmp_path / "m.csv", rows)], dry_run=True)
    assert _changes(store) == []
    _import(store, tmp_path, rows)
    held = len(_changes(store))
    _import(store, tmp_path, rows)
    assert len(_changes(store)) == held


# --- "Who changed this?": every kind of change, on both stores -------------------------------------------


def _store(app: Any) -> Any:
    with app.app_context():
        return get_store()


def _newest(app: Any, **filters: Any) -> dict[str, Any]:
    found = _changes(_store(app), **filters)
    assert found, f"no change recorded for {filters}"
    return found[0]


def _says(row: dict[str, Any], by: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    """The change says who, when (a moment of today, UTC), and the field's value before and after."""
    assert row["by"] == by, row
    assert datetime.fromisoformat(row["at"]).date() == datetime.now(UTC).date(), row
    was, now = history.values(row)
    assert {k: was.get(k) for k in before} == before, row
    assert {k: now.get(k) for k in after} == after, row


@pytest.fixture
def network(app: Any, tmp_path: Path) -> dict[str, str]:
    """Three members imported from the command line, and who is who."""
    rows = [
        member("Ana Example", ANA, title="Analyst", topics="record linkage:learning", workstreams=""),
        member("Ben Example", BEN, topics="record linkage:expert"),
        member("Cai Example", CAI, topics="imagery:practising"),
    ]
    _import(_store(app), tmp_path, rows)
    return {"ana": member_id(ANA), "ben": member_id(BEN), "cai": member_id(CAI)}


def test_every_kind_of_change_says_who_when_and_before_and_after(app, network, tmp_path: Path) -> None:
    ana, ben, cai = network["ana"], network["ben"], network["cai"]
    # import (from the command line)
    _says(_newest(app, member=ana, kind="import"), "cli:tester", {}, {"title": "Analyst"})
    # profile: a coordinator edits Ana's title on the profile form
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    form = _profile_form(coordinator, ana)
    form["title"] = "Head of unit"
    assert coordinator.post(f"/members/{ana}/edit", data=form).status_code == 302
    _says(
        _newest(app, member=ana, kind="profile"),
        "account:coord@example.org",
        {"title": "Analyst"},
        {"title": "Head of unit"},
    )
    # consent: Ana, on "My data"
    ana_client = signed_in(app, ANA, "member", ana)
    token = csrf_token(ana_client, "/me")
    saved = ana_client.post(
        "/me/consent",
        data={"csrf_token": token, "email_visibility": "nobody", "suggestible": "no"},
    )
    assert saved.status_code == 302
    _says(
        _newest(app, member=ana, kind="consent"),
        f"account:{ANA}",
        {"email_visibility": "", "suggestible": ""},
        {"email_visibility": "nobody", "suggestible": "no"},
    )
    # role: an administrator makes Ana a coordinator
    admin = signed_in(app, "admin@example.org", "admin")
    token = csrf_token(admin, "/admin/accounts")
    assert (
        admin.post(f"/admin/accounts/{ANA}", data={"csrf_token": token, "role": "coordinator"}).status_code
        == 302
    )
    _says(_newest(app, kind="role"), "account:admin@example.org", {"role": "member"}, {"role": "coordinator"})
    # account: Ben creates his account from an invitation (the invitation's link is the key: a visitor)
    with app.test_request_context():
        from graphapp.accounts import new_invitation

        invitation = new_invitation(_store(app), "member", ben, "admin@example.org")
    visitor = app.test_client()
    token = csrf_token(visitor, f"/invite/{invitation}")
    made = visitor.post(
        f"/invite/{invitation}",
        data={"csrf_token": token, "login": BEN, "password": PASSWORD, "again": PASSWORD},
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    created = _newest(app, member=ben, kind="account")
    _says(created, "visitor", {}, {"role": "member", "member": ben})
    assert created["subject"] == f"account:{BEN}"
    # introduction: Cai asks Ben; Ben accepts; both their contacts change
    cai_client = signed_in(app, CAI, "member", cai)
    token = csrf_token(cai_client, "/introductions")
    asked = cai_client.post(
        "/introductions", data={"csrf_token": token, "to": ben, "kind": "profile", "note": "Hello", "ask": ""}
    )
    assert asked.status_code in (200, 302), asked.get_data(as_text=True)
    _says(_newest(app, member=cai, kind="introduction"), f"account:{CAI}", {}, {"status": "asked"})
    ben_client = app.test_client()
    sign_in(ben_client, BEN)
    waiting = _newest(app, member=cai, kind="introduction")["subject"].partition(":")[2]
    token = csrf_token(ben_client, f"/introductions/{waiting}")
    answered = ben_client.post(f"/introductions/{waiting}", data={"csrf_token": token, "answer": "accept"})
    assert answered.status_code in (200, 302), answered.get_data(as_text=True)
    contacts = [
        r for r in _changes(_store(app), member=ben, kind="introduction") if r["subject"] == f"member:{ben}"
    ]
    _says(contacts[0], f"account:{BEN}", {"knows": []}, {"knows": [cai]})
    _says(
        [r for r in _changes(_store(app), member=cai) if r["subject"] == f"member:{cai}"][0],
        f"account:{BEN}",
        {"knows": []},
        {"knows": [ben]},
    )
    # ask: Cai posts an ask, then closes it
    token = csrf_token(cai_client, "/asks")
    posted = cai_client.post(
        "/asks",
        data={"csrf_token": token, "kind": "technical", "text": "Who links records?", "topics": "imagery"},
    )
    assert posted.status_code in (200, 302), posted.get_data(as_text=True)
    ask = _newest(app, member=cai, kind="ask")
    _says(ask, f"account:{CAI}", {}, {"status": "open", "kind": "technical", "topics": ["imagery"]})
    ask_id = ask["subject"].partition(":")[2]
    token = csrf_token(cai_client, f"/asks/{ask_id}")
    closed = cai_client.post(f"/asks/{ask_id}/close", data={"csrf_token": token, "outcome": "resolved"})
    assert closed.status_code in (200, 302), closed.get_data(as_text=True)
    _says(_newest(app, member=cai, kind="ask"), f"account:{CAI}", {"status": "open"}, {"status": "resolved"})
    # restore: from the command line, replacing the graph
    backup = tmp_path / "backup.json"
    write_backup(_store(app), backup)
    with acting_as("cli:tester"):
        restore(_store(app), load_backup(backup), replace=True)
    restored = _newest(app, kind="restore")
    assert restored["by"] == "cli:tester" and "3 Member" in restored["summary"]
    # forget: the administrator forgets Cai
    with app.app_context(), acting_as("account:admin@example.org"):
        assert get_store().write(forget_member, cai)
    forgot = _newest(app, kind="forget")
    assert forgot["by"] == "account:admin@example.org" and forgot["summary"] == "a member was forgotten"


def test_approving_and_declining_a_request_to_join_are_in_the_history(app, anonymous) -> None:
    from tests.test_joining import confirmed, valid_form

    with app.app_context():
        from graphapp.joining import form_catalog

        import_files(get_store(), DEMO_FILES)
        catalog = get_store().read(form_catalog)
    coordinator = signed_in(app, "co@example.org", "coordinator")
    first = confirmed(app, anonymous, valid_form(catalog))
    token = csrf_token(coordinator, "/join/requests")
    assert coordinator.post(f"/join/requests/{first}/approve", data={"csrf_token": token}).status_code == 302
    joined = member_id("ana.joiner@stat.example.org")
    made = [
        r for r in _changes(_store(app), member=joined, kind="approval") if r["subject"] == f"member:{joined}"
    ]
    _says(made[0], "account:co@example.org", {}, {"name": "Ana Joiner", "title": "Head of data science"})
    second = confirmed(app, anonymous, valid_form(catalog, name="Bo Joiner", email="bo@stat.example.org"))
    token = csrf_token(coordinator, "/join/requests")
    declined = coordinator.post(
        f"/join/requests/{second}/decline", data={"csrf_token": token, "reason": "Not a data science unit."}
    )
    assert declined.status_code == 302
    _says(
        _newest(app, kind="approval"),
        "account:co@example.org",
        {"status": "confirmed"},
        {"status": "declined"},
    )
    assert "Bo Joiner" not in str(_newest(app, kind="approval"))


def test_forgetting_a_member_leaves_no_trace_of_them_in_the_history(app, network) -> None:
    ana, ben = network["ana"], network["ben"]
    ana_client = signed_in(app, ANA, "member", ana)
    token = csrf_token(ana_client, "/me")
    ana_client.post(
        "/me/consent", data={"csrf_token": token, "email_visibility": "members", "suggestible": "no"}
    )
    # Ana and Ben are introduced (Ben's contacts now name Ana), then Ana forgets herself.
    with app.test_request_context(), acting_as(f"account:{ANA}"):
        from graphapp.introductions import answer, request_introduction

        made = get_store().write(
            request_introduction, ana, ben, "Hi", "profile", "", "2026-11-01T10:00:00+00:00"
        )
        get_store().write(answer, True, "2026-11-02T10:00:00+00:00", introduction=made["id"], member=ben)
    assert any(ana in (r["about"] or []) for r in _changes(_store(app), member=ben))
    token = csrf_token(ana_client, "/me")
    gone = ana_client.post("/me/forget", data={"csrf_token": token, "confirm": "forget me"})
    assert gone.status_code in (200, 302), gone.get_data(as_text=True)
    everything = _store(app).read(lambda tx: tx.run("MATCH (c:Change) RETURN c"))
    text = repr(everything).lower()
    for trace in ("ana example", ANA, ana):
        assert trace.lower() not in text, trace
    forgot = _newest(app, kind="forget")
    assert forgot["summary"] == "a member was forgotten" and forgot["by"] == history.FORGOTTEN_ACTOR
    # Ben's own history is still there (his import), less what named Ana.
    assert _changes(_store(app), member=ben, kind="import")


# --- Reading it: the history page, its CSV, the API, a member's own history, what's new ------------------


def test_the_history_page_filters_and_opens_an_import(app, network) -> None:
    ana = network["ana"]
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    form = _profile_form(coordinator, ana)
    form["title"] = "Head of unit"
    coordinator.post(f"/members/{ana}/edit", data=form)
    page = _read(coordinator, "/history")
    assert (
        "Ana Example — title: Analyst → Head of unit" in page
        and "<td>you</td>" in page
        and "<td>account:" not in page
    )
    # The import is one line, that opens its changes.
    assert "Import of members.csv: 3 new members; 2 new topics" in page
    assert "Ana Example added" not in page
    batch = re.search(r'href="/history\?batch=([0-9a-f]+)">its 5 changes', page)
    assert batch, page
    opened = _read(coordinator, f"/history?batch={batch.group(1)}")
    assert "Ana Example added: name Ana Example; title Analyst" in opened
    # By member name, kind, who and days.
    assert "Head of unit" in _read(coordinator, "/history?member=ana+exa&kind=profile")
    assert "Head of unit" not in _read(coordinator, "/history?member=ben")
    several = _read(coordinator, "/history?member=example")
    assert "Several members are named" in several and "Head of unit" not in several
    assert "Head of unit" in _read(coordinator, "/history?by=account:coord@example.org")
    assert "Head of unit" not in _read(coordinator, "/history?by=cli:tester")
    today = datetime.now(UTC).date()
    assert "Head of unit" in _read(coordinator, f"/history?since={today}&until={today}")
    assert "Head of unit" not in _read(coordinator, "/history?until=2020-01-01")
    bad = coordinator.get("/history?since=2026-02-30")
    assert bad.status_code == 400 and "since is not a day of the calendar" in bad.get_data(as_text=True)
    # Pages of 2, newest first.
    first = _read(coordinator, "/history?per_page=2")
    assert "Page 1 of" in first and 'rel="next"' in first
    # A member may not read it.
    member_client = signed_in(app, ANA, "member", ana)
    assert member_client.get("/history").status_code == 403


def test_the_csv_and_the_api_hide_an_email_the_viewer_may_not_see(app, network) -> None:
    ana = network["ana"]
    with app.app_context(), acting_as("cli:tester"):
        get_store().write(set_consent, ana, "nobody", "yes")
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    csv_text = _read(coordinator, "/history.csv")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {r["kind"] for r in rows} >= {"import", "consent"}
    ana_rows = [r for r in rows if r["subject"] == f"member:{ana}"]
    assert ana_rows and ANA not in csv_text and "(hidden)" in csv_text  # (Ana shows her address to nobody)
    assert BEN in csv_text  # (Ben's is for members, so for a coordinator)
    consent = [r for r in ana_rows if r["kind"] == "consent"][0]
    assert (
        json.loads(consent["after"]) == {"email_visibility": "nobody", "suggestible": "yes"}
        and consent["by"] == "cli:tester"
    )
    admin = signed_in(app, "admin@example.org", "admin")
    answer = admin.get(f"/api/history?member={ana}&per_page=1")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["total"] == 2 and body["pages"] == 2 and body["items"][0]["kind"] == "consent"
    assert body["items"][0]["before"] == {"email_visibility": "", "suggestible": ""}
    assert ANA not in json.dumps(admin.get(f"/api/history?member={ana}").get_json())
    assert coordinator.get("/api/history").status_code == 403
    assert admin.get("/api/history?kind=nothing").status_code == 400


def test_a_member_reads_the_history_of_their_own_profile_only(app, network) -> None:
    ana, ben = network["ana"], network["ben"]
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    form = _profile_form(coordinator, ana)
    form["title"] = "Head of unit"
    coordinator.post(f"/members/{ana}/edit", data=form)
    ana_client = signed_in(app, ANA, "member", ana)
    own = ana_client.get(f"/members/{ana}/history")
    text = own.get_data(as_text=True)
    assert own.status_code == 200 and "title: Analyst → Head of unit" in text
    assert "another account" in text and "coord@example.org" not in text  # (who, in general, for a member)
    assert 'href="/members/' + ana + '/history"' in _read(ana_client, f"/members/{ana}")
    assert ana_client.get(f"/members/{ben}/history").status_code == 403
    assert "<td>you</td>" in _read(coordinator, f"/members/{ana}/history")  # (the coordinator made it)
    assert coordinator.get("/members/m-nobody/history").status_code == 404


def test_whats_new_shows_new_members_and_asks_in_my_topics_since_my_last_visit(
    app, network, tmp_path
) -> None:
    ana = network["ana"]
    ana_client = signed_in(app, ANA, "member", ana)
    first = _read(ana_client, "/").split('id="home-whats-new-heading"')[1].split("</section>")[0]
    assert "In the last 30 days" in first and "Ben Example" in first  # (Ben holds record linkage too)
    assert "Cai Example" not in first  # (imagery only)
    seen = _store(app).read(lambda tx: tx.run("MATCH (a:Account {id: $id}) RETURN a.seen AS seen", id=ANA))
    assert seen[0]["seen"], "opening a page notes the visit"
    # Noting the visit is bookkeeping: the graph's revision (and every process's suggestion index) stays.
    revision = _store(app).read(graph_revision)
    _store(app).bookkeep(
        lambda tx: tx.run(
            "MATCH (a:Account {id: $id}) SET a.seen = $seen", id=ANA, seen="2020-01-01T00:00:00+00:00"
        )
    )
    assert _store(app).read(graph_revision) == revision
    # Since that visit: a newcomer in record linkage and an ask on it; not someone in another topic.
    _import(
        _store(app),
        tmp_path,
        [
            member("Dee Newcomer", "dee@example.org", topics="record linkage:practising"),
            member("Eve Elsewhere", "eve@example.org", topics="imagery:learning"),
        ],
        "later.csv",
    )
    ben_client = signed_in(app, BEN, "member", network["ben"])
    token = csrf_token(ben_client, "/asks")
    ben_client.post(
        "/asks",
        data={
            "csrf_token": token,
            "kind": "technical",
            "text": "Linking tax records?",
            "topics": "record-linkage",
        },
    )
    # Both happened in June 2020 (as if): a member whose last visit was in 2021 is not shown them again.
    _store(app).write(
        lambda tx: tx.run(
            "MATCH (c:Change) WHERE c.at >= $today SET c.at = '2020-06-01T00:00:00+00:00'",
            today=datetime.now(UTC).date().isoformat(),
        )
    )
    _store(app).write(lambda tx: tx.run("MATCH (a:Ask) SET a.created = '2020-06-01T00:00:00+00:00'"))
    later = signed_in(app, "ana2@example.org", "member", ana)
    _store(app).bookkeep(
        lambda tx: tx.run(
            "MATCH (a:Account {id: $id}) SET a.seen = '2021-01-01T00:00:00+00:00'", id="ana2@example.org"
        )
    )
    part = _read(later, "/").split('id="home-whats-new-heading"')[1].split("</section>")[0]
    assert "Since your last visit (Jan 1, 2021, 12:00:00\u202fAM UTC)" in part  # (in the reader's locale)
    assert "Dee Newcomer" not in part and "Linking tax records?" not in part
    # Ana's last visit was before them: she is.
    part = _read(ana_client, "/").split('id="home-whats-new-heading"')[1].split("</section>")[0]
    assert "Since your last visit (Jan 1, 2020, 12:00:00\u202fAM UTC)" in part
    assert "Dee Newcomer" in part and "record linkage" in part and "Linking tax records?" in part
    assert "Eve Elsewhere" not in part  # (imagery: not one of Ana's topics)
    # That page noted her visit (it was more than an hour ago); the next shows the last week.
    assert "In the last week" in _read(ana_client, "/")


def _read(client: Any, url: str) -> str:
    """A page's text as a person reads it (entities such as &#39; unescaped)."""
    return html.unescape(client.get(url).get_data(as_text=True))


def _profile_form(client: Any, member: str) -> dict[str, str]:
    page = client.get(f"/members/{member}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input (?:type="hidden" )?name="(\w+)" value="([^"]*)"', page))
    fields.update(re.findall(r'<input id="\w+" name="(\w+)"(?: type="\w+")? value="([^"]*)"', page))
    fields["topics"] = re.search(
        r'<textarea id="topics" name="topics"[^>]*>(.*?)</textarea>', page, re.S
    ).group(1)
    return {k: v.replace("&amp;", "&").replace("&#39;", "'") for k, v in fields.items()}


def test_below_admin_an_account_is_read_as_whose_it_is_never_by_its_login(app, network) -> None:
    """Logins are email addresses: a coordinator reads "the account of Ana Example" in the history, its
    CSV and its "who" choices, even when Ana shows her address to nobody; an admin, who manages accounts,
    reads the login."""
    ana = network["ana"]
    with app.app_context():
        get_store().write(set_consent, ana, "nobody", "yes")
    own = signed_in(app, "ana.login@example.org", "member", ana)
    form = _profile_form(own, ana)
    form["title"] = "Head of unit"
    assert own.post(f"/members/{ana}/edit", data=form).status_code == 302
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    for url in ("/history", "/history.csv", f"/members/{ana}/history"):
        text = _read(coordinator, url)
        assert "ana.login@example.org" not in text, url
        assert "the account of Ana Example" in text, url
    admin = signed_in(app, "admin@example.org", "admin")
    assert "account:ana.login@example.org" in _read(admin, "/history")


def test_an_introduction_in_the_history_names_the_other_person_only_to_the_two(app, network) -> None:
    """Who asked to be introduced to whom, and how it was answered, is for the two members: a
    coordinator reads that an introduction was handled, not with whom nor the outcome."""
    from graphapp.introductions import answer, request_introduction

    ana, ben = network["ana"], network["ben"]
    with app.test_request_context():  # (the mails' links are built for a request)
        store = get_store()
        with acting_as("account:ana.login@example.org"):
            made = store.write(
                request_introduction, ana, ben, "hello", "profile", "", datetime.now(UTC).isoformat()
            )
        with acting_as("account:ben.login@example.org"):
            store.write(answer, False, datetime.now(UTC).isoformat(), introduction=made["id"], member=ben)
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    page = _read(coordinator, "/history?kind=introduction")
    assert "an introduction was asked for or answered" in page
    assert "declined" not in page and "(with " not in page and "hello" not in page
    mine = signed_in(app, "ana.login@example.org", "member", ana)
    assert "Ben Example" in _read(mine, f"/members/{ana}/history")


def test_the_last_day_of_the_calendar_and_formulas_are_harmless(app, network) -> None:
    """A filter up to 9999-12-31 (which has no day after it) answers; a name typed as a formula does not
    run as one in the history's CSV."""
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    ana = network["ana"]
    form = _profile_form(coordinator, ana)
    form["name"] = '=HYPERLINK("http://example.org")'
    assert coordinator.post(f"/members/{ana}/edit", data=form).status_code == 302
    for url in ("/history?until=9999-12-31", "/history.csv?until=9999-12-31", "/coverage?as_of=9999-12-31"):
        assert coordinator.get(url).status_code == 200, url
    cells = [c for row in csv.reader(io.StringIO(_read(coordinator, "/history.csv"))) for c in row]
    assert any("HYPERLINK" in c for c in cells)
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)

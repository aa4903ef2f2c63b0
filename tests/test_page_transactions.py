"""Each page and API answer reads what it shows in one transaction (one unit of work, one snapshot of the graph), on both
stores: every transaction the view opens is counted, by wrapping the store's ``read`` and ``write``
while the view function runs (the viewer's lookup, made once per request before the view, is not the
page's)."""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from typing import Any

import pytest

from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.queries.members import MemberFilter, member_ids, organisation_list, topic_list, workstream_list
from tests.helpers import csrf_token, signed_in


class Transactions:
    """The transactions the app's views open, as ``(kind, name of the work)`` pairs, in order."""

    def __init__(self, app: Any, store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[tuple[str, str]] = []
        self._in_view = False
        for kind in ("read", "write"):
            monkeypatch.setattr(store, kind, self._counting(kind, getattr(store, kind)))
        for endpoint, view in list(app.view_functions.items()):
            monkeypatch.setitem(app.view_functions, endpoint, self._view(view))

    def _counting(self, kind: str, run: Callable[..., Any]) -> Callable[..., Any]:
        def counted(work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            if self._in_view:
                self.opened.append((kind, getattr(work, "__name__", repr(work))))
            return run(work, *args, **kwargs)

        return counted

    def _view(self, view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self._in_view = True
            try:
                return view(*args, **kwargs)
            finally:
                self._in_view = False

        return counted

    def of(self, client: Any, method: str, url: str, **kwargs: Any) -> list[tuple[str, str]]:
        """The transactions one request opens (it must succeed: 200, or 302 after a form)."""
        self.opened = []
        response = client.open(url, method=method, **kwargs)
        assert response.status_code in (200, 302), (url, response.status_code)
        return self.opened


@pytest.fixture
def site(app, monkeypatch):  # type: ignore[no-untyped-def]
    """The demo network, a browser signed in as an administrator who is also a member of it, the ids of a
    few of its pages, and the transaction counter."""
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
        someone = store.read(member_ids, MemberFilter(region="Europe"))[0]
        ids = {
            "member": someone,
            "organisation": store.read(organisation_list)[0]["id"],
            "topic": store.read(topic_list)[0]["id"],
            "workstream": store.read(workstream_list)[0]["id"],
        }
    client = signed_in(app, "me@example.org", "admin", member=someone)
    return client, ids, Transactions(app, store, monkeypatch)


def test_every_page_reads_what_it_shows_in_one_transaction(site) -> None:
    client, ids, transactions = site
    from graphapp.mail import preferences_token

    with client.application.test_request_context():
        token = preferences_token(ids["member"])
    pages = [
        "/",
        "/members",
        "/members?topic=record-linkage&region=Europe&page=2&per_page=5",
        f"/members/{ids['member']}",
        f"/members/{ids['member']}?mode=been-there",  # (issue 14: projects read in the same transaction)
        f"/members/{ids['member']}/edit",
        "/organisations",
        f"/organisations/{ids['organisation']}",
        "/topics",
        f"/topics/{ids['topic']}",
        "/workstreams",
        f"/workstreams/{ids['workstream']}",
        "/places",
        "/countries/DEU",
        "/regions/Europe",
        "/coverage",
        "/coverage?as_of=2022-06-30",
        "/coverage/growth",
        "/coverage/growth.svg?by=workstream",
        "/coverage/growth.csv?by=region",
        "/coverage/areas",
        "/coverage/areas?region=Africa",
        "/explore",
        "/explore?kind=region&value=Europe",
        "/explore?kind=region&value=Asia&aggregate=topic",
        f"/explore?kind=member&value={ids['member']}&depth=2",
        "/me",
        "/me/data.json",
        "/admin/mail",
        "/history",
        "/history?kind=import&since=2020-01-01&until=2030-12-31",
        f"/history?member={ids['member']}",
        "/history.csv",
        f"/members/{ids['member']}/history",
        "/join/requests",
        "/join/domains",
        "/topics/manage?q=linkage",
        f"/topics/manage/{ids['topic']}",
        "/topics/manage/record-linkage/merge?into=ethics",
        "/organisations/manage",
        f"/organisations/manage/{ids['organisation']}",
        "/members/stale",
        "/topics/proposals",
        "/areas",
        "/journey",
        "/resources",
        "/resources?kind=document&language=en",
        "/resources/new",
    ]
    opened = {url: transactions.of(client, "GET", url) for url in pages}
    assert {url: [kind for kind, _ in found] for url, found in opened.items()} == dict.fromkeys(
        pages, ["read"]
    ), opened
    # A page open to anyone (mail preferences, opened from a mail's link) looks up who is asking only when
    # its navigation needs it, inside the view: that and the page's own one read.
    assert transactions.of(client, "GET", f"/mail/preferences/{token}") == [
        ("read", "preferences_page"),
        ("read", "viewer_account"),
    ]
    # So does a reminder's page (opened from its link).
    from graphapp.freshness import confirmation_token

    with client.application.test_request_context():
        confirm = confirmation_token(ids["member"])
    assert transactions.of(client, "GET", f"/confirm/{confirm}") == [
        ("read", "confirm_page"),
        ("read", "viewer_account"),
    ]
    # The import page shows a form and nothing read from the graph; so does the taxonomy's.
    assert transactions.of(client, "GET", "/import") == []
    assert transactions.of(client, "GET", "/areas/import") == []
    assert transactions.of(client, "GET", "/import/formats") == []
    # The pages to join are open to anyone, so a signed-in viewer's account is looked up (once) as they
    # render, not before the view as for the other pages: "check your mail" reads nothing else.
    assert transactions.of(client, "GET", "/join/sent") == [("read", "viewer_account")]
    assert transactions.of(client, "GET", "/join") == [("read", "form_catalog"), ("read", "viewer_account")]


def test_every_api_answer_reads_in_one_transaction(site) -> None:
    client, ids, transactions = site
    calls = [
        "/api/health",
        "/api/summary",
        "/api/members?topic=record-linkage&per_page=5",
        f"/api/members/{ids['member']}",
        f"/api/members/{ids['member']}/suggestions?mode=mentors",
        f"/api/members/{ids['member']}/suggestions?mode=been-there",
        f"/api/members/{ids['member']}/neighbourhood?depth=2",
        "/api/organisations",
        "/api/topics",
        "/api/workstreams",
        "/api/places",
        "/api/gaps",
        "/api/heatmap",
        "/api/subgraph?kind=region&value=Europe",
        "/api/vocabulary",
        "/api/areas",
        "/api/journey",
        "/api/themes",
        "/api/coverage/areas?region=Europe",
        "/api/export/csv?kind=topic&value=record-linkage",
        "/api/history?kind=import&per_page=5",
        "/api/resources?topic=record-linkage",
    ]
    opened = {url: [kind for kind, _ in transactions.of(client, "GET", url)] for url in calls}
    assert opened == dict.fromkeys(calls, ["read"])


def test_a_form_is_saved_in_one_transaction(site) -> None:
    """A profile's save (its checks and its write) and an upload (its checks and, unless a dry run, its
    write) are one transaction each: what is checked is what is written."""
    client, ids, transactions = site
    edit = f"/members/{ids['member']}/edit"
    page = client.get(edit).get_data(as_text=True)
    form = dict(re.findall(r'<input (?:type="hidden" )?name="(\w+)" value="([^"]*)"', page))
    form.update(re.findall(r'<input id="\w+" name="(\w+)"(?: type="\w+")? value="([^"]*)"', page))
    form.update(name="Renamed Person", topics="record-linkage:expert")
    assert transactions.of(client, "POST", edit, data=form) == [("write", "save_profile")]
    assert client.get(f"/members/{ids['member']}").get_data(as_text=True).count("Renamed Person") >= 1

    token = csrf_token(client, "/import")
    for dry_run, kind in (("yes", "read"), ("", "write")):
        upload = {
            "csrf_token": token,
            "files": [(io.BytesIO(DEMO_FILES[0].read_bytes()), DEMO_FILES[0].name)],
        }
        if dry_run:
            upload["dry_run"] = dry_run
        opened = transactions.of(client, "POST", "/import", data=upload, content_type="multipart/form-data")
        assert [k for k, _ in opened] == [kind], opened

    # A taxonomy's upload is checked in one read (the dry run); its confirm is checked and written in one write.
    from graphapp.taxonomy import EDSF_FILE

    upload = {"csrf_token": token, "file": (io.BytesIO(EDSF_FILE.read_bytes()), "edsf.csv")}
    opened = transactions.of(client, "POST", "/areas/import", data=upload, content_type="multipart/form-data")
    assert opened == [("read", "import_taxonomy")], opened
    confirm = {"csrf_token": token, "name": "edsf.csv", "text": EDSF_FILE.read_text(), "confirm": "yes"}
    assert transactions.of(client, "POST", "/areas/import", data=confirm) == [("write", "import_taxonomy")]


def test_asks_and_introductions_read_and_write_in_one_transaction(app, site) -> None:  # type: ignore[no-untyped-def]
    """Posting an ask, offering, picking, closing, asking for an introduction and answering it are one write
    each (the check, the change and its mail); every page and API answer of theirs is one read."""
    from tests.test_introductions import queued_mail

    client, ids, transactions = site
    with app.app_context():
        everyone = get_store().read(member_ids, MemberFilter(topic="record-linkage"))
    helper, other = [m for m in everyone if m != ids["member"]][:2]
    token = csrf_token(client, "/asks")
    opened = transactions.of(
        client,
        "POST",
        "/asks",
        data={"kind": "technical", "text": "t", "topics": "record-linkage", "csrf_token": token},
    )
    assert opened == [("write", "post_ask")]
    ask = client.get("/asks").get_data(as_text=True).split('href="/asks/', 1)[1].split('"', 1)[0]
    helping = signed_in(app, "helper@example.org", "member", helper)
    opened = transactions.of(
        helping, "POST", f"/asks/{ask}/offers", data={"note": "n", "csrf_token": token_of(helping)}
    )
    assert opened == [("write", "offer_help")]
    offer = re.findall(
        rf"/asks/{ask}/offers/([0-9a-f]+)/pick", client.get(f"/asks/{ask}").get_data(as_text=True)
    )[0]
    assert transactions.of(
        client, "POST", f"/asks/{ask}/offers/{offer}/pick", data={"csrf_token": token}
    ) == [("write", "pick_offer")]
    form = {"to": other, "kind": "profile", "note": "hello", "csrf_token": token}
    assert transactions.of(client, "POST", "/introductions", data=form) == [("write", "request_introduction")]
    asked = signed_in(app, "asked@example.org", "member", other)
    (mail,) = queued_mail(app, "introduction_request")
    link = "/introductions/answer/" + mail["text"].split("/introductions/answer/", 1)[1].split()[0]
    waiting = re.findall(
        r'href="/introductions/([0-9a-f]{32})"', asked.get("/introductions").get_data(as_text=True)
    )[0]
    pages = [
        "/asks",
        f"/asks/{ask}",
        "/introductions",
        f"/introductions/new?to={other}",
        "/introductions/stats",
        "/api/asks",
        f"/api/asks/{ask}",
        "/api/introductions",
        "/api/introductions/stats",
        f"/topics/{ids['topic']}",
    ]
    opened_pages = {url: [kind for kind, _ in transactions.of(client, "GET", url)] for url in pages}
    opened_pages[link] = [kind for kind, _ in transactions.of(app.test_client(), "GET", link)]
    opened_pages["mine"] = [k for k, _ in transactions.of(asked, "GET", f"/introductions/{waiting}")]
    assert opened_pages == dict.fromkeys(opened_pages, ["read"])
    answer = {"answer": "accept", "csrf_token": token_of(asked)}
    assert transactions.of(asked, "POST", f"/introductions/{waiting}", data=answer) == [("write", "answer")]
    close = {"outcome": "resolved", "csrf_token": token}
    assert transactions.of(client, "POST", f"/asks/{ask}/close", data=close) == [("write", "close")]


def token_of(client: Any) -> str:
    return csrf_token(client, "/asks")


def test_mail_choices_and_retries_are_saved_in_one_transaction(site) -> None:
    client, ids, transactions = site
    from graphapp.mail import preferences_token

    with client.application.test_request_context():
        url = f"/mail/preferences/{preferences_token(ids['member'])}"
    token = csrf_token(client, url)
    assert transactions.of(client, "POST", url, data={"csrf_token": token, "kind": ["ask_match"]}) == [
        ("write", "save_preferences")
    ]
    assert transactions.of(client, "POST", "/admin/mail/retry", data={"csrf_token": token}) == [
        ("write", "retry_mail")
    ]


def test_a_request_to_join_is_checked_confirmed_and_approved_in_one_transaction_each(site) -> None:
    """The form is checked against the graph in one read (the request and its mail are then kept beside
    the network, by ``store.bookkeep``, as the confirmation is); an approval is one write: the member, the
    ask, the invitation and its mail together."""
    client, ids, transactions = site
    page = client.get("/join").get_data(as_text=True)
    topic = re.search(r'name="topic" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {
        "csrf_token": csrf_token(client, "/join"),
        "name": "Ana Joiner",
        "email": "ana.joiner@example.org",
        "organisation": ids["organisation"],
        "country": "NLD",
        "topic": topic,
        f"level-{topic}": "expert",
        "email_visibility": "members",
        "suggestible": "yes",
        "introductions": "yes",
    }
    assert transactions.of(client, "POST", "/join", data=form) == [("read", "form_catalog")]
    with client.application.app_context():
        text = get_store().read(lambda tx: tx.run("MATCH (x:Mail) RETURN x.text AS text"))[0]["text"]
    confirm = re.search(r"https?://[^/\s]+(/join/confirm/\S+)", text).group(1)  # type: ignore[union-attr]
    # (confirming is bookkeeping beside the network, store.bookkeep, not counted here: only the viewer's
    # lookup, as above, is a read, and nothing renews the network's revision)
    assert transactions.of(client, "GET", confirm) == [("read", "viewer_account")]
    queue = client.get("/join/requests").get_data(as_text=True)
    approve = re.search(r'action="(/join/requests/\w+/approve)"', queue).group(1)  # type: ignore[union-attr]
    opened = transactions.of(
        client, "POST", approve, data={"csrf_token": csrf_token(client, "/join/requests")}
    )
    assert opened == [("write", "approve_request")]


def test_a_resource_is_shared_and_changed_in_one_transaction(site) -> None:
    """Sharing, editing and removing a resource (issue 14 §4) are one write each; its pages one read."""
    client, ids, transactions = site
    form = {
        "csrf_token": csrf_token(client, "/resources/new"),
        "title": "A guide",
        "url": "https://example.org/guide",
        "kind": "document",
        "language": "en",
        "topics": ids["topic"],
        "workstream": "",
        "description": "",
    }
    assert transactions.of(client, "POST", "/resources/new", data=form) == [("write", "add_resource")]
    resource = client.get("/api/resources").get_json()["items"][0]["id"]
    edit = f"/resources/{resource}/edit"
    assert [k for k, _ in transactions.of(client, "GET", edit)] == ["read"]
    assert [k for k, _ in transactions.of(client, "GET", f"/topics/{ids['topic']}")] == ["read"]
    assert transactions.of(client, "POST", edit, data={**form, "title": "A better guide"}) == [
        ("write", "edit_resource")
    ]
    assert transactions.of(client, "POST", f"/resources/{resource}/remove", data=form) == [
        ("write", "remove_resource")
    ]


def test_project_pages_read_in_one_transaction_and_save_in_one(site) -> None:
    """Projects (issue 14 §1): the list, a project, its form and its delete page read in one transaction
    each; adding, changing and deleting one are one write each."""
    client, ids, transactions = site
    token = csrf_token(client, "/projects/new")
    form = {
        "csrf_token": token,
        "title": "One transaction",
        "stage": "idea",
        "topics": "",
        "your_role": "lead",
    }
    assert transactions.of(client, "POST", "/projects/new", data=form) == [("write", "add_project")]
    pid = client.get("/api/projects").get_json()["items"][0]["id"]
    pages = [
        "/projects",
        f"/projects?stage=idea&topic={ids['topic']}",
        f"/projects/{pid}",
        "/projects/new",
        f"/projects/{pid}/edit",
        f"/projects/{pid}/delete",
        "/api/projects?stage=idea",
        f"/api/projects/{pid}",
    ]
    opened = {url: [kind for kind, _ in transactions.of(client, "GET", url)] for url in pages}
    assert opened == dict.fromkeys(pages, ["read"])
    form = {**form, "title": "Still one", "member": [ids["member"]], "role": ["lead"]}
    assert transactions.of(client, "POST", f"/projects/{pid}/edit", data=form) == [
        ("write", "change_project")
    ]
    done = transactions.of(
        client, "POST", f"/projects/{pid}/delete", data={"csrf_token": token, "confirm": "yes"}
    )
    assert done == [("write", "remove_project")]

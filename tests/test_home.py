"""The home page by role: a member's suggestions and profile completeness, a coordinator's gaps, an admin's
mail failures; the network at a glance for everyone; no internals anywhere. And "My profile", with the
member's own workstreams, on both stores."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphapp import wording
from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.queries.cypher import Tx
from graphapp.queries.members import MemberFilter, member_ids, member_profile
from graphapp.reports import coverage_report, suggest_peers
from tests.helpers import member, signed_in, write_csv

INTERNALS = ("KNOWS", "INTERESTED_IN", "MEMBER_OF", "WORKS_AT", "lbug", "bolt://", "neo4j://", "GraphappMeta")


@pytest.fixture
def demo(app, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The demo network and one sparse member of it (no title, email, country or workstreams)."""
    sparse = write_csv(
        tmp_path / "sparse.csv",
        [
            {
                "id": "sam-sparse",
                **member("Sam Sparse", "", organisation="Stats NZ", topics="record linkage:learning"),
            }
        ],
    )
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
        import_files(store, [sparse], kind="members", new_topics=True)
        someone = store.read(member_ids, MemberFilter(topic="record-linkage", region="Europe"))[0]
    return {"store": store, "someone": someone, "sam": "sam-sparse"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _mail(tx: Tx, id: str, status: str, attempts: str = "0", error: str = "") -> None:
    tx.run(
        "CREATE (:Mail {id: $id, recipient: 'ann@example.org', member: '', kind: 'ask_match', "
        "subject: 'A new ask', text: 'Hello', html: '<p>Hello</p>', status: $status, attempts: $attempts, "
        "next_try: '2026-01-01T00:00:00+00:00', last_error: $error, created: '2026-01-01T00:00:00+00:00', "
        "sent: ''})",
        id=id,
        status=status,
        attempts=attempts,
        error=error,
    )


def test_a_member_sees_their_suggestions_and_what_their_profile_lacks(app, demo) -> None:
    client = signed_in(app, "sam@example.org", "member", demo["sam"])
    page = client.get("/").get_data(as_text=True)
    text = _text(page)
    with app.app_context():
        expected = demo["store"].read(suggest_peers, demo["sam"], limit=3).suggestions
    assert expected, "Sam shares record linkage with others: there is someone to suggest"
    for s in expected:
        assert f'href="/members/{s.id}"' in page and s.name in text
        assert wording.reasons(s)[0] in text  # each with its reason, in words
    assert "People to talk to" in text
    # What is missing, in the form's words, with the link to fill it in; what is there is not listed.
    assert "Missing:" in text
    for words in ("your title", "the workstreams you take part in", "your email address"):
        assert words in text
    assert "your organisation" not in text and "your topics" not in text  # (the country comes with it)
    assert f'href="/members/{demo["sam"]}/edit"' in page
    # A member does not see coordinators' or admins' parts.
    assert "Where the network is thin" not in text and "/admin/mail" not in page
    assert "The network at a glance" in text and "<strong>151</strong> members" in page


def test_a_complete_profile_says_so(app, demo) -> None:
    with app.app_context():
        profile = demo["store"].read(member_profile, demo["someone"])
    client = signed_in(app, "someone@example.org", "member", demo["someone"])
    text = _text(client.get("/").get_data(as_text=True))
    complete = all(
        profile.get(k) for k in ("title", "organisation", "country", "interests", "workstreams", "email")
    )
    assert ("Your profile is complete" in text) == complete


def test_a_coordinator_also_sees_the_worst_gaps(app, demo) -> None:
    client = signed_in(app, "coord@example.org", "coordinator", demo["someone"])
    page = client.get("/").get_data(as_text=True)
    text = _text(page)
    with app.app_context():
        report = demo["store"].read(coverage_report)
    assert "Where the network is thin" in text and "People to talk to" in text
    for gap in report["gaps"][:3]:
        assert gap["name"] in text and wording.gap_detail(gap) in text
    assert f"{len(report['gaps'])} gaps" in text
    assert "/admin/mail" not in page


def test_an_admin_also_sees_the_mail_failures(app, demo) -> None:
    with app.app_context():
        store = demo["store"]
        store.write(_mail, "m1", "failed", "5", "550 no such user")
        store.write(_mail, "m2", "failed", "5", "550 no such user")
        store.write(_mail, "m3", "queued")
        store.write(_mail, "m4", "outbox")
    client = signed_in(app, "admin@example.org", "admin")  # an admin who is not a member
    page = client.get("/").get_data(as_text=True)
    text = _text(page)
    assert "2 mails could not be sent" in text and "1 waiting to be sent" in text
    assert "1 in the outbox" in text and 'href="/admin/mail"' in page
    assert "Where the network is thin" in text  # (an admin is also a coordinator)
    assert "People to talk to" not in text and "My profile" not in text  # no member record: no member parts
    for word in INTERNALS:
        assert word not in page, word
    assert str(app.config.get("GRAPHAPP_DB", "no-such-path")) not in page


def test_no_internals_for_anyone(app, demo) -> None:
    app.config["GRAPHAPP_PUBLIC"] = "1"
    pages = [
        app.test_client().get("/").get_data(as_text=True),
        signed_in(app, "m@example.org", "member", demo["someone"]).get("/").get_data(as_text=True),
        signed_in(app, "c@example.org", "coordinator").get("/").get_data(as_text=True),
    ]
    for page in pages:
        for word in INTERNALS:
            assert word not in page, word
        assert "The network at a glance" in page
    public = _text(pages[0])
    assert "People to talk to" not in public and "Where the network is thin" not in public
    assert "<strong>151</strong> members" in pages[0]


def test_my_profile_is_in_the_navigation_for_a_member_with_a_record(app, demo) -> None:
    client = signed_in(app, "m@example.org", "member", demo["someone"])
    nav = client.get("/members").get_data(as_text=True).split("</nav>")[0]
    assert f'<a href="/members/{demo["someone"]}">My profile</a>' in nav
    own = client.get(f"/members/{demo['someone']}").get_data(as_text=True).split("</nav>")[0]
    assert 'aria-current="page">My profile</a>' in own
    without = signed_in(app, "a@example.org", "admin").get("/members").get_data(as_text=True)
    assert "My profile" not in without.split("</nav>")[0]
    assert '<a href="/admin/mail"' in without.split("</nav>")[0]


def _form(client, member_id: str) -> tuple[dict[str, str], list[str], list[str]]:  # type: ignore[no-untyped-def]
    page = client.get(f"/members/{member_id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input (?:type="hidden" )?name="(\w+)" value="([^"]*)"', page))
    fields.update(re.findall(r'<input id="\w+" name="(\w+)"(?: type="\w+")? value="([^"]*)"', page))
    fields["topics"] = re.search(
        r'<textarea id="topics" name="topics"[^>]*>(.*?)</textarea>', page, re.S
    ).group(1)
    boxes = re.findall(
        r'<input type="checkbox" id="ws-\w+" name="workstreams" value="(\w+)"( checked)?>', page
    )
    fields = {k: v.replace("&amp;", "&").replace("&#39;", "'") for k, v in fields.items()}
    return fields, [w for w, _ in boxes], [w for w, checked in boxes if checked]


def _roles(app, member_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return {w["id"]: w["role"] for w in get_store().read(member_profile, member_id)["workstreams"]}


def test_a_member_chooses_their_own_workstreams_and_a_lead_stays_lead(app, demo) -> None:
    me = demo["sam"]
    client = signed_in(app, "sam@example.org", "member", me)
    form, every, ticked = _form(client, me)
    assert every == ["WS1", "WS2", "WS4", "WS5", "WS6", "WS7", "WS8"] and ticked == []
    saved = client.post(f"/members/{me}/edit", data={**form, "workstreams": ["WS2", "WS4"]})
    assert saved.status_code == 302
    assert _roles(app, me) == {"WS2": "member", "WS4": "member"}
    # A coordinator makes them lead of WS2 (as an import would); their own save keeps it.
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    form, _, _ = _form(coordinator, me)
    with app.app_context():
        get_store().write(
            lambda tx: tx.run(
                "MATCH (:Member {id: $m})-[r:MEMBER_OF]->(:Workstream {id: 'WS2'}) SET r.role = 'lead'", m=me
            )
        )
    form, _, ticked = _form(client, me)
    assert ticked == ["WS2", "WS4"]
    assert "(lead)" in client.get(f"/members/{me}/edit").get_data(as_text=True)
    assert client.post(f"/members/{me}/edit", data={**form, "workstreams": ["WS2", "WS5"]}).status_code == 302
    assert _roles(app, me) == {"WS2": "lead", "WS5": "member"}
    # An unknown workstream is refused with the field's name, nothing written, the boxes as they were ticked.
    form, _, _ = _form(client, me)
    refused = client.post(
        f"/members/{me}/edit", data={**form, "title": "New", "workstreams": ["WS2", "WS99"]}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "workstreams" in page and "WS99" in page
    assert _roles(app, me) == {"WS2": "lead", "WS5": "member"}
    with app.app_context():
        assert get_store().read(member_profile, me)["title"] in (None, "")
    # And a second editor's stale form is refused (the revision covers the workstreams too).
    stale, _, _ = _form(client, me)
    assert client.post(f"/members/{me}/edit", data={**stale, "workstreams": ["WS1"]}).status_code == 302
    assert client.post(f"/members/{me}/edit", data={**stale, "workstreams": ["WS6"]}).status_code == 409
    assert _roles(app, me) == {"WS1": "member"}

"""A hostile-input corpus pushed through import, every page, the API and every export, on both stores:
nothing a name holds may run, anywhere."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from graphapp.db import get_store
from graphapp.exports import FORMATS
from graphapp.ingest import import_files
from tests.helpers import member, write_csv

CORPUS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(document.cookie)",
    '"><svg onload=alert(1)>',
    "</script><script>alert(2)</script>",
    "{{7*7}} ${7*7} {% raw %}",
    "'; MATCH (n) DETACH DELETE n; //",
    "=cmd|' /C calc'!A0",
]
# What must never appear in a page as markup: the payloads' tags and handlers, unescaped.
RAW = ["<script>alert", "<img src=x onerror", "<svg onload", "</script><script>"]


@pytest.fixture
def hostile(app, tmp_path):
    rows = [
        member(
            payload,
            f"h{i}@example.org",
            organisation=f"Org {payload}",
            country="NLD",
            title=payload,
            # (";" separates topics and ":" a level in that column, so those two are left out there)
            topics=payload.replace(";", " ").replace(":", " ") + ":expert; record linkage",
        )
        for i, payload in enumerate(CORPUS)
    ]
    with app.app_context():
        plan = import_files(get_store(), [write_csv(tmp_path / "members.csv", rows)], new_topics=True)
    return plan


def test_the_corpus_is_stored_as_given_and_nothing_else_happens(app, client, hostile) -> None:
    members = client.get("/api/members?per_page=100").get_json()
    assert sorted(m["name"] for m in members["items"]) == sorted(CORPUS)  # stored verbatim, nothing dropped
    assert members["total"] == len(CORPUS)  # and the Cypher-looking one deleted nothing
    assert client.get("/api/topics?per_page=100").get_json()["total"] >= len(CORPUS)


def _pages(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    ids = [m["id"] for m in client.get("/api/members?per_page=100").get_json()["items"]]
    orgs = [o["id"] for o in client.get("/api/organisations?per_page=100").get_json()["items"]]
    topics = [t["id"] for t in client.get("/api/topics?per_page=100").get_json()["items"]]
    urls = [
        "/",
        "/members",
        "/organisations",
        "/topics",
        "/coverage",
        "/explore",
        "/explore?kind=country&value=NLD",
    ]
    urls += [f"/members/{i}" for i in ids] + [f"/explore?kind=member&value={i}&depth=2" for i in ids[:3]]
    urls += [f"/organisations/{o}" for o in orgs] + [f"/topics/{t}" for t in topics]
    out = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        out[url] = response.get_data(as_text=True)
    return out


def test_no_page_carries_the_payloads_as_markup(client, hostile) -> None:
    for url, page in _pages(client).items():
        for raw in RAW:
            assert raw not in page, (url, raw)
        assert not re.search(r'href="\s*javascript:', page, re.I), url
        # The explorer's data block holds the names as JSON that cannot end the block early.
        for block in re.findall(
            r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S
        ):
            json.loads(block)


def test_exports_carry_the_payloads_as_data_only(client, hostile) -> None:
    for fmt in FORMATS:
        body = client.get(f"/api/export/{fmt}?kind=country&value=NLD").get_data()
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
            assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
        elif fmt == "html":
            page = body.decode("utf-8")
            data = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S)
            names = {n["name"] for n in json.loads(data.group(1))["nodes"]}
            assert set(CORPUS) <= names  # every payload is there, as data
            outside = page.replace(data.group(0), "")
            for raw in RAW:
                assert raw not in outside.split("<script>", 1)[0], raw  # not in the markup before the scripts
        elif fmt in ("gexf", "graphml", "svg"):
            from xml.etree import ElementTree

            ElementTree.fromstring(body)  # still well-formed XML: the payloads were escaped
            assert b"<script>" not in body


def test_the_api_answers_json_that_browsers_will_not_sniff(client, hostile) -> None:
    response = client.get("/api/members?per_page=100")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_join_form_and_the_queue_show_the_payloads_as_text(app, client, hostile) -> None:
    """Every text field of a request to join holds a payload; the form shown again (with a problem) and the
    coordinators' queue carry them as text."""
    from markupsafe import escape

    from tests.helpers import csrf_token

    topic = client.get("/api/topics?per_page=1").get_json()["items"][0]["id"]
    for i, payload in enumerate(CORPUS):
        form = {
            "csrf_token": csrf_token(client, "/join"),
            "name": payload,
            "email": f"j{i}@example.org",
            "new_organisation": f"Org {payload} {i}",
            "country": "NLD",
            "title": payload,
            "topic": topic,
            f"level-{topic}": "expert",
            "issue_kind": "strategic",
            "issue_text": payload,
            "email_visibility": "members",
            "suggestible": "yes",
            "introductions": "yes",
        }
        shown_again = client.post("/join", data={**form, "email": payload, "country": payload})
        assert shown_again.status_code == 400
        page = shown_again.get_data(as_text=True)
        assert str(escape(payload)) in page
        for raw in RAW:
            assert raw not in page, (payload, raw)
        sent = client.post("/join", data=form, environ_base={"REMOTE_ADDR": f"198.51.{i}.1"})
        assert sent.status_code == 302
    with app.app_context():
        texts = get_store().read(lambda tx: tx.run("MATCH (x:Mail) RETURN x.text AS text"))
    for row in texts:
        client.get(re.search(r"https?://[^/\s]+(/join/confirm/\S+)", row["text"]).group(1))
    queue = client.get("/join/requests").get_data(as_text=True)
    for payload in CORPUS:
        assert str(escape(payload)) in queue, payload
    for raw in RAW:
        assert raw not in queue, raw
    assert not re.search(r'href="\s*javascript:', queue, re.I)


def test_asks_offers_and_introduction_notes_carry_the_payloads_as_text(app, hostile) -> None:
    """The corpus as an ask's text, an offer's note and an introduction's note, from members whose names
    are payloads too: every page that shows them, the mails and the API, as text."""
    from graphapp.queries.members import MemberFilter, member_ids
    from tests.helpers import csrf_token, signed_in
    from tests.test_introductions import mailed_link, queued_mail

    with app.app_context():
        ids = get_store().read(member_ids, MemberFilter())
    asker = signed_in(app, "asker@example.org", "member", ids[0])
    helper = signed_in(app, "helper@example.org", "member", ids[1])
    urls = ["/asks", "/introductions", "/topics/record-linkage"]
    for i, payload in enumerate(CORPUS):
        token = csrf_token(asker, "/asks")
        posted = asker.post(
            "/asks",
            data={"kind": "technical", "text": payload, "topics": "record-linkage", "csrf_token": token},
        )
        assert posted.status_code == 302, payload
        ask = posted.headers["Location"]
        offered = helper.post(
            f"{ask}/offers", data={"note": payload, "csrf_token": csrf_token(helper, "/asks")}
        )
        assert offered.status_code == 302
        asked = asker.post(
            "/introductions",
            data={"to": ids[2 + i % 6], "kind": "profile", "note": payload, "csrf_token": token},
        )
        assert asked.status_code in (302, 409), payload  # (409: one is already waiting with that member)
        urls.append(ask)
    answer_links = [mailed_link(m["text"]) for m in queued_mail(app, "introduction_request")]
    texts = {url: asker.get(url).get_data(as_text=True) for url in urls}
    texts.update({url: app.test_client().get(url).get_data(as_text=True) for url in answer_links})
    for url, page in texts.items():
        for raw in RAW:
            assert raw not in page, (url, raw)
    api = asker.get("/api/asks?per_page=100")
    assert api.mimetype == "application/json"  # (data, which browsers will not sniff: see below)
    stored = {a["text"] for a in api.get_json()["items"]}
    assert stored == {p.strip() for p in CORPUS}  # stored as given
    with app.app_context():
        html = get_store().read(lambda tx: tx.run("MATCH (x:Mail) RETURN x.html AS html"))
    assert html and all(raw not in m["html"] for m in html for raw in RAW)

"""A workstream's page and its progress notes (issue 14 §5), on both stores: every part of the page shows
what a person looks for (its leads by name, or plainly none; its themes at their stages; its topics; its
projects by stage with their organisation and day; its notes, newest first, with who wrote them), its
leads and coordinators write, edit and delete notes (each one transaction, in the history) and others
cannot, hostile text stays text, the API says the same, forgetting a lead keeps their notes without
their name, and a backup carries the notes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from graphapp.db import get_store
from graphapp.queries import history
from graphapp.queries.schema import CREATE_NODES, CREATE_RELS, NODES, RELATIONSHIPS
from tests.helpers import csrf_token, signed_in

# --- The fixture network ------------------------------------------------------------------------------

ORGANISATIONS = [
    {"id": "ons", "name": "Office for National Statistics", "kind": "NSO", "country": "GBR"},
    {"id": "statcan", "name": "Statistics Canada", "kind": "NSO", "country": "CAN"},
]
MEMBERS = [
    {"id": "m-ana", "name": "Ana Lead", "email": "ana@example.org", "title": "Head of data science"},
    {"id": "m-bo", "name": "Bo Member", "email": "bo@example.org", "title": "Data scientist"},
    {"id": "m-cy", "name": "Cy Colead", "email": "cy@example.org", "title": "Methodologist"},
    {"id": "m-dee", "name": "Dee Elsewhere", "email": "dee@example.org", "title": "Analyst"},
]
WORKSTREAMS = [
    {
        "id": "WS1",
        "name": "ML studies toward production",
        "description": "Studies on their way to production.",
    },
    {"id": "WS4", "name": "Good training data", "description": "Ways to get good training data."},
]
TOPICS = [
    {"id": "record-linkage", "name": "record linkage"},
    {"id": "imagery", "name": "imagery and satellite data"},
    {"id": "old-topic", "name": "old topic", "status": "retired"},
]
THEMES = [
    {"id": "quality", "name": "Quality", "kind": "theme", "position": "01"},
    {"id": "training-data", "name": "Good training data", "kind": "theme", "position": "02"},
    {"id": "ethics", "name": "Ethics and legal", "kind": "theme", "position": "06"},
]
PROJECTS = [
    {
        "id": "p-census",
        "title": "Linking the census",
        "stage": "production",
        "idea": "2022-01-10",
        "demonstration": "2023-02-01",
        "production": "2024-03-05",
    },
    {"id": "p-crops", "title": "Crops from satellites", "stage": "idea", "idea": "2025-06-30"},
    {"id": "p-coding", "title": "Coding occupations", "stage": "demonstration"},  # (no day given)
    {"id": "p-elsewhere", "title": "A project of no workstream", "stage": "maintenance"},
]
RELS = {
    "WORKS_AT": [("m-ana", "ons"), ("m-bo", "statcan"), ("m-cy", "statcan"), ("m-dee", "ons")],
    "MEMBER_OF": [("m-ana", "WS1", "lead"), ("m-cy", "WS1", "lead"), ("m-bo", "WS1", "member")]
    + [("m-bo", "WS4", "member"), ("m-dee", "WS4", "member")],
    "COVERS": [("WS1", "record-linkage"), ("WS1", "imagery"), ("WS1", "old-topic")],
    "SERVES": [("WS1", "quality", "production,demonstration"), ("WS1", "training-data", "")],
    "IN_WORKSTREAM": [("p-census", "WS1"), ("p-crops", "WS1"), ("p-coding", "WS1")],
    "RUN_BY": [("p-census", "ons"), ("p-crops", "statcan")],
}


def _rows(label: str, items: list[dict[str, str]]) -> list[dict[str, Any]]:
    # (every property, "" where not given: LadybugDB types a batch's columns from its rows)
    return [{p: item.get(p, "") for p in NODES[label].properties} for item in items]


def _rels(rel_type: str, items: list[tuple[str, ...]]) -> list[dict[str, str]]:
    spec = RELATIONSHIPS[rel_type]
    return [{"source": i[0], "target": i[1], **dict(zip(spec.properties, i[2:], strict=True))} for i in items]


def build(tx: Any) -> None:
    """The fixture network, written with the statements derived from the model."""
    for label, items in (
        ("Organisation", ORGANISATIONS),
        ("Member", MEMBERS),
        ("Workstream", WORKSTREAMS),
        ("Topic", TOPICS),
        ("Theme", THEMES),
        ("Project", PROJECTS),
    ):
        rows = _rows(label, items)
        if label in ("Organisation", "Topic"):  # (list properties: aliases)
            rows = [{**r, "aliases": []} for r in rows]
        tx.run(CREATE_NODES[label], rows=rows)
    for rel_type, items in RELS.items():
        tx.run(CREATE_RELS[rel_type], rows=_rels(rel_type, items))


@pytest.fixture
def network(app) -> Any:  # type: ignore[no-untyped-def]
    with app.app_context():
        store = get_store()
        store.write(build)
        return store


def _client(app, login: str, role: str = "member", member: str = "") -> Any:  # type: ignore[no-untyped-def]
    return signed_in(app, login, role, member)


def _page(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _section(page: str, heading_id: str) -> str:
    """The HTML of the page's part headed by this id (up to the next part's heading)."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("<h2", start)
    return page[start : end if end > 0 else len(page)]


def _notes(store: Any, workstream: str = "WS1") -> list[dict[str, Any]]:
    from graphapp.queries.workstreams import progress_notes

    return store.read(progress_notes, workstream)


def _changes(store: Any) -> list[dict[str, Any]]:
    return store.read(history.changes, kind="progress", oldest_first=True)


def _post(client: Any, url: str, **form: str) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, "/workstreams/WS1"), **form})


# --- The page -----------------------------------------------------------------------------------------


def test_the_page_shows_leads_themes_topics_and_projects_by_stage(app, network) -> None:
    page = _page(_client(app, "bo@example.org", member="m-bo"), "/workstreams/WS1")
    assert "<h1>WS1: ML studies toward production</h1>" in page
    assert "Studies on their way to production." in page

    leads = _section(page, "leads-heading")
    assert '<a href="/members/m-ana">Ana Lead</a>, Head of data science, ' in leads
    assert '<a href="/organisations/ons">Office for National Statistics</a>' in leads
    assert '<a href="/members/m-cy">Cy Colead</a>' in leads
    assert "Bo Member" not in leads  # (a member, not a lead)
    assert leads.index("Ana Lead") < leads.index("Cy Colead")

    themes = _section(page, "themes-heading")
    assert '<a href="/themes/quality">Quality</a>: demonstration, production' in themes  # (journey order)
    assert '<a href="/themes/training-data">Good training data</a>: every stage' in themes
    assert "Ethics" not in themes  # (a theme it does not serve)
    assert themes.index("Quality") < themes.index("Good training data")  # (down the map)

    topics = _section(page, "covers-heading")
    assert '<a href="/topics/record-linkage">record linkage</a>' in topics
    assert "old topic</a> (retired)" in topics

    projects = _section(page, "projects-heading")
    stages = re.findall(r'<h3 id="stage-(\w+)-heading">(\w+) <small>\((\d+)\)</small>', projects)
    assert stages == [
        ("idea", "Idea", "1"),
        ("demonstration", "Demonstration", "1"),
        ("production", "Production", "1"),
        ("maintenance", "Maintenance", "0"),
    ]
    by_stage = dict(
        zip([s[0] for s in stages], re.split(r'<h3 id="stage-\w+-heading">', projects)[1:], strict=True)
    )
    assert '<a href="/projects/p-crops">Crops from satellites</a>' in by_stage["idea"]
    assert "Statistics Canada" in by_stage["idea"] and "June 30, 2025" in by_stage["idea"]
    assert '<a href="/projects/p-census">Linking the census</a>' in by_stage["production"]
    assert "Office for National Statistics" in by_stage["production"]
    assert '<time datetime="2024-03-05">March 5, 2024</time>' in by_stage["production"]
    assert "Coding occupations" in by_stage["demonstration"] and "since" not in by_stage["demonstration"]
    assert "None yet." in by_stage["maintenance"]
    assert "A project of no workstream" not in page

    assert "People: 3 members" in page  # its members, with their organisations
    assert "Statistics Canada" in page.split("Who is there", 1)[1]
    assert "No progress notes yet." in page and "Write a progress note" not in page  # (Bo leads nothing)


def test_a_workstream_without_a_lead_says_so_plainly(app, network) -> None:
    page = _page(_client(app, "bo@example.org", member="m-bo"), "/workstreams/WS4")
    assert "This workstream has no lead at the moment." in _section(page, "leads-heading")
    assert "No themes recorded for this workstream." in page
    assert "No topics recorded for this workstream." in page
    assert "No projects recorded in this workstream yet." in page
    assert "People: 2 members" in page
    _page(_client(app, "x@example.org"), "/workstreams/WS99", 404)


def test_coordinators_keep_the_contact_map_downloads(app, network) -> None:
    coordinator = _page(_client(app, "co@example.org", "coordinator"), "/workstreams/WS1")
    assert "Download this contact map" in coordinator and "graphapp-workstream" not in coordinator
    assert 'href="/api/export/csv?kind=workstream&amp;value=WS1"' in coordinator
    member = _page(_client(app, "bo@example.org", member="m-bo"), "/workstreams/WS1")
    assert "Download this contact map" not in member


# --- Progress notes -----------------------------------------------------------------------------------


def test_a_lead_writes_edits_and_deletes_notes_each_in_the_history(app, network) -> None:
    ana = _client(app, "ana@example.org", member="m-ana")
    page = _page(ana, "/workstreams/WS1")
    assert "Write a progress note" in page
    today = datetime.now(UTC).date().isoformat()
    assert f'name="date" type="date" value="{today}"' in page  # (the date defaults to today)

    text = "Linked the 2021 census.\nQuality checked.\n\nNext: production."
    sent = _post(ana, "/workstreams/WS1/notes", date="2026-10-01", text=text)
    assert sent.status_code == 302 and sent.headers["Location"].startswith("/workstreams/WS1#note-")
    older = _post(ana, "/workstreams/WS1/notes", date="", text="A first step.")  # (empty: today)
    assert older.status_code == 302
    (first, second) = _notes(network)
    assert (first["date"], second["date"]) == (today, "2026-10-01")  # newest first

    page = _page(ana, "/workstreams/WS1")
    notes = _section(page, "progress-heading")
    assert notes.index("A first step.") < notes.index("Linked the 2021 census.")
    assert "<p>Linked the 2021 census.<br>Quality checked.</p><p>Next: production.</p>" in notes
    assert '<time datetime="2026-10-01">October 1, 2026</time>' in notes
    assert 'by <a href="/members/m-ana">Ana Lead</a>' in notes

    # Another lead of the workstream edits it; the note keeps who wrote it.
    cy = _client(app, "cy@example.org", member="m-cy")
    note = second["id"]
    edited = _post(cy, f"/workstreams/WS1/notes/{note}", date="2026-10-02", text="Linked the census.")
    assert edited.status_code == 302
    (changed,) = [n for n in _notes(network) if n["id"] == note]
    assert (changed["date"], changed["text"], changed["member"]) == (
        "2026-10-02",
        "Linked the census.",
        "m-ana",
    )

    deleted = _post(ana, f"/workstreams/WS1/notes/{first['id']}/delete")
    assert deleted.status_code == 302
    assert [n["id"] for n in _notes(network)] == [note]

    rows = _changes(network)
    assert [(r["subject"], r["summary"]) for r in rows] == [
        (f"progress:{note}", "progress note of WS1 written"),
        (f"progress:{first['id']}", "progress note of WS1 written"),
        (f"progress:{note}", "progress note of WS1 edited"),
        (f"progress:{first['id']}", "progress note of WS1 deleted"),
    ]
    assert [history.values(r) for r in rows] == [
        ({}, {"date": "2026-10-01", "text": text}),
        ({}, {"date": today, "text": "A first step."}),
        ({"date": "2026-10-01", "text": text}, {"date": "2026-10-02", "text": "Linked the census."}),
        ({"date": today, "text": "A first step."}, {}),
    ]
    assert [r["about"] for r in rows] == [["m-ana"], ["m-ana"], ["m-ana", "m-cy"], ["m-ana"]]
    assert [r["by"] for r in rows] == ["account:ana@example.org"] * 2 + ["account:cy@example.org"] + [
        "account:ana@example.org"
    ]
    assert all(r["member"] == "" for r in rows)
    # ... and a coordinator reads them on the history page.
    shown = _page(_client(app, "co@example.org", "coordinator"), "/history?kind=progress")
    assert "progress note of WS1 edited" in shown


def test_a_member_who_is_not_a_lead_gets_no_form_and_403(app, network) -> None:
    ana = _client(app, "ana@example.org", member="m-ana")
    assert _post(ana, "/workstreams/WS1/notes", text="Ana's note").status_code == 302
    (note,) = _notes(network)
    for login, member in (("bo@example.org", "m-bo"), ("dee@example.org", "m-dee"), ("x@example.org", "")):
        client = _client(app, login, member=member)
        page = _page(client, "/workstreams/WS1")
        assert "Ana&#39;s note" in page  # (they read the notes)
        assert "Write a progress note" not in page and "Delete this note" not in page
        assert 'action="/workstreams/WS1/notes' not in page
        assert _post(client, "/workstreams/WS1/notes", text="Not mine to write").status_code == 403
        assert _post(client, f"/workstreams/WS1/notes/{note['id']}", text="Changed").status_code == 403
        assert _post(client, f"/workstreams/WS1/notes/{note['id']}/delete").status_code == 403
    # A lead of one workstream is no lead of another.
    assert _post(ana, "/workstreams/WS4/notes", text="Not my workstream").status_code == 403
    assert [n["text"] for n in _notes(network)] == ["Ana's note"] and _notes(network, "WS4") == []
    assert len(_changes(network)) == 1


def test_coordinators_write_notes_too(app, network) -> None:
    plain = _client(app, "co@example.org", "coordinator")  # (an account that is no member)
    assert "Write a progress note" in _page(plain, "/workstreams/WS4")
    assert _post(plain, "/workstreams/WS4/notes", date="2026-09-01", text="Started.").status_code == 302
    dee = _client(app, "dee-co@example.org", "coordinator", member="m-dee")
    assert _post(dee, "/workstreams/WS4/notes", date="2026-09-02", text="Going on.").status_code == 302
    notes = _section(_page(plain, "/workstreams/WS4"), "progress-heading")
    assert "by a coordinator" in notes and 'by <a href="/members/m-dee">Dee Elsewhere</a>' in notes


def test_bad_input_is_refused_with_what_was_typed_kept_and_nothing_written(app, network) -> None:
    ana = _client(app, "ana@example.org", member="m-ana")
    for form, words in [
        ({"date": "2026-10-01", "text": "   "}, "text must not be empty"),
        ({"date": "2026-02-30", "text": "Typed with care"}, "date must be a day written YYYY-MM-DD"),
        ({"date": "yesterday", "text": "Typed with care"}, "date must be a day written YYYY-MM-DD"),
        ({"date": "2026-10-01", "text": "x" * 5001}, "text is too long (at most 5000 characters)"),
    ]:
        refused = _post(ana, "/workstreams/WS1/notes", **form)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and words in page, (form, page[:300])
        if form["text"].strip():
            assert f">{form['text']}</textarea>" in page  # what was typed is still there
    assert _notes(network) == [] and _changes(network) == []
    assert _post(ana, "/workstreams/WS1/notes", date="2026-10-01", text="Fine").status_code == 302
    (note,) = _notes(network)
    refused = _post(ana, f"/workstreams/WS1/notes/{note['id']}", date="2026-10-01", text="")
    assert refused.status_code == 400 and "text must not be empty" in refused.get_data(as_text=True)
    assert _post(ana, "/workstreams/WS1/notes/no-such-note", text="x").status_code == 404
    assert _post(ana, "/workstreams/WS99/notes", text="x").status_code == 404
    # A note of one workstream cannot be reached through another's address.
    coordinator = _client(app, "co@example.org", "coordinator")
    assert _post(coordinator, f"/workstreams/WS4/notes/{note['id']}/delete").status_code == 404
    assert [n["text"] for n in _notes(network)] == ["Fine"] and len(_changes(network)) == 1


def test_hostile_note_text_is_shown_as_text(app, network) -> None:
    ana = _client(app, "ana@example.org", member="m-ana")
    hostile = '<script>alert("x")</script>\n\n<img src=x onerror=alert(1)> & "quotes"'
    assert _post(ana, "/workstreams/WS1/notes", text=hostile).status_code == 302
    page = _page(ana, "/workstreams/WS1")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;quotes&#34;" in page
    notes = ana.get("/api/workstreams/WS1/notes").get_json()["notes"]
    assert notes[0]["text"] == hostile  # (JSON carries it as it was written)


# --- The API ------------------------------------------------------------------------------------------


def _api(client: Any, method: str, url: str, body: Any = None) -> Any:
    token = csrf_token(client, "/workstreams/WS1")
    return client.open(url, method=method, json=body, headers={"X-CSRFToken": token})


def test_the_api_gives_the_workstream_and_its_notes(app, network) -> None:
    dee = _client(app, "dee@example.org", member="m-dee")
    network.write(lambda tx: tx.run("MATCH (m:Member {id: 'm-bo'}) SET m.email_visibility = 'nobody'"))
    shown = dee.get("/api/workstreams/WS1").get_json()
    assert shown["workstream"] == {
        "id": "WS1",
        "name": "ML studies toward production",
        "description": "Studies on their way to production.",
    }
    assert [m["name"] for m in shown["leads"]] == ["Ana Lead", "Cy Colead"]
    assert [(m["name"], m["role"], m["organisation"]) for m in shown["members"]] == [
        ("Ana Lead", "lead", "Office for National Statistics"),
        ("Cy Colead", "lead", "Statistics Canada"),
        ("Bo Member", "member", "Statistics Canada"),
    ]
    emails = {m["id"]: m.get("email") for m in shown["members"]}
    assert emails == {"m-ana": "ana@example.org", "m-cy": "cy@example.org", "m-bo": None}  # (Bo: nobody)
    assert [(t["name"], t["stages"], t["every_stage"]) for t in shown["themes"]] == [
        ("Quality", ["demonstration", "production"], False),
        ("Good training data", ["idea", "demonstration", "production", "maintenance"], True),
    ]
    assert [t["id"] for t in shown["topics"]] == ["imagery", "old-topic", "record-linkage"]
    stages = {s["stage"]: s["projects"] for s in shown["projects"]}
    assert [s["stage"] for s in shown["projects"]] == ["idea", "demonstration", "production", "maintenance"]
    assert [(p["id"], p["organisation"], p["reached"]) for p in stages["production"]] == [
        ("p-census", "Office for National Statistics", "2024-03-05")
    ]
    assert [p["id"] for p in stages["idea"]] == ["p-crops"] and stages["maintenance"] == []
    assert shown["notes"] == [] and shown["may_write"] is False
    assert dee.get("/api/workstreams/WS99").status_code == 404
    assert dee.get("/api/workstreams/WS99/notes").get_json()["error"]["status"] == 404


def test_the_api_writes_notes_by_the_same_rules(app, network) -> None:
    ana = _client(app, "ana@example.org", member="m-ana")
    assert ana.get("/api/workstreams/WS1").get_json()["may_write"] is True
    made = _api(ana, "POST", "/api/workstreams/WS1/notes", {"date": "2026-11-01", "text": "By the API."})
    assert made.status_code == 200, made.get_json()
    note = made.get_json()
    assert (note["workstream"], note["member"], note["date"], note["text"]) == (
        "WS1",
        "m-ana",
        "2026-11-01",
        "By the API.",
    )
    listed = ana.get("/api/workstreams/WS1/notes").get_json()
    assert [(n["id"], n["member_name"]) for n in listed["notes"]] == [(note["id"], "Ana Lead")]

    changed = _api(ana, "PATCH", f"/api/workstreams/WS1/notes/{note['id']}", {"text": "Changed by the API."})
    assert changed.status_code == 200 and changed.get_json()["text"] == "Changed by the API."
    assert changed.get_json()["date"] == "2026-11-01"  # (left out: kept)

    bo = _client(app, "bo@example.org", member="m-bo")
    for method, url, body in [
        ("POST", "/api/workstreams/WS1/notes", {"text": "Not mine"}),
        ("PATCH", f"/api/workstreams/WS1/notes/{note['id']}", {"text": "Not mine"}),
        ("DELETE", f"/api/workstreams/WS1/notes/{note['id']}", None),
    ]:
        refused = _api(bo, method, url, body)
        assert (
            refused.status_code == 403 and "Only the leads of WS1" in refused.get_json()["error"]["message"]
        )
    bad = _api(ana, "POST", "/api/workstreams/WS1/notes", {"date": "2026-13-01", "text": "x"})
    assert bad.status_code == 400 and "date must be a day" in bad.get_json()["error"]["message"]
    empty = _api(ana, "POST", "/api/workstreams/WS1/notes", {"text": " \n "})
    assert empty.status_code == 400 and "text must not be empty" in empty.get_json()["error"]["message"]
    no_token = ana.post("/api/workstreams/WS1/notes", json={"text": "x"})
    assert no_token.status_code == 400
    assert _api(ana, "DELETE", "/api/workstreams/WS1/notes/nothing").status_code == 404

    gone = _api(ana, "DELETE", f"/api/workstreams/WS1/notes/{note['id']}")
    assert gone.status_code == 200 and gone.get_json()["deleted"] is True
    assert ana.get("/api/workstreams/WS1/notes").get_json()["notes"] == []
    assert [r["summary"] for r in _changes(network)] == [
        "progress note of WS1 written",
        "progress note of WS1 edited",
        "progress note of WS1 deleted",
    ]


def test_each_note_is_one_write_and_the_page_one_read(app, network, monkeypatch) -> None:
    from tests.test_page_transactions import Transactions

    ana = _client(app, "ana@example.org", member="m-ana")
    token = csrf_token(ana, "/workstreams/WS1")
    transactions = Transactions(app, network, monkeypatch)
    assert transactions.of(ana, "GET", "/workstreams/WS1") == [("read", "workstream_page")]
    form = {"csrf_token": token, "text": "One write"}
    assert transactions.of(ana, "POST", "/workstreams/WS1/notes", data=form) == [("write", "add_note")]
    (note,) = _notes(network)
    url = f"/workstreams/WS1/notes/{note['id']}"
    assert transactions.of(ana, "POST", url, data={**form, "text": "Two"}) == [("write", "change_note")]
    assert transactions.of(ana, "POST", url + "/delete", data=form) == [("write", "remove_note")]
    assert [k for k, _ in transactions.of(ana, "GET", "/api/workstreams/WS1")] == ["read"]
    assert [k for k, _ in transactions.of(ana, "GET", "/api/workstreams/WS1/notes")] == ["read"]


# --- Forgetting, backups and the command line ----------------------------------------------------------


def _release(app) -> None:  # type: ignore[no-untyped-def]
    """Close the app's store before a command opens the same embedded file (one process at a time)."""
    from graphapp.db import KEY, READY

    if app.extensions.get(KEY) is not None:
        app.extensions[KEY].close()
    app.extensions[KEY] = None
    app.extensions[READY] = False


def test_forgetting_a_lead_keeps_their_notes_without_their_name(app, network, runner, tmp_path) -> None:
    ana = _client(app, "ana@example.org", member="m-ana")
    assert _post(ana, "/workstreams/WS1/notes", date="2026-10-01", text="Ana's progress").status_code == 302
    cy = _client(app, "cy@example.org", member="m-cy")
    assert _post(cy, "/workstreams/WS1/notes", date="2026-10-02", text="Cy's progress").status_code == 302
    _release(app)
    assert runner.invoke("forget", "m-ana").exit_code == 0
    listed = json.loads(runner.invoke("workstreams", "notes", "WS1", "--json").stdout)
    assert [(n["text"], n["member"], n["member_name"]) for n in listed] == [
        ("Cy's progress", "m-cy", "Cy Colead"),
        ("Ana's progress", "", None),
    ]
    text = runner.invoke("workstreams", "notes", "WS1").output
    assert "2026-10-01  by a former lead\n  Ana's progress" in text
    assert runner.invoke("backup", str(tmp_path / "b.json")).exit_code == 0
    assert "m-ana" not in (tmp_path / "b.json").read_text()  # (nor in the history that named her)
    page = _section(_page(cy, "/workstreams/WS1"), "progress-heading")
    assert "by a former lead" in page and "Ana Lead" not in page and "Ana&#39;s progress" in page


def test_a_backup_carries_the_notes_and_restores_them(app, network, tmp_path) -> None:
    from graphapp.backup import load_backup, restore, write_backup

    ana = _client(app, "ana@example.org", member="m-ana")
    assert _post(ana, "/workstreams/WS1/notes", date="2026-10-01", text="Kept\n\nacross").status_code == 302
    co = _client(app, "co@example.org", "coordinator")
    assert _post(co, "/workstreams/WS4/notes", date="2026-10-03", text="A coordinator's").status_code == 302
    before = {w: _notes(network, w) for w in ("WS1", "WS4")}
    path = tmp_path / "backup.json"
    write_backup(network, path)
    saved = json.loads(path.read_text())["nodes"]["ProgressNote"]
    assert sorted(n["text"] for n in saved) == ["A coordinator's", "Kept\n\nacross"]
    assert "member" not in next(n for n in saved if n["workstream"] == "WS4")  # (names no one)
    restore(network, load_backup(path), replace=True)
    assert {w: _notes(network, w) for w in ("WS1", "WS4")} == before
    assert _notes(network, "WS4")[0]["member"] is None


def test_the_command_line_lists_a_workstreams_notes(runner, app, network) -> None:
    _release(app)
    empty = runner.invoke("workstreams", "notes", "WS1")
    assert empty.exit_code == 0 and empty.stdout == "" and "WS1 has no progress notes yet" in empty.stderr
    missing = runner.invoke("workstreams", "notes", "WS99")
    assert missing.exit_code == 1 and "'WS99' is not a workstream of the network" in missing.output


def test_the_notes_are_read_in_the_same_order_on_both_stores(store) -> None:
    """Notes of one day are ordered by when they were written, newest first."""
    from graphapp.progress import add_note

    store.write(build)
    for i, text in enumerate(("first", "second", "third")):
        store.write(add_note, "WS1", "m-ana", False, "2026-01-01" if i < 2 else "2025-12-31", text, f"t{i}")
    assert [n["text"] for n in _notes(store)] == ["second", "first", "third"]

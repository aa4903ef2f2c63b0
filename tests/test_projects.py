"""Projects (issue 14 §1), on both stores: added, changed, moved along the journey and deleted through the
pages and the API; who may and who may not; each member's email only where they allow it; hostile text
shown as text and `javascript:` links refused; every write in the history; forgetting a member drops them
from their projects; the sections on member, organisation and topic pages; the command line."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from graphapp.db import get_store
from graphapp.demo import DEMO_NETWORK_FILES
from graphapp.i18n import day
from graphapp.ingest import import_files
from graphapp.queries.members import MemberFilter, member_ids, member_profile, set_consent
from tests.helpers import csrf_token, signed_in

TODAY = datetime.now(UTC).date().isoformat()
#: Today as an English page shows it ("Nov 30, 2026").
TODAY_SHOWN = day(TODAY)


@pytest.fixture
def net(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo network without its projects and resources (each test makes its own); three members of it (A and B with member accounts), A's organisation, and
    browsers: A, B, a coordinator, and a member account tied to no member."""
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_NETWORK_FILES)
        a, b, c = store.read(member_ids, MemberFilter(topic="record-linkage"))[:3]
        profile_a = store.read(member_profile, a)
        names = {m: store.read(member_profile, m)["name"] for m in (a, b, c)}
    return {
        "a": a,
        "b": b,
        "c": c,
        "names": names,
        "organisation": profile_a["organisation_id"],
        "A": signed_in(app, "a@example.org", "member", a),
        "B": signed_in(app, "b@example.org", "member", b),
        "coordinator": signed_in(app, "coordinator@example.org", "coordinator"),
        "nobody": signed_in(app, "nobody@example.org", "member"),
    }


def form(**values: Any) -> dict[str, Any]:
    base = {
        "title": "Linking the census",
        "description": "Probabilistic record linkage of the census to tax records.",
        "organisation": "",
        "workstream": "",
        "domain": "5.1",
        "stage": "demonstration",
        "topics": "record linkage",
        "report": "https://example.org/report.pdf",
        "code": "",
        "your_role": "lead",
        "add_member": "",
        "add_role": "",
    }
    return {**base, **values}


def add(client: Any, **values: Any) -> Any:
    return client.post(
        "/projects/new", data={**form(**values), "csrf_token": csrf_token(client, "/projects/new")}
    )


def made(response: Any) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"].rsplit("/", 1)[1]


def api_history(app: Any, subject: str) -> list[dict[str, Any]]:
    from graphapp.queries.history import changes

    with app.app_context():
        rows = get_store().read(changes, kind="project", subject=subject, oldest_first=True)
    return [{**r, "before": json.loads(r["before"]), "after": json.loads(r["after"])} for r in rows]


def edit(client: Any, pid: str, **changed: Any) -> Any:
    """Open the project's form, change some fields, and save it as the form has it."""
    page = client.get(f"/projects/{pid}/edit").get_data(as_text=True)
    assert "<form" in page
    data: dict[str, Any] = {"csrf_token": csrf_token(client, f"/projects/{pid}/edit")}
    for name in ("title", "report", "code", "add_member", "add_role"):
        found = re.search(rf'name="{name}" [^>]*value="([^"]*)"', page)
        data[name] = found.group(1) if found else ""
    for stage in ("idea", "demonstration", "production", "maintenance"):
        found = re.search(rf'name="day_{stage}" type="date" value="([^"]*)"', page)
        data[f"day_{stage}"] = found.group(1) if found else ""
    for name in ("description", "topics"):
        data[name] = re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', page).group(1)
    for name in ("organisation", "workstream", "domain", "stage"):
        chosen = re.search(rf'name="{name}".*?<option value="([^"]*)" selected', page, re.S)
        select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        chosen = re.search(r'<option value="([^"]*)" selected', select)
        data[name] = chosen.group(1) if chosen else ""
    data["member"] = re.findall(r'name="member" value="([^"]*)"', page)
    data["member_name"] = re.findall(r'name="member_name" value="([^"]*)"', page)
    data["role"] = re.findall(r'name="role" value="([^"]*)"', page)
    import html

    data = {
        k: ([html.unescape(x) for x in v] if isinstance(v, list) else html.unescape(v))
        for k, v in data.items()
    }
    data.update(changed)
    return client.post(f"/projects/{pid}/edit", data=data)


def test_a_member_adds_a_project_and_its_page_shows_the_journey(app, net) -> None:
    A = net["A"]
    assert A.get("/projects/new").status_code == 200
    pid = made(add(A, organisation=net["organisation"]))
    page = A.get(f"/projects/{pid}").get_data(as_text=True)
    assert "<h1>Linking the census</h1>" in page
    assert f'href="/members/{net["a"]}">{net["names"][net["a"]]}</a>, lead' in page
    assert f"reached {TODAY_SHOWN}" in page  # demonstration: reached today, as nothing else was said
    assert "reached (day not known)" in page  # idea: before it, no day given
    assert page.count("not reached") == 2  # production, maintenance
    assert "5.1 Integrate data" in page
    assert 'href="https://example.org/report.pdf" rel="noopener noreferrer"' in page
    assert 'href="/topics/record-linkage"' in page
    listed = A.get("/projects?stage=demonstration").get_data(as_text=True)
    assert f'href="/projects/{pid}"' in listed and TODAY_SHOWN in listed
    assert f'href="/projects/{pid}"' not in A.get("/projects?stage=production").get_data(as_text=True)
    assert f'href="/projects/{pid}"' in A.get("/projects?topic=Record+Linkage").get_data(as_text=True)
    assert f'href="/projects/{pid}"' in A.get(f"/projects?organisation={net['organisation']}").get_data(
        as_text=True
    )
    assert A.get("/projects?topic=recrd+linkage").status_code == 404


def test_every_write_is_in_the_history_and_stages_move_both_ways(app, net) -> None:
    A = net["A"]
    pid = made(add(A, day_demonstration="2025-01-10"))  # (before the day it reaches production below)
    (created,) = api_history(app, f"project:{pid}")
    assert created["member"] == "" and created["about"] == [net["a"]]
    assert created["before"] == {} and created["after"]["members"] == [f"{net['a']}:lead"]
    assert created["after"]["topics"] == ["record-linkage"] and created["after"]["stage"] == "demonstration"
    # Forward to production with a day given; then maintenance without one: today.
    assert edit(A, pid, stage="production", day_production="2025-03-01").status_code == 302
    assert edit(A, pid, stage="maintenance").status_code == 302
    page = A.get(f"/projects/{pid}").get_data(as_text=True)
    assert "reached Mar 1, 2025" in page and f"reached {TODAY_SHOWN}" in page
    # Back to demonstration: allowed, recorded; the later stages are no longer reached.
    assert edit(A, pid, stage="demonstration").status_code == 302
    page = A.get(f"/projects/{pid}").get_data(as_text=True)
    assert page.count("not reached") == 2 and "Mar 1, 2025" not in page
    rows = api_history(app, f"project:{pid}")
    assert [r["summary"] for r in rows[1:]] == [
        "project 'Linking the census' moved from demonstration to production",
        "project 'Linking the census' moved from production to maintenance",
        "project 'Linking the census' moved from maintenance to demonstration",
    ]
    assert rows[-1]["before"] == {"stage": "maintenance", "production": "2025-03-01", "maintenance": TODAY}
    assert rows[-1]["after"] == {"stage": "demonstration"}
    # A member added with a role; a topic added: sorted ids and "member-id:role".
    saved = edit(
        A, pid, add_member=net["names"][net["c"]], add_role="data scientist", topics="record linkage; ethics"
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    last = api_history(app, f"project:{pid}")[-1]
    assert last["after"]["members"] == sorted([f"{net['a']}:lead", f"{net['c']}:data scientist"])
    assert last["before"]["topics"] == ["record-linkage"] and last["after"]["topics"] == [
        "ethics",
        "record-linkage",
    ]
    assert set(last["about"]) == {net["a"], net["c"]}
    # Saving the form unchanged writes nothing.
    assert edit(A, pid).status_code == 302
    assert len(api_history(app, f"project:{pid}")) == len(rows) + 1


def test_who_may_add_change_and_delete(app, net, anonymous) -> None:
    A, B, coordinator, nobody = net["A"], net["B"], net["coordinator"], net["nobody"]
    pid = made(add(A))
    # Anyone signed in reads; a visitor is sent to sign in.
    for client in (A, B, coordinator, nobody):
        assert client.get(f"/projects/{pid}").status_code == 200
        assert client.get("/projects").status_code == 200
    assert anonymous.get(f"/projects/{pid}").status_code == 302
    # A member of another project (B has one of their own) may not change or delete this one.
    made(add(B, title="B's own project"))
    token = csrf_token(B, "/projects")
    for url in (f"/projects/{pid}/edit", f"/projects/{pid}/delete"):
        assert B.get(url).status_code == 403
        refused = B.post(url, data={**form(title="taken over"), "confirm": "yes", "csrf_token": token})
        assert refused.status_code == 403 and "members and coordinators" in refused.get_data(as_text=True)
    assert "taken over" not in A.get(f"/projects/{pid}").get_data(as_text=True)
    assert "Change this project" not in B.get(f"/projects/{pid}").get_data(as_text=True)
    # An account tied to no member reads but cannot add; a coordinator adds (without becoming a member).
    assert nobody.get("/projects/new").status_code == 403
    assert "Add a project" not in nobody.get("/projects").get_data(as_text=True)
    theirs = made(add(coordinator, title="Coordinated", your_role=""))
    assert api_history(app, f"project:{theirs}")[0]["after"].get("members") is None
    # The coordinator changes A's project; A adds B, who may then change it.
    assert edit(coordinator, pid, title="Linking the census, again").status_code == 302
    assert edit(A, pid, add_member=net["names"][net["b"]], add_role="reviewer").status_code == 302
    assert B.get(f"/projects/{pid}/edit").status_code == 200
    assert "Change this project" in B.get(f"/projects/{pid}").get_data(as_text=True)


def test_delete_asks_first_and_the_history_keeps_what_it_was(app, net) -> None:
    A = net["A"]
    pid = made(add(A))
    page = A.get(f"/projects/{pid}/delete").get_data(as_text=True)
    assert "Delete the project ‘Linking the census’?" in page
    token = csrf_token(A, f"/projects/{pid}/delete")
    unconfirmed = A.post(f"/projects/{pid}/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 400 and A.get(f"/projects/{pid}").status_code == 200
    gone = A.post(f"/projects/{pid}/delete", data={"csrf_token": token, "confirm": "yes"})
    assert gone.status_code == 302 and A.get(f"/projects/{pid}").status_code == 404
    last = api_history(app, f"project:{pid}")[-1]
    assert last["summary"] == "project 'Linking the census' deleted"
    assert last["after"] == {} and last["before"]["title"] == "Linking the census"
    assert last["before"]["members"] == [f"{net['a']}:lead"]
    # The member and the topic stay; the history page says what happened, in words.
    assert A.get(f"/members/{net['a']}").status_code == 200
    history = net["coordinator"].get("/history?kind=project").get_data(as_text=True)
    assert "project &#39;Linking the census&#39; deleted" in history
    assert "project &#39;Linking the census&#39; added, at the demonstration stage" in history


def test_bad_input_is_said_by_field_keeps_what_was_typed_and_writes_nothing(app, net) -> None:
    A = net["A"]
    before = A.get("/api/projects").get_json()["total"]
    refused = add(
        A,
        title="",
        description="Kept as typed",
        topics="recrd linkage",
        report="javascript:alert(document.cookie)",
        code="ftp://example.org/x",
        add_member="Nobody At All Here",
        add_role="x",
        day_idea="2025-02-30",
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    # (each problem is named by the field's label, as the form shows it)
    assert "Project title: give the project a title." in page
    assert "Did you mean &#39;record linkage&#39;?" in page or "Did you mean 'record linkage'?" in page
    assert "Report: only a public http:// or https:// link" in page
    assert "Code: only a public http:// or https:// link" in page
    assert "there is no member &#39;Nobody At All Here&#39;" in page
    assert "day reached: idea" in page
    assert ">Kept as typed</textarea>" in page and ">recrd linkage</textarea>" in page
    assert 'value="javascript:alert(document.cookie)"' in page  # (kept in the field, never a link)
    assert 'href="javascript:' not in page
    assert A.get("/api/projects").get_json()["total"] == before
    # A member adding a project says what their role is.
    no_role = add(A, your_role="")
    assert (
        no_role.status_code == 400
        and "Your role: say what your role in the project is" in no_role.get_data(as_text=True)
    )


def test_hostile_text_is_shown_as_text(app, net) -> None:
    A = net["A"]
    payload = '<script>alert("x")</script><img src=x onerror="alert(1)">'
    pid = made(add(A, title=payload, description=payload))
    for url in (
        f"/projects/{pid}",
        "/projects",
        f"/members/{net['a']}",
        "/topics/record-linkage",
        f"/projects/{pid}/edit",
    ):
        page = A.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x onerror" not in page, url
        assert "&lt;script&gt;alert" in page, url


def test_emails_only_where_each_member_allows(app, net) -> None:
    A, B, coordinator = net["A"], net["B"], net["coordinator"]
    pid = made(add(A, add_member=net["names"][net["c"]], add_role="analyst"))
    with app.app_context():
        store = get_store()
        store.write(set_consent, net["c"], "coordinators", "yes")
        email_c = store.read(member_profile, net["c"])["email"]
    assert email_c
    assert email_c not in B.get(f"/projects/{pid}").get_data(as_text=True)
    assert "email" not in next(
        m for m in B.get(f"/api/projects/{pid}").get_json()["members"] if m["id"] == net["c"]
    )
    assert email_c not in json.dumps(B.get("/api/projects").get_json())
    assert email_c in coordinator.get(f"/projects/{pid}").get_data(as_text=True)
    assert email_c in json.dumps(coordinator.get(f"/api/projects/{pid}").get_json())
    # Nor can a member find a hidden email out by adding someone by it.
    other = made(add(B, title="Another"))
    refused = edit(B, other, add_member=email_c, add_role="x")
    assert refused.status_code == 400 and "there is no member" in refused.get_data(as_text=True)


def test_forgetting_a_member_drops_them_from_their_projects(app, net) -> None:
    from graphapp.queries.members import forget_member

    A = net["A"]
    pid = made(add(A, add_member=net["names"][net["c"]], add_role="analyst"))
    with app.app_context():
        assert get_store().write(forget_member, net["c"])
    shown = A.get(f"/api/projects/{pid}").get_json()
    assert [m["id"] for m in shown["members"]] == [net["a"]]
    assert shown["title"] == "Linking the census"
    text = json.dumps(api_history(app, f"project:{pid}"))
    assert net["c"] not in text


def test_sections_on_member_organisation_and_topic_pages(app, net) -> None:
    A, B = net["A"], net["B"]
    org = net["organisation"]
    topic_page = A.get("/topics/record-linkage").get_data(as_text=True)
    assert 'id="projects-heading"' in topic_page and "No projects on this topic recorded yet." in topic_page
    assert 'href="/projects/new"' in topic_page
    assert 'href="/projects/new"' not in net["nobody"].get("/topics/record-linkage").get_data(as_text=True)
    first = made(add(A, organisation=org))
    made(add(A, title="Second", organisation=org))
    third = made(add(B, title="Third", stage="production", organisation=org))
    page = A.get("/topics/record-linkage").get_data(as_text=True)
    assert "2 in demonstration, 1 in production" in page
    assert page.index(f'href="/projects/{third}"') < page.index(f'href="/projects/{first}"')  # furthest first
    page = A.get(f"/organisations/{org}").get_data(as_text=True)
    assert "2 in demonstration, 1 in production" in page and f'href="/projects/{first}"' in page
    page = A.get(f"/members/{net['a']}").get_data(as_text=True)
    assert f'href="/projects/{first}">Linking the census</a>, lead' in page
    assert f'href="/projects/{third}"' not in page
    assert "Not in any project yet." in A.get(f"/members/{net['c']}").get_data(as_text=True)
    # The workstream page has its own projects by stage (graphapp/pages/workstreams.py), shown once.
    assert A.get("/workstreams/WS2").get_data(as_text=True).count('id="projects-heading"') == 1


def test_the_api_adds_changes_and_deletes_with_the_pages_rules(app, net) -> None:
    A, B, coordinator = net["A"], net["B"], net["coordinator"]
    token_a, token_b = csrf_token(A, "/me"), csrf_token(B, "/me")
    body = {"title": "By the API", "stage": "idea", "topics": ["Record Linkage"], "role": "lead"}
    assert A.post("/api/projects", json=body).status_code == 400  # (no CSRF token)
    made_ = A.post("/api/projects", json=body, headers={"X-CSRFToken": token_a})
    assert made_.status_code == 200, made_.get_json()
    p = made_.get_json()
    assert (
        p["stage"] == "idea" and p["idea"] == TODAY and [t["id"] for t in p["topics"]] == ["record-linkage"]
    )
    assert [(m["id"], m["role"]) for m in p["members"]] == [(net["a"], "lead")]
    # Refusals, with the pages' words.
    bad = A.post(
        "/api/projects", json={**body, "code": "javascript:alert(1)"}, headers={"X-CSRFToken": token_a}
    )
    assert bad.status_code == 400 and "code" in bad.get_json()["error"]["message"]
    unknown = A.post(
        "/api/projects", json={**body, "topics": ["recrd linkage"]}, headers={"X-CSRFToken": token_a}
    )
    assert (
        unknown.status_code == 404
        and "Did you mean 'record linkage'?" in unknown.get_json()["error"]["message"]
    )
    nobody = net["nobody"]
    refused = nobody.post("/api/projects", json=body, headers={"X-CSRFToken": csrf_token(nobody, "/me")})
    assert refused.status_code == 403 and "not tied to a member" in refused.get_json()["error"]["message"]
    no_role = A.post("/api/projects", json={"title": "x"}, headers={"X-CSRFToken": token_a})
    assert no_role.status_code == 400 and "role" in no_role.get_json()["error"]["message"]
    # Another member may not change or delete it; its member moves it forward; a coordinator deletes it.
    url = f"/api/projects/{p['id']}"
    assert B.patch(url, json={"stage": "production"}, headers={"X-CSRFToken": token_b}).status_code == 403
    assert B.delete(url, headers={"X-CSRFToken": token_b}).status_code == 403
    moved = A.patch(
        url,
        json={"stage": "production", "days": {"idea": "2025-01-02", "demonstration": "2025-01-15"}},
        headers={"X-CSRFToken": token_a},
    )
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["demonstration"], moved.get_json()["production"]) == ("2025-01-15", TODAY)
    assert moved.get_json()["title"] == "By the API"  # (what was not given stays)
    token_c = csrf_token(coordinator, "/me")
    assert coordinator.delete(url, headers={"X-CSRFToken": token_c}).status_code == 200
    assert A.get(url).status_code == 404
    assert coordinator.delete(url, headers={"X-CSRFToken": token_c}).status_code == 404
    summaries = [r["summary"] for r in api_history(app, f"project:{p['id']}")]
    assert summaries == [
        "project 'By the API' added, at the idea stage",
        "project 'By the API' moved from idea to production",
        "project 'By the API' deleted",
    ]
    document = A.get("/api/openapi.json").get_json()
    assert {"get", "post"} <= set(document["paths"]["/api/projects"])
    assert {"get", "patch", "delete"} <= set(document["paths"]["/api/projects/{project}"])


def test_the_command_line_lists_and_shows_projects(app, net, runner) -> None:
    A = net["A"]
    pid = made(add(A, stage="production", day_production="2024-06-01"))
    made(add(A, title="Still an idea", stage="idea"))
    from tests.test_roles import _release

    _release(app)
    listed = runner.invoke("projects", "list", "--stage", "production")
    assert (
        listed.exit_code == 0 and f"{pid}\tLinking the census\tproduction since 2024-06-01" in listed.output
    )
    assert "Still an idea" not in listed.output
    as_json = json.loads(runner.invoke("projects", "list", "--topic", "record linkage", "--json").output)
    assert {p["title"] for p in as_json} == {"Linking the census", "Still an idea"}
    assert all("email" not in m for p in as_json for m in p["members"])
    shown = runner.invoke("projects", "show", pid)
    assert shown.exit_code == 0 and "production: reached 2024-06-01  <- now" in shown.output
    assert "maintenance: not reached" in shown.output and "domain: 5.1 Integrate data" in shown.output
    assert json.loads(runner.invoke("projects", "show", pid, "--json").output)["id"] == pid
    missing = runner.invoke("projects", "show", "p-nothing")
    assert missing.exit_code == 1 and "no project with the id 'p-nothing'" in missing.output
    bad_topic = runner.invoke("projects", "list", "--topic", "recrd linkage")
    assert bad_topic.exit_code == 1 and "Did you mean 'record linkage'?" in bad_topic.output


def test_the_api_document_allows_exactly_the_days_of_the_calendar() -> None:
    """The OpenAPI document's pattern for a stage's day is the app's own check: every day of the calendar
    (29 February in leap years only), and nothing else, so that a request the document allows is taken."""
    from datetime import date, timedelta

    from graphapp.params import _DAY_OR_NOTHING

    pattern = re.compile(_DAY_OR_NOTHING)
    day = date(1890, 1, 1)
    while day < date(2410, 1, 1):
        assert pattern.fullmatch(day.isoformat()), day
        day += timedelta(days=1)
    for wrong in (
        "2023-02-29",
        "1900-02-29",
        "2100-02-29",
        "2025-04-31",
        "2025-13-01",
        "0000-01-01",
        "2025-1-5",
    ):
        assert not pattern.fullmatch(wrong), wrong
    assert pattern.fullmatch("2000-02-29") and pattern.fullmatch("")


# --- Issue 14 §1, the reviewer's findings -------------------------------------------------------------

LONG_TITLE = (
    "Classifying occupations and industries from the free text of the census and the labour force survey"
)


def _projects_titled(app: Any, title: str) -> list[dict[str, Any]]:
    from graphapp.queries.projects import projects_of

    with app.app_context():
        return [p for p in get_store().read(projects_of) if p["title"] == title]


def test_a_long_title_is_the_same_project_on_the_web_and_in_an_import(app, net, tmp_path) -> None:
    from tests.helpers import write_csv

    pid = made(add(net["A"], title=LONG_TITLE, organisation=net["organisation"]))
    row = {"title": LONG_TITLE, "organisation": net["organisation"], "stage": "production"}
    with app.app_context():
        import_files(get_store(), [write_csv(tmp_path / "projects.csv", [row])])
    found = _projects_titled(app, LONG_TITLE)
    assert [(p["id"], p["stage"]) for p in found] == [(pid, "production")]
    assert [m["id"] for m in found[0]["members"]] == [net["a"]]  # (the file has no members column)
    # A second project with the title, on the web: an id of its own, as before.
    again = made(add(net["B"], title=LONG_TITLE))
    assert again == f"{pid}-2"


def test_an_import_row_with_another_organisations_title_is_a_problem(app, net, tmp_path) -> None:
    from graphapp.ingest import ImportRejected
    from tests.helpers import write_csv

    pid = made(add(net["A"], organisation=net["organisation"]))
    with app.app_context():
        store = get_store()
        other = next(
            o
            for o in store.read(lambda tx: tx.run("MATCH (o:Organisation) RETURN o.id AS id, o.name AS name"))
            if o["id"] != net["organisation"]
        )
        mine = store.read(
            lambda tx: tx.run(
                "MATCH (o:Organisation {id: $id}) RETURN o.name AS name", id=net["organisation"]
            )
        )[0]["name"]
        row = {
            "title": "Linking the census",
            "organisation": other["name"],
            "members": "",
            "stage": "demonstration",
        }
        path = write_csv(tmp_path / "projects.csv", [row])
        with pytest.raises(ImportRejected) as rejected:
            import_files(store, [path])
        [problem] = rejected.value.problems
        assert (problem.file, problem.row, problem.column) == ("projects.csv", "row 2", "title")
        assert problem.reason == f"a project of {mine} has this title: give an id to tell them apart"
        # With an id of its own, it is another project, and the first keeps its members.
        import_files(store, [write_csv(tmp_path / "projects.csv", [{**row, "id": "p-census-2"}])])
    both = {p["id"]: p for p in _projects_titled(app, "Linking the census")}
    assert set(both) == {pid, "p-census-2"}
    assert [m["id"] for m in both[pid]["members"]] == [net["a"]]
    assert both[pid]["organisation"]["id"] == net["organisation"]


def test_stage_days_must_follow_the_journey_and_not_be_in_the_future(app, net) -> None:
    A = net["A"]
    token = csrf_token(A, "/me")
    body = {"title": "Out of order", "stage": "demonstration", "role": "lead"}
    before = A.get("/api/projects").get_json()["total"]
    backwards = A.post(
        "/api/projects",
        json={**body, "days": {"idea": "2025-03-01", "demonstration": "2025-01-01"}},
        headers={"X-CSRFToken": token},
    )
    assert backwards.status_code == 409  # (well-written days that do not follow the journey)
    assert "days.demonstration: " in backwards.get_json()["error"]["message"]
    assert "before the day it reached idea (2025-03-01)" in backwards.get_json()["error"]["message"]
    future = A.post(
        "/api/projects", json={**body, "days": {"idea": "2999-01-01"}}, headers={"X-CSRFToken": token}
    )
    assert future.status_code == 409
    assert (
        f"days.idea: the day idea was reached, 2999-01-01, is after today ({TODAY})"
        in future.get_json()["error"]["message"]
    )
    # The form says it by field too.
    page = add(A, day_idea="2999-01-01").get_data(as_text=True)
    assert "day reached: idea" in page and "is after today" in page
    assert A.get("/api/projects").get_json()["total"] == before
    # Moving a project forward checks the days it already has against the new ones.
    pid = A.post(
        "/api/projects", json={**body, "days": {"idea": "2025-03-01"}}, headers={"X-CSRFToken": token}
    )
    assert pid.status_code == 200, pid.get_json()
    moved = A.patch(
        f"/api/projects/{pid.get_json()['id']}",
        json={"stage": "production", "days": {"production": "2024-01-01"}},
        headers={"X-CSRFToken": token},
    )
    assert moved.status_code == 409 and "days.production: " in moved.get_json()["error"]["message"]


def test_only_a_coordinator_leaves_a_project_without_members(app, net) -> None:
    A, coordinator = net["A"], net["coordinator"]
    token = csrf_token(A, "/me")
    p = A.post("/api/projects", json={"title": "Orphan", "role": "lead"}, headers={"X-CSRFToken": token})
    url = f"/api/projects/{p.get_json()['id']}"
    emptied = A.patch(url, json={"members": []}, headers={"X-CSRFToken": token})
    assert emptied.status_code == 400
    assert "members: a project needs at least one member" in emptied.get_json()["error"]["message"]
    assert [m["id"] for m in A.get(url).get_json()["members"]] == [net["a"]]
    by_coordinator = coordinator.patch(
        url, json={"members": []}, headers={"X-CSRFToken": csrf_token(coordinator, "/me")}
    )
    assert by_coordinator.status_code == 200 and by_coordinator.get_json()["members"] == []


def test_a_member_is_found_by_name_as_the_store_compares_names(app, net) -> None:
    """A name with ß: Python's casefold() makes it "ss", Cypher's toLower keeps it; both sides compare alike."""
    with app.app_context():
        get_store().write(
            lambda tx: tx.run(
                "MATCH (m:Member {id: $id}) SET m.name = $name", id=net["b"], name="Jürgen Großmann"
            )
        )
    A = net["A"]
    pid = made(add(A, add_member="jürgen großmann", add_role="analyst"))
    members = A.get(f"/api/projects/{pid}").get_json()["members"]
    assert sorted((m["id"], m["role"]) for m in members) == sorted(
        [(net["a"], "lead"), (net["b"], "analyst")]
    )
    # Saving it again keeps both, its members read by id.
    assert edit(A, pid, title="Linking the census again").status_code == 302
    assert sorted(m["id"] for m in A.get(f"/api/projects/{pid}").get_json()["members"]) == sorted(
        [net["a"], net["b"]]
    )

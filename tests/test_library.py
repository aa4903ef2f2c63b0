"""Shared resources (issue 14 §4), on both stores: sharing, editing and removing from the pages and the API,
who may, the refusals (a link that is not http(s), a link already held, a topic not known), hostile titles
shown as text, a topic's resources beside its people, forgetting the sharer, the history and the CLI."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from graphapp.db import get_store
from graphapp.demo import DEMO_NETWORK_FILES
from graphapp.ingest import import_files
from graphapp.queries.history import changes
from graphapp.queries.library import resources_of
from graphapp.queries.members import MemberFilter, member_ids
from tests.helpers import csrf_token, signed_in

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def net(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo network, two members of record linkage with accounts, a coordinator with a profile, one
    with none, and a member account with no profile."""
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_NETWORK_FILES)
        ana, ben, cora = store.read(member_ids, MemberFilter(topic="record-linkage"))[:3]
    return {
        "ana": ana,
        "ben": ben,
        "sharer": signed_in(app, "ana@example.org", "member", ana),
        "other": signed_in(app, "ben@example.org", "member", ben),
        "coordinator": signed_in(app, "cora@example.org", "coordinator", cora),
        "bare_coordinator": signed_in(app, "dan@example.org", "coordinator"),
        "no_profile": signed_in(app, "eve@example.org", "member"),
        "store": store,
    }


def _form(**changes: str) -> dict[str, str]:
    return {
        "title": "A guide to record linkage",
        "url": "https://example.org/guides/linkage",
        "kind": "document",
        "language": "fr",
        "topics": "record linkage",
        "workstream": "",
        "description": "How three offices link their registers.",
        **changes,
    }


def _share(client: Any, **changes: str) -> Any:
    token = csrf_token(client, "/resources/new")
    return client.post("/resources/new", data={**_form(**changes), "csrf_token": token})


def _held(net: dict[str, Any]) -> list[dict[str, Any]]:
    return net["store"].read(resources_of)


def _resource_changes(net: dict[str, Any]) -> list[dict[str, Any]]:
    return net["store"].read(changes, kind="resource")


def test_a_member_shares_a_resource_and_it_shows_on_the_resources_topic_and_member_pages(net) -> None:
    response = _share(net["sharer"], workstream="ws1")
    assert response.status_code == 302
    [held] = _held(net)
    assert held["title"] == "A guide to record linkage" and held["language"] == "fr"
    assert [t["id"] for t in held["topics"]] == ["record-linkage"]
    assert held["workstream"]["id"] == "WS1" and held["shared_by"]["id"] == net["ana"]

    page = net["other"].get("/resources").get_data(as_text=True)
    assert 'href="https://example.org/guides/linkage" rel="noopener noreferrer"' in page
    assert "French" in page and "document" in page
    assert f'href="/members/{net["ana"]}"' in page
    assert "@example.org" not in page.split("<main", 1)[1]  # (the sharer by name, never their email)

    topic = net["other"].get("/topics/record-linkage").get_data(as_text=True)
    resources_at = topic.index('id="topic-resources-heading"')
    assert 'class="side-by-side"' in topic and resources_at < topic.index("Who is there")
    assert "A guide to record linkage" in topic and "<h3>Documents</h3>" in topic

    profile = net["other"].get(f"/members/{net['ana']}").get_data(as_text=True)
    assert 'id="shared-heading"' in profile and "A guide to record linkage" in profile

    [change] = _resource_changes(net)
    assert change["subject"] == f"resource:{held['id']}" and change["about"] == [net["ana"]]
    assert json.loads(change["after"])["topics"] == ["record-linkage"]
    assert change["member"] == ""


def test_filters_find_by_topic_kind_language_and_workstream(net) -> None:
    _share(net["sharer"], workstream="WS1")
    _share(
        net["sharer"], title="Code for linkage", url="https://example.org/code", kind="code", language="en"
    )
    client = net["other"]
    for query, titles in {
        "kind=code": ["Code for linkage"],
        "language=fr": ["A guide to record linkage"],
        "workstream=WS1": ["A guide to record linkage"],
        "topic=Record+Linkage": ["Code for linkage", "A guide to record linkage"],
        "topic=ethics": [],
    }.items():
        page = client.get(f"/resources?{query}").get_data(as_text=True)
        found = re.findall(r'<a class="title" href="[^"]+" rel="noopener noreferrer">([^<]+)</a>', page)
        assert sorted(found) == sorted(titles), query
    unknown = client.get("/resources?topic=record+linkagge")
    assert unknown.status_code == 404 and "Did you mean" in unknown.get_data(as_text=True)
    assert client.get("/resources?kind=film").status_code == 400


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"url": "javascript:alert(1)"}, "url must be a link starting with http:// or https://"),
        ({"url": "ftp://example.org/file"}, "url must be a link starting with http:// or https://"),
        ({"topics": "record linkagge"}, "Did you mean &#39;record linkage&#39;"),
        ({"topics": ""}, "topics"),
        ({"title": "   "}, "title must not be empty"),
        ({"workstream": "WS99"}, "there is no workstream"),
    ],
)
def test_a_form_that_cannot_be_used_says_why_and_keeps_what_was_typed(net, changes, words) -> None:
    response = _share(net["sharer"], **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and words in page, page
    assert "How three offices link their registers." in page  # (kept)
    assert _held(net) == [] and _resource_changes(net) == []


def test_a_link_already_held_is_refused_naming_the_resource_that_holds_it(net) -> None:
    _share(net["sharer"])
    [held] = _held(net)
    again = _share(net["other"], url="HTTP://Example.org/guides/linkage/#top", title="Same again")
    page = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "this link is shared already, as &#39;A guide to record linkage&#39;" in page
    assert f'href="/resources#resource-{held["id"]}"' in page
    assert len(_held(net)) == 1


def test_a_copy_of_a_link_held_twice_can_still_be_edited(net) -> None:
    """Two resources with one link (made before imports compared links) each stay editable: an edit that
    keeps the link does not check it against the other copy."""
    for held in ("r-copy-1", "r-copy-2"):
        net["store"].write(
            lambda tx, held=held: tx.run(
                "CREATE (r:Resource {id: $id}) SET r.title = $id, r.url = 'https://example.org/guides/linkage', "
                "r.kind = 'document', r.language = 'en', r.description = '', r.added = '2026-01-01'",
                id=held,
            )
        )
    edit = "/resources/r-copy-1/edit"
    token = csrf_token(net["coordinator"], edit)
    saved = net["coordinator"].post(edit, data={**_form(title="Renamed copy"), "csrf_token": token})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert {r["title"] for r in _held(net)} == {"Renamed copy", "r-copy-2"}


def test_a_link_edited_after_sharing_is_still_held(net) -> None:
    """The link check finds a link whose resource was shared with another (its id is not that link's)."""
    _share(net["sharer"])
    [held] = _held(net)
    edit = f"/resources/{held['id']}/edit"
    token = csrf_token(net["sharer"], edit)
    moved = net["sharer"].post(edit, data={**_form(url="https://example.org/moved"), "csrf_token": token})
    assert moved.status_code == 302
    again = _share(net["other"], url="https://example.org/moved/", title="Same again")
    assert again.status_code == 409 and len(_held(net)) == 1


def test_hostile_titles_and_descriptions_are_shown_as_text(net) -> None:
    _share(net["sharer"], title=HOSTILE, description=HOSTILE)
    for url in ("/resources", "/topics/record-linkage", f"/members/{net['ana']}"):
        page = net["other"].get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert" in page, url


def test_a_held_link_that_is_not_http_is_never_a_link(net) -> None:
    """A resource written by something other than the form (an import, say) with a ``javascript:`` link is
    shown by its title only."""
    net["store"].write(
        lambda tx: tx.run(
            "CREATE (r:Resource {id: 'r-bad'}) SET r.title = 'Bad link', r.url = 'javascript:alert(1)', "
            "r.kind = 'document', r.language = 'en', r.description = '', r.added = '2026-01-01'"
        )
    )
    net["store"].write(
        lambda tx: tx.run(
            "MATCH (r:Resource {id: 'r-bad'}) MATCH (t:Topic {id: 'record-linkage'}) CREATE (r)-[:ABOUT]->(t)"
        )
    )
    for url in ("/resources", "/topics/record-linkage"):
        page = net["other"].get(url).get_data(as_text=True)
        assert "Bad link" in page and "javascript:" not in page, url


def test_who_may_share_edit_and_remove(net) -> None:
    assert net["no_profile"].get("/resources/new").status_code == 403
    token = csrf_token(net["no_profile"], "/resources")
    refused = net["no_profile"].post("/resources/new", data={**_form(), "csrf_token": token})
    assert refused.status_code == 403 and _held(net) == []

    assert _share(net["bare_coordinator"], url="https://example.org/by-coordinator").status_code == 302
    assert _share(net["sharer"]).status_code == 302
    mine = next(r for r in _held(net) if r["shared_by"])
    edit = f"/resources/{mine['id']}/edit"

    assert net["other"].get(edit).status_code == 403
    token = csrf_token(net["other"], "/resources")
    assert net["other"].post(edit, data={**_form(title="Mine now"), "csrf_token": token}).status_code == 403
    assert net["other"].post(f"/resources/{mine['id']}/remove", data={"csrf_token": token}).status_code == 403
    page = net["other"].get("/resources").get_data(as_text=True)
    assert edit not in page  # (no link to what they may not do)

    assert net["sharer"].get(edit).status_code == 200
    token = csrf_token(net["sharer"], edit)
    saved = net["sharer"].post(edit, data={**_form(title="A better guide"), "csrf_token": token})
    assert saved.status_code == 302
    token = csrf_token(net["coordinator"], edit)
    saved = net["coordinator"].post(edit, data={**_form(title="A coordinator's title"), "csrf_token": token})
    assert saved.status_code == 302
    assert net["store"].read(resources_of, member=net["ana"])[0]["title"] == "A coordinator's title"
    assert (
        net["coordinator"].post(f"/resources/{mine['id']}/remove", data={"csrf_token": token}).status_code
        == 302
    )
    assert [r["url"] for r in _held(net)] == ["https://example.org/by-coordinator"]
    assert net["sharer"].get(edit).status_code == 404

    summaries = [c["summary"] for c in _resource_changes(net)]
    assert sorted(summaries) == sorted(
        ["resource shared", "resource shared", "resource changed", "resource changed", "resource removed"]
    )


def test_an_edit_keeps_the_link_check_and_records_only_what_changed(net) -> None:
    _share(net["sharer"])
    _share(net["sharer"], url="https://example.org/other", title="Other")
    first = next(r for r in _held(net) if r["title"] != "Other")
    edit = f"/resources/{first['id']}/edit"
    token = csrf_token(net["sharer"], edit)
    clash = net["sharer"].post(edit, data={**_form(url="https://example.org/other/"), "csrf_token": token})
    assert clash.status_code == 409 and "as &#39;Other&#39;" in clash.get_data(as_text=True)
    net["sharer"].post(
        edit, data={**_form(kind="course", topics="record linkage; ethics"), "csrf_token": token}
    )
    change = _resource_changes(net)[0]  # (newest first)
    assert change["summary"] == "resource changed"
    assert json.loads(change["before"]) == {"kind": "document", "topics": ["record-linkage"]}
    assert json.loads(change["after"]) == {"kind": "course", "topics": ["ethics", "record-linkage"]}


def test_the_topic_page_offers_sharing_and_its_empty_state(app, net) -> None:
    page = net["sharer"].get("/topics/ethics").get_data(as_text=True)
    assert "No resource has been shared on this topic yet." in page
    assert 'href="/resources/new?topic=ethics"' in page
    form = net["sharer"].get("/resources/new?topic=ethics").get_data(as_text=True)
    assert re.search(r'id="topics" name="topics" value="ethics"', form), form
    bare = net["no_profile"].get("/topics/ethics").get_data(as_text=True)
    assert "No resource has been shared" in bare and "/resources/new" not in bare
    app.config["GRAPHAPP_PUBLIC"] = "1"
    public = app.test_client().get("/topics/ethics").get_data(as_text=True)
    assert "topic-resources-heading" not in public and "Who is there" in public  # (members only)


def _api(client: Any, method: str, url: str, body: Any = None) -> Any:
    token = csrf_token(client, "/resources")
    return client.open(url, method=method, json=body, headers={"X-CSRFToken": token})


def test_the_api_shares_lists_edits_and_removes_with_the_same_rules(net) -> None:
    body = {
        "title": "Linkage course",
        "url": "https://example.org/course",
        "kind": "course",
        "language": "ru",
        "topics": ["Record Linkage"],
        "workstream": "ws1",
    }
    made = _api(net["sharer"], "POST", "/api/resources", body)
    assert made.status_code == 200, made.get_json()
    resource = made.get_json()
    assert resource["workstream"]["id"] == "WS1" and resource["shared_by"]["id"] == net["ana"]

    listed = net["other"].get("/api/resources?language=ru&topic=record-linkage").get_json()
    assert [r["id"] for r in listed["items"]] == [resource["id"]] and listed["filters"]["language"] == "ru"
    assert net["other"].get("/api/resources?topic=linkagge").status_code == 404
    assert net["other"].get(f"/api/resources/{resource['id']}").get_json()["title"] == "Linkage course"
    assert net["other"].get("/api/resources/r-nothing").status_code == 404

    for wrong, status, words in [
        ({**body, "url": "javascript:alert(1)"}, 400, "url must be a link starting with http:// or https://"),
        (
            {**body, "url": "https://EXAMPLE.org/course/"},
            409,
            "this link is shared already, as 'Linkage course'",
        ),
        (
            {**body, "url": "https://example.org/x", "topics": ["linkagge"]},
            404,
            "is not a topic of the network",
        ),
        ({**body, "url": "https://example.org/x", "language": "xx"}, 400, "language must be one of"),
    ]:
        answer = _api(net["other"], "POST", "/api/resources", wrong)
        assert answer.status_code == status and words in answer.get_json()["error"]["message"], (
            answer.get_json()
        )
    no_token = net["other"].post("/api/resources", json=body)
    assert no_token.status_code == 400

    url = f"/api/resources/{resource['id']}"
    assert _api(net["other"], "PATCH", url, {"title": "Mine"}).status_code == 403
    assert _api(net["other"], "DELETE", url).status_code == 403
    changed = _api(net["sharer"], "PATCH", url, {"title": "Linkage course, 2nd edition", "workstream": ""})
    assert changed.status_code == 200 and changed.get_json()["workstream"] is None
    assert _api(net["coordinator"], "DELETE", url).get_json()["title"] == "Linkage course, 2nd edition"
    assert _held(net) == []
    assert _api(net["no_profile"], "POST", "/api/resources", body).status_code == 403


def _release(app: Any) -> None:
    """Close the app's store before a command writes to its embedded file (one handle at a time: two in
    one process would not see each other); the next request opens it again."""
    from graphapp.db import KEY, READY

    if app.extensions.get(KEY) is not None:
        app.extensions[KEY].close()
    app.extensions[KEY] = None
    app.extensions[READY] = False


def _now_held(app: Any) -> list[dict[str, Any]]:
    with app.app_context():
        return get_store().read(resources_of)


def test_forgetting_the_sharer_keeps_the_resource_shown_as_a_former_members(app, net, runner) -> None:
    _share(net["sharer"], title="Kept after forgetting")
    _release(app)
    done = runner.invoke("forget", net["ana"])
    assert done.exit_code == 0, done.output
    listed = runner.invoke("resources", "list", "--json")
    assert json.loads(listed.output)[0]["shared_by"] is None
    [held] = _now_held(app)
    assert held["title"] == "Kept after forgetting" and held["shared_by"] is None
    page = net["other"].get("/resources").get_data(as_text=True)
    item = page[page.index("Kept after forgetting") :]
    assert "<small>Added " in item[: item.index("</li>")] and "Shared by" not in item[: item.index("</li>")]
    with app.app_context():
        shared = get_store().read(changes, kind="resource")
    assert shared and all(
        net["ana"] not in (c["about"] or []) and net["ana"] not in c["after"] for c in shared
    )


def test_the_cli_lists_resources_by_topic(app, net, runner) -> None:
    _share(net["sharer"])
    _share(net["sharer"], url="https://example.org/ethics", title="On ethics", topics="ethics")
    _release(app)
    text = runner.invoke("resources", "list", "--topic", "Record Linkage")
    assert text.exit_code == 0 and "A guide to record linkage [document, French]" in text.output
    assert "On ethics" not in text.output
    as_json = json.loads(runner.invoke("resources", "list", "--json").output)
    assert {r["title"] for r in as_json} == {"A guide to record linkage", "On ethics"}
    from click.testing import CliRunner

    from graphapp.cli import cli

    unknown = CliRunner().invoke(cli, ["resources", "list", "--topic", "record linkagge"])
    assert unknown.exit_code == 1 and "Did you mean" in unknown.output

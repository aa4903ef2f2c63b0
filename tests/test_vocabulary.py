"""Coordinators keep the vocabulary (issue 13), on both stores: rename (the old name stays an alias), alias,
describe, retire and merge topics and organisations; each one transaction, in the history with before and
after, refused with a clear message (and nothing written) when a name is taken; the merged interest counts
in suggestions and the retired topic is no gap; the pages, the CLI and the API."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from graphapp import reports, vocabulary
from graphapp.db import get_store
from graphapp.ingest import import_files
from graphapp.introductions import Refused
from graphapp.queries import history
from graphapp.queries.vocabulary import topic_vocabulary
from tests.helpers import csrf_token, graph, member, signed_in, write_csv


def network_files(folder: Path) -> list[Path]:
    """A small network with a misspelt topic ("recrd linkage") beside the right one, and one organisation
    entered twice ("Stat Can" beside "Statistics Canada")."""
    topics = write_csv(
        folder / "topics.csv",
        [
            {"id": "record-linkage", "name": "record linkage", "aliases": "entity resolution"},
            {"id": "recrd-linkage", "name": "recrd linkage", "aliases": "rec link"},
            {"id": "satellite-imagery", "name": "satellite imagery", "aliases": ""},
            {"id": "ethics", "name": "ethics", "aliases": ""},
        ],
    )
    organisations = write_csv(
        folder / "organisations.csv",
        [
            {
                "id": "ons",
                "name": "Office for National Statistics",
                "kind": "NSO",
                "country": "GBR",
                "aliases": "",
            },
            {"id": "statcan", "name": "Statistics Canada", "kind": "NSO", "country": "CAN", "aliases": ""},
            {"id": "stat-can", "name": "Stat Can", "kind": "NSO", "country": "CAN", "aliases": ""},
        ],
    )
    workstreams = write_csv(
        folder / "workstreams.csv",
        [
            {"id": "WS1", "name": "Linkage", "description": "", "covers": "recrd linkage"},
            {"id": "WS2", "name": "Both", "description": "", "covers": "record linkage; recrd linkage"},
        ],
    )
    members = write_csv(
        folder / "members.csv",
        [
            member(
                "Ben Example",
                "ben@example.org",
                organisation="Office for National Statistics",
                topics="record linkage:learning; recrd linkage:expert",
            ),
            member(
                "Cleo Example",
                "cleo@example.org",
                organisation="Statistics Canada",
                topics="record linkage:expert; recrd linkage:learning",
            ),
            member(
                "Dan Example", "dan@example.org", organisation="Stat Can", topics="recrd linkage:practising"
            ),
            member(
                "Eve Example",
                "eve@example.org",
                organisation="Stat Can",
                topics="record linkage:practising; satellite imagery:expert",
            ),
            member(
                "Fay Example", "fay@example.org", organisation="Statistics Canada", topics="ethics:expert"
            ),
        ],
    )
    return [organisations, topics, workstreams, members]


@pytest.fixture
def net(store, tmp_path) -> Any:
    import_files(store, network_files(tmp_path))
    return store


def ids(store: Any) -> dict[str, str]:
    """Each member's id, by first name."""
    rows = store.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id, m.name AS name"))
    return {r["name"].split()[0]: r["id"] for r in rows}


def interests(store: Any) -> dict[str, dict[str, str]]:
    """Who holds which topic at which level, by first name, read straight from the graph."""
    rows = store.read(
        lambda tx: tx.run(
            "MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic) RETURN m.name AS name, t.id AS topic, r.level AS level"
        )
    )
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r["name"].split()[0], {})[r["topic"]] = r["level"]
    return out


def changes(tx: Any, **filters: Any) -> list[dict[str, Any]]:
    """The history's changes (with a limit: without one, LadybugDB refuses the statement of
    :func:`graphapp.queries.history.changes`, "ORDER BY must be followed by SKIP or LIMIT")."""
    return history.changes(tx, limit=100_000, **filters)


def topic(store: Any, topic_id: str) -> dict[str, Any] | None:
    return next((t for t in store.read(topic_vocabulary) if t["id"] == topic_id), None)


# --- Merging topics ---------------------------------------------------------------------------------------


def test_a_merge_moves_every_interest_keeping_the_higher_level(net) -> None:
    before = graph(net)
    plan = net.read(vocabulary.plan_merge, "topic", "Recrd Linkage", "record-linkage")
    assert plan.summary() == (
        "3 interests of 3 members move to record linkage; 2 members held both: the higher level is kept; "
        "1 workstream now covers record linkage; 'recrd linkage' becomes another name for record linkage, and recrd linkage is removed"
    )
    assert graph(net) == before  # (the plan wrote nothing)
    assert topic(net, "recrd-linkage") is not None

    net.write(vocabulary.merge, "topic", "Recrd Linkage", "record-linkage")

    assert interests(net) == {
        "Ben": {"record-linkage": "expert"},  # held both: learning here, expert in the merged one
        "Cleo": {"record-linkage": "expert"},  # held both: expert here, learning there
        "Dan": {"record-linkage": "practising"},  # held the merged one only
        "Eve": {"record-linkage": "practising", "satellite-imagery": "expert"},
        "Fay": {"ethics": "expert"},
    }
    assert topic(net, "recrd-linkage") is None
    kept = topic(net, "record-linkage")
    assert kept is not None
    assert kept["aliases"] == ["entity resolution", "rec link", "recrd linkage"]
    assert kept["covered_by"] == ["WS1", "WS2"]  # WS1's cover moved; WS2 covered both and covers it once
    assert (kept["expert"], kept["practising"], kept["learning"]) == (2, 2, 0)


def test_after_a_merge_the_old_name_finds_the_kept_topic_on_import(net, tmp_path) -> None:
    net.write(vocabulary.merge, "topic", "recrd linkage", "record linkage")
    again = tmp_path / "again"
    again.mkdir()
    write_csv(
        again / "members.csv", [member("Gus Example", "gus@example.org", topics="Recrd-Linkage:learning")]
    )
    import_files(net, [again / "members.csv"])
    assert interests(net)["Gus"] == {"record-linkage": "learning"}
    assert topic(net, "recrd-linkage") is None


def test_the_suggestions_after_a_merge_count_the_merged_interest(net) -> None:
    people = ids(net)

    def peers_of(who: str) -> dict[str, list[str]]:
        found = net.read(reports.suggest_peers, people[who], mode="all", exclude_own_organisation=False)
        # Those who share a topic (people two steps away, who share none, are a kind of their own).
        return {s.id: sorted(t.topic for t in s.shared_topics) for s in found.suggestions if s.shared_topics}

    before = peers_of("Dan")  # Dan holds only the misspelt topic
    assert people["Eve"] not in before  # Eve holds only the right one: nothing in common yet
    net.write(vocabulary.merge, "topic", "recrd linkage", "record linkage")
    after = peers_of("Dan")
    assert after[people["Eve"]] == ["record-linkage"]
    assert after[people["Ben"]] == after[people["Cleo"]] == ["record-linkage"]


def test_the_history_has_each_change_of_a_merge_with_before_and_after(net) -> None:
    people = ids(net)
    with history.acting_as("cli:tester"):
        net.write(vocabulary.merge, "topic", "recrd linkage", "record linkage")
    recorded = net.read(changes, kind="topic")
    assert len({c["batch"] for c in recorded}) == 1 and recorded[0]["batch"]
    by_subject = {c["subject"]: history.values(c) for c in recorded}
    assert by_subject[f"member:{people['Ben']}"] == (
        {"topics": ["record-linkage:learning", "recrd-linkage:expert"]},
        {"topics": ["record-linkage:expert"]},
    )
    assert by_subject[f"member:{people['Cleo']}"] == (
        {"topics": ["record-linkage:expert", "recrd-linkage:learning"]},
        {"topics": ["record-linkage:expert"]},
    )
    assert by_subject[f"member:{people['Dan']}"] == (
        {"topics": ["recrd-linkage:practising"]},
        {"topics": ["record-linkage:practising"]},
    )
    assert f"member:{people['Eve']}" not in by_subject  # (her interests did not move)
    assert by_subject["topic:recrd-linkage"] == ({"name": "recrd linkage", "aliases": ["rec link"]}, {})
    assert by_subject["topic:record-linkage"] == (
        {"aliases": ["entity resolution"]},
        {"aliases": ["entity resolution", "rec link", "recrd linkage"]},
    )
    assert by_subject["workstream:WS1"] == ({"covers": ["recrd-linkage"]}, {"covers": ["record-linkage"]})
    # Each member's change is filed under the member ("who changed this field?" reads it so).
    dan = net.read(changes, member=people["Dan"], kind="topic")
    assert [c["fields"] for c in dan] == [["topics"]]
    assert all(c["by"] == "cli:tester" for c in recorded)


@pytest.mark.parametrize(
    ("merged", "kept", "message"),
    [
        ("recrd linkage", "Recrd-Linkage", "are the same topic: there is nothing to merge"),
        ("rec link", "recrd linkage", "are the same topic"),  # (an alias of it)
        (
            "recrd linkage",
            "record linkge",
            "There is no topic named 'record linkge'. Did you mean 'record linkage'",
        ),
        ("ethics", "astrophysics", "There is no topic named 'astrophysics'."),
    ],
)
def test_a_merge_that_cannot_be_done_is_refused_and_writes_nothing(net, merged, kept, message) -> None:
    before = graph(net)
    with pytest.raises(Refused) as refused:
        net.write(vocabulary.merge, "topic", merged, kept)
    assert message in refused.value.message
    assert graph(net) == before


def test_a_merge_into_a_retired_topic_is_refused(net) -> None:
    net.write(vocabulary.retire, "ethics")
    before = graph(net)
    with pytest.raises(Refused, match="is retired: put it back in use"):
        net.write(vocabulary.merge, "topic", "satellite imagery", "ethics")
    assert graph(net) == before


def test_two_coordinators_cannot_give_one_name_to_two_topics_at_once(net) -> None:
    """The first change holds the vocabulary until it commits; the second, started meanwhile, waits, then
    sees the name taken and is refused (without the hold it would not see the first's uncommitted alias)."""
    first_inside, let_first_commit = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def first(tx: Any) -> None:
        vocabulary.add_alias(tx, "topic", "ethics", "Trustworthy AI")
        first_inside.set()
        assert let_first_commit.wait(60)

    def second() -> None:
        try:
            outcome["second"] = net.write(
                vocabulary.add_alias, "topic", "satellite imagery", "trustworthy ai"
            )
        except Refused as e:
            outcome["second"] = e.message

    one = threading.Thread(target=lambda: net.write(first))
    one.start()
    assert first_inside.wait(60)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(1.0)  # (the second is waiting for the first's hold by now)
    let_first_commit.set()
    one.join(60)
    two.join(60)
    assert outcome["second"] == "'trustworthy ai' already names the topic 'ethics'."
    satellite = topic(net, "satellite-imagery")
    assert satellite is not None and satellite["aliases"] == []


# --- Renaming, aliases, descriptions ------------------------------------------------------------------------


def test_a_rename_keeps_the_old_name_as_an_alias_and_is_in_the_history(net) -> None:
    net.write(vocabulary.rename, "topic", "satellite imagery", "Earth observation")
    renamed = topic(net, "satellite-imagery")
    assert renamed is not None
    assert (renamed["name"], renamed["aliases"]) == ("Earth observation", ["satellite imagery"])
    [change] = net.read(changes, kind="topic")
    assert change["subject"] == "topic:satellite-imagery" and change["member"] == ""
    assert history.values(change) == (
        {"name": "satellite imagery", "aliases": []},
        {"name": "Earth observation", "aliases": ["satellite imagery"]},
    )
    # Renaming back to a name it already has as an alias drops that alias.
    net.write(vocabulary.rename, "topic", "earth observation", "Satellite Imagery")
    again = topic(net, "satellite-imagery")
    assert again is not None and (again["name"], again["aliases"]) == (
        "Satellite Imagery",
        ["Earth observation"],
    )


@pytest.mark.parametrize(
    ("action", "args", "message"),
    [
        (
            vocabulary.rename,
            ("topic", "ethics", "Record Linkage"),
            "'Record Linkage' already names the topic 'record linkage'.",
        ),
        (
            vocabulary.add_alias,
            ("topic", "ethics", "Récord-linkage!"),
            "already names the topic 'record linkage'",
        ),
        (
            vocabulary.add_alias,
            ("topic", "ethics", "REC LINK"),
            "'REC LINK' already names the topic 'recrd linkage'.",
        ),
        (
            vocabulary.add_alias,
            ("organisation", "ons", "statistics canada"),
            "already names the organisation 'Statistics Canada'",
        ),
        (vocabulary.rename, ("topic", "ethics", "   "), "The new name cannot be empty."),
        (
            vocabulary.remove_alias,
            ("topic", "ethics", "AI ethics"),
            "'AI ethics' is not an alias of the topic 'ethics'.",
        ),
    ],
)
def test_a_name_that_names_another_is_refused_with_a_clear_message(net, action, args, message) -> None:
    before = graph(net)
    with pytest.raises(Refused) as refused:
        net.write(action, *args)
    assert message in refused.value.message
    assert graph(net) == before
    assert net.read(changes) == [c for c in net.read(changes) if c["kind"] == "import"]


def test_aliases_and_descriptions_come_and_go_and_are_in_the_history(net) -> None:
    net.write(vocabulary.add_alias, "organisation", "Office for National Statistics", "ONS")
    net.write(vocabulary.add_alias, "organisation", "ons", "ons")  # (already a spelling of it: nothing to do)
    net.write(vocabulary.add_alias, "topic", "ethics", "AI ethics")
    net.write(vocabulary.describe, "ethics", "Fairness, transparency and accountability of models.")
    net.write(vocabulary.remove_alias, "topic", "ethics", "ai ETHICS")
    ethics = topic(net, "ethics")
    assert ethics is not None and ethics["aliases"] == []
    assert ethics["description"] == "Fairness, transparency and accountability of models."
    assert net.read(vocabulary.find, "organisation", "ONS")["id"] == "ons"
    said = [
        (c["subject"], history.values(c))
        for c in net.read(changes, oldest_first=True)
        if c["kind"] != "import"
    ]
    assert said == [
        ("organisation:ons", ({"aliases": []}, {"aliases": ["ONS"]})),
        ("topic:ethics", ({"aliases": []}, {"aliases": ["AI ethics"]})),
        (
            "topic:ethics",
            ({"description": ""}, {"description": "Fairness, transparency and accountability of models."}),
        ),
        ("topic:ethics", ({"aliases": ["AI ethics"]}, {"aliases": []})),
    ]


# --- Retiring -----------------------------------------------------------------------------------------------


def _topic_gaps(store: Any, topic_id: str) -> list[str]:
    return [g["kind"] for g in store.read(reports.coverage_report)["gaps"] if g["subject"] == topic_id]


def test_a_retired_topic_keeps_its_interests_and_is_no_gap(net) -> None:
    assert "topic-single-person" in _topic_gaps(net, "ethics")  # held by Fay alone
    report = net.read(reports.coverage_report)
    net.write(vocabulary.retire, "ethics")
    assert _topic_gaps(net, "ethics") == []
    retired = net.read(reports.coverage_report)
    assert sum(retired["summary"]["gaps"].values()) == sum(report["summary"]["gaps"].values()) - len(
        [g for g in report["gaps"] if g["subject"] == "ethics" and g["kind"].startswith("topic-")]
    )
    assert interests(net)["Fay"] == {"ethics": "expert"}
    ethics = topic(net, "ethics")
    assert ethics is not None and ethics["status"] == "retired"
    [change] = net.read(changes, kind="topic")
    assert history.values(change) == ({"status": ""}, {"status": "retired"})
    net.write(vocabulary.retire, "ethics", False)
    assert "topic-single-person" in _topic_gaps(net, "ethics")


# --- Organisations --------------------------------------------------------------------------------------------


def test_an_organisation_merge_moves_every_member_and_records_each(net) -> None:
    people = ids(net)
    net.write(vocabulary.add_alias, "organisation", "Statistics Canada", "StatCan")
    plan = net.write(vocabulary.merge, "organisation", "Stat Can", "StatCan")
    assert plan.summary() == (
        "2 members of Stat Can move to Statistics Canada; 'Stat Can' becomes another name for "
        "Statistics Canada, and Stat Can is removed"
    )
    rows = net.read(
        lambda tx: tx.run("MATCH (m:Member)-[:WORKS_AT]->(o:Organisation) RETURN m.name AS m, o.id AS o")
    )
    assert sorted((r["m"].split()[0], r["o"]) for r in rows) == [
        ("Ben", "ons"),
        ("Cleo", "statcan"),
        ("Dan", "statcan"),
        ("Eve", "statcan"),
        ("Fay", "statcan"),
    ]
    assert net.read(vocabulary.find, "organisation", "stat can")["id"] == "statcan"
    recorded = net.read(changes, kind="organisation")
    moved = {c["member"]: history.values(c) for c in recorded if c["member"]}
    assert moved == {
        people["Dan"]: ({"organisation": "stat-can"}, {"organisation": "statcan"}),
        people["Eve"]: ({"organisation": "stat-can"}, {"organisation": "statcan"}),
    }
    assert len({c["batch"] for c in recorded if c["batch"]}) == 1


# --- The pages ----------------------------------------------------------------------------------------------------


@pytest.fixture
def coordinator(app, tmp_path) -> Any:
    with app.app_context():
        import_files(get_store(), network_files(tmp_path))
    return signed_in(app, "coordinator@example.org", "coordinator")


def test_the_manage_page_lists_and_filters_the_topics(app, coordinator) -> None:
    page = coordinator.get("/topics/manage").get_data(as_text=True)
    assert "4 of 4 topics" in page and "entity resolution" in page and "rec link" in page
    page = coordinator.get("/topics/manage?q=Entity").get_data(as_text=True)
    assert "1 of 4 topics" in page and "record linkage" in page and "satellite imagery" not in page
    coordinator.post(
        "/topics/manage/ethics",
        data={"action": "retire", "csrf_token": csrf_token(coordinator, "/topics/manage")},
    )
    page = coordinator.get("/topics/manage?status=retired").get_data(as_text=True)
    assert "1 of 4 topics" in page and ">ethics</a>" in page
    # The topic pages show it marked, with its description and a link to edit it (for coordinators).
    page = coordinator.get("/topics/ethics").get_data(as_text=True)
    assert "<h1>ethics (retired)</h1>" in page and 'href="/topics/manage/ethics"' in page
    assert "ethics</a> (retired)" in coordinator.get("/topics").get_data(as_text=True)


def test_a_rename_on_the_web_that_names_another_is_refused_keeping_what_was_typed(app, coordinator) -> None:
    token = csrf_token(coordinator, "/topics/manage/ethics")
    response = coordinator.post(
        "/topics/manage/ethics", data={"action": "rename", "name": "Record-Linkage", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "&#39;Record-Linkage&#39; already names the topic &#39;record linkage&#39;." in page
    assert 'value="Record-Linkage"' in page
    response = coordinator.post(
        "/topics/manage/ethics", data={"action": "rename", "name": "AI ethics", "csrf_token": token}
    )
    assert response.status_code == 302
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>AI ethics</h1>" in page and "Renamed; the old name is kept as an alias." in page
    assert "Also known as</dt><dd>ethics</dd>" in page


def test_a_merge_on_the_web_says_what_will_move_before_it_moves(app, coordinator) -> None:
    edit = coordinator.get("/topics/manage/recrd-linkage").get_data(as_text=True)
    assert '<option value="record linkage">' in edit  # (picked by name)
    page = coordinator.get("/topics/manage/recrd-linkage/merge?into=Record+Linkage").get_data(as_text=True)
    assert (
        "3 interests of 3 members move to record linkage; 2 members held both: the higher level is kept"
        in page
    )
    with app.app_context():
        assert topic(get_store(), "recrd-linkage") is not None  # (nothing moved yet)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = coordinator.post(
        "/topics/manage/recrd-linkage/merge", data={"into": "record-linkage", "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/topics/manage/record-linkage"
    )
    with app.app_context():
        store = get_store()
        assert topic(store, "recrd-linkage") is None
        assert interests(store)["Dan"] == {"record-linkage": "practising"}
        [kept] = [c for c in store.read(changes, kind="topic") if c["subject"] == "topic:record-linkage"]
        assert kept["by"] == "account:coordinator@example.org"
    # A merge that cannot be done says why, on the edit page, keeping what was typed.
    response = coordinator.post("/topics/manage/ethics/merge", data={"into": "ethic", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "There is no topic named &#39;ethic&#39;." in page
    assert 'value="ethic"' in page


def test_organisations_are_managed_on_their_page_too(app, coordinator) -> None:
    token = csrf_token(coordinator, "/organisations/manage")
    response = coordinator.post(
        "/organisations/manage/ons", data={"action": "alias", "alias": "ONS", "csrf_token": token}
    )
    assert response.status_code == 302
    page = coordinator.get("/organisations/manage?q=ons").get_data(as_text=True)
    assert "Office for National Statistics" in page and "<td>ONS</td>" in page
    page = coordinator.get("/organisations/manage/stat-can/merge?into=Statistics+Canada").get_data(
        as_text=True
    )
    assert "2 members of Stat Can move to Statistics Canada" in page
    # An organisation is neither described nor retired.
    response = coordinator.post("/organisations/manage/ons", data={"action": "retire", "csrf_token": token})
    assert response.status_code == 400


def test_hostile_names_are_shown_as_text(app, coordinator) -> None:
    token = csrf_token(coordinator, "/topics")
    hostile = '<script>alert("x")</script>'
    for action, field in (("alias", "alias"), ("describe", "description")):
        response = coordinator.post(
            "/topics/manage/ethics", data={"action": action, field: hostile, "csrf_token": token}
        )
        assert response.status_code == 302
    for url in (
        "/topics/manage",
        "/topics/manage/ethics",
        "/topics/ethics",
        "/topics/manage/ethics/merge?into=record+linkage",
    ):
        page = coordinator.get(url).get_data(as_text=True)
        assert "<script>alert" not in page, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page, url


def test_members_may_not_change_the_vocabulary(app, coordinator) -> None:
    member_client = signed_in(app, "member@example.org", "member")
    token = csrf_token(member_client, "/topics")
    response = member_client.post(
        "/topics/manage/ethics", data={"action": "rename", "name": "x", "csrf_token": token}
    )
    assert response.status_code == 403
    assert "Manage the topics" not in member_client.get("/topics").get_data(as_text=True)
    assert "Manage the topics" in coordinator.get("/topics").get_data(as_text=True)


def test_the_api_gives_the_vocabulary_to_scripts(app, coordinator) -> None:
    coordinator.post(
        "/topics/manage/ethics",
        data={
            "action": "describe",
            "description": "Of models.",
            "csrf_token": csrf_token(coordinator, "/topics"),
        },
    )
    found = coordinator.get("/api/vocabulary").get_json()
    topics = {t["id"]: t for t in found["topics"]}
    assert topics["ethics"]["description"] == "Of models." and topics["ethics"]["status"] == ""
    assert topics["record-linkage"]["aliases"] == ["entity resolution"]
    assert {o["id"] for o in found["organisations"]} == {"ons", "statcan", "stat-can"}


def test_the_api_changes_and_merges_in_one_transaction_each(app, coordinator) -> None:
    token = csrf_token(coordinator, "/topics")
    headers = {"X-CSRFToken": token}
    changed = coordinator.post(
        "/api/topics/ethics",
        json={
            "name": "AI ethics",
            "add_aliases": ["responsible AI"],
            "description": "Of models.",
            "status": "retired",
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["aliases"] == ["ethics", "responsible AI"]
    assert changed.get_json()["status"] == "retired"
    # One refused change undoes the others sent with it.
    with app.app_context():
        before = graph(get_store())
    refused = coordinator.post(
        "/api/topics/ethics",
        json={"name": "Ethics of AI", "add_aliases": ["record linkage"]},
        headers=headers,
    )
    assert refused.status_code == 409
    assert (
        refused.get_json()["error"]["message"] == "'record linkage' already names the topic 'record linkage'."
    )
    with app.app_context():
        assert graph(get_store()) == before
    assert coordinator.post("/api/topics/ethics", json={"name": " "}, headers=headers).status_code == 400
    dry = coordinator.post(
        "/api/topics/recrd-linkage/merge", json={"into": "Record Linkage", "dry_run": True}, headers=headers
    )
    assert dry.get_json()["done"] is False and dry.get_json()["held_both"] == 2
    done = coordinator.post(
        "/api/topics/recrd-linkage/merge", json={"into": "Record Linkage"}, headers=headers
    )
    assert done.status_code == 200 and done.get_json()["members"] == 3 and done.get_json()["done"] is True
    # The merged topic's old id now names the kept topic (an alias), and ethics is retired: refused.
    again = coordinator.post("/api/topics/recrd-linkage/merge", json={"into": "ethics"}, headers=headers)
    assert again.status_code == 409 and "is retired" in again.get_json()["error"]["message"]
    merged = coordinator.post("/api/organisations/stat-can/merge", json={"into": "statcan"}, headers=headers)
    assert merged.get_json()["summary"].startswith("2 members of Stat Can move to Statistics Canada")
    assert coordinator.post("/api/topics/ethics", json={"status": ""}).status_code == 400  # (no CSRF token)


# --- The CLI ----------------------------------------------------------------------------------------------------------


def test_the_cli_keeps_the_vocabulary(runner, tmp_path, store_config) -> None:
    from graphapp.store import open_store

    assert runner.invoke("import", *map(str, network_files(tmp_path))).exit_code == 0
    done = runner.invoke("topics", "merge", "Recrd Linkage", "record linkage", "--dry-run")
    assert done.exit_code == 0, done.output
    assert "would merge: 3 interests of 3 members move to record linkage" in done.output
    assert "nothing was written" in done.output
    listed = runner.invoke("topics", "list", "--json")
    assert "recrd-linkage" in {t["id"] for t in json.loads(listed.stdout)}

    refused = runner.invoke("topics", "alias", "ethics", "Record Linkage")
    assert refused.exit_code == 1
    assert "graphapp: 'Record Linkage' already names the topic 'record linkage'." in refused.output

    for args in (
        ("topics", "merge", "recrd-linkage", "Record Linkage"),
        ("topics", "rename", "ethics", "AI ethics"),
        ("topics", "alias", "AI ethics", "responsible AI"),
        ("topics", "unalias", "ai ethics", "Responsible AI"),
        ("topics", "describe", "ethics", "Of models."),
        ("topics", "retire", "ethics"),
        ("organisations", "alias", "ons", "ONS"),
        ("organisations", "rename", "Stat Can", "Statistics Canada (old)"),
        ("organisations", "merge", "statistics canada (old)", "Statistics Canada"),
    ):
        done = runner.invoke(*args)
        assert done.exit_code == 0, (args, done.output)
    listed = runner.invoke("topics", "list").stdout
    assert "ethics\tAI ethics\tethics\t1 holders\tretired" in listed
    assert (
        "record-linkage\trecord linkage\tentity resolution; rec link; recrd linkage\t4 holders\tin use"
        in listed
    )
    organisations = runner.invoke("organisations", "list").stdout
    assert "statcan\tStatistics Canada\tStat Can; Statistics Canada (old)\t4 members\tNSO" in organisations
    with open_store(store_config) as store:
        kinds = [c["kind"] for c in store.read(changes, oldest_first=True) if c["kind"] != "import"]
        assert all(c["by"].startswith("cli:") for c in store.read(changes) if c["kind"] != "import")
    assert kinds.count("organisation") == 2 + 2 + 2  # (alias, rename; the merge: kept, merged, 2 members)
    assert runner.invoke("topics", "unretire", "AI ethics").exit_code == 0
    missing = runner.invoke("organisations", "merge", "nowhere", "ons")
    assert missing.exit_code == 1 and "There is no organisation named 'nowhere'." in missing.output

"""One topic vocabulary, as people type it (issue 13): names and aliases match in any case and with any
accents; a topic that is not in the vocabulary is never created silently (an import lists it as a problem
with the closest topics unless new topics are allowed; the profile form says "did you mean" and offers to
propose it); a retired topic is offered for nothing new but kept by those who hold it. Both stores."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest

from devtools.spreadsheets import member, write_csv
from graphapp.db import get_store
from graphapp.ingest import ImportRejected, import_files
from graphapp.ingest.normalise import member_id
from graphapp.queries.cypher import Cypher
from graphapp.queries.members import member_profile
from graphapp.queries.proposals import proposals_of
from tests.helpers import graph, signed_in

RETIRE = Cypher("MATCH (t:Topic {id: $id}) SET t.status = 'retired'")


@pytest.fixture
def demo(demo_app):  # type: ignore[no-untyped-def]
    return demo_app


def _topics(store) -> set[str]:  # type: ignore[no-untyped-def]
    return {t["name"] for t in graph(store)["nodes"]["Topic"]}


def _interests(store, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    profile = store.read(member_profile, member_id(email))
    return {i["id"]: i["level"] for i in profile["interests"]} if profile else {}


def test_a_misspelt_topic_is_a_problem_with_the_closest_and_nothing_is_written(
    app, demo, tmp_path: Path
) -> None:
    before = graph(demo)
    path = write_csv(
        tmp_path / "members.csv",
        [member("Ana Example", "ana@example.org", topics="recrd linkage:learning; quantum gravity")],
    )
    with app.app_context(), pytest.raises(ImportRejected) as e:
        import_files(demo, [path])
    by_value = {p.value: p for p in e.value.problems}
    assert set(by_value) == {"recrd linkage", "quantum gravity"}
    misspelt = by_value["recrd linkage"]
    assert (misspelt.row, misspelt.column) == ("row 2", "topics")
    assert misspelt.suggestions[0] == "record linkage"
    assert "did you mean 'record linkage'" in str(misspelt)
    assert "--new-topics" in str(misspelt)
    assert by_value["quantum gravity"].suggestions == ()
    assert graph(demo) == before


def test_new_topics_are_created_only_when_allowed_and_listed(app, demo, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "members.csv",
        [member("Ana Example", "ana@example.org", topics="quantum gravity:learning; Record Linkage")],
    )
    with app.app_context():
        dry = import_files(demo, [path], dry_run=True, new_topics=True)
        assert dry.new_topics == ["quantum gravity"]
        assert "would create 1 new topic named in cells (new topics allowed): quantum gravity" in dry.summary(
            dry_run=True
        )
        assert "quantum gravity" not in _topics(demo)
        done = import_files(demo, [path], new_topics=True)
    assert "created 1 new topic" in done.summary()
    assert "quantum gravity" in _topics(demo)
    assert _interests(demo, "ana@example.org") == {
        "quantum-gravity": "learning",
        "record-linkage": "practising",
    }


def test_names_and_aliases_match_in_any_case_and_with_any_accents(app, demo, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "members.csv",
        [
            member(
                "Ana Example",
                "ana@example.org",
                topics="RÉCORD-LINKAGE:expert; Édit & Imputation; REMOTE SENSING",
            )
        ],
    )
    with app.app_context():
        plan = import_files(demo, [path])
    assert plan.new_topics == [] and plan.counts()["Topic"]["created"] == 0
    assert _interests(demo, "ana@example.org") == {
        "record-linkage": "expert",
        "edit-and-imputation": "practising",
        "imagery-and-satellite-data": "practising",  # "remote sensing" is an alias
    }


def test_a_workstream_covering_an_unknown_topic_is_a_problem(app, demo, tmp_path: Path) -> None:
    path = tmp_path / "workstreams.csv"
    path.write_text("id,name,covers\nWS9,New work,record linkage; explainabilty\n", encoding="utf-8")
    with app.app_context(), pytest.raises(ImportRejected) as e:
        import_files(demo, [path])
    (problem,) = e.value.problems
    assert (problem.column, problem.value) == ("covers", "explainabilty")
    assert problem.suggestions[0] == "explainability"


def test_a_topics_file_still_adds_topics_on_purpose(app, demo, tmp_path: Path) -> None:
    topics = tmp_path / "topics.csv"
    topics.write_text("name,aliases\nquantum computing,QC\n", encoding="utf-8")
    members = write_csv(
        tmp_path / "members.csv", [member("Ana Example", "ana@example.org", topics="qc:expert")]
    )
    with app.app_context():
        plan = import_files(demo, [topics, members])
    assert plan.new_topics == []  # (made by its row, not by a cell)
    assert _interests(demo, "ana@example.org") == {"quantum-computing": "expert"}


def test_a_retired_topic_is_kept_where_held_but_not_taken_up_anew(app, demo, tmp_path: Path) -> None:
    first = write_csv(
        tmp_path / "a.csv", [member("Ana Example", "ana@example.org", topics="web scraped data:expert")]
    )
    with app.app_context():
        import_files(demo, [first])
        demo.write(lambda tx: tx.run(RETIRE, id="web-scraped-data"))
        again = write_csv(
            tmp_path / "b.csv",
            [member("Ana Example", "ana@example.org", title="Head", topics="web scraped data:expert")],
        )
        import_files(demo, [again])  # Ana keeps hers
        assert _interests(demo, "ana@example.org") == {"web-scraped-data": "expert"}
        newcomer = write_csv(
            tmp_path / "c.csv", [member("Bo Example", "bo@example.org", topics="web scraped data")]
        )
        with pytest.raises(ImportRejected) as e:
            import_files(demo, [newcomer], new_topics=True)  # (allowing new topics does not revive it)
    (problem,) = e.value.problems
    assert problem.value == "web scraped data" and "was retired" in problem.reason
    assert "web scraped data" not in problem.suggestions


def test_the_cli_refuses_unknown_topics_unless_told_and_takes_names_for_topic(runner, tmp_path: Path) -> None:
    runner.invoke("demo")
    path = write_csv(tmp_path / "m.csv", [member("Ana Example", "ana@example.org", topics="recrd linkage")])
    refused = runner.invoke("import", str(path))
    assert refused.exit_code == 1
    assert (
        "'recrd linkage' is not a topic in the vocabulary: did you mean 'record linkage'?" in refused.stderr
    )
    dry = runner.invoke("import", "--dry-run", "--new-topics", str(path))
    assert dry.exit_code == 0 and "new topic named in cells (new topics allowed): recrd linkage" in dry.stdout
    someone = member_id("timo.okafor@example.org")
    by_name = runner.invoke("suggest", someone, "--topic", "Récord Linkage", "--json")
    by_id = runner.invoke("suggest", someone, "--topic", "record-linkage", "--json")
    assert by_name.exit_code == 0 and by_name.stdout == by_id.stdout
    wrong = runner.invoke("suggest", someone, "--topic", "recrd linkage")
    assert wrong.exit_code == 1 and "Did you mean 'record linkage'?" in wrong.stderr
    by_alias = runner.invoke(
        "export", "--format", "csv", "--topic", "Remote Sensing", "-o", str(tmp_path / "a.csv")
    )
    assert by_alias.exit_code == 0, by_alias.stderr
    runner.invoke(
        "export", "--format", "csv", "--topic", "imagery-and-satellite-data", "-o", str(tmp_path / "b.csv")
    )
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_the_import_page_has_the_switch(client, app, demo) -> None:
    from tests.helpers import csrf_token

    rows = "name,email,topics\nAna Example,ana@example.org,recrd linkage:learning\n"

    def send(**extra: str):  # type: ignore[no-untyped-def]
        data = {
            "csrf_token": csrf_token(client, "/import"),
            "files": (io.BytesIO(rows.encode()), "m.csv"),
            **extra,
        }
        return client.post("/import", data=data, content_type="multipart/form-data")

    refused = send()
    assert refused.status_code == 400
    assert "did you mean &#39;record linkage&#39;?" in refused.get_data(as_text=True)
    dry = send(new_topics="yes", dry_run="yes")
    page = dry.get_data(as_text=True)
    assert dry.status_code == 200 and "New topics that would be created: recrd linkage" in page
    assert 'id="new_topics" name="new_topics" type="checkbox" value="yes"' in page


def _form(client, member: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = client.get(f"/members/{member}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input (?:type="hidden" )?name="(\w+)" value="([^"]*)"', page))
    fields.update(re.findall(r'<input id="\w+" name="(\w+)"(?: type="\w+")? value="([^"]*)"', page))
    fields["topics"] = re.search(
        r'<textarea id="topics" name="topics"[^>]*>(.*?)</textarea>', page, re.S
    ).group(1)
    return {k: html.unescape(v) for k, v in fields.items()}


def test_the_profile_form_says_did_you_mean_and_files_a_proposal(app, demo) -> None:
    me = member_id("timo.okafor@example.org")
    client = signed_in(app, "timo.okafor@example.org", "member", me)
    form = _form(client, me)
    form["topics"] = "record linkage:expert; large languag models:learning; quantum gravity:practising"
    refused = client.post(f"/members/{me}/edit", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Did you mean" in page and ">large language models</button>" in page
    assert 'name="propose" value="quantum gravity"' in page
    with app.app_context():
        assert "record-linkage" not in _interests(demo, "timo.okafor@example.org")  # nothing written
    # The button puts the suggestion in the form (nothing saved yet)...
    used = client.post(
        f"/members/{me}/edit", data={**form, "use": '["large languag models", "large language models"]'}
    )
    shown = used.get_data(as_text=True)
    assert used.status_code == 200 and "large language models:learning" in shown
    form["topics"] = re.search(r'name="topics"[^>]*>(.*?)</textarea>', shown, re.S).group(1)
    # ... and ticking "propose" saves the rest and files the proposal, with the level.
    saved = client.post(f"/members/{me}/edit", data={**form, "propose": "quantum gravity"})
    assert saved.status_code == 302
    with app.app_context():
        held = _interests(demo, "timo.okafor@example.org")
        assert held["record-linkage"] == "expert" and "quantum-gravity" not in held
        (waiting,) = demo.read(proposals_of, me)
        assert (waiting["name"], waiting["level"], waiting["status"]) == (
            "quantum gravity",
            "practising",
            "waiting",
        )
        assert "quantum gravity" not in _topics(demo)  # not created: it waits for a coordinator
    profile = client.get(f"/members/{me}").get_data(as_text=True)
    assert "Proposed, waiting for a coordinator: quantum gravity" in profile


def test_a_retired_topic_held_is_kept_on_save_and_refused_for_others(app, demo) -> None:
    me = member_id("timo.okafor@example.org")
    with app.app_context():
        get_store().write(lambda tx: tx.run(RETIRE, id="web-scraped-data"))
    client = signed_in(app, "timo.okafor@example.org", "member", me)
    form = _form(client, me)
    assert "web scraped data" in form["topics"]
    form["title"] = "Chief"
    assert client.post(f"/members/{me}/edit", data=form).status_code == 302
    with app.app_context():
        assert "web-scraped-data" in _interests(demo, "timo.okafor@example.org")
    coordinator = signed_in(app, "coord@example.org", "coordinator")
    with app.app_context():
        someone = next(
            m["id"]
            for m in graph(demo)["nodes"]["Member"]
            if m["id"] != me and "web-scraped-data" not in _interests(demo, m["email"])
        )
    form = _form(coordinator, someone)
    form["topics"] = "web scraped data:learning"
    refused = coordinator.post(f"/members/{someone}/edit", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "was retired by a coordinator" in page
    assert 'name="propose"' not in page  # a retired topic is not proposed again


def test_the_directory_and_the_api_take_a_topic_by_name_or_alias(client, demo) -> None:
    by_id = client.get("/api/members?topic=imagery-and-satellite-data&per_page=100").get_json()
    by_alias = client.get("/api/members?topic=Remote%20Sensing&per_page=100").get_json()
    assert by_id["total"] > 0 and by_alias["items"] == by_id["items"]
    wrong = client.get("/api/members?topic=remote%20sensng")
    assert wrong.status_code == 404 and "Did you mean" in wrong.get_data(as_text=True)
    someone = by_id["items"][0]["id"]
    named = client.get(f"/api/members/{someone}/suggestions?topic=RECORD%20LINKAGE").get_json()
    exact = client.get(f"/api/members/{someone}/suggestions?topic=record-linkage").get_json()
    assert named == exact
    assert client.get(f"/api/members/{someone}/suggestions?topic=recrd").status_code == 404
    page = client.get("/members?topic=r%C3%A9cord%20linkage").get_data(as_text=True)
    assert "is not a topic" not in page and "Members found" in page
    refused = client.get("/members?topic=recrd%20linkage").get_data(as_text=True)
    assert (
        "&#39;recrd linkage&#39; is not a topic of the network. Did you mean &#39;record linkage&#39;?"
        in refused
    )


def test_a_contact_map_takes_a_topic_by_name_or_alias(client, demo) -> None:
    """The explorer, the API's subgraph and the exports name a topic by its name or an alias, in any case,
    as well as by its id: each shows the same people."""

    def people(url: str) -> set[str]:
        graph = client.get(url).get_json()
        return {n["properties"]["id"] for n in graph["nodes"] if n["label"] == "Member"}

    by_id = people("/api/subgraph?kind=topic&value=record-linkage")
    assert by_id and people("/api/subgraph?kind=topic&value=RECORD%20LINKAGE") == by_id
    assert people("/api/subgraph?kind=topic&value=entity%20resolution") == by_id  # (an alias)
    page = client.get("/explore?kind=topic&value=Record%20Linkage")
    assert page.status_code == 200
    vcards = client.get("/api/export/vcf?kind=topic&value=record%20linkage")
    assert vcards.status_code == 200 and vcards.get_data(as_text=True).count("BEGIN:VCARD") == len(by_id)

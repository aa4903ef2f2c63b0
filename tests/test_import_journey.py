"""Importing projects, themes and resources (issue 14): on both stores, with the members' contract: every
row checked, every problem named by file, row, column and why, all or nothing, idempotent, in the history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from graphapp.demo import DEMO_FILES
from graphapp.ingest import ImportRejected, import_files
from graphapp.library import resource_id
from graphapp.queries import history
from graphapp.queries.schema import revision_and_log
from tests.helpers import graph, write_csv

#: The demo's organisations, themes, topics, workstreams and members: what a project file may name.
NETWORK = DEMO_FILES[:5]

PROJECT_COLUMNS = (
    "title",
    "organisation",
    "members",
    "topics",
    "workstream",
    "domain",
    "stage",
    "idea",
    "demonstration",
    "production",
    "report",
    "code",
)


def project(title: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(PROJECT_COLUMNS, "")
    row.update(title=title, **fields)
    return row


LINKAGE = project(
    "Linking tax and survey records",
    organisation="CBS",  # an alias of Statistics Netherlands
    members="rui.costa@example.org: lead; dario.silva@example.org: data scientist; pia.larsen@example.org",
    topics="record linkage; entity resolution",  # (the second is an alias of the first)
    workstream="ws 1",
    domain="5.1 Integrate data",
    stage="",  # the days say it: demonstration
    idea="2023-01-09",
    demonstration="2024-02-19",
    report="https://example.org/reports/linking",
)


@pytest.fixture
def network(store: Any) -> Any:
    import_files(store, NETWORK)
    return store


def _project(store: Any, project_id: str) -> dict[str, Any]:
    """A project as a person would read it: its properties and what it links to."""
    rows = store.read(
        lambda tx: tx.run(
            "MATCH (p:Project {id: $id}) "
            "OPTIONAL MATCH (p)-[:RUN_BY]->(o:Organisation) "
            "OPTIONAL MATCH (p)-[:IN_WORKSTREAM]->(w:Workstream) "
            "RETURN p.title AS title, p.stage AS stage, p.idea AS idea, p.demonstration AS demonstration, "
            "p.production AS production, p.domain AS domain, p.report AS report, p.code AS code, "
            "o.name AS organisation, w.id AS workstream",
            id=project_id,
        )
    )
    assert rows, f"no project {project_id}"
    found = dict(rows[0])
    people = store.read(
        lambda tx: tx.run(
            "MATCH (m:Member)-[r:WORKS_ON]->(p:Project {id: $id}) RETURN m.email AS email, r.role AS role",
            id=project_id,
        )
    )
    topics = store.read(
        lambda tx: tx.run(
            "MATCH (p:Project {id: $id})-[:ON_TOPIC]->(t:Topic) RETURN t.name AS name", id=project_id
        )
    )
    found["members"] = {r["email"]: r["role"] for r in people}
    found["topics"] = sorted(r["name"] for r in topics)
    return found


def _changes(store: Any, **filters: Any) -> list[dict[str, Any]]:
    return store.read(history.changes, **filters)


# --- Projects -----------------------------------------------------------------------------------------


def test_a_project_file_creates_projects_with_their_people_topics_and_stage(network, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "projects.csv", [LINKAGE])
    plan = import_files(network, [path])
    assert plan.counts()["Project"]["created"] == 1
    got = _project(network, "p-linking-tax-and-survey-records")  # the id: p- and a slug of the title
    assert got == {
        "title": "Linking tax and survey records",
        "stage": "demonstration",  # the furthest stage with a day
        "idea": "2023-01-09",
        "demonstration": "2024-02-19",
        "production": None,
        "domain": "5.1",
        "report": "https://example.org/reports/linking",
        "code": None,
        "organisation": "Statistics Netherlands",
        "workstream": "WS1",
        "members": {
            "rui.costa@example.org": "lead",
            "dario.silva@example.org": "data scientist",
            "pia.larsen@example.org": None,
        },
        "topics": ["record linkage"],
    }


def test_importing_the_same_projects_again_changes_and_records_nothing(network, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "projects.csv", [LINKAGE])
    import_files(network, [path])
    before, changes = graph(network), network.read(history.count)
    again = import_files(network, [path])
    assert again.is_empty() and "nothing to change" in again.summary()
    assert graph(network) == before
    assert network.read(history.count) == changes


def test_a_row_lists_all_of_a_projects_topics_and_an_omitted_column_leaves_it_alone(
    network, tmp_path: Path
) -> None:
    import_files(network, [write_csv(tmp_path / "p.csv", [LINKAGE])])
    fewer = {**LINKAGE, "topics": "web scraped data", "members": "rui.costa@example.org: lead"}
    import_files(network, [write_csv(tmp_path / "p2.csv", [fewer])])
    got = _project(network, "p-linking-tax-and-survey-records")
    assert got["topics"] == ["web scraped data"]
    assert got["members"] == {"rui.costa@example.org": "lead"}
    # A file with the title and stage only: the topics, members, organisation and days stay.
    import_files(
        network,
        [write_csv(tmp_path / "p3.csv", [{"title": LINKAGE["title"], "stage": "demonstration"}])],
        kind="projects",
    )
    kept = _project(network, "p-linking-tax-and-survey-records")
    assert kept == {**got, "stage": "demonstration"}
    assert kept["organisation"] == "Statistics Netherlands" and kept["idea"] == "2023-01-09"


def test_a_stage_without_any_day_is_fine(network, tmp_path: Path) -> None:
    row = project("Drafting notes with a language model", stage="Idea", topics="large language models")
    import_files(network, [write_csv(tmp_path / "p.csv", [row])])
    got = _project(network, "p-drafting-notes-with-a-language-model")
    assert (got["stage"], got["idea"]) == ("idea", None)


def test_one_bad_row_rejects_the_whole_import_and_writes_nothing(network, tmp_path: Path) -> None:
    good = LINKAGE
    bad = project("Coding occupations again", stage="production", idea="2025-01-01", production="2024-01-01")
    before = graph(network)
    with pytest.raises(ImportRejected) as e:
        import_files(network, [write_csv(tmp_path / "projects.csv", [good, bad])])
    assert graph(network) == before
    (problem,) = e.value.problems
    assert str(problem) == (
        "projects.csv, row 3, column 'production': '2024-01-01' is before the day it reached idea "
        "(2025-01-01): the days must follow the journey"
    )


@pytest.mark.parametrize(
    ("fields", "column", "value", "why"),
    [
        ({"stage": "pilot"}, "stage", "pilot", "must be one of idea, demonstration, production, maintenance"),
        (
            {"stage": "demonstration", "idea": "2023-01-01", "production": "2024-01-01"},
            "production",
            "2024-01-01",
            "is the day it reached production, a stage beyond the project's stage (demonstration)",
        ),
        (
            {"stage": "idea", "idea": "01/02/2023"},
            "idea",
            "01/02/2023",
            "is not a date: write it as YYYY-MM-DD",
        ),
        ({"stage": "idea", "idea": "2999-01-01"}, "idea", "2999-01-01", "is in the future"),
        ({}, "stage", "", "is empty: give the project's stage"),
        ({"stage": "idea", "domain": "cooking"}, "domain", "cooking", "is not a GSBPM phase or sub-process"),
        (
            {"stage": "idea", "report": "javascript:alert(1)"},
            "report",
            "javascript:alert(1)",
            "is not a public web link",
        ),
        (
            {"stage": "idea", "code": "ftp://example.org/x"},
            "code",
            "ftp://example.org/x",
            "is not a public web link",
        ),
        (
            {"stage": "idea", "members": "nobody@example.org: lead"},
            "members",
            "nobody@example.org",
            "is not a member in the graph or in these files",
        ),
        ({"stage": "idea", "members": "not an email"}, "members", "not an email", "is neither an email"),
        (
            {"stage": "idea", "topics": "recrd linkage"},
            "topics",
            "recrd linkage",
            "did you mean 'record linkage'?",
        ),
        (
            {"stage": "idea", "workstream": "WS3"},
            "workstream",
            "WS3",
            "is not a known workstream (known: WS1, WS2",
        ),
    ],
)
def test_each_problem_names_file_row_column_value_and_why(
    network, tmp_path: Path, fields: dict[str, str], column: str, value: str, why: str
) -> None:
    row = {"title": "A project", **fields}
    with pytest.raises(ImportRejected) as e:
        import_files(network, [write_csv(tmp_path / "projects.csv", [row])], kind="projects")
    found = [p for p in e.value.problems if p.column == column]
    assert found, e.value.report()
    problem = found[0]
    assert (problem.file, problem.row, problem.value) == ("projects.csv", "row 2", value)
    assert why in problem.reason, problem.reason


def test_the_domain_problem_says_how_to_write_it(network, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as e:
        import_files(
            network,
            [write_csv(tmp_path / "p.csv", [{"title": "x", "stage": "idea", "domain": "5.9"}])],
            kind="projects",
        )
    (problem,) = e.value.problems
    assert "5.4 Edit and impute" in problem.reason and "5 Process" in problem.reason


def test_a_retired_topic_is_a_problem_for_a_new_project(network, tmp_path: Path) -> None:
    network.write(lambda tx: tx.run("MATCH (t:Topic {id: 'nowcasting'}) SET t.status = 'retired'"))
    row = project("Flash estimates", stage="idea", topics="nowcasting")
    with pytest.raises(ImportRejected) as e:
        import_files(network, [write_csv(tmp_path / "p.csv", [row])])
    (problem,) = e.value.problems
    assert (problem.column, problem.value) == ("topics", "nowcasting")
    assert problem.reason.startswith("was retired by a coordinator")


def test_project_members_may_come_from_the_same_import(store, tmp_path: Path) -> None:
    import_files(store, DEMO_FILES[:4])
    members = write_csv(
        tmp_path / "members.csv",
        [{"name": "Ana Example", "email": "ana.example@example.org", "organisation": "ONS"}],
    )
    projects = write_csv(
        tmp_path / "projects.csv",
        [project("Coding with Ana", stage="idea", members="Ana.Example@example.org: lead")],
    )
    import_files(store, [members, projects])
    assert _project(store, "p-coding-with-ana")["members"] == {"ana.example@example.org": "lead"}


def test_two_rows_for_one_project_are_a_problem(network, tmp_path: Path) -> None:
    rows = [project("Same title", stage="idea"), project("Same  Title", stage="idea")]
    with pytest.raises(ImportRejected) as e:
        import_files(network, [write_csv(tmp_path / "projects.csv", rows)])
    (problem,) = e.value.problems
    assert (problem.row, problem.column) == ("row 3", "title")
    assert "same project as projects.csv row 2" in problem.reason


# --- Themes and the journey ---------------------------------------------------------------------------


def _serves(store: Any) -> dict[str, dict[str, str]]:
    rows = store.read(
        lambda tx: tx.run(
            "MATCH (w:Workstream)-[r:SERVES]->(t:Theme) RETURN w.id AS ws, t.id AS theme, r.stages AS stages"
        )
    )
    served: dict[str, dict[str, str]] = {}
    for r in rows:
        served.setdefault(r["ws"], {})[r["theme"]] = r["stages"] or ""
    return served


def test_themes_workstreams_serving_them_and_topics_linked_to_them(store, tmp_path: Path) -> None:
    themes = write_csv(
        tmp_path / "themes.csv",
        [
            {"name": "Quality", "kind": "theme", "position": "1", "description": ""},
            {"name": "Good training data", "kind": "", "position": "", "description": "How to get it"},
            {"name": "Sharing and collaboration", "kind": "Facilitator", "position": "9", "description": ""},
        ],
    )
    topics = write_csv(
        tmp_path / "topics.csv",
        [{"name": "training data", "aliases": "", "themes": "good-training-data; QUALITY"}],
    )
    workstreams = write_csv(
        tmp_path / "workstreams.csv",
        [
            {"id": "WS2", "name": "QF4SA", "serves": "quality"},
            {
                "id": "WS4",
                "name": "Training data",
                "serves": "Good training data (Production, demonstration)",
            },
        ],
    )
    import_files(store, [themes, topics, workstreams])
    held = {t["id"]: t for t in graph(store)["nodes"]["Theme"]}
    assert {i: (t["kind"], t["position"]) for i, t in held.items()} == {
        "quality": ("theme", "001"),
        "good-training-data": ("theme", "002"),  # after the last one given before it
        "sharing-and-collaboration": ("facilitator", "009"),
    }
    assert _serves(store) == {
        "WS2": {"quality": ""},
        "WS4": {"good-training-data": "demonstration,production"},
    }
    of_theme = store.read(
        lambda tx: tx.run("MATCH (t:Topic)-[:OF_THEME]->(h:Theme) RETURN t.id AS topic, h.id AS theme")
    )
    assert sorted((r["topic"], r["theme"]) for r in of_theme) == [
        ("training-data", "good-training-data"),
        ("training-data", "quality"),
    ]
    # A workstream row replaces what it serves; a file without `serves` leaves it alone.
    again = write_csv(tmp_path / "w2.csv", [{"id": "WS4", "name": "Training data", "serves": "quality"}])
    import_files(store, [again])
    assert _serves(store)["WS4"] == {"quality": ""}
    import_files(
        store, [write_csv(tmp_path / "w3.csv", [{"id": "WS4", "name": "Training data", "covers": ""}])]
    )
    assert _serves(store)["WS4"] == {"quality": ""}


@pytest.mark.parametrize(
    ("path", "row", "column", "value", "why"),
    [
        (
            "workstreams.csv",
            {"id": "WS4", "name": "x", "serves": "quality (pilot)"},
            "serves",
            "quality (pilot)",
            "has 'pilot' in brackets",
        ),
        (
            "workstreams.csv",
            {"id": "WS4", "name": "x", "serves": "qualty"},
            "serves",
            "qualty",
            "did you mean 'Quality'?",
        ),
        (
            "topics.csv",
            {"name": "t", "aliases": "", "themes": "astrology"},
            "themes",
            "astrology",
            "is not a theme",
        ),
        (
            "themes.csv",
            {"name": "x", "kind": "other", "position": ""},
            "kind",
            "other",
            "must be one of theme, facilitator",
        ),
        (
            "themes.csv",
            {"name": "x", "kind": "", "position": "first"},
            "position",
            "first",
            "is not a whole number",
        ),
    ],
)
def test_theme_problems(
    network, tmp_path: Path, path: str, row: dict[str, str], column: str, value: str, why: str
) -> None:
    with pytest.raises(ImportRejected) as e:
        import_files(network, [write_csv(tmp_path / path, [row])])
    (problem,) = e.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (path, "row 2", column, value)
    assert why in problem.reason


# --- Resources ----------------------------------------------------------------------------------------


RESOURCE = {
    "title": "A guide to record linkage",
    "url": "https://example.org/guides/record-linkage",
    "kind": "Document",
    "language": "French",
    "topics": "record linkage; data matching",
    "workstream": "WS1",
    "shared_by": "rui.costa@example.org",
    "description": "For newcomers",
    "added": "2024-06-03",
}


def _resource(store: Any, resource_id: str) -> dict[str, Any]:
    rows = store.read(
        lambda tx: tx.run(
            "MATCH (r:Resource {id: $id}) OPTIONAL MATCH (r)-[:FOR_WORKSTREAM]->(w:Workstream) "
            "OPTIONAL MATCH (m:Member)-[s:SHARED]->(r) "
            "RETURN r.title AS title, r.url AS url, r.kind AS kind, r.language AS language, r.added AS added, "
            "w.id AS workstream, m.email AS shared_by, s.at AS shared_at",
            id=resource_id,
        )
    )
    found = dict(rows[0])
    topics = store.read(
        lambda tx: tx.run("MATCH (:Resource {id: $id})-[:ABOUT]->(t:Topic) RETURN t.id AS id", id=resource_id)
    )
    found["topics"] = sorted(r["id"] for r in topics)
    return found


def test_a_resource_file_creates_resources_linked_to_topics_and_who_shared_them(
    network, tmp_path: Path
) -> None:
    undated = {
        **RESOURCE,
        "title": "Undated",
        "url": "http://example.org/u",
        "added": "",
        "shared_by": "",
        "language": "en",
    }
    import_files(network, [write_csv(tmp_path / "resources.csv", [RESOURCE, undated])])
    guide = resource_id(RESOURCE["url"])
    assert _resource(network, guide) == {
        "title": "A guide to record linkage",
        "url": "https://example.org/guides/record-linkage",
        "kind": "document",
        "language": "fr",
        "added": "2024-06-03",
        "workstream": "WS1",
        "shared_by": "rui.costa@example.org",
        "shared_at": "2024-06-03",
        "topics": ["record-linkage"],
    }
    from datetime import UTC, datetime

    assert (
        _resource(network, resource_id("http://example.org/u"))["added"]
        == datetime.now(UTC).date().isoformat()
    )
    again = import_files(network, [write_csv(tmp_path / "resources.csv", [RESOURCE, undated])])
    assert again.is_empty()


@pytest.mark.parametrize(
    ("fields", "column", "value", "why"),
    [
        ({"url": "javascript:alert(1)"}, "url", "javascript:alert(1)", "is not a public web link"),
        ({"url": ""}, "url", "", "is empty: every resource needs its public link"),
        ({"kind": "book"}, "kind", "book", "must be one of document, code, course, recording"),
        ({"language": "Klingonese"}, "language", "Klingonese", "is not a language with an ISO 639-1 code"),
        ({"shared_by": "ghost@example.org"}, "shared_by", "ghost@example.org", "is not a member"),
        ({"added": "last year"}, "added", "last year", "is not a date"),
        ({"topics": "astrology"}, "topics", "astrology", "is not a topic in the vocabulary"),
        ({"language": ""}, "language", "", "is empty: every resource needs its language"),
        ({"topics": ""}, "topics", "", "is empty: every resource needs at least one topic"),
    ],
)
def test_resource_problems(
    network, tmp_path: Path, fields: dict[str, str], column: str, value: str, why: str
) -> None:
    before = graph(network)
    with pytest.raises(ImportRejected) as e:
        import_files(network, [write_csv(tmp_path / "resources.csv", [{**RESOURCE, **fields}])])
    (problem,) = e.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "resources.csv",
        "row 2",
        column,
        value,
    )
    assert why in problem.reason
    assert graph(network) == before


def test_a_resource_without_an_id_gets_the_id_the_web_would_give_and_two_guides_are_two(
    network, tmp_path: Path
) -> None:
    """Two resources with the same title and different links are two resources, each with the id of its
    link, as sharing it on the web would give."""
    other = {**RESOURCE, "url": "https://example.org/guides/another", "title": RESOURCE["title"]}
    import_files(network, [write_csv(tmp_path / "resources.csv", [RESOURCE, other])])
    assert _resource(network, resource_id(RESOURCE["url"]))["url"] == RESOURCE["url"]
    assert _resource(network, resource_id(other["url"]))["url"] == other["url"]


def _shared_on_the_web(store: Any, url: str, title: str) -> str:
    from graphapp.library import add_resource

    values = {
        "title": title,
        "url": url,
        "kind": "document",
        "language": "en",
        "description": "",
        "topics": ["record linkage"],
        "workstream": "",
    }
    return str(store.write(add_resource, None, True, values, "2025-01-01")["id"])


def test_a_link_already_shared_is_a_problem_naming_the_resource_that_holds_it(
    network, tmp_path: Path
) -> None:
    _shared_on_the_web(network, "https://example.org/guides/record-linkage/", "Linkage, shared on the web")
    before = graph(network)
    with pytest.raises(ImportRejected) as e:
        import_files(network, [write_csv(tmp_path / "resources.csv", [{**RESOURCE, "id": "r-my-own-id"}])])
    (problem,) = e.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "resources.csv",
        "row 2",
        "url",
        RESOURCE["url"],
    )
    assert "shared already, as 'Linkage, shared on the web'" in problem.reason
    assert graph(network) == before


def test_a_row_without_an_id_is_the_resource_that_holds_its_link(network, tmp_path: Path) -> None:
    """A file naming a link already held, without an id, describes that resource (so that importing a file
    again, or one written from the resources list, never makes a second copy of a link)."""
    held = _shared_on_the_web(network, "http://EXAMPLE.org/guides/record-linkage", "Shared on the web")
    import_files(network, [write_csv(tmp_path / "resources.csv", [RESOURCE])])
    assert _resource(network, held)["title"] == RESOURCE["title"]
    count = network.read(lambda tx: tx.run("MATCH (r:Resource) RETURN count(r) AS n"))[0]["n"]
    assert count == 1


def test_a_title_already_held_never_changes_that_resources_link(network, tmp_path: Path) -> None:
    import_files(network, [write_csv(tmp_path / "first.csv", [RESOURCE])])
    moved = {**RESOURCE, "url": "https://example.org/elsewhere"}
    import_files(network, [write_csv(tmp_path / "second.csv", [moved])])
    assert _resource(network, resource_id(RESOURCE["url"]))["url"] == RESOURCE["url"]
    assert _resource(network, resource_id(moved["url"]))["url"] == moved["url"]


def test_one_link_twice_in_an_import_is_a_problem(network, tmp_path: Path) -> None:
    again = {**RESOURCE, "title": "The same, again", "url": "HTTPS://example.org/guides/record-linkage/#top"}
    with pytest.raises(ImportRejected) as e:
        import_files(network, [write_csv(tmp_path / "resources.csv", [RESOURCE, again])])
    (problem,) = e.value.problems
    assert (problem.row, problem.column) == ("row 3", "url")
    assert "is the same link as resources.csv row 2" in problem.reason


@pytest.mark.parametrize(
    "url",
    [
        "https://intranet/wiki/linkage",
        "https://example.org/fr/qualité-des-données",
        "https://example.org/ru/Машинное_обучение",
        "http://статистика.рф/обучение",
    ],
)
def test_an_intranet_or_non_ascii_link_is_taken_by_the_import_and_the_web_alike(
    network, tmp_path: Path, url: str
) -> None:
    """An imported resource can be edited on the web afterwards: the two take the same links."""
    import_files(network, [write_csv(tmp_path / "resources.csv", [{**RESOURCE, "url": url}])])
    from graphapp.library import edit_resource

    done = network.write(edit_resource, None, True, resource_id(url), {"title": "Edited", "url": url})
    assert done["title"] == "Edited" and done["url"] == url
    assert _shared_on_the_web(network, url + "/other", "On the web")


# --- Forms: XLSX and JSON, the dry run, the CLI -------------------------------------------------------


def test_xlsx_sheets_and_json_keys_named_after_the_kinds_import_the_same(store, tmp_path: Path) -> None:
    import_files(store, DEMO_FILES[:5])
    book = Workbook()
    projects = book.active
    projects.title = "Projects"
    projects.append(list(LINKAGE))
    projects.append(list(LINKAGE.values()))
    resources = book.create_sheet("Resources")
    resources.append(list(RESOURCE))
    resources.append(list(RESOURCE.values()))
    book.save(tmp_path / "journey.xlsx")
    import_files(store, [tmp_path / "journey.xlsx"])
    from_xlsx = graph(store)
    document = {
        "projects": [{**LINKAGE, "members": LINKAGE["members"].split("; "), "topics": ["record linkage"]}],
        "resources": [RESOURCE],
    }
    (tmp_path / "journey.json").write_text(json.dumps(document))
    assert import_files(store, [tmp_path / "journey.json"]).is_empty()  # the same, so nothing to change
    assert graph(store) == from_xlsx
    assert _project(store, "p-linking-tax-and-survey-records")["members"]["rui.costa@example.org"] == "lead"


def test_the_dry_run_says_what_would_change_and_writes_nothing(network, tmp_path: Path) -> None:
    before = graph(network)
    plan = import_files(network, [write_csv(tmp_path / "p.csv", [LINKAGE])], dry_run=True)
    assert graph(network) == before
    summary = plan.summary(dry_run=True)
    assert "Project: would create 1" in summary and "new Project: Linking tax and survey records" in summary


def test_the_cli_imports_projects_and_says_so(runner, tmp_path: Path) -> None:
    assert runner.invoke("import", *map(str, NETWORK)).exit_code == 0
    path = write_csv(tmp_path / "projects.csv", [LINKAGE])
    dry = runner.invoke("import", str(path), "--dry-run")
    assert dry.exit_code == 0 and "dry run: nothing was written" in dry.stdout
    assert "Project: would create 1" in dry.stdout
    done = runner.invoke("import", str(path))
    assert done.exit_code == 0 and "Project: created 1" in done.stdout
    assert "WORKS_ON: created 3" in done.stdout
    bad = write_csv(tmp_path / "bad.csv", [{**LINKAGE, "code": "javascript:alert(1)"}])
    refused = runner.invoke("import", str(bad))
    assert refused.exit_code != 0
    assert "bad.csv, row 2, column 'code': 'javascript:alert(1)' is not a public web link" in refused.stderr
    assert "nothing was written" in refused.stderr


# --- The history and the suggestion index ------------------------------------------------------------


def test_the_history_records_each_project_theme_and_resource_in_the_imports_batch(
    network, tmp_path: Path
) -> None:
    themes = write_csv(
        tmp_path / "themes.csv", [{"name": "Data governance", "kind": "theme", "position": "10"}]
    )
    import_files(
        network, [themes, write_csv(tmp_path / "p.csv", [LINKAGE]), write_csv(tmp_path / "r.csv", [RESOURCE])]
    )
    (summary,) = _changes(network, kind="import")[:1]
    batch = summary["batch"]
    assert "1 new theme; 1 new project; 1 new resource" in summary["summary"]
    (made,) = _changes(network, kind="project")
    assert (made["subject"], made["batch"], made["member"]) == (
        "project:p-linking-tax-and-survey-records",
        batch,
        "",
    )
    after = json.loads(made["after"])
    rui = network.read(
        lambda tx: tx.run("MATCH (m:Member {email: 'rui.costa@example.org'}) RETURN m.id AS id")
    )[0]["id"]
    assert f"{rui}:lead" in after["members"] and after["topics"] == ["record-linkage"]
    assert after["stage"] == "demonstration" and after["organisation"] == "cbs-nl"
    assert rui in made["about"]  # (forgetting the member blanks them in it)
    assert [c["subject"] for c in _changes(network, kind="theme", batch=batch)] == ["theme:data-governance"]
    (shared,) = _changes(network, kind="resource")
    assert json.loads(shared["after"])["shared_by"] == rui and shared["batch"] == batch
    # A change: only what changed, before and after.
    import_files(
        network,
        [write_csv(tmp_path / "p2.csv", [{**LINKAGE, "stage": "production", "production": "2025-03-03"}])],
    )
    changed = _changes(network, kind="project")[0]
    assert json.loads(changed["before"]) == {"production": "", "stage": "demonstration"}
    assert json.loads(changed["after"]) == {"production": "2025-03-03", "stage": "production"}


def test_an_import_of_only_projects_and_resources_changes_no_member(network, tmp_path: Path) -> None:
    """The suggestion index is patched, not rebuilt: the write declares that it changed no member."""
    import_files(
        network, [write_csv(tmp_path / "p.csv", [LINKAGE]), write_csv(tmp_path / "r.csv", [RESOURCE])]
    )
    _, log = network.read(revision_and_log)
    assert json.loads(log or "[]")[-1][2] == []
    themes = write_csv(
        tmp_path / "themes.csv", [{"name": "Data governance", "kind": "theme", "position": "10"}]
    )
    import_files(network, [themes])
    _, log = network.read(revision_and_log)
    assert json.loads(log or "[]")[-1][2] == []


# --- Hostile text ---------------------------------------------------------------------------------------


def test_hostile_text_is_kept_as_text_and_shown_as_text(app, client, tmp_path: Path) -> None:
    from graphapp.db import get_store
    from tests.helpers import csrf_token

    with app.app_context():
        import_files(get_store(), NETWORK)
    hostile = project("<script>alert('x')</script> coding", stage="idea", report="https://example.org/r")
    path = write_csv(tmp_path / "projects.csv", [hostile])
    with path.open("rb") as f:
        page = client.post(
            "/import",
            data={"csrf_token": csrf_token(client, "/import"), "files": (f, "projects.csv")},
            content_type="multipart/form-data",
        )
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text[:500]
    assert "&lt;script&gt;alert(" in text and "<script>alert(" not in text
    with app.app_context():
        titles = get_store().read(lambda tx: tx.run("MATCH (p:Project) RETURN p.title AS t"))
    assert [r["t"] for r in titles] == ["<script>alert('x')</script> coding"]
    refused = project("A link", stage="idea", code="javascript:alert(document.cookie)")
    path = write_csv(tmp_path / "refused.csv", [refused])
    with path.open("rb") as f:
        page = client.post(
            "/import",
            data={"csrf_token": csrf_token(client, "/import"), "files": (f, "refused.csv")},
            content_type="multipart/form-data",
        )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "refused.csv, row 2, column &#39;code&#39;" in text and "is not a public web link" in text

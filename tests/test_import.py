"""Importing members, organisations, topics and workstreams: on both stores, with identical results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from graphapp.demo import DEMO_FILES
from graphapp.ingest import ImportRejected, import_files
from graphapp.ingest.normalise import member_id
from tests.helpers import MEMBER_COLUMNS, graph, member, write_csv

WORKSTREAMS = [
    {"id": "WS1", "name": "ML studies toward production", "description": "", "covers": "record linkage"},
    {"id": "WS7", "name": "Data science leaders network", "description": "", "covers": ""},
]


@pytest.fixture
def workstreams(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "workstreams.csv", WORKSTREAMS)


def _interests(store, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = store.read(
        lambda tx: tx.run(
            "MATCH (m:Member {id: $id})-[r:INTERESTED_IN]->(t:Topic) RETURN t.name AS topic, r.level AS level",
            id=member_id(email),
        )
    )
    return {r["topic"]: r["level"] for r in rows}


def test_demo_loads_every_kind(store) -> None:
    plan = import_files(store, DEMO_FILES)
    counts = plan.counts()
    assert counts["Member"]["created"] == 150
    assert counts["Organisation"]["created"] == 47
    assert counts["Topic"]["created"] == 32
    assert counts["Workstream"]["created"] == 7
    assert (counts["Theme"]["created"], counts["Project"]["created"], counts["Resource"]["created"]) == (
        9,
        26,
        15,
    )
    held = graph(store)
    assert len(held["nodes"]["Member"]) == 150
    # The group's public workstreams: no WS3, which its page does not name (graphapp/data/demo/README.md).
    assert {w["id"] for w in held["nodes"]["Workstream"]} == {"WS1", "WS2", "WS4", "WS5", "WS6", "WS7", "WS8"}
    assert all(m["email"].endswith("@example.org") for m in held["nodes"]["Member"])
    # Every member works somewhere and every member has a region from their organisation's country.
    assert len(held["relationships"]["WORKS_AT"]) == 150
    assert all(m.get("region") for m in held["nodes"]["Member"])
    ons = next(o for o in held["nodes"]["Organisation"] if o["id"] == "ons")
    assert (ons["country"], ons["region"], ons["subregion"]) == ("GBR", "Europe", "Northern Europe")


def test_reimport_changes_nothing(store) -> None:
    import_files(store, DEMO_FILES)
    before = graph(store)
    again = import_files(store, DEMO_FILES)
    assert again.is_empty()
    assert again.counts()["Member"] == {"created": 0, "updated": 0, "unchanged": 150}
    assert graph(store) == before


def test_dry_run_reports_the_real_run_and_writes_nothing(store) -> None:
    dry = import_files(store, DEMO_FILES, dry_run=True)
    assert graph(store)["nodes"]["Member"] == []
    real = import_files(store, DEMO_FILES)
    assert dry.counts() == real.counts()


def test_topic_spellings_meet(store, tmp_path: Path) -> None:
    topics = write_csv(
        tmp_path / "topics.csv",
        [
            {"id": "", "name": "record linkage", "aliases": "entity resolution; data matching"},
            {"id": "", "name": "natural language processing", "aliases": "NLP"},
        ],
    )
    members = write_csv(
        tmp_path / "members.csv",
        [
            member("Ana Example", "ana@example.org", topics="Record-Linkage:expert; nlp"),
            member(
                "Bo Example",
                "bo@example.org",
                topics="entity  resolution:learning; Natural Language Processing",
            ),
            member(
                "Cy Example", "cy@example.org", topics="RECORD LINKAGE; Data Matching; New Topic:learning"
            ),
        ],
    )
    import_files(store, [topics, members], new_topics=True)
    names = sorted(t["name"] for t in graph(store)["nodes"]["Topic"])
    assert names == ["New Topic", "natural language processing", "record linkage"]
    assert _interests(store, "ana@example.org") == {
        "record linkage": "expert",
        "natural language processing": "practising",
    }
    assert _interests(store, "bo@example.org")["record linkage"] == "learning"


def test_same_topic_twice_in_one_cell_with_different_levels_is_rejected(store, tmp_path: Path) -> None:
    members = write_csv(
        tmp_path / "m.csv", [member("Ana", "ana@example.org", topics="NLP:expert; nlp:learning")]
    )
    with pytest.raises(ImportRejected) as e:
        import_files(store, [members], new_topics=True)
    assert "twice with different levels" in str(e.value)


def test_bad_rows_are_reported_precisely_and_nothing_is_written(
    store, tmp_path: Path, workstreams: Path
) -> None:
    import_files(store, [workstreams], new_topics=True)
    before = graph(store)
    rows = [member(f"Person {i}", f"p{i}@example.org", country="NLD") for i in range(1, 40)]
    rows[4]["email"] = "not-an-email"  # row 6 of the file (header is row 1)
    rows[9]["country"] = "Atlantis"  # row 11
    rows[14]["topics"] = "record linkage:guru"  # row 16
    rows[19]["workstreams"] = "WS9"  # row 21
    rows[24]["knows"] = "nobody@example.org"  # row 26
    rows[29]["name"] = ""  # row 31
    bad = write_csv(tmp_path / "members.csv", rows)
    with pytest.raises(ImportRejected) as e:
        import_files(store, [bad], new_topics=True)
    report = {(p.row, p.column): (p.value, p.reason) for p in e.value.problems}
    assert set(report) == {
        ("row 6", "email"),
        ("row 11", "country"),
        ("row 16", "topics"),
        ("row 21", "workstreams"),
        ("row 26", "knows"),
        ("row 31", "name"),
    }
    assert all(p.file == "members.csv" for p in e.value.problems)
    assert report[("row 6", "email")] == ("not-an-email", "is not an email address")
    assert report[("row 11", "country")][0] == "Atlantis"
    assert "learning, practising, expert" in report[("row 16", "topics")][1]
    assert "WS1, WS7" in report[("row 21", "workstreams")][1]
    assert report[("row 26", "knows")][0] == "nobody@example.org"
    assert "members.csv, row 6, column 'email': 'not-an-email' is not an email address" in str(e.value)
    assert graph(store) == before


def test_a_failure_while_writing_leaves_the_graph_as_it_was(store) -> None:
    import_files(store, DEMO_FILES[:3])
    before = graph(store)

    def fail_after_first_step(step: str, done: int, total: int) -> None:
        if step.startswith("creating") and step != "creating Organisation" and done:
            raise RuntimeError("disk full (simulated by the test)")

    with pytest.raises(RuntimeError, match="simulated"):
        import_files(store, DEMO_FILES, progress=fail_after_first_step)
    assert graph(store) == before


def test_duplicate_people_in_one_file_are_rejected(store, tmp_path: Path) -> None:
    rows = [member("Ana", "ana@example.org"), member("Ana again", "ANA@example.org ")]
    with pytest.raises(ImportRejected) as e:
        import_files(store, [write_csv(tmp_path / "m.csv", rows)], new_topics=True)
    (problem,) = e.value.problems
    assert (problem.row, problem.column) == ("row 3", "email")
    assert "same member as m.csv row 2" in problem.reason


def test_a_row_owns_its_columns_and_leaves_missing_columns_alone(
    store, tmp_path: Path, workstreams: Path
) -> None:
    first = write_csv(
        tmp_path / "first.csv",
        [
            member(
                "Ana Example",
                "ana@example.org",
                organisation="Statistics Netherlands",
                country="NL",
                title="Head of data science",
                topics="record linkage:expert; NLP",
                workstreams="WS1:lead; WS7",
            ),
        ],
    )
    import_files(store, [workstreams, first], new_topics=True)
    # A later file changes the level, drops NLP, clears the title and has no workstreams column at all.
    second = write_csv(
        tmp_path / "second.csv",
        [
            {
                "name": "Ana Example",
                "email": "ana@example.org",
                "title": "",
                "topics": "record linkage:learning",
            }
        ],
    )
    plan = import_files(store, [second], new_topics=True)
    assert plan.counts()["INTERESTED_IN"] == {"created": 0, "updated": 1, "removed": 1}
    assert set(plan.changed["Member"][member_id("ana@example.org")]) == {"title", "topics"}
    assert _interests(store, "ana@example.org") == {"record linkage": "learning"}
    held = graph(store)
    ana = held["nodes"]["Member"][0]
    assert "title" not in ana and ana["country"] == "NLD" and ana["region"] == "Europe"
    assert sorted((r["target"], r["role"]) for r in held["relationships"]["MEMBER_OF"]) == [
        ("WS1", "lead"),
        ("WS7", "member"),
    ]


def test_contacts_are_undirected_and_only_added(store, tmp_path: Path) -> None:
    rows = [
        member("Ana", "ana@example.org", knows="bo@example.org; cy@example.org"),
        member("Bo", "bo@example.org", knows="ana@example.org"),
        member("Cy", "cy@example.org"),
    ]
    import_files(store, [write_csv(tmp_path / "m.csv", rows)], new_topics=True)
    assert len(graph(store)["relationships"]["KNOWS"]) == 2
    # Ana no longer lists Cy, but nothing is lost: a contact is only ever added.
    rows[0]["knows"] = "bo@example.org"
    assert import_files(store, [write_csv(tmp_path / "m2.csv", rows)], new_topics=True).is_empty()
    assert len(graph(store)["relationships"]["KNOWS"]) == 2


def test_contacts_may_name_members_already_in_the_graph(store, tmp_path: Path) -> None:
    import_files(store, [write_csv(tmp_path / "a.csv", [member("Ana", "ana@example.org")])], new_topics=True)
    import_files(
        store,
        [write_csv(tmp_path / "b.csv", [member("Bo", "bo@example.org", knows="ana@example.org")])],
        new_topics=True,
    )
    (edge,) = graph(store)["relationships"]["KNOWS"]
    assert {edge["source"], edge["target"]} == {member_id("ana@example.org"), member_id("bo@example.org")}


def test_xlsx_workbook_with_a_sheet_per_kind(store, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Workstreams"
    ws.append(["ID", "Name", "Description", "Covers"])
    ws.append(["WS2", "Quality of statistical algorithms", "QF4SA", "quality frameworks"])
    people = wb.create_sheet("Members")
    people.append(["Name", "Email", "Organisation", "Country", "Title", "Topics", "Workstreams", "Knows"])
    people.append(
        [
            "Ana Example",
            "ana@example.org",
            "Statistics Canada",
            "CA",
            None,
            "quality frameworks:expert",
            "ws2:lead",
            None,
        ]
    )
    people.append([None, None, None, None, None, None, None, None])  # trailing blank rows are common
    path = tmp_path / "network.xlsx"
    wb.save(path)
    plan = import_files(store, [path], new_topics=True)
    assert plan.counts()["Member"]["created"] == 1
    held = graph(store)
    assert held["relationships"]["MEMBER_OF"] == [
        {"source": member_id("ana@example.org"), "target": "WS2", "role": "lead"}
    ]
    assert held["relationships"]["COVERS"] == [{"source": "WS2", "target": "quality-frameworks"}]


def test_json_with_every_kind_and_structured_topics(store, tmp_path: Path) -> None:
    doc = {
        "organisations": [
            {
                "id": "ons",
                "name": "Office for National Statistics",
                "kind": "nso",
                "country": "GBR",
                "aliases": ["ONS"],
            }
        ],
        "topics": [{"name": "record linkage", "aliases": ["entity resolution"]}],
        "workstreams": [{"id": "WS7", "name": "Data science leaders network"}],
        "members": [
            {
                "name": "Ana Example",
                "email": "ana@example.org",
                "organisation": "ONS",
                "topics": [{"name": "entity resolution", "level": "expert"}, "web scraping"],
                "workstreams": ["WS7:lead"],
            }
        ],
    }
    path = tmp_path / "network.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    import_files(store, [path], new_topics=True)
    held = graph(store)
    assert held["nodes"]["Organisation"][0]["kind"] == "NSO"
    assert held["relationships"]["WORKS_AT"][0]["target"] == "ons"
    assert _interests(store, "ana@example.org") == {"record linkage": "expert", "web scraping": "practising"}
    assert held["nodes"]["Member"][0]["country"] == "GBR"  # from the organisation


def test_tricky_text_survives_both_write_paths(store, tmp_path: Path) -> None:
    """Quotes, commas, newlines and non-Latin text go through the bulk (COPY) path intact."""
    name = 'Zoë "Z" O\'Neill, PhD\nsecond line'
    rows = [member(name, "zoe@example.org", title="Leiter, Data Science; 統計", topics="統計学習")]
    import_files(store, [write_csv(tmp_path / "m.csv", rows)], new_topics=True)
    (held,) = graph(store)["nodes"]["Member"]
    assert held["name"] == 'Zoë "Z" O\'Neill, PhD second line'  # whitespace, newlines included, is folded
    assert held["title"] == "Leiter, Data Science; 統計"
    assert graph(store)["nodes"]["Topic"][0]["name"] == "統計学習"


def test_consent_columns_are_imported_and_checked(store, tmp_path) -> None:
    rows = [
        member("Ana Example", "ana@example.org", email_visibility="Coordinators", suggestible="no"),
        member("Ben Example", "ben@example.org"),
    ]
    columns = (*MEMBER_COLUMNS, "email_visibility", "suggestible")
    import_files(store, [write_csv(tmp_path / "m.csv", rows, columns)], new_topics=True)
    held = {m["name"]: m for m in graph(store)["nodes"]["Member"]}
    assert (
        held["Ana Example"]["email_visibility"] == "coordinators"
        and held["Ana Example"]["suggestible"] == "no"
    )
    assert "email_visibility" not in held["Ben Example"]  # unset: the defaults
    # A later file without the columns leaves the choices alone.
    import_files(
        store,
        [write_csv(tmp_path / "again.csv", [member("Ana Example", "ana@example.org", title="Lead")])],
        new_topics=True,
    )
    assert {m["name"]: m for m in graph(store)["nodes"]["Member"]}["Ana Example"]["suggestible"] == "no"
    bad = [member("Cy Example", "cy@example.org", email_visibility="everyone", suggestible="maybe")]
    with pytest.raises(ImportRejected) as e:
        import_files(store, [write_csv(tmp_path / "bad.csv", bad, columns)], new_topics=True)
    report = e.value.report()
    assert "column 'email_visibility': 'everyone' must be one of members, coordinators, nobody" in report
    assert "column 'suggestible': 'maybe' must be one of yes, no" in report


# --- Cross-references between rows and with the graph: each problem names file, row, column and value ----


def _problems(e: pytest.ExceptionInfo[ImportRejected]) -> set[tuple[str, str, str, str, str]]:
    return {(p.file, p.row, p.column, p.value, p.reason) for p in e.value.problems}


def test_topic_rows_that_name_one_topic_twice_are_rejected(store, tmp_path: Path) -> None:
    rows = [
        {"id": "", "name": "record linkage", "aliases": "entity resolution"},
        {"id": "", "name": "NLP", "aliases": "text mining"},
        {"id": "", "name": "text mining", "aliases": "entity resolution"},  # two topics at once
        {"id": "", "name": "Record-Linkage!", "aliases": ""},  # row 2 again
        {"id": "ml", "name": "machine learning", "aliases": "nlp"},  # an alias of row 3's topic
    ]
    with pytest.raises(ImportRejected) as e:
        import_files(store, [write_csv(tmp_path / "topics.csv", rows)], new_topics=True)
    assert _problems(e) == {
        (
            "topics.csv",
            "row 4",
            "aliases",
            "entity resolution",
            "name and aliases point at different topics: nlp, record-linkage",
        ),
        ("topics.csv", "row 5", "name", "Record-Linkage!", "is the same topic as topics.csv row 2"),
        ("topics.csv", "row 6", "aliases", "nlp", "already names the topic 'NLP'"),
    }
    assert graph(store)["nodes"]["Topic"] == []


def test_organisation_rows_that_name_one_organisation_twice_are_rejected(store, tmp_path: Path) -> None:
    rows = [
        {
            "id": "",
            "name": "Office for National Statistics",
            "kind": "NSO",
            "country": "GBR",
            "aliases": "ONS",
        },
        {"id": "", "name": "Statistics Netherlands", "kind": "NSO", "country": "NLD", "aliases": "CBS"},
        {"id": "", "name": "CBS", "kind": "", "country": "", "aliases": "ONS"},  # two organisations at once
        {"id": "", "name": "ons", "kind": "", "country": "", "aliases": ""},  # row 2 again
        {"id": "destatis", "name": "Destatis", "kind": "NSO", "country": "DEU", "aliases": "CBS"},
    ]
    with pytest.raises(ImportRejected) as e:
        import_files(store, [write_csv(tmp_path / "organisations.csv", rows)], new_topics=True)
    assert _problems(e) == {
        (
            "organisations.csv",
            "row 4",
            "aliases",
            "ONS",
            "name and aliases point at different organisations: "
            "office-for-national-statistics, statistics-netherlands",
        ),
        ("organisations.csv", "row 5", "name", "ons", "is the same organisation as organisations.csv row 2"),
        (
            "organisations.csv",
            "row 6",
            "aliases",
            "cbs",
            "already names the organisation 'Statistics Netherlands'",
        ),
    }
    assert graph(store)["nodes"]["Organisation"] == []


def test_a_workstream_twice_is_rejected(store, tmp_path: Path) -> None:
    rows = [*WORKSTREAMS, {"id": "ws-1", "name": "Again", "description": "", "covers": ""}]
    with pytest.raises(ImportRejected) as e:
        import_files(store, [write_csv(tmp_path / "workstreams.csv", rows)], new_topics=True)
    assert _problems(e) == {("workstreams.csv", "row 4", "id", "WS1", "appears twice")}


def test_member_rows_that_clash_with_each_other_or_the_graph_are_rejected(store, tmp_path: Path) -> None:
    topics = [{"name": "record linkage", "aliases": "entity resolution"}]
    import_files(
        store,
        [
            write_csv(tmp_path / "topics.csv", topics),
            write_csv(tmp_path / "first.csv", [member("Ana", "ana@example.org")]),
        ],
        new_topics=True,
    )
    before = graph(store)
    columns = ("id", *MEMBER_COLUMNS)
    rows = [
        {**member("Ana Again", "ana@example.org"), "id": "ana-2"},  # Ana's email, another id
        {**member("Bo", "bo@example.org"), "id": "bo"},
        {**member("Bo Twin", "bo@example.org"), "id": "bo-2"},  # Bo's email again
        {**member("Cy", "cy@example.org"), "id": "cy"},
        {**member("Cy Twin", "cy2@example.org"), "id": "cy"},  # Cy's id again
        member("Di", "di@example.org", topics="record linkage:expert; entity resolution:learning"),
    ]
    with pytest.raises(ImportRejected) as e:
        import_files(store, [write_csv(tmp_path / "m.csv", rows, columns)], new_topics=True)
    ana = member_id("ana@example.org")
    assert _problems(e) == {
        ("m.csv", "row 2", "email", "ana@example.org", f"already belongs to another member (id {ana})"),
        ("m.csv", "row 4", "email", "bo@example.org", "is already used by m.csv row 3"),
        ("m.csv", "row 4", "email", "bo@example.org", "already belongs to another member (id bo)"),
        ("m.csv", "row 6", "id", "cy", "is the same member as m.csv row 5"),
        (
            "m.csv",
            "row 7",
            "topics",
            "entity resolution",
            "names a topic already listed, with a different level",
        ),
    }
    assert graph(store) == before


def test_rows_that_leave_out_columns_keep_what_the_graph_holds(store, tmp_path: Path) -> None:
    """An organisation or topic row without kind, country or aliases changes only the name."""
    import_files(
        store,
        [
            write_csv(
                tmp_path / "organisations.csv",
                [
                    {
                        "name": "Office for National Statistics",
                        "kind": "NSO",
                        "country": "UK",
                        "aliases": "ONS",
                    }
                ],
            ),
            write_csv(
                tmp_path / "topics.csv",
                [{"name": "NLP", "aliases": "nlp; text mining"}],  # an alias equal to the name is dropped
            ),
        ],
        new_topics=True,
    )
    held = graph(store)
    assert held["nodes"]["Topic"] == [{"id": "nlp", "name": "NLP", "aliases": ["text mining"]}]
    plan = import_files(
        store,
        [
            write_csv(tmp_path / "organisations2.csv", [{"name": "ONS", "kind": ""}], ("name", "kind")),
            write_csv(tmp_path / "topics2.csv", [{"name": "Text Mining"}], ("name",)),
        ],
        new_topics=True,
    )
    assert plan.changed == {
        "Organisation": {"office-for-national-statistics": ["name", "kind"]},
        "Topic": {"nlp": ["name"]},
    }
    (ons,) = graph(store)["nodes"]["Organisation"]
    assert ons == {
        "id": "office-for-national-statistics",
        "name": "ONS",
        "kind": "other",
        "country": "GBR",
        "region": "Europe",
        "subregion": "Northern Europe",
        "aliases": ["ONS"],
    }
    assert graph(store)["nodes"]["Topic"] == [
        {"id": "nlp", "name": "Text Mining", "aliases": ["text mining"]}
    ]


def test_an_organisation_first_named_by_a_member_takes_the_rows_kind_and_country(
    store, tmp_path: Path
) -> None:
    rows = [
        member("Ana", "ana@example.org", organisation="Statistics Netherlands", country="NL"),
        member("Bo", "bo@example.org", organisation="statistics netherlands"),
    ]
    path = write_csv(
        tmp_path / "m.csv",
        [{**r, "organisation_kind": "nso"} for r in rows],
        (*MEMBER_COLUMNS, "organisation_kind"),
    )
    import_files(store, [path], new_topics=True)
    held = graph(store)
    assert held["nodes"]["Organisation"] == [
        {
            "id": "statistics-netherlands",
            "name": "Statistics Netherlands",
            "kind": "NSO",
            "country": "NLD",
            "region": "Europe",
            "subregion": "Western Europe",
            "aliases": [],
        }
    ]
    assert [m["country"] for m in held["nodes"]["Member"]] == ["NLD", "NLD"]  # Bo's from the organisation


def test_names_with_no_letters_or_digits_are_matched_as_written(store, tmp_path: Path) -> None:
    """An organisation or topic called '—' is one node, however often it is imported."""
    path = write_csv(tmp_path / "m.csv", [member("Ana", "ana@example.org", organisation="—", topics="?!")])
    import_files(store, [path], new_topics=True)
    before = graph(store)
    assert [o["name"] for o in before["nodes"]["Organisation"]] == ["—"]
    assert [t["name"] for t in before["nodes"]["Topic"]] == ["?!"]
    assert import_files(store, [path], new_topics=True).is_empty()
    assert graph(store) == before


def test_the_summary_names_what_changes(store, tmp_path: Path) -> None:
    rows = [member("Ana", "ana@example.org"), member("Bo", "bo@example.org")]
    import_files(store, [write_csv(tmp_path / "m.csv", rows)], new_topics=True)
    rows[0]["knows"] = "bo@example.org"
    rows[1]["title"] = "Head of methods"
    plan = import_files(store, [write_csv(tmp_path / "m2.csv", rows)], dry_run=True, new_topics=True)
    ana, bo = member_id("ana@example.org"), member_id("bo@example.org")
    assert plan.summary(dry_run=True).splitlines() == [
        "2 rows read from 1 file",
        "  Member: would update 1, 1 unchanged",
        "  KNOWS: would create 1",
        f"  changed Member {bo}: title, contacts",
        f"  changed Member {ana}: contacts",
    ]


# --- Every problem of a file in one round (issue 15 §6) ---------------------------------------------------


def test_a_row_problem_and_an_unknown_workstream_are_reported_at_once(store, tmp_path: Path) -> None:
    """A coordinator fixing a file sees all its problems the first time: a bad email (which leaves the row
    without an id) and an unknown workstream in the same row, a bad level elsewhere, and a column that is
    not a column, all in one report; nothing is written."""
    rows = [
        member("Ana Example", "ana@", workstreams="WS9", topics="record linkage"),
        member("Bo Example", "bo.example@example.org", topics="record linkage:guru", workstreams="WS8:lead"),
    ]
    for row in rows:
        row["favourite_colour"] = "blue"
    path = write_csv(tmp_path / "members.csv", rows)
    with pytest.raises(ImportRejected) as e:
        import_files(store, [path], new_topics=True)
    said = {(p.row, p.column, p.value, p.reason.split(";")[0]) for p in e.value.problems}
    assert said == {
        ("row 1", "favourite_colour", "", "is not a column of members files"),
        ("row 2", "email", "ana@", "is not an email address"),
        ("row 2", "workstreams", "WS9", "is not a known workstream (known: none yet)"),
        ("row 3", "topics", "record linkage:guru", "has 'guru' after the colon"),
        ("row 3", "workstreams", "WS8", "is not a known workstream (known: none yet)"),
    }
    assert store.read(lambda tx: tx.run("MATCH (m:Member) RETURN count(m) AS n"))[0]["n"] == 0


def test_rows_with_too_many_cells_are_all_reported_with_the_other_problems(store, tmp_path: Path) -> None:
    path = tmp_path / "workstreams.csv"
    path.write_text(
        "id,name,covers\nWS1,One,record linkage,extra\nWS2,Two,no such topic\nWS3,Three,x,y,z\n", "utf-8"
    )
    with pytest.raises(ImportRejected) as e:
        import_files(store, [path])
    said = {(p.row, p.column, p.reason.split(" (")[0].split(";")[0]) for p in e.value.problems}
    assert said == {
        ("row 2", "", "has more cells than the header has columns"),
        (
            "row 3",
            "covers",
            "is not a topic in the vocabulary: to add it to the vocabulary, list it in a topics file, or import with --new-topics",
        ),
        ("row 4", "", "has more cells than the header has columns"),
    }, said


def test_refused_project_and_resource_rows_have_their_references_checked_too(store, tmp_path: Path) -> None:
    """A project given twice and a resource whose link repeats another's: the second rows are refused, and
    what they name (members, workstreams) is checked all the same."""
    projects = tmp_path / "projects.csv"
    projects.write_text(
        "id,title,stage,members,workstream\np-1,One,idea,,\np-1,One again,idea,nobody@example.org,WS9\n",
        "utf-8",
    )
    resources = tmp_path / "resources.csv"
    resources.write_text(
        "title,url,language,topics,workstream,shared_by\n"
        "A,https://example.org/a,en,x,,\nB,https://example.org/a,en,x,WS9,nobody@example.org\n",
        "utf-8",
    )
    with pytest.raises(ImportRejected) as e:
        import_files(store, [projects, resources], new_topics=True)
    said = {(p.file, p.row, p.column, p.value) for p in e.value.problems}
    assert {
        ("projects.csv", "row 3", "id", "p-1"),
        ("projects.csv", "row 3", "members", "nobody@example.org"),
        ("projects.csv", "row 3", "workstream", "WS9"),
        ("resources.csv", "row 3", "url", "https://example.org/a"),
        ("resources.csv", "row 3", "workstream", "WS9"),
        ("resources.csv", "row 3", "shared_by", "nobody@example.org"),
    } <= said, said

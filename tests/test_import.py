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
    assert counts["Workstream"]["created"] == 6
    held = graph(store)
    assert len(held["nodes"]["Member"]) == 150
    assert {w["id"] for w in held["nodes"]["Workstream"]} == {"WS1", "WS2", "WS4", "WS5", "WS6", "WS7"}
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
    import_files(store, [topics, members])
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
        import_files(store, [members])
    assert "twice with different levels" in str(e.value)


def test_bad_rows_are_reported_precisely_and_nothing_is_written(
    store, tmp_path: Path, workstreams: Path
) -> None:
    import_files(store, [workstreams])
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
        import_files(store, [bad])
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
        import_files(store, [write_csv(tmp_path / "m.csv", rows)])
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
    import_files(store, [workstreams, first])
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
    plan = import_files(store, [second])
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
    import_files(store, [write_csv(tmp_path / "m.csv", rows)])
    assert len(graph(store)["relationships"]["KNOWS"]) == 2
    # Ana no longer lists Cy, but nothing is lost: a contact is only ever added.
    rows[0]["knows"] = "bo@example.org"
    assert import_files(store, [write_csv(tmp_path / "m2.csv", rows)]).is_empty()
    assert len(graph(store)["relationships"]["KNOWS"]) == 2


def test_contacts_may_name_members_already_in_the_graph(store, tmp_path: Path) -> None:
    import_files(store, [write_csv(tmp_path / "a.csv", [member("Ana", "ana@example.org")])])
    import_files(
        store, [write_csv(tmp_path / "b.csv", [member("Bo", "bo@example.org", knows="ana@example.org")])]
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
    plan = import_files(store, [path])
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
    import_files(store, [path])
    held = graph(store)
    assert held["nodes"]["Organisation"][0]["kind"] == "NSO"
    assert held["relationships"]["WORKS_AT"][0]["target"] == "ons"
    assert _interests(store, "ana@example.org") == {"record linkage": "expert", "web scraping": "practising"}
    assert held["nodes"]["Member"][0]["country"] == "GBR"  # from the organisation


def test_tricky_text_survives_both_write_paths(store, tmp_path: Path) -> None:
    """Quotes, commas, newlines and non-Latin text go through the bulk (COPY) path intact."""
    name = 'Zoë "Z" O\'Neill, PhD\nsecond line'
    rows = [member(name, "zoe@example.org", title="Leiter, Data Science; 統計", topics="統計学習")]
    import_files(store, [write_csv(tmp_path / "m.csv", rows)])
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
    import_files(store, [write_csv(tmp_path / "m.csv", rows, columns)])
    held = {m["name"]: m for m in graph(store)["nodes"]["Member"]}
    assert (
        held["Ana Example"]["email_visibility"] == "coordinators"
        and held["Ana Example"]["suggestible"] == "no"
    )
    assert "email_visibility" not in held["Ben Example"]  # unset: the defaults
    # A later file without the columns leaves the choices alone.
    import_files(
        store, [write_csv(tmp_path / "again.csv", [member("Ana Example", "ana@example.org", title="Lead")])]
    )
    assert {m["name"]: m for m in graph(store)["nodes"]["Member"]}["Ana Example"]["suggestible"] == "no"
    bad = [member("Cy Example", "cy@example.org", email_visibility="everyone", suggestible="maybe")]
    with pytest.raises(ImportRejected) as e:
        import_files(store, [write_csv(tmp_path / "bad.csv", bad, columns)])
    report = e.value.report()
    assert "column 'email_visibility': 'everyone' must be one of members, coordinators, nobody" in report
    assert "column 'suggestible': 'maybe' must be one of yes, no" in report

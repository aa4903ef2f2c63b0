"""Joining in bulk from a survey (issue 16): a survey tool's export imported through a mapping, on both
stores: answers mapped and nothing guessed, all or nothing with the survey's own rows and questions,
idempotent, the same person matched by email or (confirmed) by name and organisation, saved mappings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graphapp.ingest import ImportRejected, import_files
from graphapp.ingest.mapping import (
    guess_mapping,
    import_survey,
    load_mapping,
    read_mapping_file,
    save_mapping,
    saved_mapping,
)
from graphapp.ingest.normalise import member_id
from graphapp.ingest.survey import read_survey
from graphapp.queries.history import changes
from tests.helpers import graph, member, write_csv
from tests.surveys import (
    EXAMPLE_MAPPING,
    EXAMPLE_SURVEY,
    FR_RU_HEADER,
    FR_RU_MAPPING,
    FR_RU_ROWS,
    network_files,
    write_xlsx_with_title_rows,
)


@pytest.fixture
def network(store, tmp_path: Path):  # type: ignore[no-untyped-def]
    import_files(store, network_files(tmp_path))
    return store


def _interests(store, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = store.read(
        lambda tx: tx.run(
            "MATCH (m:Member {id: $id})-[r:INTERESTED_IN]->(t:Topic) RETURN t.name AS topic, r.level AS level",
            id=member_id(email),
        )
    )
    return {r["topic"]: r["level"] for r in rows}


def _members(store) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    return {m["email"]: m for m in graph(store)["nodes"]["Member"]}


def _survey_copy(tmp_path: Path, text: str | None = None) -> Path:
    path = tmp_path / "webinar.csv"
    if text is None:
        shutil.copy(EXAMPLE_SURVEY, path)
    else:
        path.write_text(text, encoding="utf-8-sig")
    return path


def test_the_documented_example_imports_every_answer_as_it_means(network, tmp_path: Path) -> None:
    done = import_survey(network, _survey_copy(tmp_path), read_mapping_file(EXAMPLE_MAPPING))
    members = _members(network)
    assert sorted(members) == [
        "ana.example@example.org",
        "ben.sample@example.org",
        "chloe.exemple@example.org",
        "dmitri.primerov@example.org",
    ]
    assert done.plan.counts()["Member"]["created"] == 4
    # Levels from free text; a list's topics at its level; the level question wins over the list's.
    assert _interests(network, "ana.example@example.org") == {
        "record linkage": "expert",
        "large language models": "practising",
    }
    # "Other (please specify)" read as topics, one of them through the mapping's topics.
    assert _interests(network, "ben.sample@example.org") == {
        "satellite imagery": "practising",
        "natural language processing": "practising",
        "record linkage": "learning",
    }
    assert _interests(network, "dmitri.primerov@example.org") == {}  # "No experience": no interest
    # Countries in any common spelling; organisations by their aliases; a blank title left unset.
    assert members["ben.sample@example.org"]["country"] == "NLD"  # "Holland"
    assert members["dmitri.primerov@example.org"]["country"] == "RUS"  # "Russia"
    assert members["ben.sample@example.org"].get("title") is None
    works_at = {(r["source"], r["target"]) for r in graph(network)["relationships"]["WORKS_AT"]}
    assert (member_id("ana.example@example.org"), "cbs") in works_at  # "CBS"
    assert len(graph(network)["nodes"]["Organisation"]) == 3  # no organisation made from a spelling


def test_the_same_survey_twice_changes_nothing(network, tmp_path: Path) -> None:
    mapping = read_mapping_file(EXAMPLE_MAPPING)
    import_survey(network, _survey_copy(tmp_path), mapping)
    before = graph(network)
    again = import_survey(network, _survey_copy(tmp_path), mapping)
    assert again.plan.is_empty()
    assert graph(network) == before


def test_a_dry_run_writes_nothing_and_says_what_the_import_will_do(network, tmp_path: Path) -> None:
    mapping = read_mapping_file(EXAMPLE_MAPPING)
    dry = import_survey(network, _survey_copy(tmp_path), mapping, dry_run=True)
    assert _members(network) == {}
    real = import_survey(network, _survey_copy(tmp_path), mapping)
    assert dry.plan.counts() == real.plan.counts()


def test_answers_that_map_to_nothing_are_listed_with_the_closest_and_refused(network, tmp_path: Path) -> None:
    text = EXAMPLE_SURVEY.read_text("utf-8-sig")
    text = text.replace("INSEE", "Insee France").replace("Beginner", "dabbled a little")
    text = text.replace("Holland", "Nederland").replace("Satellite imagery", "Satelite imagery")
    path = _survey_copy(tmp_path, text)
    mapping = read_mapping_file(EXAMPLE_MAPPING)
    with pytest.raises(ImportRejected) as e:
        import_survey(network, path, mapping)
    found = {(p.row, p.column, p.value): p for p in e.value.problems}
    org = found[("row 4", "Which organisation do you work for?", "Insee France")]
    assert org.suggestions == ("INSEE",)
    assert "is not an organisation in the network" in org.reason
    topic = found[
        ("row 3", "Which ML topics are you working on? (select all that apply)", "Satelite imagery")
    ]
    assert topic.suggestions[0] == "satellite imagery"
    level = found[
        ("row 3", "How would you describe your experience with record linkage?", "dabbled a little")
    ]
    assert set(level.suggestions) <= {"learning", "practising", "expert", "none"} and level.suggestions
    country = found[("row 3", "In which country is your office?", "Nederland")]
    assert "Netherlands" in country.suggestions
    assert all(p.file == "webinar.csv" for p in e.value.problems)
    assert _members(network) == {}  # all or nothing
    # Once the mapping says what each means, the import goes through.
    data = json.loads(EXAMPLE_MAPPING.read_text("utf-8"))
    data["values"].update(
        levels={"dabbled a little": "learning"},
        countries={"Nederland": "Netherlands"},
        organisations={"Insee France": "INSEE"},
        topics={**data["values"]["topics"], "Satelite imagery": "satellite imagery"},
    )
    import_survey(network, path, load_mapping(data))
    assert _interests(network, "ben.sample@example.org")["satellite imagery"] == "practising"
    assert _members(network)["ben.sample@example.org"]["country"] == "NLD"


def test_ignore_and_new_say_what_an_answer_means(network, tmp_path: Path) -> None:
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("Rosstat", "Moscow Data Lab")
    text = text.replace("text classification, NLP", "quantum, NLP")
    data = json.loads(EXAMPLE_MAPPING.read_text("utf-8"))
    data["values"].update(organisations={"Moscow Data Lab": "new"}, topics={"quantum": "ignore"})
    import_survey(network, _survey_copy(tmp_path, text), load_mapping(data))
    names = {o["name"] for o in graph(network)["nodes"]["Organisation"]}
    assert "Moscow Data Lab" in names
    assert "quantum" not in {t["name"] for t in graph(network)["nodes"]["Topic"]}


def test_a_wrong_answer_is_pinned_to_the_surveys_row_and_question(network, tmp_path: Path) -> None:
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("chloe.exemple@example.org", "chloe.exemple@")
    with pytest.raises(ImportRejected) as e:
        import_survey(network, _survey_copy(tmp_path, text), read_mapping_file(EXAMPLE_MAPPING))
    assert [(p.file, p.row, p.column, p.value, str(p.reason)) for p in e.value.problems] == [
        ("webinar.csv", "row 4", "Email address", "chloe.exemple@", "is not an email address")
    ]
    assert "webinar.csv, row 4, column 'Email address': 'chloe.exemple@' is not an email address" in str(
        e.value
    )
    assert _members(network) == {}


def test_a_blank_email_is_pinned_to_the_email_question(network, tmp_path: Path) -> None:
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("ben.sample@example.org", "")
    with pytest.raises(ImportRejected) as e:
        import_survey(network, _survey_copy(tmp_path, text), read_mapping_file(EXAMPLE_MAPPING))
    assert [(p.row, p.column) for p in e.value.problems] == [("row 3", "Email address")]


def test_a_question_the_mapping_does_not_mention_is_refused(network, tmp_path: Path) -> None:
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("Timestamp,", "Submitted at,", 1)
    with pytest.raises(ImportRejected) as e:
        import_survey(network, _survey_copy(tmp_path, text), read_mapping_file(EXAMPLE_MAPPING))
    problems = {(p.row, p.column): str(p.reason) for p in e.value.problems}
    assert problems == {
        (
            "row 1",
            "Submitted at",
        ): "is a question the mapping does not mention: map it to a field, or to ignore"
    }


def test_a_member_who_answers_is_updated_by_email_and_keeps_their_topics(network, tmp_path: Path) -> None:
    held = member(
        "Ana Example",
        "Ana.Example@example.org",
        organisation="Statistics Netherlands",
        topics="satellite imagery:expert",
    )
    import_files(network, [write_csv(tmp_path / "members.csv", [held])])
    import_survey(network, _survey_copy(tmp_path), read_mapping_file(EXAMPLE_MAPPING))
    members = _members(network)
    assert len(members) == 4  # an update, not a duplicate
    ana = members["ana.example@example.org"]
    assert ana["title"] == "Head of data science"
    assert _interests(network, "ana.example@example.org") == {
        "satellite imagery": "expert",  # kept: a survey adds, never removes
        "record linkage": "expert",
        "large language models": "practising",
    }


def test_the_same_name_at_the_same_organisation_is_matched_only_when_confirmed(
    network, tmp_path: Path
) -> None:
    held = member(
        "Chloé Exemple", "c.exemple@example.org", organisation="INSEE", topics="record linkage:learning"
    )
    import_files(network, [write_csv(tmp_path / "members.csv", [held])])
    mapping = read_mapping_file(EXAMPLE_MAPPING)
    with pytest.raises(ImportRejected) as e:
        import_survey(network, _survey_copy(tmp_path), mapping)
    (problem,) = e.value.problems
    assert (problem.row, problem.column, problem.value) == ("row 4", "What is your name?", "Chloé Exemple")
    assert "may be the member Chloé Exemple of INSEE" in problem.reason
    assert len(_members(network)) == 1
    done = import_survey(network, _survey_copy(tmp_path), mapping, confirm={"row 4"})
    assert [(m.row, m.member, m.confirmed) for m in done.mapped.matches] == [
        ("row 4", member_id("c.exemple@example.org"), True)
    ]
    members = _members(network)
    assert len(members) == 4 and "chloe.exemple@example.org" not in members  # their email stays theirs
    assert members["c.exemple@example.org"]["title"] == "Cheffe de projet"
    assert _interests(network, "c.exemple@example.org") == {
        "record linkage": "practising",  # "Some experience" answered
        "large language models": "practising",
        "satellite imagery": "practising",
    }
    again = import_survey(network, _survey_copy(tmp_path), mapping, confirm=True)
    assert again.plan.is_empty()


def test_an_xlsx_with_merged_title_rows_and_french_and_russian_answers(network, tmp_path: Path) -> None:
    path = write_xlsx_with_title_rows(tmp_path / "bureaux.xlsx", FR_RU_HEADER, FR_RU_ROWS)
    survey = read_survey(path)
    assert survey.header_row == 4 and survey.questions == FR_RU_HEADER  # guessed below the title rows
    import_survey(network, path, load_mapping(FR_RU_MAPPING))
    members = _members(network)
    assert members["irina.primerova@example.org"]["country"] == "RUS"
    assert members["jean.modele@example.org"]["country"] == "DEU"  # "Allemagne"
    assert members["elodie.exemple@example.org"]["country"] == "FRA"
    assert _interests(network, "elodie.exemple@example.org") == {
        "record linkage": "practising",
        "satellite imagery": "practising",
        "large language models": "learning",  # "Débutant"
    }
    assert _interests(network, "irina.primerova@example.org") == {
        "natural language processing": "practising",
        "large language models": "expert",  # "Руковожу проектами"
    }
    works_at = {(r["source"], r["target"]) for r in graph(network)["relationships"]["WORKS_AT"]}
    assert (member_id("irina.primerova@example.org"), "rosstat") in works_at  # "Росстат", an alias


def test_an_error_in_an_xlsx_names_the_row_a_person_sees(network, tmp_path: Path) -> None:
    rows = [list(r) for r in FR_RU_ROWS]
    rows[1][2] = "irina.primerova@example"
    path = write_xlsx_with_title_rows(tmp_path / "bureaux.xlsx", FR_RU_HEADER, rows)
    with pytest.raises(ImportRejected) as e:
        import_survey(network, path, load_mapping(FR_RU_MAPPING))
    assert [(p.row, p.column) for p in e.value.problems] == [("row 6", FR_RU_HEADER[2])]


def test_a_first_guess_mapping_from_the_questions(tmp_path: Path) -> None:
    survey = read_survey(EXAMPLE_SURVEY)
    guess = guess_mapping(survey, vocabulary=["record linkage", "satellite imagery"])
    fields = {c.question: (c.field, c.topic) for c in guess.columns}
    assert fields == {
        "Timestamp": ("ignore", None),
        "What is your name?": ("name", None),
        "Email address": ("email", None),
        "Which organisation do you work for?": ("organisation", None),
        "In which country is your office?": ("country", None),
        "What is your job title?": ("title", None),
        "Which ML topics are you working on? (select all that apply)": ("topics", None),
        "Other (please specify)": ("other_topics", None),
        "How would you describe your experience with record linkage?": ("topic_level", "record linkage"),
    }
    assert load_mapping(guess.dumps()).as_json() == guess.as_json()  # what is written can be read back


def test_a_mapping_file_with_mistakes_says_which(tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as e:
        load_mapping(
            {
                "name": "x",
                "columns": [
                    {"question": "Q", "field": "nickname"},
                    {"question": "L", "field": "topic_level"},
                ],
                "values": {"levels": {"meh": "so-so"}},
            }
        )
    assert sorted((p.column, p.value) for p in e.value.problems) == [
        ("L", ""),
        ("Q", "nickname"),
        ("values", "meh"),
    ]


def test_a_saved_mapping_is_reused_by_name_and_recorded(network, tmp_path: Path) -> None:
    mapping = read_mapping_file(EXAMPLE_MAPPING)
    network.write(save_mapping, mapping)
    again = network.read(saved_mapping, "ML webinar survey")
    assert again is not None and again.as_json() == mapping.as_json()
    assert network.read(saved_mapping, "no such survey") is None
    recorded = network.read(lambda tx: changes(tx, kind="mapping"))
    assert [c["subject"] for c in recorded] == ["mapping:ml webinar survey"]
    # Kept in backups, with the rest of what the network keeps beside its members.
    (kept,) = graph(network)["nodes"]["SurveyMapping"]
    assert kept["name"] == "ML webinar survey" and json.loads(kept["mapping"]) == mapping.as_json()


def test_the_hostile_corpus_through_the_mapped_path(network, tmp_path: Path) -> None:
    from tests.test_hostile import CORPUS

    header = ["Your name", "Your email", "Your organisation", "Your title", "Topics"]
    rows = [[p, f"h{i}@example.org", f"Org {i}", p, "LLM"] for i, p in enumerate(CORPUS)]
    path = tmp_path / "hostile.csv"
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    mapping = {
        "name": "hostile",
        "columns": [
            {"question": "Your name", "field": "name"},
            {"question": "Your email", "field": "email"},
            {"question": "Your organisation", "field": "organisation"},
            {"question": "Your title", "field": "title"},
            {"question": "Topics", "field": "topics"},
        ],
        "values": {"organisations": {f"Org {i}": "new" for i in range(len(CORPUS))}},
    }
    import_survey(network, path, load_mapping(mapping))
    members = _members(network)
    assert sorted(m["name"] for m in members.values()) == sorted(CORPUS)  # stored as given
    assert sorted(m["title"] for m in members.values()) == sorted(CORPUS)
    assert len(graph(network)["nodes"]["Topic"]) == 4  # and nothing else happened


def test_graphapp_files_are_told_from_survey_exports(tmp_path: Path) -> None:
    from graphapp.ingest.survey import is_graphapp_file

    members = write_csv(tmp_path / "members.csv", [member("Ana", "ana@example.org")])
    misspelt = tmp_path / "misspelt.csv"
    misspelt.write_text("name,emial,organisation\nAna,ana@example.org,INSEE\n", encoding="utf-8")
    titled = write_xlsx_with_title_rows(
        tmp_path / "titled.xlsx", ["name", "email"], [["Ana", "ana@example.org"]]
    )
    assert is_graphapp_file(members) and is_graphapp_file(misspelt)  # (the importer says "did you mean")
    assert not is_graphapp_file(EXAMPLE_SURVEY) and not is_graphapp_file(titled)


def test_a_first_guess_reads_french_and_russian_questions(tmp_path: Path) -> None:
    path = write_xlsx_with_title_rows(tmp_path / "bureaux.xlsx", FR_RU_HEADER, FR_RU_ROWS)
    guess = guess_mapping(read_survey(path), vocabulary=["large language models"])
    assert guess.header_row == 4
    assert [c.field for c in guess.columns] == [
        "ignore",
        "name",
        "email",
        "organisation",
        "country",
        "topics",
        "topic_level",
    ]
    assert guess.columns[5].separator == ","  # (the answers are joined by commas)

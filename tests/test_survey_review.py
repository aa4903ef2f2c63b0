"""What a cold review of the survey import found (issue 16, second round), each as a person would notice
it: countries never guessed from short words, a list never lowering a level held, repeated and
comma-holding questions read, saved mappings in any script kept apart, workbooks of several sheets mapped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphapp.ingest import ImportRejected, import_files
from graphapp.ingest.mapping import (
    import_survey,
    load_mapping,
    read_mapping_file,
    save_mapping,
    saved_mapping,
)
from graphapp.ingest.survey import country_code, country_suggestions, read_survey
from graphapp.queries.surveys import mappings, put_mapping
from tests.helpers import graph, member, write_csv
from tests.surveys import EXAMPLE_MAPPING, EXAMPLE_SURVEY, network_files
from tests.test_survey_import import _interests, _members


@pytest.fixture
def network(store, tmp_path: Path):  # type: ignore[no-untyped-def]
    import_files(store, network_files(tmp_path))
    return store


def _survey(tmp_path: Path, text: str, name: str = "webinar.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


# --- 1. Countries are never guessed from short words -----------------------------------------------------


@pytest.mark.parametrize("answer", ["NA", "N/A", "n/a", "-", "none", "No", "no", "—"])
def test_an_answer_that_says_no_answer_leaves_the_country_blank(network, tmp_path: Path, answer: str) -> None:
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("Holland", answer)
    import_survey(network, _survey(tmp_path, text), read_mapping_file(EXAMPLE_MAPPING))
    # (no problem listed, and no country read from it: Ben keeps the one of his organisation, if any)
    assert _members(network)["ben.sample@example.org"].get("country") in (None, "", "NLD")


@pytest.mark.parametrize(
    ("answer", "offered"),
    [
        ("in", None),
        ("us", None),
        ("nl", None),
        ("Congo", {"Congo", "Congo, The Democratic Republic of the"}),
        ("Korea", {"South Korea", "North Korea"}),
        ("Корея", {"South Korea", "North Korea"}),
    ],
)
def test_short_words_and_names_of_two_countries_are_listed_not_guessed(
    network, tmp_path: Path, answer: str, offered: set[str] | None
) -> None:
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("Holland", answer)
    with pytest.raises(ImportRejected) as e:
        import_survey(network, _survey(tmp_path, text), read_mapping_file(EXAMPLE_MAPPING))
    (problem,) = [p for p in e.value.problems if p.column == "In which country is your office?"]
    assert (problem.row, problem.value) == ("row 3", answer)
    assert "is not a country graphapp knows" in problem.reason
    if offered:
        assert set(problem.suggestions) == offered
    assert _members(network) == {}


def test_codes_in_capitals_and_names_are_still_read() -> None:
    assert [country_code(t) for t in ("NL", "FRA", "US", "UK", "USA", "РФ", "Peru", "Chad")] == [
        "NLD",
        "FRA",
        "USA",
        "GBR",
        "USA",
        "RUS",
        "PER",
        "TCD",
    ]
    assert country_suggestions("Korea") == ["South Korea", "North Korea"]


# --- 2. A list's default level never lowers a level held -------------------------------------------------


def test_a_topic_ticked_in_a_list_never_lowers_the_level_a_member_holds(network, tmp_path: Path) -> None:
    held = member(
        "Ana Example",
        "ana.example@example.org",
        organisation="Statistics Netherlands",
        topics="large language models:expert; satellite imagery:learning",
    )
    import_files(network, [write_csv(tmp_path / "members.csv", [held])])
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("Record linkage;LLM", "LLM;Satellite imagery")
    import_survey(network, _survey(tmp_path, text), read_mapping_file(EXAMPLE_MAPPING))
    assert _interests(network, "ana.example@example.org") == {
        "large language models": "expert",  # ticked in the list: kept at expert
        "satellite imagery": "practising",  # ticked: the higher of learning and the list's practising
        "record linkage": "expert",  # its own level question
    }
    # A level set on the list's column explicitly does set it.
    data = json.loads(EXAMPLE_MAPPING.read_text("utf-8"))
    data["columns"][6]["level"] = "learning"
    import_survey(network, _survey(tmp_path, text), load_mapping(data))
    assert _interests(network, "ana.example@example.org")["large language models"] == "learning"


def test_a_topics_own_level_question_sets_the_level_held(network, tmp_path: Path) -> None:
    held = member(
        "Ana Example",
        "ana.example@example.org",
        organisation="Statistics Netherlands",
        topics="record linkage:expert",
    )
    import_files(network, [write_csv(tmp_path / "members.csv", [held])])
    text = EXAMPLE_SURVEY.read_text("utf-8-sig").replace("I lead projects on it", "Beginner")
    import_survey(network, _survey(tmp_path, text), read_mapping_file(EXAMPLE_MAPPING))
    assert _interests(network, "ana.example@example.org")["record linkage"] == "learning"


# --- 4. Semicolon CSVs whose questions hold commas --------------------------------------------------------


def test_a_semicolon_csv_whose_questions_hold_commas_is_read(network, tmp_path: Path) -> None:
    text = (
        "Enquête 2026\n"
        '"What is your name?";"Email address";"Which topics (e.g. NLP, imputation)?"\n'
        "Ana Example;ana.example@example.org;LLM, NLP\n"
        "Ben Sample;ben.sample@example.org;Satellite imagery\n"
    )
    path = _survey(tmp_path, text)
    survey = read_survey(path)
    assert survey.header_row == 2
    assert survey.questions == ["What is your name?", "Email address", "Which topics (e.g. NLP, imputation)?"]
    mapping = load_mapping(
        {
            "name": "semicolons",
            "columns": [
                {"question": "What is your name?", "field": "name"},
                {"question": "Email address", "field": "email"},
                {"question": "Which topics (e.g. NLP, imputation)?", "field": "topics", "separator": ","},
            ],
        }
    )
    import_survey(network, path, mapping)
    assert set(_interests(network, "ana.example@example.org")) == {
        "large language models",
        "natural language processing",
    }


def test_graphapps_own_semicolon_csv_with_commas_in_a_cell_is_read(store, tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text('id;name;kind;country\nons;"Office for National Statistics, UK";NSO;GBR\n', "utf-8")
    import_files(store, [path])
    (org,) = graph(store)["nodes"]["Organisation"]
    assert org["name"] == "Office for National Statistics, UK"


# --- 5. A question asked twice ------------------------------------------------------------------------------


def test_other_please_specify_after_each_list_is_told_apart(network, tmp_path: Path) -> None:
    text = (
        "What is your name?,Email address,Topics,Other (please specify),Workstreams,Other (please specify)\n"
        "Ana Example,ana.example@example.org,LLM,record linkage,WS1,ignored text\n"
    )
    path = _survey(tmp_path, text)
    survey = read_survey(path)
    assert survey.questions[3:] == ["Other (please specify)", "Workstreams", "Other (please specify) [2]"]
    mapping = load_mapping(
        {
            "name": "repeats",
            "columns": [
                {"question": "What is your name?", "field": "name"},
                {"question": "Email address", "field": "email"},
                {"question": "Topics", "field": "topics"},
                {"question": "Other (please specify)", "field": "other_topics"},
                {"question": "Workstreams", "field": "workstreams"},
                {"question": "Other (please specify) [2]", "field": "ignore"},
            ],
        }
    )
    import_survey(network, path, mapping)
    assert set(_interests(network, "ana.example@example.org")) == {"large language models", "record linkage"}


# --- 6. Saved mappings named in any script ------------------------------------------------------------------


def test_mappings_named_in_russian_are_kept_apart(network) -> None:
    data = json.loads(EXAMPLE_MAPPING.read_text("utf-8"))
    first = load_mapping({**data, "name": "Опрос офисов 2026"})
    second = load_mapping({**data, "name": "Анкета 2026", "header_row": 2})
    network.write(save_mapping, first)
    network.write(save_mapping, second)
    assert sorted(m["name"] for m in network.read(mappings)) == ["Анкета 2026", "Опрос офисов 2026"]
    assert network.read(saved_mapping, "Опрос офисов 2026").header_row == 1
    assert network.read(saved_mapping, "анкета  2026").header_row == 2  # (case and spacing aside)
    # Saved again under the same name: replaced, not added.
    network.write(save_mapping, load_mapping({**data, "name": "АНКЕТА 2026", "header_row": 3}))
    assert len(network.read(mappings)) == 2
    assert network.read(saved_mapping, "Анкета 2026").header_row == 3


def test_a_mapping_saved_under_an_old_slug_id_is_never_replaced_by_another_name(network) -> None:
    data = json.loads(EXAMPLE_MAPPING.read_text("utf-8"))
    old = load_mapping({**data, "name": "Опрос офисов 2026"})
    # (as an older version saved it: under the slug of its name, "2026")
    network.write(put_mapping, "2026", old.name, old.dumps(), "2026-01-01T00:00:00+00:00", "admin")
    network.write(save_mapping, load_mapping({**data, "name": "2026", "header_row": 2}))
    assert sorted(m["name"] for m in network.read(mappings)) == ["2026", "Опрос офисов 2026"]
    assert network.read(saved_mapping, "Опрос офисов 2026").header_row == 1
    assert network.read(saved_mapping, "2026").header_row == 2


# --- 7. A survey workbook of several sheets -----------------------------------------------------------------


def test_a_survey_workbook_with_several_sheets_is_a_survey(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from graphapp.ingest.survey import is_graphapp_file

    workbook = Workbook()
    answers = workbook.active
    assert answers is not None
    answers.title = "Form Responses 1"
    answers.append(["Timestamp", "What is your name?", "Email address"])
    answers.append(["2026-03-02", "Ana Example", "ana.example@example.org"])
    workbook.create_sheet("Summary").append(["Question", "Count"])
    survey = tmp_path / "survey.xlsx"
    workbook.save(survey)
    assert not is_graphapp_file(survey)
    # graphapp's own workbook: its sheets are named after kinds of records.
    own = Workbook()
    members = own.active
    assert members is not None
    members.title = "Members"
    members.append(["name", "email"])
    own.create_sheet("Organisations").append(["id", "name"])
    own.save(tmp_path / "own.xlsx")
    assert is_graphapp_file(tmp_path / "own.xlsx")


def test_the_cli_offers_a_mapping_for_a_survey_workbook_of_several_sheets(runner, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    answers = workbook.active
    assert answers is not None
    answers.append(["What is your name?", "Email address"])
    answers.append(["Ana Example", "ana.example@example.org"])
    workbook.create_sheet("Summary")
    workbook.save(tmp_path / "survey.xlsx")
    result = runner.invoke("import", str(tmp_path / "survey.xlsx"))
    assert result.exit_code != 0
    assert "this looks like a survey export" in result.output

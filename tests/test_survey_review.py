"""What a cold review of the survey import found (issue 16, second round), each as a person would notice
it: countries never guessed from short words, a list never lowering a level held, repeated and
comma-holding questions read, saved mappings in any script kept apart, workbooks of several sheets mapped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphapp.ingest import ImportRejected, import_files
from graphapp.ingest.mapping import import_survey, load_mapping, read_mapping_file
from graphapp.ingest.survey import country_code, country_suggestions
from tests.helpers import member, write_csv
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

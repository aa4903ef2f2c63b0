"""`graphapp import SURVEY --mapping NAME|FILE.json` (issue 16 §1-2), on both stores: a first-guess
mapping to correct, a dry run, matches confirmed, mappings saved and reused by name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.helpers import graph, member, write_csv
from tests.surveys import EXAMPLE_MAPPING, EXAMPLE_SURVEY, network_files


def _members() -> list[dict]:  # type: ignore[type-arg]
    """The members the command's store holds (opened for the check, then closed: one process at a time)."""
    from graphapp.store import open_store

    with open_store() as store:
        return list(graph(store)["nodes"]["Member"])


def _setup(runner, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    result = runner.invoke("import", *map(str, network_files(tmp_path)))
    assert result.exit_code == 0, result.output
    path = tmp_path / "webinar.csv"
    shutil.copy(EXAMPLE_SURVEY, path)
    return path


def test_a_survey_is_guessed_dry_run_then_imported_and_its_mapping_saved(
    runner, store, tmp_path: Path
) -> None:
    survey = _setup(runner, tmp_path)
    # Imported as graphapp's own file, it is refused, saying what to do.
    plain = runner.invoke("import", str(survey))
    assert plain.exit_code == 1
    assert "looks like a survey export" in plain.output and "--guess-mapping" in plain.output
    guess = tmp_path / "guess.json"
    guessed = runner.invoke("import", str(survey), "--guess-mapping", str(guess))
    assert guessed.exit_code == 0, guessed.output
    assert "'Email address': email" in guessed.output
    data = json.loads(guess.read_text("utf-8"))
    assert {c["question"]: c["field"] for c in data["columns"]}["What is your name?"] == "name"
    assert _members() == []
    # The guess, uncorrected, stops at the answer it cannot read, naming the closest topics.
    refused = runner.invoke("import", str(survey), "--mapping", str(guess), "--dry-run")
    assert refused.exit_code == 1
    assert "webinar.csv, row 3, column 'Other (please specify)': 'text classification'" in refused.output
    dry = runner.invoke("import", str(survey), "--mapping", str(EXAMPLE_MAPPING), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing was written" in dry.output and "Member: would create 4" in dry.output
    assert _members() == []
    real = runner.invoke("import", str(survey), "--mapping", str(EXAMPLE_MAPPING), "--save-mapping")
    assert real.exit_code == 0, real.output
    assert "Member: created 4" in real.output and "saved the mapping as 'ML webinar survey'" in real.output
    # The next export of the same survey, by the mapping's name: nothing new.
    again = runner.invoke("import", str(survey), "--mapping", "ML webinar survey", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["changes"]["Member"] == {"created": 0, "updated": 0, "unchanged": 4}
    unknown = runner.invoke("import", str(survey), "--mapping", "Another survey")
    assert unknown.exit_code == 1
    assert "no mapping is saved under the name 'Another survey'; saved: ML webinar survey" in unknown.output


def test_a_match_by_name_and_organisation_is_refused_until_confirmed(runner, tmp_path: Path) -> None:
    survey = _setup(runner, tmp_path)
    held = member("Chloé Exemple", "c.exemple@example.org", organisation="INSEE")
    assert runner.invoke("import", str(write_csv(tmp_path / "members.csv", [held]))).exit_code == 0
    refused = runner.invoke("import", str(survey), "--mapping", str(EXAMPLE_MAPPING))
    assert refused.exit_code == 1
    assert "row 4, column 'What is your name?': 'Chloé Exemple' may be the member Chloé Exemple of INSEE" in (
        refused.output
    )
    assert len(_members()) == 1
    taken = runner.invoke("import", str(survey), "--mapping", str(EXAMPLE_MAPPING), "--confirm-matches")
    assert taken.exit_code == 0, taken.output
    assert "row 4: Chloé Exemple is the member Chloé Exemple of INSEE" in taken.output
    assert len(_members()) == 4


def test_a_dry_run_says_the_mapping_was_not_saved(runner, tmp_path: Path) -> None:
    survey = _setup(runner, tmp_path)
    dry = runner.invoke(
        "import", str(survey), "--mapping", str(EXAMPLE_MAPPING), "--dry-run", "--save-mapping"
    )
    assert dry.exit_code == 0, dry.output
    assert "the mapping 'ML webinar survey' was not saved: a dry run writes nothing" in dry.output
    unknown = runner.invoke("import", str(survey), "--mapping", "ML webinar survey")
    assert unknown.exit_code == 1 and "no mapping is saved under the name" in unknown.output


def test_a_yaml_mapping_file_is_refused_by_name(runner, tmp_path: Path) -> None:
    survey = _setup(runner, tmp_path)
    yaml = tmp_path / "mapping.yaml"
    yaml.write_text("name: ML webinar survey\ncolumns: []\n", encoding="utf-8")
    refused = runner.invoke("import", str(survey), "--mapping", str(yaml))
    assert refused.exit_code == 1
    assert "mapping.yaml: mapping files are JSON only" in refused.output
    assert "not valid JSON" not in refused.output


def test_a_first_guess_never_replaces_a_file_unless_forced(runner, tmp_path: Path) -> None:
    survey = _setup(runner, tmp_path)
    out = tmp_path / "mine.json"
    out.write_text('{"name": "my corrected mapping"}', encoding="utf-8")
    kept = runner.invoke("import", str(survey), "--guess-mapping", str(out))
    assert kept.exit_code == 1 and "mine.json exists" in kept.output and "--force" in kept.output
    assert json.loads(out.read_text("utf-8")) == {"name": "my corrected mapping"}
    forced = runner.invoke("import", str(survey), "--guess-mapping", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads(out.read_text("utf-8"))["name"] == "webinar"

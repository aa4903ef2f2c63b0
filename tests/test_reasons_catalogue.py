"""Every reason an import gives is a whole sentence made with ``ingest.problems.reason`` (issue 15), so that a
page can say it in French and Russian: no reason in the importer or the taxonomy is glued from pieces or
left unmarked, and each has a French and a Russian translation with the same placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from devtools.i18n import catalogue

ROOT = Path(__file__).resolve().parent.parent
#: The modules whose problems a person reads on the Import and taxonomy import pages.
SOURCES = sorted(
    p for p in (ROOT / "ingest").glob("*.py") if p.name != "synthetic.py" and not p.name.startswith("survey")
) + [ROOT / "graphapp" / "taxonomy.py"]
#: The calls that make a problem, and the position of the reason among their arguments.
MAKERS = {"Problem": 4, "problem": 2, "bad": 3, "_broader_problem": 2}


def _reasons_given_as_text(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        at = MAKERS.get(name)
        if at is None or len(node.args) <= at:
            continue
        given = node.args[at]
        if isinstance(given, ast.Constant | ast.JoinedStr | ast.BinOp):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(given)[:70]}")
    return found


def test_every_problem_of_an_import_gives_its_reason_with_reason() -> None:
    assert [line for path in SOURCES for line in _reasons_given_as_text(path)] == []


def _messages() -> list[str]:
    messages = []
    for path in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords={"reason": None}
        ):
            messages.append(message)
    return messages


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


@pytest.mark.parametrize("language", ["fr", "ru"])
def test_every_reason_is_translated_with_the_same_placeholders(language: str) -> None:
    messages = _messages()
    assert len(messages) > 80  # (every reason of the importer and the taxonomy, found)
    have = catalogue(language)
    wrong = []
    for message in messages:
        found = have.get(message)
        if found is None or not found.string or found.fuzzy:
            wrong.append(f"untranslated: {message}")
        elif _placeholders(found.string) != _placeholders(message):
            wrong.append(f"placeholders differ: {message} -> {found.string}")
    assert wrong == []


def test_what_the_import_page_says_instead_of_the_command_lines_options_are_reasons_the_importer_gives() -> (
    None
):
    from graphapp.uploads import ON_THE_PAGE

    assert set(ON_THE_PAGE) <= set(_messages())
    assert not any("--" in instead.message for instead in ON_THE_PAGE.values())

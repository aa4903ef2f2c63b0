"""Reading files: formats, encodings, delimiters and precise refusals. No database needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphapp.ingest import ImportRejected, read_files
from graphapp.ingest.readers import read_file


def _problems(path: Path, kind: str | None = None) -> list[str]:
    with pytest.raises(ImportRejected) as e:
        read_files([path], kind)
    return [str(p) for p in e.value.problems]


def test_semicolon_csv_with_bom_from_a_european_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "leden.csv"
    path.write_bytes('\ufeffName;Email;Topics\nAna;ana@example.org;"record linkage:expert; NLP"\n'.encode())
    (table,) = read_file(path)
    assert table.kind == "members"
    assert table.rows[0].values == {
        "name": "Ana",
        "email": "ana@example.org",
        "topics": "record linkage:expert; NLP",
    }
    assert table.rows[0].where == "row 2"


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        'name,email,title\nAna,a@example.org,"two\nlines"\n\nBo,b@example.org,\n', encoding="utf-8"
    )
    (table,) = read_file(path)
    assert [r.where for r in table.rows] == ["row 2", "row 4"]


def test_unknown_column_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("name,email,topcis\nAna,a@example.org,NLP\n", encoding="utf-8")
    assert _problems(path) == [
        "m.csv, row 1, column 'topcis': is not a column of members files; did you mean 'topics'?"
    ]


def test_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("name,covers\nSkills,skills\n", encoding="utf-8")
    assert _problems(path) == ["w.csv, row 1, column 'id': is missing: workstreams files need it"]


def test_latin1_file_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes("name,email\nAna,a@example.org\nJosé,j@example.org\n".encode("latin-1"))
    (message,) = _problems(path)
    assert message.startswith("m.csv, row 3: is not UTF-8 text (byte 0xe9")
    assert "save the file as 'CSV UTF-8'" in message


def test_malformed_csv(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text('name,email\n"Ana,a@example.org\n', encoding="utf-8")
    (message,) = _problems(path)
    assert message.startswith("m.csv, row") and "not well-formed CSV" in message


def test_too_many_cells(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("name,email\nAna,a@example.org,surprise\n", encoding="utf-8")
    assert _problems(path) == ["m.csv, row 2: 'surprise' has more cells than the header has columns (2)"]


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('[\n {"name": "Ana",\n  "email": }\n]', encoding="utf-8")
    (message,) = _problems(path)
    assert message.startswith("m.json, line 3: is not valid JSON")


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    path.write_bytes(b"this is not a zip file")
    (message,) = _problems(path)
    assert message.startswith("m.xlsx: is not a readable XLSX workbook")


def test_unknown_file_type_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "m.pdf").write_bytes(b"%PDF")
    with pytest.raises(ImportRejected) as e:
        read_files([tmp_path / "m.pdf", tmp_path / "absent.csv"])
    messages = [str(p) for p in e.value.problems]
    assert "m.pdf: has an unknown file type; use .csv, .xlsx or .json" in messages
    assert any(m.startswith("absent.csv: cannot be read") for m in messages)


def test_kind_is_recognised_or_given(tmp_path: Path) -> None:
    orgs = tmp_path / "o.csv"
    orgs.write_text("name,kind,country\nEurostat,international,LUX\n", encoding="utf-8")
    topics = tmp_path / "t.csv"
    topics.write_text("name\nrecord linkage\n", encoding="utf-8")
    assert [t.kind for t in read_files([orgs, topics])] == ["organisations", "topics"]
    assert read_files([topics], kind="topic")[0].kind == "topics"
    with pytest.raises(ImportRejected, match="is not a kind of record"):
        read_files([topics], kind="people-ish")


def test_a_file_that_cannot_be_read_does_not_hide_the_other_files_problems(tmp_path: Path) -> None:
    """One file lacks a required column (its rows cannot be read); another has an unknown column and a row
    with too many cells: all three problems come in one report."""
    from graphapp.ingest.readers import read_tables

    (tmp_path / "ws.csv").write_text("id,covers\nWS1,x\n", "utf-8")
    (tmp_path / "orgs.csv").write_text("name,kind,colour\nONS,NSO,blue\nINE,NSO,red,extra\n", "utf-8")
    with pytest.raises(ImportRejected) as e:
        read_tables([tmp_path / "ws.csv", tmp_path / "orgs.csv"])
    assert [(p.file, p.row, p.column, p.reason.split(";")[0].split(" (")[0]) for p in e.value.problems] == [
        ("orgs.csv", "row 1", "colour", "is not a column of organisations files"),
        ("orgs.csv", "row 3", "", "has more cells than the header has columns"),
        ("ws.csv", "row 1", "name", "is missing: workstreams files need it"),
    ]

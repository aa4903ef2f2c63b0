"""The template file of each import format: accepted by the import (a dry run into the demo network), its
columns exactly those that docs/import-formats.md documents and the importer reads, and downloadable."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest

from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.ingest.readers import COLUMNS, KINDS, REQUIRED, read_file
from graphapp.taxonomy import COLUMNS as TAXONOMY_COLUMNS
from graphapp.taxonomy import import_taxonomy
from graphapp.uploads import IMPORT_TEMPLATES, TEMPLATE_KINDS

DOC = Path(__file__).resolve().parent.parent / "docs" / "import-formats.md"
#: The section of the document that describes each kind.
SECTIONS = {
    "members": "Members",
    "organisations": "Organisations",
    "topics": "Topics",
    "workstreams": "Workstreams",
    "themes": "Themes",
    "projects": "Projects",
    "resources": "Resources",
    "taxonomy": "Competence taxonomy",
}


def documented_columns(kind: str) -> list[str]:
    """The columns the document's table for ``kind`` lists, in order (a row may name several)."""
    text = DOC.read_text(encoding="utf-8")
    section = re.search(rf"^## {re.escape(SECTIONS[kind])}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert section, f"docs/import-formats.md has no section '## {SECTIONS[kind]}'"
    columns: list[str] = []
    for line in section.group(1).splitlines():
        if line.startswith("| `"):
            columns.extend(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
    return columns


def template_header(kind: str) -> list[str]:
    with (IMPORT_TEMPLATES / f"{kind}.csv").open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def template_rows(kind: str) -> list[dict[str, str]]:
    with (IMPORT_TEMPLATES / f"{kind}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_there_is_a_template_for_every_kind_and_the_taxonomy() -> None:
    assert set(TEMPLATE_KINDS) == {*KINDS, "taxonomy"} == set(SECTIONS)
    assert {p.stem for p in IMPORT_TEMPLATES.glob("*.csv")} == set(TEMPLATE_KINDS)


@pytest.mark.parametrize("kind", [*KINDS, "taxonomy"])
def test_a_templates_columns_are_exactly_the_documented_ones(kind: str) -> None:
    header = template_header(kind)
    documented = documented_columns(kind)
    read = TAXONOMY_COLUMNS if kind == "taxonomy" else COLUMNS[kind]
    assert len(header) == len(set(header))
    assert set(header) == set(documented) == set(read), (kind, header, documented)
    rows = template_rows(kind)
    assert 1 <= len(rows) <= 2
    for row in rows:
        for column in REQUIRED.get(kind, ("id", "name")):
            assert row[column], (kind, column)
        people = [v for v in row.values() if "@" in (v or "")]
        assert all(re.fullmatch(r"[\w.@:;, -]*@example\.org[\w.@:;, -]*", v) for v in people), people


def test_every_template_is_accepted_by_a_dry_run_into_the_demo_network(store: Any) -> None:
    import_files(store, DEMO_FILES)
    before = store.read(lambda tx: tx.run("MATCH (n) RETURN count(n) AS n"))
    files = [IMPORT_TEMPLATES / f"{kind}.csv" for kind in KINDS]
    plan = import_files(store, files, dry_run=True)
    counts = plan.counts()
    for label in ("Member", "Organisation", "Topic", "Workstream", "Theme", "Project", "Resource"):
        assert counts[label]["created"] >= 1, (label, plan.summary(dry_run=True))
    assert plan.new_topics == []  # every topic the templates name is the demo's (or the topics template's)
    # Each file is read as the kind it is named after, from its columns alone.
    for kind in KINDS:
        (table,) = read_file(IMPORT_TEMPLATES / f"{kind}.csv")
        assert table.kind == kind
    change = store.write(
        import_taxonomy, (IMPORT_TEMPLATES / "taxonomy.csv").read_bytes(), "taxonomy.csv", True
    )
    assert "2 areas" in change.headline()
    assert store.read(lambda tx: tx.run("MATCH (n) RETURN count(n) AS n")) == before


def test_templates_are_downloaded_from_the_import_page_by_members(app, client) -> None:
    page = client.get("/import").get_data(as_text=True)
    for kind in TEMPLATE_KINDS:
        assert f'href="/import/templates/{kind}.csv"' in page
        got = client.get(f"/import/templates/{kind}.csv")
        assert got.status_code == 200 and got.mimetype == "text/csv"
        assert got.headers["Content-Disposition"] == f"attachment; filename={kind}.csv"
        assert got.data == (IMPORT_TEMPLATES / f"{kind}.csv").read_bytes()
    assert client.get("/import/templates/passwords.csv").status_code == 404
    assert client.get("/import/templates/..%2Fdemo%2Fmembers.csv").status_code == 404

"""Backup and restore: exact round trips, on each store and across them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphapp.backup import GraphNotEmpty, load_backup, restore, write_backup
from graphapp.demo import DEMO_FILES
from graphapp.ingest import ImportRejected, import_files
from graphapp.queries.schema import SCHEMA_VERSION, create_schema
from graphapp.store import LadybugStore
from tests.helpers import graph


def test_round_trip_is_exact(store, tmp_path: Path) -> None:
    import_files(store, DEMO_FILES)
    first = tmp_path / "first.json"
    write_backup(store, first)
    held = graph(store)

    restore(store, load_backup(first), replace=True)
    second = tmp_path / "second.json"
    write_backup(store, second)
    assert second.read_bytes() == first.read_bytes()
    assert graph(store) == held
    data = json.loads(first.read_text())
    assert len(data["nodes"]["Member"]) == 150 and data["schema_version"] == SCHEMA_VERSION


def test_backup_moves_between_stores(store, tmp_path: Path) -> None:
    """A backup taken from the embedded store restores into either store and reads back the same."""
    with LadybugStore(tmp_path / "source.lbug") as source:
        create_schema(source)
        import_files(source, DEMO_FILES)
        path = tmp_path / "b.json"
        write_backup(source, path)
    restore(store, load_backup(path))
    again = tmp_path / "again.json"
    write_backup(store, again)
    assert again.read_bytes() == path.read_bytes()


def test_restore_refuses_a_graph_that_is_not_empty(store, tmp_path: Path) -> None:
    import_files(store, DEMO_FILES[:2])
    path = tmp_path / "b.json"
    write_backup(store, path)
    with pytest.raises(GraphNotEmpty, match="47 Organisation"):
        restore(store, load_backup(path))


def test_a_broken_backup_is_refused_before_anything_is_written(store, tmp_path: Path) -> None:
    import_files(store, DEMO_FILES)
    path = tmp_path / "b.json"
    write_backup(store, path)
    data = json.loads(path.read_text())
    data["relationships"]["WORKS_AT"][3]["target"] = "no-such-organisation"
    data["nodes"]["Topic"][0]["colour"] = "red"
    path.write_text(json.dumps(data))
    before = graph(store)
    with pytest.raises(ImportRejected) as e:
        load_backup(path)
    messages = [str(p) for p in e.value.problems]
    assert messages == [
        "b.json, nodes.Topic[0], column 'colour': is not a property of Topic",
        "b.json, relationships.WORKS_AT[3], column 'target': 'no-such-organisation' is not the id of any "
        "Organisation in this backup",
    ]
    assert graph(store) == before


def test_not_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[1, 2]")
    with pytest.raises(ImportRejected, match="not a graphapp backup"):
        load_backup(path)

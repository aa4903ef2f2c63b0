"""The initial load (``graphapp import --initial``): a whole network into an empty store, in parts.

Its contract, on both stores: the graph and the history it leaves are a normal import's of the same files
into the empty store; a store that holds a network is refused; a wrong row is reported as an import reports
it, and nothing is written; a part that fails leaves the store empty again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graphapp.demo import DEMO_FILES, synthetic
from graphapp.ingest import ImportRejected, import_files, initial
from graphapp.ingest.initial import NETWORK_LABELS, LoadFailed, NotEmpty, initial_load
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries.schema import DELETE_ALL, create_schema
from graphapp.store import Store
from tests.helpers import graph, write_csv

#: Ignored when comparing two loads' history: when, which batch, and the change's own id.
UNCOMPARED = ("id", "at", "batch")


def _history(store: Store) -> list[dict[str, Any]]:
    rows = store.read(
        lambda tx: tx.run(
            "MATCH (c:Change) RETURN c.kind AS kind, c.member AS member, c.subject AS subject, "
            "c.summary AS summary, c.fields AS fields, c.before AS before, c.after AS after, "
            "c.about AS about, c.by AS by"
        )
    )
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))


def _network(store: Store) -> dict[str, Any]:
    held = graph(store)
    held["nodes"].pop("Change", None)
    return {"nodes": held["nodes"], "relationships": held["relationships"], "history": _history(store)}


def _counts(store: Store) -> dict[str, int]:
    counts = {
        label: store.read(lambda tx, label=label: tx.run(f"MATCH (n:{label}) RETURN count(n) AS n"))[0]["n"]
        for label in (*NETWORK_LABELS, "Change")
    }
    counts["relationships"] = store.read(lambda tx: tx.run("MATCH ()-[r]->() RETURN count(r) AS n"))[0]["n"]
    return counts


EMPTY = {label: 0 for label in (*NETWORK_LABELS, "Change")} | {"relationships": 0}


@pytest.fixture
def network(tmp_path: Path) -> list[Path]:
    """A small synthetic network: members with interests, organisations, workstreams and contacts."""
    return write_dataset(synthetic(300, seed=3), tmp_path / "synthetic")


@pytest.mark.parametrize("files", ["demo", "synthetic"])
def test_the_same_graph_and_history_as_an_import(
    store: Store, files: str, network: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = list(DEMO_FILES) if files == "demo" else network
    import_files(store, paths)
    imported = _network(store)
    store.write(lambda tx: tx.run(DELETE_ALL))
    create_schema(store)
    monkeypatch.setattr(initial, "CHECK_CHUNK", 40)  # (members checked a few at a time, as at a million)
    steps: list[tuple[str, int, int]] = []
    loaded = initial_load(store, paths, part_rows=97, progress=lambda *step: steps.append(step))
    assert _network(store) == imported
    assert loaded.created["Member"] == len(imported["nodes"]["Member"])
    assert loaded.created["KNOWS"] == len(imported["relationships"]["KNOWS"]) > 0
    assert loaded.created["INTERESTED_IN"] == len(imported["relationships"]["INTERESTED_IN"])
    assert loaded.created["Workstream"] > 0 and loaded.created["MEMBER_OF"] > 0
    # written in parts, the progress said so
    assert (
        "creating INTERESTED_IN",
        loaded.created["INTERESTED_IN"],
        loaded.created["INTERESTED_IN"],
    ) in steps
    assert len([s for s in steps if s[0] == "creating INTERESTED_IN"]) > 2


def test_a_temporary_folder_with_a_quote_in_its_name(
    store: Store, network: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spilled files live in the temporary folder (``TMPDIR``), whatever its name: LadybugDB's
    ``COPY ... FROM`` names the file in a string of the statement, where a quote or a backslash would
    otherwise end or change it."""
    import tempfile

    odd = tmp_path / "o'brien \\ tmp"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    loaded = initial_load(store, network)
    assert loaded.created["Member"] == 300
    assert _counts(store)["Member"] == 300


def test_a_store_that_holds_a_network_is_refused(store: Store, network: list[Path]) -> None:
    import_files(store, [p for p in network if p.stem == "topics"])
    before = _network(store)
    with pytest.raises(NotEmpty, match="an initial load is for an empty store.*Topic.*nothing was written"):
        initial_load(store, network)
    assert _network(store) == before


def test_a_wrong_row_is_reported_and_nothing_written(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(initial, "CHECK_CHUNK", 1)  # (a row repeated in a later chunk is found all the same)
    members = write_csv(
        tmp_path / "members.csv",
        [
            {"name": "Ana", "email": "ana@example.org", "topics": "record linkage:expert", "knows": ""},
            {"name": "Bo", "email": "bo@example.org", "topics": "no such topic", "knows": "cy@example.org"},
            {"name": "Ana again", "email": "ana@example.org", "topics": "", "knows": "bo@example.org"},
        ],
    )
    topics = write_csv(tmp_path / "topics.csv", [{"id": "record-linkage", "name": "record linkage"}])
    with pytest.raises(ImportRejected) as rejected:
        initial_load(store, [topics, members])
    found = {(p.file, p.row, p.column, p.value) for p in rejected.value.problems}
    assert found == {
        ("members.csv", "row 3", "topics", "no such topic"),
        ("members.csv", "row 3", "knows", "cy@example.org"),
        ("members.csv", "row 4", "email", "ana@example.org"),
    }
    assert _counts(store) == EMPTY


def _third_fails(real: Any, error: BaseException, calls: list[Any]) -> Any:
    """``real`` (a write of the load), but its third call raises ``error``; each call's arguments go to
    ``calls``."""

    def write(tx: Any, *args: Any) -> None:
        calls.append(args)
        if len(calls) == 3:
            raise error
        real(tx, *args)

    return write


@pytest.mark.parametrize("failing", ["_write_part", "_write_changes"])
def test_a_part_that_fails_leaves_the_store_empty(
    store: Store, network: list[Path], monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    real = getattr(initial, failing)
    monkeypatch.setattr(initial, failing, _third_fails(real, RuntimeError("the disk is full"), []))
    with pytest.raises(LoadFailed, match="the disk is full.*removed again: the store is empty") as failed:
        initial_load(store, network, part_rows=50)
    assert "recording the history" in str(failed.value) or "creating" in str(failed.value)
    assert _counts(store) == EMPTY
    # and it loads once what failed is put right
    monkeypatch.setattr(initial, failing, real)
    initial_load(store, network, part_rows=50)
    assert _counts(store)["Member"] == 300


def test_a_failed_load_removes_only_what_it_wrote_and_an_interrupted_one_too(
    store: Store, network: list[Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Someone else's member, imported while the load writes its parts, stays when a later part fails;
    and a load interrupted (Ctrl-C) removes what it wrote before the interruption goes on."""
    real = initial._write_part
    calls: list[Any] = []

    def someone_else(step: str, done: int, total: int) -> None:
        if len(calls) == 1 and not _counts(store)["Member"] > 300:
            import_files(
                store,
                [write_csv(tmp_path / "other.csv", [{"name": "Olu Other", "email": "olu@example.org"}])],
            )

    monkeypatch.setattr(initial, "_write_part", _third_fails(real, RuntimeError("the disk is full"), calls))
    with pytest.raises(LoadFailed, match="the disk is full.*removed again"):
        initial_load(store, network, part_rows=50, progress=someone_else)
    left = store.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.email AS email"))
    assert left == [{"email": "olu@example.org"}]  # theirs stays; the load's members are gone
    assert _counts(store)["Topic"] == _counts(store)["Organisation"] == 0

    store.write(lambda tx: tx.run("MATCH (m:Member) DETACH DELETE m"))
    monkeypatch.setattr(initial, "_write_part", _third_fails(real, KeyboardInterrupt(), []))
    with pytest.raises(KeyboardInterrupt):
        initial_load(store, network, part_rows=50)
    assert {k: v for k, v in _counts(store).items() if k != "Change"} == {
        k: v for k, v in EMPTY.items() if k != "Change"
    }


def _counts_now() -> dict[str, int]:
    """The counts of the store the command wrote to (opened anew, as the next command would)."""
    from graphapp.store import open_store

    with open_store() as store:
        return _counts(store)


def test_the_command(runner: Any, network: list[Path]) -> None:
    assert runner.invoke("init").exit_code == 0
    done = runner.invoke("import", "--initial", *map(str, network))
    assert done.exit_code == 0, done.output
    assert "initial load into an empty store" in done.stdout
    assert "Member: created 300" in done.stdout
    assert "creating INTERESTED_IN" in done.stderr  # (the progress, as an import shows it)
    assert _counts_now()["Member"] == 300
    # again: refused, nothing written
    again = runner.invoke("import", "--initial", *map(str, network))
    assert again.exit_code == 1
    assert "an initial load is for an empty store" in again.stderr
    assert "300 Member" in again.stderr
    assert _counts_now()["Member"] == 300


def test_the_command_reports_a_wrong_row(runner: Any, tmp_path: Path) -> None:
    assert runner.invoke("init").exit_code == 0
    members = write_csv(tmp_path / "members.csv", [{"name": "", "email": "ana@example.org", "topics": ""}])
    done = runner.invoke("import", "--initial", str(members))
    assert done.exit_code == 1
    assert "members.csv" in done.stderr and "row 2" in done.stderr and "name" in done.stderr
    assert _counts_now() == EMPTY


def test_a_dry_run_writes_nothing(store: Store, network: list[Path]) -> None:
    checked = initial_load(store, network, dry_run=True)
    assert checked.created["Member"] == 300
    assert "would create" in checked.summary(dry_run=True)
    assert _counts(store) == EMPTY


def test_not_empty_is_checked_again_before_writing(store: Store, network: list[Path]) -> None:
    """(Someone who writes while the files are checked is not overwritten, nor removed.)"""
    from graphapp.ingest import initial as module

    real = module.check_files

    def and_meanwhile(*args: Any, **kwargs: Any) -> Any:
        checked = real(*args, **kwargs)
        import_files(store, [p for p in network if p.stem == "organisations"])
        return checked

    module_patch = pytest.MonkeyPatch()
    module_patch.setattr(module, "check_files", and_meanwhile)
    try:
        with pytest.raises(NotEmpty, match="written to while the files were checked"):
            initial_load(store, network)
    finally:
        module_patch.undo()
    assert _counts(store)["Organisation"] > 0 and _counts(store)["Member"] == 0


def test_a_running_app_sees_the_load(store: Store, network: list[Path]) -> None:
    """What a server keeps per revision (here the suggestion index and the list of members added, kept in
    the store's ``derived``) is made again after the load, as after any write."""
    from graphapp.queries.schema import graph_revision
    from graphapp.reports import members_added, suggest_peers

    before = store.read(graph_revision)
    assert store.read(members_added) == []
    initial_load(store, network, part_rows=100)
    assert store.read(graph_revision) != before
    assert len(store.read(members_added)) == 300
    someone = store.read(lambda tx: tx.run("MATCH (m:Member)-[:KNOWS]-() RETURN m.id AS id LIMIT 1"))[0]["id"]
    assert store.read(suggest_peers, someone)

"""The history of every change: what each write records (who, when, before and after), what forgetting
leaves of it, and how people read it (the history page, its CSV, the API, a member's own history)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphapp.ingest import import_files
from graphapp.ingest.normalise import member_id
from graphapp.queries import history
from graphapp.queries.history import acting_as
from tests.helpers import member, write_csv

ANA = "ana.example@example.org"
BEN = "ben.example@example.org"
CAI = "cai.example@example.org"


def _changes(store: Any, **filters: Any) -> list[dict[str, Any]]:
    return store.read(lambda tx: history.changes(tx, **filters))


def _import(store: Any, tmp_path: Path, rows: list[dict[str, str]], name: str = "members.csv") -> Any:
    with acting_as("cli:tester"):
        return import_files(store, [write_csv(tmp_path / name, rows)])


def test_an_import_records_each_member_and_one_summary(store, tmp_path: Path) -> None:
    _import(
        store,
        tmp_path,
        [
            member(
                "Ana Example",
                ANA,
                organisation="Statistics Testland",
                title="Analyst",
                topics="record linkage:learning",
            ),
            member("Ben Example", BEN, topics="record linkage:expert", knows=ANA),
        ],
    )
    rows = _changes(store)
    batches = {r["batch"] for r in rows}
    assert len(batches) == 1 and "" not in batches
    summary = [r for r in rows if r["subject"] == "import"]
    assert [r["summary"] for r in summary] == ["members.csv: 2 new members; 1 new organisation; 1 new topic"]
    ana = member_id(ANA)
    ana_rows = _changes(store, member=ana)
    own = [r for r in ana_rows if r["member"] == ana]
    assert len(own) == 1 and own[0]["kind"] == "import" and own[0]["by"] == "cli:tester"
    before, after = history.values(own[0])
    assert before == {}
    assert after["name"] == "Ana Example" and after["title"] == "Analyst" and after["email"] == ANA
    assert after["organisation"] == "statistics-testland"
    assert after["topics"] == ["record-linkage:learning"]
    assert after["knows"] == [member_id(BEN)]
    topic = [r for r in rows if r["subject"] == "topic:record-linkage"]
    assert history.values(topic[0]) == ({}, {"name": "record linkage"})

    # A second import changes Ana's title and topics, and gives Cai (new) Ana as a contact.
    _import(
        store,
        tmp_path,
        [
            member(
                "Ana Example",
                ANA,
                organisation="Statistics Testland",
                title="Head of unit",
                topics="record linkage:expert; imagery:learning",
            ),
            member("Cai Example", CAI, knows=BEN),
        ],
        "second.csv",
    )
    latest = _changes(store, member=ana, kind="import")[0]
    before, after = history.values(latest)
    assert before == {"title": "Analyst", "topics": ["record-linkage:learning"]}
    assert after == {"title": "Head of unit", "topics": ["imagery:learning", "record-linkage:expert"]}
    # Ben is not in the second file, but gained a contact: his knows is recorded, in full.
    ben = [r for r in _changes(store, member=member_id(BEN)) if r["member"] == member_id(BEN)][0]
    assert history.values(ben) == (
        {"knows": [member_id(ANA)]},
        {"knows": sorted([member_id(ANA), member_id(CAI)])},
    )
    summary = _changes(store, kind="import")
    assert any(r["summary"] == "second.csv: 1 new member, 2 changed; 1 new topic" for r in summary)


def test_a_dry_run_and_a_reimport_record_nothing(store, tmp_path: Path) -> None:
    rows = [member("Ana Example", ANA, title="Analyst")]
    import_files(store, [write_csv(tmp_path / "m.csv", rows)], dry_run=True)
    assert _changes(store) == []
    _import(store, tmp_path, rows)
    held = len(_changes(store))
    _import(store, tmp_path, rows)
    assert len(_changes(store)) == held

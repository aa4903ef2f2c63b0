"""Backup and restore: exact round trips, on each store and across them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphapp.backup import GraphNotEmpty, load_backup, restore, snapshot, write_backup
from graphapp.demo import DEMO_FILES
from graphapp.ingest import ImportRejected, import_files
from graphapp.queries.schema import DELETE_ALL, NODES, SCHEMA_VERSION, create_schema
from graphapp.store import LadybugStore
from tests.helpers import PASSWORD, backup_without_restores, graph


def test_round_trip_is_exact(store, tmp_path: Path) -> None:
    import_files(store, DEMO_FILES)
    first = tmp_path / "first.json"
    write_backup(store, first)
    held = graph(store)

    restore(store, load_backup(first), replace=True)
    second = tmp_path / "second.json"
    write_backup(store, second)
    # The restore is in the history (issue 13): the one change it adds aside, the backups are the same.
    again = json.loads(second.read_text())
    restores = [c for c in again["nodes"]["Change"] if c["kind"] == "restore"]
    assert len(restores) == 1 and restores[0]["summary"].startswith("restored from a backup (replacing")
    again["nodes"]["Change"].remove(restores[0])
    assert again == json.loads(first.read_text())
    now = graph(store)
    now["nodes"]["Change"] = [c for c in now["nodes"]["Change"] if c["kind"] != "restore"]
    assert now == held
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
    assert backup_without_restores(again) == backup_without_restores(path)  # (the restore is in the history)


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


# --- Version 2: the workflow nodes and the accounts travel too ------------------------------------------


def _fill(store, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The demo network, an account with a password, a pending invitation, a failed sign-in, and one of
    every workflow node (join request, ask, offer, introduction, mail, trusted domain)."""
    from graphapp.accounts import hash_password
    from graphapp.queries.accounts import create_account, create_invitation

    import_files(store, DEMO_FILES)
    from graphapp.queries.members import MemberFilter, member_ids

    a, b = store.read(member_ids, MemberFilter(topic="record-linkage"))[:2]
    store.write(
        create_account,
        "ann@example.org",
        hash_password(PASSWORD),
        "coordinator",
        a,
        "2026-01-01T00:00:00+00:00",
    )
    store.write(create_invitation, "f" * 64, "member", "", "2099-01-01T00:00:00+00:00", "ann@example.org")

    def workflow(tx) -> None:  # type: ignore[no-untyped-def]
        tx.run("CREATE (:LoginAttempt {id: 'login:ann@example.org', last: '2026-01-01', failures: ['x']})")
        tx.run(
            "CREATE (:JoinRequest {id: 'j1', status: 'confirmed', email: 'new@example.org', name: 'Nia New', "
            "topics: ['record-linkage:expert'], workstreams: ['WS1'], issue_topics: [], created: '2026-01-01'})"
        )
        tx.run(
            "CREATE (:Ask {id: 'k1', member: $a, kind: 'technical', text: 'How do you link <b>records</b>?', "
            "topics: ['record-linkage'], status: 'open', created: '2026-01-02'})",
            a=a,
        )
        tx.run(
            "CREATE (:Offer {id: 'o1', ask: 'k1', member: $b, note: 'I can help', created: '2026-01-03'})",
            b=b,
        )
        tx.run(
            "CREATE (:Introduction {id: 'i1', token_hash: 'abc', from_member: $a, to_member: $b, note: 'Hi', "
            "kind: 'peer', ask: '', status: 'asked', created: '2026-01-04'})",
            a=a,
            b=b,
        )
        tx.run(
            "CREATE (:Mail {id: 'x1', recipient: 'ann@example.org', member: $a, kind: 'ask_offer', subject: 'S', "
            "text: 'T', html: '<p>T</p>', status: 'queued', attempts: '0', next_try: '2026-01-05', "
            "last_error: '', created: '2026-01-05', sent: ''})",
            a=a,
        )
        tx.run(
            "CREATE (:TrustedDomain {id: 'example.org', added_by: 'ann@example.org', added: '2026-01-06'})"
        )

    store.write(workflow)
    return {"a": a, "b": b}


def test_a_backup_keeps_accounts_and_workflow_but_not_failed_sign_ins(store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    path = tmp_path / "b.json"
    tally = write_backup(store, path)
    data = json.loads(path.read_text())
    assert data["version"] == 2
    for label in (
        "JoinRequest",
        "Ask",
        "Offer",
        "Introduction",
        "Mail",
        "TrustedDomain",
        "Account",
        "Invitation",
    ):
        assert len(data["nodes"][label]) == 1 and tally[label] == 1, label
    assert data["nodes"]["Account"][0]["password_hash"].startswith(("scrypt:", "pbkdf2:"))
    assert "LoginAttempt" not in data["nodes"] and "LoginAttempt" not in path.read_text()
    assert data["nodes"]["JoinRequest"][0]["issue_topics"] == [] and data["nodes"]["Ask"][0]["topics"] == [
        "record-linkage"
    ]


def test_restore_onto_a_new_store_gives_back_a_service_people_sign_in_to(
    store, tmp_path: Path, app, runner
) -> None:
    """Taken on LadybugDB, restored with `graphapp restore` onto this test's empty store (LadybugDB or
    Neo4j: across stores), then signed in to through the login page with the original password."""
    from tests.helpers import sign_in

    with LadybugStore(tmp_path / "source.lbug") as source:
        create_schema(source)
        ids = _fill(source, tmp_path)
        path = tmp_path / "b.json"
        write_backup(source, path)
    store.close()  # (the runner and the app open it themselves)
    done = runner.invoke("restore", str(path))
    assert done.exit_code == 0, done.stderr
    assert "1 Account" in done.stdout and "1 Mail" in done.stdout
    again = tmp_path / "again.json"
    assert runner.invoke("backup", str(again)).exit_code == 0
    assert backup_without_restores(again) == backup_without_restores(path)  # everything else is there
    client = app.test_client()
    signed = sign_in(client, "ann@example.org")
    assert signed.status_code == 302, signed.get_data(as_text=True)
    assert f'href="/members/{ids["a"]}">My profile' in client.get("/").get_data(as_text=True)
    assert sign_in(app.test_client(), "ann@example.org", "a wrong password").status_code == 401


def test_a_store_holding_only_accounts_is_not_empty(store, tmp_path: Path) -> None:
    from graphapp.accounts import hash_password
    from graphapp.queries.accounts import create_account

    with LadybugStore(tmp_path / "source.lbug") as source:
        create_schema(source)
        _fill(source, tmp_path)
        path = tmp_path / "b.json"
        write_backup(source, path)
    store.write(create_account, "admin@example.org", hash_password(PASSWORD), "admin", "", "2026-01-01")
    with pytest.raises(GraphNotEmpty, match="1 Account"):
        restore(store, load_backup(path))
    # --replace: everything goes, failed sign-ins too; the backup's accounts come in.
    store.write(lambda tx: tx.run("CREATE (:LoginAttempt {id: 'login:x', last: '2026', failures: []})"))
    restore(store, load_backup(path), replace=True)
    held = store.read(lambda tx: tx.run("MATCH (a:Account) RETURN a.id AS id ORDER BY id"))
    assert [r["id"] for r in held] == ["ann@example.org"]
    assert store.read(lambda tx: tx.run("MATCH (a:LoginAttempt) RETURN count(a) AS n"))[0]["n"] == 0


def test_a_version_1_backup_is_still_read(store, tmp_path: Path) -> None:
    """A backup written before accounts and workflow were kept (version 1) restores as it did."""
    import_files(store, DEMO_FILES)
    data = store.read(snapshot)
    old = {**data, "version": 1, "schema_version": 3}
    old["nodes"] = {label: rows for label, rows in data["nodes"].items() if label in NODES}
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(old))
    store.write(lambda tx: tx.run(DELETE_ALL))
    tally = restore(store, load_backup(path))
    assert tally["Member"] == 150 and "Account" not in tally
    assert store.read(snapshot)["nodes"]["Member"] == data["nodes"]["Member"]
    # Version 1 had no accounts: one in such a file is refused, as any unknown label is.
    old["nodes"]["Account"] = [{"id": "x@example.org", "password_hash": "h"}]
    path.write_text(json.dumps(old))
    with pytest.raises(ImportRejected, match="nodes.Account.*is not a label of the graphapp model"):
        load_backup(path)
    old["version"] = 3
    path.write_text(json.dumps(old))
    with pytest.raises(ImportRejected, match=r"is not a backup version this graphapp reads \(1, 2\)"):
        load_backup(path)


def test_forgetting_a_member_leaves_nothing_of_theirs(store, tmp_path: Path, app) -> None:
    """From "My data": their requests to join (by member and by address), every mail to them, their
    accounts and invitations go with them; other people's stay. A backup afterwards holds nothing of them."""
    from tests.helpers import csrf_token, make_account, sign_in

    ids = _fill(store, tmp_path)
    a = ids["a"]
    email = store.read(lambda tx: tx.run("MATCH (m:Member {id: $id}) RETURN m.email AS e", id=a))[0]["e"]

    def theirs(tx) -> None:  # type: ignore[no-untyped-def]
        tx.run(
            "CREATE (:JoinRequest {id: 'j-by-member', status: 'approved', email: 'old@example.org', member: $a})",
            a=a,
        )
        tx.run("CREATE (:JoinRequest {id: 'j-by-email', status: 'unconfirmed', email: $e})", e=email.upper())
        tx.run("CREATE (:Mail {id: 'x-by-email', recipient: $e, member: '', status: 'queued'})", e=email)
        tx.run(
            "CREATE (:Mail {id: 'x-other', recipient: 'bo@example.org', member: 'someone-else', status: 'queued'})"
        )
        tx.run("CREATE (:Invitation {id: 'inv-a', role: 'member', member: $a, expires: '2099'})", a=a)

    store.write(theirs)
    store.close()
    make_account(app, "them@example.org", "member", a)
    client = app.test_client()
    assert sign_in(client, "them@example.org").status_code == 302
    gone = client.post("/me/forget", data={"confirm": "forget me", "csrf_token": csrf_token(client, "/me")})
    assert gone.status_code == 302
    from graphapp.db import get_store

    with app.app_context():
        left = get_store().read(snapshot)
    assert [j["id"] for j in left["nodes"]["JoinRequest"]] == ["j1"]  # someone else's
    assert [x["id"] for x in left["nodes"]["Mail"]] == ["x-other"]  # x1 was to them (by member)
    assert left["nodes"]["Invitation"] == [
        {
            "id": "f" * 64,
            "role": "member",
            "member": "",
            "expires": "2099-01-01T00:00:00+00:00",
            "created_by": "ann@example.org",
        }
    ]
    assert [x["id"] for x in left["nodes"]["Account"]] == []  # ann's account was tied to them too
    assert email not in json.dumps(left) and email.upper() not in json.dumps(left)
    still = {label for label, rows in left["nodes"].items() if a in json.dumps(rows)}
    # Asks and introductions are forgotten by the steps their areas add to FORGET_STEPS (issue 12, parts 2
    # and 3); when they are there, this is the empty set.
    assert still <= {"Ask", "Introduction"}, still
    assert a not in json.dumps(left["relationships"])


# --- Issue 14: projects, themes, resources, the taxonomy and progress notes travel too ------------------


def _journey(store) -> None:  # type: ignore[no-untyped-def]
    """The demo network with competence areas, themes, projects, resources, every relationship between
    them (with empty and missing properties: a workstream serving a theme at every stage, a project with
    stages not reached) and two progress notes, one with a hostile text."""
    from tests.journey import add_journey, demo_without_journey

    demo_without_journey(store)
    ids = add_journey(store)

    def notes(tx) -> None:  # type: ignore[no-untyped-def]
        tx.run(
            "CREATE (:ProgressNote {id: 'n1', workstream: 'WS1', member: $a, date: '2026-03-01', "
            "text: 'Linked <b>two</b> registers; \"quoted\" & more', created: '2026-03-02T10:00:00+00:00', "
            "updated: '2026-03-02T10:00:00+00:00'})",
            a=ids["a"],
        )
        tx.run(
            "CREATE (:ProgressNote {id: 'n2', workstream: 'WS2', member: '', date: '2026-04-01', text: 'Plan', "
            "created: '2026-04-01T09:00:00+00:00'})"
        )

    store.write(notes)


JOURNEY = {
    "nodes": {"Project": 2, "Theme": 3, "Resource": 2, "Area": 4, "ProgressNote": 2},
    "relationships": {
        t: 2 for t in ("BROADER", "IN_AREA", "OF_THEME", "SERVES", "RUN_BY", "ON_TOPIC", "ABOUT", "SHARED")
    }
    | {"WORKS_ON": 3, "IN_WORKSTREAM": 1, "FOR_WORKSTREAM": 1},
}


def test_the_journey_round_trips_exactly(store, tmp_path: Path) -> None:
    _journey(store)
    first = tmp_path / "first.json"
    tally = write_backup(store, first)
    data = json.loads(first.read_text())
    for part, expected in JOURNEY.items():
        for name, n in expected.items():
            assert len(data[part][name]) == n == tally[name], name
    (link,) = [p for p in data["nodes"]["Project"] if p["id"] == "p-link"]
    assert link["production"] == "2023-05-02" and "maintenance" not in link  # a stage not reached stays unset
    serves = {r["source"]: r for r in data["relationships"]["SERVES"]}
    assert serves["WS1"]["stages"] == "" and serves["WS2"]["stages"] == "demonstration,production"
    (n2,) = [n for n in data["nodes"]["ProgressNote"] if n["id"] == "n2"]
    assert "updated" not in n2 and n2["member"] == ""
    held = graph(store)
    restore(store, load_backup(first), replace=True)
    second = tmp_path / "second.json"
    write_backup(store, second)
    assert backup_without_restores(second) == backup_without_restores(first)
    now = graph(store)
    now["nodes"]["Change"] = [c for c in now["nodes"]["Change"] if c["kind"] != "restore"]
    assert now == held


def test_the_journey_moves_between_stores(store, tmp_path: Path) -> None:
    """Taken on LadybugDB, restored into this test's store (either kind), backed up again: the same."""
    with LadybugStore(tmp_path / "source.lbug") as source:
        create_schema(source)
        _journey(source)
        path = tmp_path / "b.json"
        write_backup(source, path)
    restore(store, load_backup(path))
    again = tmp_path / "again.json"
    write_backup(store, again)
    assert backup_without_restores(again) == backup_without_restores(path)
    data = json.loads(again.read_text())
    assert [p["title"] for p in data["nodes"]["Project"] if p["id"] == "p-link"][0].startswith(
        "=cmd</script>"
    )


def test_a_backup_with_a_project_of_nobody_known_is_refused(store, tmp_path: Path) -> None:
    _journey(store)
    path = tmp_path / "b.json"
    write_backup(store, path)
    data = json.loads(path.read_text())
    data["relationships"]["WORKS_ON"][0]["target"] = "p-gone"
    data["nodes"]["ProgressNote"][0]["colour"] = "red"
    path.write_text(json.dumps(data))
    with pytest.raises(ImportRejected) as e:
        load_backup(path)
    assert [str(p) for p in e.value.problems] == [
        "b.json, nodes.ProgressNote[0], column 'colour': is not a property of ProgressNote",
        "b.json, relationships.WORKS_ON[0], column 'target': 'p-gone' is not the id of any Project in this backup",
    ]

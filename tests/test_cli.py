"""The graphapp command, as a coordinator runs it: on both stores."""

from __future__ import annotations

import json
from pathlib import Path

from graphapp.demo import DEMO_FILES
from graphapp.queries.schema import SCHEMA_VERSION
from tests.helpers import backup_without_restores, member, write_csv


def test_init_is_idempotent(runner) -> None:
    first = runner.invoke("init")
    assert first.exit_code == 0 and f"created the schema (version {SCHEMA_VERSION})" in first.stdout
    second = runner.invoke("init")
    assert second.exit_code == 0 and f"up to date (version {SCHEMA_VERSION})" in second.stdout


def test_demo_then_import_again_reports_nothing_to_change(runner) -> None:
    loaded = runner.invoke("demo")
    assert loaded.exit_code == 0, loaded.stderr
    assert "Member: created 150" in loaded.stdout
    again = runner.invoke("import", *map(str, DEMO_FILES))
    assert again.exit_code == 0
    assert "nothing to change" in again.stdout
    assert "Member: 150 unchanged" in again.stdout


def test_dry_run_shows_changes_and_writes_nothing(runner, tmp_path: Path) -> None:
    runner.invoke("demo")
    path = write_csv(
        tmp_path / "new.csv",
        [
            member(
                "Ana Example", "ana.example@example.org", organisation="ONS", topics="record linkage:expert"
            )
        ],
    )
    dry = runner.invoke("import", "--dry-run", str(path))
    assert dry.exit_code == 0
    assert "dry run: nothing was written" in dry.stdout
    assert "1 row read from 1 file\n  Member: would create 1\n" in dry.stdout
    assert "  INTERESTED_IN: would create 1\n" in dry.stdout
    assert "new Member: Ana Example" in dry.stdout
    real = runner.invoke("import", "--json", str(path))
    assert json.loads(real.stdout)["changes"]["Member"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert runner.invoke("import", str(path)).stdout.count("nothing to change") == 1


def test_rejected_import_goes_to_stderr_with_exit_status_1(runner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [member("Ana", "ana@"), member("", "bo@example.org")])
    result = runner.invoke("import", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "graphapp: import rejected: 2 problems; nothing was written",
        "bad.csv, row 2, column 'email': 'ana@' is not an email address",
        "bad.csv, row 3, column 'name': is empty: every row needs one",
    ]


def test_long_imports_show_progress(runner, tmp_path: Path) -> None:
    rows = [member(f"Person {i}", f"p{i}@example.org", topics="nlp; record linkage") for i in range(3000)]
    result = runner.invoke("import", "--new-topics", str(write_csv(tmp_path / "m.csv", rows)))
    assert result.exit_code == 0
    assert "creating Member: 3,000/3,000" in result.stderr
    assert "creating INTERESTED_IN: 6,000/6,000" in result.stderr


def test_backup_and_restore(runner, tmp_path: Path) -> None:
    runner.invoke("demo")
    path = tmp_path / "graph.json"
    done = runner.invoke("backup", str(path))
    assert done.exit_code == 0 and "150 Member" in done.stdout
    refused = runner.invoke("restore", str(path))
    assert refused.exit_code == 1 and "the graph is not empty" in refused.stderr
    replaced = runner.invoke("restore", "--replace", str(path))
    assert replaced.exit_code == 0, replaced.stderr
    again = tmp_path / "again.json"
    runner.invoke("backup", str(again))
    assert backup_without_restores(again) == backup_without_restores(path)  # (the restore is in the history)


def test_restore_of_a_missing_file(runner, tmp_path: Path) -> None:
    result = runner.invoke("restore", str(tmp_path / "nope.json"))
    assert result.exit_code == 1
    assert "nope.json: cannot be read" in result.stderr


def test_synthetic_files_import_cleanly(runner, tmp_path: Path) -> None:
    made = runner.invoke("synthetic", "300", "--seed", "3", "--out", str(tmp_path / "syn"))
    assert made.exit_code == 0
    files = sorted((tmp_path / "syn").glob("*.csv"))
    assert [f.name for f in files] == ["members.csv", "organisations.csv", "topics.csv", "workstreams.csv"]
    result = runner.invoke("import", *map(str, files))
    assert result.exit_code == 0, result.stderr
    assert "Member: created 300" in result.stdout


def test_suggest(runner) -> None:
    runner.invoke("demo")
    email = "timo.okafor@example.org"
    result = runner.invoke("suggest", email, "--limit", "3")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("suggestions for Timo Okafor (all):")
    assert lines[1].startswith("  1. ") and "score" in lines[1]
    assert any("Timo Okafor and " in line and " both practise " in line for line in lines)  # both named
    as_json = json.loads(runner.invoke("suggest", email, "--json", "--mode", "mentors").stdout)
    assert as_json["mode"] == "mentors"
    assert all(s["kind"] == "mentor" for s in as_json["suggestions"])
    unknown = runner.invoke("suggest", "nobody@example.org")
    assert unknown.exit_code == 1 and "no member with the id or email 'nobody@example.org'" in unknown.stderr


def _mails(runner) -> None:  # type: ignore[no-untyped-def]
    """An outbox mail, a mail waiting to be tried again and one given up on, put in the store directly."""
    from graphapp.store import open_store

    def put(tx) -> None:  # type: ignore[no-untyped-def]
        for id, status, subject, error, attempts in (
            ("a", "outbox", "Confirm your request", "", "0"),
            ("b", "queued", "An offer of help", "421 try again later", "2"),
            ("c", "failed", "You were introduced", "550 no such user", "6"),
            ("d", "queued", "Not tried yet", "", "0"),
        ):
            tx.run(
                "CREATE (:Mail {id: $id, recipient: 'ann@example.org', member: '', kind: 'ask_offer', "
                "subject: $subject, text: 'Dear Ann,\\n\\nfollow http://x.example/confirm/1', html: '', "
                "status: $status, attempts: $attempts, next_try: '2026-01-02T03:04:05+00:00', "
                "last_error: $error, created: '2026-01-01T00:00:00+00:00', sent: ''})",
                id=id,
                status=status,
                subject=subject,
                error=error,
                attempts=attempts,
            )

    runner.invoke("init")
    with open_store() as store:
        store.write(put)


def test_mail_outbox_and_failures(runner) -> None:
    _mails(runner)
    outbox = runner.invoke("mail", "outbox")
    assert outbox.exit_code == 0
    assert outbox.stdout.startswith(
        "To: ann@example.org\nSubject: Confirm your request\nDate: 2026-01-01 00:00:00 UTC\n\n"
        "Dear Ann,\n\nfollow http://x.example/confirm/1\n"
    )
    assert "An offer of help" not in outbox.stdout
    failures = runner.invoke("mail", "failures")
    assert failures.exit_code == 0
    assert sorted(failures.stdout.splitlines()) == [
        "ann@example.org\tAn offer of help\t2 attempts\tnext try 2026-01-02 03:04:05 UTC\t421 try again later",
        "ann@example.org\tYou were introduced\t6 attempts\tgiven up\t550 no such user",
    ]


def test_mail_commands_say_when_there_is_nothing(runner) -> None:
    runner.invoke("init")
    assert runner.invoke("mail", "outbox").stderr == "the outbox is empty\n"
    assert runner.invoke("mail", "failures").stderr == "no mail has failed\n"


def test_python_dash_m_runs_the_whole_command() -> None:
    """`python -m graphapp.cli` (how the tests and some deployments start graphapp) knows every command and
    every helper the installed `graphapp` knows: nothing of cli.py may come after the call to main()."""
    import ast
    import inspect
    import subprocess
    import sys

    import graphapp.cli as cli

    tree = ast.parse(inspect.getsource(cli))
    last = tree.body[-1]
    assert isinstance(last, ast.If) and "__main__" in ast.unparse(last.test)
    assert isinstance(tree.body[-2], ast.FunctionDef) and tree.body[-2].name == "main"
    shown = subprocess.run(
        [sys.executable, "-m", "graphapp.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert all(f"  {name} " in shown for name in cli.cli.commands)  # type: ignore[attr-defined]


# --- Names as a person types them (issue 15 §6) -----------------------------------------------------------


def _people(path: Path) -> set[str]:
    return {line.split(",")[0] for line in path.read_text("utf-8").splitlines()[1:]}


def test_workstream_and_topic_options_take_what_a_person_types(runner, tmp_path: Path) -> None:
    runner.invoke("demo")
    by_id = runner.invoke("export", "--format", "csv", "--workstream", "WS1", "-o", str(tmp_path / "a.csv"))
    assert by_id.exit_code == 0, by_id.stderr
    for typed in ("ws1", "ws-1", "Support current studies towards production"):
        out = tmp_path / "b.csv"
        again = runner.invoke("export", "--format", "csv", "--workstream", typed, "-o", str(out))
        assert again.exit_code == 0, again.stderr
        assert _people(out) == _people(tmp_path / "a.csv") and len(_people(out)) > 1, typed
    unknown = runner.invoke(
        "export", "--format", "csv", "--workstream", "ws 44", "-o", str(tmp_path / "c.csv")
    )
    assert unknown.exit_code == 1 and "'ws 44' is not a workstream of the network" in unknown.stderr
    assert "Did you mean WS4 (Good training data)" in unknown.stderr and "Traceback" not in unknown.stderr
    assert not (tmp_path / "c.csv").exists()

    topic = runner.invoke(
        "export", "--format", "csv", "--topic", "Record Linkage", "-o", str(tmp_path / "t.csv")
    )
    assert topic.exit_code == 0, topic.stderr
    same = runner.invoke(
        "export", "--format", "csv", "--topic", "record-linkage", "-o", str(tmp_path / "u.csv")
    )
    assert same.exit_code == 0 and _people(tmp_path / "t.csv") == _people(tmp_path / "u.csv")
    typo = runner.invoke(
        "export", "--format", "csv", "--topic", "record linkge", "-o", str(tmp_path / "v.csv")
    )
    assert typo.exit_code == 1 and "Did you mean 'record linkage'" in typo.stderr

    email = "timo.okafor@example.org"
    lower = json.loads(runner.invoke("suggest", email, "--json", "--workstream", "ws2").stdout)
    upper = json.loads(runner.invoke("suggest", email, "--json", "--workstream", "WS2").stdout)
    assert lower == upper and lower["suggestions"]
    notes = runner.invoke("workstreams", "notes", "ws 2")
    assert notes.exit_code == 0 and "WS2 has no progress notes yet" in notes.stderr
    gone = runner.invoke("workstreams", "notes", "ws99")
    assert gone.exit_code == 1 and "is not a workstream of the network" in gone.stderr


def test_reading_commands_work_while_serve_holds_the_embedded_file(tmp_path: Path) -> None:
    """LadybugDB lets a second process open the file read-only while `graphapp serve` holds it: reading
    commands work (and say so), writing ones are refused with what to do; no traceback either way."""
    from tests.processes import _clean_env, graphapp, serving

    env = {**_clean_env(), "GRAPHAPP_DB": str(tmp_path / "graph.lbug")}
    assert graphapp(env, "demo").returncode == 0
    made = graphapp(
        env, "account", "create", "ann@example.org", "--password-stdin", stdin="a long enough password\n"
    )
    assert made.returncode == 0, made.stderr
    with serving(env, tmp_path / "serve.log"):
        listed = graphapp(env, "account", "list")
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.startswith("ann@example.org\tmember\tactive")
        assert "in use by graphapp serve (PID" in listed.stderr and "read-only" in listed.stderr
        out = tmp_path / "ws1.csv"
        exported = graphapp(env, "export", "--format", "csv", "--workstream", "ws1", "-o", str(out))
        assert exported.returncode == 0, exported.stderr
        assert len(_people(out)) > 1
        refused = graphapp(env, "account", "set", "ann@example.org", "--role", "admin")
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert "is in use by another process" in refused.stderr and "stop that process" in refused.stderr
    assert graphapp(env, "account", "list").stdout.startswith("ann@example.org\tmember\tactive")

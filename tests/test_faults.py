"""Faults, for real: a Neo4j of its own is stopped while the app runs and an import is writing, then
started again. Pages and API answer 503 promptly meanwhile, the import fails plainly (it does not hang
or claim success), and the app recovers by itself when Neo4j is back."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp import create_app
from graphapp.db import get_store
from graphapp.demo import DEMO_FILES, synthetic
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.store import Neo4jStore, StoreUnavailable
from tests.helpers import csrf_token, make_account, sign_in
from tests.processes import _clean_env, graphapp

pytestmark = pytest.mark.neo4j


@pytest.fixture
def own_neo4j():  # type: ignore[no-untyped-def]
    server = ThrowawayNeo4j(heap="768m", pagecache_mb=128)
    server.start()
    try:
        yield server
    finally:
        server.close()


def _until(check, seconds: float = 60) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, "gave up waiting"
        time.sleep(0.5)
    return time.monotonic() - started


def test_neo4j_stopped_mid_run_and_started_again(own_neo4j: ThrowawayNeo4j, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "NEO4J_URI": own_neo4j.uri, "NEO4J_RETRY_SECONDS": 1})
    make_account(app, "admin@example.org", "admin")
    client = app.test_client()
    assert sign_in(client, "admin@example.org").status_code == 302
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
    assert client.get("/members").status_code == 200

    # An import is writing when the database goes away.
    files = write_dataset(synthetic(6000, seed=1), tmp_path / "data")
    outcome: dict[str, object] = {}
    started = threading.Event()

    def run_import() -> None:
        try:
            import_files(store, files, progress=lambda *a: started.set())
            outcome["result"] = "finished"
        except Exception as e:  # noqa: BLE001 (whatever it is, the test reports it below)
            outcome["result"] = e

    worker = threading.Thread(target=run_import)
    worker.start()
    assert started.wait(120), "the import never started writing"
    own_neo4j.stop_server()
    worker.join(120)
    assert not worker.is_alive(), "the import hung when Neo4j went away"
    assert outcome["result"] != "finished", "an import cannot have finished against a stopped database"
    assert isinstance(outcome["result"], StoreUnavailable), outcome  # said plainly, not a driver error
    assert "is not answering" in str(outcome["result"])

    # While it is down: a clear 503, soon.
    t0 = time.monotonic()
    health = client.get("/api/health")
    waited = time.monotonic() - t0
    assert health.status_code == 503 and "is not answering" in health.get_json()["error"]["message"]
    assert waited < 15, f"the 503 took {waited:.1f} s"
    page = client.get("/members")
    assert page.status_code == 503 and "The database is unavailable" in page.get_data(as_text=True)
    assert client.get("/api/members").status_code == 503

    # Back again: the app recovers by itself (the harness restarts with an empty database).
    own_neo4j.start_server()
    _until(lambda: client.get("/api/health").status_code == 200)
    assert client.get("/login").status_code == 200
    assert client.get("/members").status_code in (200, 302)  # (its account went with the old database)
    with app.app_context():
        import_files(get_store(), DEMO_FILES)
    make_account(app, "admin@example.org", "admin")
    again = app.test_client()
    assert sign_in(again, "admin@example.org").status_code == 302
    assert "150</strong> members" in again.get("/").get_data(as_text=True)
    app.extensions["graphapp.store"].close()


def test_an_import_too_big_for_the_servers_memory_is_said_plainly_and_writes_nothing(tmp_path: Path) -> None:
    """A Neo4j that gives one transaction 4 MiB (a server's heap is what limits a large import): the
    import fails at once with what to do about it, nothing is written, and the driver does not retry
    it (a retry builds the same transaction again, for nothing)."""
    server = ThrowawayNeo4j(heap="512m", pagecache_mb=64, transaction_max=4 * 2**20)
    server.start()
    try:
        env = {**_clean_env(), "NEO4J_URI": server.uri or ""}
        files = write_dataset(synthetic(400, seed=2), tmp_path / "data")
        result = graphapp(env, "import", "--new-topics", *map(str, files))
        assert result.returncode == 1, result
        said = result.stderr
        assert "has not the memory this transaction needs" in said, said
        assert "db.memory.transaction.max threshold reached" in said  # what the server said
        assert (
            "nothing was written" in said
            and "import the file in parts" in said
            and "graphapp import --initial" in said
        )
        assert "will be retried" not in said  # (the driver logs each retry)
        # The same files uploaded on the import page: a page that says what happened, not "try again".
        app = create_app({"TESTING": True, "NEO4J_URI": server.uri, "NEO4J_RETRY_SECONDS": 1})
        make_account(app, "co@example.org", "coordinator")
        client = app.test_client()
        assert sign_in(client, "co@example.org").status_code == 302
        page = client.post(
            "/import",
            data={
                "csrf_token": csrf_token(client, "/import"),
                "new_topics": "yes",
                "files": [(io.BytesIO(f.read_bytes()), f.name) for f in files],
            },
            content_type="multipart/form-data",
        )
        text = page.get_data(as_text=True)
        assert page.status_code == 503, text
        assert "Too much for the database at once" in text and "nothing was written" in text
        assert "Try again in a moment" not in text
        with Neo4jStore(server.uri or "") as store:
            network = (
                "MATCH (n) WHERE n:Member OR n:Organisation OR n:Topic OR n:Workstream RETURN count(n) AS n"
            )
            assert store.read(lambda tx: tx.run(network)) == [{"n": 0}]
            imports = "MATCH (c:Change) WHERE c.kind = 'import' RETURN count(c) AS n"
            assert store.read(lambda tx: tx.run(imports)) == [{"n": 0}]
    finally:
        server.close()


def test_a_database_that_cannot_be_opened_is_told_in_the_readers_language(tmp_path: Path) -> None:
    """An embedded file that cannot be opened (a folder stands in its place): a page says so in plain words in the reader's language (no
    command, no path), the API answers the operator's English message, and the log keeps it."""
    (tmp_path / "missing.lbug").mkdir()
    app = create_app({"TESTING": True, "GRAPHAPP_DB": str(tmp_path / "missing.lbug"), "GRAPHAPP_PUBLIC": "1"})
    client = app.test_client()
    words = {}
    for language in ("en", "fr", "ru"):
        client.set_cookie("graphapp_lang", language)
        page = client.get("/topics")
        assert page.status_code == 503
        words[language] = page.get_data(as_text=True)
    assert "graphapp cannot reach its database just now." in words["en"]
    assert "La base de données est indisponible" in words["fr"] and "Réessayez dans un instant" in words["fr"]
    assert "База данных недоступна" in words["ru"]
    for text in words.values():
        assert "missing.lbug" not in text
    answer = client.get("/api/health")
    assert answer.status_code == 503 and "missing.lbug" in answer.get_json()["error"]["message"]

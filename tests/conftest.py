"""Fixtures: a real Neo4j for the session, a ``store`` on each backend, and the Flask app, client and runner.

The Neo4j is the one ``NEO4J_URI`` names, or else a throwaway Neo4j 5.26 started here for the session.
If it cannot be started the Neo4j tests fail with the reason; they never skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp import create_app
from graphapp.queries.schema import DELETE_ALL, create_schema
from graphapp.settings import STORE_SETTINGS
from graphapp.store import LadybugStore, Neo4jStore, Store
from tests.smtp import smtp_server  # noqa: F401 (a fixture, for every test module)

# The Neo4j server's warnings are raised as Python warnings in this run, and pyproject's filterwarnings
# makes each one a failure: a deprecated statement fails CI before a Neo4j upgrade breaks production.
os.environ.setdefault("GRAPHAPP_NEO4J_WARNINGS", "1")
# No warm-up in this process (importing graphapp.wsgi, for its doctests, makes a served app); the servers
# the tests start (tests/processes.py, with a clean environment) warm up as in production.
os.environ.setdefault("GRAPHAPP_WARM_UP", "0")

STORES = ["ladybug", "neo4j"]


@pytest.fixture(scope="session")
def neo4j_config() -> Iterator[dict[str, str]]:
    """Connection settings of the session's Neo4j."""
    if os.environ.get("NEO4J_URI"):
        yield {
            key: os.environ[key] for key in STORE_SETTINGS if key.startswith("NEO4J_") and os.environ.get(key)
        }
        return
    server = ThrowawayNeo4j()
    server.start()  # raises Neo4jDidNotStart with the reason: an error, never a skip
    try:
        yield {"NEO4J_URI": server.uri or ""}
    finally:
        server.close()


def _wipe(store: Store) -> None:
    store.write(lambda tx: tx.run(DELETE_ALL))


@pytest.fixture(params=STORES)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the store a parametrised test runs on."""
    return str(request.param)


@pytest.fixture
def store_config(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """Environment-style settings that point graphapp at a fresh, empty store of this backend."""
    if backend == "ladybug":
        return {"GRAPHAPP_DB": str(tmp_path / "graph.lbug")}
    config: dict[str, str] = request.getfixturevalue("neo4j_config")
    with Neo4jStore(
        config["NEO4J_URI"],
        config.get("NEO4J_USER"),
        config.get("NEO4J_PASSWORD"),
        config.get("NEO4J_DATABASE"),
    ) as neo4j:
        _wipe(neo4j)
    return dict(config)


@pytest.fixture
def store(store_config: dict[str, str]) -> Iterator[Store]:
    """A fresh store with the schema created, on each backend in turn."""
    if "NEO4J_URI" in store_config:
        opened: Store = Neo4jStore(
            store_config["NEO4J_URI"],
            store_config.get("NEO4J_USER"),
            store_config.get("NEO4J_PASSWORD"),
            store_config.get("NEO4J_DATABASE"),
        )
    else:
        opened = LadybugStore(store_config["GRAPHAPP_DB"])
    create_schema(opened)
    yield opened
    opened.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "neo4j":
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture
def app(store_config: dict[str, str]):  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, **store_config})
    yield app
    opened = app.extensions.get("graphapp.store")
    if opened is not None:
        opened.close()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A browser signed in as an administrator (who may open every page)."""
    from tests.helpers import signed_in

    return signed_in(app, "admin@example.org", "admin")


@pytest.fixture
def demo_app(app):  # type: ignore[no-untyped-def]
    """The app's store with the demo network loaded; returns the store."""
    from graphapp.db import get_store
    from graphapp.demo import DEMO_FILES
    from graphapp.ingest import import_files

    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
        return store


@pytest.fixture
def anonymous(app):  # type: ignore[no-untyped-def]
    """A browser nobody has signed in with."""
    return app.test_client()


@pytest.fixture
def runner(store_config: dict[str, str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Runs ``graphapp`` commands in-process against this test's store."""
    from click.testing import CliRunner

    from graphapp.cli import cli

    for key in STORE_SETTINGS:
        monkeypatch.delenv(key, raising=False)
    for key, value in store_config.items():
        monkeypatch.setenv(key, value)

    class Runner:
        def invoke(self, *args: str):  # type: ignore[no-untyped-def]
            return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return Runner()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """In CI a Neo4j test that skips is a failure: the Neo4j tests are mandatory there."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and item.get_closest_marker("neo4j"):
        report.outcome = "failed"
        report.longrepr = f"Neo4j test skipped in CI, which is not allowed: {report.longrepr}"

"""The Neo4j server's warnings reach the test run: a deprecated statement fails it, so the next Neo4j
upgrade is seen in CI, not in production. (pyproject's ``filterwarnings = ["error"]`` turns every warning
into a failure; the store asks the server for its warnings and has the driver raise them as warnings.)"""

from __future__ import annotations

import pytest
from neo4j.warnings import Neo4jDeprecationWarning

from graphapp.store import Neo4jStore

DEPRECATED = (
    "MATCH (n) RETURN id(n) AS key LIMIT 1"  # id() is deprecated in Neo4j 5 (elementId() replaces it)
)


def _neo4j(config: dict[str, str]) -> Neo4jStore:
    return Neo4jStore(
        config["NEO4J_URI"],
        config.get("NEO4J_USER"),
        config.get("NEO4J_PASSWORD"),
        config.get("NEO4J_DATABASE"),
    )


def test_a_deprecated_statement_is_reported_as_a_deprecation_warning(neo4j_config) -> None:
    with _neo4j(neo4j_config) as store, pytest.warns(Neo4jDeprecationWarning, match=r"id\b"):
        store.read(lambda tx: tx.run(DEPRECATED))


def test_a_deprecated_statement_fails_the_test_run(neo4j_config) -> None:
    """As pyproject configures the test run (``filterwarnings = ["error"]``, no filter of this test's
    own), the read itself fails: any test that meets a deprecated statement fails."""
    with _neo4j(neo4j_config) as store:
        with pytest.raises(Neo4jDeprecationWarning):
            store.read(lambda tx: tx.run(DEPRECATED))
        assert store.read(lambda tx: tx.run("RETURN 1 AS one")) == [{"one": 1}]  # a current statement passes


def test_outside_the_tests_the_warnings_are_logged_not_raised(neo4j_config, monkeypatch, caplog) -> None:
    """In production the server's warnings are still asked for and logged (logger neo4j.notifications),
    without the cost of raising them as Python warnings."""
    import logging

    monkeypatch.delenv("GRAPHAPP_NEO4J_WARNINGS", raising=False)
    with _neo4j(neo4j_config) as store, caplog.at_level(logging.INFO, logger="neo4j.notifications"):
        store.read(lambda tx: tx.run(DEPRECATED))  # (a raised warning would fail this test)
    assert any(r.name == "neo4j.notifications" and "id" in r.getMessage() for r in caplog.records), (
        caplog.text
    )

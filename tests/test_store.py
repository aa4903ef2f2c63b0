"""What both stores promise query functions beyond running one statement: reads side by side, and rows
of plain values."""

from __future__ import annotations

import threading

import pytest

from graphapp.queries.schema import graph_revision
from graphapp.store import Neo4jStore


def test_side_by_side_reads_and_writes(store, backend: str) -> None:
    """Reads run side by side (on Neo4j in other transactions and threads, the first in this one);
    in a write transaction they run in it, so they see what it wrote."""

    def where(tx) -> str:
        tx.run("MATCH (m:Member) RETURN count(m) AS n")
        return threading.current_thread().name

    threads = store.read(lambda tx: tx.side_by_side([where, where, where]))
    assert threads[0] == threading.current_thread().name
    if backend == "neo4j":
        assert all(t.startswith("graphapp-read") for t in threads[1:])
    else:
        assert threads[1:] == threads[:1] * 2

    def write_then_read(tx) -> list[list[dict]]:
        tx.run("CREATE (:Member {id: 'side-by-side', name: 'Side'})")
        return tx.run_all(
            [
                "MATCH (m:Member {id: 'side-by-side'}) RETURN m.name AS name",
                "MATCH (m:Member) RETURN count(m) AS n",
            ]
        )

    assert store.write(write_then_read) == [[{"name": "Side"}], [{"n": 1}]]
    assert (
        store.read(lambda tx: tx.run_all(["MATCH (m:Member) RETURN m.id AS id"] * 3))
        == [[{"id": "side-by-side"}]] * 3
    )


@pytest.mark.neo4j
def test_neo4j_rows_are_plain_values_and_nodes_become_their_properties(neo4j_config) -> None:
    with Neo4jStore(
        neo4j_config["NEO4J_URI"], neo4j_config.get("NEO4J_USER"), neo4j_config.get("NEO4J_PASSWORD")
    ) as store:
        rows = store.read(
            lambda tx: tx.run("RETURN [1, 2] AS numbers, {a: 'x'} AS map, {id: 'n', name: 'N'} AS props")
        )
        assert rows == [{"numbers": [1, 2], "map": {"a": "x"}, "props": {"id": "n", "name": "N"}}]
        node = store.write(lambda tx: tx.run("CREATE (n:Scratch {id: 'n'}) RETURN n AS node"))
        assert node == [{"node": {"id": "n"}}] and type(node[0]["node"]) is dict


def test_bookkeeping_keeps_the_graph_revision_and_writes_renew_it(store) -> None:
    """``store.bookkeep`` (sign-in attempts) writes without making the suggestion index and the coverage
    report stale; ``store.write`` renews the revision they are checked against."""
    store.write(lambda tx: tx.run("CREATE (:Topic {id: 't', name: 'T'})"))
    before = store.read(graph_revision)
    store.bookkeep(lambda tx: tx.run("MERGE (a:LoginAttempt {id: 'ip:192.0.2.1'}) SET a.last = '2026'"))
    assert store.read(graph_revision) == before
    assert store.read(lambda tx: tx.run("MATCH (a:LoginAttempt) RETURN a.last AS last")) == [{"last": "2026"}]
    store.write(lambda tx: tx.run("MATCH (t:Topic) SET t.name = 'T again'"))
    assert store.read(graph_revision) != before

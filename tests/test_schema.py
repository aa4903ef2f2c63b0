"""Schema creation and versioning, on both stores."""

from __future__ import annotations

import pytest

from queries.schema import SCHEMA_VERSION, WRITE_VERSION, SchemaTooNew, create_schema, schema_version


def test_schema_is_created_once_and_carries_its_version(store) -> None:
    assert store.read(schema_version) == SCHEMA_VERSION
    assert create_schema(store) == (SCHEMA_VERSION, SCHEMA_VERSION)


def test_unique_ids_are_enforced(store) -> None:
    store.write(lambda tx: tx.run("CREATE (:Topic {id: 'x', name: 'X'})"))
    with pytest.raises(Exception, match="(?i)already exists|duplicat"):
        store.write(lambda tx: tx.run("CREATE (:Topic {id: 'x', name: 'X again'})"))
    assert store.read(lambda tx: tx.run("MATCH (t:Topic) RETURN count(t) AS n"))[0]["n"] == 1


def test_a_newer_schema_is_refused(store) -> None:
    store.write(lambda tx: tx.run(WRITE_VERSION, version=str(SCHEMA_VERSION + 1)))
    with pytest.raises(SchemaTooNew, match="upgrade graphapp"):
        create_schema(store)

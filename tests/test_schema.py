"""Schema creation and versioning, on both stores."""

from __future__ import annotations

import pytest

from graphapp.queries.schema import SCHEMA_VERSION, WRITE_VERSION, SchemaTooNew, create_schema, schema_version


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


#: What schema 5 added to tables that schema 4 already had (tables new in 5 are left out whole).
V5_COLUMNS = (
    ", joined STRING, confirmed STRING, reminded STRING, reminders STRING, lapsed STRING",
    ", description STRING, status STRING",  # Topic
    ", seen STRING",  # Account
    ", new_topics STRING[]",  # JoinRequest
)


#: The tables schema 6 added (the competence taxonomy).
V6_TABLES = ("Area", "BROADER", "IN_AREA")


#: The tables schema 7 added (the journey: projects, themes, resources, progress notes).
V7_TABLES = (
    "Project",
    "Theme",
    "Resource",
    "ProgressNote",
    "RUN_BY",
    "WORKS_ON",
    "ON_TOPIC",
    "IN_WORKSTREAM",
    "SERVES",
    "OF_THEME",
    "ABOUT",
    "FOR_WORKSTREAM",
    "SHARED",
)


def _ddl_of_version_6() -> list[str]:
    """The embedded file's DDL as graphapp wrote it at schema 6, from today's."""
    from graphapp.queries.schema import DDL

    return [s for s in DDL["ladybug"] if not any(f"TABLE IF NOT EXISTS {t}(" in s for t in V7_TABLES)]


def _ddl_of_version_5() -> list[str]:
    """The embedded file's DDL as graphapp wrote it at schema 5, from schema 6's."""
    return [s for s in _ddl_of_version_6() if not any(f"TABLE IF NOT EXISTS {t}(" in s for t in V6_TABLES)]


def _ddl_of_version_4() -> list[str]:
    """The embedded file's DDL as graphapp wrote it at schema 4, from schema 5's."""
    statements = []
    for s in _ddl_of_version_5():
        if any(f"TABLE IF NOT EXISTS {label}(" in s for label in ("Change", "TopicProposal")):
            continue
        for columns in V5_COLUMNS:
            s = s.replace(columns, "")
        statements.append(s)
    return statements


def _ddl_of_version_3() -> list[str]:
    """The embedded file's DDL as graphapp wrote it at schema 3, from schema 4's."""
    from graphapp.queries.schema import WORKFLOW_LABELS

    return [
        s.replace(", introductions STRING, mail_off STRING", "").replace(", via STRING, since STRING", "")
        for s in _ddl_of_version_4()
        if not any(f"TABLE IF NOT EXISTS {label}(" in s for label in WORKFLOW_LABELS)
    ]


def test_a_version_5_database_is_migrated_and_gets_the_taxonomy(tmp_path) -> None:
    """An embedded file of schema 5 opens and migrates to 6: its topics stay, and areas can be placed."""
    from graphapp.store import LadybugStore
    from graphapp.taxonomy import import_taxonomy, taxonomy_tree

    v5 = _ddl_of_version_5()
    assert not any("Area" in s for s in v5)
    with LadybugStore(str(tmp_path / "v5.lbug")) as old:
        for statement in v5:
            old.write(lambda tx, s=statement: tx.run(s))
        old.write(lambda tx: tx.run(WRITE_VERSION, version="5"))
        old.write(lambda tx: tx.run("CREATE (:Topic {id: 'record-linkage', name: 'record linkage'})"))
    with LadybugStore(str(tmp_path / "v5.lbug")) as reopened:
        assert create_schema(reopened) == (5, SCHEMA_VERSION)
        reopened.write(import_taxonomy, b"id,name,topics\nlinkage,Linkage,record linkage\n", "t.csv")
        tree = reopened.read(taxonomy_tree)
        assert tree["areas"][0]["topics"][0]["id"] == "record-linkage"
        assert create_schema(reopened) == (SCHEMA_VERSION, SCHEMA_VERSION)


def test_a_version_6_database_is_migrated_and_can_hold_projects(tmp_path) -> None:
    """An embedded file of schema 6 opens and migrates to 7: its topics stay, and a project can be on one."""
    from graphapp.store import LadybugStore

    v6 = _ddl_of_version_6()
    assert not any("Project" in s for s in v6)
    with LadybugStore(str(tmp_path / "v6.lbug")) as old:
        for statement in v6:
            old.write(lambda tx, s=statement: tx.run(s))
        old.write(lambda tx: tx.run(WRITE_VERSION, version="6"))
        old.write(lambda tx: tx.run("CREATE (:Topic {id: 'record-linkage', name: 'record linkage'})"))
    with LadybugStore(str(tmp_path / "v6.lbug")) as reopened:
        assert create_schema(reopened) == (6, SCHEMA_VERSION) and SCHEMA_VERSION >= 7
        reopened.write(
            lambda tx: tx.run(
                "MATCH (t:Topic {id: 'record-linkage'}) "
                "CREATE (p:Project {id: 'p1', title: 'Linking the census', stage: 'production'})-[:ON_TOPIC]->(t)"
            )
        )
        rows = reopened.read(
            lambda tx: tx.run(
                "MATCH (p:Project)-[:ON_TOPIC]->(t:Topic) RETURN p.stage AS stage, t.name AS topic"
            )
        )
        assert rows == [{"stage": "production", "topic": "record linkage"}]
        assert create_schema(reopened) == (SCHEMA_VERSION, SCHEMA_VERSION)


def test_a_version_4_database_is_migrated_keeping_its_members_and_requests(tmp_path) -> None:
    """An embedded file of schema 4 opens and migrates: its members and requests to join stay, their new
    fields (joined, confirmed, a topic's status, a request's proposed topics) read as unset, the history
    and topic proposals are there, and running the migration again changes nothing."""
    from graphapp.store import LadybugStore

    v4 = _ddl_of_version_4()
    assert any("CREATE NODE TABLE IF NOT EXISTS Member(" in s and "joined" not in s for s in v4)
    with LadybugStore(str(tmp_path / "v4.lbug")) as old:
        for statement in v4:
            old.write(lambda tx, s=statement: tx.run(s))
        old.write(lambda tx: tx.run(WRITE_VERSION, version="4"))
        old.write(
            lambda tx: tx.run("CREATE (:Member {id: 'm-1', name: 'Ana'}), (:Topic {id: 't', name: 'T'})")
        )
        old.write(lambda tx: tx.run("CREATE (:JoinRequest {id: 'r-1', name: 'Bo', status: 'confirmed'})"))
    with LadybugStore(str(tmp_path / "v4.lbug")) as reopened:
        assert create_schema(reopened) == (4, SCHEMA_VERSION)
        rows = reopened.read(
            lambda tx: tx.run(
                "MATCH (m:Member), (t:Topic), (r:JoinRequest) "
                "RETURN m.name AS m, m.joined AS joined, m.confirmed AS confirmed, t.status AS status, "
                "r.name AS r, r.new_topics AS proposed"
            )
        )
        assert rows == [
            {"m": "Ana", "joined": None, "confirmed": None, "status": None, "r": "Bo", "proposed": None}
        ]
        reopened.write(lambda tx: tx.run("CREATE (:Change {id: 'c-1', kind: 'profile'})"))
        assert reopened.read(lambda tx: tx.run("MATCH (c:Change) RETURN count(c) AS n"))[0]["n"] == 1
        assert create_schema(reopened) == (SCHEMA_VERSION, SCHEMA_VERSION)


def test_a_version_1_database_is_migrated_keeping_its_members(tmp_path) -> None:
    """An embedded file made by graphapp 0.1 (schema 1: no consent columns, no accounts) opens, migrates
    to the current version, and keeps what it held; the consent of its members reads as unset."""
    from graphapp.queries.schema import MIGRATIONS
    from graphapp.store import LadybugStore

    v1 = [
        s.replace(", email_visibility STRING, suggestible STRING", "")
        for s in _ddl_of_version_3()
        if not any(
            f"TABLE IF NOT EXISTS {label}(" in s for label in ("Account", "Invitation", "LoginAttempt")
        )
    ]
    assert any("CREATE NODE TABLE IF NOT EXISTS Member(" in s and "email_visibility" not in s for s in v1)
    with LadybugStore(str(tmp_path / "old.lbug")) as old:
        for statement in v1:
            old.write(lambda tx, s=statement: tx.run(s))
        old.write(lambda tx: tx.run(WRITE_VERSION, version="1"))
        old.write(
            lambda tx: tx.run("CREATE (:Member {id: 'm-1', name: 'Ana Example', email: 'ana@example.org'})")
        )
        assert MIGRATIONS[2]["ladybug"]
        assert create_schema(old) == (1, SCHEMA_VERSION)
        rows = old.read(
            lambda tx: tx.run(
                "MATCH (m:Member) RETURN m.name AS name, m.email_visibility AS v, m.suggestible AS s"
            )
        )
        assert rows == [{"name": "Ana Example", "v": None, "s": None}]
        old.write(lambda tx: tx.run("CREATE (:Account {id: 'ana@example.org', role: 'member'})"))
        assert create_schema(old) == (SCHEMA_VERSION, SCHEMA_VERSION)  # and again: nothing to do


def test_a_version_2_database_is_migrated_and_counts_failed_sign_ins(tmp_path) -> None:
    """An embedded file of schema 2 (accounts, but failed sign-ins counted in memory) opens, migrates, keeps
    its accounts, and from then on keeps failed sign-ins in the graph."""
    from graphapp.accounts import SignInLimit
    from graphapp.queries.accounts import account
    from graphapp.store import LadybugStore

    v3 = _ddl_of_version_3()
    v2 = [s for s in v3 if "TABLE IF NOT EXISTS LoginAttempt(" not in s]
    assert len(v2) == len(v3) - 1
    with LadybugStore(str(tmp_path / "v2.lbug")) as old:
        for statement in v2:
            old.write(lambda tx, s=statement: tx.run(s))
        old.write(lambda tx: tx.run(WRITE_VERSION, version="2"))
        old.write(
            lambda tx: tx.run("CREATE (:Account {id: 'ana@example.org', role: 'admin', active: 'yes'})")
        )
    with LadybugStore(str(tmp_path / "v2.lbug")) as reopened:
        assert create_schema(reopened) == (2, SCHEMA_VERSION)
        assert reopened.read(account, "ana@example.org")["role"] == "admin"
        limit = SignInLimit(limit=1)
        assert limit.wait(reopened, ["login:ana@example.org"]) == 0  # (counted: one failure so far)
        assert limit.wait(reopened, ["login:ana@example.org"]) > 0


def test_a_version_3_database_is_migrated_keeping_its_contacts(tmp_path) -> None:
    """An embedded file of schema 3 opens and migrates to the current version: its members and contacts stay,
    their new choices read as unset, the new tables (join requests, asks...) are there, and a contact can
    now say where it came from."""
    from graphapp.queries.schema import DDL, WORKFLOW_LABELS
    from graphapp.store import LadybugStore

    v3 = _ddl_of_version_3()
    assert len(v3) == len(DDL["ladybug"]) - len({*WORKFLOW_LABELS, *V6_TABLES, *V7_TABLES})
    with LadybugStore(str(tmp_path / "v3.lbug")) as old:
        for statement in v3:
            old.write(lambda tx, s=statement: tx.run(s))
        old.write(lambda tx: tx.run(WRITE_VERSION, version="3"))
        old.write(
            lambda tx: tx.run("CREATE (:Member {id: 'm-1', name: 'Ana'}), (:Member {id: 'm-2', name: 'Bo'})")
        )
        old.write(
            lambda tx: tx.run("MATCH (a:Member {id: 'm-1'}), (b:Member {id: 'm-2'}) CREATE (a)-[:KNOWS]->(b)")
        )
    with LadybugStore(str(tmp_path / "v3.lbug")) as reopened:
        assert create_schema(reopened) == (3, SCHEMA_VERSION)
        rows = reopened.read(
            lambda tx: tx.run(
                "MATCH (a:Member)-[k:KNOWS]->(b:Member) "
                "RETURN a.introductions AS i, a.mail_off AS off, k.via AS via, b.name AS b"
            )
        )
        assert rows == [{"i": None, "off": None, "via": None, "b": "Bo"}]
        reopened.write(
            lambda tx: tx.run("MATCH (:Member {id: 'm-1'})-[k:KNOWS]->() SET k.via = 'introduction'")
        )
        for label in WORKFLOW_LABELS:
            assert (
                reopened.read(lambda tx, n=label: tx.run(f"MATCH (x:{n}) RETURN count(x) AS n"))[0]["n"] == 0
            )

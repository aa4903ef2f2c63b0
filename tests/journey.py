"""A network with the journey of issue 14 (competence areas, themes, projects, resources), for the contact
map and backup tests: the demo's members with a few of each, written with the schema's generic statements
(the importer and the forms are other parts of the issue)."""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Tx
from graphapp.queries.members import MemberFilter, member_ids
from graphapp.queries.schema import CREATE_NODES, CREATE_RELS, NODES, RELATIONSHIPS
from graphapp.store import Store

__all__ = ["TITLE", "TITLE_IN_XML", "add_journey"]

#: A project title that tries everything: markup, a script end, XML's CDATA end, an entity, a character
#: XML cannot hold (a vertical tab) and a formula.
TITLE = '=cmd</script><script>alert(1)</script> & <b>"Linkage"</b> ]]> \x0b at scale'
#: The title as an XML export carries it: the character XML cannot hold is left out, the rest kept.
TITLE_IN_XML = TITLE.replace("\x0b", "")


def demo_without_journey(store: Store) -> None:
    """The demo network without its own journey (projects, resources, themes), so that the fixture's
    :func:`add_journey` is all a test counts."""
    from graphapp.demo import DEMO_NETWORK_FILES
    from graphapp.ingest.plan import import_files

    import_files(store, DEMO_NETWORK_FILES)
    store.write(lambda tx: tx.run("MATCH (t:Theme) DETACH DELETE t"))


def add_journey(store: Store) -> dict[str, str]:
    """Competence areas (record linkage in "Linking data", under "Data science analytics"; NLP in another
    branch), themes (served by WS1 and WS2; record linkage and NLP serve one each), two projects (one on
    record linkage run by ONS, worked on by a holder of the topic and by someone who does not hold it; one
    on NLP) and two resources, on the demo network. Returns the members' ids: ``a`` and ``b`` hold record
    linkage, ``z`` does not (and is no contact of ``a``)."""
    holders = store.read(member_ids, MemberFilter(topic="record-linkage"))
    everyone = store.read(member_ids, MemberFilter())
    a, b = holders[0], holders[1]
    contacts = {
        r["id"]
        for r in store.read(
            lambda tx: tx.run("MATCH (m:Member {id: $id})-[:KNOWS]-(c:Member) RETURN c.id AS id", id=a)
        )
    }
    z = next(m for m in everyone if m not in holders and m not in contacts)
    org_of_a = store.read(
        lambda tx: tx.run("MATCH (:Member {id: $id})-[:WORKS_AT]->(o) RETURN o.id AS id", id=a)
    )[0]["id"]
    nodes: dict[str, list[dict[str, Any]]] = {
        "Area": [
            {"id": "a-top", "name": "Data science analytics", "position": "01"},
            {"id": "a-mid", "name": "Linking data", "position": "02"},
            {"id": "a-far", "name": "Data management", "position": "03"},
            {"id": "a-far-child", "name": "Text as data", "position": "04"},
        ],
        "Theme": [
            {"id": "th-quality", "name": "Quality", "kind": "theme", "position": "01"},
            {"id": "th-data", "name": "Good training data", "kind": "theme", "position": "02"},
            {
                "id": "th-sharing",
                "name": "Sharing and collaboration",
                "kind": "facilitator",
                "position": "03",
            },
        ],
        "Project": [
            {
                "id": "p-link",
                "title": TITLE,
                "description": "Linking the census to tax records",
                "domain": "5.1",
                "stage": "production",
                "idea": "2022-01-10",
                "demonstration": "2022-09-01",
                "production": "2023-05-02",
                "report": "https://example.org/report?a=1&b=2",
                "code": "https://example.org/code",
            },
            {"id": "p-nlp", "title": "Coding occupations", "stage": "idea", "idea": "2025-02-01"},
        ],
        "Resource": [
            {
                "id": "r-guide",
                "title": "Record linkage guide",
                "url": "https://example.org/guide",
                "kind": "document",
                "language": "en",
                "added": "2025-01-01",
            },
            {
                "id": "r-nlp",
                "title": "NLP course",
                "url": "javascript:alert(1)",  # (a link no page may offer)
                "kind": "course",
                "language": "fr",
                "added": "2025-02-02",
            },
        ],
    }

    def rel(source: str, target: str, **props: str) -> dict[str, str]:
        return {"source": source, "target": target, **props}

    rels: dict[str, list[dict[str, str]]] = {
        "BROADER": [rel("a-mid", "a-top"), rel("a-far-child", "a-far")],
        "IN_AREA": [rel("record-linkage", "a-mid"), rel("natural-language-processing", "a-far-child")],
        "OF_THEME": [rel("record-linkage", "th-quality"), rel("natural-language-processing", "th-data")],
        "SERVES": [
            rel("WS2", "th-quality", stages="demonstration,production"),
            rel("WS1", "th-sharing", stages=""),
        ],
        "RUN_BY": [rel("p-link", "ons"), rel("p-nlp", org_of_a)],
        "WORKS_ON": [
            rel(a, "p-link", role="lead"),
            rel(z, "p-link", role="data scientist"),
            rel(a, "p-nlp", role="lead"),
        ],
        "ON_TOPIC": [rel("p-link", "record-linkage"), rel("p-nlp", "natural-language-processing")],
        "IN_WORKSTREAM": [rel("p-link", "WS1")],
        "ABOUT": [rel("r-guide", "record-linkage"), rel("r-nlp", "natural-language-processing")],
        "FOR_WORKSTREAM": [rel("r-guide", "WS1")],
        "SHARED": [rel(a, "r-guide", at="2025-01-01"), rel(b, "r-nlp", at="2025-02-02")],
    }

    def write(tx: Tx) -> None:
        for label, rows in nodes.items():
            tx.run(
                CREATE_NODES[label], rows=[{p: row.get(p) for p in NODES[label].properties} for row in rows]
            )
        for t, rows in rels.items():
            keys = ("source", "target", *RELATIONSHIPS[t].properties)
            tx.run(CREATE_RELS[t], rows=[{k: row.get(k) for k in keys} for row in rows])
        # z keeps their email from everyone but themself.
        tx.run("MATCH (m:Member {id: $id}) SET m.email_visibility = 'nobody'", id=z)

    store.write(write)
    return {"a": a, "b": b, "z": z, "org_of_a": org_of_a}

"""The one read a suggestion needs besides the interest index: the member (by id or email) and the
people they know. The scoring is :mod:`graphapp.analytics.suggestions`."""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Tx
from graphapp.queries.schema import META_LABEL, revision_and_log

__all__ = ["member_known_and_revision"]

# Me and the people I know, in one statement: on Neo4j every statement is a round trip of several
# milliseconds, and the rest of what a suggestion shows comes from the index.
ME = Cypher(
    "MATCH (m:Member {id: $member}) OPTIONAL MATCH (m)-[:KNOWS]-(o:Member) RETURN m.id AS id, collect(o.id) AS known"
)
ME_BY_EMAIL = Cypher(
    "MATCH (m:Member) WHERE m.email = $email OPTIONAL MATCH (m)-[:KNOWS]-(o:Member) "
    "RETURN m.id AS id, collect(o.id) AS known"
)

# On Neo4j, with the graph's revision and its log (what the interest index is checked against): a
# suggestion then costs one round trip when the index is current, two after a member's edit.
ME_AND_REVISION = Cypher(
    "OPTIONAL MATCH (by_id:Member {id: $member}) "
    "OPTIONAL MATCH (by_email:Member) WHERE by_id IS NULL AND by_email.email = $email "
    "WITH coalesce(by_id, by_email) AS m LIMIT 1 "
    "OPTIONAL MATCH (m)-[:KNOWS]-(o:Member) "
    "WITH m, collect(o.id) AS known "
    f"OPTIONAL MATCH (r:{META_LABEL}) WHERE r.key IN ['revision', 'revision-log'] "
    "RETURN m.id AS id, known, collect([r.key, r.value]) AS meta"
)


def member_known_and_revision(
    tx: Tx, member: str
) -> tuple[dict[str, Any] | None, tuple[str | None, str | None]]:
    """The member whose id or email is ``member`` (``id``) and the ids of the people they know
    (``known``), None if there is none; and the graph's revision and its log, as
    :func:`graphapp.queries.schema.revision_and_log` reads them. Read in that order, so that an index
    brought to that revision is at least as new as the member read."""
    email = member.strip().lower()
    if tx.dialect == "neo4j":  # (one statement: each is a round trip of its own)
        (row,) = tx.run(ME_AND_REVISION, member=member, email=email)
        meta = {key: value for key, value in row["meta"]}
        found = {"id": row["id"], "known": row["known"]} if row["id"] is not None else None
        return found, (meta.get("revision"), meta.get("revision-log"))
    rows = tx.run(ME, member=member) or tx.run(ME_BY_EMAIL, email=email)
    return (rows[0] if rows else None), revision_and_log(tx)

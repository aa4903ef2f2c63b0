"""The one read a suggestion needs besides the interest index: the member (by id or email) and the
people they know. The scoring is :mod:`graphapp.analytics.suggestions`."""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Tx

__all__ = ["member_and_known"]

# Me and the people I know, in one statement: on Neo4j every statement is a round trip of several
# milliseconds, and the rest of what a suggestion shows comes from the index.
ME = Cypher(
    "MATCH (m:Member {id: $member}) OPTIONAL MATCH (m)-[:KNOWS]-(o:Member) RETURN m.id AS id, collect(o.id) AS known"
)
ME_BY_EMAIL = Cypher(
    "MATCH (m:Member) WHERE m.email = $email OPTIONAL MATCH (m)-[:KNOWS]-(o:Member) "
    "RETURN m.id AS id, collect(o.id) AS known"
)


def member_and_known(tx: Tx, member: str) -> dict[str, Any] | None:
    """The member whose id or email is ``member`` (``id``) and the ids of the people they know
    (``known``); None if there is none."""
    found = tx.run(ME, member=member) or tx.run(ME_BY_EMAIL, email=member.strip().lower())
    return found[0] if found else None

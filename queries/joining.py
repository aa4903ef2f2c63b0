"""Requests to join and trusted email domains, kept in the graph beside the network (labels
``JoinRequest`` and ``TrustedDomain``, see :data:`graphapp.queries.schema.WORKFLOW_LABELS`). Every value is
a string (times ISO 8601, UTC) or a list of strings; the confirmation link's token arrives here hashed.

A request goes ``unconfirmed`` -> ``confirmed`` (its email was confirmed by the mailed link) -> ``approved``
or ``declined``. Unconfirmed requests past their ``expires`` and declined ones past their keeping time are
deleted by :func:`drop_stale_requests`, which every reader of the queue and every new request runs first.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.schema import WORKFLOW_LABELS

__all__ = [
    "REQUEST_FIELDS",
    "add_trusted_domain",
    "create_request",
    "decide_request",
    "drop_stale_requests",
    "forget_requests_of",
    "is_trusted_domain",
    "join_request",
    "join_request_by_token",
    "members_at",
    "members_with_emails",
    "remove_trusted_domain",
    "requests_with_status",
    "trusted_domains",
    "waiting_count",
]

#: What a request holds (its ``lock`` is bookkeeping of the decision, not part of it).
REQUEST_FIELDS = tuple(p for p in WORKFLOW_LABELS["JoinRequest"].properties if p != "lock")
_RETURN_REQUEST = ", ".join(f"r.{p} AS {p}" for p in REQUEST_FIELDS)

CREATE_REQUEST = Cypher(
    "CREATE (r:JoinRequest {id: $id}) SET " + ", ".join(f"r.{p} = ${p}" for p in REQUEST_FIELDS if p != "id")
)
FIND_REQUEST = Cypher(f"MATCH (r:JoinRequest {{id: $id}}) RETURN {_RETURN_REQUEST}")
FIND_BY_TOKEN = Cypher(f"MATCH (r:JoinRequest) WHERE r.token_hash = $token_hash RETURN {_RETURN_REQUEST}")
WITH_STATUS = Rows("MATCH (r:JoinRequest) WHERE r.status = $status", **{p: f"r.{p}" for p in REQUEST_FIELDS})
COUNT_WITH_STATUS = Cypher("MATCH (r:JoinRequest) WHERE r.status = $status RETURN count(r) AS n")
CONFIRM = Cypher(
    "MATCH (r:JoinRequest {id: $id}) WHERE r.status = 'unconfirmed' "
    "SET r.status = 'confirmed', r.confirmed = $now RETURN r.id AS id"
)
# Only a confirmed request is decided, once: a second click on "approve" finds nothing to decide.
# An answer (a decision, a closing) writes `lock` (a plain value, read from nothing) first: that takes the
# node's write lock, so a second answer at the same moment waits until the first commits and then finds it
# answered, instead of both passing the status check they read before either wrote.
LOCK = Cypher("MATCH (r:JoinRequest {id: $id}) SET r.lock = $lock")
DECIDE = Cypher(
    "MATCH (r:JoinRequest {id: $id}) WHERE r.status = 'confirmed' "
    "SET r.status = $status, r.decided = $now, r.decided_by = $decided_by, r.reason = $reason, "
    "r.member = $member RETURN r.id AS id"
)
DROP_EXPIRED = Cypher(
    "MATCH (r:JoinRequest) WHERE r.status = 'unconfirmed' AND r.expires < $now DETACH DELETE r"
)
DROP_OLD_DECLINED = Cypher(
    "MATCH (r:JoinRequest) WHERE r.status = 'declined' AND r.decided < $before DETACH DELETE r"
)
FORGET_REQUESTS = Cypher(
    "MATCH (r:JoinRequest) WHERE r.member = $member OR lower(r.email) = lower($email) DETACH DELETE r"
)

MEMBERS_WITH_EMAILS = Rows(
    "UNWIND $emails AS email MATCH (m:Member) WHERE m.email = email",
    id="m.id",
    name="m.name",
    email="m.email",
)
MEMBERS_AT = Rows(
    "UNWIND $organisations AS org MATCH (m:Member)-[:WORKS_AT]->(o:Organisation {id: org})",
    id="m.id",
    name="m.name",
    organisation="o.id",
)

TRUSTED_DOMAINS = Cypher(
    "MATCH (d:TrustedDomain) RETURN d.id AS id, d.added_by AS added_by, d.added AS added ORDER BY d.id"
)
IS_TRUSTED = Cypher("MATCH (d:TrustedDomain {id: $id}) RETURN d.id AS id")
ADD_TRUSTED = Cypher("MERGE (d:TrustedDomain {id: $id}) SET d.added_by = $added_by, d.added = $added")
REMOVE_TRUSTED = Cypher("MATCH (d:TrustedDomain {id: $id}) DELETE d RETURN $id AS id")


def create_request(tx: Tx, row: dict[str, Any]) -> None:
    """Store a request (``row`` has every property of :data:`REQUEST_FIELDS`)."""
    tx.run(CREATE_REQUEST, **{p: row[p] for p in REQUEST_FIELDS})


def join_request(tx: Tx, request_id: str) -> dict[str, Any] | None:
    rows = tx.run(FIND_REQUEST, id=request_id)
    return rows[0] if rows else None


def join_request_by_token(tx: Tx, token_hash: str) -> dict[str, Any] | None:
    rows = tx.run(FIND_BY_TOKEN, token_hash=token_hash)
    return rows[0] if rows else None


def requests_with_status(tx: Tx, status: str) -> list[dict[str, Any]]:
    """The requests in one state, oldest first."""
    return sorted(WITH_STATUS.run(tx, status=status), key=lambda r: (r["created"] or "", r["id"]))


def waiting_count(tx: Tx) -> int:
    """How many confirmed requests wait for a coordinator."""
    return int(tx.run(COUNT_WITH_STATUS, status="confirmed")[0]["n"])


def confirm_request(tx: Tx, request_id: str, now: str) -> bool:
    """Mark an unconfirmed request confirmed; False if it was not unconfirmed."""
    return bool(tx.run(CONFIRM, id=request_id, now=now))


def decide_request(
    tx: Tx, request_id: str, status: str, now: str, decided_by: str, reason: str = "", member: str = ""
) -> bool:
    """Approve or decline a confirmed request; False if it is not (or no longer) waiting."""
    if status not in ("approved", "declined"):
        raise ValueError("a request is approved or declined")
    tx.run(LOCK, id=request_id, lock=now)
    found = tx.run(
        DECIDE, id=request_id, status=status, now=now, decided_by=decided_by, reason=reason, member=member
    )
    return bool(found)


def drop_stale_requests(tx: Tx, now: str, declined_before: str) -> None:
    """Delete unconfirmed requests whose time ran out, and declined ones decided before ``declined_before``."""
    tx.run(DROP_EXPIRED, now=now)
    tx.run(DROP_OLD_DECLINED, before=declined_before)


def forget_requests_of(tx: Tx, member: str, email: str) -> None:
    """Every request made by this member or from this address (forgetting a person)."""
    tx.run(FORGET_REQUESTS, member=member or "\x00", email=email or "\x00")


def members_with_emails(tx: Tx, emails: list[str]) -> list[dict[str, Any]]:
    return MEMBERS_WITH_EMAILS.run(tx, emails=sorted(set(emails)))


def members_at(tx: Tx, organisations: list[str]) -> list[dict[str, Any]]:
    """Every member of these organisations (id, name, organisation)."""
    return MEMBERS_AT.run(tx, organisations=sorted(set(organisations)))


def trusted_domains(tx: Tx) -> list[dict[str, Any]]:
    return tx.run(TRUSTED_DOMAINS)


def is_trusted_domain(tx: Tx, domain: str) -> bool:
    return bool(tx.run(IS_TRUSTED, id=domain))


def add_trusted_domain(tx: Tx, domain: str, added_by: str, added: str) -> None:
    tx.run(ADD_TRUSTED, id=domain, added_by=added_by, added=added)


def remove_trusted_domain(tx: Tx, domain: str) -> bool:
    return bool(tx.run(REMOVE_TRUSTED, id=domain))

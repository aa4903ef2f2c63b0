"""Accounts and invitations, kept in the graph beside the network (labels ``Account`` and ``Invitation``,
see :data:`queries.schema.ACCOUNT_LABELS`), so that every graphapp process sharing a Neo4j sees the same
logins. Passwords arrive here already hashed; tokens arrive hashed too.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Tx

__all__ = [
    "ROLES",
    "account",
    "accounts",
    "create_account",
    "create_invitation",
    "delete_account",
    "take_invitation",
    "update_account",
]

#: From least to most: each role can do everything the ones before it can.
ROLES = ("member", "coordinator", "admin")

FIND = Cypher(
    "MATCH (a:Account {id: $id}) RETURN a.id AS id, a.password_hash AS password_hash, a.role AS role, "
    "a.member AS member, a.active AS active, a.created AS created"
)
ALL = Cypher(
    "MATCH (a:Account) RETURN a.id AS id, a.role AS role, a.member AS member, a.active AS active, "
    "a.created AS created ORDER BY a.id"
)
CREATE = Cypher(
    "CREATE (a:Account {id: $id, password_hash: $password_hash, role: $role, member: $member, "
    "active: 'yes', created: $created})"
)
UPDATE = Cypher(
    "MATCH (a:Account {id: $id}) SET a.role = $role, a.active = $active, a.member = $member, "
    "a.password_hash = $password_hash RETURN a.id AS id"
)
DELETE = Cypher("MATCH (a:Account {id: $id}) DELETE a")
DELETE_FOR_MEMBER = Cypher("MATCH (a:Account) WHERE a.member = $member DELETE a")
CREATE_INVITATION = Cypher(
    "CREATE (:Invitation {id: $id, role: $role, member: $member, expires: $expires, created_by: $created_by})"
)
FIND_INVITATION = Cypher(
    "MATCH (i:Invitation {id: $id}) RETURN i.role AS role, i.member AS member, i.expires AS expires"
)
DELETE_INVITATION = Cypher("MATCH (i:Invitation {id: $id}) DELETE i")


class AccountExists(ValueError):
    pass


def account(tx: Tx, login: str) -> dict[str, Any] | None:
    rows = tx.run(FIND, id=login)
    return rows[0] if rows else None


def accounts(tx: Tx) -> list[dict[str, Any]]:
    return tx.run(ALL)


def create_account(tx: Tx, login: str, password_hash: str, role: str, member: str, created: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if account(tx, login) is not None:
        raise AccountExists(f"there is already an account {login!r}")
    tx.run(CREATE, id=login, password_hash=password_hash, role=role, member=member, created=created)


def update_account(tx: Tx, login: str, **changes: str) -> bool:
    """Change an account's role, active ('yes'/'no'), member or password hash; False if there is none."""
    current = account(tx, login)
    if current is None:
        return False
    if changes.get("role", current["role"]) not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    merged = {k: changes.get(k, current[k]) or "" for k in ("role", "active", "member", "password_hash")}
    return bool(tx.run(UPDATE, id=login, **merged))


def delete_account(tx: Tx, login: str) -> None:
    tx.run(DELETE, id=login)


def delete_accounts_of_member(tx: Tx, member: str) -> None:
    tx.run(DELETE_FOR_MEMBER, member=member)


def create_invitation(tx: Tx, token_hash: str, role: str, member: str, expires: str, created_by: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    tx.run(CREATE_INVITATION, id=token_hash, role=role, member=member, expires=expires, created_by=created_by)


def take_invitation(tx: Tx, token_hash: str, now: str) -> dict[str, Any] | None:
    """The invitation (once: it is deleted), or None if there is none or it has expired."""
    rows = tx.run(FIND_INVITATION, id=token_hash)
    if not rows:
        return None
    tx.run(DELETE_INVITATION, id=token_hash)
    return rows[0] if rows[0]["expires"] > now else None


def peek_invitation(tx: Tx, token_hash: str, now: str) -> dict[str, Any] | None:
    """The invitation if it is there and current, without using it up."""
    rows = tx.run(FIND_INVITATION, id=token_hash)
    return rows[0] if rows and rows[0]["expires"] > now else None

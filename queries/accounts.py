"""Accounts, invitations and failed sign-ins, kept in the graph beside the network (labels ``Account``,
``Invitation`` and ``LoginAttempt``, see :data:`graphapp.queries.schema.ACCOUNT_LABELS`), so that every graphapp
process sharing a Neo4j sees the same logins and the same count of failures. Passwords arrive here
already hashed; tokens arrive hashed too.

:data:`ROLES` is the one list of account roles and their order; everything that offers a role (the
``graphapp account`` commands, the Accounts page) and the viewer's rank (:mod:`graphapp.auth`) read it.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries import history
from graphapp.queries.cypher import Cypher, Tx

__all__ = [
    "ROLES",
    "account",
    "accounts",
    "attempt_keys",
    "count_attempt",
    "create_account",
    "create_invitation",
    "delete_account",
    "forget_attempts",
    "uncount_attempt",
    "take_invitation",
    "update_account",
]

#: An account's roles, from least to most: each role can do everything the ones before it can.
ROLES = ("member", "coordinator", "admin")

FIND = Cypher(
    "MATCH (a:Account {id: $id}) RETURN a.id AS id, a.password_hash AS password_hash, a.role AS role, "
    "a.member AS member, a.active AS active, a.created AS created, a.seen AS seen"
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
SET_SEEN = Cypher("MATCH (a:Account {id: $id}) SET a.seen = $seen")
CREATE_INVITATION = Cypher(
    "CREATE (:Invitation {id: $id, role: $role, member: $member, expires: $expires, created_by: $created_by})"
)
# (with the name and address of the member it is for, if any: the page greets them by name)
FIND_INVITATION = Cypher(
    "MATCH (i:Invitation {id: $id}) OPTIONAL MATCH (m:Member {id: i.member}) "
    "RETURN i.role AS role, i.member AS member, i.expires AS expires, m.name AS member_name, "
    "m.email AS member_email"
)
DELETE_INVITATION = Cypher("MATCH (i:Invitation {id: $id}) DELETE i")
LOGINS_OF_MEMBER = Cypher("MATCH (a:Account) WHERE a.member = $member RETURN a.id AS id")

# Failed sign-ins. Setting `last` (a plain value, read from nothing) takes each node's write lock before
# its failures are read, so attempts in parallel, in any process, are counted one after the other.
LOCK_ATTEMPTS = Cypher("UNWIND $ids AS id MERGE (a:LoginAttempt {id: id}) SET a.last = $now")
# The keys' write locks, their times left as they are (a property written takes its node's lock).
HOLD_ATTEMPTS = Cypher("UNWIND $ids AS id MATCH (a:LoginAttempt {id: id}) SET a.last = a.last")
ATTEMPTS = Cypher(
    "UNWIND $ids AS id MATCH (a:LoginAttempt {id: id}) RETURN a.id AS id, a.failures AS failures"
)
SET_FAILURES = Cypher("UNWIND $rows AS row MATCH (a:LoginAttempt {id: row.id}) SET a.failures = row.failures")
FORGET_ATTEMPTS = Cypher("UNWIND $ids AS id MATCH (a:LoginAttempt {id: id}) DELETE a")
# Keys of the same kinds (the part before the first colon: sign-in's "ip:" and "login:", joining's
# "join-ip:"...) that nobody has tried for a whole window of theirs: forgotten, a hundred at a time (in a
# stable order, so that two transactions doing this take their locks in the same order). A limit with a
# longer window never has its keys dropped by a shorter one's.
DROP_STALE_ATTEMPTS = Cypher(
    "UNWIND $kinds AS kind MATCH (a:LoginAttempt) WHERE a.last < $since AND a.id STARTS WITH kind "
    "WITH a ORDER BY a.id LIMIT 100 DELETE a"
)


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
    after = {"role": role, **({"member": member} if member else {})}
    history.record(
        tx, "account", member=member, subject=f"account:{login}", summary="account created", after=after
    )


# (tx only by position, as Store.write passes it: no change can be named tx)
def update_account(tx: Tx, /, login: str, **changes: str) -> bool:
    """Change an account's role, active ('yes'/'no'), member or password hash; False if there is none."""
    current = account(tx, login)
    if current is None:
        return False
    if changes.get("role", current["role"]) not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    merged = {k: changes.get(k, current[k]) or "" for k in ("role", "active", "member", "password_hash")}
    updated = bool(tx.run(UPDATE, id=login, **merged))
    _record_account_change(tx, login, current, merged)
    return updated


def _record_account_change(tx: Tx, login: str, current: dict[str, Any], merged: dict[str, str]) -> None:
    """The history of an account: a role change (kind "role"), blocked or let in again, tied to another
    member, or a new password (kind "account"; the hash is never written down)."""
    changed = [k for k in ("role", "active", "member") if (current[k] or "") != merged[k]]
    for field in changed:
        kind = "role" if field == "role" else "account"
        words = {"role": "role changed", "active": "blocked or let in", "member": "tied to a member"}[field]
        history.record(
            tx,
            kind,
            member=merged["member"] or current["member"] or "",
            subject=f"account:{login}",
            summary=words,
            before={field: current[field] or ""},
            after={field: merged[field]},
        )
    if (current["password_hash"] or "") != merged["password_hash"]:
        history.record(
            tx,
            "account",
            member=merged["member"] or "",
            subject=f"account:{login}",
            summary="password changed",
        )


def mark_seen(tx: Tx, login: str, seen: str) -> None:
    """Note when an account last opened a page (bookkeeping: run by ``store.bookkeep``, it is no change to
    the network and leaves the graph revision as it was)."""
    tx.run(SET_SEEN, id=login, seen=seen)


def delete_account(tx: Tx, login: str) -> None:
    """The account, and any failed sign-ins counted against its login."""
    tx.run(DELETE, id=login)
    forget_attempts(tx, [attempt_keys("", login)[1]])


def delete_accounts_of_member(tx: Tx, member: str) -> None:
    for row in tx.run(LOGINS_OF_MEMBER, member=member):
        delete_account(tx, row["id"])


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


def attempt_keys(address: str, login: str) -> list[str]:
    """What sign-in attempts are counted against: the address they come from, and the login tried.

    >>> attempt_keys("192.0.2.1", "ana@example.org")
    ['ip:192.0.2.1', 'login:ana@example.org']
    """
    return [f"ip:{address}", f"login:{login}"]


def count_attempt(tx: Tx, keys: list[str], now: str, since: str, limit: int) -> str | None:
    """Count a sign-in attempt against each key, as a failure until :func:`forget_attempts` clears it.

    If a key already has ``limit`` failures after ``since`` the attempt is refused and nothing is counted:
    the answer is then the time of the failure whose ageing lets the keys be tried again (the caller adds
    the window). None: go ahead. Times are ISO 8601 strings in UTC, which sort as times.
    """
    ids = sorted(set(keys))  # (locks in one order: two attempts never wait on each other crosswise)
    tx.run(DROP_STALE_ATTEMPTS, since=since, kinds=sorted({key.split(":", 1)[0] + ":" for key in ids}))
    tx.run(LOCK_ATTEMPTS, ids=ids, now=now)
    recent: dict[str, list[str]] = {
        row["id"]: sorted(t for t in row["failures"] or [] if t > since) for row in tx.run(ATTEMPTS, ids=ids)
    }
    full = [times[-limit] for times in recent.values() if len(times) >= limit]
    if full:
        return max(full)
    tx.run(SET_FAILURES, rows=[{"id": key, "failures": [*recent.get(key, []), now]} for key in ids])
    return None


def forget_attempts(tx: Tx, keys: list[str]) -> None:
    """Clear the failures counted against these keys (a login that signed in, or an account deleted)."""
    tx.run(FORGET_ATTEMPTS, ids=sorted(set(keys)))


def uncount_attempt(tx: Tx, keys: list[str], at: str) -> None:
    """Take the attempt made at ``at`` off these keys' counts, leaving their other failures: a sign-in
    that succeeded from an address that others share (an office behind one proxy) clears nobody else's."""
    ids = sorted(set(keys))
    tx.run(HOLD_ATTEMPTS, ids=ids)  # (as count_attempt: the list read and written under the keys' lock)
    rows = tx.run(ATTEMPTS, ids=ids)
    tx.run(
        SET_FAILURES,
        rows=[{"id": r["id"], "failures": [t for t in r["failures"] or [] if t != at]} for r in rows],
    )

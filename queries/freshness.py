"""How fresh each profile is: the members' freshness fields (``joined``, ``confirmed``, ``reminded``,
``reminders``, ``lapsed``, see :data:`graphapp.queries.schema.NODES`), read for the reminders and the
coordinators' list of stale profiles, and written when a member confirms, is reminded, lapses or renews
their consent. Unset fields are read as ''. The decisions are made in :mod:`graphapp.freshness`.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx

__all__ = [
    "FRESHNESS_FIELDS",
    "freshness_of",
    "hold_members",
    "renew_consent_fields",
    "set_confirmed",
    "set_reminder_state",
    "every_freshness",
]

#: What the reminders and the stale list read of each member.
FRESHNESS_FIELDS = {
    "id": "m.id",
    "name": "m.name",
    "email": "coalesce(m.email, '')",
    "joined": "coalesce(m.joined, '')",
    "confirmed": "coalesce(m.confirmed, '')",
    "reminded": "coalesce(m.reminded, '')",
    "reminders": "coalesce(m.reminders, '')",
    "lapsed": "coalesce(m.lapsed, '')",
    "mail_off": "coalesce(m.mail_off, '')",
    "email_visibility": "coalesce(m.email_visibility, '')",
    "suggestible": "coalesce(m.suggestible, '')",
    "introductions": "coalesce(m.introductions, '')",
}

EVERY = Rows("MATCH (m:Member)", **FRESHNESS_FIELDS)
OF_MEMBERS = Rows("UNWIND $ids AS mid MATCH (m:Member {id: mid})", **FRESHNESS_FIELDS)
# Writing a plain value first takes each member's write lock (as the mail queue's claims do): a second
# `graphapp remind` waits here until the first commits, and then reads the state it left.
HOLD = Cypher("UNWIND $ids AS mid MATCH (m:Member {id: mid}) SET m.name = m.name")
SET_REMINDER_STATE = Cypher(
    "UNWIND $rows AS row MATCH (m:Member {id: row.id}) "
    "SET m.reminders = row.reminders, m.reminded = row.reminded, m.lapsed = row.lapsed"
)
SET_CONFIRMED = Cypher(
    "MATCH (m:Member {id: $id}) SET m.confirmed = $confirmed, m.reminders = '' RETURN m.id AS id"
)
RENEW_CONSENT = Cypher(
    "MATCH (m:Member {id: $id}) SET m.email_visibility = $email_visibility, m.suggestible = $suggestible, "
    "m.introductions = $introductions, m.lapsed = '' RETURN m.id AS id"
)


def every_freshness(tx: Tx) -> list[dict[str, Any]]:
    """Every member's freshness fields, name, email, mail choices and consent."""
    return EVERY.run(tx)


def freshness_of(tx: Tx, ids: list[str]) -> list[dict[str, Any]]:
    """These members' freshness fields (members not found are left out)."""
    return OF_MEMBERS.run(tx, ids=ids)


def hold_members(tx: Tx, ids: list[str]) -> None:
    """Take these members' write locks, in one order (two callers never wait on each other crosswise)."""
    tx.run(HOLD, ids=sorted(ids))


def set_reminder_state(tx: Tx, rows: list[dict[str, str]]) -> None:
    """Write ``reminders``, ``reminded`` and ``lapsed`` for each row (``id`` and the three)."""
    tx.run(SET_REMINDER_STATE, rows=rows)


def set_confirmed(tx: Tx, member: str, at: str) -> bool:
    """The member confirmed their profile at ``at``: the reminders start again. False: no such member."""
    return bool(tx.run(SET_CONFIRMED, id=member, confirmed=at))


def renew_consent_fields(tx: Tx, member: str, choices: dict[str, str]) -> bool:
    """Set the three consent choices and clear ``lapsed``. False: no such member."""
    return bool(tx.run(RENEW_CONSENT, id=member, **choices))

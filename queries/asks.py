"""Asks (issues a member wants to discuss) and the offers to help with them, kept in the graph beside the
network (labels ``Ask`` and ``Offer``, see :data:`graphapp.queries.schema.WORKFLOW_LABELS`): members are
named by id in a property, so that forgetting a member finds everything of theirs by it. Who is best
placed to help is :mod:`graphapp.analytics.asks`.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx

__all__ = [
    "ASK_KINDS",
    "ASK_OUTCOMES",
    "NOTE_LIMIT",
    "TEXT_LIMIT",
    "add_offer",
    "ask_by_id",
    "asks_of_member",
    "close_ask",
    "create_ask",
    "forget_member_asks",
    "offer_by_id",
    "offers_of",
    "open_ask_topics",
    "open_asks",
    "open_asks_of_members",
    "open_asks_on_topic",
]

#: What an ask is about.
ASK_KINDS = ("technical", "strategic", "organisational")
#: How an ask is closed (an ask is ``open`` until then).
ASK_OUTCOMES = ("resolved", "withdrawn")
#: The longest an ask's text and an offer's note may be, in characters.
TEXT_LIMIT = 2000
NOTE_LIMIT = 500

# An ask with its asker's name (the asker may have been forgotten meanwhile: then the ask is gone too).
_ASK_COLUMNS = {
    "id": "a.id",
    "member": "a.member",
    "member_name": "m.name",
    "kind": "a.kind",
    "text": "a.text",
    "topics": "a.topics",
    "status": "a.status",
    "created": "a.created",
    "closed": "a.closed",
}
CREATE = Cypher(
    "CREATE (:Ask {id: $id, member: $member, kind: $kind, text: $text, topics: $topics, status: 'open', "
    "created: $created, closed: ''})"
)
BY_ID = Rows("MATCH (a:Ask {id: $id}) OPTIONAL MATCH (m:Member {id: a.member})", **_ASK_COLUMNS)
OF_MEMBER = Rows(
    "MATCH (a:Ask) WHERE a.member = $member OPTIONAL MATCH (m:Member {id: a.member})", **_ASK_COLUMNS
)
OPEN = Rows("MATCH (a:Ask) WHERE a.status = 'open' OPTIONAL MATCH (m:Member {id: a.member})", **_ASK_COLUMNS)
OPEN_ON_TOPIC = Rows(
    "MATCH (a:Ask) WHERE a.status = 'open' AND $topic IN a.topics OPTIONAL MATCH (m:Member {id: a.member})",
    **_ASK_COLUMNS,
)
OPEN_OF_MEMBERS = Rows(
    "UNWIND $ids AS mid MATCH (a:Ask) WHERE a.member = mid AND a.status = 'open' "
    "OPTIONAL MATCH (m:Member {id: a.member})",
    **_ASK_COLUMNS,
)
OPEN_TOPICS = Rows(
    "MATCH (a:Ask) WHERE a.status = 'open' UNWIND a.topics AS topic WITH topic, count(*) AS asks",
    topic="topic",
    asks="asks",
)
# An answer (a decision, a closing) writes `lock` (a plain value, read from nothing) first: that takes the
# node's write lock, so a second answer at the same moment waits until the first commits and then finds it
# answered, instead of both passing the status check they read before either wrote.
LOCK = Cypher("MATCH (a:Ask {id: $id}) SET a.lock = $lock")
CLOSE = Cypher(
    "MATCH (a:Ask {id: $id}) WHERE a.status = 'open' SET a.status = $status, a.closed = $closed "
    "RETURN a.id AS id"
)
ADD_OFFER = Cypher("CREATE (:Offer {id: $id, ask: $ask, member: $member, note: $note, created: $created})")
_OFFER_COLUMNS = {
    "id": "o.id",
    "ask": "o.ask",
    "member": "o.member",
    "member_name": "m.name",
    "note": "o.note",
    "created": "o.created",
}
OFFERS = Rows("MATCH (o:Offer) WHERE o.ask = $ask OPTIONAL MATCH (m:Member {id: o.member})", **_OFFER_COLUMNS)
OFFER = Rows("MATCH (o:Offer {id: $id}) OPTIONAL MATCH (m:Member {id: o.member})", **_OFFER_COLUMNS)
# Forgetting a member: their asks with every offer made on them, and their offers on others' asks.
FORGET_OFFERS_ON_ASKS_OF = Cypher(
    "MATCH (a:Ask) WHERE a.member = $member MATCH (o:Offer) WHERE o.ask = a.id DELETE o"
)
FORGET_ASKS_OF = Cypher("MATCH (a:Ask) WHERE a.member = $member DELETE a")
FORGET_OFFERS_OF = Cypher("MATCH (o:Offer) WHERE o.member = $member DELETE o")


def _ask(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "topics": list(row["topics"] or [])}


def _newest_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((_ask(r) for r in rows), key=lambda a: (a["created"], a["id"]), reverse=True)


def create_ask(tx: Tx, id: str, member: str, kind: str, text: str, topics: list[str], created: str) -> None:
    """Store a new open ask (already checked: see :mod:`graphapp.pages.asks`)."""
    tx.run(CREATE, id=id, member=member, kind=kind, text=text, topics=topics, created=created)


def ask_by_id(tx: Tx, id: str) -> dict[str, Any] | None:
    """One ask, with its asker's name; None if there is none."""
    rows = BY_ID.run(tx, id=id)
    return _ask(rows[0]) if rows else None


def asks_of_member(tx: Tx, member: str) -> list[dict[str, Any]]:
    """A member's asks, open and closed, newest first."""
    return _newest_first(OF_MEMBER.run(tx, member=member))


def open_asks(tx: Tx) -> list[dict[str, Any]]:
    """Every open ask, newest first."""
    return _newest_first(OPEN.run(tx))


def open_asks_on_topic(tx: Tx, topic: str) -> list[dict[str, Any]]:
    """The open asks on a topic, newest first."""
    return _newest_first(OPEN_ON_TOPIC.run(tx, topic=topic))


def open_asks_of_members(tx: Tx, ids: list[str]) -> list[dict[str, Any]]:
    """The open asks of these members, newest first (for exports)."""
    return _newest_first(OPEN_OF_MEMBERS.run(tx, ids=ids))


def open_ask_topics(tx: Tx) -> dict[str, int]:
    """For each topic with open asks, how many (for the coverage report)."""
    return {r["topic"]: int(r["asks"]) for r in OPEN_TOPICS.run(tx)}


def close_ask(tx: Tx, id: str, status: str, closed: str) -> bool:
    """Close an open ask as resolved or withdrawn; False if it is not open (or not there)."""
    tx.run(LOCK, id=id, lock=closed)
    return bool(tx.run(CLOSE, id=id, status=status, closed=closed))


def add_offer(tx: Tx, id: str, ask: str, member: str, note: str, created: str) -> None:
    """Store a member's offer to help with an ask."""
    tx.run(ADD_OFFER, id=id, ask=ask, member=member, note=note, created=created)


def offers_of(tx: Tx, ask: str) -> list[dict[str, Any]]:
    """The offers made on an ask, oldest first, with the names of those who made them."""
    return sorted(OFFERS.run(tx, ask=ask), key=lambda o: (o["created"], o["id"]))


def offer_by_id(tx: Tx, id: str) -> dict[str, Any] | None:
    rows = OFFER.run(tx, id=id)
    return rows[0] if rows else None


def forget_member_asks(tx: Tx, member: str) -> None:
    """Everything of a member's in asks: their asks (with every offer made on them) and their offers on
    the asks of others. Part of forgetting a member, in the same transaction."""
    tx.run(FORGET_OFFERS_ON_ASKS_OF, member=member)
    tx.run(FORGET_ASKS_OF, member=member)
    tx.run(FORGET_OFFERS_OF, member=member)

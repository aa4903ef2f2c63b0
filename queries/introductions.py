"""Introductions between members, kept in the graph beside the network (label ``Introduction``, see
:data:`graphapp.queries.schema.WORKFLOW_LABELS`): who asked to be introduced to whom, from where (a kind
of suggestion, an ask, a profile), with a note seen only by the two of them, and the answer. The mailed
link's token is kept only as its SHA-256. An accepted introduction records a contact (``KNOWS`` with
``via = 'introduction'`` and its date) and lets the two see each other's email.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries import history
from graphapp.queries.cypher import Cypher, Rows, Tx

__all__ = [
    "INTRODUCTION_KINDS",
    "NOTE_LIMIT",
    "WEEKLY_LIMIT",
    "answer_introduction",
    "asked_since",
    "create_introduction",
    "forget_member_introductions",
    "introduction_by_id",
    "introduction_by_token",
    "introduction_counts",
    "introduction_partners",
    "introductions_of",
    "introductions_off",
    "open_introduction_between",
    "person_to_introduce",
    "record_contact",
    "set_introductions",
]

#: Where an introduction was asked from: a kind of suggestion (as the suggestions name them), an ask, or
#: a member's profile.
INTRODUCTION_KINDS = ("peer", "mentor", "mentee", "been-there", "two-steps", "ask", "profile")
#: The longest a note may be, in characters.
NOTE_LIMIT = 500
#: How many introductions a member may ask for in seven days.
WEEKLY_LIMIT = 10

_COLUMNS = {
    "id": "i.id",
    "from_member": "i.from_member",
    "from_name": "f.name",
    "to_member": "i.to_member",
    "to_name": "t.name",
    "note": "i.note",
    "kind": "i.kind",
    "ask": "i.ask",
    "status": "i.status",
    "created": "i.created",
    "decided": "i.decided",
}
_NAMES = "OPTIONAL MATCH (f:Member {id: i.from_member}) OPTIONAL MATCH (t:Member {id: i.to_member})"
CREATE = Cypher(
    "CREATE (:Introduction {id: $id, token_hash: $token_hash, from_member: $from_member, "
    "to_member: $to_member, note: $note, kind: $kind, ask: $ask, status: $status, created: $created, "
    "decided: $decided})"
)
BY_ID = Rows(f"MATCH (i:Introduction {{id: $id}}) {_NAMES}", **_COLUMNS)
BY_TOKEN = Rows(f"MATCH (i:Introduction) WHERE i.token_hash = $token_hash {_NAMES}", **_COLUMNS)
OF_MEMBER = Rows(
    f"MATCH (i:Introduction) WHERE i.from_member = $member OR i.to_member = $member {_NAMES}", **_COLUMNS
)
ASKED_SINCE = Cypher(
    "MATCH (i:Introduction) WHERE i.from_member = $member AND i.created >= $since RETURN count(i) AS n"
)
OPEN_BETWEEN = Cypher(
    "MATCH (i:Introduction) WHERE i.status = 'asked' AND ((i.from_member = $a AND i.to_member = $b) "
    "OR (i.from_member = $b AND i.to_member = $a)) RETURN i.id AS id"
)
# An answer (a decision, a closing) writes `lock` (a plain value, read from nothing) first: that takes the
# node's write lock, so a second answer at the same moment waits until the first commits and then finds it
# answered, instead of both passing the status check they read before either wrote.
LOCK = Cypher("MATCH (i:Introduction {id: $id}) SET i.lock = $lock")
ANSWER = Cypher(
    "MATCH (i:Introduction {id: $id}) WHERE i.status = 'asked' SET i.status = $status, i.decided = $decided "
    "RETURN i.id AS id"
)
PARTNERS = Cypher(
    "MATCH (i:Introduction) WHERE i.status = 'accepted' AND (i.from_member = $member OR i.to_member = $member) "
    "RETURN CASE WHEN i.from_member = $member THEN i.to_member ELSE i.from_member END AS partner"
)
PERSON = Cypher(
    "MATCH (m:Member {id: $id}) RETURN m.id AS id, m.name AS name, m.email AS email, "
    "m.introductions AS introductions, "
    # (a member left out for not confirming their profile is not suggested: issue 13)
    "CASE WHEN coalesce(m.lapsed, '') <> '' THEN 'no' ELSE m.suggestible END AS suggestible"
)
OFF = Cypher("MATCH (m:Member) WHERE m.introductions = 'no' RETURN m.id AS id")
SET_INTRODUCTIONS = Cypher("MATCH (m:Member {id: $id}) SET m.introductions = $value RETURN m.id AS id")
# A contact, stored once with the smaller id first (KNOWS is undirected), unless the two know each other.
RECORD_CONTACT = Cypher(
    "MATCH (a:Member {id: $source}), (b:Member {id: $target}) "
    "WHERE NOT EXISTS { MATCH (a)-[:KNOWS]-(b) } "
    "CREATE (a)-[:KNOWS {via: 'introduction', since: $since}]->(b) RETURN a.id AS id"
)
CONTACTS_OF = Cypher("MATCH (a:Member {id: $id})-[:KNOWS]-(b:Member) RETURN DISTINCT b.id AS id")
COUNTS = Cypher(
    "MATCH (i:Introduction) WITH i.kind AS kind, i.status AS status, count(*) AS n RETURN kind, status, n"
)
FORGET = Cypher("MATCH (i:Introduction) WHERE i.from_member = $member OR i.to_member = $member DELETE i")


def create_introduction(tx: Tx, **introduction: str) -> None:
    """Store an introduction: ``id``, ``token_hash``, ``from_member``, ``to_member``, ``note``, ``kind``,
    ``ask``, ``status`` (asked, or accepted for an offer picked), ``created``, ``decided``."""
    tx.run(CREATE, **introduction)


def introduction_by_id(tx: Tx, id: str) -> dict[str, Any] | None:
    rows = BY_ID.run(tx, id=id)
    return rows[0] if rows else None


def introduction_by_token(tx: Tx, token_hash: str) -> dict[str, Any] | None:
    """The introduction whose mailed link carries the token with this SHA-256."""
    rows = BY_TOKEN.run(tx, token_hash=token_hash)
    return rows[0] if rows else None


def introductions_of(tx: Tx, member: str) -> list[dict[str, Any]]:
    """Every introduction a member asked for or was asked for, newest first."""
    return sorted(OF_MEMBER.run(tx, member=member), key=lambda i: (i["created"], i["id"]), reverse=True)


def asked_since(tx: Tx, member: str, since: str) -> int:
    """How many introductions a member has asked for since ``since`` (ISO 8601)."""
    return int(tx.run(ASKED_SINCE, member=member, since=since)[0]["n"])


def open_introduction_between(tx: Tx, a: str, b: str) -> str | None:
    """An unanswered introduction between two members, either way (its id), or None."""
    rows = tx.run(OPEN_BETWEEN, a=a, b=b)
    return rows[0]["id"] if rows else None


def answer_introduction(tx: Tx, id: str, status: str, decided: str) -> bool:
    """Accept or decline an unanswered introduction; False if it was answered already (or is not there)."""
    tx.run(LOCK, id=id, lock=decided)
    return bool(tx.run(ANSWER, id=id, status=status, decided=decided))


def introduction_partners(tx: Tx, member: str) -> set[str]:
    """The members a member has been introduced to (either way, accepted): they see each other's email."""
    return {r["partner"] for r in tx.run(PARTNERS, member=member)}


def person_to_introduce(tx: Tx, member: str) -> dict[str, Any] | None:
    """A member's id, name, email and choices (introductions, suggestible); None if there is none."""
    rows = tx.run(PERSON, id=member)
    return rows[0] if rows else None


def introductions_off(tx: Tx) -> set[str]:
    """The members who turned introductions to them off."""
    return {r["id"] for r in tx.run(OFF)}


def set_introductions(tx: Tx, member: str, value: str) -> bool:
    """Record whether others may ask to be introduced to a member (yes, no), and its change."""
    history.record_member_fields(tx, "consent", member, {"introductions": value})
    return bool(tx.run(SET_INTRODUCTIONS, id=member, value=value))


def record_contact(tx: Tx, a: str, b: str, since: str) -> bool:
    """Record that two members know each other through an introduction (a KNOWS with ``via`` and
    ``since``); False if they knew each other already (that contact is left as it was)."""
    source, target = sorted((a, b))
    held = {m: sorted(r["id"] for r in tx.run(CONTACTS_OF, id=m)) for m in (source, target)}
    made = bool(tx.run(RECORD_CONTACT, source=source, target=target, since=since))
    if made:
        # (the history: each member's contacts, before and after, filed under each of them)
        for me, other in ((source, target), (target, source)):
            history.record(
                tx,
                "introduction",
                member=me,
                subject=f"member:{me}",
                summary="contact made by an introduction",
                before={"knows": held[me]},
                after={"knows": sorted([*held[me], other])},
                about=[other],
            )
    return made


def introduction_counts(tx: Tx) -> dict[str, dict[str, int]]:
    """How many introductions of each kind are in each state: ``{kind: {status: n}}``. Never the notes."""
    counts: dict[str, dict[str, int]] = {}
    for row in tx.run(COUNTS):
        counts.setdefault(row["kind"], {})[row["status"]] = int(row["n"])
    return counts


def forget_member_introductions(tx: Tx, member: str) -> None:
    """Every introduction a member asked for or was asked for, with its note. Part of forgetting a member,
    in the same transaction (the contacts it recorded go with the member's node)."""
    tx.run(FORGET, member=member)

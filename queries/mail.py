"""The mail queue, kept in the graph (label ``Mail``, see :data:`graphapp.queries.schema.WORKFLOW_LABELS`):
a mail is written in the same transaction as the action that causes it, so that an action is never
committed without its mail, nor a mail sent for an action that was rolled back. Delivery
(:mod:`graphapp.mail`) reads the queue and marks each mail sent, outbox or failed.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Tx

__all__ = ["enqueue", "forget_mail_to", "mail_off", "set_mail_off"]

ENQUEUE = Cypher(
    "CREATE (:Mail {id: $id, recipient: $recipient, member: $member, kind: $kind, subject: $subject, "
    "text: $text, html: $html, status: 'queued', attempts: '0', next_try: $created, last_error: '', "
    "created: $created, sent: ''})"
)
MAIL_OFF = Cypher("MATCH (m:Member {id: $member}) RETURN m.mail_off AS mail_off")
SET_MAIL_OFF = Cypher("MATCH (m:Member {id: $member}) SET m.mail_off = $mail_off RETURN m.id AS id")
# Mail not yet delivered to someone who is being forgotten (sent mail is kept as a record of what left,
# without its text; see graphapp.mail).
FORGET_QUEUED = Cypher("MATCH (x:Mail) WHERE x.member = $member OR x.recipient = $email DETACH DELETE x")


def enqueue(tx: Tx, **mail: Any) -> None:
    """Queue one mail (``id``, ``recipient``, ``member``, ``kind``, ``subject``, ``text``, ``html``,
    ``created``), to be delivered after the transaction commits."""
    tx.run(ENQUEUE, **mail)


def mail_off(tx: Tx, member: str) -> set[str]:
    """The kinds of mail a member turned off."""
    rows = tx.run(MAIL_OFF, member=member)
    return {k for k in (rows[0]["mail_off"] or "").split(",") if k} if rows else set()


def set_mail_off(tx: Tx, member: str, kinds: set[str]) -> bool:
    """Record the kinds of mail a member turned off; False if there is no such member."""
    return bool(tx.run(SET_MAIL_OFF, member=member, mail_off=",".join(sorted(kinds))))


def forget_mail_to(tx: Tx, member: str, email: str) -> None:
    """Every mail to this member or address, queued or sent: nothing to them stays in the queue."""
    tx.run(FORGET_QUEUED, member=member, email=email or "\x00")

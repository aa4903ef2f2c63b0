"""The mail queue, kept in the graph (label ``Mail``, see :data:`graphapp.queries.schema.WORKFLOW_LABELS`):
a mail is written in the same transaction as the action that causes it, so that an action is never
committed without its mail, nor a mail sent for an action that was rolled back. Delivery
(:func:`graphapp.mail.deliver_queued`) claims due mails, sends them, and marks each sent, outbox, queued
again (with a later ``next_try``) or failed.

Times are ISO 8601 strings in UTC, which sort as times; ``attempts`` is a count kept as a string.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries import history
from graphapp.queries.cypher import Cypher, Rows, Tx

__all__ = [
    "MAIL_STATUSES",
    "claim_due",
    "enqueue",
    "forget_mail_to",
    "mail_counts",
    "mail_list",
    "mail_off",
    "mark",
    "retry_mail",
    "set_language",
    "set_mail_off",
    "written_language",
]

#: The statuses of a mail, in the order the admins' mail page shows them.
MAIL_STATUSES = ("failed", "queued", "sending", "outbox", "sent")

ENQUEUE = Cypher(
    "CREATE (:Mail {id: $id, recipient: $recipient, member: $member, about: $about, kind: $kind, subject: $subject, "
    "text: $text, html: $html, status: 'queued', attempts: '0', next_try: $created, last_error: '', "
    "created: $created, sent: '', claim: '', lock: ''})"
)
MAIL_OFF = Cypher("MATCH (m:Member {id: $member}) RETURN m.mail_off AS mail_off")
LANGUAGE = Cypher("MATCH (m:Member {id: $member}) RETURN m.language AS language")
SET_LANGUAGE = Cypher("MATCH (m:Member {id: $member}) SET m.language = $language RETURN m.id AS id")
SET_MAIL_OFF = Cypher("MATCH (m:Member {id: $member}) SET m.mail_off = $mail_off RETURN m.id AS id")
FORGET = Cypher(
    "MATCH (x:Mail) WHERE x.member = $member OR x.recipient = $email OR $member IN x.about DELETE x"
)

# Due: queued and its time has come, or being sent by a deliverer whose claim has lapsed (it stopped).
DUE = Cypher(
    "MATCH (x:Mail) WHERE (x.status = 'queued' OR x.status = 'sending') AND x.next_try <= $now "
    "RETURN x.id AS id ORDER BY x.created LIMIT $limit"
)
# Writing `lock` (a plain value, read from nothing) first takes each mail's write lock: a second deliverer
# waits here until the first commits, and the state it reads after that is the committed one, so no mail
# is claimed twice.
LOCK = Cypher("UNWIND $ids AS id MATCH (x:Mail {id: id}) SET x.lock = $claim")
STILL_DUE = Cypher(
    "UNWIND $ids AS id MATCH (x:Mail {id: id}) "
    "WHERE (x.status = 'queued' OR x.status = 'sending') AND x.next_try <= $now "
    "RETURN x.id AS id, x.recipient AS recipient, x.subject AS subject, x.text AS text, x.html AS html, "
    "x.attempts AS attempts, x.kind AS kind"
)
TAKE = Cypher(
    "UNWIND $ids AS id MATCH (x:Mail {id: id}) SET x.status = 'sending', x.next_try = $lease, x.claim = $claim"
)
MARK = Cypher(
    "UNWIND $rows AS row MATCH (x:Mail {id: row.id}) WHERE x.claim = $claim "
    "SET x.status = row.status, x.attempts = row.attempts, x.next_try = row.next_try, "
    "x.last_error = row.last_error, x.sent = row.sent, "
    # Once sent, a mail keeps who, what kind and when, not its words (nor the links it carried).
    "x.text = CASE WHEN row.status = 'sent' THEN '' ELSE x.text END, "
    "x.html = CASE WHEN row.status = 'sent' THEN '' ELSE x.html END"
)
LIST = Cypher(
    "MATCH (x:Mail) WHERE x.status IN $statuses "
    "RETURN x.id AS id, x.recipient AS recipient, x.kind AS kind, x.subject AS subject, x.text AS text, "
    "x.status AS status, x.attempts AS attempts, x.next_try AS next_try, x.last_error AS last_error, "
    "x.created AS created, x.sent AS sent ORDER BY x.created DESC LIMIT $limit"
)


def enqueue(tx: Tx, **mail: Any) -> None:
    """Queue one mail (``id``, ``recipient``, ``member``, ``about``, ``kind``, ``subject``, ``text``,
    ``html``, ``created``), to be delivered after the transaction commits."""
    tx.run(ENQUEUE, **mail)


def mail_off(tx: Tx, member: str) -> set[str]:
    """The kinds of mail a member turned off."""
    rows = tx.run(MAIL_OFF, member=member)
    return {k for k in (rows[0]["mail_off"] or "").split(",") if k} if rows else set()


def set_mail_off(tx: Tx, member: str, kinds: set[str]) -> bool:
    """Record the kinds of mail a member turned off, and its change; False if there is no such member."""
    history.record_member_fields(tx, "consent", member, {"mail_off": ",".join(sorted(kinds))})
    return bool(tx.run(SET_MAIL_OFF, member=member, mail_off=",".join(sorted(kinds))))


def written_language(tx: Tx, member: str) -> str:
    """The language a member's mails are written in ("" if they never chose one, or no such member)."""
    rows = tx.run(LANGUAGE, member=member)
    return str(rows[0]["language"] or "") if rows else ""


def set_language(tx: Tx, member: str, language: str) -> bool:
    """Record the language a member's mails are written in, and its change (only when it changes); False if
    there is no such member."""
    history.record_member_fields(tx, "consent", member, {"language": language})
    return bool(tx.run(SET_LANGUAGE, member=member, language=language))


def forget_mail_to(tx: Tx, member: str, email: str) -> None:
    """Every mail to this member or address, or about them, queued or sent: nothing to them or of them
    stays in the queue."""
    tx.run(FORGET, member=member, email=email or "\x00")


def claim_due(tx: Tx, claim: str, now: str, lease: str, limit: int) -> list[dict[str, Any]]:
    """Claim up to ``limit`` due mails for the deliverer ``claim`` until ``lease``, and return them: a
    mail claimed by one deliverer is not due for another until the lease lapses."""
    ids = [row["id"] for row in tx.run(DUE, now=now, limit=limit)]
    if not ids:
        return []
    ids.sort()  # (locks in one order: two deliverers never wait on each other crosswise)
    tx.run(LOCK, ids=ids, claim=claim)
    rows = tx.run(STILL_DUE, ids=ids, now=now)
    tx.run(TAKE, ids=[r["id"] for r in rows], lease=lease, claim=claim)
    return rows


def mark(tx: Tx, claim: str, rows: list[dict[str, Any]]) -> None:
    """Record what became of mails this deliverer claimed (each row: ``id``, ``status``, ``attempts``,
    ``next_try``, ``last_error``, ``sent``); a mail claimed since by another deliverer is left alone."""
    tx.run(MARK, rows=rows, claim=claim)


def mail_list(tx: Tx, statuses: list[str], limit: int = 200) -> list[dict[str, Any]]:
    """The newest mails in these states (queued, sending, sent, failed, outbox)."""
    return tx.run(LIST, statuses=statuses, limit=limit)


COUNTS = Rows("MATCH (x:Mail) WITH x.status AS status, count(*) AS n", status="status", n="n")
# Due at once. A mail given up on gets its attempts back (an admin asked for it, perhaps after mending the
# mail settings: it is not given up again after one more passing failure); a waiting one keeps its count.
RETRY = Cypher(
    "MATCH (x:Mail) WHERE (x.status = 'queued' OR x.status = 'failed') AND ($id = '' OR x.id = $id) "
    "SET x.attempts = CASE WHEN x.status = 'failed' THEN '0' ELSE x.attempts END, "
    "x.status = 'queued', x.next_try = $now RETURN count(x) AS n"
)


def mail_counts(tx: Tx) -> dict[str, int]:
    """How many mails there are of each status (every status named, 0 where there are none)."""
    found = {r["status"]: r["n"] for r in COUNTS.run(tx)}
    return {status: int(found.get(status, 0)) for status in MAIL_STATUSES}


def retry_mail(tx: Tx, now: str, mail: str = "") -> int:
    """Make a mail that waits or was given up on (or, with no ``mail``, every one) due at ``now``; how
    many were."""
    tx.touched(())  # (the mail queue is no part of the network: nothing derived from it is made again)
    return int(tx.run(RETRY, id=mail, now=now)[0]["n"])

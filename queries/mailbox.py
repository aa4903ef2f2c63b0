"""The mail queue at a glance, for the home page and the admins' mail page (the ``Mail`` nodes of
:mod:`graphapp.queries.mail`): how many mails there are of each status, and an admin's "retry now"."""

from __future__ import annotations

from graphapp.queries.cypher import Cypher, Rows, Tx

__all__ = ["MAIL_STATUSES", "mail_counts", "retry_mail"]

#: The statuses of a mail (see graphapp.queries.schema: Mail.status), in the order the mail page shows them.
MAIL_STATUSES = ("failed", "queued", "sending", "outbox", "sent")

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
    return int(tx.run(RETRY, id=mail, now=now)[0]["n"])

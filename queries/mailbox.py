"""The mail queue as people see it (the ``Mail`` nodes of :mod:`graphapp.queries.mail`): the admins' mail
page and the ``graphapp mail`` commands read the outbox, the queue and the failures here, and an admin's
"retry now" makes mails due again."""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx

__all__ = ["MAIL_STATUSES", "mail_counts", "mails", "retry_now"]

#: The statuses of a mail (see graphapp.queries.schema: Mail.status), in the order the mail page shows them.
MAIL_STATUSES = ("failed", "queued", "sending", "outbox", "sent")

COUNTS = Rows("MATCH (x:Mail) WITH x.status AS status, count(*) AS n", status="status", n="n")
_COLUMNS = {
    p: f"x.{p}"
    for p in (
        "id",
        "recipient",
        "member",
        "kind",
        "subject",
        "text",
        "status",
        "attempts",
        "next_try",
        "last_error",
        "created",
        "sent",
    )
}
OF_STATUS = Rows("MATCH (x:Mail) WHERE x.status IN $statuses", **_COLUMNS)
# Due at once: a failed mail is given its attempts back (an admin asked for it, so it is not given up on
# after one more try); a waiting one keeps its count.
RETRY = Cypher(
    "MATCH (x:Mail) WHERE x.status IN ['queued', 'failed'] AND ($id = '' OR x.id = $id) "
    "SET x.attempts = CASE WHEN x.status = 'failed' THEN '0' ELSE x.attempts END, "
    "x.status = 'queued', x.next_try = $now RETURN count(x) AS n"
)


def mail_counts(tx: Tx) -> dict[str, int]:
    """How many mails there are of each status (every status named, 0 where there are none)."""
    found = {r["status"]: r["n"] for r in COUNTS.run(tx)}
    return {status: int(found.get(status, 0)) for status in MAIL_STATUSES}


def mails(tx: Tx, *statuses: str, limit: int = 200) -> list[dict[str, Any]]:
    """The mails of these statuses, newest first (at most ``limit``)."""
    rows = OF_STATUS.run(tx, statuses=list(statuses))
    return sorted(rows, key=lambda r: (r["created"] or "", r["id"]), reverse=True)[:limit]


def retry_now(tx: Tx, now: str, mail: str = "") -> int:
    """Make a mail that waits or failed (or, with no ``mail``, every one) due at ``now``; how many."""
    return int(tx.run(RETRY, id=mail, now=now)[0]["n"])

"""The mail queue as people see it (the ``Mail`` nodes of :mod:`graphapp.queries.mail`): the admins' mail
page and the ``graphapp mail`` commands read the outbox, the queue and the failures here, and an admin's
"retry now" makes mails due again."""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx

__all__ = ["MAIL_STATUSES", "claim_due", "mail_counts", "mails", "retry_now"]

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


# --- Claiming: a mail is sent by one deliverer only ------------------------------------------------------

# Due: queued and its time has come, or being sent by a deliverer whose lease ran out (it stopped).
_DUE = "x.status IN ['queued', 'sending'] AND x.next_try <= $now"
DUE_IDS = Cypher(f"MATCH (x:Mail) WHERE {_DUE} RETURN x.id AS id ORDER BY x.next_try, x.id LIMIT $limit")
# Writing a property to itself takes the mail's write lock; the next statement, which reads the mail again,
# then sees what a deliverer that held the lock before committed (on Neo4j; LadybugDB has one writer).
LOCK = Cypher("UNWIND $ids AS id MATCH (x:Mail {id: id}) SET x.status = x.status")
CLAIM = Cypher(
    f"UNWIND $ids AS id MATCH (x:Mail {{id: id}}) WHERE {_DUE} "
    "SET x.status = 'sending', x.next_try = $lease_until RETURN x.id AS id"
)


def claim_due(tx: Tx, now: str, lease_until: str, limit: int = 100) -> list[str]:
    """Claim the mails due at ``now`` for this deliverer (status ``sending`` until ``lease_until``, when
    another may take them over); their ids, in order. Run in a write transaction of its own, committed
    before sending: two deliverers never claim the same mail."""
    ids = sorted(r["id"] for r in tx.run(DUE_IDS, now=now, limit=limit))
    if not ids:
        return []
    tx.run(LOCK, ids=ids)  # (in id order: two claimers cannot wait for each other)
    return [r["id"] for r in tx.run(CLAIM, ids=ids, now=now, lease_until=lease_until)]

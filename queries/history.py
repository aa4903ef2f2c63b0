"""The history of every change: who, when, what, and before and after for edited fields.

Every write that changes the network, a member's consent, an account's role or the vocabulary records
itself here, in its own transaction, by :func:`record` (one change) or :func:`record_many` (an import's,
one per member or node it changed, with one ``batch`` id). Who made it is the *actor*, set once per
request by the web layer (``account:<login>``) and once per command by the CLI (``cli:<os user>``), and
read here from a context variable, so that the actions shared by pages, API and CLI need not pass it
down; :func:`acting_as` sets it for a block.

The history is append-only; forgetting a member (:func:`forget`, a step of
:data:`graphapp.queries.forgetting.FORGET_STEPS`) removes their personal data from it and records that a
forget happened, and by whom, without saying whom.

The changes are nodes labelled ``Change`` (see :data:`graphapp.queries.schema.WORKFLOW_LABELS`).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.schema import NODES

__all__ = [
    "CHANGE_FIELDS",
    "KINDS",
    "acting_as",
    "actor",
    "actors",
    "change",
    "member_changes",
    "changes",
    "count",
    "forget",
    "new_batch",
    "record",
    "record_many",
    "record_member_fields",
    "batch_sizes",
    "members_named",
    "members_added_since",
    "when_added",
    "names_in",
]

#: The kinds of change, and how a person reads each.
KINDS: dict[str, str] = {
    "import": "import of a file",
    "profile": "profile edit",
    "consent": "consent change",
    "confirm": "profile confirmed",
    "reminder": "freshness reminder",
    "lapse": "left out for not confirming",
    "role": "account role change",
    "account": "account created or blocked",
    "approval": "request to join decided",
    "introduction": "introduction",
    "ask": "ask",
    "topic": "topic vocabulary change",
    "organisation": "organisation change",
    "proposal": "topic proposal",
    "forget": "member forgotten",
    "restore": "restore from a backup",
    "taxonomy": "competence taxonomy imported",
    "progress": "workstream progress note",  # (issue 14 §5: graphapp.progress)
    "resource": "shared resource added, changed or removed",  # (issue 14 §4: graphapp.library, imports)
    "project": "project added, changed or deleted",  # (issue 14 §1: graphapp.projects, imports)
    "theme": "theme of the journey changed",  # (issue 14 §2: imports)
    "mapping": "survey mapping saved",  # (issue 16: graphapp.ingest.mapping)
}

_actor: contextvars.ContextVar[str] = contextvars.ContextVar("graphapp_actor", default="system")


def actor() -> str:
    """Who is making changes now: ``account:<login>``, ``cli:<os user>``, or ``system``."""
    return _actor.get()


def set_actor(who: str) -> contextvars.Token[str]:
    """Make ``who`` the actor until :func:`reset_actor` (the web layer's per-request hook)."""
    return _actor.set(who)


def reset_actor(token: contextvars.Token[str]) -> None:
    _actor.reset(token)


@contextlib.contextmanager
def acting_as(who: str) -> Iterator[None]:
    """Record the changes made inside the block as made by ``who``.

    >>> with acting_as("cli:ana"):
    ...     actor()
    'cli:ana'
    >>> actor()
    'system'
    """
    token = _actor.set(who)
    try:
        yield
    finally:
        _actor.reset(token)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_batch() -> str:
    return uuid.uuid4().hex


def _json(values: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(values or {}), sort_keys=True, ensure_ascii=False, default=str)


def change(
    kind: str,
    *,
    member: str | None = None,
    subject: str | None = None,
    summary: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    about: Iterable[str] = (),
    batch: str | None = None,
    by: str | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    """One change as a row for :func:`record_many`. ``fields`` are the keys of ``before`` and ``after``;
    give only the fields that changed (a new node: ``before`` empty; a removed one: ``after`` empty).

    >>> c = change("profile", member="m-1", before={"title": "Analyst"}, after={"title": "Head"}, by="cli:x")
    >>> c["fields"], c["before"], c["after"], c["by"]
    (['title'], '{"title": "Analyst"}', '{"title": "Head"}', 'cli:x')
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of change {kind!r}")
    fields = sorted(set(before or {}) | set(after or {}))
    return {
        "id": uuid.uuid4().hex,
        "at": at or now_iso(),
        "by": by or actor(),
        "kind": kind,
        "member": member or "",
        "subject": subject or "",
        "summary": summary,
        "fields": fields,
        "before": _json(before),
        "after": _json(after),
        "about": sorted(set(about)),
        "batch": batch or "",
    }


def member_changes(
    kind: str,
    field: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    summary: str = "",
    batch: str | None = None,
) -> list[dict[str, Any]]:
    """One change in the member format per member whose ``field`` differs between ``before`` and
    ``after`` (each ``{member id: value}``): what a merge or a proposal does to many members at once.

    >>> rows = member_changes("topic", "topics", {"m-1": ["a:expert"], "m-2": ["b:learning"]},
    ...                       {"m-1": ["c:expert"], "m-2": ["b:learning"]}, batch="x")
    >>> [(r["member"], r["subject"], r["before"], r["after"]) for r in rows]
    [('m-1', 'member:m-1', '{"topics": ["a:expert"]}', '{"topics": ["c:expert"]}')]
    """
    return [
        change(
            kind,
            member=m,
            subject=f"member:{m}",
            summary=summary,
            before={field: before[m]},
            after={field: after.get(m)},
            batch=batch,
        )
        for m in before
        if before[m] != after.get(m)
    ]


def record(tx: Tx, kind: str, **what: Any) -> dict[str, Any]:
    """Record one change (see :func:`change` for what it takes) in ``tx``; returns it."""
    row = change(kind, **what)
    append(tx, [row])
    return row


def record_many(tx: Tx, rows: list[dict[str, Any]]) -> None:
    """Record changes made by :func:`change` (an import's), in batches."""
    append(tx, rows)


def forget(tx: Tx, member: str, email: str) -> None:
    """Forgetting's step: the member's personal data leaves the history; that a forget happened, and who
    did it, stays (without naming whom). Changes the member made themself (by an account of theirs, whose
    login may be their address) stay, said to be by "a forgotten member"."""
    logins = {r["subject"] for r in tx.run(OWN_ACCOUNTS, member=member)}
    if email:
        logins.add(f"account:{email}")
    tx.run(FORGET_OWN, member=member)
    tx.run(FORGET_ACTOR, actors=sorted(logins), anonymous=FORGOTTEN_ACTOR)
    # (the lists are filtered here: LadybugDB's list functions take no parameter inside their lambda)
    rows = [
        {"id": r["id"], "about": [x for x in r["about"] or [] if x != member]}
        for r in tx.run(MENTIONS, member=member, logins=sorted(logins))
    ]
    for start in range(0, len(rows), 5000):
        tx.run(
            BLANK_MENTIONS,
            rows=rows[start : start + 5000],
            logins=sorted(logins),
            summary="(names a member who was later forgotten)",
        )
    by = FORGOTTEN_ACTOR if actor() in logins else None
    record(tx, "forget", summary="a member was forgotten", by=by)


#: The member properties a change may name (the statement below is built from these names only).
MEMBER_PROPERTIES = NODES["Member"].properties


def record_member_fields(
    tx: Tx, kind: str, member: str, wanted: Mapping[str, Any], summary: str = ""
) -> dict[str, Any] | None:
    """Before a write that sets some of a member's properties to ``wanted``: record the change, with the
    fields whose value differs (unset counts as ""). Returns it; None when nothing changes."""
    props = [p for p in wanted if p in MEMBER_PROPERTIES]
    if not props:
        return None
    query = "MATCH (m:Member {id: $id}) RETURN " + ", ".join(f"m.{p} AS {p}" for p in props)
    rows = tx.run(query, id=member)
    if not rows:
        return None
    before, after = {}, {}
    for p in props:
        old, new = rows[0][p] or "", wanted[p] or ""
        if old != new:
            before[p], after[p] = old, new
    if not after and not before:
        return None
    return record(
        tx, kind, member=member, subject=f"member:{member}", summary=summary, before=before, after=after
    )


def values(row: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A recorded change's before and after, as dicts."""
    return json.loads(row.get("before") or "{}"), json.loads(row.get("after") or "{}")


# --- Statements --------------------------------------------------------------------------------------


CHANGE_FIELDS = (
    "id",
    "at",
    "by",
    "kind",
    "member",
    "subject",
    "summary",
    "fields",
    "before",
    "after",
    "about",
    "batch",
)

APPEND = Cypher(
    "UNWIND $rows AS row CREATE (c:Change {id: row.id}) SET "
    + ", ".join(f"c.{f} = row.{f}" for f in CHANGE_FIELDS[1:])
)
#: Who a change by a forgotten member's own account is said to be by.
FORGOTTEN_ACTOR = "a forgotten member"
OWN_ACCOUNTS = Cypher(
    "MATCH (c:Change) WHERE c.member = $member AND c.subject STARTS WITH 'account:' "
    "RETURN DISTINCT c.subject AS subject"
)
FORGET_ACTOR = Cypher("MATCH (c:Change) WHERE c.by IN $actors SET c.by = $anonymous")
FORGET_OWN = Cypher("MATCH (c:Change) WHERE c.member = $member DELETE c")
# What the others' changes say of the member: their before/after and summary may quote them.
# (a change may quote them without naming them in `about`: another member's whole contact list, or the
# creation of an account of theirs before it was tied to them, whose subject is its login)
MENTIONS = Cypher(
    "MATCH (c:Change) WHERE $member IN c.about OR c.before CONTAINS $member OR c.after CONTAINS $member "
    "OR c.subject IN $logins RETURN c.id AS id, c.about AS about"
)
BLANK_MENTIONS = Cypher(
    "UNWIND $rows AS row MATCH (c:Change {id: row.id}) "
    "SET c.about = row.about, c.before = '{}', c.after = '{}', c.summary = $summary, "
    "c.subject = CASE WHEN c.subject IN $logins THEN 'account' ELSE c.subject END"
)


def append(tx: Tx, rows: list[dict[str, Any]]) -> None:
    """Write changes (each a dict of every field of :data:`CHANGE_FIELDS`), in batches."""
    for start in range(0, len(rows), 5000):
        tx.run(APPEND, rows=rows[start : start + 5000])


def _filters(
    member: str | None,
    kind: str | None,
    by: str | None,
    since: str | None,
    until: str | None,
    batch: str | None = None,
    subject: str | None = None,
    own: bool = False,
    collapse: bool = False,
) -> str:
    clauses = []
    if member:
        clauses.append("c.member = $member" if own else "(c.member = $member OR $member IN c.about)")
    if collapse:  # (an import's changes of single nodes are read through its summary line)
        clauses.append("(c.kind <> 'import' OR c.subject = 'import')")
    if kind:
        clauses.append("c.kind = $kind")
    if by:
        clauses.append("c.by = $by")
    if since:
        clauses.append("c.at >= $since")
    if until:
        clauses.append("c.at < $until")
    if batch:
        clauses.append("c.batch = $batch")
    if subject:
        clauses.append("c.subject = $subject")
    return (" WHERE " + " AND ".join(clauses)) if clauses else ""


def changes(
    tx: Tx,
    member: str | None = None,
    kind: str | None = None,
    by: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
    oldest_first: bool = False,
    offset: int = 0,
    batch: str | None = None,
    subject: str | None = None,
    own: bool = False,
    collapse: bool = False,
) -> list[dict[str, Any]]:
    """Changes, newest first (or oldest first), filtered by member (filed under them, or, unless ``own``,
    naming them), kind, who, time (``since`` <= at < ``until``, ISO 8601 strings), import batch and
    subject; ``collapse`` leaves out an import's changes of single nodes (its summary stays); ``offset``
    and ``limit`` give one page. Filters are built from fixed clauses only."""
    order = "c.at, c.id" if oldest_first else "c.at DESC, c.id DESC"
    # (LadybugDB orders inside WITH only before SKIP or LIMIT: without a page, the rows are sorted here.
    # No SKIP: LadybugDB 0.x crashes the process (a segmentation fault) on ORDER BY ... SKIP of 100,000 or
    # more, which any ?page= can ask for; the page's first rows are skipped here instead.)
    tail = f" WITH c ORDER BY {order} LIMIT $upto" if limit else ""
    query = Rows(
        "MATCH (c:Change)" + _filters(member, kind, by, since, until, batch, subject, own, collapse) + tail,
        **{f: f"c.{f}" for f in CHANGE_FIELDS},
    )
    rows = query.run(
        tx,
        member=member,
        kind=kind,
        by=by,
        since=since,
        until=until,
        upto=offset + limit if limit else None,
        batch=batch,
        subject=subject,
    )
    rows.sort(key=lambda r: (r["at"] or "", r["id"]), reverse=not oldest_first)
    return rows[offset:] if limit else rows


def count(
    tx: Tx,
    member: str | None = None,
    kind: str | None = None,
    by: str | None = None,
    since: str | None = None,
    until: str | None = None,
    batch: str | None = None,
    subject: str | None = None,
    own: bool = False,
    collapse: bool = False,
) -> int:
    """How many changes pass the filters of :func:`changes` (for its pages)."""
    query = "MATCH (c:Change)" + _filters(member, kind, by, since, until, batch, subject, own, collapse)
    rows = tx.run(
        query + " RETURN count(c) AS n",
        member=member,
        kind=kind,
        by=by,
        since=since,
        until=until,
        batch=batch,
        subject=subject,
    )
    return int(rows[0]["n"]) if rows else 0


def actors(tx: Tx) -> list[str]:
    """Everyone who made a change (the history page's "who" choices), sorted."""
    return sorted(r["by"] for r in tx.run("MATCH (c:Change) RETURN DISTINCT c.by AS by") if r["by"])


BATCH_SIZES = Cypher(
    "MATCH (c:Change) WHERE c.batch IN $batches AND c.subject <> 'import' "
    "RETURN c.batch AS batch, count(c) AS n"
)
MEMBER_NAMES = Cypher(
    "UNWIND $ids AS id MATCH (m:Member {id: id}) "
    "RETURN m.id AS id, m.name AS name, m.email_visibility AS email_visibility, m.suggestible AS suggestible"
)
NAMES = {
    label: Cypher(f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN n.id AS id, n.name AS name")
    for label in ("Topic", "Organisation", "Workstream")
}
MEMBERS_NAMED = Cypher(
    "MATCH (m:Member) WHERE toLower(m.name) CONTAINS $q OR m.id = $id "
    "RETURN m.id AS id, m.name AS name ORDER BY name, id LIMIT 20"
)


def batch_sizes(tx: Tx, batches: list[str]) -> dict[str, int]:
    """How many changes of single nodes each import (by ``batch``) made."""
    if not batches:
        return {}
    return {r["batch"]: int(r["n"]) for r in tx.run(BATCH_SIZES, batches=batches)}


def members_named(tx: Tx, text: str) -> list[dict[str, Any]]:
    """The members whose name holds ``text`` (any case), or whose id it is: at most 20."""
    return tx.run(MEMBERS_NAMED, q=text.strip().lower(), id=text.strip())


def names_in(tx: Tx, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The names the changes in ``rows`` refer to by id, as they are now: ``{"Member": {id: {name,
    email_visibility}}, "Topic": {id: name}, "Organisation": ..., "Workstream": ...}``. A node that is
    gone (a forgotten member, a merged topic) is absent."""
    wanted: dict[str, set[str]] = {
        "Member": set(),
        "Topic": set(),
        "Organisation": set(),
        "Workstream": set(),
    }
    for row in rows:
        if row["member"]:
            wanted["Member"].add(row["member"])
        wanted["Member"].update(row.get("about") or [])
        kind, _, subject_id = (row["subject"] or "").partition(":")
        label = {"topic": "Topic", "organisation": "Organisation", "workstream": "Workstream"}.get(kind)
        if label:
            wanted[label].add(subject_id)
        for side in values(row):
            wanted["Member"].update(side.get("knows") or [])
            wanted["Topic"].update(t.rpartition(":")[0] for t in side.get("topics") or [])
            wanted["Topic"].update(side.get("covers") or [])
            wanted["Workstream"].update(w.rpartition(":")[0] for w in side.get("workstreams") or [])
            if side.get("member"):
                wanted["Member"].add(side["member"])
            if side.get("organisation"):
                wanted["Organisation"].add(side["organisation"])
    found: dict[str, dict[str, Any]] = {
        "Member": {r["id"]: r for r in tx.run(MEMBER_NAMES, ids=sorted(wanted["Member"]))}
    }
    for label, statement in NAMES.items():
        found[label] = {r["id"]: r["name"] for r in tx.run(statement, ids=sorted(wanted[label]))}
    return found


ADDED_SINCE = Cypher(
    "MATCH (c:Change) WHERE c.at >= $since AND c.before = '{}' AND c.subject STARTS WITH 'member:' "
    "AND c.member <> '' RETURN c.member AS id, min(c.at) AS at"
)


ADDED_OF = Cypher(
    "UNWIND $ids AS mid MATCH (c:Change {member: mid}) WHERE c.before = '{}' AND c.subject STARTS WITH 'member:' "
    "RETURN c.member AS id, min(c.at) AS at"
)


def when_added(tx: Tx, members: list[str]) -> list[tuple[str, str]]:
    """(when, member id) of those of ``members`` the history says were added, by time then id."""
    return sorted((r["at"], r["id"]) for r in tx.run(ADDED_OF, ids=members))


def members_added_since(tx: Tx, since: str) -> list[tuple[str, str]]:
    """(when, member id) of each member added since ``since`` (the first time the history says so), by
    time then id."""
    return sorted((r["at"], r["id"]) for r in tx.run(ADDED_SINCE, since=since))

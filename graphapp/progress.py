"""A workstream's progress notes as actions (issue 14 §5): its leads, and coordinators, write, edit and
delete dated notes that the workstream's page and the API publish. Write functions ``fn(tx, ...)`` shared
by the pages, the API and the CLI; each is one transaction that records itself in the history (kind
"progress", subject ``progress:<id>``, the date and text before and after, ``about`` the members who
wrote and changed it, so that forgetting one blanks them there) and declares that it changed no member of
the network (``tx.touched([])``). What they refuse is a :class:`~graphapp.introductions.Refused`: 404
for a workstream or note that is not there, 403 for someone who does not lead the workstream, 400 for a
date or text that cannot be used.

Any lead of the workstream may edit or delete any of its notes (a lead who left, or was forgotten, leaves
notes the others keep); a note keeps the lead who wrote it.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from graphapp.i18n import _
from graphapp.introductions import Refused
from graphapp.params import tidy
from graphapp.queries import history
from graphapp.queries.cypher import Tx
from graphapp.queries.workstreams import (
    NOTE_LIMIT,
    create_note,
    delete_note,
    is_lead,
    note_by_id,
    update_note,
    workstream_exists,
)

__all__ = ["NOTE_LIMIT", "add_note", "change_note", "may_write", "remove_note", "today"]


def today() -> str:
    """Today's ISO day (UTC): a new note's date unless one is given."""
    return datetime.now(UTC).date().isoformat()


def may_write(tx: Tx, workstream: str, member: str | None, coordinator: bool) -> bool:
    """Whether a viewer (the member they are, if any, and whether they are a coordinator or admin) may
    write, edit and delete the workstream's progress notes: its leads and coordinators."""
    return coordinator or is_lead(tx, workstream, member)


def _checked(workstream: str, member: str | None, coordinator: bool, tx: Tx) -> None:
    if not workstream_exists(tx, workstream):
        raise Refused(404, _("There is no workstream with the id “%(id)s”.", id=workstream))
    if not may_write(tx, workstream, member, coordinator):
        raise Refused(
            403,
            _(
                "Only the leads of %(workstream)s (and coordinators) write its progress notes.",
                workstream=workstream,
            ),
        )


def _day(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        return today()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise Refused(400, _("date must be a day written YYYY-MM-DD, not %(typed)s", typed=repr(text)))


def _text(value: str) -> str:
    text = tidy(value or "")
    if not text:
        raise Refused(400, _("text must not be empty"))
    if len(text) > NOTE_LIMIT:
        raise Refused(400, _("text is too long (at most %(num)d characters)", num=NOTE_LIMIT))
    return text


def _their_note(tx: Tx, workstream: str, note: str) -> dict[str, Any]:
    found = note_by_id(tx, note)
    if found is None or found["workstream"] != workstream:
        raise Refused(404, _("There is no such progress note of %(workstream)s.", workstream=workstream))
    return found


def _about(*members: str | None) -> list[str]:
    return sorted({m for m in members if m})


def add_note(
    tx: Tx, workstream: str, member: str | None, coordinator: bool, day: str | None, text: str, now: str
) -> dict[str, Any]:
    """Write a new progress note of ``workstream`` as ``member`` (a lead, or a coordinator: the note then
    names them if their account is a member, and no one otherwise), dated ``day`` (today if empty)."""
    _checked(workstream, member, coordinator, tx)
    note = {
        "id": uuid.uuid4().hex[:12],
        "workstream": workstream,
        "member": member or None,  # (None: a coordinator's account that is no member)
        "date": _day(day),
        "text": _text(text),
        "created": now,
        "updated": now,
    }
    create_note(tx, **note)
    history.record(
        tx,
        "progress",
        subject=f"progress:{note['id']}",
        summary=f"progress note of {workstream} written",
        after={"date": note["date"], "text": note["text"]},
        about=_about(member),
    )
    tx.touched([])
    return note


def change_note(
    tx: Tx,
    workstream: str,
    note: str,
    member: str | None,
    coordinator: bool,
    day: str | None,
    text: str | None,
    now: str,
) -> dict[str, Any]:
    """Change a note's date and/or text (None: keep it); the history keeps both as they were."""
    _checked(workstream, member, coordinator, tx)
    found = _their_note(tx, workstream, note)
    wanted = {
        "date": found["date"] if day is None else _day(day),
        "text": found["text"] if text is None else _text(text),
    }
    before = {f: found[f] for f in wanted if found[f] != wanted[f]}
    if before:
        update_note(tx, note, wanted["date"], wanted["text"], now)
        history.record(
            tx,
            "progress",
            subject=f"progress:{note}",
            summary=f"progress note of {workstream} edited",
            before=before,
            after={f: wanted[f] for f in before},
            about=_about(found["member"], member),
        )
    tx.touched([])
    return {**found, **wanted, "updated": now if before else found["updated"]}


def remove_note(
    tx: Tx, workstream: str, note: str, member: str | None, coordinator: bool, now: str
) -> dict[str, Any]:
    """Delete a note; the history keeps its date and text."""
    _checked(workstream, member, coordinator, tx)
    found = _their_note(tx, workstream, note)
    delete_note(tx, note)
    history.record(
        tx,
        "progress",
        subject=f"progress:{note}",
        summary=f"progress note of {workstream} deleted",
        before={"date": found["date"], "text": found["text"]},
        about=_about(found["member"], member),
    )
    tx.touched([])
    return {"id": note, "workstream": workstream, "deleted": True}

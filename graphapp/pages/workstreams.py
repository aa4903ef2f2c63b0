"""A workstream's page (issue 14 §5): its leads by name, the themes it serves at the stages it takes in
each, the topics it covers, its projects by stage, the dated progress notes its leads write (and the forms
to write, edit and delete them, for its leads and coordinators), and the directory of its members with
the contact-map downloads. The list of workstreams stays in :mod:`graphapp.pages.entities`; the actions
on notes are :mod:`graphapp.progress`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from graphapp.accounts import now_iso
from graphapp.auth import current_viewer
from graphapp.contactmap import View
from graphapp.db import get_store
from graphapp.i18n import _, _l, day
from graphapp.introductions import Refused
from graphapp.pages import bp
from graphapp.pages.directory import directory_of, redacted
from graphapp.params import page_args
from graphapp.progress import add_note, change_note, may_write, remove_note, today
from graphapp.queries.cypher import Tx
from graphapp.queries.members import MemberFilter
from graphapp.queries.schema import STAGES
from graphapp.queries.workstreams import NOTE_LIMIT, workstream_view

__all__ = ["day_words", "paragraphs", "workstream_page"]

#: How each stage is headed on the page ("": projects whose stage is not given).
STAGE_HEADINGS = {
    "idea": _l("Idea"),
    "demonstration": _l("Demonstration"),
    "production": _l("Production"),
    "maintenance": _l("Maintenance"),
    "": _l("Stage not given"),
}


def day_words(day: str | None) -> str:
    """An ISO day as people read it; anything else as it is.

    >>> day_words("2026-03-04"), day_words(""), day_words("soon")
    ('4 March 2026', '', 'soon')
    """
    try:
        found = date.fromisoformat(day or "")
    except ValueError:
        return day or ""
    return f"{found.day} {found:%B %Y}"


def paragraphs(text: str) -> list[list[str]]:
    """A note's plain text as paragraphs (parted by blank lines), each a list of its lines: shown as text
    (escaped by the template), its paragraphs and line breaks kept.

    >>> paragraphs("One\\ntwo\\n\\n\\nThree")
    [['One', 'two'], ['Three']]
    """
    parts = re.split(r"\n[ \t\r\f\v]*\n", text.replace("\r\n", "\n").strip())
    return [[line.rstrip() for line in part.strip("\n").split("\n")] for part in parts if part.strip()]


def workstream_page(
    tx: Tx, workstream: str, page: int, per_page: int, member: str | None, coordinator: bool
) -> dict[str, Any] | None:
    """Everything the page shows, in one read: the workstream with its leads, themes, topics, projects
    by stage and progress notes, one page of its members' directory, and whether the viewer may write
    notes (a lead of it, or a coordinator); None if there is no such workstream."""
    shown = workstream_view(tx, workstream)
    if shown is None:
        return None
    return {
        **shown,
        **directory_of(tx, MemberFilter(workstream=workstream), page, per_page),
        "may_write": may_write(tx, workstream, member, coordinator),
    }


def _render(workstream: str, form: dict[str, str] | None = None, problem: str | None = None) -> str:
    viewer = current_viewer()
    page, per_page = page_args(request.args, 25)
    shown = get_store().read(
        workstream_page, workstream, page, per_page, viewer.member, viewer.at_least("coordinator")
    )
    if shown is None:
        abort(404, _("There is no workstream with the id “%(id)s”.", id=workstream))
    shown = redacted(shown)
    notes = [
        {**n, "paragraphs": paragraphs(n["text"]), "day": day(n["date"], "long")} for n in shown["notes"]
    ]
    w = shown["workstream"]
    return render_template(
        "pages/workstream.html",
        kind="workstream",
        value=workstream,
        heading=_("%(id)s: %(name)s", id=w["id"], name=w["name"]),
        node=w,
        leads=shown["leads"],
        themes=shown["themes"],
        topics=shown["topics"],
        projects=shown["projects"],
        stage_headings=STAGE_HEADINGS,
        stages=STAGES,
        notes=notes,
        may_write=shown["may_write"],
        form=form or {"note": "", "date": today(), "text": ""},
        problem=problem,
        note_limit=NOTE_LIMIT,
        day_words=day_words,
        view=View("workstream", workstream),
        where=shown["where"],
        results=shown["results"],
        facets=shown["facets"],
    )


@bp.get("/workstreams/<workstream>")
def workstream(workstream: str) -> str:
    return _render(workstream)


def _write(workstream: str, note: str, work: Callable[..., Any], *args: Any) -> Any:
    """Run a note's action as the viewer, in one write transaction (which checks, in this order, that
    the viewer may write the workstream's notes, then the date and text). A refusal of what was typed
    (400) shows the page again with it and the problem; others are answered as they are."""
    viewer = current_viewer()
    form = {"note": note, "date": request.form.get("date", ""), "text": request.form.get("text", "")}
    typed: tuple[Any, ...] = ()
    if work is not remove_note:  # (a change leaves an emptied date as it was)
        typed = (form["date"] or (None if note else ""), form["text"])
    given = (workstream, *args, viewer.member, viewer.at_least("coordinator"), *typed, now_iso())
    try:
        return get_store().write(work, *given)
    except Refused as e:
        if e.status != 400:
            abort(e.status, e.message)
        return _render(workstream, form, e.message), 400


def _back(workstream: str, note: str = "") -> Response:
    anchor = f"note-{note}" if note else "progress-heading"
    return redirect(url_for("pages.workstream", workstream=workstream, _anchor=anchor))


@bp.post("/workstreams/<workstream>/notes")
def add_progress_note(workstream: str) -> Any:
    done = _write(workstream, "", add_note)
    if isinstance(done, tuple):
        return done
    flash(_("Your progress note is published on the workstream's page."))
    return _back(workstream, done["id"])


@bp.post("/workstreams/<workstream>/notes/<note>")
def edit_progress_note(workstream: str, note: str) -> Any:
    done = _write(workstream, note, change_note, note)
    if isinstance(done, tuple):
        return done
    flash(_("The progress note is saved."))
    return _back(workstream, note)


@bp.post("/workstreams/<workstream>/notes/<note>/delete")
def delete_progress_note(workstream: str, note: str) -> Any:
    done = _write(workstream, note, remove_note, note)
    if isinstance(done, tuple):
        return done
    flash(_("The progress note is deleted (the history keeps what it said)."))
    return _back(workstream)

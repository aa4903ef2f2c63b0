"""The competence areas (issue 14 §3): the hierarchy, with the topics placed in each and how many members
hold each at each level; and the coordinators' page that imports another taxonomy in its place (a dry run
first, which says what would change and what is wrong; then a confirm, which writes it).

The actions are :mod:`graphapp.taxonomy`'s. The file uploaded is read into memory (at most the upload
limit) and never saved; the confirm carries its text back in the form, and everything is checked again.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import PurePath
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from graphapp.db import get_store
from graphapp.i18n import _
from graphapp.ingest.problems import ImportRejected
from graphapp.pages import bp
from graphapp.queries.cypher import Tx
from graphapp.taxonomy import COLUMNS, EDSF_FILE, LEVEL_WORDS, TaxonomyChange, import_taxonomy, taxonomy_tree
from graphapp.uploads import shown_problem

__all__ = ["areas_page"]


@functools.cache
def edsf_sources() -> frozenset[str]:
    """The source the shipped taxonomy's areas carry: the page then shows the EDSF's attribution in full (a
    taxonomy of someone else's that names the EDSF in other words keeps its own line). Read once, when a
    page first needs it, not when the app starts."""
    return frozenset(row["source"] for row in csv.DictReader(io.StringIO(EDSF_FILE.read_text("utf-8"))))


def areas_page(tx: Tx) -> dict[str, Any]:
    """The taxonomy as a tree (see :func:`graphapp.taxonomy.taxonomy_tree`)."""
    return taxonomy_tree(tx)


@bp.get("/areas")
def areas() -> str:
    tree = get_store().read(areas_page)
    shipped = edsf_sources()
    edsf = any(s in shipped for s in tree["sources"])
    return render_template(
        "pages/areas.html",
        tree=tree,
        edsf=edsf,
        level_words=LEVEL_WORDS,
        others=[s for s in tree["sources"] if s not in shipped],
    )


def _label(filename: str | None) -> str:
    """A name to show for an upload: its last path part, printable, at most 80 characters."""
    name = PurePath((filename or "").replace("\\", "/")).name
    return "".join(c for c in name if c.isprintable())[:80] or _("the file")


def _uploaded() -> tuple[bytes, str] | str:
    """The taxonomy the form carries (a file uploaded, the text of one being confirmed, or the shipped
    one) and its name; or what is wrong."""
    if request.form.get("shipped") == "edsf":
        return EDSF_FILE.read_bytes(), EDSF_FILE.name
    if "text" in request.form:
        return request.form["text"].encode("utf-8"), _label(request.form.get("name"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return str(_("Choose a taxonomy file (CSV) to import."))
    name = _label(upload.filename)
    if PurePath(name).suffix.lower() != ".csv":
        return str(_("%(file)s: a taxonomy is imported from a CSV file.", file=name))
    return upload.read(), name


@bp.get("/areas/edsf.csv")
def shipped_taxonomy() -> Any:
    """The shipped taxonomy's file (its areas carry the EDSF's attribution), to adapt: its ``topics``
    column places the demo's topics, which another network may not have."""
    return Response(
        EDSF_FILE.read_bytes(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=edsf.csv"},
    )


@bp.route("/areas/import", methods=["GET", "POST"])
def import_areas() -> Any:
    shown: dict[str, Any] = {"columns": COLUMNS}
    if request.method == "GET":
        return render_template("pages/areas_import.html", **shown)
    got = _uploaded()
    if isinstance(got, str):
        return render_template("pages/areas_import.html", problems=[got], **shown), 400
    data, name = got
    confirm = request.form.get("confirm") == "yes"
    store = get_store()
    try:
        if confirm:
            change = store.write(import_taxonomy, data, name)
        else:
            change = store.read(import_taxonomy, data, name, True)
    except ImportRejected as e:
        problems = [shown_problem(p, {}) for p in e.problems]
        return render_template("pages/areas_import.html", problems=problems, name=name, **shown), 400
    if confirm:
        flash(
            _("Imported %(change)s.", change=_headline(change))
            if not change.is_empty()
            else _("%(file)s is the taxonomy held already: nothing changed.", file=name)
        )
        return redirect(url_for("pages.areas"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # (cannot be: import_taxonomy refused it)
        text = ""
    return render_template(
        "pages/areas_import.html",
        change=change,
        headline=_headline(change),
        parts=_parts(change),
        text=text,
        name=name,
        **shown,
    )


def _headline(change: TaxonomyChange) -> str:
    """The taxonomy a file holds, in the reader's words: "edsf.csv: 35 areas, 32 topics placed"."""
    areas = ngettext("%(num)d area", "%(num)d areas", len(change.areas))
    topics = ngettext("%(num)d topic placed", "%(num)d topics placed", change.topics_placed)
    return str(_("%(file)s: %(areas)s, %(topics)s", file=change.file, areas=areas, topics=topics))


def _parts(change: TaxonomyChange) -> list[tuple[str, list[str]]]:
    """What a taxonomy file would change, in the reader's words, with the names (the empty ones left out)."""
    renamed = [f"{a} → {b}" for a, b in change.renamed]
    parts = [
        (
            ngettext("%(num)d area would be added", "%(num)d areas would be added", len(change.added)),
            change.added,
        ),
        (
            ngettext("%(num)d area would be removed", "%(num)d areas would be removed", len(change.removed)),
            change.removed,
        ),
        (ngettext("%(num)d area would be renamed", "%(num)d areas would be renamed", len(renamed)), renamed),
        (
            ngettext(
                "%(num)d area would be given a new description or place",
                "%(num)d areas would be given a new description or place",
                len(change.changed),
            ),
            change.changed,
        ),
        (
            ngettext("%(num)d topic would be placed", "%(num)d topics would be placed", len(change.placed)),
            change.placed,
        ),
        (
            ngettext(
                "%(num)d topic would move to other areas",
                "%(num)d topics would move to other areas",
                len(change.moved),
            ),
            change.moved,
        ),
        (
            ngettext(
                "%(num)d topic would be left without an area",
                "%(num)d topics would be left without an area",
                len(change.unplaced),
            ),
            change.unplaced,
        ),
    ]
    return [(str(what), names) for what, names in parts if names]

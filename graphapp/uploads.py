"""Imports from the web, for coordinators: the same all-or-nothing import as `graphapp import`, from
uploaded files (with the same switch, "create new topics", for topics that members' or workstreams'
cells name and the vocabulary lacks). An upload's name is only ever a label in messages: the file is saved under a name made
here, in a temporary folder, and removed afterwards.

A template file for each kind of import (its header and an example row or two, `graphapp/data/templates/`)
is downloadable by members and up, from the Import page's list of kinds."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePath
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request

from graphapp.db import get_store
from graphapp.ingest import ImportRejected, import_files
from graphapp.ingest.problems import Problem
from graphapp.ingest.readers import KINDS
from graphapp.resources import PACKAGE

bp = Blueprint("uploads", __name__)

SUFFIXES = (".csv", ".xlsx", ".json")
#: The template files, one per kind of import file (and the competence taxonomy's, imported on its own page).
IMPORT_TEMPLATES = PACKAGE / "data" / "templates"
TEMPLATE_KINDS = (*KINDS, "taxonomy")
#: What each kind of file holds, in the Import page's words, in the order a first import needs them.
KIND_WORDS = {
    "organisations": "Organisations: name, kind, country and other names.",
    "themes": "Themes of the journey map (quality, good training data ...), in the map's order.",
    "topics": "Topics: name, other spellings, and the themes each serves.",
    "workstreams": "Workstreams: the topics each covers and the themes it serves, at which stages.",
    "members": "Members: organisation, topics with levels, workstreams, contacts, their choices.",
    "projects": "Projects: organisation, members and their roles, topics, GSBPM domain, stage and the day "
    "each was reached, links.",
    "resources": "Shared documents, code, courses and recordings, by their public link.",
}
assert set(KIND_WORDS) == set(KINDS)


def _label(filename: str | None, index: int) -> str:
    """A name to show for an upload: its last path part, printable, at most 80 characters."""
    name = PurePath((filename or "").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable())[:80]
    return name or f"file {index + 1}"


@bp.get("/import/templates/<kind>.csv")
def import_template(kind: str) -> Any:
    """A template file for one kind of import: the header and an example row or two (example.org people)."""
    if kind not in TEMPLATE_KINDS:
        abort(404)
    return Response(
        (IMPORT_TEMPLATES / f"{kind}.csv").read_bytes(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={kind}.csv"},
    )


def _page(**context: Any) -> str:
    return render_template("pages/import.html", kinds=KIND_WORDS, **context)


@bp.route("/import", methods=["GET", "POST"])
def import_page() -> Any:
    if request.method == "GET":
        return _page()
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if not uploads:
        return _page(problems=["Choose at least one file."]), 400
    dry_run = request.form.get("dry_run") == "yes"
    new_topics = request.form.get("new_topics") == "yes"
    limit = int(float(current_app.config["GRAPHAPP_MAX_UPLOAD_MB"]) * 2**20)
    labels: dict[str, str] = {}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="graphapp-upload-") as folder:
        paths = []
        for i, upload in enumerate(uploads):
            label = _label(upload.filename, i)
            suffix = PurePath(label).suffix.lower()
            if suffix not in SUFFIXES:
                problems.append(f"{label}: only CSV, XLSX or JSON files can be imported")
                continue
            path = Path(folder) / f"upload-{i}{suffix}"  # our name, never the user's
            upload.save(path)
            labels[path.name] = label
            paths.append(path)
        if problems:
            return _page(problems=problems, new_topics=new_topics), 400
        try:
            plan = import_files(get_store(), paths, dry_run=dry_run, max_bytes=limit, new_topics=new_topics)
        except ImportRejected as e:
            shown = [
                str(Problem(labels.get(p.file, p.file), p.row, p.column, p.value, p.reason))
                for p in e.problems
            ]
            return _page(problems=shown, rejected=True, new_topics=new_topics), 400
    return _page(
        summary=plan.summary(dry_run=dry_run),
        dry_run=dry_run,
        new_topics=new_topics,
        created_topics=plan.new_topics,
    )

"""Imports from the web, for coordinators: the same all-or-nothing import as `graphapp import`, from
uploaded files (with the same switch, "create new topics", for topics that members' or workstreams'
cells name and the vocabulary lacks). An upload's name is only ever a label in messages: the file is saved under a name made
here, in a temporary folder, and removed afterwards.

A template file for each kind of import (its header and an example row or two, `graphapp/data/templates/`)
is downloadable by members and up, from the Import page's list of kinds; the page "Import formats"
(/import/formats) describes each kind's columns, from the importer's own tables (``COLUMNS``, ``REQUIRED``)
and the templates' example rows, so that it cannot drift from what the importer takes."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path, PurePath
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request

from graphapp.db import get_store
from graphapp.i18n import _, _l, country_in, word
from graphapp.ingest import ImportRejected, import_files
from graphapp.ingest.plan import Plan
from graphapp.ingest.problems import Either, Problem, Reason, reason
from graphapp.ingest.readers import COLUMNS, KINDS, REQUIRED
from graphapp.queries.schema import NODES
from graphapp.resources import PACKAGE

bp = Blueprint("uploads", __name__)

SUFFIXES = (".csv", ".xlsx", ".json")
#: The template files, one per kind of import file (and the competence taxonomy's, imported on its own page).
IMPORT_TEMPLATES = PACKAGE / "data" / "templates"
TEMPLATE_KINDS = (*KINDS, "taxonomy")
#: What each kind of file holds, in the Import page's words, in the order a first import needs them.
KIND_WORDS = {
    "organisations": _l("Organisations: name, kind, country and other names."),
    "themes": _l("Themes of the journey map (quality, good training data ...), in the map's order."),
    "topics": _l("Topics: name, other spellings, and the themes each serves."),
    "workstreams": _l("Workstreams: the topics each covers and the themes it serves, at which stages."),
    "members": _l("Members: organisation, topics with levels, workstreams, contacts, their choices."),
    "projects": _l(
        "Projects: organisation, members and their roles, topics, GSBPM domain, stage and the day each was "
        "reached, links."
    ),
    "resources": _l("Shared documents, code, courses and recordings, by their public link."),
}
assert set(KIND_WORDS) == set(KINDS)

#: What each column of each kind holds, in the Import formats page's words (a column's meaning common to
#: several kinds under "*"). tests/test_import_page.py checks that every column the importer takes has one.
COLUMN_WORDS: dict[str, dict[str, Any]] = {
    "*": {
        "id": _l(
            "An identifier of your choice (letters, digits, '.', '_', '-'); if empty, one is made from the name."
        ),
        "name": _l("The name, as people should read it."),
        "name_fr": _l("Optional: the name in French, shown to readers of French (empty: the name)."),
        "name_ru": _l("Optional: the name in Russian, shown to readers of Russian (empty: the name)."),
        "description": _l("A sentence or two on what it is."),
        "country": _l("An ISO 3166 code (NLD or NL) or the country's English name."),
        "topics": _l("Topics separated by ';', by name, id or other spelling."),
        "workstream": _l("One workstream's id, e.g. WS1."),
    },
    "members": {
        "id": _l("An identifier of your choice; if empty, one is made from the email."),
        "email": _l("The member's email (required unless an id is given)."),
        "organisation": _l("The organisation's name, id or other name; a new name creates it."),
        "organisation_kind": _l(
            "NSO, international, academic or other, for an organisation this row creates."
        ),
        "title": _l("The member's job title."),
        "topics": _l(
            "Topics separated by ';', each with a level after a colon (learning, practising or expert): "
            "record linkage:expert; satellite imagery:learning."
        ),
        "workstreams": _l(
            "Workstream ids separated by ';', each with a role after a colon (lead or member): WS7:lead; WS2."
        ),
        "knows": _l("Emails of the member's contacts, separated by ';'."),
        "email_visibility": _l("Who may see the email: members (the default), coordinators or nobody."),
        "suggestible": _l("Whether the member may be suggested to others: yes (the default) or no."),
        "joined": _l("When the member joined the network: YYYY-MM-DD or YYYY-MM, not in the future."),
    },
    "organisations": {
        "kind": _l("NSO, international, academic or other (the default)."),
        "aliases": _l("Other names and acronyms, separated by ';'."),
    },
    "topics": {
        "aliases": _l("Other spellings, separated by ';'."),
        "themes": _l("The themes the topic serves, separated by ';', by id or name."),
    },
    "workstreams": {
        "id": _l("The workstream's id: WS1, WS2 ..."),
        "covers": _l("The topics it covers, separated by ';'."),
        "serves": _l(
            "The themes it serves, separated by ';', each with the stages it takes in brackets; "
            "no brackets: every stage."
        ),
    },
    "themes": {
        "kind": _l("theme (the default) or facilitator."),
        "position": _l("A whole number: its place down the journey map."),
    },
    "projects": {
        "id": _l("An identifier of your choice; if empty, one is made from the title."),
        "title": _l("The project's title."),
        "organisation": _l("The organisation that runs it, by name, id or other name."),
        "members": _l(
            "Members by email or id, separated by ';', each with a role after a colon if you like."
        ),
        "domain": _l("The GSBPM sub-process or phase it serves, by code, name or both: 5.4 Edit and impute."),
        "stage": _l("idea, demonstration, production or maintenance: the furthest it has reached."),
        "idea": _l("The day it reached this stage, YYYY-MM-DD."),
        "demonstration": _l("The day it reached this stage, YYYY-MM-DD."),
        "production": _l("The day it reached this stage, YYYY-MM-DD."),
        "maintenance": _l("The day it reached this stage, YYYY-MM-DD."),
        "report": _l("A public link (https://...) to its report."),
        "code": _l("A public link (https://...) to its code."),
    },
    "resources": {
        "id": _l("An identifier of your choice; if empty, one is made from the link."),
        "title": _l("The resource's title."),
        "url": _l("Its public link, https://... or http://...; one link is one resource."),
        "kind": _l("document (the default), code, course or recording."),
        "language": _l("Its language: a code (en, fr, ru) or an English name; required for a new resource."),
        "topics": _l("Topics separated by ';'; at least one for a new resource."),
        "shared_by": _l("The member who shared it, by email or id."),
        "added": _l("The day it was added, YYYY-MM-DD; if empty, the day of the import."),
    },
}
#: Columns needed in some cases only (the importer's own rules: ingest.readers and ingest.records).
SOMETIMES_REQUIRED = {("members", "email"), ("projects", "stage"), ("resources", "language")}


def column_meaning(kind: str, column: str) -> Any:
    """The words for one column of one kind of import file (None if it has none: a test forbids that)."""
    return COLUMN_WORDS[kind].get(column) or COLUMN_WORDS["*"].get(column)


def import_formats() -> list[dict[str, Any]]:
    """Every kind of import file: its columns (from the importer's tables), whether each is required,
    what it holds, and the template's first example value."""
    kinds: list[dict[str, Any]] = []
    for kind in KINDS:
        rows = list(csv.DictReader(io.StringIO((IMPORT_TEMPLATES / f"{kind}.csv").read_text("utf-8"))))
        columns = [
            {
                "name": column,
                "required": "yes"
                if column in REQUIRED[kind]
                else ("sometimes" if (kind, column) in SOMETIMES_REQUIRED else "no"),
                "meaning": column_meaning(kind, column),
                "example": next((r[column] for r in rows if r.get(column)), ""),
            }
            for column in COLUMNS[kind]
        ]
        kinds.append({"kind": kind, "words": KIND_WORDS[kind], "columns": columns})
    return kinds


@bp.get("/import/formats")
def import_formats_page() -> Any:
    """What each kind of import file holds, column by column, with its template (offline, in the reader's
    language)."""
    return render_template("pages/import_formats.html", formats=import_formats())


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


def shown_problem(p: Problem, labels: dict[str, str]) -> str:
    """An import problem in the reader's language: where it is (file, row, column, value) in the reader's
    words, and why in the reader's words too when the importer said it with ``ingest.problems.reason``."""
    file = labels.get(p.file, p.file)
    value = p.quoted_value()
    where = {
        "file": file,
        "row": _row_words(p.row),
        "column": p.column,
        "value": value,
        "reason": said(p.reason, labels, on_page=True),
    }
    if p.row and p.column:
        text = (
            _("%(file)s, %(row)s, column '%(column)s': %(value)s %(reason)s", **where)
            if value
            else _("%(file)s, %(row)s, column '%(column)s': %(reason)s", **where)
        )
    elif p.row:
        text = (
            _("%(file)s, %(row)s: %(value)s %(reason)s", **where)
            if value
            else _("%(file)s, %(row)s: %(reason)s", **where)
        )
    else:
        text = _("%(file)s: %(value)s %(reason)s", **where) if value else _("%(file)s: %(reason)s", **where)
    return str(text)


#: Reasons whose importer's words name an option of the command line (``graphapp import``): a page says
#: what to do on the page instead (tests/test_reasons_catalogue.py checks each is a reason the importer gives).
ON_THE_PAGE = {
    "is not a topic in the vocabulary: did you mean %(names)s? If not, to add it to the vocabulary, "
    "list it in a topics file, or import with --new-topics (on the import page: tick 'create new "
    "topics')": reason(
        "is not a topic in the vocabulary: did you mean %(names)s? If not, to add it to the vocabulary, "
        "list it in a topics file, or tick 'Create new topics' and import again"
    ),
    "is not a topic in the vocabulary: to add it to the vocabulary, list it in a topics file, or import "
    "with --new-topics (on the import page: tick 'create new topics')": reason(
        "is not a topic in the vocabulary: to add it to the vocabulary, list it in a topics file, or tick "
        "'Create new topics' and import again"
    ),
    # A survey's answers that map to nothing (ingest.mapping): on the page, the table that says what they mean.
    "is not a level graphapp knows (closest: %(closest)s): say in the mapping's levels what it means "
    "(learning, practising, expert, or ignore)": reason(
        "is not a level graphapp knows (closest: %(closest)s): under “What answers mean”, choose the level "
        "it means, or “ignore”"
    ),
    "is not a country graphapp knows (closest: %(closest)s): say in the mapping's countries which it is, "
    "or ignore": reason(
        "is not a country graphapp knows (closest: %(closest)s): under “What answers mean”, choose the "
        "country it is, or “ignore”"
    ),
    "is not a country graphapp knows: say in the mapping's countries which it is, or ignore": reason(
        "is not a country graphapp knows: under “What answers mean”, type the country it is, or choose "
        "“ignore”"
    ),
    "is not an organisation in the network (closest: %(closest)s): say in the mapping's organisations "
    "which it is, new, or ignore": reason(
        "is not an organisation in the network (closest: %(closest)s): under “What answers mean”, choose "
        "the organisation it is, “new” or “ignore”"
    ),
    "is not an organisation in the network: say in the mapping's organisations which it is, new, or "
    "ignore": reason(
        "is not an organisation in the network: under “What answers mean”, choose “new” or “ignore”, or "
        "type the organisation it is"
    ),
    "is not a topic in the vocabulary (closest: %(closest)s): say in the mapping's topics which it is, "
    "new, or ignore": reason(
        "is not a topic in the vocabulary (closest: %(closest)s): under “What answers mean”, choose the "
        "topic it is, “new” or “ignore”"
    ),
    "is not a topic in the vocabulary: say in the mapping's topics which it is, new, or ignore": reason(
        "is not a topic in the vocabulary: under “What answers mean”, choose “new” or “ignore”, or type the "
        "topic it is"
    ),
    "cannot tell which kind of records this is from its columns; pass --kind": reason(
        "cannot tell which kind of records this is from its columns; name its columns as the template "
        "of its kind does"
    ),
}


def said(why: str, labels: dict[str, str] | None = None, on_page: bool = False) -> str:
    """An import problem's reason in the reader's language: its message translated and filled with the
    same parameters, those a reader reads as words in the reader's words too (see :func:`_said_param`),
    and a file it names by its upload's name (``labels``: the saved file's name to the upload's); ``on_page``
    (the Import page) in :data:`ON_THE_PAGE`'s words where it has some. A reason not made with
    ``ingest.problems.reason`` stays as the importer wrote it."""
    if not isinstance(why, Reason):
        return why
    params = {
        name: labels.get(value, value) if name == "file" and labels and isinstance(value, str) else value
        for name, value in why.params.items()
    }
    message = ON_THE_PAGE[why.message].message if on_page and why.message in ON_THE_PAGE else why.message
    return str(_(message, **{name: _said_param(name, value) for name, value in params.items()}))


#: The parameters of reasons that name a stage of the journey (said with the page's word for it).
_STAGE_PARAMS = frozenset({"stage", "earlier", "reached"})


def _said_param(name: str, value: object) -> object:
    """A reason's parameter as a page says it: names offered as alternatives joined with the reader's
    "or", a place in a file ("row 4") and a stage or a country in the reader's words; others as they are."""
    if isinstance(value, Either):
        shown = list(value)
        joined = shown[0] if shown else ""
        for other in shown[1:]:
            joined = str(_("%(one)s or %(other)s", one=joined, other=other))
        return joined
    if name == "row" and isinstance(value, str):
        return _row_words(value)
    if name in _STAGE_PARAMS and isinstance(value, str):
        return word(value, "stage")
    if name == "country" and isinstance(value, str):
        return country_in(value)
    return value


def _row_words(row: str) -> str:
    """'row 4' / 'item 3' / 'line 2' (as the importer says where a problem is) in the reader's words."""
    what, _sep, number = row.rpartition(" ")
    if what == "row" and number.isdigit():
        return str(_("row %(number)s", number=number))
    if what == "item" and number.isdigit():
        return str(_("item %(number)s", number=number))
    if what == "line" and number.isdigit():
        return str(_("line %(number)s", number=number))
    return row


#: What a plan creates or changes, in the reader's words: each kind of record and each kind of link.
PLAN_WORDS: dict[str, Any] = {
    "Member": _l("Members"),
    "Organisation": _l("Organisations"),
    "Topic": _l("Topics"),
    "Workstream": _l("Workstreams"),
    "Area": _l("Competence areas"),
    "Project": _l("Projects"),
    "Theme": _l("Themes"),
    "Resource": _l("Resources"),
    "WORKS_AT": _l("Members' organisations"),
    "INTERESTED_IN": _l("Members' topics, with their levels"),
    "MEMBER_OF": _l("Members' workstreams, with their roles"),
    "COVERS": _l("Topics a workstream covers"),
    "KNOWS": _l("Contacts between members"),
    "BROADER": _l("Broader competence areas"),
    "IN_AREA": _l("Topics' competence areas"),
    "RUN_BY": _l("Projects' organisations"),
    "WORKS_ON": _l("Members of projects"),
    "ON_TOPIC": _l("Projects' topics"),
    "IN_WORKSTREAM": _l("Projects' workstreams"),
    "SERVES": _l("Themes a workstream serves"),
    "OF_THEME": _l("Topics' themes"),
    "ABOUT": _l("Resources' topics"),
    "FOR_WORKSTREAM": _l("Resources' workstreams"),
    "SHARED": _l("Who shared a resource"),
}
#: The names of what an import adds, one sentence per kind (French and Russian agree with the noun).
PLAN_NEW: dict[str, Any] = {
    "Member": _l("New members: %(names)s."),
    "Organisation": _l("New organisations: %(names)s."),
    "Topic": _l("New topics: %(names)s."),
    "Workstream": _l("New workstreams: %(names)s."),
    "Area": _l("New competence areas: %(names)s."),
    "Project": _l("New projects: %(names)s."),
    "Theme": _l("New themes: %(names)s."),
    "Resource": _l("New resources: %(names)s."),
}


def plan_view(plan: Plan, labels: dict[str, str] | None = None, details: int = 10) -> dict[str, Any]:
    """What an import did (or would do), for a page in the reader's language: how many rows were read
    from which files, a line per kind of record or link that changes (new, changed, removed, unchanged),
    the names of what is new, and what changes in the records that change (by name, with the columns
    that change as the files name them)."""
    labels = labels or {}
    kinds: list[dict[str, Any]] = []
    for what, c in plan.counts().items():
        if any(c.get(k) for k in ("created", "updated", "removed")) or (what in NODES and c.get("unchanged")):
            kinds.append({"what": str(PLAN_WORDS.get(what, what)), **c})
    new: list[dict[str, Any]] = []
    for label, rows in plan.create_nodes.items():
        if rows:
            names = [str(r.get("name") or r.get("title") or r["id"]) for r in rows[:details]]
            sentence = str(PLAN_NEW[label]) % {"names": "; ".join(names)} if label in PLAN_NEW else ""
            new.append({"sentence": sentence, "more": len(rows) - len(names)})
    known: dict[str, dict[str, Any]] = {}
    if plan.catalog is not None:
        held = plan.catalog
        known = {
            "Member": {**held.named_members, **held.members},
            "Organisation": held.organisations,
            "Topic": held.topics,
            "Workstream": held.workstreams,
            "Theme": held.themes,
            "Project": held.projects,
            "Resource": held.resources,
        }
    changed: list[dict[str, Any]] = []
    for label, changes in plan.changed.items():
        updated = {r["id"]: r for r in plan.update_nodes.get(label, [])}
        for node_id, columns in list(changes.items())[:details]:
            node = updated.get(node_id) or known.get(label, {}).get(node_id) or {}
            name = str(node.get("name") or node.get("title") or node_id)
            changed.append(
                {"what": str(PLAN_WORDS.get(label, label)), "name": name, "columns": list(columns)}
            )
        if len(changes) > details:
            changed.append({"what": str(PLAN_WORDS.get(label, label)), "more": len(changes) - details})
    files = [labels.get(PurePath(f).name, PurePath(f).name) for f in plan.files]
    return {
        "rows": plan.rows,
        "files": files,
        "kinds": kinds,
        "new": new,
        "changed": changed,
        "empty": plan.is_empty(),
    }


def _page(**context: Any) -> str:
    return render_template("pages/import.html", kinds=KIND_WORDS, **context)


@bp.route("/import", methods=["GET", "POST"])
def import_page() -> Any:
    if request.method == "GET":
        return _page()
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if not uploads:
        return _page(problems=[_("Choose at least one file.")]), 400
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
                problems.append(_("%(file)s: only CSV, XLSX or JSON files can be imported", file=label))
                continue
            path = Path(folder) / f"upload-{i}{suffix}"  # our name, never the user's
            upload.save(path)
            labels[path.name] = label
            paths.append(path)
        if problems:
            return _page(problems=problems, new_topics=new_topics), 400
        from graphapp.pages.survey import is_survey_upload, survey_page  # (issue 16: a survey's export)

        if len(paths) == 1 and is_survey_upload(paths[0]):
            return survey_page(labels[paths[0].name], paths[0].read_bytes())
        try:
            plan = import_files(get_store(), paths, dry_run=dry_run, max_bytes=limit, new_topics=new_topics)
        except ImportRejected as e:
            shown = [shown_problem(p, labels) for p in e.problems]
            return _page(problems=shown, rejected=True, new_topics=new_topics), 400
    return _page(
        plan=plan_view(plan, labels),
        dry_run=dry_run,
        new_topics=new_topics,
        created_topics=plan.new_topics,
    )

"""Importing a survey tool's export from the Import page (issue 16), for coordinators: a file that is not
in graphapp's format leads here, to say what each question is and what answers mean, to see the first rows
as graphapp will read them and the whole dry run, and only then to import; mappings are saved by name.

The uploaded file travels inside the form between the round trips (compressed, signed with the app's key
and good for an hour, as the taxonomy page carries its file), so that nothing is kept on the server: each
request writes it to a temporary folder of its own and removes it before answering.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path, PurePath
from typing import Any

from flask import current_app, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from graphapp.db import get_store
from graphapp.i18n import _, _l
from graphapp.ingest.mapping import (
    FIELDS,
    IGNORE,
    NEW,
    VALUE_KINDS,
    Column,
    Mapped,
    Mapping,
    SurveyRejected,
    guess_mapping,
    load_mapping,
    plan_survey,
    save_mapping,
    saved_mapping,
)
from graphapp.ingest.plan import apply_plan
from graphapp.ingest.problems import ImportRejected
from graphapp.ingest.survey import Survey, read_survey
from graphapp.pages import bp
from graphapp.queries.cypher import Tx
from graphapp.queries.schema import LEVELS
from graphapp.queries.surveys import mappings, topic_names
from graphapp.uploads import plan_view, shown_problem

#: How long a survey carried in the form stays good (seconds).
CARRIED_FOR = 3600
#: How many rows the preview shows.
PREVIEW_ROWS = 5

#: What each field of a mapping means, in the reader's words.
FIELD_WORDS = {
    "ignore": _l("nothing (ignore this question)"),
    "name": _l("the member's name"),
    "email": _l("the member's email"),
    "organisation": _l("their organisation"),
    "country": _l("their country"),
    "title": _l("their job title"),
    "workstreams": _l("workstreams (several, with a separator)"),
    "contacts": _l("contacts' emails (several, with a separator)"),
    "topics": _l("topics (several, with a separator)"),
    "topic_level": _l("one topic: the answers are levels"),
    "other_topics": _l('"other (please specify)": text read as topics'),
}
assert set(FIELD_WORDS) == set(FIELDS)
KIND_WORDS = {
    "levels": _l("level"),
    "countries": _l("country"),
    "organisations": _l("organisation"),
    "topics": _l("topic"),
}
assert set(KIND_WORDS) == set(VALUE_KINDS)


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="graphapp-survey-upload")


def carry(label: str, data: bytes) -> str:
    """The file, as a signed token for the form's hidden field."""
    return str(_signer().dumps({"name": label, "data": base64.b64encode(data).decode("ascii")}))


def carried(token: str) -> tuple[str, bytes] | None:
    """The file a token carries (None: tampered with, or older than an hour)."""
    try:
        value = _signer().loads(token, max_age=CARRIED_FOR)
        return str(value["name"]), base64.b64decode(value["data"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def _mapping_from_form(form: Any, survey: Survey) -> Mapping:
    """The mapping the form describes (each question's select, and the answers' meanings)."""
    columns = []
    for i, question in enumerate(survey.questions):
        what = form.get(f"field-{i}", IGNORE)
        column = Column(question, what if what in FIELDS else IGNORE)
        if column.field in ("topics", "other_topics", "workstreams", "contacts"):
            column.separator = form.get(f"separator-{i}") or None
        if column.field in ("topics", "other_topics"):
            column.level = form.get(f"level-{i}") if form.get(f"level-{i}") in LEVELS else None
        if column.field == "topic_level":
            column.topic = (form.get(f"topic-{i}") or "").strip() or None
        columns.append(column)
    values: dict[str, dict[str, str]] = {k: {} for k in VALUE_KINDS}
    for j in range(int(form.get("values_count") or 0)):
        kind, answer = form.get(f"kind-{j}"), form.get(f"answer-{j}")
        meant = (form.get(f"other-{j}") or "").strip() or (form.get(f"meant-{j}") or "").strip()
        if kind in values and answer and meant:
            values[kind][answer] = meant
    header_row = form.get("header_row", "")
    data = {
        "name": (form.get("mapping_name") or "").strip() or PurePath(survey.file).stem,
        "header_row": int(header_row) if header_row.isdigit() else survey.header_row,
        "columns": [c.as_json() for c in columns],
        "values": values,
    }
    return load_mapping(data, str(_("the mapping")))


def _preview(mapped: Mapped) -> list[dict[str, str]]:
    """The first rows as graphapp will read them, in words."""
    rows = []
    for row in mapped.table.rows[:PREVIEW_ROWS]:
        v = row.values
        topics = [f"{t['name']} ({t['level']})" for t in v.get("topics") or []]
        workstreams = [w["id"] if isinstance(w, dict) else str(w) for w in v.get("workstreams") or []]
        rows.append(
            {
                "row": row.where.split()[-1],
                "name": str(v.get("name") or ""),
                "email": str(v.get("email") or ""),
                "organisation": str(v.get("organisation") or ""),
                "country": str(v.get("country") or ""),
                "title": str(v.get("title") or ""),
                "topics": "; ".join(topics),
                "workstreams": "; ".join(workstreams),
            }
        )
    return rows


def _choices(kind: str, suggestions: list[str]) -> list[str]:
    if kind == "levels":
        return [*(s for s in suggestions if s in LEVELS), *(lv for lv in LEVELS if lv not in suggestions)]
    return list(suggestions)


def survey_page(label: str, data: bytes, form: Any | None = None) -> Any:
    """The mapping page for one survey export (``form``: the page's own form, posted back)."""
    limit = int(float(current_app.config["GRAPHAPP_MAX_UPLOAD_MB"]) * 2**20)
    action = (form.get("action") if form else None) or "preview"
    store = get_store()
    context: dict[str, Any] = {"label": label, "token": carry(label, data), "saved": store.read(mappings)}
    with tempfile.TemporaryDirectory(prefix="graphapp-survey-") as folder:
        suffix = PurePath(label).suffix.lower()
        path = Path(folder) / f"survey{suffix}"  # our name, never the user's
        path.write_bytes(data)
        labels = {path.name: label}
        try:
            header = form.get("header_row", "") if form else ""
            survey = read_survey(path, int(header) if header.isdigit() else None, max_bytes=limit)
            if form is None:
                vocabulary = store.read(topic_names)
                mapping = guess_mapping(survey, PurePath(label).stem, vocabulary)
            elif action == "load":
                found = store.read(saved_mapping, form.get("saved_name") or "")
                mapping = found or _mapping_from_form(form, survey)
                if found and found.header_row and found.header_row != survey.header_row:
                    survey = read_survey(path, found.header_row, max_bytes=limit)
            else:
                mapping = _mapping_from_form(form, survey)
        except ImportRejected as e:
            context["problems"] = [shown_problem(p, labels) for p in e.problems]
            return render_template("pages/import_mapping.html", **context), 400
        confirm = set(form.getlist("confirm")) if form else set()
        context["confirmed"] = confirm
        context.update(survey=survey, mapping=mapping, fields=FIELD_WORDS, kinds=KIND_WORDS, levels=LEVELS)
        context["columns"] = [
            {"question": q, "samples": survey.samples(q), "column": mapping.column(q) or Column(q)}
            for q in survey.questions
        ]
        context["topics"] = store.read(topic_names)
        if action == "save":
            store.write(save_mapping, mapping)
            context["saved"] = store.read(mappings)
            context["saved_now"] = mapping.name
        write = action == "import"

        def run(tx: Tx) -> Any:
            done = plan_survey(tx, survey, mapping, confirm)
            if write:
                apply_plan(tx, done.plan)
            return done

        try:
            done = store.write(run) if write else store.read(run)
        except SurveyRejected as e:
            context.update(_rejected(e, labels))
            return render_template("pages/import_mapping.html", **context), 400
        except ImportRejected as e:
            context["problems"] = [shown_problem(p, labels) for p in e.problems]
            return render_template("pages/import_mapping.html", **context), 400
    counts = done.plan.counts()
    context.update(
        preview=_preview(done.mapped),
        matches=done.mapped.matches,
        imported=write,
        counts=counts,
        new_organisations=[str(o["name"]) for o in done.plan.create_nodes.get("Organisation", [])],
        new_topics=[str(t["name"]) for t in done.plan.create_nodes.get("Topic", [])],
        plan=plan_view(done.plan, labels),
        dry_run=not write,
        nothing=done.plan.is_empty(),
    )
    return render_template("pages/import_mapping.html", **context)


def _rejected(e: SurveyRejected, labels: dict[str, str]) -> dict[str, Any]:
    mapped = e.mapped
    unmapped = mapped.unmapped if mapped else []
    return {
        "problems": [shown_problem(p, labels) for p in e.problems],
        "rejected": True,
        "preview": _preview(mapped) if mapped else [],
        "matches": mapped.matches if mapped else [],
        "unmapped": [
            {
                "kind": u.kind,
                "value": u.value,
                "rows": ", ".join(row.split()[-1] for row, _q in u.where[:8])
                + ("…" if len(u.where) > 8 else ""),
                "choices": _choices(u.kind, u.suggestions),
                "new": u.kind in ("organisations", "topics"),
            }
            for u in unmapped
        ],
    }


@bp.post("/import/survey")
def import_survey_page() -> Any:
    """The mapping page's own form, posted back: preview, load or save a mapping, or import."""
    found = carried(request.form.get("survey", ""))
    if found is None:
        return render_template(
            "pages/import_mapping.html",
            problems=[_("The survey file is no longer held (after an hour it is dropped): upload it again.")],
            label="",
        ), 400
    label, data = found
    return survey_page(label, data, request.form)


def is_survey_upload(path: Path) -> bool:
    """Whether an uploaded file is a survey tool's export rather than graphapp's own format."""
    from graphapp.ingest.survey import is_graphapp_file

    return not is_graphapp_file(path)


__all__ = ["carried", "carry", "import_survey_page", "is_survey_upload", "survey_page", "NEW"]

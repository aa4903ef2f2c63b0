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
    plan_survey,
    read_mapping,
    save_mapping,
    saved_mapping,
)
from graphapp.ingest.plan import apply_plan
from graphapp.ingest.problems import ImportRejected, Problem
from graphapp.ingest.survey import Survey, read_survey
from graphapp.pages import bp
from graphapp.queries.cypher import Tx
from graphapp.queries.schema import LEVELS
from graphapp.queries.surveys import mappings, topic_names
from graphapp.uploads import plan_view, said, shown_problem

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


#: The most answers the "What answers mean" table may post back (a tampered count is capped to it).
MAX_VALUES = 2000
#: Room the mapping page's other fields take beside the carried file, in a posted form (bytes).
FORM_ROOM = 256 * 1024


def _number(text: Any, most: int) -> int | None:
    """A whole number typed or posted in a field (ASCII digits only, at most ``most``), or None."""
    text = str(text or "").strip()
    if not text or len(text) > 9 or not (text.isascii() and text.isdigit()):
        return None
    return min(int(text), most)


def _mapping_from_form(form: Any, survey: Survey) -> tuple[Mapping, list[Problem]]:
    """The mapping the form describes (each question's choices, found by the question's text, and the
    answers' meanings), read leniently: every choice kept, with every problem it has."""
    chosen: dict[str, int] = {}
    for key in form:
        if key.startswith("question-") and (i := _number(key.removeprefix("question-"), 10**6)) is not None:
            chosen.setdefault(" ".join(str(form.get(key)).split()), i)
    columns = []
    for question in survey.questions:
        i = chosen.get(" ".join(question.split()))
        column = Column(question)
        if i is not None:
            what = form.get(f"field-{i}", IGNORE)
            column.field = what if what in FIELDS else IGNORE
            if column.field in ("topics", "other_topics", "workstreams", "contacts"):
                column.separator = form.get(f"separator-{i}") or None
            if column.field in ("topics", "other_topics"):
                column.level = form.get(f"level-{i}") if form.get(f"level-{i}") in LEVELS else None
            if column.field == "topic_level":
                column.topic = (form.get(f"topic-{i}") or "").strip() or None
        columns.append(column)
    values: dict[str, dict[str, str]] = {k: {} for k in VALUE_KINDS}
    for j in range(_number(form.get("values_count"), MAX_VALUES) or 0):
        kind, answer = form.get(f"kind-{j}"), form.get(f"answer-{j}")
        meant = (form.get(f"other-{j}") or "").strip() or (form.get(f"meant-{j}") or "").strip()
        if kind in values and answer and meant:
            values[kind][answer] = meant
    data = {
        "name": (form.get("mapping_name") or "").strip() or PurePath(survey.file).stem,
        "header_row": survey.header_row,
        "columns": [c.as_json() for c in columns],
        "values": values,
    }
    return read_mapping(data, str(_("the mapping")))


def _shown(p: Problem, labels: dict[str, str]) -> str:
    """A problem in the reader's words; one about a question of the mapping (no row) names the question."""
    if p.column and not p.row and p.column not in ("name", "header_row", "columns", "values"):
        where = {"file": labels.get(p.file, p.file), "question": p.column, "value": p.quoted_value()}
        why = said(p.reason, labels, on_page=True)
        if where["value"]:
            return str(_("%(file)s, question '%(question)s': %(value)s %(reason)s", reason=why, **where))
        return str(_("%(file)s, question '%(question)s': %(reason)s", reason=why, **where))
    return shown_problem(p, labels)


def _beside(problems: list[Problem], labels: dict[str, str]) -> dict[str, list[str]]:
    """The problems to show beside each question (the first few of each), without the question again."""
    out: dict[str, list[str]] = {}
    for p in problems:
        if p.column:
            shown = _shown(Problem(p.file, p.row, "", p.value, p.reason, p.suggestions), labels)
            if not p.row:
                why = said(p.reason, labels, on_page=True)
                shown = f"{p.quoted_value()} {why}" if p.value else why
            out.setdefault(" ".join(p.column.split()), []).append(shown)
    return {q: shown[:3] for q, shown in out.items()}


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
    """The mapping page for one survey export (``form``: the page's own form, posted back). The form is
    always shown again as it was filled in, with each problem beside its question."""
    limit = int(float(current_app.config["GRAPHAPP_MAX_UPLOAD_MB"]) * 2**20)
    action = (form.get("action") if form else None) or "preview"
    store = get_store()
    token = carry(label, data)
    room = int(current_app.config["MAX_FORM_MEMORY_SIZE"]) - FORM_ROOM
    if len(token) > room:
        # (the page carries the file in its form, which grows it: one this large could not come back)
        most = f"{max(room, 0) * len(data) / len(token) / 2**20:.1f}"
        size = f"{len(data) / 2**20:.1f}"
        return render_template(
            "pages/import_mapping.html",
            label="",
            problems=[
                _(
                    "%(file)s is too large to be mapped on this page: it is %(size)s MiB, and a survey "
                    "export can be at most %(limit)s MiB here. Remove the questions that are not needed, "
                    "or split the answers into several files.",
                    file=label,
                    size=size,
                    limit=most,
                )
            ],
        ), 413
    context: dict[str, Any] = {"label": label, "token": token, "saved": store.read(mappings)}
    with tempfile.TemporaryDirectory(prefix="graphapp-survey-") as folder:
        suffix = PurePath(label).suffix.lower()
        path = Path(folder) / f"survey{suffix}"  # our name, never the user's
        path.write_bytes(data)
        labels = {path.name: label}
        notices: list[str] = []
        form_problems: list[Problem] = []
        try:
            shown = _number(form.get("header_shown"), 10**6) if form else None
            asked = _number(form.get("header_row"), 10**6) if form else None
            try:
                survey = read_survey(path, asked or shown, max_bytes=limit)
            except ImportRejected as e:
                if form is None or not (asked or shown):
                    raise
                # (a row that holds no questions: say so beside the field, and keep the questions shown)
                form_problems += e.problems
                survey = read_survey(path, shown, max_bytes=limit)
                asked = shown
            fresh = form is None or (asked is not None and shown is not None and asked != shown)
            if form is None or fresh:
                vocabulary = store.read(topic_names)
                mapping = guess_mapping(survey, PurePath(label).stem, vocabulary)
                if form is not None:
                    mapping.name = (form.get("mapping_name") or "").strip() or mapping.name
                    notices.append(
                        _(
                            "The questions changed: they are now read from row %(row)s, and what each "
                            "one is was guessed afresh. Check each of them before you import.",
                            row=survey.header_row,
                        )
                    )
            elif action == "load":
                found = store.read(saved_mapping, form.get("saved_name") or "")
                if found is None:
                    mapping, problems = _mapping_from_form(form, survey)
                    form_problems += problems
                else:
                    mapping = found
                    if found.header_row and found.header_row != survey.header_row:
                        survey = read_survey(path, found.header_row, max_bytes=limit)
            else:
                mapping, problems = _mapping_from_form(form, survey)
                form_problems += problems
        except ImportRejected as e:
            context["problems"] = [_shown(p, labels) for p in e.problems]
            return render_template("pages/import_mapping.html", **context), 400
        confirm = set(form.getlist("confirm")) if form else set()
        context["confirmed"] = confirm
        context["notices"] = notices
        context.update(survey=survey, mapping=mapping, fields=FIELD_WORDS, kinds=KIND_WORDS, levels=LEVELS)
        context["columns"] = [
            {"question": q, "samples": survey.samples(q), "column": mapping.column(q) or Column(q)}
            for q in survey.questions
        ]
        context["topics"] = store.read(topic_names)
        context["header_problems"] = [
            _shown(p, labels) for p in form_problems if p.column in ("", "header_row") and p.row
        ]
        if action == "save" and not form_problems:
            store.write(save_mapping, mapping)
            context["saved"] = store.read(mappings)
            context["saved_now"] = mapping.name
        # (a mapping with problems is never imported, but its dry run still shows what it reads)
        write = action == "import" and not fresh and not form_problems

        def run(tx: Tx) -> Any:
            done = plan_survey(tx, survey, mapping, confirm)
            if write:
                apply_plan(tx, done.plan)
            return done

        try:
            done = store.write(run) if write else store.read(run)
        except SurveyRejected as e:
            context.update(_rejected(e, labels, form_problems))
            return render_template("pages/import_mapping.html", **context), 400
        except ImportRejected as e:
            every = form_problems + e.problems
            context["problems"] = [_shown(p, labels) for p in every]
            context["beside"] = _beside(every, labels)
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
    if form_problems:
        context.update(
            problems=[_shown(p, labels) for p in form_problems],
            beside=_beside(form_problems, labels),
            rejected=True,
        )
        return render_template("pages/import_mapping.html", **context), 400
    return render_template("pages/import_mapping.html", **context)


def _rejected(e: SurveyRejected, labels: dict[str, str], first: list[Problem]) -> dict[str, Any]:
    mapped = e.mapped
    unmapped = mapped.unmapped if mapped else []
    return {
        "problems": [_shown(p, labels) for p in first + e.problems],
        "beside": _beside(first + e.problems, labels),
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

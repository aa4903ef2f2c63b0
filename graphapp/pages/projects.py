"""Projects (issue 14 §1): the list (filtered by stage, topic, organisation, workstream), a project's page
(its journey stage by stage, its people with their roles, topics, workstream, domain and links), the form
to add or change one, and deleting one with a confirmation. Members and up read them; any member with a
profile adds one, the project's members and coordinators change or delete it.

The actions are :mod:`graphapp.projects`; the statements :mod:`graphapp.queries.projects`. The section of
the member, organisation and topic pages is :func:`projects_section` (``templates/pages/_projects.html``).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from graphapp.auth import Viewer, current_viewer
from graphapp.db import get_store
from graphapp.i18n import _, _l, word
from graphapp.ingest.gsbpm import SUB_PROCESSES, domain_name
from graphapp.introductions import Refused
from graphapp.pages import bp
from graphapp.params import project_filter
from graphapp.privacy import redact_person
from graphapp.projects import (
    LIMITS,
    ProjectRejected,
    add_project,
    change_project,
    editable,
    remove_project,
    safe_link,
)
from graphapp.proposals import UnknownTopic, find_topic, vocabulary
from graphapp.queries.cypher import Tx
from graphapp.queries.projects import project as read_project
from graphapp.queries.projects import projects_of
from graphapp.queries.schema import ALL_NODES, STAGES

__all__ = [
    "by_stage",
    "project_page",
    "project_view",
    "projects_page",
    "projects_section",
    "stage_counts",
]


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def stage_counts(projects: list[dict[str, Any]]) -> str:
    """How many projects are at each stage, in words (the reader's language), in the journey's order.

    >>> stage_counts([{"stage": "production"}, {"stage": "demonstration"}, {"stage": "demonstration"}])
    '2 in demonstration, 1 in production'
    """
    counted = Counter(p["stage"] for p in projects)
    return ", ".join(
        _("%(num)s in %(stage)s", num=counted[s], stage=word(s, "stage")) for s in STAGES if counted[s]
    )


def by_stage(projects: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The projects grouped by stage, furthest first (stages without projects left out)."""
    return [
        (s, [p for p in projects if p["stage"] == s])
        for s in reversed(STAGES)
        if any(p["stage"] == s for p in projects)
    ]


def projects_section(tx: Tx, of: str, value: str) -> dict[str, Any]:
    """The projects shown on a member's, an organisation's or a topic's page (``of`` "member",
    "organisation" or "topic"; ``value`` its id), for ``templates/pages/_projects.html``: the projects
    (members by name and role only: no emails), how many at each stage in words, and the projects by
    stage, furthest first."""
    found = projects_of(tx, **{of: value})
    for p in found:
        p["members"] = [{"id": m["id"], "name": m["name"], "role": m["role"]} for m in p["members"]]
    return {
        "items": found,
        "of": of,
        "subject": value,
        "counts": stage_counts(found),
        "by_stage": by_stage(found),
    }


def may_add(viewer: Viewer) -> bool:
    """Whether this viewer may add a project: a member with a profile, or a coordinator."""
    return bool(viewer.member) or viewer.at_least("coordinator")


def may_change(viewer: Viewer, p: dict[str, Any]) -> bool:
    """Whether this viewer may change or delete project ``p``: its members, and coordinators."""
    return viewer.at_least("coordinator") or viewer.member in {m["id"] for m in p["members"]}


def redacted(p: dict[str, Any], viewer: Viewer) -> dict[str, Any]:
    """A project with each member's email only where they allow this viewer to see it."""
    return {**p, "members": [redact_person(m, viewer) for m in p["members"]]}


def field_names() -> dict[str, str]:
    """The form's fields as a person reads them, for the list of problems (in the reader's language)."""
    names = {
        "title": _("Project title"),
        "description": _("Description"),
        "organisation": _("Organisation"),
        "topics": _("Topics"),
        "workstream": _("Workstream"),
        "domain": _("GSBPM process"),
        "stage": _("Stage"),
        "report": _("Report"),
        "code": _("Code"),
        "members": _("People"),
        "role": _("Your role"),
    }
    for s in STAGES:
        names[f"days.{s}"] = _("day reached: %(stage)s", stage=word(s, "stage"))
    return names


# --- What the pages read ---------------------------------------------------------------------------------


def _choices(tx: Tx) -> dict[str, Any]:
    """What the filters and the form pick from: organisations, workstreams and topics in use, by name."""
    organisations = sorted(
        ({"id": o["id"], "name": o["name"] or o["id"]} for o in ALL_NODES["Organisation"].run(tx)),
        key=lambda o: (o["name"].casefold(), o["id"]),
    )
    workstreams = sorted(
        ({"id": w["id"], "name": w["name"] or ""} for w in ALL_NODES["Workstream"].run(tx)),
        key=lambda w: w["id"],
    )
    topics = [{"id": t["id"], "name": t["name"] or t["id"]} for t in vocabulary(tx).in_use()]
    return {"organisations": organisations, "workstreams": workstreams, "topic_choices": topics}


def projects_page(tx: Tx, filters: dict[str, str]) -> dict[str, Any]:
    """Every project that passes the filters (a topic named by id, name or alias: raises
    :class:`~graphapp.proposals.UnknownTopic`), and what the filters pick from."""
    topic = find_topic(tx, filters["topic"]) if filters.get("topic") else None
    found = projects_of(
        tx,
        topic=topic,
        organisation=filters.get("organisation") or None,
        workstream=filters.get("workstream") or None,
        stage=filters.get("stage") or None,
    )
    return {"projects": found, "topic": topic, **_choices(tx)}


def project_view(tx: Tx, pid: str) -> dict[str, Any] | None:
    """One project, whole (None: there is none)."""
    return read_project(tx, pid)


def project_page(tx: Tx, pid: str | None) -> dict[str, Any]:
    """The form: the project as it is (None for a new one), and what it picks from."""
    return {"project": read_project(tx, pid) if pid else None, **_choices(tx)}


# --- The pages -------------------------------------------------------------------------------------------


@bp.get("/projects")
def projects() -> str:
    filters = project_filter(request.args)
    try:
        shown = get_store().read(projects_page, filters)
    except UnknownTopic as e:
        abort(404, e.words)
    viewer = current_viewer()
    return render_template(
        "pages/projects.html",
        **shown,
        filters=filters,
        stages=STAGES,
        may_add=may_add(viewer),
        counts=stage_counts(shown["projects"]),
    )


@bp.get("/projects/<project>")
def project(project: str) -> str:
    found = get_store().read(project_view, project)
    if found is None:
        abort(404, _("There is no project with the id %(id)s.", id=repr(project)))
    viewer = current_viewer()
    return render_template(
        "pages/project.html",
        project=redacted(found, viewer),
        stages=STAGES,
        domain=domain_name(found["domain"], _) if found["domain"] else "",
        links=[
            (str(label), found[k])
            for k, label in (("report", _l("Report")), ("code", _l("Code")))
            if safe_link(found[k])
        ],
        may_change=may_change(viewer, found),
    )


def _form_values() -> dict[str, Any]:
    """What the form sent, as the actions take it and as the form shows it again."""
    form = request.form
    ids, roles, names = form.getlist("member"), form.getlist("role"), form.getlist("member_name")
    removed = set(form.getlist("remove"))
    rows = [
        {
            "member": m,
            "role": (roles[i] if i < len(roles) else ""),
            "name": (names[i] if i < len(names) else m),
            "removed": m in removed,
        }
        for i, m in enumerate(ids)
    ]
    return {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "organisation": form.get("organisation", ""),
        "workstream": form.get("workstream", ""),
        "domain": form.get("domain", ""),
        "stage": form.get("stage", ""),
        "days": {s: form.get(f"day_{s}", "") for s in STAGES},
        "report": form.get("report", ""),
        "code": form.get("code", ""),
        "topics": form.get("topics", ""),
        "rows": rows,
        "add_member": form.get("add_member", ""),
        "add_role": form.get("add_role", ""),
        "your_role": form.get("your_role", ""),
    }


def _as_values(typed: dict[str, Any]) -> dict[str, Any]:
    members = [{"member": r["member"], "role": r["role"]} for r in typed["rows"] if not r["removed"]]
    if typed["add_member"].strip():
        members.append({"member": typed["add_member"], "role": typed["add_role"]})
    return {**typed, "topics": typed["topics"].split(";"), "members": members}


def _typed_of(p: dict[str, Any]) -> dict[str, Any]:
    """A project as its form shows it."""
    values = editable(p)
    return {
        **values,
        "topics": "; ".join(values["topics"]),
        "rows": [
            {"member": m["id"], "role": m["role"], "name": m["name"], "removed": False} for m in p["members"]
        ],
        "add_member": "",
        "add_role": "",
        "your_role": "",
    }


def _render_form(shown: dict[str, Any], typed: dict[str, Any], problems: dict[str, str] | None = None) -> str:
    return render_template(
        "pages/project_form.html",
        **shown,
        typed=typed,
        problems=problems or {},
        stages=STAGES,
        domains=SUB_PROCESSES,
        domain_name=lambda code: domain_name(code, _),
        field_names=field_names(),
        limits=LIMITS,
        viewer_is_member=bool(current_viewer().member),
    )


@bp.route("/projects/new", methods=["GET", "POST"])
def new_project() -> Any:
    viewer = current_viewer()
    if not may_add(viewer):
        abort(
            403,
            _(
                "Adding a project needs an account tied to a member of the network"
                " (a coordinator can add it for you)."
            ),
        )
    store = get_store()
    if request.method == "GET":
        blank = {**_typed_of({"members": [], "stage": STAGES[0]}), "days": {s: "" for s in STAGES}}
        return _render_form(store.read(project_page, None), blank)
    typed = _form_values()
    try:
        done = store.write(
            add_project,
            _as_values(typed),
            viewer.member,
            viewer.at_least("coordinator"),
            today(),
            typed["your_role"],
            viewer.sees_email_of,
        )
    except ProjectRejected as e:
        return _render_form(store.read(project_page, None), typed, e.problems), 400
    except Refused as e:
        abort(e.status, e.words)
    flash(_("The project is added."))
    return redirect(url_for("pages.project", project=done["id"]))


@bp.route("/projects/<project_id>/edit", methods=["GET", "POST"])
def edit_project(project_id: str) -> Any:
    viewer = current_viewer()
    store = get_store()
    if request.method == "GET":
        shown = store.read(project_page, project_id)
        _may_open(viewer, shown["project"], project_id, "change")
        return _render_form(shown, _typed_of(shown["project"]))
    typed = _form_values()
    try:  # (one transaction: who may, the checks and the write)
        store.write(
            change_project,
            project_id,
            _as_values(typed),
            viewer.member,
            viewer.at_least("coordinator"),
            today(),
            viewer.sees_email_of,
        )
    except ProjectRejected as e:
        return _render_form(store.read(project_page, project_id), typed, e.problems), 400
    except Refused as e:
        abort(e.status, e.words)
    flash(_("The project is saved."))
    return redirect(url_for("pages.project", project=project_id))


def _may_open(viewer: Viewer, found: dict[str, Any] | None, project_id: str, what: str) -> None:
    """403 unless the viewer may change the project (its members, coordinators); then 404 if it is not
    there (a member is told no more than that they may not)."""
    if not (viewer.at_least("coordinator") or (found and may_change(viewer, found))):
        abort(
            403,
            _("Only the project's members and coordinators can change it.")
            if what == "change"
            else _("Only the project's members and coordinators can delete it."),
        )
    if found is None:
        abort(404, _("There is no project with the id %(id)s.", id=repr(project_id)))


@bp.route("/projects/<project_id>/delete", methods=["GET", "POST"])
def delete_project(project_id: str) -> Any:
    viewer = current_viewer()
    store = get_store()
    if request.method == "GET" or request.form.get("confirm") != "yes":
        found = store.read(project_view, project_id)
        _may_open(viewer, found, project_id, "delete")
        if request.method == "GET":
            return render_template("pages/project_delete.html", project=found)
        return render_template(
            "pages/project_delete.html", project=found, problem=_("Tick the box to confirm, or go back.")
        ), 400
    try:
        gone = store.write(remove_project, project_id, viewer.member, viewer.at_least("coordinator"))
    except Refused as e:
        abort(e.status, e.words)
    flash(_("The project ‘%(title)s’ is deleted; the history keeps what it was.", title=gone["title"]))
    return redirect(url_for("pages.projects"))

"""Shared resources (issue 14 §4): every resource, filtered by topic, kind, language and workstream; the form
to share one (members with a profile, and coordinators); editing and removing one (the member who shared it,
and coordinators). The actions are :mod:`graphapp.library`; a topic's resources beside its people are
``templates/pages/_topic_resources.html``, fed by :func:`topic_resources`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from graphapp.accounts import now_iso
from graphapp.auth import Viewer, current_viewer
from graphapp.db import get_store
from graphapp.i18n import _, current_language, sorted_by_name
from graphapp.introductions import Refused
from graphapp.library import (
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    URL_LIMIT,
    NotYours,
    add_resource,
    edit_resource,
    language_name,
    languages,
    may_change,
    remove_resource,
)
from graphapp.pages import bp
from graphapp.params import (
    BadRequest,
    ResourceBody,
    ResourceChangeBody,
    ResourceFilterArgs,
    load,
    load_body,
)
from graphapp.proposals import UnknownTopic, find_topic
from graphapp.queries.cypher import Tx
from graphapp.queries.library import resource_by_id, resources_of
from graphapp.queries.members import node, workstream_list
from graphapp.queries.schema import RESOURCE_KINDS

__all__ = ["may_share", "member_resources", "resources_page", "topic_resources", "worded"]


# --- What the pages read --------------------------------------------------------------------------------


def may_share(viewer: Viewer, has_profile: bool) -> bool:
    """Whether the viewer may share a resource: a member with a profile, or a coordinator."""
    return viewer.at_least("coordinator") or (viewer.at_least("member") and has_profile)


def worded(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The resources with their language by name in the reader's language (Babel), as the pages show it."""
    reader = current_language()
    return [{**r, "language_name": language_name(r["language"], reader)} for r in resources]


def member_resources(tx: Tx, member: str, viewer: Viewer) -> list[dict[str, Any]]:
    """What a member shared, newest first, for the "Shared" list of their page (members and up)."""
    return worded(resources_of(tx, member=member)) if viewer.at_least("member") else []


def _has_profile(tx: Tx, viewer: Viewer) -> bool:
    return bool(viewer.member) and node(tx, "Member", viewer.member or "") is not None


def topic_resources(tx: Tx, topic: str, viewer: Viewer) -> dict[str, Any] | None:
    """A topic's resources by kind, newest first, and whether the viewer may share one (for members and
    up: None for a visitor, as ``/resources`` is for members)."""
    if not viewer.at_least("member"):
        return None
    found = worded(resources_of(tx, topic=topic))
    return {
        "by_kind": [(k, [r for r in found if r["kind"] == k]) for k in RESOURCE_KINDS],
        "count": len(found),
        "may_share": may_share(viewer, _has_profile(tx, viewer)),
    }


def resources_page(tx: Tx, filters: dict[str, str], viewer: Viewer) -> dict[str, Any]:
    """The resources the filters find (a topic named by id, name or alias), the topics and workstreams to
    filter by, and whether the viewer may share one. Raises :class:`UnknownTopic`."""
    topic = find_topic(tx, filters["topic"]) if filters["topic"] else ""
    found = resources_of(
        tx,
        topic=topic or None,
        workstream=filters["workstream"] or None,
        kind=filters["kind"] or None,
        language=filters["language"] or None,
    )
    every = resources_of(tx)
    return {
        "resources": worded(found),
        "topic": node(tx, "Topic", topic) if topic else None,
        "topics": sorted(
            {t["id"]: t for r in every for t in r["topics"]}.values(), key=lambda t: t["name"].casefold()
        ),
        "workstreams": workstream_list(tx),
        "held_languages": sorted_by_name(
            {r["language"] for r in every}, lambda c: language_name(c, current_language())
        ),
        "may_share": may_share(viewer, _has_profile(tx, viewer)),
        "total": len(every),
    }


def _form_page(tx: Tx, viewer: Viewer, resource: str | None) -> dict[str, Any]:
    """What the form shows besides what was typed: the workstreams, the topics to pick from, whether the
    viewer has a profile, and the resource edited (None: not there)."""
    from graphapp.proposals import vocabulary

    return {
        "workstreams": workstream_list(tx),
        "topic_names": [t["name"] or t["id"] for t in vocabulary(tx).in_use()],
        "has_profile": _has_profile(tx, viewer),
        "resource": resource_by_id(tx, resource) if resource else None,
    }


# --- Pages ----------------------------------------------------------------------------------------------


@bp.get("/resources")
def resources() -> str:
    viewer = current_viewer()
    filters = load(ResourceFilterArgs, request.args)
    try:
        shown = get_store().read(resources_page, filters, viewer)
    except UnknownTopic as e:
        abort(404, e.words)
    return render_template(
        "pages/resources.html",
        **shown,
        filters=filters,
        kinds=RESOURCE_KINDS,
        languages=languages(current_language()),
        language_name=lambda code: language_name(code, current_language()),
        may_change=lambda r: may_change(r, viewer.member, viewer.at_least("coordinator")),
    )


def _typed() -> dict[str, Any]:
    """The form as typed (kept when it is refused); topics split at semicolons and commas."""
    form = request.form
    return {
        "title": form.get("title", "").strip(),
        "url": form.get("url", "").strip(),
        "kind": form.get("kind", ""),
        "language": form.get("language", ""),
        "topics": form.get("topics", ""),
        "workstream": form.get("workstream", ""),
        "description": form.get("description", "").strip(),
    }


def _body(typed: dict[str, Any]) -> dict[str, Any]:
    topics = [t.strip() for t in typed["topics"].replace(",", ";").split(";") if t.strip()]
    return {**typed, "topics": topics}


def _render_form(
    shown: dict[str, Any], form: dict[str, Any], problem: str | None = None, held: str | None = None
) -> str:
    return render_template(
        "pages/resource_form.html",
        **shown,
        form=form,
        problem=problem,
        held=held,
        kinds=RESOURCE_KINDS,
        languages=languages(current_language()),
        limits={"title": TITLE_LIMIT, "url": URL_LIMIT, "description": DESCRIPTION_LIMIT},
    )


def _refused(e: Exception) -> tuple[int, str, str | None]:
    """A refusal's status (a page answers 400 for a topic or workstream it does not know), words, and the
    resource that holds a link already."""
    if isinstance(e, Refused):
        return (400 if e.status == 404 else e.status), e.words, getattr(e, "held", None)
    return 400, str(e), None


def _denied(viewer: Viewer, shown: dict[str, Any]) -> None:
    if not may_share(viewer, shown["has_profile"]):
        abort(403, _("Sharing a resource needs a profile in the network, and your account is tied to none."))


@bp.get("/resources/new")
def new_resource() -> str:
    viewer = current_viewer()
    shown = get_store().read(_form_page, viewer, None)
    _denied(viewer, shown)
    topic = request.args.get("topic", "").strip()
    form = {
        "title": "",
        "url": "",
        "kind": "",
        "language": "en",
        "topics": "",
        "workstream": "",
        "description": "",
    }
    if topic:  # ("Share a resource" on a topic's page: that topic, by name)
        named = [n for n in shown["topic_names"] if n.casefold() == topic.casefold()]
        form["topics"] = named[0] if named else topic
    return _render_form(shown, form)


@bp.post("/resources/new")
def share_resource() -> Any:
    viewer = current_viewer()
    typed = _typed()
    try:
        body = load_body(ResourceBody, _body(typed))
        done = get_store().write(
            add_resource, viewer.member, viewer.at_least("coordinator"), body, now_iso()[:10]
        )
    except (Refused, BadRequest) as e:
        if isinstance(e, NotYours):
            abort(e.status, e.words)
        status, message, held = _refused(e)
        shown = get_store().read(_form_page, viewer, None)
        _denied(viewer, shown)  # (a form from someone who may not share: 403 whatever it holds)
        return _render_form(shown, typed, message, held), status
    flash(_("Shared: %(title)s.", title=done["title"]))
    return redirect(url_for("pages.resources") + f"#resource-{done['id']}")


def _editable(viewer: Viewer, resource: str) -> dict[str, Any]:
    shown = get_store().read(_form_page, viewer, resource)
    found = shown["resource"]
    if found is None:
        abort(404, _("There is no resource with the id %(id)s.", id=repr(resource)))
    if not may_change(found, viewer.member, viewer.at_least("coordinator")):
        abort(403, _("Only the member who shared this resource, and coordinators, may change it."))
    return shown


@bp.get("/resources/<resource>/edit")
def edit_resource_page(resource: str) -> str:
    viewer = current_viewer()
    shown = _editable(viewer, resource)
    r = shown["resource"]
    form = {
        **{k: r[k] for k in ("title", "url", "kind", "language", "description")},
        "topics": "; ".join(t["name"] for t in r["topics"]),
        "workstream": r["workstream"]["id"] if r["workstream"] else "",
    }
    return _render_form(shown, form)


@bp.post("/resources/<resource>/edit")
def save_resource(resource: str) -> Any:
    viewer = current_viewer()
    typed = _typed()
    try:
        body = load_body(ResourceChangeBody, _body(typed))
        done = get_store().write(edit_resource, viewer.member, viewer.at_least("coordinator"), resource, body)
    except (Refused, BadRequest) as e:
        if isinstance(e, NotYours):
            abort(e.status, e.words)
        status, message, held = _refused(e)
        shown = _editable(viewer, resource)
        return _render_form(shown, typed, message, held), status
    flash(_("Saved: %(title)s.", title=done["title"]))
    return redirect(url_for("pages.resources") + f"#resource-{done['id']}")


@bp.post("/resources/<resource>/remove")
def remove_resource_page(resource: str) -> Response:
    viewer = current_viewer()
    try:
        done = get_store().write(remove_resource, viewer.member, viewer.at_least("coordinator"), resource)
    except Refused as e:
        abort(e.status, e.words)
    flash(_("Removed: %(title)s.", title=done["title"]))
    return redirect(url_for("pages.resources"))

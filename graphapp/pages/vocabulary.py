"""The coordinators' pages that keep the vocabulary: every topic (or organisation) with its aliases,
description, holders and status, a filter, each one's edit page (rename, aliases, French and Russian
names, description, retire, merge into another), and the confirmation step of a merge, which says what will move.

The actions are :mod:`graphapp.vocabulary`'s, each one write transaction recorded in the history.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from graphapp import vocabulary
from graphapp.db import get_store
from graphapp.i18n import _, _l
from graphapp.ingest.plan import name_key
from graphapp.introductions import Refused
from graphapp.pages import bp
from graphapp.queries import vocabulary as q
from graphapp.queries.cypher import Tx
from graphapp.queries.schema import LEVELS
from graphapp.taxonomy import place_of_topic

__all__ = ["vocabulary_item_page", "vocabulary_page"]

#: Each vocabulary's words (lazy: in the reader's language), the page of one and its argument.
WORDS: dict[str, dict[str, Any]] = {
    "topic": {
        "manage": _l("Manage topics"),
        "one": _l("Topic"),
        "no_match": _l("No topic matches this filter."),
        "its_page": _l("The topic's page"),
        "merge_into": _l("Merge into another topic"),
        "page": "pages.topic",
        "arg": "topic",
    },
    "organisation": {
        "manage": _l("Manage organisations"),
        "one": _l("Organisation"),
        "no_match": _l("No organisation matches this filter."),
        "its_page": _l("The organisation's page"),
        "merge_into": _l("Merge into another organisation"),
        "page": "pages.organisation",
        "arg": "organisation",
    },
}
STATUSES = {"": _l("all"), "in-use": _l("in use"), "retired": _l("retired")}


def _matches(item: dict[str, Any], text: str) -> bool:
    """Whether the filter's text is in the name, an alias, the id or the description (as names match)."""
    key = name_key(text)
    spellings = [item["name"], item["id"].replace("-", " "), *item["aliases"], item.get("description") or ""]
    return any(key in name_key(s) for s in spellings)


def vocabulary_page(tx: Tx, what: str, text: str = "", status: str = "") -> dict[str, Any]:
    """Every topic (or organisation) that passes the filter, by name, and how many there are in all."""
    items = q.topic_vocabulary(tx) if what == "topic" else q.organisation_vocabulary(tx)
    shown = [
        i
        for i in items
        if (not text or _matches(i, text))
        and (not status or (i.get("status") == q.RETIRED) == (status == "retired"))
    ]
    return {"items": shown, "total": len(items)}


def vocabulary_item_page(tx: Tx, what: str, node_id: str) -> dict[str, Any] | None:
    """One topic (or organisation) with its aliases, description, holders and status, and the names of the
    others (to merge into, picked by name); None if there is no such one."""
    items = q.topic_vocabulary(tx) if what == "topic" else q.organisation_vocabulary(tx)
    found = next((i for i in items if i["id"] == node_id), None)
    if found is None:
        return None
    others = [i["name"] for i in items if i["id"] != node_id and i.get("status") != q.RETIRED]
    places = place_of_topic(tx, node_id) if what == "topic" else []  # (the competence areas it sits in)
    return {"item": found, "others": others, "places": places}


def _list(what: str) -> str:
    text = (request.args.get("q") or "").strip()[:200]
    status = request.args.get("status") or ""
    if status not in STATUSES or what != "topic":
        status = ""
    shown = get_store().read(vocabulary_page, what, text, status)
    return render_template(
        "pages/vocabulary.html",
        what=what,
        words=WORDS[what],
        levels=LEVELS,
        statuses=STATUSES,
        q=text,
        status=status,
        **shown,
    )


def _item(
    what: str, node_id: str, problem: str | None = None, form: dict[str, str] | None = None, status: int = 400
) -> Any:
    shown = get_store().read(vocabulary_item_page, what, node_id)
    if shown is None:
        abort(
            404,
            _("There is no topic with the id %(id)s.", id=repr(node_id))
            if what == "topic"
            else _("There is no organisation with the id %(id)s.", id=repr(node_id)),
        )
    page = render_template(
        "pages/vocabulary_edit.html",
        what=what,
        words=WORDS[what],
        levels=LEVELS,
        problem=problem,
        form=form or {},
        limits=vocabulary.LIMITS,
        **shown,
    )
    return page if problem is None else (page, status)


#: The form field each change reads.
FIELDS = {"rename": "name", "alias": "alias", "unalias": "alias", "describe": "description"}
DONE = {
    "rename": _l("Renamed; the old name is kept as an alias."),
    "alias": _l("Alias added."),
    "unalias": _l("Alias removed."),
    "translate": _l("French and Russian names saved."),
    "describe": _l("Description saved."),
    "retire": _l("Retired: kept with its interests, no longer offered for new ones nor reported as a gap."),
    "unretire": _l("Back in use."),
}


def _edit(what: str, node_id: str) -> Any:
    action = request.form.get("action") or ""
    if action not in vocabulary.ACTIONS or (what != "topic" and action in vocabulary.TOPIC_ONLY):
        abort(400, _("Unknown change %(action)s.", action=repr(action)))
    if action == "translate":  # (two fields, one change)
        value, value_ru = request.form.get("name_fr", ""), request.form.get("name_ru", "")
        typed = {"name_fr": value, "name_ru": value_ru}
    else:
        value, value_ru = request.form.get(FIELDS.get(action, ""), ""), ""
        typed = {action: value}
    try:
        get_store().write(vocabulary.change, what, node_id, action, value, value_ru)
    except Refused as e:
        return _item(what, node_id, e.words, typed, e.status)
    flash(str(DONE[action]))
    return redirect(url_for(f"pages.manage_{what}", node_id=node_id))


def _merge(what: str, node_id: str) -> Any:
    """GET: what merging into ``?into=`` (a name) would move, and a button to do it; POST: do it."""
    into = ((request.form if request.method == "POST" else request.args).get("into") or "").strip()
    try:
        if request.method == "GET":
            plan = get_store().read(vocabulary.plan_merge, what, node_id, into)
            return render_template("pages/vocabulary_merge.html", what=what, words=WORDS[what], plan=plan)
        plan = get_store().write(vocabulary.merge, what, node_id, into)
    except Refused as e:
        return _item(what, node_id, e.words, {"merge": into}, e.status)
    flash(_("Merged: %(summary)s.", summary=plan.summary()))
    return redirect(url_for(f"pages.manage_{what}", node_id=plan.kept["id"]))


@bp.get("/topics/manage")
def manage_topics() -> str:
    return _list("topic")


@bp.route("/topics/manage/<node_id>", methods=["GET", "POST"])
def manage_topic(node_id: str) -> Any:
    return _item("topic", node_id) if request.method == "GET" else _edit("topic", node_id)


@bp.route("/topics/manage/<node_id>/merge", methods=["GET", "POST"])
def merge_topic(node_id: str) -> Any:
    return _merge("topic", node_id)


@bp.get("/organisations/manage")
def manage_organisations() -> str:
    return _list("organisation")


@bp.route("/organisations/manage/<node_id>", methods=["GET", "POST"])
def manage_organisation(node_id: str) -> Any:
    return _item("organisation", node_id) if request.method == "GET" else _edit("organisation", node_id)


@bp.route("/organisations/manage/<node_id>/merge", methods=["GET", "POST"])
def merge_organisation(node_id: str) -> Any:
    return _merge("organisation", node_id)

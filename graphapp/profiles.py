"""Editing a profile: a member their own, a coordinator anyone's. A save is an import of one row (the
same checks, normalisation and messages as a file), and it is refused, with nothing written, when the
profile changed since the form was opened: two people editing at once never silently overwrite each
other. Opening the form reads in one transaction; a save checks and writes in one.

A topic typed that is not in the vocabulary is refused with the closest topics ("did you mean ...?", each
a button that puts it in the form) and the choice to propose it: the save then keeps the rest and files a
:mod:`topic proposal <graphapp.proposals>`, which keeps the member's interest until a coordinator decides."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from graphapp.auth import current_viewer
from graphapp.db import get_store
from graphapp.freshness import confirm_profile
from graphapp.i18n import _, _l
from graphapp.ingest import ImportRejected
from graphapp.ingest.normalise import split_list
from graphapp.ingest.plan import NOT_IN_VOCABULARY, RETIRED, apply_plan, name_key, plan_import
from graphapp.ingest.problems import Problem
from graphapp.ingest.readers import RawRow, Table
from graphapp.ingest.records import DEFAULT_LEVEL, LEVEL_SPELLINGS
from graphapp.proposals import check_proposal, propose_topic, vocabulary
from graphapp.queries.cypher import Tx
from graphapp.queries.members import hold_member, member_profile
from graphapp.queries.proposals import proposals_of
from graphapp.queries.schema import ALL_NODES
from graphapp.uploads import said

bp = Blueprint("profiles", __name__)

FIELDS = ("name", "email", "title", "organisation", "country", "topics")
FORM = "the profile form"
#: The role a member gives themselves by ticking a workstream; a lead is named by coordinators or imports,
#: and a lead who keeps the box ticked stays lead.
OWN_WORKSTREAM_ROLE = "member"


def form_values(profile: dict[str, Any]) -> dict[str, str]:
    return {
        "name": profile["name"],
        "email": profile.get("email") or "",
        "title": profile.get("title") or "",
        "organisation": profile.get("organisation") or "",
        "country": profile.get("country") or "",
        "topics": "; ".join(f"{i['name']}:{i['level']}" for i in profile["interests"]),
        "workstreams": "; ".join(f"{w['id']}:{w['role']}" for w in profile["workstreams"]),
    }


def workstream_choices(tx: Tx) -> list[dict[str, Any]]:
    """Every workstream (id and name), for the profile form's boxes."""
    return sorted(
        ({"id": w["id"], "name": w["name"]} for w in ALL_NODES["Workstream"].run(tx)), key=lambda w: w["id"]
    )


def topic_choices(tx: Tx) -> list[dict[str, Any]]:
    """The topics in use (not retired), by name: what the form offers as the topics box's completions."""
    return [{"id": t["id"], "name": t["name"] or t["id"]} for t in vocabulary(tx).in_use()]


def edit_page(tx: Tx, member: str) -> dict[str, Any] | None:
    """The profile form: the member as they are now (with their waiting topic proposals), the workstreams
    and topics to choose from (None: no member)."""
    profile = member_profile(tx, member)
    if profile is None:
        return None
    return {
        "profile": profile,
        "choices": workstream_choices(tx),
        "topics": topic_choices(tx),
        "proposals": proposals_of(tx, member),
    }


def split_topics(text: str) -> list[tuple[str, str, str]]:
    """The topics box as (item as typed, topic name, level); an item without a known level keeps the
    default (the import says what is wrong with it).

    >>> split_topics("recrd linkage:learning; NLP")
    [('recrd linkage:learning', 'recrd linkage', 'learning'), ('NLP', 'NLP', 'practising')]
    """
    out = []
    for item in split_list(text):
        name, sep, qualifier = item.rpartition(":")
        level = LEVEL_SPELLINGS.get(qualifier.strip().lower()) if sep else None
        out.append((item, name.strip(), level) if level else (item, item, DEFAULT_LEVEL))
    return out


def replace_topic(text: str, old: str, new: str) -> str:
    """The topics box with the topic ``old`` (as typed) replaced by ``new``, keeping its level.

    >>> replace_topic("recrd linkage:learning; NLP", "recrd linkage", "record linkage")
    'record linkage:learning; NLP'
    """
    items = []
    for item, name, level in split_topics(text):
        if name_key(name) == name_key(old):
            item = f"{new}:{level}" if item != name else new
        items.append(item)
    return "; ".join(items)


def unknown_topics(problems: list[Problem]) -> list[dict[str, Any]]:
    """The topics the form refused because the vocabulary lacks them or retired them, each with the
    closest topics in use (for "did you mean" buttons) and whether it may be proposed."""
    out = []
    for p in problems:
        if p.column == "topics" and p.reason.startswith((NOT_IN_VOCABULARY, RETIRED)):
            out.append(
                {
                    "text": p.value,
                    "suggestions": list(p.suggestions),
                    "may_propose": p.reason.startswith(NOT_IN_VOCABULARY),
                }
            )
    return out


def _with_roles(ticked: list[str], current: dict[str, Any]) -> str:
    """The ticked workstreams as the import's ``workstreams`` column: each as member, or lead where the
    member already leads it."""
    roles = {w["id"]: w["role"] for w in current["workstreams"]}
    return "; ".join(f"{ws}:{'lead' if roles.get(ws) == 'lead' else OWN_WORKSTREAM_ROLE}" for ws in ticked)


def revision(profile: dict[str, Any]) -> str:
    """A fingerprint of what the form shows: it changes whenever any of it changes."""
    return hashlib.sha256(json.dumps(form_values(profile), sort_keys=True).encode()).hexdigest()[:16]


class Conflict(Exception):
    """The profile changed since the form was opened (nothing was saved); ``current`` is it as it is now."""

    def __init__(
        self, current: dict[str, Any], choices: list[dict[str, Any]], extras: dict[str, Any] | None = None
    ) -> None:
        super().__init__("changed since the form was opened")
        self.current = current
        self.choices = choices
        self.extras = extras or {"topics": [], "proposals": []}


class Rejected(Exception):
    """The form's values fail the import's checks (nothing was saved); ``current`` is the profile."""

    def __init__(
        self,
        current: dict[str, Any],
        problems: list[Problem],
        choices: list[dict[str, Any]],
        extras: dict[str, Any] | None = None,
    ) -> None:
        super().__init__("the profile form's values were rejected")
        self.current = current
        self.problems = problems
        self.choices = choices
        self.extras = extras or {"topics": [], "proposals": []}


def save_profile(
    tx: Tx,
    member: str,
    values: dict[str, str],
    seen: str,
    ticked: list[str],
    propose: tuple[str, ...] = (),
    confirm_at: str = "",
) -> Any:
    """Save the form's values and the ``ticked`` workstreams as an import of one row, in one transaction
    with the checks that the member is there (None if not) and unchanged since the form showed revision
    ``seen``. The topics named in ``propose`` are not looked up: each is filed as a proposal instead, with
    its level (a topic the vocabulary has, or a bad name, is refused). ``confirm_at``: the member saves
    their own profile, which confirms it (issue 13)."""
    if not hold_member(tx, member):  # first: a second save of this profile waits for this one
        return None
    current = member_profile(tx, member)
    if current is None:
        return None
    if revision(current) != seen:
        raise Conflict(current, workstream_choices(tx), _extras(tx, member))
    keys = {name_key(p) for p in propose}
    proposed = [(name, level) for _, name, level in split_topics(values["topics"]) if name_key(name) in keys]
    kept = "; ".join(item for item, name, _ in split_topics(values["topics"]) if name_key(name) not in keys)
    row = RawRow(
        FORM, "", {"id": member, **values, "topics": kept, "workstreams": _with_roles(ticked, current)}
    )
    vocab = vocabulary(tx)
    refused = [
        Problem(FORM, "", "topics", name, problem)
        for name, level in proposed
        if (problem := check_proposal(vocab, name, level))
    ]
    try:
        plan = plan_import(tx, [Table(FORM, "members", ("id", *FIELDS, "workstreams"), [row])])
    except ImportRejected as e:
        raise Rejected(current, [*refused, *e.problems], workstream_choices(tx), _extras(tx, member)) from e
    if refused:
        raise Rejected(current, refused, workstream_choices(tx), _extras(tx, member))
    apply_plan(tx, plan)
    for name, level in proposed:
        propose_topic(tx, member, name, level)
    if confirm_at:
        confirm_profile(tx, member, confirm_at, how="saved their profile")
    return plan


def _may_edit(member: str) -> None:
    viewer = current_viewer()
    if not (viewer.member == member or viewer.at_least("coordinator")):
        abort(403, _("You can edit your own profile; a coordinator can edit anyone’s."))


@bp.route("/members/<member>/edit", methods=["GET", "POST"])
def edit_member(member: str) -> Any:
    _may_edit(member)
    store = get_store()
    if request.method == "GET":
        shown = store.read(edit_page, member)
        if shown is None:
            abort(404, _("There is no member with the id %(id)s.", id=repr(member)))
        profile = shown["profile"]
        return render_template(
            "pages/edit_member.html",
            **shown,
            values=form_values(profile),
            revision=revision(profile),
            ticked=[w["id"] for w in profile["workstreams"]],
        )
    values = {f: (request.form.get(f) or "").strip() for f in FIELDS}
    ticked = [w.strip() for w in request.form.getlist("workstreams") if w.strip()]
    use = _suggestion_used(request.form.get("use"))
    if use:  # a "did you mean" button: the suggestion goes into the form, which is shown again, unsaved
        shown = store.read(edit_page, member)
        if shown is None:
            abort(404, _("There is no member with the id %(id)s.", id=repr(member)))
        values["topics"] = replace_topic(values["topics"], *use)
        return render_template(
            "pages/edit_member.html",
            **shown,
            values=values,
            revision=request.form.get("revision") or "",
            ticked=ticked,
            notice=_(
                "‘%(typed)s’ is now ‘%(topic)s’ in your topics: check the form and save.",
                typed=use[0],
                topic=use[1],
            ),
        )
    propose = tuple(p.strip() for p in request.form.getlist("propose") if p.strip())
    try:
        own = current_viewer().member == member  # (a coordinator's edit does not confirm it for them)
        confirm_at = datetime.now(UTC).isoformat(timespec="seconds") if own else ""
        saved = store.write(
            save_profile,
            member,
            values,
            request.form.get("revision") or "",
            ticked,
            propose,
            confirm_at=confirm_at,
        )
    except Conflict as e:
        message = _(
            "Someone else changed this profile since you opened it; nothing was saved. "
            "Here it is as it is now: make your changes again."
        )
        return render_template(
            "pages/edit_member.html",
            **e.extras,
            profile=e.current,
            values=form_values(e.current),
            revision=revision(e.current),
            problems=[message],
            yours={**values, "workstreams": "; ".join(ticked)},
            choices=e.choices,
            ticked=[w["id"] for w in e.current["workstreams"]],
        ), 409
    except Rejected as e:
        unknown = unknown_topics(e.problems)
        described = {u["text"] for u in unknown}
        return render_template(
            "pages/edit_member.html",
            **e.extras,
            profile=e.current,
            values=values,
            revision=request.form.get("revision") or "",
            choices=e.choices,
            ticked=ticked,
            unknown=unknown,
            problems=[
                _(
                    "%(field)s: %(value)s %(reason)s",
                    field=_field(p.column),
                    value=repr(p.value),
                    reason=said(p.reason),
                )
                if p.value
                else said(p.reason)
                for p in e.problems
                if not (p.column == "topics" and p.value in described)
            ]
            or [_("Some topics are not in the network’s vocabulary:")],
        ), 400
    if saved is None:
        abort(404, _("There is no member with the id %(id)s.", id=repr(member)))
    flash(
        _(
            "Profile saved. Proposed as new topics, waiting for a coordinator: %(topics)s.",
            topics=", ".join(propose),
        )
        if propose
        else _("Profile saved.")
    )
    return redirect(url_for("pages.member", member=member))


def _suggestion_used(value: str | None) -> tuple[str, str] | None:
    """A "did you mean" button's value: the topic as typed and the suggestion taken (None: not that)."""
    if not value:
        return None
    try:
        old, new = json.loads(value)
    except (ValueError, TypeError):
        return None
    return (old, new) if isinstance(old, str) and isinstance(new, str) else None


def _extras(tx: Tx, member: str) -> dict[str, Any]:
    """What the form shows besides the profile: the topics to choose from and the waiting proposals."""
    return {"topics": topic_choices(tx), "proposals": proposals_of(tx, member)}


#: The profile form's fields as its labels name them, for a problem with what was typed in one.
FIELD_WORDS = {
    "name": _l("Name"),
    "email": _l("Email"),
    "title": _l("Title"),
    "organisation": _l("Organisation"),
    "country": _l("Country"),
    "topics": _l("Topics"),
    "workstreams": _l("Workstreams"),
    "knows": _l("Contacts"),
    "contacts": _l("Contacts"),
}


def _field(column: str) -> str:
    """A form field's name in the reader's words (the profile as a whole when the problem has none)."""
    found = FIELD_WORDS.get(column)
    return str(found) if found is not None else (column or str(_("Profile")))

"""Editing a profile: a member their own, a coordinator anyone's. A save is an import of one row (the
same checks, normalisation and messages as a file), and it is refused, with nothing written, when the
profile changed since the form was opened: two people editing at once never silently overwrite each
other. Opening the form reads in one transaction; a save checks and writes in one."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from graphapp.auth import current_viewer
from graphapp.db import get_store
from graphapp.freshness import confirm_profile
from graphapp.ingest import ImportRejected
from graphapp.ingest.plan import apply_plan, plan_import
from graphapp.ingest.problems import Problem
from graphapp.ingest.readers import RawRow, Table
from graphapp.queries.cypher import Tx
from graphapp.queries.members import hold_member, member_profile
from graphapp.queries.schema import ALL_NODES

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


def edit_page(tx: Tx, member: str) -> dict[str, Any] | None:
    """The profile form: the member as they are now and the workstreams to choose from (None: no member)."""
    profile = member_profile(tx, member)
    if profile is None:
        return None
    return {"profile": profile, "choices": workstream_choices(tx)}


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

    def __init__(self, current: dict[str, Any], choices: list[dict[str, Any]]) -> None:
        super().__init__("changed since the form was opened")
        self.current = current
        self.choices = choices


class Rejected(Exception):
    """The form's values fail the import's checks (nothing was saved); ``current`` is the profile."""

    def __init__(
        self, current: dict[str, Any], problems: list[Problem], choices: list[dict[str, Any]]
    ) -> None:
        super().__init__("the profile form's values were rejected")
        self.current = current
        self.problems = problems
        self.choices = choices


def save_profile(
    tx: Tx, member: str, values: dict[str, str], seen: str, ticked: list[str], confirm_at: str = ""
) -> Any:
    """Save the form's values and the ``ticked`` workstreams as an import of one row, in one transaction
    with the checks that the member is there (None if not) and unchanged since the form showed revision
    ``seen``. ``confirm_at``: the member saves their own profile, which confirms it (issue 13)."""
    if not hold_member(tx, member):  # first: a second save of this profile waits for this one
        return None
    current = member_profile(tx, member)
    if current is None:
        return None
    if revision(current) != seen:
        raise Conflict(current, workstream_choices(tx))
    row = RawRow(FORM, "", {"id": member, **values, "workstreams": _with_roles(ticked, current)})
    try:
        plan = plan_import(tx, [Table(FORM, "members", ("id", *FIELDS, "workstreams"), [row])])
    except ImportRejected as e:
        raise Rejected(current, e.problems, workstream_choices(tx)) from e
    apply_plan(tx, plan)
    if confirm_at:
        confirm_profile(tx, member, confirm_at, how="saved their profile")
    return plan


def _may_edit(member: str) -> None:
    viewer = current_viewer()
    if not (viewer.member == member or viewer.at_least("coordinator")):
        abort(403, "You can edit your own profile; a coordinator can edit anyone's.")


@bp.route("/members/<member>/edit", methods=["GET", "POST"])
def edit_member(member: str) -> Any:
    _may_edit(member)
    store = get_store()
    if request.method == "GET":
        shown = store.read(edit_page, member)
        if shown is None:
            abort(404, f"There is no member with the id {member!r}.")
        profile = shown["profile"]
        return render_template(
            "pages/edit_member.html",
            profile=profile,
            values=form_values(profile),
            revision=revision(profile),
            choices=shown["choices"],
            ticked=[w["id"] for w in profile["workstreams"]],
        )
    values = {f: (request.form.get(f) or "").strip() for f in FIELDS}
    ticked = [w.strip() for w in request.form.getlist("workstreams") if w.strip()]
    try:
        own = current_viewer().member == member  # (a coordinator's edit does not confirm it for them)
        confirm_at = datetime.now(UTC).isoformat(timespec="seconds") if own else ""
        saved = store.write(
            save_profile, member, values, request.form.get("revision") or "", ticked, confirm_at=confirm_at
        )
    except Conflict as e:
        message = (
            "Someone else changed this profile since you opened it; nothing was saved. "
            "Here it is as it is now: make your changes again."
        )
        return render_template(
            "pages/edit_member.html",
            profile=e.current,
            values=form_values(e.current),
            revision=revision(e.current),
            problems=[message],
            yours={**values, "workstreams": "; ".join(ticked)},
            choices=e.choices,
            ticked=[w["id"] for w in e.current["workstreams"]],
        ), 409
    except Rejected as e:
        return render_template(
            "pages/edit_member.html",
            profile=e.current,
            values=values,
            revision=request.form.get("revision") or "",
            choices=e.choices,
            ticked=ticked,
            problems=[
                f"{p.column or 'profile'}: {p.value!r} {p.reason}" if p.value else p.reason
                for p in e.problems
            ],
        ), 400
    if saved is None:
        abort(404, f"There is no member with the id {member!r}.")
    flash("Profile saved.")
    return redirect(url_for("pages.member", member=member))

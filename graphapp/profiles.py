"""Editing a profile: a member their own, a coordinator anyone's. A save is an import of one row (the
same checks, normalisation and messages as a file), and it is refused, with nothing written, when the
profile changed since the form was opened: two people editing at once never silently overwrite each
other."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from graphapp.auth import current_viewer
from graphapp.db import get_store
from graphapp.ingest import ImportRejected
from graphapp.ingest.plan import apply_plan, plan_import
from graphapp.ingest.readers import RawRow, Table
from graphapp.queries.cypher import Tx
from graphapp.queries.members import hold_member, member_profile

bp = Blueprint("profiles", __name__)

FIELDS = ("name", "email", "title", "organisation", "country", "topics")
FORM = "the profile form"


def form_values(profile: dict[str, Any]) -> dict[str, str]:
    return {
        "name": profile["name"],
        "email": profile.get("email") or "",
        "title": profile.get("title") or "",
        "organisation": profile.get("organisation") or "",
        "country": profile.get("country") or "",
        "topics": "; ".join(f"{i['name']}:{i['level']}" for i in profile["interests"]),
    }


def revision(profile: dict[str, Any]) -> str:
    """A fingerprint of what the form shows: it changes whenever any of it changes."""
    return hashlib.sha256(json.dumps(form_values(profile), sort_keys=True).encode()).hexdigest()[:16]


class Conflict(Exception):
    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__("changed since the form was opened")
        self.current = current


def save_profile(tx: Tx, member: str, values: dict[str, str], seen: str) -> Any:
    if not hold_member(tx, member):  # first: a second save of this profile waits for this one
        return None
    current = member_profile(tx, member)
    if current is None:
        return None
    if revision(current) != seen:
        raise Conflict(current)
    row = RawRow(FORM, "", {"id": member, **values})
    plan = plan_import(tx, [Table(FORM, "members", ("id", *FIELDS), [row])])
    apply_plan(tx, plan)
    return plan


def _may_edit(member: str) -> None:
    viewer = current_viewer()
    if not (viewer.member == member or viewer.at_least("coordinator")):
        abort(403, "You can edit your own profile; a coordinator can edit anyone's.")


@bp.route("/members/<member>/edit", methods=["GET", "POST"])
def edit_member(member: str) -> Any:
    _may_edit(member)
    store = get_store()
    profile = store.read(member_profile, member)
    if profile is None:
        abort(404, f"There is no member with the id {member!r}.")
    if request.method == "GET":
        return render_template(
            "pages/edit_member.html", profile=profile, values=form_values(profile), revision=revision(profile)
        )
    values = {f: (request.form.get(f) or "").strip() for f in FIELDS}
    try:
        saved = store.write(save_profile, member, values, request.form.get("revision") or "")
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
            yours=values,
        ), 409
    except ImportRejected as e:
        return render_template(
            "pages/edit_member.html",
            profile=profile,
            values=values,
            revision=request.form.get("revision") or "",
            problems=[
                f"{p.column or 'profile'}: {p.value!r} {p.reason}" if p.value else p.reason
                for p in e.problems
            ],
        ), 400
    if saved is None:
        abort(404, f"There is no member with the id {member!r}.")
    flash("Profile saved.")
    return redirect(url_for("pages.member", member=member))

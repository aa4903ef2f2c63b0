"""Introductions, with consent on both sides: a member asks to be introduced to another (from a suggestion,
an ask or a profile) with a short note; the other gets a mail with a link to accept or decline, which works
without signing in (a token kept only as its SHA-256) and from their introductions page when signed in.
On accept both see each other's email and a contact is recorded (``via`` introduction, with its date); a
decline is told to the asker only, without a reason. Coordinators see counts, never the notes.

The actions themselves (asking, answering) are in :mod:`graphapp.introductions`; these are the pages.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from graphapp.accounts import now_iso, token_hash
from graphapp.auth import current_viewer
from graphapp.db import get_store
from graphapp.i18n import _
from graphapp.introductions import Refused, answer, request_introduction, week_ago
from graphapp.pages import bp
from graphapp.params import AnswerBody, BadRequest, IntroductionBody, load_body
from graphapp.queries.cypher import Tx
from graphapp.queries.introductions import (
    INTRODUCTION_KINDS,
    NOTE_LIMIT,
    WEEKLY_LIMIT,
    asked_since,
    introduction_by_id,
    introductions_of,
    person_to_introduce,
)
from graphapp.queries.introductions import introduction_by_token as find_by_token
from graphapp.reports import introduction_stats_of
from graphapp.wording import INTRODUCTION_FROM

__all__ = ["mine"]


def mine(tx: Tx, member: str, now: str) -> dict[str, Any]:
    """A member's introductions: those waiting for their answer, the rest, and how many they asked for in
    the last seven days (the weekly limit)."""
    every = introductions_of(tx, member)
    return {
        "waiting": [i for i in every if i["to_member"] == member and i["status"] == "asked"],
        "others": [i for i in every if not (i["to_member"] == member and i["status"] == "asked")],
        "asked_this_week": asked_since(tx, member, week_ago(now)),
        "limit": WEEKLY_LIMIT,
    }


def new_introduction_page(tx: Tx, asker: str, to: str, now: str) -> dict[str, Any] | None:
    """Who the introduction is to, and how many the asker may still ask for this week."""
    them = person_to_introduce(tx, to)
    if them is None:
        return None
    return {"them": them, "asked_this_week": asked_since(tx, asker, week_ago(now)), "limit": WEEKLY_LIMIT}


def introduction_page(tx: Tx, introduction: str = "", token: str = "") -> dict[str, Any] | None:
    """An introduction (by id, or by the token of its mailed link), with both people's emails once it is
    accepted (each sees the other's then, whatever their choice for strangers)."""
    found = introduction_by_id(tx, introduction) if introduction else find_by_token(tx, token_hash(token))
    if found is None:
        return None
    emails = {"from_email": None, "to_email": None}
    if found["status"] == "accepted":
        for side in ("from", "to"):
            person = person_to_introduce(tx, found[f"{side}_member"])
            emails[f"{side}_email"] = person["email"] if person else None
    return {**found, **emails}


# --- Pages ----------------------------------------------------------------------------------------------


def _refusal(e: Refused | BadRequest) -> str:
    return e.words if isinstance(e, Refused) else str(e)


@bp.get("/introductions")
def introductions() -> str:
    viewer = current_viewer()
    shown = get_store().read(mine, viewer.member, now_iso()) if viewer.member else None
    return render_template("pages/introductions.html", shown=shown, kinds=INTRODUCTION_FROM)


@bp.get("/introductions/new")
def new_introduction() -> Any:
    viewer = current_viewer()
    if not viewer.member:
        abort(409, _("Your account is not tied to a member of the network."))
    to = request.args.get("to", "")
    kind = request.args.get("kind", "profile")
    if kind not in INTRODUCTION_KINDS:
        abort(400, _("kind must be one of %(kinds)s", kinds=", ".join(INTRODUCTION_KINDS)))
    shown = get_store().read(new_introduction_page, viewer.member, to, now_iso())
    if shown is None:
        abort(404, _("There is no member with the id '%(id)s'.", id=to))
    return render_template(
        "pages/new_introduction.html",
        **shown,
        kind=kind,
        ask=request.args.get("ask", ""),
        note="",
        note_limit=NOTE_LIMIT,
        kinds=INTRODUCTION_FROM,
    )


@bp.post("/introductions")
def ask_for_introduction() -> Any:
    viewer = current_viewer()
    form = {k: request.form.get(k, "") for k in ("to", "note", "kind", "ask")}
    form["kind"] = form["kind"] or "profile"
    try:
        body = load_body(IntroductionBody, form)
        done = get_store().write(
            request_introduction,
            viewer.member,
            body["to"],
            body["note"],
            body["kind"],
            body["ask"],
            now_iso(),
        )
    except (Refused, BadRequest) as e:
        status = e.status if isinstance(e, Refused) else 400
        them = get_store().read(person_to_introduce, form["to"]) if viewer.member else None
        if them is None:
            abort(status, _refusal(e))
        return render_template(
            "pages/new_introduction.html",
            them=them,
            kind=form["kind"] if form["kind"] in INTRODUCTION_KINDS else "profile",
            ask=form["ask"],
            note=form["note"],
            note_limit=NOTE_LIMIT,
            kinds=INTRODUCTION_FROM,
            problem=_refusal(e),
            asked_this_week=None,
            limit=WEEKLY_LIMIT,
        ), status
    flash(
        _(
            "Your request is on its way to %(name)s; you will get a mail when they answer.",
            name=done["to_name"],
        )
    )
    return redirect(url_for("pages.introductions"))


@bp.get("/introductions/<introduction>")
def introduction(introduction: str) -> str:
    viewer = current_viewer()
    found = get_store().read(introduction_page, introduction)
    if found is None or viewer.member not in (found["from_member"], found["to_member"]):
        abort(404, _("There is no such introduction of yours."))
    return render_template("pages/introduction.html", i=found, token=None, kinds=INTRODUCTION_FROM)


def _answer_from_form(**which: Any) -> dict[str, Any]:
    body = load_body(AnswerBody, {"answer": request.form.get("answer", "")})
    try:
        return get_store().write(answer, body["answer"] == "accept", now_iso(), **which)
    except Refused as e:
        abort(e.status, e.words)


def _answered(done: dict[str, Any]) -> str:
    if done["status"] == "accepted":
        return str(
            _("You accepted: you and %(name)s now see each other's email address.", name=done["from_name"])
        )
    return str(_("You declined; %(name)s is told only that you did not take it up.", name=done["from_name"]))


@bp.post("/introductions/<introduction>")
def answer_introduction_page(introduction: str) -> Response:
    flash(_answered(_answer_from_form(introduction=introduction, member=current_viewer().member)))
    return redirect(url_for("pages.introduction", introduction=introduction))


@bp.route("/introductions/answer/<token>", methods=["GET", "POST"])
def introduction_by_token(token: str) -> Any:
    """The mailed link: answer without signing in (the token is the key)."""
    if request.method == "POST":
        flash(_answered(_answer_from_form(token=token)))
        return redirect(url_for("pages.introduction_by_token", token=token))
    found = get_store().read(introduction_page, token=token)
    if found is None:
        abort(
            404, _("This link does not open any introduction: it may be mistyped, or its people forgotten.")
        )
    return render_template("pages/introduction.html", i=found, token=token, kinds=INTRODUCTION_FROM)


@bp.get("/introductions/stats")
def introduction_stats_page() -> str:
    return render_template(
        "pages/introduction_stats.html", rows=get_store().read(introduction_stats_of), kinds=INTRODUCTION_FROM
    )

"""Introductions, with consent on both sides: a member asks to be introduced to another (from a suggestion,
an ask or a profile) with a short note; the other gets a mail with a link to accept or decline, which works
without signing in (a token kept only as its SHA-256) and from their introductions page when signed in.
On accept both see each other's email and a contact is recorded (``via`` introduction, with its date); a
decline is told to the asker only, without a reason. Coordinators see counts, never the notes.

The actions (:func:`request_introduction`, :func:`answer`) are write functions ``fn(tx, ...)`` shared with
the API; what they refuse is a :class:`Refused` with the status and the reason in words.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from graphapp.accounts import now_iso, token_hash
from graphapp.auth import current_viewer
from graphapp.db import get_store
from graphapp.mail import link, queue_mail
from graphapp.pages import bp
from graphapp.params import AnswerBody, BadRequest, IntroductionBody, load_body
from graphapp.queries.asks import ask_by_id
from graphapp.queries.cypher import Tx
from graphapp.queries.introductions import (
    INTRODUCTION_KINDS,
    NOTE_LIMIT,
    WEEKLY_LIMIT,
    answer_introduction,
    asked_since,
    create_introduction,
    introduction_by_id,
    introduction_partners,
    introductions_of,
    open_introduction_between,
    person_to_introduce,
    record_contact,
)
from graphapp.queries.introductions import introduction_by_token as find_by_token
from graphapp.reports import introduction_stats_of
from graphapp.wording import INTRODUCTION_FROM

__all__ = ["Refused", "answer", "mine", "request_introduction"]

#: The kinds of suggestion (a suggestion's ``kind``): asked from a list that leaves out whoever said no.
SUGGESTION_KINDS = ("peer", "mentor", "mentee")


class Refused(Exception):
    """An action that cannot be done, with the status to answer (404 not there, 409 not now, 429 too
    many) and the reason in words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _member_of(viewer_member: str | None) -> str:
    if not viewer_member:
        raise Refused(409, "Your account is not tied to a member of the network.")
    return viewer_member


def _week_ago(now: str) -> str:
    return (datetime.fromisoformat(now) - timedelta(days=7)).isoformat(timespec="seconds")


def request_introduction(
    tx: Tx, asker: str | None, to: str, note: str, kind: str, ask: str, now: str
) -> dict[str, Any]:
    """Ask, as member ``asker``, to be introduced to member ``to``: checked, stored and mailed in this
    transaction. Returns the introduction (``id``, ``to_name``)."""
    me = person_to_introduce(tx, _member_of(asker))
    them = person_to_introduce(tx, to)
    if me is None:
        raise Refused(409, "Your account's member is no longer in the network.")
    if them is None:
        raise Refused(404, f"There is no member with the id {to!r}.")
    if them["id"] == me["id"]:
        raise Refused(409, "You cannot ask to be introduced to yourself.")
    if them["introductions"] == "no":
        raise Refused(409, f"{them['name']} has chosen not to be introduced to anyone.")
    if kind in SUGGESTION_KINDS and them["suggestible"] == "no":
        raise Refused(
            409, f"{them['name']} has chosen not to be suggested; you can still ask from their profile."
        )
    if kind == "ask":
        found = ask_by_id(tx, ask) if ask else None
        if found is None or found["status"] != "open" or me["id"] not in (found["member"], them["id"]):
            raise Refused(404, "There is no open ask of yours (or theirs) with that id.")
    else:
        ask = ""
    if them["id"] in introduction_partners(tx, me["id"]):
        raise Refused(409, f"You have been introduced to {them['name']} already.")
    if open_introduction_between(tx, me["id"], them["id"]):
        raise Refused(
            409, f"An introduction between you and {them['name']} is already waiting for an answer."
        )
    if asked_since(tx, me["id"], _week_ago(now)) >= WEEKLY_LIMIT:
        raise Refused(
            429, f"You have asked for {WEEKLY_LIMIT} introductions in the last seven days; try again later."
        )
    token = secrets.token_urlsafe(32)
    introduction = {
        "id": uuid.uuid4().hex,
        "token_hash": token_hash(token),
        "from_member": me["id"],
        "to_member": them["id"],
        "note": note,
        "kind": kind,
        "ask": ask,
        "status": "asked",
        "created": now,
        "decided": "",
    }
    create_introduction(tx, **introduction)
    if them["email"]:
        body = (
            f"{me['name']} asks to be introduced to you on graphapp, from {INTRODUCTION_FROM[kind]}.\n\n"
            f"Their note:\n{note}\n\n"
            "Accept or decline here (no need to sign in); if you accept, you both see each other's email "
            "address and the contact is recorded on both profiles. If you decline, they are told only "
            f"that you did not take it up, and nobody else is told:\n"
            f"{link('pages.introduction_by_token', token=token)}\n"
        )
        queue_mail(
            tx,
            "introduction_request",
            them["email"],
            f"{me['name']} asks to be introduced to you",
            body,
            member=them["id"],
        )
    return {"id": introduction["id"], "to": them["id"], "to_name": them["name"], "status": "asked"}


def answer(
    tx: Tx, accept: bool, now: str, *, introduction: str = "", token: str = "", member: str | None = None
) -> dict[str, Any]:
    """Accept or decline an introduction (by id, answered by ``member``, who must be the one asked; or by
    the token of its mailed link, which is the key): recorded, the contact made (on accept), the asker told
    by mail, in this transaction."""
    found = introduction_by_id(tx, introduction) if introduction else find_by_token(tx, token_hash(token))
    if found is None or (token == "" and found["to_member"] != member):
        raise Refused(404, "There is no such introduction waiting for your answer.")
    introduction = found["id"]
    status = "accepted" if accept else "declined"
    if not answer_introduction(tx, introduction, status, now):
        raise Refused(409, "This introduction has been answered already.")
    asker = person_to_introduce(tx, found["from_member"])
    them = person_to_introduce(tx, found["to_member"])
    if accept and asker and them:
        record_contact(tx, asker["id"], them["id"], now[:10])
    if asker and asker["email"] and them:
        if accept:
            text = (
                f"{them['name']} accepted your request to be introduced. You can now write to each other:"
                f" {them['email'] or 'they have no email address in graphapp'}.\n\n"
                f"The contact is on both your profiles: {link('pages.member', member=them['id'])}\n"
            )
            subject = f"{them['name']} accepted your introduction"
        else:
            text = f"{them['name']} did not take up your request to be introduced.\n"
            subject = f"Your request to be introduced to {them['name']}"
        queue_mail(tx, "introduction_answer", asker["email"], subject, text, member=asker["id"])
    return {**found, "status": status, "decided": now}


# --- What the pages read --------------------------------------------------------------------------------


def mine(tx: Tx, member: str, now: str) -> dict[str, Any]:
    """A member's introductions: those waiting for their answer, the rest, and how many they asked for in
    the last seven days (the weekly limit)."""
    every = introductions_of(tx, member)
    return {
        "waiting": [i for i in every if i["to_member"] == member and i["status"] == "asked"],
        "others": [i for i in every if not (i["to_member"] == member and i["status"] == "asked")],
        "asked_this_week": asked_since(tx, member, _week_ago(now)),
        "limit": WEEKLY_LIMIT,
    }


def new_introduction_page(tx: Tx, asker: str, to: str, now: str) -> dict[str, Any] | None:
    """Who the introduction is to, and how many the asker may still ask for this week."""
    them = person_to_introduce(tx, to)
    if them is None:
        return None
    return {"them": them, "asked_this_week": asked_since(tx, asker, _week_ago(now)), "limit": WEEKLY_LIMIT}


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
    return e.message if isinstance(e, Refused) else str(e)


@bp.get("/introductions")
def introductions() -> str:
    viewer = current_viewer()
    shown = get_store().read(mine, viewer.member, now_iso()) if viewer.member else None
    return render_template("pages/introductions.html", shown=shown, kinds=INTRODUCTION_FROM)


@bp.get("/introductions/new")
def new_introduction() -> Any:
    viewer = current_viewer()
    if not viewer.member:
        abort(409, "Your account is not tied to a member of the network.")
    to = request.args.get("to", "")
    kind = request.args.get("kind", "profile")
    if kind not in INTRODUCTION_KINDS:
        abort(400, f"kind must be one of {', '.join(INTRODUCTION_KINDS)}")
    shown = get_store().read(new_introduction_page, viewer.member, to, now_iso())
    if shown is None:
        abort(404, f"There is no member with the id {to!r}.")
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
    flash(f"Your request is on its way to {done['to_name']}; you will get a mail when they answer.")
    return redirect(url_for("pages.introductions"))


@bp.get("/introductions/<introduction>")
def introduction(introduction: str) -> str:
    viewer = current_viewer()
    found = get_store().read(introduction_page, introduction)
    if found is None or viewer.member not in (found["from_member"], found["to_member"]):
        abort(404, "There is no such introduction of yours.")
    return render_template("pages/introduction.html", i=found, token=None, kinds=INTRODUCTION_FROM)


def _answer_from_form(**which: Any) -> dict[str, Any]:
    body = load_body(AnswerBody, {"answer": request.form.get("answer", "")})
    try:
        return get_store().write(answer, body["answer"] == "accept", now_iso(), **which)
    except Refused as e:
        abort(e.status, e.message)


def _answered(done: dict[str, Any]) -> str:
    if done["status"] == "accepted":
        return f"You accepted: you and {done['from_name']} now see each other's email address."
    return f"You declined; {done['from_name']} is told only that you did not take it up."


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
        abort(404, "This link does not open any introduction: it may be mistyped, or its people forgotten.")
    return render_template("pages/introduction.html", i=found, token=token, kinds=INTRODUCTION_FROM)


@bp.get("/introductions/stats")
def introduction_stats_page() -> str:
    return render_template(
        "pages/introduction_stats.html", rows=get_store().read(introduction_stats_of), kinds=INTRODUCTION_FROM
    )

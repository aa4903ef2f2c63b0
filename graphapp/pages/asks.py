"""Asks: issues a member wants to discuss with others (technical, strategic or organisational, on some
topics). graphapp lists who is best placed to help, ranked with the reasons; the ask shows on its topics'
pages and on the home page of those who match. Others offer to help (the asker gets a mail); the asker
picks an offer, which introduces the two at once (both consented: one by offering, the other by picking),
and closes the ask as resolved or withdrawn.

The actions themselves (post, offer, pick, close) are in :mod:`graphapp.asks`; these are the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from graphapp import reports
from graphapp.accounts import now_iso
from graphapp.asks import HELPERS, close, offer_help, pick_offer, post_ask
from graphapp.auth import Viewer, current_viewer
from graphapp.db import get_store
from graphapp.i18n import _, word
from graphapp.introductions import Refused
from graphapp.pages import bp
from graphapp.pages.introductions import mine
from graphapp.params import AskBody, BadRequest, CloseBody, OfferBody, load_body
from graphapp.queries.asks import (
    ASK_KINDS,
    NOTE_LIMIT,
    TEXT_LIMIT,
    ask_by_id,
    asks_of_member,
    offers_of,
    open_asks,
)
from graphapp.queries.cypher import Tx
from graphapp.queries.introductions import (
    introduction_partners,
)
from graphapp.queries.members import topic_list
from graphapp.queries.vocabulary import retired_topics
from graphapp.wording import helper_reasons, helpers_note

__all__ = ["ask_view", "asks_page", "home_part"]


# --- What the pages read --------------------------------------------------------------------------------


def ask_view(tx: Tx, ask: str, viewer_member: str | None) -> dict[str, Any] | None:
    """An ask, who can help (ranked, with reasons), and its offers: each offer's note only to the asker and
    to the one who made it."""
    found = ask_by_id(tx, ask)
    if found is None:
        return None
    topics = {t["id"]: t["name"] for t in topic_list(tx)}
    helpers = reports.ask_helpers(tx, found["member"], found["topics"], limit=HELPERS)
    offers = [
        o if viewer_member in (found["member"], o["member"]) else {**o, "note": None}
        for o in offers_of(tx, ask)
    ]
    partners = introduction_partners(tx, viewer_member) if viewer_member else set()
    return {
        "ask": found,
        "topic_names": topics,
        "helpers": helpers,
        "offers": offers,
        "partners": partners,
    }


def asks_page(tx: Tx, viewer_member: str | None) -> dict[str, Any]:
    """Every open ask, the viewer's own asks, and the topics to pick from (those in use)."""
    retired = retired_topics(tx)
    return {
        "open": open_asks(tx),
        "mine": asks_of_member(tx, viewer_member) if viewer_member else [],
        "topics": [t for t in topic_list(tx) if t["id"] not in retired],  # (a retired topic: no new asks)
    }


def home_part(tx: Tx, viewer: Viewer) -> dict[str, Any] | None:
    """The home page's part on asks and introductions, for a signed-in member (None for an account that is
    no member): my open asks, the open asks of others I am among the best placed to help with, and the
    introductions waiting for my answer. (A :class:`graphapp.pages.home.HomePart`, rendered by
    ``templates/pages/_home_asks.html``.)"""
    if not viewer.member:
        return None
    asks = open_asks(tx)
    mine_open = [a for a in asks if a["member"] == viewer.member]
    others = [a for a in asks if a["member"] != viewer.member][:100]  # (the newest hundred)
    could_help = reports.asks_i_could_help_with(tx, viewer.member, others, limit=HELPERS)
    return {
        "member": viewer.member,
        "my_asks": mine_open,
        "could_help": could_help[:5],
        "waiting": mine(tx, viewer.member, now_iso())["waiting"],
    }


# --- Pages ----------------------------------------------------------------------------------------------


def _form_ask() -> dict[str, Any]:
    return {
        "kind": request.form.get("kind", ""),
        "text": request.form.get("text", ""),
        "topics": [t for t in request.form.getlist("topics") if t],
    }


def _render_asks(shown: dict[str, Any], form: dict[str, Any], problem: str | None = None) -> str:
    return render_template(
        "pages/asks.html",
        **shown,
        form=form,
        problem=problem,
        kinds=ASK_KINDS,
        text_limit=TEXT_LIMIT,
    )


@bp.get("/asks")
def asks() -> str:
    shown = get_store().read(asks_page, current_viewer().member)
    return _render_asks(shown, {"kind": "", "text": "", "topics": []})


@bp.post("/asks")
def new_ask() -> Any:
    viewer = current_viewer()
    form = _form_ask()
    try:
        body = load_body(AskBody, form)
        done = get_store().write(
            post_ask, viewer.member, body["kind"], body["text"], body["topics"], now_iso()
        )
    except (Refused, BadRequest) as e:
        status = e.status if isinstance(e, Refused) else 400
        message = e.words if isinstance(e, Refused) else str(e)
        return _render_asks(get_store().read(asks_page, viewer.member), form, message), (
            400 if status == 404 else status
        )
    flash(_("Your ask is posted. Those best placed to help are listed below."))
    return redirect(url_for("pages.ask", ask=done["id"]))


@bp.get("/asks/<ask>")
def ask(ask: str) -> str:
    viewer = current_viewer()
    shown = get_store().read(ask_view, ask, viewer.member)
    if shown is None:
        abort(404, _("There is no ask with the id '%(id)s'.", id=ask))
    return render_template(
        "pages/ask.html",
        **shown,
        reasons_of=helper_reasons,
        why_no_helpers=helpers_note(shown["helpers"]),
        note_limit=NOTE_LIMIT,
    )


def _act(work: Callable[..., Any], *args: Any) -> Any:
    try:
        return get_store().write(work, *args, now_iso())
    except Refused as e:
        abort(e.status, e.words)


@bp.post("/asks/<ask>/offers")
def offer(ask: str) -> Response:
    try:
        body = load_body(OfferBody, {"note": request.form.get("note", "")})
    except BadRequest as e:
        abort(400, str(e))
    _act(offer_help, current_viewer().member, ask, body["note"])
    flash(_("Your offer is sent; the asker gets a mail and can pick it."))
    return redirect(url_for("pages.ask", ask=ask))


@bp.post("/asks/<ask>/offers/<offer>/pick")
def pick(ask: str, offer: str) -> Response:
    done = _act(pick_offer, current_viewer().member, ask, offer)
    flash(
        _("You are introduced: you now see each other's email address, and the contact is on both profiles.")
    )
    return redirect(url_for("pages.member", member=done["introduced"]))


@bp.post("/asks/<ask>/close")
def close_page(ask: str) -> Response:
    try:
        body = load_body(CloseBody, {"outcome": request.form.get("outcome", "")})
    except BadRequest as e:
        abort(400, str(e))
    _act(close, current_viewer().member, ask, body["outcome"])
    flash(_("Your ask is closed as %(outcome)s.", outcome=word(body["outcome"], "ask_status")))
    return redirect(url_for("pages.ask", ask=ask))

"""Asks: issues a member wants to discuss with others (technical, strategic or organisational, on some
topics). graphapp lists who is best placed to help, ranked with the reasons; the ask shows on its topics'
pages and on the home page of those who match. Others offer to help (the asker gets a mail); the asker
picks an offer, which introduces the two at once (both consented: one by offering, the other by picking),
and closes the ask as resolved or withdrawn.

The actions are write functions ``fn(tx, ...)`` shared with the API; what they refuse is a
:class:`~graphapp.pages.introductions.Refused`.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from graphapp import reports
from graphapp.accounts import now_iso, token_hash
from graphapp.auth import Viewer, current_viewer
from graphapp.db import get_store
from graphapp.mail import link, queue_mail
from graphapp.pages import bp
from graphapp.pages.introductions import Refused, mine
from graphapp.params import AskBody, BadRequest, CloseBody, OfferBody, load_body
from graphapp.queries.asks import (
    ASK_KINDS,
    NOTE_LIMIT,
    TEXT_LIMIT,
    add_offer,
    ask_by_id,
    asks_of_member,
    close_ask,
    create_ask,
    offer_by_id,
    offers_of,
    open_asks,
)
from graphapp.queries.cypher import Tx
from graphapp.queries.introductions import (
    create_introduction,
    introduction_partners,
    person_to_introduce,
    record_contact,
)
from graphapp.queries.members import topic_list
from graphapp.queries.schema import LEVELS
from graphapp.wording import helper_reasons, helpers_note

__all__ = ["close", "home_part", "offer_help", "pick_offer", "post_ask"]

#: How many of the best placed helpers get a mail about a new ask on topics they hold as experts.
MATCH_MAILS = 5
#: How many helpers an ask lists.
HELPERS = 10


def _member_of(viewer_member: str | None) -> str:
    if not viewer_member:
        raise Refused(409, "Your account is not tied to a member of the network.")
    return viewer_member


def post_ask(tx: Tx, asker: str | None, kind: str, text: str, topics: list[str], now: str) -> dict[str, Any]:
    """Store a new ask of member ``asker`` (its body already checked by :class:`graphapp.params.AskBody`)
    and mail the best placed experts, in this transaction. Returns the ask."""
    me = person_to_introduce(tx, _member_of(asker))
    if me is None:
        raise Refused(409, "Your account's member is no longer in the network.")
    known = {t["id"]: t for t in topic_list(tx)}
    wanted = list(dict.fromkeys(t.strip() for t in topics))
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise Refused(404, f"topics: there is no topic {unknown[0]!r}; pick topics from the list.")
    ask = {"id": uuid.uuid4().hex[:12], "member": me["id"], "kind": kind, "text": text, "topics": wanted}
    create_ask(tx, **ask, created=now)
    helpers = reports.ask_helpers(tx, me["id"], wanted, limit=MATCH_MAILS)
    names = ", ".join(known[t]["name"] for t in wanted)
    for h in helpers.helpers:
        if not any(t.level == LEVELS[-1] for t in h.topics):
            continue
        person = person_to_introduce(tx, h.id)
        if person and person["email"]:
            body = (
                f"{me['name']} posted a {kind} ask on {names}, where you are an expert:\n\n{text}\n\n"
                f"Offer to help, or just read it: {link('pages.ask', ask=ask['id'])}\n"
            )
            queue_mail(tx, "ask_match", person["email"], f"An ask on {names}", body, member=h.id)
    return {**ask, "status": "open", "created": now}


def _open_ask(tx: Tx, ask: str) -> dict[str, Any]:
    found = ask_by_id(tx, ask)
    if found is None:
        raise Refused(404, f"There is no ask with the id {ask!r}.")
    if found["status"] != "open":
        raise Refused(409, f"This ask is closed ({found['status']}).")
    return found


def offer_help(tx: Tx, helper: str | None, ask: str, note: str, now: str) -> dict[str, Any]:
    """Offer, as member ``helper``, to help with an open ask; the asker gets a mail."""
    me = person_to_introduce(tx, _member_of(helper))
    found = _open_ask(tx, ask)
    if me is None:
        raise Refused(409, "Your account's member is no longer in the network.")
    if found["member"] == me["id"]:
        raise Refused(409, "This is your own ask.")
    if any(o["member"] == me["id"] for o in offers_of(tx, ask)):
        raise Refused(409, "You have offered to help with this ask already.")
    offer = {"id": uuid.uuid4().hex[:12], "ask": ask, "member": me["id"], "note": note}
    add_offer(tx, **offer, created=now)
    asker = person_to_introduce(tx, found["member"])
    if asker and asker["email"]:
        body = (
            f"{me['name']} offers to help with your ask:\n\n{found['text']}\n\n"
            + (f"Their note:\n{note}\n\n" if note else "")
            + f"Pick their offer to be introduced to each other: {link('pages.ask', ask=ask)}\n"
        )
        queue_mail(tx, "ask_offer", asker["email"], f"{me['name']} offers to help", body, member=asker["id"])
    return {**offer, "created": now}


def pick_offer(tx: Tx, asker: str | None, ask: str, offer: str, now: str) -> dict[str, Any]:
    """The asker picks an offer: the two are introduced at once (an accepted introduction from the ask,
    the contact recorded) and the helper gets a mail."""
    me = _member_of(asker)
    found = _open_ask(tx, ask)
    chosen = offer_by_id(tx, offer)
    if found["member"] != me or chosen is None or chosen["ask"] != ask:
        raise Refused(404, "There is no such offer on an ask of yours.")
    if chosen["member"] in introduction_partners(tx, me):
        raise Refused(409, f"You have been introduced to {chosen['member_name']} already.")
    create_introduction(
        tx,
        id=uuid.uuid4().hex,
        token_hash=token_hash(secrets.token_urlsafe(32)),  # (answered already: nobody needs the link)
        from_member=me,
        to_member=chosen["member"],
        note="",
        kind="ask",
        ask=ask,
        status="accepted",
        created=now,
        decided=now,
    )
    record_contact(tx, me, chosen["member"], now[:10])
    helper = person_to_introduce(tx, chosen["member"])
    if helper and helper["email"]:
        asker_person = person_to_introduce(tx, me)
        email = (asker_person or {}).get("email") or "no email address in graphapp"
        body = (
            f"{found['member_name']} picked your offer to help with their ask:\n\n{found['text']}\n\n"
            f"You are introduced: you can now write to each other ({email}). "
            f"The contact is on both your profiles: {link('pages.member', member=me)}\n"
        )
        queue_mail(
            tx,
            "introduction_answer",
            helper["email"],
            f"{found['member_name']} picked your offer",
            body,
            member=helper["id"],
        )
    return {"ask": ask, "offer": offer, "introduced": chosen["member"], "status": "accepted"}


def close(tx: Tx, asker: str | None, ask: str, outcome: str, now: str) -> dict[str, Any]:
    """The asker closes their ask as resolved or withdrawn."""
    me = _member_of(asker)
    found = _open_ask(tx, ask)
    if found["member"] != me:
        raise Refused(404, "There is no such open ask of yours.")
    close_ask(tx, ask, outcome, now)
    return {**found, "status": outcome, "closed": now}


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
    """Every open ask, the viewer's own asks, and the topics to pick from."""
    return {
        "open": open_asks(tx),
        "mine": asks_of_member(tx, viewer_member) if viewer_member else [],
        "topics": topic_list(tx),
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
        message = e.message if isinstance(e, Refused) else str(e)
        return _render_asks(get_store().read(asks_page, viewer.member), form, message), (
            400 if status == 404 else status
        )
    flash("Your ask is posted. Those best placed to help are listed below.")
    return redirect(url_for("pages.ask", ask=done["id"]))


@bp.get("/asks/<ask>")
def ask(ask: str) -> str:
    viewer = current_viewer()
    shown = get_store().read(ask_view, ask, viewer.member)
    if shown is None:
        abort(404, f"There is no ask with the id {ask!r}.")
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
        abort(e.status, e.message)


@bp.post("/asks/<ask>/offers")
def offer(ask: str) -> Response:
    try:
        body = load_body(OfferBody, {"note": request.form.get("note", "")})
    except BadRequest as e:
        abort(400, str(e))
    _act(offer_help, current_viewer().member, ask, body["note"])
    flash("Your offer is sent; the asker gets a mail and can pick it.")
    return redirect(url_for("pages.ask", ask=ask))


@bp.post("/asks/<ask>/offers/<offer>/pick")
def pick(ask: str, offer: str) -> Response:
    done = _act(pick_offer, current_viewer().member, ask, offer)
    flash("You are introduced: you now see each other's email address, and the contact is on both profiles.")
    return redirect(url_for("pages.member", member=done["introduced"]))


@bp.post("/asks/<ask>/close")
def close_page(ask: str) -> Response:
    try:
        body = load_body(CloseBody, {"outcome": request.form.get("outcome", "")})
    except BadRequest as e:
        abort(400, str(e))
    _act(close, current_viewer().member, ask, body["outcome"])
    flash(f"Your ask is closed as {body['outcome']}.")
    return redirect(url_for("pages.ask", ask=ask))

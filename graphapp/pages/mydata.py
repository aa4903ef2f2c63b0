""" "My data": what graphapp holds about the signed-in member, as a page and as a download, their choices
(who may see their email, whether they may be suggested), and forgetting them."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request, session, url_for

from graphapp.auth import current_viewer
from graphapp.db import get_store
from graphapp.i18n import _
from graphapp.mail import preferences_token, recipient_language
from graphapp.pages import bp
from graphapp.queries.accounts import account, delete_account
from graphapp.queries.asks import asks_of_member
from graphapp.queries.cypher import Tx
from graphapp.queries.introductions import introductions_of, person_to_introduce, set_introductions
from graphapp.queries.members import forget_member, member_profile, set_consent
from graphapp.queries.schema import EMAIL_VISIBILITY, INTRODUCTIONS, SUGGESTIBLE
from graphapp.queries.subgraph import neighbourhood


def data_held(tx: Tx, login: str, member: str | None) -> dict[str, Any]:
    """Everything held about a person: their member node and every relationship of it (if their account is
    tied to a member), their asks and introductions (with the notes, which are theirs), and their account
    without its password hash."""
    held: dict[str, Any] = {}
    if member:
        held["member"] = member_profile(tx, member)
        held["graph"] = neighbourhood(tx, member, 1) if held["member"] else None
        held["asks"] = asks_of_member(tx, member)
        held["introductions"] = introductions_of(tx, member)
    found = account(tx, login)
    if found:
        held["account"] = {k: v for k, v in found.items() if k != "password_hash"}
    return held


def my_page(tx: Tx, member: str) -> dict[str, Any] | None:
    """The signed-in member's profile with their choices (introductions too)."""
    profile = member_profile(tx, member)
    if profile is not None:
        profile["introductions"] = (person_to_introduce(tx, member) or {}).get("introductions")
        profile["mail_language"] = recipient_language(tx, member)
    return profile


@bp.get("/me")
def me() -> str:
    """What graphapp holds about the signed-in member, and the way to take it away or have it forgotten."""
    viewer = current_viewer()
    profile = get_store().read(my_page, viewer.member) if viewer.member else None
    preferences = (
        url_for("pages.mail_preferences", token=preferences_token(viewer.member))
        if profile and viewer.member
        else None
    )
    return render_template(
        "pages/me.html", profile=profile, mail_preferences=preferences, forget_words=_("forget me")
    )


@bp.get("/me/data.json")
def my_data() -> Response:
    """Everything held about the signed-in member, as JSON: their node, every relationship, their account."""
    viewer = current_viewer()
    response = jsonify(get_store().read(data_held, viewer.login or "", viewer.member))
    response.headers["Content-Disposition"] = 'attachment; filename="graphapp-my-data.json"'
    return response


@bp.post("/me/consent")
def my_consent() -> Response:
    """The signed-in member's choices: who may see their email, and whether they may be suggested."""
    viewer = current_viewer()
    if not viewer.member:
        abort(400, _("Your account is not tied to a member of the network."))
    visibility = request.form.get("email_visibility")
    suggestible = request.form.get("suggestible")
    introductions = request.form.get("introductions")  # (absent: left as it is)
    if visibility not in EMAIL_VISIBILITY or suggestible not in SUGGESTIBLE:
        abort(
            400,
            _(
                "Who may see your email must be one of %(values)s, and being suggested yes or no.",
                values=", ".join(EMAIL_VISIBILITY),
            ),
        )
    if introductions is not None and introductions not in INTRODUCTIONS:
        abort(400, _("Introductions must be one of %(values)s.", values=", ".join(INTRODUCTIONS)))
    get_store().write(save_choices, viewer.member, visibility, suggestible, introductions)
    flash(_("Your choices are saved; they apply everywhere at once."))
    return redirect(url_for("pages.me"))  # type: ignore[return-value]


def save_choices(tx: Tx, member: str, visibility: str, suggestible: str, introductions: str | None) -> None:
    """A member's choices, in one transaction."""
    tx.touched([member])  # (what follows changes only them: suggestions are patched, not rebuilt)
    set_consent(tx, member, visibility, suggestible)
    if introductions is not None:
        set_introductions(tx, member, introductions)


def forget(tx: Tx, login: str, member: str | None) -> None:
    """Forget a person: their member node and every relationship of it, and their account."""
    if member:
        forget_member(tx, member)
    delete_account(tx, login)


@bp.post("/me/forget")
def forget_me() -> Response:
    """Forget the signed-in member: their node, every relationship, and their accounts, in one go."""
    viewer = current_viewer()
    typed = " ".join((request.form.get("confirm") or "").split()).casefold()
    if typed not in ("forget me", _("forget me").casefold()):
        abort(400, _("Type “%(words)s” in the box to confirm.", words=_("forget me")))
    get_store().write(forget, viewer.login or "", viewer.member)
    session.clear()
    return redirect(url_for("auth.login"))  # type: ignore[return-value]

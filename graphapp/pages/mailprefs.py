"""A member's mail preferences, opened from the link at the foot of every mail to them (a signed token,
no sign-in needed): which optional kinds of mail they get.

(Written by the lead so that mail links build from the start; helper D's fuller page replaces this module.)
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from graphapp.db import get_store
from graphapp.mail import KINDS, member_of_preferences_token
from graphapp.pages import bp
from graphapp.queries.cypher import Tx
from graphapp.queries.mail import mail_off, set_mail_off
from graphapp.queries.members import member_profile


def preferences_page(tx: Tx, member: str) -> dict[str, Any] | None:
    profile = member_profile(tx, member)
    return {"name": profile["name"], "off": mail_off(tx, member)} if profile else None


@bp.route("/mail/preferences/<token>", methods=["GET", "POST"])
def mail_preferences(token: str) -> Any:
    member = member_of_preferences_token(token)
    shown = get_store().read(preferences_page, member) if member else None
    if member is None or shown is None:
        abort(404, "This link to mail preferences is not valid (or the member is no longer in the network).")
    if request.method == "POST":
        wanted = set(request.form.getlist("kind"))
        off = {kind for kind, about in KINDS.items() if about.optional and kind not in wanted}
        get_store().write(set_mail_off, member, off)
        flash("Your mail preferences are saved.")
        return redirect(url_for("pages.mail_preferences", token=token))
    return render_template("pages/mail_preferences.html", kinds=KINDS, token=token, **shown)

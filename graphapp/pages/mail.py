"""Mail, as people see it: a member's mail preferences (opened from the link in every mail, without
signing in, or from "My data"), and the admins' mail page (the outbox, the queue, the failures, and
"retry now")."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from werkzeug import Response

from graphapp.accounts import now_iso
from graphapp.db import get_store
from graphapp.i18n import _
from graphapp.mail import KINDS, member_of_preferences_token
from graphapp.pages import bp
from graphapp.queries.cypher import Tx
from graphapp.queries.mail import mail_counts, mail_list, mail_off, retry_mail, set_mail_off
from graphapp.queries.members import hold_member, member_profile

__all__ = ["OPTIONAL_KINDS", "mail_admin_page", "preferences_page"]

#: The kinds of mail a member may turn off; the others answer something the person did.
OPTIONAL_KINDS = tuple(kind for kind, about in KINDS.items() if about.optional)


def preferences_page(tx: Tx, member: str) -> dict[str, Any] | None:
    """The member's name and the kinds of mail they turned off (None: no such member any more)."""
    profile = member_profile(tx, member)
    if profile is None:
        return None
    return {"name": profile["name"], "off": mail_off(tx, member)}


def save_preferences(tx: Tx, member: str, off: set[str]) -> bool:
    """Record the kinds a member turned off; False if the member is gone."""
    tx.touched([member])
    return hold_member(tx, member) and set_mail_off(tx, member, off)


def _member_of(token: str) -> str:
    member = member_of_preferences_token(token)
    if member is None:
        abort(
            404,
            _("This link to mail preferences is not one this site made; use the link in your latest mail."),
        )
    return member


@bp.route("/mail/preferences/<token>", methods=["GET", "POST"])
def mail_preferences(token: str) -> Any:
    """Which mails a member gets: one box per kind they may turn off. Opened by the signed token in the
    link of every mail, so it works without signing in."""
    member = _member_of(token)
    store = get_store()
    if request.method == "POST":
        wanted = set(request.form.getlist("kind"))
        unknown = wanted - set(OPTIONAL_KINDS)
        if unknown:
            abort(400, _("%(kinds)s: not a kind of mail you can choose.", kinds=", ".join(sorted(unknown))))
        if not store.write(save_preferences, member, set(OPTIONAL_KINDS) - wanted):
            abort(404, _("This member is no longer in the network."))
        flash(_("Your mail choices are saved."))
        return redirect(url_for("pages.mail_preferences", token=token))
    shown = store.read(preferences_page, member)
    if shown is None:
        abort(404, _("This member is no longer in the network."))
    return render_template(
        "pages/mail_preferences.html",
        **shown,
        optional=[(k, KINDS[k]) for k in OPTIONAL_KINDS],
        always=[(k, about) for k, about in KINDS.items() if not about.optional],
    )


def mail_admin_page(tx: Tx) -> dict[str, Any]:
    """The admins' view of the mail: counts, failures, the queue, and the outbox."""
    return {
        "counts": mail_counts(tx),
        "failed": mail_list(tx, ["failed"]),
        "queue": mail_list(tx, ["queued", "sending"]),
        "outbox": mail_list(tx, ["outbox"]),
    }


@bp.get("/admin/mail")
def mail_admin() -> str:
    """The mail page: what could not be sent and why, what waits, and the outbox (the mails kept because
    no mail server is set), readable in full."""
    interval = float(current_app.config.get("GRAPHAPP_MAIL_INTERVAL") or 0)
    return render_template("pages/mail_admin.html", **get_store().read(mail_admin_page), interval=interval)


@bp.post("/admin/mail/retry")
def mail_retry() -> Response:
    """Make a failed or waiting mail (or all of them) due now; the worker or ``graphapp mail send-queued``
    sends it on its next round."""
    mail = request.form.get("mail") or ""
    n = get_store().write(retry_mail, now_iso("microseconds"), mail)
    flash(
        ngettext(
            "%(num)d mail will be tried again on the next round of sending.",
            "%(num)d mails will be tried again on the next round of sending.",
            n,
        )
    )
    return redirect(url_for("pages.mail_admin"))

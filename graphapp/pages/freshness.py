"""Fresh profiles: the page a reminder's link opens (see the profile, confirm it in one click, or, for a
member left out for not answering, give their consent choices again), and the coordinators' list of
stale profiles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from graphapp import freshness
from graphapp.db import get_store
from graphapp.i18n import _, _l
from graphapp.pages import bp
from graphapp.pages.join import CHOICES
from graphapp.params import page_args
from graphapp.queries.cypher import Tx
from graphapp.queries.freshness import freshness_of, hold_members
from graphapp.queries.history import acting_as
from graphapp.queries.members import member_profile, paginate

__all__ = ["ConsentMissing", "answer_reminder", "confirm_page", "stale_page"]

#: The consent questions, as the join form asks them.
QUESTIONS = {
    "email_visibility": _l("Who may see my email address"),
    "suggestible": _l("May I be suggested to other members"),
    "introductions": _l("May other members ask to be introduced to me"),
}


def _timing() -> freshness.Timing:
    try:
        return freshness.Timing.from_config(current_app.config)
    except ValueError as e:
        abort(500, str(e))


def _now() -> datetime:
    return datetime.now(UTC)


def confirm_page(tx: Tx, member: str, now: datetime) -> dict[str, Any] | None:
    """The member's profile and freshness, for the page a reminder links to (None: no such member)."""
    profile = member_profile(tx, member)
    found = freshness_of(tx, [member])
    if profile is None or not found:
        return None
    state = found[0]
    last = freshness.last_confirmed(state)
    return {
        "profile": profile,
        "state": state,
        "last": last,
        "ago": freshness.ago(last, now),
        # (consent is asked afresh: nothing is chosen for them, as a pre-ticked box is no consent)
        "choices": {f: "" for f in freshness.CONSENT_FIELDS},
    }


def _member_of(token: str) -> str:
    member = freshness.member_of_confirmation_token(token)
    if member is None:
        abort(
            404,
            _(
                "This link has expired (a reminder's link lasts %(days)s days) or was not made by this site: "
                "sign in and confirm your profile from your own page.",
                days=freshness.link_days(current_app.config),
            ),
        )
    return member


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_link(token: str) -> Any:
    """The page a reminder links to, opened by its signed token without signing in: the profile as it
    is, confirmed in one click (a lapsed member gives their three consent choices again first)."""
    member = _member_of(token)
    store = get_store()
    now = _now()
    if request.method == "GET":
        shown = store.read(confirm_page, member, now)
        if shown is None:
            abort(404, _("This member is no longer in the network."))
        return _render(token, shown)
    typed = {f: (request.form.get(f) or "").strip() for f in freshness.CONSENT_FIELDS}
    try:
        with acting_as("link:reminder"):
            message = store.write(answer_reminder, member, typed, now)
    except ConsentMissing as e:
        e.shown["choices"] = typed
        return _render(token, e.shown, e.problems), 400
    if message is None:
        abort(404, _("This member is no longer in the network."))
    flash(message)
    return redirect(url_for("pages.confirm_link", token=token))


class ConsentMissing(Exception):
    """A lapsed member confirmed without making each consent choice (nothing was written)."""

    def __init__(self, shown: dict[str, Any], problems: list[str]) -> None:
        super().__init__("consent choices missing")
        self.shown = shown
        self.problems = problems


def answer_reminder(tx: Tx, member: str, typed: dict[str, str], now: datetime) -> str | None:
    """Confirm the member's profile, in one write transaction with the check of where they stand: a
    lapsed member must make the three consent choices (else :class:`ConsentMissing`), which brings them
    back. The words to thank them with; None: no such member."""
    stamp = now.isoformat(timespec="seconds")
    hold_members(tx, [member])  # (first: a reminder or lapse being decided meanwhile has committed, or waits)
    found = freshness_of(tx, [member])
    if not found:
        return None
    if found[0]["lapsed"]:
        problems = [
            _(
                "%(question)s: choose one of %(choices)s.",
                question=QUESTIONS[f],
                choices=", ".join(str(label) for _value, label in CHOICES[f]),
            )
            for f in freshness.CONSENT_FIELDS
            if typed[f] not in {value for value, _label in CHOICES[f]}
        ]
        if problems:
            shown = confirm_page(tx, member, now)
            assert shown is not None
            raise ConsentMissing(shown, problems)
        freshness.renew_consent(tx, member, typed, stamp)
        return str(
            _("Thank you: your profile and your choices are confirmed, and you are back in suggestions.")
        )
    freshness.confirm_profile(tx, member, stamp)
    return str(_("Thank you: your profile is confirmed."))


def _render(token: str, shown: dict[str, Any], problems: list[str] | None = None) -> str:
    return render_template(
        "pages/confirm_profile.html",
        **shown,
        token=token,
        questions=QUESTIONS,
        options=CHOICES,
        problems=problems or [],
    )


def stale_page(tx: Tx, now: datetime, timing: freshness.Timing) -> dict[str, Any]:
    """The stale profiles, lapsed first, with when each was confirmed and reminded."""
    rows = freshness.stale_members(tx, now, timing)
    return {
        "rows": rows,
        "lapsed": sum(1 for r in rows if r["lapsed"]),
        "reminded": sum(1 for r in rows if r["reminders"] and not r["lapsed"]),
    }


@bp.get("/members/stale")
def stale_members() -> str:
    """For coordinators: the profiles not confirmed in time, who was reminded when, who is left out."""
    timing = _timing()
    page, per_page = page_args(request.args, 50)
    shown = get_store().read(stale_page, _now(), timing)
    return render_template(
        "pages/stale_members.html",
        **shown,
        total=len(shown["rows"]),
        page_of=paginate(shown["rows"], page, per_page),
        timing=timing,
    )

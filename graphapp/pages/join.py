"""Asking to join: the public form and its "check your mail" page, the confirmation link, the
coordinators' queue of requests (approve, or decline with a reason) and the admins' trusted email domains.
The checks and the decisions are in :mod:`graphapp.joining`."""

from __future__ import annotations

from typing import Any

import pycountry
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from graphapp.auth import Viewer, current_viewer
from graphapp.db import get_store
from graphapp.i18n import _, _l, country_in, current_language, sort_key
from graphapp.joining import (
    DEFAULT_DAYS,
    FIELD_LABELS,
    ISSUE_KINDS,
    LIMITS,
    ApprovalRefused,
    JoinLimits,
    approve_request,
    check_request,
    decline_request,
    domain_problem,
    duplicates,
    follow_confirmation,
    form_catalog,
    new_token,
    now_iso,
    read_form,
    submit_request,
)
from graphapp.pages import bp
from graphapp.queries.cypher import Tx
from graphapp.queries.joining import (
    add_trusted_domain,
    remove_trusted_domain,
    requests_with_status,
    trusted_domains,
    waiting_count,
)
from graphapp.queries.schema import EMAIL_VISIBILITY, INTRODUCTIONS, LEVELS, SUGGESTIBLE

__all__ = ["JOIN_LIMITS", "home_part"]

#: Requests per address, per network and per email address (see graphapp.joining.JoinLimits).
JOIN_LIMITS = JoinLimits()

#: What a new form holds: the choices preset to the defaults members have.
EMPTY: dict[str, Any] = {
    "name": "",
    "email": "",
    "organisation": "",
    "new_organisation": "",
    "country": "",
    "title": "",
    "topics": {},
    "new_topic": "",
    "new_topic_level": "practising",
    "new_topic_anyway": "",
    "workstreams": [],
    "issue_kind": "",
    "issue_text": "",
    "issue_topics": [],
    "email_visibility": "members",
    "suggestible": "yes",
    "introductions": "yes",
}
CHOICES = {
    "email_visibility": [
        ("members", _l("Every member of the network")),
        ("coordinators", _l("Only the coordinators")),
        ("nobody", _l("Nobody")),
    ],
    "suggestible": [("yes", _l("Yes, suggest me to others")), ("no", _l("No, do not suggest me"))],
    "introductions": [("yes", _l("Yes")), ("no", _l("No"))],
}
assert {k: tuple(v for v, _ in c) for k, c in CHOICES.items()} == {
    "email_visibility": EMAIL_VISIBILITY,
    "suggestible": SUGGESTIBLE,
    "introductions": INTRODUCTIONS,
}


def _days() -> float:
    return float(current_app.config.get("GRAPHAPP_JOIN_DAYS") or DEFAULT_DAYS)


def _countries() -> dict[str, str]:
    """The countries the form offers, {name in the reader's language: its English name}, sorted as a reader
    of that language expects."""
    names = {}
    for c in pycountry.countries:
        english = getattr(c, "common_name", None) or c.name
        names[country_in(c.name) if current_language() != "en" else english] = english
    return {shown: names[shown] for shown in sorted(names, key=sort_key)}


def _country_in_english(typed: str) -> str:
    """A country typed in the reader's language (as the form's list offers it) by its English name, which
    the checks know; anything else as typed."""
    found = {shown.casefold(): english for shown, english in _countries().items()}
    return found.get(" ".join(typed.split()).casefold(), typed)


def _form(typed: dict[str, Any], catalog: dict[str, Any], problems: dict[str, str], status: int = 200) -> Any:
    return render_template(
        "pages/join.html",
        typed=typed,
        catalog=catalog,
        problems=problems,
        labels=FIELD_LABELS,
        limits=LIMITS,
        levels=LEVELS,
        issue_kinds=ISSUE_KINDS,
        choices=CHOICES,
        countries=_countries(),
        days=_days(),
    ), status


@bp.route("/join", methods=["GET", "POST"])
def join() -> Any:
    store = get_store()
    if request.method == "GET":
        return _form(dict(EMPTY), store.read(form_catalog), {})
    typed = read_form(request.form)
    if typed["website"]:  # the hidden field only a bot fills in: thanked, and nothing is kept
        return redirect(url_for("pages.join_sent"))
    catalog = store.read(form_catalog)
    shown_country = typed["country"]
    typed["country"] = _country_in_english(shown_country)
    problems = check_request(typed, catalog)
    if problems:
        typed["country"] = shown_country
    if problems:
        return _form(typed, catalog, problems, 400)
    what, seconds = JOIN_LIMITS.wait(store, request.remote_addr or "", typed["email"].lower())
    if seconds:
        minutes = max(1, -(-seconds // 60))
        message = {
            "network": _("Too many requests to join came from your network lately."),
            "address": _("Too many requests to join came from your address lately."),
            "email": _("Too many requests to join were sent for this email address lately."),
        }[what]
        again = ngettext("Try again in %(num)d minute.", "Try again in %(num)d minutes.", minutes)
        return _form(typed, catalog, {"": f"{message} {again}"}, 429)
    store.bookkeep(submit_request, typed, new_token(), now_iso(), _days())
    return redirect(url_for("pages.join_sent"))


@bp.get("/join/sent")
def join_sent() -> str:
    return render_template("pages/join_sent.html", days=_days())


@bp.get("/join/confirm/<token>")
def join_confirm(token: str) -> Any:
    outcome = follow_confirmation(get_store(), token)
    status = 404 if outcome["outcome"] == "unknown" else 200
    return render_template("pages/join_confirm.html", **outcome, days=_days()), status


def join_queue(tx: Tx) -> dict[str, Any]:
    """What the queue shows: the confirmed requests, oldest first, each with the names of what it picked
    and the members it may duplicate."""
    waiting = requests_with_status(tx, "confirmed")
    catalog = form_catalog(tx)
    names = {kind: {r["id"]: r["name"] for r in rows} for kind, rows in catalog.items()}
    shown = []
    for r in waiting:
        topics = [t.rpartition(":") for t in r["topics"] or []]
        shown.append(
            {
                **r,
                "organisation_name": names["organisations"].get(r["organisation"], r["organisation"]),
                "topic_levels": sorted(
                    ((names["topics"].get(t, t), level) for t, _, level in topics),
                    key=lambda x: x[0].casefold(),
                ),
                "workstream_names": [
                    f"{w}: {names['workstreams'].get(w, w)}" for w in r["workstreams"] or []
                ],
                "issue_topic_names": [names["topics"].get(t, t) for t in r["issue_topics"] or []],
                "new_topic_levels": [t.rpartition(":")[::2] for t in r.get("new_topics") or []],
            }
        )
    return {"requests": shown, "duplicates": duplicates(tx, waiting)}


def _queue(
    problems: dict[str, str] | None = None, reasons: dict[str, str] | None = None, status: int = 200
) -> Any:
    return render_template(
        "pages/join_requests.html",
        **get_store().read(join_queue),
        problems=problems or {},
        reasons=reasons or {},
        choices={k: dict(v) for k, v in CHOICES.items()},
        reason_limit=LIMITS["reason"],
    ), status


@bp.get("/join/requests")
def join_requests() -> Any:
    return _queue()


@bp.post("/join/requests/<request_id>/approve")
def join_approve(request_id: str) -> Any:
    try:
        member = get_store().write(
            approve_request, request_id, current_viewer().login or "", new_token(), now_iso()
        )
    except ApprovalRefused as e:
        return _queue({request_id: _("Not approved: %(reason)s", reason=str(e))}, status=409)
    flash(_("Approved: the member is in the network, and their invitation to create an account is mailed."))
    return redirect(url_for("pages.member", member=member))


@bp.post("/join/requests/<request_id>/decline")
def join_decline(request_id: str) -> Any:
    reason = (request.form.get("reason") or "").strip()
    problem = ""
    if not reason:
        problem = _("Give a reason: it is mailed to the person.")
    elif len(reason) > LIMITS["reason"]:
        problem = _("The reason is too long: at most %(most)s characters.", most=LIMITS["reason"])
    if problem:
        return _queue({request_id: problem}, {request_id: reason}, 400)
    if not get_store().bookkeep(decline_request, request_id, current_viewer().login or "", reason, now_iso()):
        abort(404, _("This request is not waiting for a decision."))
    flash(_("Declined: the reason is mailed to the person."))
    return redirect(url_for("pages.join_requests"))


def _domains_page(problem: str = "", typed: str = "", status: int = 200) -> Any:
    return render_template(
        "pages/join_domains.html", domains=get_store().read(trusted_domains), problem=problem, typed=typed
    ), status


@bp.get("/join/domains")
def join_domains() -> Any:
    return _domains_page()


@bp.post("/join/domains")
def join_add_domain() -> Any:
    domain = (request.form.get("domain") or "").strip().lower().rstrip(".")
    problem = domain_problem(domain)
    if problem:
        return _domains_page(problem, domain, 400)
    get_store().bookkeep(add_trusted_domain, domain, current_viewer().login or "", now_iso())
    flash(_("Confirmed requests from addresses at %(domain)s are now approved at once.", domain=domain))
    return redirect(url_for("pages.join_domains"))


@bp.post("/join/domains/<domain>/remove")
def join_remove_domain(domain: str) -> Any:
    if not get_store().bookkeep(remove_trusted_domain, domain):
        abort(404, _("%(domain)s is not a trusted domain.", domain=domain))
    flash(_("Requests from addresses at %(domain)s now wait for a coordinator again.", domain=domain))
    return redirect(url_for("pages.join_domains"))


def home_part(tx: Tx, viewer: Viewer) -> dict[str, Any] | None:
    """For a coordinator's home page: how many confirmed requests wait (nothing for others)."""
    if not viewer.at_least("coordinator"):
        return None
    return {"join_waiting": waiting_count(tx)}

"""The home page: for everyone, the network at a glance; for a signed-in person, above it, the parts of
their own work, by role (:data:`PARTS`): a member's suggestions and how complete their profile is, a
coordinator's gap summary, an admin's mail failures. The whole page reads in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template

from graphapp import reports, wording
from graphapp.auth import Viewer, current_viewer
from graphapp.db import get_store
from graphapp.i18n import _l
from graphapp.pages import asks, bp
from graphapp.pages.history import whats_new
from graphapp.pages.join import home_part as join_queue
from graphapp.pages.proposals import home_part as proposal_queue
from graphapp.queries.cypher import Tx
from graphapp.queries.mail import mail_counts
from graphapp.queries.members import member_profile, network_summary

__all__ = ["PARTS", "HomePart", "home_page"]

#: How many suggestions and gaps the home page shows (the member's page and the coverage page have all).
TOP = 3


@dataclass(frozen=True)
class HomePart:
    """One part of the home page: a read function ``(tx, viewer) -> dict | None`` (None: nothing to show
    this viewer), the partial template that renders its dict (the template sees it as ``part``), and the
    least role that sees it. Parts are read only for a signed-in viewer."""

    read: Callable[[Tx, Viewer], dict[str, Any] | None]
    template: str
    role: str


def my_suggestions(tx: Tx, viewer: Viewer) -> dict[str, Any] | None:
    """The signed-in member's best few suggestions, each with its first reason."""
    if not viewer.member:
        return None
    try:
        found = reports.suggest_peers(tx, viewer.member, limit=TOP)
    except reports.UnknownMember:
        return None
    return {
        "member": viewer.member,
        "note": wording.note(found),
        "suggestions": [
            {
                "id": s.id,
                "name": s.name,
                "organisation": s.organisation,
                "kind": s.kind,
                "reason": (wording.reasons(s) or [""])[0],
            }
            for s in found.suggestions
        ],
    }


#: What a complete profile has, in the words of the profile form.
PROFILE_PARTS: dict[str, Any] = {
    "title": _l("your title"),
    "organisation": _l("your organisation"),
    "country": _l("your country"),
    "interests": _l("your topics, with your level in each"),
    "workstreams": _l("the workstreams you take part in"),
    "email": _l("your email address"),
}


def my_profile(tx: Tx, viewer: Viewer) -> dict[str, Any] | None:
    """How complete the signed-in member's profile is: what it has, out of what, and what is missing."""
    if not viewer.member:
        return None
    profile = member_profile(tx, viewer.member)
    if profile is None:
        return None
    missing = [words for key, words in PROFILE_PARTS.items() if not profile.get(key)]
    return {
        "member": viewer.member,
        "name": profile["name"],
        "missing": missing,
        "done": len(PROFILE_PARTS) - len(missing),
        "of": len(PROFILE_PARTS),
    }


def gap_summary(tx: Tx, viewer: Viewer) -> dict[str, Any]:
    """The worst few gaps of the coverage report, in words, and how many there are of each severity."""
    report = reports.coverage_report(tx)
    return {
        "gaps": [{**g, "detail": wording.gap_detail(g)} for g in report["gaps"][:TOP]],
        "total": len(report["gaps"]),
        "by_severity": {
            wording.severity(int(level)): n
            for level, n in sorted(report["summary"]["gaps"].items(), reverse=True)
            if n
        },
    }


def mail_summary(tx: Tx, viewer: Viewer) -> dict[str, Any]:
    """The mail queue at a glance for admins: how many mails failed for good, wait, or are in the outbox."""
    return {"counts": mail_counts(tx), "dialect": tx.dialect}


#: The parts of the home page, in the order shown. A part is one line here: its read function, its
#: partial template and the least role that sees it.
PARTS: tuple[HomePart, ...] = (
    HomePart(my_suggestions, "pages/_home_suggestions.html", "member"),
    HomePart(my_profile, "pages/_home_profile.html", "member"),
    HomePart(asks.home_part, "pages/_home_asks.html", "member"),
    HomePart(whats_new, "pages/_home_whats_new.html", "member"),
    HomePart(join_queue, "pages/_home_join.html", "coordinator"),
    HomePart(proposal_queue, "pages/_home_proposals.html", "coordinator"),
    HomePart(gap_summary, "pages/_home_gaps.html", "coordinator"),
    HomePart(mail_summary, "pages/_home_mail.html", "admin"),
)


def home_page(tx: Tx, viewer: Viewer) -> dict[str, Any]:
    """Everything the home page shows this viewer, from one snapshot: the network's numbers and each of
    the parts the viewer's role sees, as (template, data)."""
    parts = []
    for part in PARTS:
        if viewer.at_least(part.role) and viewer.login:
            data = part.read(tx, viewer)
            if data is not None:
                parts.append((part.template, data))
    name = next((data["name"] for _, data in parts if data.get("name")), None)
    return {**network_summary(tx), "parts": parts, "name": name}


@bp.get("/")
def index() -> str:
    viewer = current_viewer()
    return render_template("pages/index.html", **get_store().read(home_page, viewer))

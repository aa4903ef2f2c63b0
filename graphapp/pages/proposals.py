"""The coordinators' queue of topic proposals: approve (the topic is made), map to a topic the network
has, or decline with a reason (mailed). The decisions are in :mod:`graphapp.proposals`."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from graphapp.auth import Viewer, current_viewer
from graphapp.db import get_store
from graphapp.i18n import _
from graphapp.introductions import Refused
from graphapp.pages import bp
from graphapp.proposals import REASON_LIMIT, approve_proposal, decline_proposal, map_proposal, vocabulary
from graphapp.queries.cypher import Tx
from graphapp.queries.proposals import member_names, proposals_with_status, waiting_count

__all__ = ["home_part", "proposals_page"]


def proposals_page(tx: Tx) -> dict[str, Any]:
    """What the queue shows: the waiting proposals, oldest first, each with its proposer's name and the
    closest topics the network has (to map it to), and every topic in use (for the map box)."""
    waiting = proposals_with_status(tx, "waiting")
    vocab = vocabulary(tx)
    names = member_names(tx, [p["member"] for p in waiting])
    shown = [
        {
            **p,
            "member_name": (names.get(p["member"]) or {}).get("name")
            or _("(a member no longer in the network)"),
            "closest": vocab.closest(p["name"]),
        }
        for p in waiting
    ]
    return {"proposals": shown, "topics": [t["name"] or t["id"] for t in vocab.in_use()]}


def _queue(
    problems: dict[str, str] | None = None, typed: dict[str, str] | None = None, status: int = 200
) -> Any:
    return render_template(
        "pages/proposals.html",
        **get_store().read(proposals_page),
        problems=problems or {},
        typed=typed or {},
        reason_limit=REASON_LIMIT,
    ), status


@bp.get("/topics/proposals")
def topic_proposals() -> Any:
    return _queue()


def _by() -> str:
    return current_viewer().login or ""


@bp.post("/topics/proposals/<proposal>/approve")
def topic_proposal_approve(proposal: str) -> Any:
    name = (request.form.get("name") or "").strip()
    try:
        done = get_store().write(approve_proposal, proposal, _by(), name)
    except Refused as e:
        return _queue(
            {proposal: _("Not approved: %(reason)s", reason=e.words)}, {f"name-{proposal}": name}, e.status
        )
    flash(
        ngettext(
            "Approved: ‘%(name)s’ is a topic now, held by the %(num)d member who proposed it.",
            "Approved: ‘%(name)s’ is a topic now, held by the %(num)d members who proposed it.",
            len(done["members"]),
            name=done["name"],
        )
    )
    return redirect(url_for("pages.topic_proposals"))


@bp.post("/topics/proposals/<proposal>/map")
def topic_proposal_map(proposal: str) -> Any:
    target = (request.form.get("topic") or "").strip()
    try:
        done = get_store().write(map_proposal, proposal, target, _by())
    except Refused as e:
        return _queue(
            {proposal: _("Not mapped: %(reason)s", reason=e.words)}, {f"topic-{proposal}": target}, e.status
        )
    flash(_("Mapped to ‘%(name)s’: the members who proposed it hold that topic now.", name=done["name"]))
    return redirect(url_for("pages.topic_proposals"))


@bp.post("/topics/proposals/<proposal>/decline")
def topic_proposal_decline(proposal: str) -> Any:
    reason = (request.form.get("reason") or "").strip()
    try:
        get_store().write(decline_proposal, proposal, _by(), reason)
    except Refused as e:
        return _queue(
            {proposal: _("Not declined: %(reason)s", reason=e.words)},
            {f"reason-{proposal}": reason},
            e.status,
        )
    flash(_("Declined: the reason is mailed to the member."))
    return redirect(url_for("pages.topic_proposals"))


def home_part(tx: Tx, viewer: Viewer) -> dict[str, Any] | None:
    """For a coordinator's home page: how many topic proposals wait (nothing for others)."""
    if not viewer.at_least("coordinator"):
        return None
    return {"proposals_waiting": waiting_count(tx)}

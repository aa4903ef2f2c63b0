"""The member directory (filtered by topic, level, workstream, organisation, country, region or name) and a
member's profile with their suggested peers. The organisation, topic, ... pages show a directory too
(:func:`directory_of`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import abort, render_template, request

from graphapp.analytics.suggestions import MODES, Suggestions
from graphapp.auth import BEEN_THERE_ROLE, current_viewer
from graphapp.contactmap import View
from graphapp.db import get_store
from graphapp.exports import country_name
from graphapp.freshness import ago, confirmation_token, last_confirmed
from graphapp.i18n import country_in, current_language, local_name, sorted_by_name
from graphapp.pages import bp
from graphapp.pages.library import member_resources
from graphapp.pages.projects import projects_section
from graphapp.params import member_filter, mode_arg, page_args
from graphapp.privacy import redact_people, redact_person
from graphapp.proposals import UnknownTopic, named_topic
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.cypher import Tx
from graphapp.queries.freshness import freshness_of
from graphapp.queries.introductions import introductions_off
from graphapp.queries.members import (
    MemberFilter,
    member_profile,
)
from graphapp.queries.proposals import proposals_of
from graphapp.queries.schema import LEVELS, graph_revision
from graphapp.reports import UnknownMember, choice_lists, directory, suggest_peers
from graphapp.wording import balance_note


def directory_of(tx: Tx, where: MemberFilter, page: int, per_page: int) -> dict[str, Any]:
    """One page of the members ``where`` selects, and the counts of each filter's values among them. Its
    topic may be typed as a name or alias; one that matches nothing finds nobody, and ``topic_problem``
    says so, with "did you mean"."""
    try:
        where = named_topic(tx, where)
    except UnknownTopic as e:
        found = directory(tx, replace(where, topic="\x00"), page, per_page)
        return {"where": where, **found, "topic_problem": e.words}
    return {"where": where, **directory(tx, where, page, per_page)}


def filter_choices(tx: Tx) -> dict[str, list[dict[str, Any]]]:
    """What the directory's and the explorer's forms offer to choose from, each list sorted by the name
    shown (topics and organisations by their names in the reader's language when they have one: countries
    by their names in the reader's language); workstreams by id (WS1, WS2...)."""

    def sort() -> dict[str, list[dict[str, Any]]]:
        kept = choice_lists(tx)
        return {
            "topics": sorted_by_name(kept["topics"], local_name),
            "workstreams": kept["workstreams"],
            "organisations": sorted_by_name(kept["organisations"], local_name),
            "places": countries_by_name(kept["places"]),
        }

    # Kept per graph revision and language: sorting 2,000 names as a reader expects takes 80 ms.
    sorted_lists: dict[str, list[dict[str, Any]]] = tx.derived.get(
        f"choices-{current_language()}", graph_revision(tx), sort
    )
    return sorted_lists


def countries_by_name(places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Countries (rows with an ISO-3 ``id``), each with its ``name`` in the reader's language, sorted by
    that name as a reader expects (in French, "Suisse" after "Royaume-Uni")."""
    named = [{**c, "name": country_in(country_name(c["id"]))} for c in places]
    return sorted_by_name(named, lambda c: c["name"])


def directory_page(tx: Tx, where: MemberFilter, page: int, per_page: int) -> dict[str, Any]:
    """The directory page: the members found, and the choices of its filter form."""
    return {**directory_of(tx, where, page, per_page), "choices": filter_choices(tx)}


def member_page(
    tx: Tx, member: str, mode: str, viewer_member: str | None = None, suggest: bool = True
) -> dict[str, Any] | None:
    """A member's profile and their ten best suggested peers (None: no such member; none read unless
    ``suggest``); for a signed-in member, who takes introductions (whom they were introduced to comes
    with the viewer)."""
    profile = member_profile(tx, member)
    if profile is not None:  # (the topics they proposed, waiting for a coordinator, with their levels)
        profile["proposals"] = proposals_of(tx, member)
    if profile is None:
        return None
    return {
        "profile": profile,
        "suggestions": suggest_peers(tx, member, limit=10, mode=mode) if suggest else None,
        "introductions_off": introductions_off(tx) if viewer_member else set(),
        "freshness": (freshness_of(tx, [member]) or [{}])[0],
        "shared": member_resources(tx, member, current_viewer()),  # (issue 14 §4: what they shared)
        "projects": projects_section(tx, "member", member),  # (issue 14: the member's projects and roles)
    }


def redacted(directory: dict[str, Any]) -> dict[str, Any]:
    """A directory with what the viewer may not see about each person taken out."""
    directory["results"].items = redact_people(directory["results"].items, current_viewer())
    return directory


@bp.get("/members")
def members() -> str:
    where = member_filter(request.args)
    page, per_page = page_args(request.args, 25)
    shown = redacted(get_store().read(directory_page, where, page, per_page))
    return render_template("pages/members.html", **shown, levels=LEVELS, regions=M49_REGIONS)


@bp.get("/members/<member>")
def member(member: str) -> str:
    mode = mode_arg(request.args)
    try:
        viewer = current_viewer()
        # (the been-there mode shows projects, which are for members, as the projects list is)
        suggest = mode != "been-there" or viewer.at_least(BEEN_THERE_ROLE)
        shown = get_store().read(member_page, member, mode, viewer.member, suggest)
    except UnknownMember:
        shown = None
    if shown is None:
        abort(404, f"There is no member with the id {member!r}.")
    return render_template(
        "pages/member.html",
        profile=redact_person(shown["profile"], viewer),
        suggestions=shown["suggestions"],
        balance=balance_note(shown["suggestions"]) if isinstance(shown["suggestions"], Suggestions) else [],
        partners=viewer.partners,
        introductions_off=shown["introductions_off"],
        mode=mode,
        modes=MODES,
        view=View("member", member),
        shared=shown["shared"],
        projects=shown["projects"],
        **_freshness(shown["freshness"], own=viewer.member == member),
    )


def _freshness(state: dict[str, Any], own: bool) -> dict[str, Any]:
    """When the profile was last confirmed, in words; for its owner, the link to confirm it now."""
    last = last_confirmed(state)
    return {
        "confirmed_ago": ago(last, datetime.now(UTC)),
        "confirmed_on": last[:10],
        "lapsed": state.get("lapsed") or "",
        "confirm_token": confirmation_token(state["id"]) if own and state else "",
    }

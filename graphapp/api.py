"""The JSON API: everything the pages show, under ``/api/``, described by ``/api/openapi.json``.

Each operation is described once, where it is written: flask-smorest reads its parameters (the schemas
of :mod:`graphapp.params`, which also check them), its documented answers and its docstring (the first
line is the summary) into the OpenAPI document. Errors are JSON too: ``{"error": {"status": 404,
"message": "..."}}`` with the matching status (400 for a parameter that cannot be used, 404 for something
that is not there, 401/403 for a caller who may not ask, 503 when the database is down).

Each answer reads in one transaction (one snapshot of the graph; see docs/architecture.md for the one
exception, the side reads of a whole-graph rebuild on Neo4j): the view hands the store one function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, Response, abort, current_app, jsonify

from graphapp import reports, wording
from graphapp.apidoc import Blueprint, Graph, Page, answer, api_document, required
from graphapp.auth import BEEN_THERE_ROLE, current_viewer
from graphapp.contactmap import View, named_view
from graphapp.db import get_store
from graphapp.exports import FORMATS, export, read_export
from graphapp.params import (
    AnswerBody,
    AreaCoverageArgs,
    AskBody,
    AsOfArgs,
    CloseBody,
    DepthArgs,
    HistoryArgs,
    IntroductionBody,
    MemberFilterArgs,
    MergeBody,
    OfferBody,
    OrganisationChangeBody,
    ProgressNoteBody,
    ProgressNoteChangeBody,
    ProjectBody,
    ProjectChangeBody,
    ProjectFilterArgs,
    ResourceBody,
    ResourceChangeBody,
    ResourceFilterArgs,
    SuggestionArgs,
    TopicChangeBody,
    ViewArgs,
    paging,
)
from graphapp.privacy import redact_graph, redact_people, redact_person
from graphapp.queries.contactmap import read_map
from graphapp.queries.cypher import Tx
from graphapp.queries.members import (
    MemberFilter,
    member_profile,
    network_summary,
    organisation_list,
    paginate,
    place_list,
    topic_list,
    workstream_list,
)
from graphapp.queries.schema import schema_version
from graphapp.queries.subgraph import UnknownSubject, neighbourhood

__all__ = ["bp", "init_app"]

DESCRIPTION = (
    "The network of data science unit leaders in official statistics: members, organisations, topics "
    "and workstreams, peer suggestions, coverage gaps and contact maps. Every call but this document and "
    "/api/health needs a signed-in caller (the session cookie of the sign-in page) of a high enough role "
    "(401, 403; see docs/trust.md); 400 says which parameter cannot be used and why; 503 means the "
    "database is unavailable, try again shortly. Calls that change something (POST) take a JSON body and "
    "the CSRF token of the signed-in session in the X-CSRFToken header (the token any page's forms carry, "
    "in their csrf_token field); 404 says what is not there, 409 what cannot be done now and why, 429 that "
    "a limit is reached."
)


bp = Blueprint("api", __name__, url_prefix="/api", description="graphapp's JSON API.")


def init_app(app: Flask) -> None:
    """Register the API's calls and its document (at /api/openapi.json)."""
    api = api_document(DESCRIPTION)
    api.init_app(app)
    api.register_blueprint(bp)


@bp.get("/openapi.json")
@bp.answers(None, "The OpenAPI document.")
def openapi() -> Response:
    """This document."""
    return jsonify(flask_smorest.current_api.spec.to_dict())


@bp.get("/health")
@bp.answers(
    answer(
        "Health",
        **required("status"),
        store=ma.fields.String(required=True, metadata={"description": "Which database this is."}),
        schema_version=ma.fields.Raw(required=True),
        ready=ma.fields.Boolean(
            required=True,
            metadata={
                "description": "For a load balancer's readiness check: the database answers and this "
                "server's caches are prepared (or it prepares none)."
            },
        ),
        caches=ma.fields.String(
            required=True,
            validate=ma.validate.OneOf(["warming", "ready", "off"]),
            metadata={
                "description": "warming: the server, just started, is still preparing the suggestion index "
                "and the coverage report (pages answer meanwhile); ready: done; off: not prepared "
                "ahead (GRAPHAPP_WARM_UP=0), each is made by its first reader."
            },
        ),
        cache_states=ma.fields.Dict(
            keys=ma.fields.String(),
            values=ma.fields.String(validate=ma.validate.OneOf(["waiting", "warming", "ready", "failed"])),
            required=True,
            metadata={"description": "Each cache prepared at the start, and how far it is."},
        ),
        cache_seconds=ma.fields.Dict(
            keys=ma.fields.String(),
            values=ma.fields.Float(),
            required=True,
            metadata={"description": "How long each cache prepared so far took, in seconds."},
        ),
    ),
    "The store, its schema version, and whether this server's caches are ready.",
)
def health() -> Response:
    """Whether the database answers (for monitoring: 200, or 503 with the reason) and whether this server
    has prepared its caches (for a load balancer's readiness check: ``ready``)."""
    from graphapp.warmup import warm_up_of

    store = get_store()
    version = store.read(schema_version)
    warm = warm_up_of(current_app)
    state = warm.state() if warm is not None else {"caches": "off", "steps": {}, "seconds": {}}
    return jsonify(
        {
            "status": "ok",
            "store": store.description,
            "schema_version": version,
            "ready": state["caches"] != "warming",
            "caches": state["caches"],
            "cache_states": state["steps"],
            "cache_seconds": state["seconds"],
        }
    )


@bp.get("/summary")
@bp.answers(
    answer("Summary", **required("counts", "countries", "regions")),
    "Counts of nodes and relationships by kind, countries and regions.",
)
def summary() -> Response:
    """What the network holds at a glance."""
    return jsonify(get_store().read(network_summary))


@bp.get("/members")
@bp.query(MemberFilterArgs)
@bp.query(paging(25))
@bp.answers(Page, "A page of members, with the filters used and facets.", 404)
def members(where: MemberFilter, pages: tuple[int, int]) -> Response:
    """Members found by name and filters, a page at a time, and what they connect to. A topic is named
    by its id, name or an alias (any case); one that matches nothing is answered 404 with "did you mean"."""
    from graphapp.proposals import UnknownTopic, named_topic

    def read(tx: Tx) -> Any:
        found = named_topic(tx, where)
        return found, reports.directory(tx, found, *pages)

    try:
        where, shown = get_store().read(read)
    except UnknownTopic as e:
        abort(404, e.message)
    found = shown["results"]
    found.items = redact_people(found.items, current_viewer())
    return jsonify({"filters": where.active(), **found.as_dict(), "facets": shown["facets"]})


@bp.get("/members/<member>")
@bp.answers(answer("Member", **required("id", "name")), "The member.", 404)
def member(member: str) -> Response:
    """One member: organisation, interests with levels, workstreams and contacts."""
    profile = get_store().read(member_profile, member)
    if profile is None:
        abort(404, f"no member with the id {member!r}")
    return jsonify(redact_person(profile, current_viewer()))  # (the viewer's introductions: their partners)


@bp.get("/members/<member>/suggestions")
@bp.query(SuggestionArgs)
@bp.answers(answer("Suggestions", **required("member", "mode", "suggestions")), "The suggestions.", 404)
def suggestions(options: dict[str, Any], member: str) -> Response:
    """Suggested peers, mentors and mentees, each with a score, a kind and the reasons; in the mode
    ``been-there``, people whose projects on the member's topics are stages ahead (each with ``ahead``,
    one entry per topic). ``topic`` is a topic's id, name or alias (any case); one that matches nothing
    is answered 404 with "did you mean". The mode ``been-there`` shows projects, which are for members:
    below that it is answered 403."""
    from graphapp.proposals import UnknownTopic, find_topic

    if options.get("mode") == "been-there" and not current_viewer().at_least(BEEN_THERE_ROLE):
        abort(
            403, "The been-there mode shows projects, which are for members: sign in as a member to see it."
        )

    def read(tx: Tx) -> Any:
        topic = find_topic(tx, options["topic"]) if options.get("topic") else None
        return reports.suggest_peers(tx, member, **{**options, "topic": topic})

    try:
        found = get_store().read(read)
    except reports.UnknownMember as e:
        abort(404, str(e))
    except UnknownTopic as e:
        abort(404, e.message)
    return jsonify(wording.worded_suggestions(found))


@bp.get("/members/<member>/neighbourhood")
@bp.query(DepthArgs)
@bp.answers(Graph, "Nodes and relationships.", 404)
def member_neighbourhood(args: dict[str, int], member: str) -> Response:
    """The member and everything within one or two hops."""
    try:
        graph = get_store().read(neighbourhood, member, args["depth"])
    except UnknownSubject as e:
        abort(404, str(e))
    return jsonify(redact_graph(graph, current_viewer()))


def _list(read: Callable[[Tx], list[dict[str, Any]]], pages: tuple[int, int]) -> Response:
    return jsonify(paginate(get_store().read(read), *pages).as_dict())


@bp.get("/organisations")
@bp.query(paging(100))
@bp.answers(Page, "A page of organisations.")
def organisations(pages: tuple[int, int]) -> Response:
    """Organisations with their number of members."""
    return _list(organisation_list, pages)


@bp.get("/topics")
@bp.query(paging(100))
@bp.answers(Page, "A page of topics.")
def topics(pages: tuple[int, int]) -> Response:
    """Topics with their holders by level."""
    return _list(topic_list, pages)


@bp.get("/areas")
@bp.answers(
    answer("Areas", **required("areas", "sources", "count", "topics_placed")),
    "The competence taxonomy as a tree: the top areas, each with its id, name, description, narrower "
    "areas and the topics placed in it (id, name, retired, members per level); the sources the areas "
    "were derived from; how many areas and topics placed in all.",
)
def areas() -> Response:
    """The competence areas, in a hierarchy, with the topics placed in each."""
    from graphapp.taxonomy import taxonomy_tree

    return jsonify(get_store().read(taxonomy_tree))


@bp.get("/workstreams")
@bp.query(paging(100))
@bp.answers(Page, "A page of workstreams.")
def workstreams(pages: tuple[int, int]) -> Response:
    """Workstreams with leads, members and covered topics."""
    return _list(workstream_list, pages)


@bp.get("/places")
@bp.query(paging(100))
@bp.answers(Page, "A page of countries.")
def places(pages: tuple[int, int]) -> Response:
    """Countries with members, with their region."""
    return _list(place_list, pages)


@bp.get("/vocabulary")
@bp.answers(
    answer("Vocabulary", **required("topics", "organisations")),
    "Every topic (id, name, aliases, description, status, holders by level, covering workstreams) and "
    "organisation (id, name, aliases, kind, country, members), by name.",
)
def vocabulary() -> Response:
    """The vocabulary coordinators keep, for scripts: topics and organisations with every name they go by."""
    from graphapp.queries.vocabulary import vocabulary_of

    return jsonify(get_store().read(vocabulary_of))


@bp.get("/gaps")
@bp.query(AsOfArgs)
@bp.answers(answer("Gaps", **required("summary", "gaps")), "The report.")
def gaps(options: dict[str, Any]) -> Response:
    """The coverage report: gaps most severe first, brokers and clusters of interest; with ``as_of``, of
    the network as it stood at the end of that day, rebuilt from the history."""
    day = options["as_of"]
    if day is None:
        return jsonify(wording.worded_report(get_store().read(reports.coverage_report)))
    return jsonify(wording.worded_report(get_store().read(reports.coverage_report_as_of, day)))


# --- Coverage by competence area and region (issue 14 §3, rollup) ---------------------------------------


@bp.get("/coverage/areas")
@bp.query(AreaCoverageArgs)
@bp.answers(
    answer("AreaCoverage", **required("regions", "levels", "areas", "findings", "summary", "said")),
    "The competence areas as a tree, each with its members per level across the network (network) and "
    "per region (regions: expert, practising, learning, members), its findings and its narrower areas; "
    "every finding (kind: no-expert-anywhere, no-expert-in-region or demand-exceeds-supply; area, name, "
    "depth, region (null: across the network), numbers, detail); the summary's counts and its sentences.",
)
def area_coverage(options: dict[str, Any]) -> Response:
    """Coverage by competence area and region: who holds each area's topics at each level, where no expert
    is and where learners outnumber experts, at every level of the hierarchy; ``region``: one region."""
    from graphapp.analytics.rollup import in_region

    rolled = get_store().read(reports.area_coverage)
    region = options["region"]
    return jsonify(wording.worded_area_coverage(in_region(rolled, region) if region else rolled))


@bp.get("/heatmap")
@bp.answers(answer("HeatMap", **required("regions", "topics")), "Regions, and a row of counts per topic.")
def heatmap() -> Response:
    """Members holding each topic in each region."""
    return jsonify(get_store().read(reports.heat_map))


@bp.get("/subgraph")
@bp.query(ViewArgs)
@bp.answers(Graph, "Nodes and relationships.", 404)
def subgraph_of(view: View) -> Response:
    """The nodes and relationships of a view: the network, a topic, workstream, organisation, country,
    region or a member's neighbourhood, or an aggregated view."""
    try:
        graph = get_store().read(lambda tx: read_map(tx, named_view(tx, view)))
    except UnknownSubject as e:
        abort(404, str(e))
    return jsonify(redact_graph(graph, current_viewer()))


@bp.route(
    "/export/<fmt>",
    methods=["GET"],
    parameters=[
        {"in": "path", "name": "fmt", "description": "The format.", "schema": {"enum": list(FORMATS)}}
    ],
)
@bp.query(ViewArgs)
@bp.answers(None, "The file, as an attachment.", 404)
@bp.doc(
    description="; ".join(f"{name}: {f.description}" for name, f in FORMATS.items()),
    responses={
        "200": {
            "content": {
                f.media_type.split(";")[0]: {
                    "schema": {"type": "object"}  # Cytoscape.js JSON
                    if f.media_type == "application/json"
                    else {"type": "string", "format": "binary"}
                }
                for f in FORMATS.values()
            }
        }
    },
)
def export_view(view: View, fmt: str) -> Response:
    """A contact map of a view as a file."""
    if fmt not in FORMATS:
        abort(404, f"no export format {fmt!r}; there are {', '.join(FORMATS)}")
    try:
        data = get_store().read(read_export, view, view.title())
    except UnknownSubject as e:
        abort(404, str(e))
    viewer = current_viewer()
    data.people = redact_people(data.people, viewer)
    data.graph = redact_graph(data.graph, viewer)
    spec = FORMATS[fmt]
    return Response(
        export(data, fmt),
        content_type=spec.media_type,  # (as the table says it: `mimetype=` would add a second charset)
        headers={"Content-Disposition": f'attachment; filename="{view.slug()}.{spec.extension}"'},
    )


# --- The history ------------------------------------------------------------------------------------------


@bp.get("/history")
@bp.query(HistoryArgs)
@bp.query(paging(50))
@bp.answers(Page, "A page of changes, newest first, with the filters used.")
def history(filters: dict[str, str], pages: tuple[int, int]) -> Response:
    """The history of every change (an import's one by one): who, when, what, each field before and after;
    filtered by member (name or id), kind, who, days and import. For admins."""
    from graphapp.pages.history import history_api_page

    found = get_store().read(history_api_page, filters, *pages, current_viewer())
    return jsonify({"filters": {k: v for k, v in filters.items() if v}, **found.as_dict()})


# --- Asks and introductions -------------------------------------------------------------------------------

#: Every write below: a JSON body, the session's CSRF token in the X-CSRFToken header (Flask-WTF).
CSRF = "Needs the session's CSRF token in the X-CSRFToken header."


def _do(work: Callable[..., Any], *args: Any) -> Any:
    """Run an action in one write transaction; what it refuses is answered with its status and reason."""
    from graphapp.accounts import now_iso
    from graphapp.introductions import Refused

    try:
        return get_store().write(work, *args, now_iso())
    except Refused as e:
        abort(e.status, e.message)


def _ask_read(tx: Tx, ask: str, viewer_member: str | None) -> dict[str, Any] | None:
    from graphapp.pages.asks import ask_view

    return ask_view(tx, ask, viewer_member)


@bp.get("/asks")
@bp.query(paging(25))
@bp.answers(Page, "A page of open asks, newest first.")
def asks(pages: tuple[int, int]) -> Response:
    """Open asks: issues members want to discuss (kind, text, topics, who asks)."""
    from graphapp.queries.asks import open_asks

    return _list(open_asks, pages)


@bp.route("/asks", methods=["POST"])
@bp.arguments(AskBody, location="json")
@bp.answers(answer("Ask", **required("id", "kind", "text", "topics", "status")), "The ask posted.", 404, 409)
@bp.doc(description=CSRF)
def post_ask(body: dict[str, Any]) -> Response:
    """Post an ask as the signed-in member; the best placed experts get a mail."""
    from graphapp.asks import post_ask as post

    topics = body["topics"]
    return jsonify(_do(post, current_viewer().member, body["kind"], body["text"], topics))


@bp.get("/asks/<ask>")
@bp.answers(answer("AskWithHelpers", **required("ask", "helpers", "offers")), "The ask.", 404)
def ask(ask: str) -> Response:
    """An ask, who is best placed to help (ranked, with reasons) and its offers (each note only to the asker
    and to the one who offered)."""
    viewer = current_viewer()
    shown = get_store().read(_ask_read, ask, viewer.member)
    if shown is None:
        abort(404, f"no ask with the id {ask!r}")
    return jsonify(
        {"ask": shown["ask"], "helpers": wording.worded_helpers(shown["helpers"]), "offers": shown["offers"]}
    )


@bp.route("/asks/<ask>/offers", methods=["POST"])
@bp.arguments(OfferBody, location="json")
@bp.answers(answer("Offer", **required("id", "ask", "member")), "The offer made.", 404, 409)
@bp.doc(description=CSRF)
def offer(body: dict[str, str], ask: str) -> Response:
    """Offer to help with an open ask; the asker gets a mail."""
    from graphapp.asks import offer_help

    return jsonify(_do(offer_help, current_viewer().member, ask, body["note"]))


@bp.route("/asks/<ask>/offers/<offer>/pick", methods=["POST"])
@bp.answers(answer("Picked", **required("ask", "offer", "introduced")), "The two are introduced.", 404, 409)
@bp.doc(description=CSRF)
def pick(ask: str, offer: str) -> Response:
    """The asker picks an offer: the two are introduced at once (they see each other's email; the contact
    is recorded)."""
    from graphapp.asks import pick_offer

    return jsonify(_do(pick_offer, current_viewer().member, ask, offer))


@bp.route("/asks/<ask>/close", methods=["POST"])
@bp.arguments(CloseBody, location="json")
@bp.answers(answer("Closed", **required("id", "status")), "The ask, closed.", 404, 409)
@bp.doc(description=CSRF)
def close_ask(body: dict[str, str], ask: str) -> Response:
    """The asker closes their ask as resolved or withdrawn."""
    from graphapp.asks import close

    return jsonify(_do(close, current_viewer().member, ask, body["outcome"]))


@bp.get("/introductions")
@bp.answers(
    answer("Introductions", **required("waiting", "others", "asked_this_week", "limit")),
    "The signed-in member's introductions.",
)
def introductions() -> Response:
    """My introductions: those waiting for my answer, the others (asked by me or of me), and how many I
    asked for in the last seven days against the weekly limit."""
    from graphapp.accounts import now_iso
    from graphapp.pages.introductions import mine

    viewer = current_viewer()
    if not viewer.member:
        return jsonify({"waiting": [], "others": [], "asked_this_week": 0, "limit": 0})
    return jsonify(get_store().read(mine, viewer.member, now_iso()))


@bp.route("/introductions", methods=["POST"])
@bp.arguments(IntroductionBody, location="json")
@bp.answers(
    answer("IntroductionAsked", **required("id", "to", "status")), "The request, mailed.", 404, 409, 429
)
@bp.doc(description=CSRF)
def ask_for_introduction(body: dict[str, str]) -> Response:
    """Ask to be introduced to a member, with a short note; they get a mail with a link to answer."""
    from graphapp.introductions import request_introduction

    viewer = current_viewer()
    return jsonify(
        _do(
            request_introduction,
            viewer.member,
            body["to"],
            body["note"],
            body["kind"],
            body["ask"],
        )
    )


@bp.route("/introductions/<introduction>/answer", methods=["POST"])
@bp.arguments(AnswerBody, location="json")
@bp.answers(answer("IntroductionAnswered", **required("id", "status")), "The answer, recorded.", 404, 409)
@bp.doc(description=CSRF)
def answer_introduction(body: dict[str, str], introduction: str) -> Response:
    """Accept or decline an introduction asked of me; the asker is told (a decline without a reason)."""
    from graphapp.accounts import now_iso
    from graphapp.introductions import Refused
    from graphapp.introductions import answer as answer_it

    try:
        done = get_store().write(
            answer_it,
            body["answer"] == "accept",
            now_iso(),
            introduction=introduction,
            member=current_viewer().member,
        )
    except Refused as e:
        abort(e.status, e.message)
    return jsonify({k: v for k, v in done.items() if k != "token_hash"})


@bp.get("/introductions/stats")
@bp.answers(answer("IntroductionStats", **required("kinds")), "Counts by where introductions came from.")
def introduction_stats() -> Response:
    """How introductions fare, by where they were asked from (counts only, never the notes)."""
    return jsonify({"kinds": get_store().read(reports.introduction_stats_of)})


# --- The vocabulary (coordinators; issue 13) -----------------------------------------------------------------


def _vocabulary_change(what: str, node_id: str, body: dict[str, Any]) -> Response:
    from graphapp.introductions import Refused
    from graphapp.vocabulary import update

    try:
        return jsonify(get_store().write(update, what, node_id, **body))
    except Refused as e:
        abort(e.status, e.message)


def _vocabulary_merge(what: str, node_id: str, body: dict[str, Any]) -> Response:
    from graphapp.introductions import Refused
    from graphapp.vocabulary import merge, plan_merge

    store = get_store()
    try:
        if body["dry_run"]:
            return jsonify({**store.read(plan_merge, what, node_id, body["into"]).as_dict(), "done": False})
        return jsonify({**store.write(merge, what, node_id, body["into"]).as_dict(), "done": True})
    except Refused as e:
        abort(e.status, e.message)


VOCABULARY_NODE = answer("VocabularyNode", **required("id", "name", "aliases"))
MERGE_PLAN = answer("Merge", **required("kind", "merged", "kept", "members", "summary", "done"))


@bp.route("/topics/<topic>", methods=["POST"])
@bp.arguments(TopicChangeBody, location="json")
@bp.answers(VOCABULARY_NODE, "The topic as it is now.", 404, 409)
@bp.doc(description=CSRF)
def change_topic(body: dict[str, Any], topic: str) -> Response:
    """Rename a topic (its old name stays an alias), add or remove aliases, describe, retire or put it back
    in use: one transaction, in that order; each change in the history."""
    return _vocabulary_change("topic", topic, body)


@bp.route("/topics/<topic>/merge", methods=["POST"])
@bp.arguments(MergeBody, location="json")
@bp.answers(MERGE_PLAN, "What moved (or, with dry_run, would move).", 404, 409)
@bp.doc(description=CSRF)
def merge_topic(body: dict[str, Any], topic: str) -> Response:
    """Merge a topic into another: every interest moves (the higher level where a member held both), and
    workstreams' covers; its names become the kept topic's aliases; in the history."""
    return _vocabulary_merge("topic", topic, body)


@bp.route("/organisations/<organisation>", methods=["POST"])
@bp.arguments(OrganisationChangeBody, location="json")
@bp.answers(VOCABULARY_NODE, "The organisation as it is now.", 404, 409)
@bp.doc(description=CSRF)
def change_organisation(body: dict[str, Any], organisation: str) -> Response:
    """Rename an organisation (its old name stays an alias), add or remove aliases: one transaction, in
    that order; each change in the history."""
    return _vocabulary_change("organisation", organisation, body)


@bp.route("/organisations/<organisation>/merge", methods=["POST"])
@bp.arguments(MergeBody, location="json")
@bp.answers(MERGE_PLAN, "What moved (or, with dry_run, would move).", 404, 409)
@bp.doc(description=CSRF)
def merge_organisation(body: dict[str, Any], organisation: str) -> Response:
    """Merge an organisation into another: every member working there moves; its names become the kept
    one's aliases; in the history."""
    return _vocabulary_merge("organisation", organisation, body)


# --- The journey (issue 14 §2; part "journey"): the themes-by-stage map and the themes ---------------------


def _journey_cell(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "stage": c["stage"],
        "workstreams": [w["id"] for w in c["workstreams"]],
        "projects": [p["id"] for p in c["projects"]],
        "members": c["people"]["count"],
        "to_be_defined": c["to_be_defined"],
    }


def _journey_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: r[k] for k in ("id", "name", "kind", "position")},
        "cells": [_journey_cell(c) for c in r["cells"]],
    }


def _stage_columns() -> list[dict[str, str]]:
    return [
        {"id": s, "name": wording.STAGE_NAMES[s], "words": wording.STAGE_HEADINGS[s]}
        for s in wording.STAGE_NAMES
    ]


@bp.get("/journey")
@bp.answers(
    answer("Journey", **required("columns", "rows", "to_be_defined", "topics")),
    "The map: ``columns`` (the stages: id, name, the group's words), ``rows`` (the themes by position, "
    "then the facilitators: id, name, kind, position, and a cell per stage with the ids of its "
    "workstreams and projects, how many members work on those projects, and ``to_be_defined`` for an "
    "empty cell), how many cells are to be defined, and ``topics``: per topic with projects, how many sit "
    "at each stage and the stage they are stuck at (or null), with ``stuck_at_least``.",
)
def journey() -> Response:
    """The themes-by-stage map, and per topic the projects at each stage and where they stop."""
    from graphapp.pages.journey import journey_page

    shown = get_store().read(journey_page)
    m, stuck = shown["map"], shown["journey_topics"]
    return jsonify(
        {
            "columns": _stage_columns(),
            "rows": [_journey_row(r) for r in (*m["themes"], *m["facilitators"])],
            "to_be_defined": m["to_be_defined"],
            "topics": stuck["topics"],
            "stuck_at_least": stuck["at_least"],
        }
    )


@bp.get("/themes")
@bp.answers(
    answer("Themes", **required("items", "total")),
    "Every theme (a dozen or so: not paginated), by position: id, name, description, kind (theme or "
    "facilitator), position, the workstreams that serve it (id and the stages they take) and its topics' ids.",
)
def themes() -> Response:
    """The themes of the group's map, and what facilitates the work."""
    from graphapp.analytics.journey import journey_map, theme_view
    from graphapp.queries.journey import journey_rows

    def read(tx: Tx) -> list[dict[str, Any]]:
        rows = journey_rows(tx)
        ordered = sorted(
            rows["themes"], key=lambda t: (t.get("position") or "", (t.get("name") or "").lower(), t["id"])
        )
        drawn = journey_map(rows)  # (once: each theme's view is a row of it)
        views = [theme_view(rows, t["id"], drawn) for t in ordered]
        return [_theme_summary(v) for v in views if v is not None]

    items = get_store().read(read)
    return jsonify({"items": items, "total": len(items)})


def _theme_summary(v: dict[str, Any]) -> dict[str, Any]:
    t = v["theme"]
    return {
        **{k: t[k] for k in ("id", "name", "description", "kind", "position")},
        "workstreams": [{"id": w["id"], "stages": w["stages"]} for w in v["workstreams"]],
        "topics": [p["id"] for p in v["topics"]],
    }


@bp.get("/themes/<theme>")
@bp.answers(
    answer("Theme", **required("id", "name", "workstreams", "topics", "stages")),
    "The theme, the workstreams that serve it (id, name, stages), its topics (id, name) and, per stage, "
    "its workstreams, projects (id, title) and how many members work on them.",
    404,
)
def theme(theme: str) -> Response:
    """One theme: its description, workstreams, topics and projects by stage."""
    from graphapp.pages.journey import theme_page

    v = get_store().read(theme_page, theme)
    if v is None:
        abort(404, f"no theme with the id {theme!r}")
    t = v["theme"]
    return jsonify(
        {
            **{k: t[k] for k in ("id", "name", "description", "kind", "position")},
            "workstreams": v["workstreams"],
            "topics": v["topics"],
            "stages": [
                {
                    "stage": c["stage"],
                    "workstreams": [w["id"] for w in c["workstreams"]],
                    "projects": c["projects"],
                    "members": c["people"]["count"],
                    "to_be_defined": c["to_be_defined"],
                }
                for c in t["cells"]
            ],
        }
    )


# --- A workstream and its progress notes (issue 14 §5: workstreams) -------------------------------------------


def _workstream_read(tx: Tx, workstream: str, member: str | None, coordinator: bool) -> dict[str, Any] | None:
    from graphapp.progress import may_write
    from graphapp.queries.workstreams import workstream_members, workstream_view

    shown = workstream_view(tx, workstream)
    if shown is None:
        return None
    return {
        **shown,
        "members": workstream_members(tx, workstream),
        "may_write": may_write(tx, workstream, member, coordinator),
    }


@bp.get("/workstreams/<workstream>")
@bp.answers(
    answer(
        "Workstream",
        **required("workstream", "leads", "members", "themes", "topics", "projects", "notes", "may_write"),
    ),
    "The workstream: `leads` (id, name, title, organisation), `members` (leads first; id, name, title, "
    "role, organisation, and the email where its owner allows), `themes` (id, name, kind, `stages` it takes "
    "in each, `every_stage`), `topics` it covers, `projects` by stage (a list in journey order: each "
    "`stage` with its `projects`, then stage null for projects whose stage is not given, if any: id, title, "
    "organisation, `reached`: the day it reached that stage), its progress `notes` newest first, and "
    "whether the caller may write notes.",
    404,
)
def workstream(workstream: str) -> Response:
    """One workstream: its leads and members, themes at their stages, topics, projects by stage and
    progress notes."""
    viewer = current_viewer()
    shown = get_store().read(_workstream_read, workstream, viewer.member, viewer.at_least("coordinator"))
    if shown is None:
        abort(404, f"no workstream with the id {workstream!r}")
    shown["members"] = redact_people(shown["members"], viewer)
    shown["projects"] = [
        {"stage": stage or None, "projects": projects}
        for stage, projects in shown["projects"].items()
        if stage or projects
    ]
    return jsonify(shown)


@bp.get("/workstreams/<workstream>/notes")
@bp.answers(answer("ProgressNotes", **required("workstream", "notes")), "The notes, newest first.", 404)
def workstream_notes(workstream: str) -> Response:
    """A workstream's progress notes, newest first: id, date, text, the lead who wrote it (`member`,
    `member_name`; "" and null once they were forgotten; `member` null for a coordinator's account that is
    no member), when it was written and last changed."""
    from graphapp.queries.workstreams import progress_notes, workstream_exists

    def read(tx: Tx) -> list[dict[str, Any]] | None:
        return progress_notes(tx, workstream) if workstream_exists(tx, workstream) else None

    notes = get_store().read(read)
    if notes is None:
        abort(404, f"no workstream with the id {workstream!r}")
    return jsonify({"workstream": workstream, "notes": notes})


PROGRESS_NOTE = answer("ProgressNote", **required("id", "workstream", "date", "text"))


def _leads_first(view: Callable[..., Response]) -> Callable[..., Response]:
    """A note's write, whose body cannot be used, answers 403 rather than 400 to a caller who may not
    write the workstream's notes at all (a member who does not lead it): who may write is said first, as
    the pages do. (Between ``@bp.route`` and ``@bp.arguments``: the body is read inside ``view``.)"""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Response:
        from graphapp.params import BadRequest
        from graphapp.progress import may_write

        try:
            return view(*args, **kwargs)
        except BadRequest:
            viewer = current_viewer()
            workstream = kwargs["workstream"]
            if not get_store().read(may_write, workstream, viewer.member, viewer.at_least("coordinator")):
                abort(403, f"Only the leads of {workstream} (and coordinators) write its progress notes.")
            raise

    return checked


def _day(body: dict[str, Any]) -> str | None:
    return body["date"].isoformat() if body.get("date") else None


@bp.route("/workstreams/<workstream>/notes", methods=["POST"])
@_leads_first
@bp.arguments(ProgressNoteBody, location="json")
@bp.answers(PROGRESS_NOTE, "The note, published.", 404)
@bp.doc(description=CSRF + " For the workstream's leads and coordinators (403 for others).")
def add_progress_note(body: dict[str, Any], workstream: str) -> Response:
    """Write a progress note of the workstream (dated today unless `date` is given); in the history."""
    from graphapp.progress import add_note

    viewer = current_viewer()
    done = _do(add_note, workstream, viewer.member, viewer.at_least("coordinator"), _day(body), body["text"])
    return jsonify(done)


@bp.route("/workstreams/<workstream>/notes/<note>", methods=["PATCH"])
@_leads_first
@bp.arguments(ProgressNoteChangeBody, location="json")
@bp.answers(PROGRESS_NOTE, "The note as it is now.", 404)
@bp.doc(description=CSRF + " For the workstream's leads and coordinators (403 for others).")
def change_progress_note(body: dict[str, Any], workstream: str, note: str) -> Response:
    """Change a progress note's date or text (a field left out is kept); in the history, before and after."""
    from graphapp.progress import change_note

    viewer = current_viewer()
    done = _do(
        change_note,
        workstream,
        note,
        viewer.member,
        viewer.at_least("coordinator"),
        _day(body),
        body.get("text"),
    )
    return jsonify(done)


@bp.route("/workstreams/<workstream>/notes/<note>", methods=["DELETE"])
@bp.answers(answer("ProgressNoteDeleted", **required("id", "deleted")), "The note is deleted.", 404)
@bp.doc(description=CSRF + " For the workstream's leads and coordinators (403 for others).")
def delete_progress_note(workstream: str, note: str) -> Response:
    """Delete a progress note; the history keeps its date and text."""
    from graphapp.progress import remove_note

    viewer = current_viewer()
    return jsonify(_do(remove_note, workstream, note, viewer.member, viewer.at_least("coordinator")))


# --- Shared resources (issue 14 §4: the library; graphapp.library) ----------------------------------------

RESOURCE = answer(
    "Resource",
    **required(
        "id", "title", "url", "kind", "language", "description", "added", "topics", "workstream", "shared_by"
    ),
)


def _resource_action(work: Callable[..., Any], *args: Any) -> Any:
    """Run a resource action as the signed-in caller, in one write transaction; a refusal is answered with
    its status and reason (the same words as the pages')."""
    from graphapp.introductions import Refused

    viewer = current_viewer()
    try:
        return get_store().write(work, viewer.member, viewer.at_least("coordinator"), *args)
    except Refused as e:
        abort(e.status, e.message)


@bp.get("/resources")
@bp.query(ResourceFilterArgs)
@bp.query(paging(100))
@bp.answers(Page, "A page of resources, newest first, with the filters used.", 404)
def resources(filters: dict[str, str], pages: tuple[int, int]) -> Response:
    """Shared resources (documents, code, courses, recordings), filtered by topic (id, name or alias: one
    that matches nothing is answered 404 with "did you mean"), kind, language and workstream."""
    from graphapp.proposals import UnknownTopic, find_topic
    from graphapp.queries.library import resources_of

    def read(tx: Tx) -> list[dict[str, Any]]:
        topic = find_topic(tx, filters["topic"]) if filters["topic"] else None
        return resources_of(
            tx,
            topic=topic,
            workstream=filters["workstream"] or None,
            kind=filters["kind"] or None,
            language=filters["language"] or None,
        )

    try:
        found = get_store().read(read)
    except UnknownTopic as e:
        abort(404, e.message)
    return jsonify({"filters": {k: v for k, v in filters.items() if v}, **paginate(found, *pages).as_dict()})


@bp.get("/resources/<resource>")
@bp.answers(RESOURCE, "The resource.", 404)
def resource(resource: str) -> Response:
    """One resource: its link, kind, language, topics, workstream, and who shared it and when."""
    from graphapp.queries.library import resource_by_id

    found = get_store().read(resource_by_id, resource)
    if found is None:
        abort(404, f"There is no resource with the id {resource!r}.")
    return jsonify(found)


@bp.route("/resources", methods=["POST"])
@bp.arguments(ResourceBody, location="json")
@bp.answers(RESOURCE, "The resource shared.", 403, 404, 409)
@bp.doc(description=CSRF)
def share_resource(body: dict[str, Any]) -> Response:
    """Share a resource as the signed-in member (a coordinator may without a profile): a link already
    held is refused (409, naming the resource that holds it); a topic or workstream not known, 404."""
    from graphapp.accounts import now_iso
    from graphapp.library import add_resource

    return jsonify(_resource_action(add_resource, body, now_iso()[:10]))


@bp.route("/resources/<resource>", methods=["PATCH"])
@bp.arguments(ResourceChangeBody, location="json")
@bp.answers(RESOURCE, "The resource as it is now.", 403, 404, 409)
@bp.doc(description=CSRF)
def edit_resource(body: dict[str, Any], resource: str) -> Response:
    """Change a resource (each field optional): the member who shared it, or a coordinator."""
    from graphapp.library import edit_resource as edit

    return jsonify(_resource_action(edit, resource, body))


@bp.route("/resources/<resource>", methods=["DELETE"])
@bp.answers(RESOURCE, "The resource removed.", 403, 404)
@bp.doc(description=CSRF)
def remove_resource(resource: str) -> Response:
    """Remove a resource: the member who shared it, or a coordinator."""
    from graphapp.library import remove_resource as remove

    return jsonify(_resource_action(remove, resource))


# --- Projects (issue 14 §1: the projects part) -----------------------------------------------------------


def _project_out(p: dict[str, Any]) -> dict[str, Any]:
    """A project as the API gives it: each member's email only where they allow the caller to see it."""
    from graphapp.privacy import redact_person

    viewer = current_viewer()
    return {**p, "members": [redact_person(m, viewer) for m in p["members"]]}


def _project_write(work: Callable[..., Any], *args: Any) -> Response:
    from graphapp.introductions import Refused
    from graphapp.projects import ProjectRejected

    try:
        return jsonify(_project_out(get_store().write(work, *args)))
    except ProjectRejected as e:
        abort(e.status, e.message)
    except Refused as e:
        abort(e.status, e.message)


def _today() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).date().isoformat()


PROJECT = answer("Project", **required("id", "title", "stage", "topics", "members"))


@bp.get("/projects")
@bp.query(ProjectFilterArgs)
@bp.query(paging(100))
@bp.answers(Page, "A page of projects, by title, with the filters used.", 404)
def projects(filters: dict[str, str], pages: tuple[int, int]) -> Response:
    """Projects (machine-learning uses) with their stage and the day each stage was reached, organisation,
    topics, workstream and members (roles; emails as each member allows); filtered by stage, topic (id,
    name or alias: one that matches nothing is answered 404 with "did you mean"), organisation and
    workstream."""
    from graphapp.pages.projects import projects_page
    from graphapp.proposals import UnknownTopic

    try:
        shown = get_store().read(projects_page, filters)
    except UnknownTopic as e:
        abort(404, e.message)
    found = paginate([_project_out(p) for p in shown["projects"]], *pages)
    return jsonify({"filters": {k: v for k, v in filters.items() if v}, **found.as_dict()})


@bp.get("/projects/<project>")
@bp.answers(PROJECT, "The project.", 404)
def project(project: str) -> Response:
    """One project: its stage and the day each stage was reached, organisation, topics, workstream, GSBPM
    domain, links and members (roles; emails as each member allows)."""
    from graphapp.pages.projects import project_view

    found = get_store().read(project_view, project)
    if found is None:
        abort(404, f"no project with the id {project!r}")
    return jsonify(_project_out(found))


@bp.route("/projects", methods=["POST"])
@bp.arguments(ProjectBody, location="json")
@bp.answers(PROJECT, "The project added.", 404, 409)
@bp.doc(description=CSRF)
def add_project(body: dict[str, Any]) -> Response:
    """Add a project: a member adding one becomes one of its members (with ``role``); coordinators too.
    A stage is reached today unless ``days`` says when. 404 names a topic, organisation, workstream,
    domain or member that is not there; 409, days reached out of the journey's order or after today."""
    from graphapp.projects import add_project as add

    viewer = current_viewer()
    values = {k: v for k, v in body.items() if k != "role"}
    return _project_write(
        add,
        values,
        viewer.member,
        viewer.at_least("coordinator"),
        _today(),
        body.get("role", ""),
        viewer.sees_email_of,
    )


@bp.route("/projects/<project>", methods=["PATCH"])
@bp.arguments(ProjectChangeBody, location="json")
@bp.answers(PROJECT, "The project as it is now.", 404, 409)
@bp.doc(description=CSRF)
def change_project(body: dict[str, Any], project: str) -> Response:
    """Change a project (its members and coordinators): the fields given; a stage moved forward is
    reached today unless ``days`` says when; moving back is allowed (the history keeps the days)."""
    from graphapp.projects import change_project as change

    viewer = current_viewer()
    return _project_write(
        change, project, body, viewer.member, viewer.at_least("coordinator"), _today(), viewer.sees_email_of
    )


@bp.route("/projects/<project>", methods=["DELETE"])
@bp.answers(PROJECT, "The project, as it was.", 404)
@bp.doc(description=CSRF)
def delete_project(project: str) -> Response:
    """Delete a project (its members and coordinators); the history keeps what it was."""
    from graphapp.projects import remove_project

    viewer = current_viewer()
    return _project_write(remove_project, project, viewer.member, viewer.at_least("coordinator"))

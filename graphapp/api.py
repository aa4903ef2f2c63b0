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

from collections.abc import Callable
from typing import Any

import flask_smorest
from flask import Flask, Response, abort, jsonify

from graphapp import reports, wording
from graphapp.apidoc import Blueprint, Graph, Page, answer, api_document, required
from graphapp.auth import current_viewer
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
    member_directory,
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
@bp.answers(answer("Health", **required("status")), "The store and its schema version.")
def health() -> Response:
    """Whether the database answers (for load balancers and monitoring): 200, or 503 with the reason."""
    store = get_store()
    version = store.read(schema_version)
    return jsonify({"status": "ok", "store": store.description, "schema_version": version})


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
        return found, member_directory(tx, found, *pages)

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
    """Suggested peers, mentors and mentees, each with a score, a kind and the reasons. ``topic`` is a
    topic's id, name or alias (any case); one that matches nothing is answered 404 with "did you mean"."""
    from graphapp.proposals import UnknownTopic, find_topic

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
        mimetype=spec.media_type,
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

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
from graphapp.contactmap import View
from graphapp.db import get_store
from graphapp.exports import FORMATS, export, read_export
from graphapp.params import (
    DepthArgs,
    MemberFilterArgs,
    SuggestionArgs,
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
    "database is unavailable, try again shortly."
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
@bp.answers(Page, "A page of members, with the filters used and facets.")
def members(where: MemberFilter, pages: tuple[int, int]) -> Response:
    """Members found by name and filters, a page at a time, and what they connect to."""
    shown = get_store().read(member_directory, where, *pages)
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
    return jsonify(redact_person(profile, current_viewer()))


@bp.get("/members/<member>/suggestions")
@bp.query(SuggestionArgs)
@bp.answers(answer("Suggestions", **required("member", "mode", "suggestions")), "The suggestions.", 404)
def suggestions(options: dict[str, Any], member: str) -> Response:
    """Suggested peers, mentors and mentees, each with a score, a kind and the reasons."""
    try:
        found = get_store().read(reports.suggest_peers, member, **options)
    except reports.UnknownMember as e:
        abort(404, str(e))
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


@bp.get("/gaps")
@bp.answers(answer("Gaps", **required("summary", "gaps")), "The report.")
def gaps() -> Response:
    """The coverage report: gaps most severe first, brokers and clusters of interest."""
    return jsonify(wording.worded_report(get_store().read(reports.coverage_report)))


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
        graph = get_store().read(read_map, view)
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

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
from http import HTTPStatus
from typing import Any, TypeVar, cast

import flask_smorest
import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from flask import Flask, Response, abort, jsonify
from webargs.flaskparser import FlaskParser

from graphapp import reports, wording
from graphapp.auth import current_viewer
from graphapp.contactmap import View
from graphapp.db import get_store
from graphapp.exports import FORMATS, export, read_export
from graphapp.params import (
    Args,
    BadRequest,
    DepthArgs,
    MemberFilterArgs,
    Param,
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

F = TypeVar("F", bound=Callable[..., Any])

DESCRIPTION = (
    "The network of data science unit leaders in official statistics: members, organisations, topics "
    "and workstreams, peer suggestions, coverage gaps and contact maps. Every call but this document and "
    "/api/health needs a signed-in caller (the session cookie of the sign-in page) of a high enough role "
    "(401, 403; see docs/trust.md); 400 says which parameter cannot be used and why; 503 means the "
    "database is unavailable, try again shortly."
)


# What the answers hold (documented, never used to write them: the views send their dicts as they are).


class Open(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE


def _answer(title: str, /, **fields: ma.fields.Field[Any]) -> type[ma.Schema]:
    return Open.from_dict(fields, name=title)


def _required(*names: str) -> dict[str, ma.fields.Field[Any]]:
    return {name: ma.fields.Raw(required=True) for name in names}


Page = _answer(
    "Page",
    items=ma.fields.List(ma.fields.Dict(), required=True),
    total=ma.fields.Integer(required=True),
    page=ma.fields.Integer(required=True),
    per_page=ma.fields.Integer(required=True),
    pages=ma.fields.Integer(required=True),
)
Node = _answer(
    "Node",
    key=ma.fields.String(required=True),
    label=ma.fields.String(required=True),
    properties=ma.fields.Dict(required=True),
)
Relationship = _answer(
    "Relationship",
    type=ma.fields.String(required=True),
    source=ma.fields.String(required=True),
    target=ma.fields.String(required=True),
    properties=ma.fields.Dict(required=True),
)
Graph = _answer(
    "Graph",
    nodes=ma.fields.List(ma.fields.Nested(Node), required=True),
    relationships=ma.fields.List(ma.fields.Nested(Relationship), required=True),
)
ErrorBody = _answer(
    "ErrorBody", status=ma.fields.Integer(required=True), message=ma.fields.String(required=True)
)
Error = _answer("Error", error=ma.fields.Nested(ErrorBody, required=True))


# The library, fitted to graphapp: a bad parameter is a BadRequest (400, the reason in words, answered by
# graphapp's own error handlers, as on the pages), and parameters that depend on each other are documented
# as one object parameter carrying the rules (see graphapp.params.Args.rules).


class Parser(FlaskParser):
    def handle_error(self, error: ma.ValidationError, *args: Any, **kwargs: Any) -> Any:
        raise BadRequest.of(error)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    # flask-smorest ships no types: the decorators used here, typed. Each gives back the view it is handed,
    # registered or documented (arguments: called with the loaded parameters).

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", super().route(rule, **options))

    def get(self, rule: str, **options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", super().get(rule, **options))

    def arguments(self, schema: type[ma.Schema], **options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", super().arguments(schema, **options))

    def alt_response(self, status: int, **options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", super().alt_response(status, **options))

    @staticmethod
    def doc(**options: Any) -> Callable[[F], F]:
        return cast("Callable[[F], F]", flask_smorest.Blueprint.doc(**options))


class Converter(OpenAPIConverter):
    def schema2parameters(self, schema: Any, *, location: str, **kwargs: Any) -> list[dict[str, Any]]:
        rules = getattr(schema, "rules", None)
        if location != "query" or not rules:
            return super().schema2parameters(schema, location=location, **kwargs)  # type: ignore[no-any-return]
        kind = schema if isinstance(schema, type) else type(schema)
        whole = self.schema2jsonschema(schema)  # type: ignore[no-untyped-call]  # (apispec leaves it unannotated)
        whole.pop("additionalProperties", None)  # (other parameters travel in the same query string)
        return [
            {
                "in": "query",
                "name": kind.__name__.removesuffix("Args").lower(),  # (not in the query string)
                "style": "form",
                "explode": True,
                "description": " ".join((kind.__doc__ or "").split()),
                "schema": {**whole, **rules},
            }
        ]


class Plugin(MarshmallowPlugin):
    Converter = Converter

    def init_spec(self, spec: Any) -> None:
        super().init_spec(spec)
        assert self.converter is not None
        self.converter.add_attribute_function(_parameter_schema)


def _parameter_schema(
    converter: OpenAPIConverter, field: ma.fields.Field[Any], ret: dict[str, Any]
) -> dict[str, Any]:
    """A parameter's schema is the one its field gives (see graphapp.params.Param.json_schema)."""
    return field.json_schema() if isinstance(field, Param) else {}


class Api(flask_smorest.Api):
    ERROR_SCHEMA = Error


def init_app(app: Flask) -> None:
    """Register the API and its document (no docs UI: it would load its scripts from a CDN).

    flask-smorest registers an error handler of its own for HTTP errors; ``create_app`` registers
    graphapp's after this, which replaces it, so that every error is answered the same way (JSON under
    /api/, a page elsewhere; tests/test_api.py checks the shape)."""
    api = Api(
        spec_kwargs={
            "title": "graphapp",
            "version": "1",
            "openapi_version": "3.1.0",
            "info": {"description": DESCRIPTION},
            "marshmallow_plugin": Plugin(),
        }
    )
    api.init_app(app)
    api.register_blueprint(bp)


bp = Blueprint("api", __name__, url_prefix="/api", description="graphapp's JSON API.")


def answers(schema: type[ma.Schema] | None, description: str, *errors: int) -> Callable[[F], F]:
    """Document an operation's answer (200) and its errors: every call can also meet a caller who may
    not ask (401, 403) and a database that is down (503); ``@bp.arguments`` adds the 400."""

    def document(view: F) -> F:
        for status in sorted({*errors, 401, 403, 503}, reverse=True):
            view = bp.alt_response(status, response=HTTPStatus(status).name)(view)
        return bp.alt_response(200, schema=schema or Open, description=description, success=True)(view)

    return document


def query(schema: type[Args]) -> Callable[[F], F]:
    """Read (and document) the query-string parameters ``schema`` describes; the view gets them loaded."""
    return bp.arguments(schema, location="query")


@bp.get("/openapi.json")
@answers(None, "The OpenAPI document.")
def openapi() -> Response:
    """This document."""
    return jsonify(flask_smorest.current_api.spec.to_dict())


@bp.get("/health")
@answers(_answer("Health", **_required("status")), "The store and its schema version.")
def health() -> Response:
    """Whether the database answers (for load balancers and monitoring): 200, or 503 with the reason."""
    store = get_store()
    version = store.read(schema_version)
    return jsonify({"status": "ok", "store": store.description, "schema_version": version})


@bp.get("/summary")
@answers(
    _answer("Summary", **_required("counts", "countries", "regions")),
    "Counts of nodes and relationships by kind, countries and regions.",
)
def summary() -> Response:
    """What the network holds at a glance."""
    return jsonify(get_store().read(network_summary))


@bp.get("/members")
@query(MemberFilterArgs)
@query(paging(25))
@answers(Page, "A page of members, with the filters used and facets.")
def members(where: MemberFilter, pages: tuple[int, int]) -> Response:
    """Members found by name and filters, a page at a time, and what they connect to."""
    shown = get_store().read(member_directory, where, *pages)
    found = shown["results"]
    found.items = redact_people(found.items, current_viewer())
    return jsonify({"filters": where.active(), **found.as_dict(), "facets": shown["facets"]})


@bp.get("/members/<member>")
@answers(_answer("Member", **_required("id", "name")), "The member.", 404)
def member(member: str) -> Response:
    """One member: organisation, interests with levels, workstreams and contacts."""
    profile = get_store().read(member_profile, member)
    if profile is None:
        abort(404, f"no member with the id {member!r}")
    return jsonify(redact_person(profile, current_viewer()))


@bp.get("/members/<member>/suggestions")
@query(SuggestionArgs)
@answers(_answer("Suggestions", **_required("member", "mode", "suggestions")), "The suggestions.", 404)
def suggestions(options: dict[str, Any], member: str) -> Response:
    """Suggested peers, mentors and mentees, each with a score, a kind and the reasons."""
    try:
        found = get_store().read(reports.suggest_peers, member, **options)
    except reports.UnknownMember as e:
        abort(404, str(e))
    return jsonify(wording.worded_suggestions(found))


@bp.get("/members/<member>/neighbourhood")
@query(DepthArgs)
@answers(Graph, "Nodes and relationships.", 404)
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
@query(paging(100))
@answers(Page, "A page of organisations.")
def organisations(pages: tuple[int, int]) -> Response:
    """Organisations with their number of members."""
    return _list(organisation_list, pages)


@bp.get("/topics")
@query(paging(100))
@answers(Page, "A page of topics.")
def topics(pages: tuple[int, int]) -> Response:
    """Topics with their holders by level."""
    return _list(topic_list, pages)


@bp.get("/workstreams")
@query(paging(100))
@answers(Page, "A page of workstreams.")
def workstreams(pages: tuple[int, int]) -> Response:
    """Workstreams with leads, members and covered topics."""
    return _list(workstream_list, pages)


@bp.get("/places")
@query(paging(100))
@answers(Page, "A page of countries.")
def places(pages: tuple[int, int]) -> Response:
    """Countries with members, with their region."""
    return _list(place_list, pages)


@bp.get("/gaps")
@answers(_answer("Gaps", **_required("summary", "gaps")), "The report.")
def gaps() -> Response:
    """The coverage report: gaps most severe first, brokers and clusters of interest."""
    return jsonify(wording.worded_report(get_store().read(reports.coverage_report)))


@bp.get("/heatmap")
@answers(_answer("HeatMap", **_required("regions", "topics")), "Regions, and a row of counts per topic.")
def heatmap() -> Response:
    """Members holding each topic in each region."""
    return jsonify(get_store().read(reports.heat_map))


@bp.get("/subgraph")
@query(ViewArgs)
@answers(Graph, "Nodes and relationships.", 404)
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
@query(ViewArgs)
@answers(None, "The file, as an attachment.", 404)
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

"""The JSON API: everything the pages show, under ``/api/``, described by ``/api/openapi.json``.

Errors are JSON too: ``{"error": {"status": 404, "message": "..."}}`` with the matching status (400 for a
parameter that cannot be used, 404 for something that is not there, 503 when the database is down).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from graphapp import reports, wording
from graphapp.auth import current_viewer
from graphapp.contactmap import read_map
from graphapp.db import get_store
from graphapp.exports import FORMATS, export, read_export
from graphapp.openapi import openapi_document
from graphapp.params import member_filter, mode_arg, page_args, view_args, whole_number
from graphapp.privacy import redact_graph, redact_people, redact_person
from graphapp.queries.members import (
    facets,
    find_members,
    member_profile,
    organisation_list,
    paginate,
    place_list,
    topic_list,
    workstream_list,
)
from graphapp.queries.schema import counts, schema_version
from graphapp.queries.subgraph import UnknownSubject, neighbourhood

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/health")
def health() -> Response:
    """Whether the database answers (for load balancers and monitoring): 200, or 503 with the reason."""
    store = get_store()
    version = store.read(schema_version)
    return jsonify({"status": "ok", "store": store.description, "schema_version": version})


@bp.get("/summary")
def summary() -> Response:
    store = get_store()
    places = store.read(place_list)
    return jsonify(
        {
            "counts": store.read(counts),
            "countries": len(places),
            "regions": len({p["region"] for p in places if p["region"]}),
        }
    )


@bp.get("/members")
def members() -> Response:
    where = member_filter(request.args)
    page, per_page = page_args(request.args)
    store = get_store()
    found = store.read(find_members, where, page, per_page)
    found.items = redact_people(found.items, current_viewer())
    return jsonify({"filters": where.active(), **found.as_dict(), "facets": store.read(facets, where)})


@bp.get("/members/<member>")
def member(member: str) -> Response:
    profile = get_store().read(member_profile, member)
    if profile is None:
        abort(404, f"no member with the id {member!r}")
    return jsonify(redact_person(profile, current_viewer()))


@bp.get("/members/<member>/suggestions")
def suggestions(member: str) -> Response:
    args = request.args
    try:
        found = get_store().read(
            reports.suggest_peers,
            member,
            limit=whole_number(args, "limit", 10, 1, 100),
            mode=mode_arg(args),
            exclude_known=args.get("include_known") not in ("1", "true", "yes"),
            exclude_own_organisation=args.get("include_own_organisation") not in ("1", "true", "yes"),
            topic=args.get("topic") or None,
            workstream=args.get("workstream") or None,
            region=args.get("region") or None,
        )
    except reports.UnknownMember as e:
        abort(404, str(e))
    return jsonify(found.as_dict())


@bp.get("/members/<member>/neighbourhood")
def member_neighbourhood(member: str) -> Response:
    depth = whole_number(request.args, "depth", 1, 1, 2)
    try:
        return jsonify(redact_graph(get_store().read(neighbourhood, member, depth), current_viewer()))
    except UnknownSubject as e:
        abort(404, str(e))


def _list(items: list[dict[str, Any]]) -> Response:
    page, per_page = page_args(request.args, 100)
    return jsonify(paginate(items, page, per_page).as_dict())


@bp.get("/organisations")
def organisations() -> Response:
    return _list(get_store().read(organisation_list))


@bp.get("/topics")
def topics() -> Response:
    return _list(get_store().read(topic_list))


@bp.get("/workstreams")
def workstreams() -> Response:
    return _list(get_store().read(workstream_list))


@bp.get("/places")
def places() -> Response:
    return _list(get_store().read(place_list))


@bp.get("/gaps")
def gaps() -> Response:
    return jsonify(wording.worded_report(get_store().read(reports.coverage_report)))


@bp.get("/heatmap")
def heatmap() -> Response:
    return jsonify(get_store().read(reports.heat_map))


@bp.get("/subgraph")
def subgraph_of() -> Response:
    try:
        return jsonify(redact_graph(get_store().read(read_map, view_args(request.args)), current_viewer()))
    except UnknownSubject as e:
        abort(404, str(e))


@bp.get("/export/<fmt>")
def export_view(fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404, f"no export format {fmt!r}; there are {', '.join(FORMATS)}")
    view = view_args(request.args)
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

"""The OpenAPI 3.1 description of ``/api/``, served at ``/api/openapi.json``.

Written out by hand, next to nothing else: a test checks that every API route is described here and
that nothing described here is missing from the app.
"""

from __future__ import annotations

from typing import Any

from graphapp.analytics.suggestions import MODES
from graphapp.contactmap import VIEW_KINDS
from graphapp.exports import FORMATS
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.schema import LEVELS
from graphapp.queries.subgraph import AGGREGATES

__all__ = ["openapi_document"]


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


STRING = {"type": "string", "maxLength": 200}


def _whole(low: int, high: int) -> dict[str, Any]:
    """A whole number in a query; empty means "not given" (what a form sends for a field left unset)."""
    return {
        "anyOf": [{"type": "integer", "minimum": low, "maximum": high}, {"type": "string", "maxLength": 0}]
    }


def _choice(values: tuple[str, ...]) -> dict[str, Any]:
    """One of ``values`` in a query; empty means "not given"."""
    return {"type": "string", "enum": ["", *values]}


PAGING = [
    _query("page", "Page number, from 1.", _whole(1, 1_000_000)),
    _query("per_page", "Items per page.", _whole(1, 100)),
]
FILTERS = [
    _query("q", "Part of a member's name, any case.", STRING),
    _query("topic", "A topic id, e.g. record-linkage.", STRING),
    _query("level", "A level of interest (with topic: on that topic).", _choice(LEVELS)),
    _query("workstream", "A workstream id, e.g. WS2.", STRING),
    _query("organisation", "An organisation id.", STRING),
    _query("country", "An ISO 3166-1 alpha-3 code.", STRING),
    _query("region", "A UN M49 region.", _choice(M49_REGIONS)),
]
VIEW = [
    _query("kind", "Which part of the network.", _choice(VIEW_KINDS)),
    _query(
        "value",
        "The id of the topic, workstream, organisation or member, the country code or region.",
        STRING,
    ),
    _query("depth", "For a member: hops around them.", _whole(1, 2)),
    _query("aggregate", "Show organisations or topics as nodes.", _choice(AGGREGATES)),
]

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
        }
    },
}
PAGE = {
    "type": "object",
    "required": ["items", "total", "page", "per_page", "pages"],
    "properties": {
        "items": {"type": "array", "items": {"type": "object"}},
        "total": {"type": "integer"},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "pages": {"type": "integer"},
    },
}
GRAPH = {
    "type": "object",
    "required": ["nodes", "relationships"],
    "properties": {
        "nodes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "label", "properties"],
                "properties": {
                    "key": {"type": "string"},
                    "label": {"type": "string"},
                    "properties": {"type": "object"},
                },
            },
        },
        "relationships": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "source", "target", "properties"],
                "properties": {
                    "type": {"type": "string"},
                    "source": {"type": "string"},
                    "target": {"type": "string"},
                    "properties": {"type": "object"},
                },
            },
        },
    },
}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    """Every call can meet a database that is down (503) and needs a signed-in caller of a high enough
    role (401, 403); some also answer 400 or 404."""
    return {str(s): {"$ref": f"#/components/responses/E{s}"} for s in (*statuses, 401, 403, 503)}


def _get(
    summary: str,
    ok: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
    errors: tuple[int, ...] = (),
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {"200": ok, **_errors(*errors)},
        }
    }


def openapi_document() -> dict[str, Any]:
    member = _path("member", "A member's id (m-...).")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "graphapp",
            "version": "1",
            "description": "The network of data science unit leaders in official statistics: members, "
            "organisations, topics and workstreams, peer suggestions, coverage gaps and contact maps.",
        },
        "paths": {
            "/api/openapi.json": _get("This document.", _json("The OpenAPI document.", {"type": "object"})),
            "/api/health": _get(
                "Whether the database answers.",
                _json("The store and its schema version.", {"type": "object", "required": ["status"]}),
            ),
            "/api/summary": _get(
                "What the network holds at a glance.",
                _json(
                    "Counts of nodes and relationships by kind, countries and regions.", {"type": "object"}
                ),
            ),
            "/api/members": _get(
                "Members found by name and filters, a page at a time, and what they connect to.",
                _json("A page of members, with the filters used and facets.", PAGE),
                FILTERS + PAGING,
                (400,),
            ),
            "/api/members/{member}": _get(
                "One member: organisation, interests with levels, workstreams and contacts.",
                _json("The member.", {"type": "object", "required": ["id", "name"]}),
                [member],
                (404,),
            ),
            "/api/members/{member}/suggestions": _get(
                "Suggested peers, mentors and mentees, each with a score, a kind and the reasons.",
                _json("The suggestions.", {"type": "object", "required": ["member", "mode", "suggestions"]}),
                [
                    member,
                    _query("mode", "Which kind of match.", _choice(MODES)),
                    _query("limit", "How many.", _whole(1, 100)),
                    _query("topic", "Only people holding this topic.", STRING),
                    _query("workstream", "Only people in this workstream.", STRING),
                    _query("region", "Only people in this region.", STRING),
                    _query(
                        "include_known",
                        "Also people the member knows.",
                        {"type": "string", "enum": ["1", "0"]},
                    ),
                    _query(
                        "include_own_organisation", "Also colleagues.", {"type": "string", "enum": ["1", "0"]}
                    ),
                ],
                (400, 404),
            ),
            "/api/members/{member}/neighbourhood": _get(
                "The member and everything within one or two hops.",
                _json("Nodes and relationships.", GRAPH),
                [member, VIEW[2]],
                (400, 404),
            ),
            "/api/organisations": _get(
                "Organisations with their number of members.",
                _json("A page of organisations.", PAGE),
                PAGING,
                (400,),
            ),
            "/api/topics": _get(
                "Topics with their holders by level.", _json("A page of topics.", PAGE), PAGING, (400,)
            ),
            "/api/workstreams": _get(
                "Workstreams with leads, members and covered topics.",
                _json("A page of workstreams.", PAGE),
                PAGING,
                (400,),
            ),
            "/api/places": _get(
                "Countries with members, with their region.",
                _json("A page of countries.", PAGE),
                PAGING,
                (400,),
            ),
            "/api/gaps": _get(
                "The coverage report: gaps most severe first, brokers and clusters of interest.",
                _json("The report.", {"type": "object", "required": ["summary", "gaps"]}),
            ),
            "/api/heatmap": _get(
                "Members holding each topic in each region.",
                _json(
                    "Regions, and a row of counts per topic.",
                    {"type": "object", "required": ["regions", "topics"]},
                ),
            ),
            "/api/subgraph": _get(
                "The nodes and relationships of a view: the network, a topic, workstream, organisation, "
                "country, region or a member's neighbourhood, or an aggregated view.",
                _json("Nodes and relationships.", GRAPH),
                VIEW,
                (400, 404),
            ),
            "/api/export/{fmt}": _get(
                "A contact map of a view as a file: "
                + "; ".join(f"{k}: {f.description}" for k, f in FORMATS.items()),
                {
                    "description": "The file, as an attachment.",
                    "content": {
                        f.media_type.split(";")[0]: {
                            "schema": {"type": "object"}  # Cytoscape.js JSON
                            if f.media_type == "application/json"
                            else {"type": "string", "format": "binary"}
                        }
                        for f in FORMATS.values()
                    },
                },
                [{**_path("fmt", "The format."), "schema": {"type": "string", "enum": list(FORMATS)}}, *VIEW],
                (400, 404),
            ),
        },
        "components": {
            "schemas": {"Error": ERROR, "Page": PAGE, "Graph": GRAPH},
            "responses": {
                "E400": _json("A parameter cannot be used; the message says which and why.", ERROR),
                "E404": _json("Not found.", ERROR),
                "E401": _json("Sign in first (the session cookie of the sign-in page).", ERROR),
                "E403": _json("Your role may not make this call (see docs/trust.md).", ERROR),
                "E503": _json("The database is unavailable; try again shortly.", ERROR),
            },
        },
    }

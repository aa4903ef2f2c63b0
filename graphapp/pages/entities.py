"""The lists of organisations, topics, workstreams and places, and the page of each organisation, topic,
workstream, country and region: what it is, and the directory of its members."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from graphapp.auth import current_viewer
from graphapp.contactmap import View
from graphapp.db import get_store
from graphapp.exports import country_name
from graphapp.pages import bp
from graphapp.pages.directory import directory_of, redacted
from graphapp.pages.library import topic_resources
from graphapp.pages.projects import projects_section
from graphapp.params import page_args
from graphapp.queries.asks import open_asks_on_topic
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.cypher import Tx
from graphapp.queries.members import (
    MemberFilter,
    node,
    organisation_list,
    paginate,
    place_list,
    topic_list,
    workstream_list,
)
from graphapp.queries.schema import LEVELS
from graphapp.queries.vocabulary import retired_topics
from graphapp.taxonomy import place_of_topic

#: The groups that are nodes of the graph (countries and regions are properties of members).
LABELS = {"organisation": "Organisation", "topic": "Topic", "workstream": "Workstream"}


def group_page(tx: Tx, kind: str, value: str, page: int, per_page: int) -> dict[str, Any] | None:
    """A group's node (for an organisation, topic or workstream; None if there is no such one), the
    directory of its members, and for a workstream its entry in the list (leads, members, topics)."""
    found = None
    if kind in LABELS:
        found = node(tx, LABELS[kind], value)
        if found is None:
            return None
    shown = {"node": found, **directory_of(tx, MemberFilter(**{kind: value}), page, per_page)}
    if kind == "workstream":
        shown["workstream"] = next(x for x in workstream_list(tx) if x["id"] == value)
    if kind == "topic":
        shown["asks"] = open_asks_on_topic(tx, value)
        shown["places"] = place_of_topic(tx, value)
        shown["library"] = topic_resources(tx, value, current_viewer())  # (issue 14 §4: its resources)
    if kind in ("organisation", "topic"):  # (projects, issue 14: the workstream page reads its own)
        shown["projects"] = projects_section(tx, kind, value)
    return shown


def _read_group(kind: str, value: str) -> dict[str, Any]:
    page, per_page = page_args(request.args, 25)
    shown = get_store().read(group_page, kind, value, page, per_page)
    if shown is None:
        abort(404, f"There is no {kind} with the id {value!r}.")
    return redacted(shown)


def _group(
    kind: str, value: str, heading: str, facts: list[tuple[str, Any]], shown: dict[str, Any], **extra: Any
) -> str:
    return render_template(
        "pages/group.html",
        kind=kind,
        value=value,
        heading=heading,
        facts=facts,
        view=View(kind, value),
        where=shown["where"],
        results=shown["results"],
        facets=shown["facets"],
        **extra,
    )


@bp.get("/organisations")
def organisations() -> str:
    page, per_page = page_args(request.args, 50)
    items = get_store().read(organisation_list)
    return render_template("pages/organisations.html", results=paginate(items, page, per_page))


@bp.get("/organisations/<organisation>")
def organisation(organisation: str) -> str:
    shown = _read_group("organisation", organisation)
    org = shown["node"]
    facts = [
        ("Kind", org.get("kind")),
        ("Country", country_name(org.get("country"))),
        ("Region", org.get("region")),
        ("Also known as", "; ".join(org.get("aliases") or [])),
    ]
    return _group("organisation", organisation, org["name"], facts, shown, projects=shown["projects"])


@bp.get("/topics")
def topics() -> str:
    page, per_page = page_args(request.args, 50)
    items, retired = get_store().read(topics_page)
    return render_template(
        "pages/topics.html", results=paginate(items, page, per_page), levels=LEVELS, retired=retired
    )


def topics_page(tx: Tx) -> tuple[list[dict[str, Any]], set[str]]:
    """Every topic with its holders by level, and which of them are retired (shown marked)."""
    return topic_list(tx), retired_topics(tx)


@bp.get("/topics/<topic>")
def topic(topic: str) -> str:
    shown = _read_group("topic", topic)
    t = shown["node"]
    facts = [("About", t.get("description")), ("Also known as", "; ".join(t.get("aliases") or []))]
    # (open asks are shown to members only: they name who asks)
    asks = shown["asks"] if current_viewer().at_least("member") else None
    heading = t["name"] + (" (retired)" if t.get("status") == "retired" else "")
    return _group(
        "topic",
        topic,
        heading,
        facts,
        shown,
        levels=LEVELS,
        asks=asks,
        places=shown["places"],
        library=shown["library"],
        projects=shown["projects"],
    )


@bp.get("/workstreams")
def workstreams() -> str:
    return render_template("pages/workstreams.html", items=get_store().read(workstream_list))


# (a workstream's own page: graphapp.pages.workstreams)


@bp.get("/places")
def places() -> str:
    items = get_store().read(place_list)
    return render_template("pages/places.html", items=items, regions=M49_REGIONS)


@bp.get("/countries/<country>")
def country(country: str) -> str:
    name = country_name(country)
    if name == country and len(country) != 3:
        abort(404, f"{country!r} is not an ISO 3166-1 alpha-3 country code.")
    shown = _read_group("country", country.upper())
    return _group("country", country.upper(), name, [("ISO code", country.upper())], shown)


@bp.get("/regions/<region>")
def region(region: str) -> str:
    if region not in M49_REGIONS:
        abort(404, f"{region!r} is not a UN M49 region; they are {', '.join(M49_REGIONS)}.")
    shown = _read_group("region", region)
    return _group("region", region, region, [("Kind", "UN M49 region")], shown)

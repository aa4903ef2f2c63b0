"""The lists of organisations, topics, workstreams and places, and the page of each organisation, topic,
workstream, country and region: what it is, and the directory of its members."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from graphapp.auth import current_viewer
from graphapp.contactmap import View
from graphapp.db import get_store
from graphapp.exports import country_name
from graphapp.i18n import _, _l, country_in, local_name, sorted_by_name, word
from graphapp.pages import bp
from graphapp.pages.directory import countries_by_name, directory_of, redacted
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
from graphapp.queries.workstreams import workstream_leads
from graphapp.taxonomy import place_of_topic

#: The groups that are nodes of the graph (countries and regions are properties of members).
LABELS = {"organisation": "Organisation", "topic": "Topic", "workstream": "Workstream"}

#: What a group's page says when there is no such group, per kind.
NOT_FOUND = {
    "organisation": _l("There is no organisation with the id “%(id)s”."),
    "topic": _l("There is no topic with the id “%(id)s”."),
    "workstream": _l("There is no workstream with the id “%(id)s”."),
    "country": _l("There is no country with the code “%(id)s”."),
    "region": _l("There is no region “%(id)s”."),
}

#: The link from a group's page to the explorer, per kind.
EXPLORE_WORDS = {
    "organisation": _l("See this organisation in the network explorer"),
    "topic": _l("See this topic in the network explorer"),
    "workstream": _l("See this workstream in the network explorer"),
    "country": _l("See this country in the network explorer"),
    "region": _l("See this region in the network explorer"),
}

#: A group's kind as the kicker above its name says it.
KIND_WORDS = {
    "organisation": _l("Organisation"),
    "topic": _l("Topic"),
    "workstream": _l("Workstream"),
    "country": _l("Country"),
    "region": _l("Region"),
}


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
        abort(404, str(NOT_FOUND[kind]) % {"id": value})
    return redacted(shown)


def _group(
    kind: str, value: str, heading: str, facts: list[tuple[str, Any]], shown: dict[str, Any], **extra: Any
) -> str:
    return render_template(
        "pages/group.html",
        kind=kind,
        kind_words=KIND_WORDS[kind],
        explore_words=EXPLORE_WORDS[kind],
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
    items = sorted_by_name(get_store().read(organisation_list), local_name)
    return render_template("pages/organisations.html", results=paginate(items, page, per_page))


@bp.get("/organisations/<organisation>")
def organisation(organisation: str) -> str:
    shown = _read_group("organisation", organisation)
    org = shown["node"]
    facts = [
        (_("Kind"), org.get("kind")),
        (_("Country"), country_in(country_name(org.get("country")))),
        (_("Region"), word(org.get("region"), "region")),
        (_("Also known as"), "; ".join(_also_known_as(org))),
    ]
    return _group("organisation", organisation, local_name(org), facts, shown, projects=shown["projects"])


def _also_known_as(found: dict[str, Any]) -> list[str]:
    """A topic's or organisation's other names: the name as entered first, when the page's heading shows
    its translated name, then its aliases."""
    shown = local_name(found)
    return ([found["name"]] if shown != found["name"] else []) + list(found.get("aliases") or [])


@bp.get("/topics")
def topics() -> str:
    page, per_page = page_args(request.args, 50)
    items, retired = get_store().read(topics_page)
    return render_template(
        "pages/topics.html", results=paginate(items, page, per_page), levels=LEVELS, retired=retired
    )


def topics_page(tx: Tx) -> tuple[list[dict[str, Any]], set[str]]:
    """Every topic with its holders by level, by the name shown (its translated one, if given), and which of them are retired (shown marked)."""
    return sorted_by_name(topic_list(tx), local_name), retired_topics(tx)


@bp.get("/topics/<topic>")
def topic(topic: str) -> str:
    shown = _read_group("topic", topic)
    t = shown["node"]
    facts = [(_("About"), t.get("description")), (_("Also known as"), "; ".join(_also_known_as(t)))]
    # (open asks are shown to members only: they name who asks)
    asks = shown["asks"] if current_viewer().at_least("member") else None
    name = local_name(t)  # (in the reader's language, when it has a translated name)
    heading = _("%(topic)s (retired)", topic=name) if t.get("status") == "retired" else name
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


def workstreams_page(tx: Tx) -> list[dict[str, Any]]:
    """Every workstream (by id) with its leads by name, its members counted and the topics it covers."""
    return [{**w, "leads": workstream_leads(tx, w["id"])} for w in workstream_list(tx)]


@bp.get("/workstreams")
def workstreams() -> str:
    return render_template("pages/workstreams.html", items=get_store().read(workstreams_page))


# (a workstream's own page: graphapp.pages.workstreams)


@bp.get("/places")
def places() -> str:
    items = countries_by_name(get_store().read(place_list))
    return render_template("pages/places.html", items=items, regions=M49_REGIONS)


@bp.get("/countries/<country>")
def country(country: str) -> str:
    name = country_name(country)
    if name == country and len(country) != 3:
        abort(404, _("“%(code)s” is not a country's three-letter ISO code.", code=country))
    shown = _read_group("country", country.upper())
    return _group("country", country.upper(), country_in(name), [(_("ISO code"), country.upper())], shown)


@bp.get("/regions/<region>")
def region(region: str) -> str:
    if region not in M49_REGIONS:
        regions = ", ".join(word(r, "region") for r in M49_REGIONS)
        abort(
            404,
            _("“%(region)s” is not a UN M49 region; they are %(regions)s.", region=region, regions=regions),
        )
    shown = _read_group("region", region)
    return _group("region", region, word(region, "region"), [(_("Kind"), _("UN M49 region"))], shown)

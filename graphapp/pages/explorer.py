"""The network explorer: a view of the network drawn with vis-network, a table of its nodes, and the form
that chooses the view. What a person types names the subject (a topic's, workstream's, organisation's,
member's, country's or region's name; an id works too); a name that matches nothing keeps the form and
says "did you mean". A view of more people than can be read one by one shows them grouped (by
organisation, or by country or region, as chosen), and a group opens on click."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import render_template, request, url_for
from flask_babel import ngettext
from markupsafe import Markup

from graphapp.contactmap import View, contact_graph
from graphapp.db import get_store
from graphapp.i18n import _l, country_in, current_language, sorted_by_name
from graphapp.ingest.normalise import closest
from graphapp.ingest.plan import name_key
from graphapp.pages import bp
from graphapp.pages.directory import filter_choices
from graphapp.pages.kept import kept_part
from graphapp.pages.links import page_of
from graphapp.params import BadRequest, page_args, view_args
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.cypher import Tx
from graphapp.queries.members import paginate
from graphapp.queries.schema import NODES_BY_ID, graph_revision
from graphapp.queries.subgraph import AGGREGATE_LABEL, UnknownSubject, member_names, members_named
from graphapp.reports import map_of, people_in
from graphapp.visnetwork import COLOURINGS, REGION_NAMES, colour_legend, legend, vis_data

#: How the explorer colours nodes unless asked otherwise.
DEFAULT_COLOUR = "kind"
#: Above this many people, the explorer groups them (by organisation unless another grouping is asked):
#: a picture of a thousand dots and their labels is not one a person can read.
MAX_NODES = 1000

#: What the form says when a name matches nothing, per kind of subject (whole sentences: word order differs).
NOT_FOUND = {
    "topic": _l("No topic is called \u201c%(text)s\u201d."),
    "workstream": _l("No workstream is called \u201c%(text)s\u201d."),
    "organisation": _l("No organisation is called \u201c%(text)s\u201d."),
    "country": _l("No member lives in a country called \u201c%(text)s\u201d."),
    "region": _l("No region is called \u201c%(text)s\u201d."),
    "member": _l("No member is called \u201c%(text)s\u201d."),
}
#: What the form says when the name is left blank.
SAY_WHICH = {
    "topic": _l("Type the name of a topic to show."),
    "workstream": _l("Type the name of a workstream to show."),
    "organisation": _l("Type the name of an organisation to show."),
    "country": _l("Type the name of a country to show."),
    "region": _l("Type the name of a region to show."),
    "member": _l("Type the name of a member to show around."),
}


class NotNamed(LookupError):
    """What was typed names nothing of its kind: ``message`` says so; ``suggestions`` are names to try."""

    def __init__(self, kind: str, text: str, suggestions: list[str]) -> None:
        self.kind, self.text, self.suggestions = kind, text, suggestions
        self.message = str(NOT_FOUND[kind] % {"text": text}) if text else str(SAY_WHICH[kind])
        super().__init__(self.message)


def _country_names(code: str) -> list[str]:
    """A country's spellings: its code, its English names and its name in the reader's language."""
    import pycountry

    found = pycountry.countries.get(alpha_3=code)
    if found is None:
        return [code]
    english = [found.name, getattr(found, "common_name", ""), getattr(found, "official_name", "")]
    return [code, *(n for n in english if n), country_in(found.name)]


def named_subject(tx: Tx, kind: str, text: str, choices: dict[str, list[dict[str, Any]]]) -> tuple[str, str]:
    """The id and the name of the ``kind`` of subject ``text`` names (its name in any case or accents, an
    alias, or its id); raises :class:`NotNamed` with the closest names."""
    text = text.strip()
    if kind == "topic":
        from graphapp.proposals import vocabulary

        vocab = vocabulary(tx)
        found = vocab.find(text) if text else None
        if found is None:
            raise NotNamed(kind, text, vocab.closest(text) if text else [])
        return str(found["id"]), str(found["name"] or found["id"])
    if kind == "member" and text:
        if NODES_BY_ID["Member"].run(tx, ids=[text]):
            row = NODES_BY_ID["Member"].run(tx, ids=[text])[0]
            return text, str(row.get("name") or text)
        named = sorted(members_named(tx, text), key=lambda r: r["id"])
        if named:
            return str(named[0]["id"]), str(named[0]["name"])
    spellings: dict[str, tuple[str, str]] = {}  # every spelling -> (id, name shown)
    if kind in ("workstream", "organisation"):
        for row in choices[kind + "s"]:
            for spelling in (row["id"], row["name"], *(row.get("aliases") or [])):
                if spelling:
                    spellings[str(spelling)] = (row["id"], row["name"] or row["id"])
    elif kind == "country":
        for row in choices["places"]:
            for spelling in _country_names(row["id"]):
                spellings[spelling] = (row["id"], country_in_code(row["id"]))
    elif kind == "region":
        for region in M49_REGIONS:
            for spelling in (region, str(REGION_NAMES[region])):
                spellings[spelling] = (region, str(REGION_NAMES[region]))
    elif kind == "member":
        for row in member_names(tx):
            if row["name"]:
                spellings.setdefault(str(row["name"]), (row["id"], row["name"]))
    if text:
        wanted = name_key(text)
        for spelling, (found_id, found_name) in spellings.items():
            if spelling.casefold() == text.casefold() or name_key(spelling) == wanted:
                return found_id, found_name
    offered = {spelling: name for spelling, (_id, name) in spellings.items()}
    raise NotNamed(kind, text, closest(text, offered) if text else [])


def country_in_code(code: str) -> str:
    """A country's name in the reader's language, from its ISO alpha-3 code."""
    names = _country_names(code)
    return names[-1]


def explorer_page(tx: Tx, view: View, typed: str) -> dict[str, Any]:
    """The map of ``view``, its subject named by what was ``typed`` (grouped by organisation when it holds
    more than :data:`MAX_NODES` people and no grouping was asked: then ``too_many`` says how many), and
    the choices of the form. Raises :class:`NotNamed` for a name that names nothing."""
    choices = filter_choices(tx)
    subject_name = ""
    if view.kind != "network":
        value, subject_name = named_subject(tx, view.kind, typed, choices)
        view = replace(view, value=value)
    shown = people_in(tx, view)
    too_many = shown if shown > MAX_NODES and not view.aggregate else None
    if too_many:
        view = View(view.kind, view.value, view.depth, aggregate="organisation")
    return {
        "view": view,
        "subject_name": subject_name,
        "too_many": too_many,
        "graph": map_of(tx, view),
        "choices": choices,
        # (the whole network's drawing is kept per revision: explore())
        "revision": graph_revision(tx) if view.kind == "network" else None,
    }


def node_href(kind: str, node_id: str) -> str:
    """The address of the page of a node of this kind (a resource without a web link: the resources)."""
    return page_of(kind, node_id)


def _form(args: Any) -> dict[str, str]:
    """What the form was sent with, as typed (shown again as it was, whatever happens)."""
    return {
        "kind": args.get("kind", "") or "network",
        "value": args.get("value", ""),
        "depth": args.get("depth", "") or "1",
        "aggregate": args.get("aggregate", ""),
        "colour": args.get("colour", "") if args.get("colour", "") in COLOURINGS else DEFAULT_COLOUR,
        "unconnected": "show" if args.get("unconnected") == "show" else "",
    }


#: The explorer's main part, whether it draws a map (the page then loads vis-network), and the status.
Part = tuple[Markup, bool, int]


def _render(form: dict[str, str], status: int = 200, **page: Any) -> Part:
    page.setdefault("choices", None)
    if page["choices"] is None:
        page["choices"] = get_store().read(filter_choices)
    choices = page["choices"]
    countries = sorted_by_name(
        ({"id": c["id"], "name": country_in_code(c["id"])} for c in choices["places"]), lambda c: c["name"]
    )
    regions = sorted_by_name((str(REGION_NAMES[r]) for r in M49_REGIONS), lambda r: r)
    main = render_template(
        "explorer/_main.html",
        form=form,
        countries=countries,
        region_names=regions,
        **page,
    )
    data = page.get("data")
    # (a template's output: escaped as it was rendered)
    return Markup(main), bool(data and data["nodes"]), status  # noqa: S704


@bp.get("/explore")
def explore() -> tuple[str, int]:
    # (the first view, the whole network, the same for every reader of a language and role, is kept per
    # graph revision: 3 MB of HTML at 100,000 members)
    main, drawing, status = kept_part("explorer", _explore) if not request.args else _explore(None)
    return render_template("pages/explore.html", main=main, drawing=drawing), status


def _explore(tx: Tx | None) -> Part:
    """The explorer's main part for the request's arguments, read in ``tx`` when given (the kept first
    view's transaction), else in a read transaction of its own."""
    form = _form(request.args)
    raw = {k: request.args[k] for k in ("kind", "depth", "aggregate") if k in request.args}
    # The value is checked by name below; the rest of the view as the API checks it.
    raw["value"] = form["value"].strip() or ("-" if form["kind"] not in ("", "network") else "")
    try:
        view = view_args(raw)
        page, per_page = page_args(request.args, 50)
    except BadRequest as e:
        return _render(form, 400, error=str(e), suggestions=[])
    try:
        if tx is None:
            shown = get_store().read(explorer_page, view, form["value"])
        else:
            shown = explorer_page(tx, view, form["value"])
    except NotNamed as e:  # (a name left blank is a request to mend, 400; one that names nothing, 404)
        return _render(form, 404 if e.text else 400, error=e.message, suggestions=e.suggestions)
    except UnknownSubject as e:
        return _render(form, 404, error=str(e), suggestions=[])
    view = shown["view"]
    notice = None
    if shown["too_many"]:
        notice = ngettext(
            "This view holds %(num)d person, more than can be read one by one: it shows organisations "
            "instead, joined by the contacts between their people. Click one to see its people, or group "
            "them by country or region below.",
            "This view holds %(num)d people, more than can be read one by one: it shows organisations "
            "instead, joined by the contacts between their people. Click one to see its people, or group "
            "them by country or region below.",
            shown["too_many"],
        )
    grouped = bool(view.aggregate)
    subject = f"Member:{view.value}" if view.kind == "member" else None
    colour = form["colour"]

    def group_href(kind: str, node_id: str) -> str:
        """In a grouped map, a group's node opens the map of its people."""
        return url_for("pages.explore", kind=kind.lower(), value=node_id, colour=colour)

    def draw() -> tuple[dict[str, Any], int, int]:
        """The map laid out and put in the reader's words, how many unconnected nodes were left out, and
        how many edges it has."""
        G = contact_graph(shown["graph"])
        unconnected = sorted(n for n in G if G.degree(n) == 0)
        if unconnected and form["unconnected"] != "show" and len(unconnected) < len(G):
            # Nodes linked to nothing (an organisation without members, a topic nobody holds) would be laid
            # out around the picture and shrink it to a blob when it is fitted: they are left out, and counted.
            G.remove_nodes_from(unconnected)
            hidden = len(unconnected)
        else:
            hidden = 0
        data = vis_data(G, href=group_href if grouped else node_href, colour_by=colour, subject=subject)
        if grouped:
            for n in data["nodes"]:
                n["opens"] = True
        return data, hidden, G.number_of_edges()

    if shown["revision"] is not None and colour == DEFAULT_COLOUR and form["unconnected"] != "show":
        # The whole network's drawing as the explorer first shows it, the same for every reader of a
        # language: kept per graph revision (its layout and its 13,500 edges' titles took 0.6 s a view at
        # 100,000 members). One per language and grouping. Not changed below.
        key = ("explorer-drawing", current_language(), view.aggregate)
        data, hidden, edges = get_store().derived.get(key, shown["revision"], draw)
    else:
        data, hidden, edges = draw()
    rows = sorted(
        (
            {
                "name": n["name"],
                "kind": n["kind"],
                "degree": n["degree"],
                "href": n["href"],
                "external": n.get("external", False),
            }
            for n in data["nodes"]
        ),
        key=lambda r: (-r["degree"], r["name"]),
    )
    shown_args = {**view.args(), "value": form["value"]} if view.kind != "network" else view.args()
    if colour != "kind":
        shown_args["colour"] = colour
    return _render(
        form,
        200,
        view=view,
        view_args=shown_args,
        subject_name=shown["subject_name"],
        grouped=grouped,
        aggregate_label=AGGREGATE_LABEL.get(view.aggregate, ""),
        notice=notice,
        hidden=hidden,
        data=data,
        legend=legend(data),
        colours=colour_legend(data),
        table=paginate(rows, page, per_page),
        edges=edges,
        choices=shown["choices"],
    )

"""The network explorer: a view of the network drawn with vis-network, a table of its nodes, and the form
that chooses the view. A view of more people than can be drawn one by one shows their organisations."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from graphapp.contactmap import View, contact_graph, named_view
from graphapp.db import get_store
from graphapp.pages import bp
from graphapp.pages.directory import filter_choices
from graphapp.pages.links import page_of
from graphapp.params import page_args, view_args
from graphapp.queries.contactmap import people_in_view, read_map
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.cypher import Tx
from graphapp.queries.members import paginate
from graphapp.queries.subgraph import UnknownSubject
from graphapp.visnetwork import legend, vis_data

#: Above this many people, the explorer shows organisations (or topics) as nodes unless asked otherwise.
MAX_NODES = 2000


def explorer_page(tx: Tx, view: View) -> dict[str, Any]:
    """The map of ``view`` (by organisation instead, when it holds more than :data:`MAX_NODES` people:
    then ``too_many`` says how many), and the choices of the view form. A topic may be named by its name or
    an alias as well as its id."""
    view = named_view(tx, view)
    shown = people_in_view(tx, view)
    too_many = shown if shown > MAX_NODES and not view.aggregate else None
    if too_many:
        view = View(view.kind, view.value, view.depth, aggregate="organisation")
    return {"view": view, "too_many": too_many, "graph": read_map(tx, view), "choices": filter_choices(tx)}


def node_href(kind: str, node_id: str) -> str:
    """The address of the page of a node of this kind (a resource without a web link: the resources)."""
    return page_of(kind, node_id)


@bp.get("/explore")
def explore() -> str:
    view = view_args(request.args)
    page, per_page = page_args(request.args, 50)
    try:
        shown = get_store().read(explorer_page, view)
    except UnknownSubject as e:
        abort(404, str(e))
    notice = None
    if shown["too_many"]:
        notice = (
            f"This view holds {shown['too_many']:,} people, more than can be drawn one by one "
            f"({MAX_NODES:,}): it shows organisations instead, joined by the contacts between their people."
        )
    G = contact_graph(shown["graph"])
    data = vis_data(G, href=node_href)
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
    return render_template(
        "pages/explore.html",
        view=shown["view"],
        notice=notice,
        data=data,
        legend=legend(data),
        table=paginate(rows, page, per_page),
        edges=G.number_of_edges(),
        choices=shown["choices"],
        regions=M49_REGIONS,
    )

"""A contact map as vis-network draws it: nodes with their positions (from
:func:`graphapp.analytics.layout.hub_layout`), shapes, colours and hover text, edges, and the drawing's
options, built with pyvis. The explorer page and the offline HTML export draw from this."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlsplit

import networkx as nx
from flask_babel import ngettext
from pyvis.edge import Edge
from pyvis.network import Network as PyvisNetwork

from graphapp.analytics.layout import hub_layout
from graphapp.i18n import _, _l, word

__all__ = [
    "COLOURINGS",
    "DRAWN_STYLE",
    "GROUP_STYLE",
    "PHYSICS_UP_TO",
    "STYLE",
    "colour_legend",
    "legend",
    "vis_data",
]

#: Up to this many nodes the browser relaxes the layout with physics before stopping; above, the map is
#: drawn where the server laid it out, and the physics waits to be asked for.
PHYSICS_UP_TO = 500

#: How each kind of node is drawn: colours readable on white (contrast 4.5:1 or more) and told apart by
#: shape as well, for people who do not see the colours (the picture exports use the same). ``shape`` is
#: vis-network's; ``shape_name`` says it in the legend; ``name`` is the kind in words. vis-network has seven
#: shapes with the label beside them: a resource is a page with a folded corner, drawn as an image (an
#: inline SVG: nothing is fetched), and the same outline in the legend and the pictures.
STYLE: dict[str, dict[str, Any]] = {
    "Member": {"shape": "dot", "shape_name": "dot", "color": "#1f5fa8", "name": "person"},
    "Organisation": {
        "shape": "square",
        "shape_name": "square",
        "color": "#a14a00",
        "name": "organisation",
    },
    "Topic": {"shape": "triangle", "shape_name": "triangle", "color": "#2e6b30", "name": "topic"},
    "Workstream": {
        "shape": "diamond",
        "shape_name": "diamond",
        "color": "#6a1b9a",
        "name": "workstream",
    },
    "Project": {"shape": "star", "shape_name": "star", "color": "#c2185b", "name": "project"},
    "Theme": {"shape": "hexagon", "shape_name": "hexagon", "color": "#00697a", "name": "theme"},
    "Area": {
        "shape": "triangleDown",
        "shape_name": "triangle pointing down",
        "color": "#7a6a00",
        "name": "competence area",
    },
    "Resource": {"shape": "image", "shape_name": "page", "color": "#4d5b66", "name": "resource"},
}

#: The groups of people of a grouped map (never drawn beside workstreams or themes, whose shapes they take);
#: :data:`DRAWN_STYLE` is every kind a drawing may hold.
GROUP_STYLE: dict[str, dict[str, Any]] = {
    "Country": {
        "shape": "diamond",
        "shape_name": "diamond",
        "color": "#00697a",
        "name": "country (its people)",
    },
    "Region": {
        "shape": "hexagon",
        "shape_name": "hexagon",
        "color": "#6a1b9a",
        "name": "region (its people)",
    },
}
DRAWN_STYLE = {**STYLE, **GROUP_STYLE}

#: What a map may be coloured by: the kind of node (its shape tells it too), people's region, or their
#: workstream.
COLOURINGS = ("kind", "region", "workstream")
#: A colour per UN M49 region, and for what has none; a colour per workstream (in the order of their ids),
#: for people in several, and in none. All readable on white (3:1 or more, as graphics need).
REGION_COLOURS = {
    "Africa": "#b35900",
    "Americas": "#1f5fa8",
    "Asia": "#c2185b",
    "Europe": "#2e6b30",
    "Oceania": "#6a1b9a",
}
WORKSTREAM_COLOURS = ("#1f5fa8", "#2e6b30", "#c2185b", "#6a1b9a", "#b35900", "#00697a", "#7a6a00", "#4d5b66")
SEVERAL_COLOUR = "#1a1a1a"
NONE_COLOUR = "#8a8a8a"

#: A resource's page with a folded corner, as an SVG path in a 24 x 30 box (the legend draws it too).
PAGE_OUTLINE = "M1.5 1.5H15.5L22.5 8.5V28.5H1.5Z"
PAGE_FOLD = "M15.5 1.5V8.5H22.5"


def _page_image(color: str, edge: str, width: float) -> str:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="30" viewBox="0 0 24 30">'
        f'<path d="{PAGE_OUTLINE}" fill="{color}" stroke="{edge}" stroke-width="{width}"/>'
        f'<path d="{PAGE_FOLD}" fill="none" stroke="{edge}" stroke-width="{width}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


#: The resource's image, and the one shown while it is selected (a dark edge, as vis-network darkens the
#: border of the other shapes).
PAGE_IMAGE = {
    "unselected": _page_image(STYLE["Resource"]["color"], "#ffffff", 1.5),
    "selected": _page_image(STYLE["Resource"]["color"], "#1a1a1a", 2.5),
}


#: The words of :data:`STYLE` in the reader's language (STYLE keeps the English, as the pictures and
#: the tests read it).
STYLE_WORDS = {
    "competence area": _l("competence area"),
    "country (its people)": _l("country (its people)"),
    "diamond": _l("diamond"),
    "dot": _l("dot"),
    "hexagon": _l("hexagon"),
    "organisation": _l("organisation"),
    "page": _l("page"),
    "person": _l("person"),
    "project": _l("project"),
    "region (its people)": _l("region (its people)"),
    "resource": _l("resource"),
    "square": _l("square"),
    "star": _l("star"),
    "theme": _l("theme"),
    "topic": _l("topic"),
    "triangle": _l("triangle"),
    "triangle pointing down": _l("triangle pointing down"),
    "workstream": _l("workstream"),
}


def legend(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The kinds a drawing (:func:`vis_data`) shows, in the order of :data:`STYLE`, with their style (the
    words in the reader's language): what its legend lists."""
    return _kinds_of(n["kind"] for n in data["nodes"])


def colour_legend(data: dict[str, Any]) -> list[dict[str, str]]:
    """What each colour means, when the drawing is coloured by region or workstream (else nothing)."""
    return list(data.get("colours", []))


def _kinds_of(kinds: Iterable[str]) -> dict[str, dict[str, str]]:
    shown = set(kinds)
    return {
        kind: {
            k: str(STYLE_WORDS.get(v, v)) if k in ("name", "shape_name") else str(v) for k, v in style.items()
        }
        for kind, style in DRAWN_STYLE.items()
        if kind in shown
    }


def web_link(url: Any) -> str | None:
    """A link that may be offered to click: http or https only (a ``javascript:`` one never).

    >>> web_link("https://example.org/a b"), web_link("javascript:alert(1)"), web_link("//evil.example")
    ('https://example.org/a%20b', None, None)
    """
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(text, safe=":/?#[]@!$&'()*+,;=%~-._")


def _size(degree: int, weight: float | None = None) -> float:
    return round(8 + 4 * math.sqrt(weight if weight is not None else degree), 1)


def _title(kind: str, name: str, attrs: dict[str, Any], degree: int) -> str:
    """The hover text: plain text (vis-network 9 shows a string title as text, never as HTML)."""
    lines = [f"{name} ({_kind_name(kind)})", *_details(kind, attrs)]
    lines.append(_("connections: %(n)s", n=degree))
    return "\n".join(lines)


def _details(kind: str, attrs: dict[str, Any]) -> list[str]:
    """The lines of a node's hover text that describe it (never the people of a project or resource)."""
    if kind == "Project":
        from graphapp.ingest.gsbpm import domain_name

        lines = []
        stage = attrs.get("stage")
        if stage:
            day = attrs.get(str(stage))
            name = word(str(stage), "stage")
            lines.append(
                _("stage: %(stage)s since %(day)s", stage=name, day=day)
                if day
                else _("stage: %(stage)s", stage=name)
            )
        if attrs.get("domain"):
            lines.append(_("serves: %(domain)s", domain=domain_name(str(attrs["domain"]))))
        if attrs.get("report"):
            lines.append(_("report: %(report)s", report=attrs["report"]))
        if attrs.get("code"):
            lines.append(_("code: %(code)s", code=attrs["code"]))
        return lines
    if kind == "Resource":
        words = {
            "kind": _("kind: %(value)s", value=word(str(attrs.get("kind")), "resource_kind")),
            "language": _("language: %(value)s", value=attrs.get("language")),
            "url": _("link: %(value)s", value=attrs.get("url")),
            "added": _("added: %(value)s", value=attrs.get("added")),
        }
        return [words[field] for field in ("kind", "language", "url", "added") if attrs.get(field)]
    if kind == "Theme":
        what = (
            _("what facilitates the work")
            if attrs.get("kind") == "facilitator"
            else _("a theme of the journey")
        )
        return [what, *([str(attrs["description"])] if attrs.get("description") else [])]
    if kind == "Area":
        return [str(attrs["description"])] if attrs.get("description") else []
    from graphapp.i18n import country_in

    lines = []
    if kind in ("Country", "Region"):
        pass  # the name says it
    elif attrs.get("title"):
        lines.append(_("job: %(title)s", title=attrs["title"]))
    if attrs.get("country") and kind != "Country":
        lines.append(_("country: %(country)s", country=_country_name(str(attrs["country"]), country_in)))
    if attrs.get("region") and kind != "Region":
        lines.append(_("region: %(region)s", region=_region_name(str(attrs["region"]))))
    if attrs.get("members") not in (None, ""):
        lines.append(_("people: %(n)s", n=attrs["members"]))
    return lines


def _kind_name(kind: str) -> str:
    """A kind of node in the reader's words."""
    name = DRAWN_STYLE[kind]["name"]
    return str(STYLE_WORDS.get(name, name))


def _country_name(code: str, country_in: Callable[[str], str]) -> str:
    """A country's name in the reader's language, from its ISO alpha-3 code (the code if unknown)."""
    import pycountry

    found = pycountry.countries.get(alpha_3=code.upper())
    return country_in(found.name) if found else code


REGION_NAMES = {
    "Africa": _l("Africa"),
    "Americas": _l("Americas"),
    "Asia": _l("Asia"),
    "Europe": _l("Europe"),
    "Oceania": _l("Oceania"),
}


def _region_name(region: str) -> str:
    return str(REGION_NAMES.get(region, region))


#: Links in words, where the relationship's own name would not do (the others: its name in lower case).
EDGE_WORDS = {
    "WORKS_AT": _l("works at"),
    "INTERESTED_IN": _l("interested in"),
    "MEMBER_OF": _l("member of"),
    "COVERS": _l("covers"),
    "KNOWS": _l("knows"),
    "CONTACTS": _l("contacts between their people"),
    "SHARED_MEMBERS": _l("people who hold both"),
    "WORKS_ON": _l("works on"),
    "RUN_BY": _l("run by"),
    "ON_TOPIC": _l("on the topic"),
    "IN_WORKSTREAM": _l("in the workstream"),
    "SERVES": _l("serves the theme"),
    "OF_THEME": _l("serves the theme"),
    "ABOUT": _l("about"),
    "FOR_WORKSTREAM": _l("for the workstream"),
    "SHARED": _l("shared"),
    "BROADER": _l("narrower than"),
    "IN_AREA": _l("in the competence area"),
}


def _colours(G: nx.Graph[str], by: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The colour of each node coloured ``by`` region or workstream (the others keep their kind's), and the
    legend of the colours used, in the reader's words."""
    if by == "region":
        region_of: dict[str, str] = {}
        for key in G:
            attrs = G.nodes[key]
            region = attrs.get("region") or (attrs.get("id") if attrs["category"] == "Region" else None)
            if attrs["category"] in ("Member", "Organisation", "Country", "Region"):
                region_of[key] = str(region or "")
        colours = {k: REGION_COLOURS.get(r, NONE_COLOUR) for k, r in region_of.items()}
        used = set(region_of.values())
        shown = [{"name": _region_name(r), "color": c} for r, c in REGION_COLOURS.items() if r in used]
        if used - set(REGION_COLOURS):
            shown.append({"name": _("no region given"), "color": NONE_COLOUR})
        return colours, shown
    if by == "workstream":
        streams = sorted(k for k in G if G.nodes[k]["category"] == "Workstream")
        colour_of = {w: WORKSTREAM_COLOURS[i % len(WORKSTREAM_COLOURS)] for i, w in enumerate(streams)}
        colours = dict(colour_of)
        kinds_used: set[str] = set()
        for key in G:
            if G.nodes[key]["category"] != "Member":
                continue
            theirs = [w for w in G[key] if w in colour_of]
            colours[key] = (
                colour_of[theirs[0]] if len(theirs) == 1 else SEVERAL_COLOUR if theirs else NONE_COLOUR
            )
            kinds_used.add("one" if len(theirs) == 1 else "several" if theirs else "none")
        shown = [{"name": str(G.nodes[w]["label"]), "color": colour_of[w]} for w in streams]
        if "several" in kinds_used:
            shown.append({"name": _("in several workstreams"), "color": SEVERAL_COLOUR})
        if "none" in kinds_used:
            shown.append({"name": _("in no workstream"), "color": NONE_COLOUR})
        return colours, shown
    return {}, []


def vis_data(
    G: nx.Graph[str],
    href: Callable[[str, str], str] | None = None,
    colour_by: str = "kind",
    subject: str | None = None,
) -> dict[str, Any]:
    """Nodes, edges and options for vis-network, from a contact graph
    (:func:`graphapp.contactmap.contact_graph`). Each node carries ``kind``, ``name``, ``degree`` and,
    given ``href(kind, id)``, the address of its page, for the explorer's side panel. ``colour_by`` one
    of :data:`COLOURINGS` (the legend of its colours is ``colours``); ``subject``, the key of the node the
    view is about (drawn larger, with a thick dark ring)."""
    from graphapp.i18n import country_in

    pos = hub_layout(G)
    colours, colour_names = _colours(G, colour_by)
    net = PyvisNetwork(directed=False, cdn_resources="local")
    for key in sorted(G):
        attrs = G.nodes[key]
        kind = attrs["category"]
        name = attrs["label"]
        degree = G.degree(key)
        x, y = pos[key]
        if kind == "Country":
            name = _country_name(str(attrs["id"]), country_in)
        elif kind == "Region":
            name = _region_name(str(attrs["id"]))
        degree_text = ngettext("%(num)d connection", "%(num)d connections", degree)
        extra: dict[str, Any] = {"kind": kind, "name": name, "degree": degree, "degree_text": degree_text}
        if kind == "Resource":
            # A resource's page is its own link (when it is a web address); it is drawn as an image.
            link = web_link(attrs.get("url"))
            if href is not None:
                extra["href"] = link or href(kind, attrs["id"])
            elif link:
                extra["href"] = link
            extra["external"] = link is not None
            extra["image"] = PAGE_IMAGE
            extra["shapeProperties"] = {"useBorderWithImage": False}
        elif href is not None:
            extra["href"] = href(kind, attrs["id"])
        if key == subject:
            extra.update(subject=True, borderWidth=5, borderWidthSelected=6)
            extra["color"] = {"background": colours.get(key, DRAWN_STYLE[kind]["color"]), "border": "#000000"}
        weight = attrs.get("members")
        net.add_node(
            key,
            # Every node has its label; the explorer's script draws those that have room (the hubs first).
            label=name,
            title=_title(kind, name, attrs, degree),
            shape=DRAWN_STYLE[kind]["shape"],
            **({} if "color" in extra else {"color": colours.get(key, DRAWN_STYLE[kind]["color"])}),
            size=_size(degree, weight) * (1.6 if key == subject else 1),
            # vis-network scales nodes and labels by value: a label grows with its node, and with the zoom.
            value=(weight if weight is not None else degree) + (1 if key == subject else 0) * max(degree, 4),
            x=round(x, 1),
            y=round(y, 1),
            kind_name=_kind_name(kind),
            **extra,
        )
    # Each word translated once per map, not once per edge: a grouped map of 100,000 members has 13,500
    # edges, and a translation is a lookup through Flask-Babel's context (1 s a map before).
    words: dict[tuple[str, str], str] = {}

    def said(value: str, kind: str) -> str:
        if (value, kind) not in words:
            words[value, kind] = (
                str(EDGE_WORDS.get(value) or value.replace("_", " ").lower())
                if kind == "edge"
                else word(value, kind)
            )
        return words[value, kind]

    for u, v, data in sorted(G.edges(data=True)):
        weight = data.get("weight")
        rel = data["relationship"]
        title = said(rel, "edge")
        for field in ("level", "role", "weight", "at"):
            if data.get(field) not in (None, ""):
                value = data[field]
                if field == "level" or (field == "role" and rel == "MEMBER_OF"):
                    value = said(str(value), "level" if field == "level" else "workstream_role")
                title += f": {value}"
        if rel == "SERVES":
            stages = [word(s.strip(), "stage") for s in str(data.get("stages") or "").split(",") if s.strip()]
            title = (
                _("%(link)s at %(stages)s", link=title, stages=", ".join(stages))
                if stages
                else _("%(link)s at every stage", link=title)
            )
        # pyvis's Edge directly: Network.add_edge looks for a duplicate among all edges so far, which is
        # quadratic (minutes at 25,000 edges); a networkx graph has no duplicates to look for.
        edge = Edge(u, v, False, title=title, width=1 + math.log2(weight) if weight else 1, color="#8a8a8a")
        net.edges.append(edge.options)
    big = len(G) > PHYSICS_UP_TO
    net.options = {
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "keyboard": {"enabled": True, "bindToWindow": False},
            # Drawing tens of thousands of edges is most of a frame: leave them out while panning/zooming.
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
        },
        "edges": {"smooth": False},
        "nodes": {
            # The explorer's script draws the labels (those that have room, the hubs first: they never
            # overlap) with these sizes: growing with the node's value (its connections) and with the zoom
            # up to maxVisible pixels, with a white halo of strokeWidth that keeps them readable over edges.
            "font": {"size": 14, "color": "#1a1a1a", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "scaling": {
                "min": 8,
                "max": 40,
                "label": {"enabled": True, "min": 10, "max": 22, "maxVisible": 20, "drawThreshold": 6},
            },
        },
        "physics": {
            # A big map starts still, where the server laid it out (the physics can be resumed); a small
            # one relaxes for a moment first.
            "enabled": not big,
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -3000, "springLength": 120, "damping": 0.4},
            "stabilization": {"enabled": not big, "iterations": 120, "updateInterval": 20, "fit": True},
        },
    }
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    grouped = any(G.nodes[k].get("members") is not None for k in G)
    return {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "colours": colour_names,
        "sized_by": "people" if grouped else "connections",
    }

"""Contact-map exports, for any view: people as a spreadsheet or address book, the graph for Gephi,
Cytoscape and yEd, a standalone offline HTML network, and a picture for slides.

Each format is a function from an :class:`Export` (the view's map and its people, read in one
transaction) to bytes; :data:`FORMATS` joins each to its name, media type and file extension, which
:data:`graphapp.formats.EXPORT_FORMATS` gives.

The words a person reads in a file (the XLSX sheet's name and header row, the vCard's notes, the
pictures' title, legend and words, the offline page's words) are in the language of the request that
downloads it (English from the command line). The CSV's header row, the JSON's keys and the GEXF and
GraphML attribute keys stay English in every language: programs read them, and imports take them back.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
from flask_babel import ngettext

from graphapp.analytics.layout import hub_layout
from graphapp.contactmap import View, contact_graph, named_view
from graphapp.formats import EXPORT_FORMATS, ExportFormat
from graphapp.i18n import _, _l, country_in, word
from graphapp.ingest.normalise import lookup_country
from graphapp.queries.asks import open_asks_of_members
from graphapp.queries.contactmap import read_map
from graphapp.queries.cypher import Tx
from graphapp.queries.members import people
from graphapp.resources import STATIC, TEMPLATES, VIS_NETWORK
from graphapp.visnetwork import DRAWN_STYLE, legend, vis_data

if TYPE_CHECKING:
    import jinja2

__all__ = ["FORMATS", "Export", "export", "read_export"]


@dataclass
class Export:
    view: View
    graph: dict[str, Any]  # nodes and relationships, as graphapp.queries.subgraph gives them
    people: list[dict[str, Any]]  # the people of the map, as graphapp.queries.members.people gives them
    title: str
    #: The open asks of the people of the map (graphapp.queries.asks.open_asks_of_members): in the CSV
    #: (a column) and the Cytoscape.js JSON (on each person), the formats made to be read as data.
    asks: list[dict[str, Any]] = field(default_factory=list)


def read_export(tx: Tx, view: View, title: str) -> Export:
    """Everything an export of ``view`` needs, in one transaction (a topic named by any spelling)."""
    view = named_view(tx, view)
    graph = read_map(tx, view)
    if view.aggregate:  # an aggregated map has no people in it; the people behind it are the view's
        from graphapp.queries.members import member_ids

        ids = member_ids(tx, view.member_filter())
    else:
        ids = sorted(n["properties"]["id"] for n in graph["nodes"] if n["label"] == "Member")
    return Export(view, graph, people(tx, ids), title, open_asks_of_members(tx, ids))


def country_name(code: str | None, translated: bool = False) -> str:
    """A country's name from its ISO alpha-3 code (the code itself if it is not one): in English, or in
    the reader's language if ``translated``."""
    if not code:
        return ""
    found = lookup_country(code)
    if not found:
        return code
    return country_in(found.name) if translated else found.name


def _interests(person: dict[str, Any], translated: bool = False) -> str:
    """A person's topics with their levels: "ethics (expert); record linkage (learning)", the levels in
    the reader's language if ``translated`` (the topic names stay as entered)."""
    return "; ".join(
        _("%(topic)s (%(level)s)", topic=i["name"], level=word(i["level"], "level"))
        if translated
        else f"{i['name']} ({i['level']})"
        for i in person["interests"]
    )


def _workstreams(person: dict[str, Any], translated: bool = False) -> str:
    """A person's workstreams, "WS1 Name (lead)", the role in the reader's language if ``translated``."""

    def one(w: dict[str, Any]) -> str:
        named = f"{w['id']} {w['name']}"
        if w["role"] != "lead":
            return named
        return _("%(workstream)s (lead)", workstream=named) if translated else named + " (lead)"

    return "; ".join(one(w) for w in person["workstreams"])


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A spreadsheet cell that cannot run as a formula: one starting with ``= + - @`` (or a tab or
    carriage return, which some spreadsheets skip) gets a leading apostrophe, as OWASP advises.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-1"), neutralise("Ana")
    ('\\'=HYPERLINK("http://x")', "'-1", 'Ana')
    """
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


CSV_COLUMNS = (
    "name",
    "title",
    "organisation",
    "country",
    "region",
    "email",
    "topics",
    "workstreams",
    "open asks",
)


def _asks_by_member(e: Export) -> dict[str, list[str]]:
    """Each person's open asks, as "kind: text (topics)"."""
    by_member: dict[str, list[str]] = {}
    for a in e.asks:
        by_member.setdefault(a["member"], []).append(f"{a['kind']}: {a['text']} ({', '.join(a['topics'])})")
    return by_member


#: The XLSX sheet's header row, in the reader's language: the CSV's columns, in its order.
XLSX_COLUMNS = {
    "name": _l("Name"),
    "title": _l("Job title"),
    "organisation": _l("Organisation"),
    "country": _l("Country"),
    "region": _l("Region"),
    "email": _l("Email"),
    "topics": _l("Topics"),
    "workstreams": _l("Workstreams"),
    "open asks": _l("Open asks"),
}
if tuple(XLSX_COLUMNS) != CSV_COLUMNS:  # one column in one of them only
    raise RuntimeError("the XLSX columns and the CSV columns differ")


def _ask_words(a: dict[str, Any]) -> str:
    """An open ask as a person reads it: "offer: text (topics)", the kind in the reader's language."""
    return str(
        _(
            "%(kind)s: %(text)s (%(topics)s)",
            kind=word(a["kind"], "ask_kind"),
            text=a["text"],
            topics=", ".join(a["topics"]),
        )
    )


def to_xlsx(e: Export) -> bytes:
    """The people of the map as a spreadsheet for people: the CSV's columns, with the sheet's name, its
    header row, the countries, levels and roles in the reader's language; a second sheet says what the
    map shows. Cells are neutralised as the CSV's are."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # (a new workbook has one sheet)
    sheet.title = _sheet_name(_("People"))
    sheet.append([str(label) for label in XLSX_COLUMNS.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    asks: dict[str, list[str]] = {}
    for a in e.asks:
        asks.setdefault(a["member"], []).append(_ask_words(a))
    for p in e.people:
        row = (
            p["name"],
            p.get("title") or "",
            p.get("organisation") or "",
            country_name(p.get("country"), translated=True),
            p.get("region") or "",
            p.get("email") or "",
            _interests(p, translated=True),
            _workstreams(p, translated=True),
            " | ".join(asks.get(p["id"], [])),
        )
        sheet.append([_xlsx_safe(neutralise(str(cell))) for cell in row])
    for column, width in zip("ABCDEFGHI", (24, 24, 28, 18, 14, 28, 40, 30, 40), strict=True):
        sheet.column_dimensions[column].width = width
    about = book.create_sheet(_sheet_name(_("About this file")))
    about.append([_xlsx_safe(e.title)])
    about["A1"].font = Font(bold=True)
    about.append([ngettext("%(num)d person", "%(num)d people", len(e.people))])
    book.properties.title = _xlsx_safe(e.title)
    book.properties.creator = "graphapp"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(text: str) -> str:
    """A name a sheet may have: at most 31 characters, none of ``[]:*?/\\``."""
    return "".join(c for c in text if c not in "[]:*?/\\")[:31]


_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_safe(text: str) -> str:
    """A cell's text without the control characters an XLSX file cannot hold (openpyxl refuses them)."""
    return _XLSX_ILLEGAL.sub("", text)


def to_csv(e: Export) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    asks = _asks_by_member(e)
    for p in e.people:
        row = (
            p["name"],
            p.get("title") or "",
            p.get("organisation") or "",
            country_name(p.get("country")),
            p.get("region") or "",
            p.get("email") or "",
            _interests(p),
            _workstreams(p),
            " | ".join(asks.get(p["id"], [])),
        )
        writer.writerow([neutralise(str(cell)) for cell in row])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def to_vcf(e: Export) -> bytes:
    import vobject

    cards = []
    for p in e.people:
        card = vobject.vCard()
        card.add("version").value = "4.0"
        card.add("fn").value = p["name"]  # FN is the one property every vCard 4.0 must have
        card.add("kind").value = "individual"
        if p.get("email"):
            card.add("email").value = p["email"]
        if p.get("organisation"):
            card.add("org").value = [p["organisation"]]
        if p.get("title"):
            card.add("title").value = p["title"]
        notes = []  # (words a person reads: in the reader's language)
        if p["interests"]:
            notes.append(_("Topics: %(topics)s", topics=_interests(p, translated=True)))
        if p["workstreams"]:
            notes.append(_("Workstreams: %(workstreams)s", workstreams=_workstreams(p, translated=True)))
        if p.get("country"):
            notes.append(_("Country: %(country)s", country=country_name(p["country"], translated=True)))
        if notes:
            card.add("note").value = "\n".join(notes)
        card.add("uid").value = f"urn:graphapp:member:{p['id']}"
        cards.append(card.serialize())
    return "".join(cards).encode("utf-8")


def _exchange_graph(e: Export) -> nx.Graph[str]:
    """The contact graph with values GEXF and GraphML accept: no nulls, no lists, node ids that are XML name
    tokens (``Label:slug``). The property ``id`` becomes ``graphapp_id``: networkx's GEXF writer would
    otherwise take it for the node's id, and ids repeat across labels (a topic and an organisation)."""
    G = contact_graph(e.graph)
    G.graph.clear()
    for _node, attrs in G.nodes(data=True):
        if "id" in attrs:
            attrs["graphapp_id"] = attrs.pop("id")
    return G


#: Characters XML 1.0 cannot hold at all, even escaped (control characters but tab, newline and carriage
#: return; lone surrogates; U+FFFE and U+FFFF). A title typed with one must not make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_graph(e: Export) -> nx.Graph[str]:
    """The exchange graph with every text as XML can hold it (see :data:`_NOT_XML`), for GEXF and GraphML.

    >>> _NOT_XML.sub("", "a\x0bb\tc")
    'ab\tc'
    """
    G = _exchange_graph(e)
    for _node, attrs in G.nodes(data=True):
        _xml_safe(attrs)
    for _u, _v, attrs in G.edges(data=True):
        _xml_safe(attrs)
    return G


def _xml_safe(attrs: dict[str, Any]) -> None:
    for k, v in attrs.items():
        if isinstance(v, str):
            attrs[k] = _NOT_XML.sub("", v)


_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def to_gexf(e: Export) -> bytes:
    buf = io.BytesIO()
    nx.write_gexf(_xml_graph(e), buf, version="1.3")
    text = buf.getvalue().decode("utf-8")
    # networkx 3.6 writes an XSI namespace without "www." for 1.3 and an empty graph name, which the
    # official schema rejects (see tests/schemas/README.md).
    text = text.replace("http://w3.org/2001/XMLSchema-instance", _XSI)
    text = re.sub(r'(<graph\b[^>]*?) name=""', r"\1", text, count=1)
    return text.encode("utf-8")


def to_graphml(e: Export) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(_xml_graph(e), buf, named_key_ids=True)
    return buf.getvalue()


def to_cyjs(e: Export) -> bytes:
    G = _exchange_graph(e)
    data = nx.cytoscape_data(G, name="label", ident="key")  # no such attribute: the id is the node key
    data["data"] = {"name": e.title}
    pos = hub_layout(G)
    asks: dict[str, list[dict[str, Any]]] = {}
    for a in e.asks:
        asks.setdefault(a["member"], []).append(
            {
                "id": a["id"],
                "kind": a["kind"],
                "text": a["text"],
                "topics": a["topics"],
                "created": a["created"],
            }
        )
    for node in data["elements"]["nodes"]:
        if node["data"].get("category") == "Member" and node["data"].get("graphapp_id") in asks:
            node["data"]["open_asks"] = asks[node["data"]["graphapp_id"]]
        x, y = pos[node["data"]["id"]]
        node["position"] = {"x": round(x, 1), "y": round(y, 1)}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def _environment() -> jinja2.Environment:
    """The offline page's Jinja: the app's templates, with ``_`` and ``ngettext`` in the reader's language
    (Flask-Babel's, as the pages have them)."""
    from flask_babel import gettext, ngettext
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    return env


def to_html(e: Export, data: dict[str, Any] | None = None) -> bytes:
    """One file that draws the map with nothing else: vis-network and the explorer's script inlined.
    ``data`` replaces the drawing's nodes, edges and options (the explorer benchmark's baseline)."""
    data = data or vis_data(contact_graph(e.graph))
    page = (
        _environment()
        .get_template("explorer/standalone.html")
        .render(
            title=e.title,
            data=data,
            legend=legend(data),
            vis_js=(VIS_NETWORK / "vis-network.min.js").read_text(encoding="utf-8"),
            vis_css=(VIS_NETWORK / "vis-network.min.css").read_text(encoding="utf-8"),
            explorer_js=(STATIC / "explorer.js").read_text(encoding="utf-8"),
            explorer_css=(STATIC / "graphapp.css").read_text(encoding="utf-8")
            + (STATIC / "explorer.css").read_text(encoding="utf-8"),
        )
    )
    return page.encode("utf-8")


def _page_marker() -> Any:
    """A resource's page with a folded corner (the explorer's outline), as a matplotlib marker."""
    from matplotlib.path import Path

    outline = [(-0.5, 0.6), (0.2, 0.6), (0.5, 0.3), (0.5, -0.6), (-0.5, -0.6), (-0.5, 0.6)]
    return Path(outline, [Path.MOVETO, *[Path.LINETO] * 4, Path.CLOSEPOLY])


#: The matplotlib marker of each of the explorer's shapes (:data:`graphapp.visnetwork.STYLE`).
MARKERS: dict[str, Any] = {
    "dot": "o",
    "square": "s",
    "triangle": "^",
    "diamond": "D",
    "star": "*",
    "hexagon": "h",
    "triangleDown": "v",
    "image": "page",  # made when drawn (_page_marker): matplotlib is imported only by the pictures
}


#: The least size (in points squared) a kind is drawn at in the pictures.
MARKER_LEAST = {"Project": 40, "Theme": 40, "Area": 40, "Resource": 40}


def _marker(shape: str) -> Any:
    marker = MARKERS[shape]
    return _page_marker() if marker == "page" else marker


def _picture(e: Export, fmt: str) -> bytes:
    import matplotlib
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    G = contact_graph(e.graph)
    pos = hub_layout(G)
    matplotlib.rcParams["svg.hashsalt"] = "graphapp"  # the same map gives the same file
    # A Figure of its own, not pyplot's: nothing global is kept (pyplot holds every figure until it is
    # closed, which a drawing that fails half-way never was) and requests in threads side by side are safe.
    fig = Figure(figsize=(12, 8), dpi=150)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_title(_plain(e.title), loc="left", fontsize=13)
    if G.number_of_edges():
        segments = [(pos[u], pos[v]) for u, v in G.edges()]
        ax.add_collection(LineCollection(segments, colors="#b0b0b0", linewidths=0.5, zorder=1))
    label_people = len(G) <= 60
    for kind, style in DRAWN_STYLE.items():
        nodes = [n for n in G if G.nodes[n]["category"] == kind]
        if not nodes:
            continue
        sizes = [
            12 + 6 * G.degree(n) if "members" not in G.nodes[n] else 12 + 6 * G.nodes[n]["members"]
            for n in nodes
        ]
        # A project, theme, area or resource has few links but must be seen: never smaller than a dot of
        # a few; a star fills less of its box than the other markers.
        least = MARKER_LEAST.get(kind, 0)
        grow = 2.0 if style["shape"] == "star" else 1.0
        ax.scatter(
            [pos[n][0] for n in nodes],
            [pos[n][1] for n in nodes],
            s=[grow * max(least, min(s, 400)) for s in sizes],
            c=style["color"],
            marker=_marker(style["shape"]),
            edgecolors="white",
            linewidths=0.5,
            zorder=2,
        )
        if kind != "Member" or label_people:
            for n in nodes:
                ax.annotate(
                    _plain(G.nodes[n]["label"]),
                    pos[n],
                    fontsize=6,
                    ha="center",
                    va="bottom",
                    xytext=(0, 4),
                    textcoords="offset points",
                    zorder=3,
                )
    handles = [
        Line2D(
            [],
            [],
            marker=_marker(s["shape"]),
            color="w",
            markerfacecolor=s["color"],
            markersize=11 if s["shape"] == "star" else 8,
            label=word(kind, "node_kind"),
        )
        for kind, s in DRAWN_STYLE.items()
        if any(G.nodes[n]["category"] == kind for n in G)
    ]
    if handles:
        ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=8)
    if not len(G):
        ax.text(0.5, 0.5, _("Nothing to show in this view"), ha="center", va="center", transform=ax.transAxes)
    ax.autoscale_view()
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    with warnings.catch_warnings():
        # A name in a script the font lacks is drawn as boxes, not refused (matplotlib warns of each glyph).
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        fig.savefig(buf, format=fmt, bbox_inches="tight", metadata=metadata)
    return buf.getvalue()


def _plain(text: str) -> str:
    r"""A name as matplotlib should draw it: as it is (a "$" would otherwise start a formula), without
    control characters (which no font draws).

    >>> _plain("Cost $5 and $6\x1b")
    'Cost \\$5 and \\$6'
    """
    return "".join(ch for ch in text if ch.isprintable()).replace("$", r"\$")


def to_png(e: Export) -> bytes:
    return _picture(e, "png")


def to_svg(e: Export) -> bytes:
    return _picture(e, "svg")


@dataclass(frozen=True)
class Format(ExportFormat):
    """An export format (:data:`graphapp.formats.EXPORT_FORMATS`) with the function that writes it."""

    write: Callable[[Export], bytes]


WRITERS: dict[str, Callable[[Export], bytes]] = {
    "csv": to_csv,
    "xlsx": to_xlsx,
    "vcf": to_vcf,
    "gexf": to_gexf,
    "graphml": to_graphml,
    "cyjs": to_cyjs,
    "html": to_html,
    "png": to_png,
    "svg": to_svg,
}
if WRITERS.keys() != EXPORT_FORMATS.keys():  # a format named in one place only
    raise RuntimeError(
        f"export formats without a writer, or writers without a format: {WRITERS.keys() ^ EXPORT_FORMATS.keys()}"
    )

#: Every export format, with its writer, in the order of :data:`graphapp.formats.EXPORT_FORMATS`.
FORMATS: dict[str, Format] = {
    name: Format(f.name, f.media_type, f.extension, f.description, WRITERS[name])
    for name, f in EXPORT_FORMATS.items()
}


def export(e: Export, fmt: str) -> bytes:
    """The export in one of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    return FORMATS[fmt].write(e)

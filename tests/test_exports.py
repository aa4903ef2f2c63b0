"""Contact-map exports, on both stores: every format parses with an independent reader, the graph formats
validate against the official schemas (tests/schemas), spreadsheets cannot run formulas, and the HTML works
with nothing from another host."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest
import vobject
import xmlschema

from graphapp.contactmap import View
from graphapp.demo import DEMO_FILES
from graphapp.exports import FORMATS, export, read_export
from graphapp.i18n import country_in
from graphapp.ingest import import_files
from tests.helpers import member, write_csv
from tests.journey import add_journey

SCHEMAS = Path(__file__).parent / "schemas"
GEXF = xmlschema.XMLSchema(SCHEMAS / "gexf-1.3" / "gexf.xsd")
GRAPHML = xmlschema.XMLSchema(SCHEMAS / "graphml" / "graphml.xsd")

HOSTILE = [
    member(
        '=HYPERLINK("http://evil.example/","click")',
        "formula@example.org",
        organisation="Statistics Example",
        country="NLD",
        title="+SUM(1,2)",
        topics="record linkage:expert",
    ),
    member(
        "</script><script>alert(1)</script>",
        "script@example.org",
        organisation="Statistics Example",
        country="NLD",
        title="@cmd",
        topics="record linkage:learning; -ethics",
    ),
    member(
        "Ana Plain",
        "ana@example.org",
        organisation="Statistics Example",
        country="NLD",
        topics="record linkage",
    ),
]


@pytest.fixture
def hostile(store, tmp_path):
    import_files(store, [write_csv(tmp_path / "members.csv", HOSTILE)], new_topics=True)
    return store


@pytest.fixture
def demo(store):
    """The demo network with projects, themes, competence areas and resources (tests/journey.py): every
    export below is of maps holding every kind of node."""
    import_files(store, DEMO_FILES)
    add_journey(store)
    return store


def _topic_export(store, topic="record-linkage"):
    view = View("topic", topic)
    return store.read(read_export, view, view.title())


def test_csv_lists_the_people_and_neutralises_formulas(hostile) -> None:
    data = export(_topic_export(hostile), "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert sorted(r["email"] for r in rows) == [
        "ana@example.org",
        "formula@example.org",
        "script@example.org",
    ]
    by_email = {r["email"]: r for r in rows}
    formula = by_email["formula@example.org"]
    assert formula["name"] == '\'=HYPERLINK("http://evil.example/","click")'
    assert formula["title"] == "'+SUM(1,2)"
    assert by_email["script@example.org"]["title"] == "'@cmd"
    assert formula["organisation"] == "Statistics Example" and formula["country"] == "Netherlands"
    assert formula["topics"] == "record linkage (expert)"
    assert by_email["ana@example.org"]["name"] == "Ana Plain"
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


def test_vcards_parse_one_per_person_with_fn(demo) -> None:
    e = _topic_export(demo)
    cards = list(vobject.readComponents(export(e, "vcf").decode("utf-8")))
    assert len(cards) == len(e.people) > 5
    for card, person in zip(cards, e.people, strict=True):
        assert card.version.value == "4.0"
        assert card.fn.value == person["name"]
        assert card.email.value == person["email"]
        assert card.org.value == [person["organisation"]]
        assert "record linkage" in card.note.value


def test_gexf_and_graphml_are_valid_and_hold_the_map(demo) -> None:
    for view in (
        View("topic", "record-linkage"),
        View(),
        View(aggregate="topic"),
        View("member", _someone(demo), 2),
    ):
        e = demo.read(read_export, view, view.title())
        keys = {n["key"] for n in e.graph["nodes"]}
        gexf = export(e, "gexf")
        GEXF.validate(gexf.decode("utf-8"))
        graphml = export(e, "graphml")
        GRAPHML.validate(graphml.decode("utf-8"))
        G = nx.read_graphml(io.BytesIO(graphml))
        assert set(G) == keys
        if not view.aggregate:
            assert {G.nodes[k]["category"] for k in G} >= {"Member", "Topic", "Project"}
        assert G.number_of_edges() == len(
            {frozenset((r["source"], r["target"])) for r in e.graph["relationships"]}
        )
        assert all(G.nodes[k]["label"] for k in G)
        root = ElementTree.fromstring(gexf)
        ns = {"g": "http://gexf.net/1.3"}
        assert {n.get("id") for n in root.iterfind(".//g:node", ns)} == keys


def _someone(store) -> str:
    from graphapp.queries.members import MemberFilter, member_ids

    return store.read(member_ids, MemberFilter(topic="record-linkage"))[0]


def test_cytoscape_json_has_every_node_with_a_position(demo) -> None:
    e = _topic_export(demo)
    data = json.loads(export(e, "cyjs"))
    nodes = data["elements"]["nodes"]
    assert {n["data"]["id"] for n in nodes} == {n["key"] for n in e.graph["nodes"]}
    assert all(set(n["position"]) == {"x", "y"} for n in nodes)
    assert len(data["elements"]["edges"]) == len(e.graph["relationships"])
    assert data["data"]["name"] == e.title


def test_standalone_html_holds_everything_and_escapes_names(hostile) -> None:
    e = _topic_export(hostile)
    page = export(e, "html").decode("utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page and "fonts.googleapis" not in page
    assert "vis.Network" in page  # the explorer script is inside
    assert "Network=" in page or "Network =" in page  # and so is vis-network itself
    # A name cannot close the script element that holds the data.
    assert "</script><script>alert(1)" not in page
    blob = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S)
    data = json.loads(blob.group(1))
    assert len(data["nodes"]) == len(e.graph["nodes"])
    assert "</script><script>alert(1)</script>" in {n["name"] for n in data["nodes"]}


def test_pictures_for_slides(demo) -> None:
    from PIL import Image

    e = _topic_export(demo)
    png = export(e, "png")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 600 and image.height > 400
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ()) > 10  # something was drawn
    svg = export(e, "svg")
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not re.search(rb"""(?:xlink:)?href=["']https?:""", svg)
    assert export(e, "svg") == svg  # the same map gives the same file


def test_every_format_is_exported_for_an_empty_view(store) -> None:
    view = View("region", "Oceania")
    e = store.read(read_export, view, view.title())
    for fmt in FORMATS:
        assert export(e, fmt) or fmt == "vcf", fmt  # an address book of nobody is an empty file
    GEXF.validate(export(e, "gexf").decode())
    GRAPHML.validate(export(e, "graphml").decode())


def test_cli_export_writes_each_format(runner, tmp_path) -> None:
    runner.invoke("demo")
    for fmt in FORMATS:
        out = tmp_path / f"map.{fmt}"
        result = runner.invoke("export", "--format", fmt, "--workstream", "WS2", "-o", str(out))
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 100
        assert not (tmp_path / f"map.{fmt}.partial").exists()
    GRAPHML.validate((tmp_path / "map.graphml").read_text())


def test_cli_export_refuses_unclear_or_unknown_views(runner, tmp_path) -> None:
    runner.invoke("demo")
    out = tmp_path / "x.csv"
    result = runner.invoke(
        "export", "--format", "csv", "--topic", "nlp", "--region", "Europe", "-o", str(out)
    )
    assert result.exit_code == 1 and "choose one of --topic, --region" in result.output
    result = runner.invoke("export", "--format", "csv", "--topic", "no-such-topic", "-o", str(out))
    # (a topic is named by its name, an alias or its id; one that matches nothing says so, with "did you mean")
    assert result.exit_code == 1 and "'no-such-topic' is not a topic of the network." in result.output
    result = runner.invoke(
        "export", "--format", "gexf", "--member", "m-1", "--aggregate", "topic", "-o", str(out)
    )
    assert result.exit_code == 1 and "cannot be aggregated" in result.output
    assert not out.exists()


def test_the_cli_offers_every_export_format() -> None:
    from graphapp.cli import cli

    (fmt,) = [p for p in cli.commands["export"].params if p.name == "fmt"]
    assert tuple(fmt.type.choices) == tuple(FORMATS)


def test_a_picture_of_any_name_is_drawn(client, demo_app) -> None:  # type: ignore[no-untyped-def]
    """A view named with a control character or dollar signs (schemathesis found the first) is drawn, not a
    server error: matplotlib reads "$...$" as a formula and warns of glyphs no font has."""
    for value in ("\x1b", "$x$", "Cost $5"):
        for fmt in ("png", "svg"):
            answer = client.get(f"/api/export/{fmt}", query_string={"kind": "region", "value": value})
            assert answer.status_code == 200, (value, fmt, answer.get_data(as_text=True)[:300])


def _sheets(data: bytes) -> dict[str, list[list[str]]]:
    """An XLSX file's sheets, by name, as rows of texts (read with openpyxl)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return {
        s.title: [["" if v is None else str(v) for v in row] for row in s.iter_rows(values_only=True)]
        for s in book.worksheets
    }


def test_exports_speak_the_downloaders_language_and_csv_stays_english(client, demo_app) -> None:  # type: ignore[no-untyped-def]
    """The XLSX's sheet names and header row, its countries and levels, the vCard's notes and the
    picture's words are in the language of whoever downloads them (the chooser's cookie); the
    CSV, read by programs and imported again, has the same English header row in every language."""
    query = {"kind": "topic", "value": "record-linkage"}
    files: dict[str, dict[str, bytes]] = {}
    for language in ("en", "fr", "ru"):
        client.set_cookie("graphapp_lang", language)
        files[language] = {}
        for fmt in ("xlsx", "csv", "vcf"):
            answer = client.get(f"/api/export/{fmt}", query_string=query)
            assert answer.status_code == 200, (language, fmt)
            files[language][fmt] = answer.get_data()
    client.delete_cookie("graphapp_lang")

    english, french, russian = (_sheets(files[lang]["xlsx"]) for lang in ("en", "fr", "ru"))
    assert list(english) == ["People", "About this file"]
    assert list(french) == ["Personnes", "À propos de ce fichier"] and list(russian) == ["Люди", "О файле"]
    assert english["People"][0] == [
        "Name",
        "Job title",
        "Organisation",
        "Country",
        "Region",
        "Email",
        "Topics",
        "Workstreams",
        "Open asks",
    ]
    assert french["Personnes"][0][:4] == ["Nom", "Fonction", "Organisation", "Pays"]
    assert russian["Люди"][0][:4] == ["Имя", "Должность", "Организация", "Страна"]
    # The same people in the same order, their names and topics as entered, countries and levels translated.
    assert [r[0] for r in french["Personnes"][1:]] == [r[0] for r in english["People"][1:]]
    assert len(english["People"]) > 5
    assert [country_in(r[3], "fr") for r in english["People"][1:]] == [r[3] for r in french["Personnes"][1:]]
    assert "Pays-Bas" in {r[3] for r in french["Personnes"][1:]}  # (the Netherlands, in French)
    assert any("(learning)" in r[6] for r in english["People"][1:])
    assert not any("(learning)" in r[6] for r in french["Personnes"][1:] + russian["Люди"][1:])
    assert any("record linkage (" in r[6] for r in russian["Люди"][1:])  # (topic names as entered)
    assert french["À propos de ce fichier"][0] == ["Carte des contacts graphapp : sujet record-linkage"]

    # The CSV is for programs: one header row, in English, whatever the language.
    headers = {files[lang]["csv"].decode("utf-8-sig").splitlines()[0] for lang in ("en", "fr", "ru")}
    assert headers == {"name,title,organisation,country,region,email,topics,workstreams,open asks"}

    notes = {
        lang: "\n".join(c.note.value for c in vobject.readComponents(files[lang]["vcf"].decode("utf-8")))
        for lang in ("en", "fr", "ru")
    }
    assert "Topics: " in notes["en"] and "Country: Switzerland" in notes["en"]
    assert "Sujets : " in notes["fr"] and "Pays : Suisse" in notes["fr"] and "Topics: " not in notes["fr"]
    assert "Темы: " in notes["ru"] and "Страна: Швейцария" in notes["ru"]

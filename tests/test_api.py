"""The JSON API: the same answers as the pages, errors as JSON with the right status, and an OpenAPI
document that describes every route and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphapp import wording
from graphapp.ingest import import_files
from graphapp.queries.members import MemberFilter, member_ids
from graphapp.reports import suggest_peers
from tests.helpers import member, write_csv


@pytest.fixture
def demo(demo_app):
    return demo_app


def test_openapi_describes_every_api_route_and_only_those(app, client) -> None:
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(doc["paths"])
    for path, item in doc["paths"].items():
        # (writes: issue 12; a progress note's change and deletion, PATCH and DELETE: issue 14 §5)
        operations = [item[method] for method in ("get", "post", "patch", "delete") if method in item]
        assert operations, path
        for op in operations:
            assert op["summary"] and "200" in op["responses"] and "503" in op["responses"], path
            parameters = item.get("parameters", []) + op.get("parameters", [])  # (path-wide and the call's)
            declared = {p["name"] for p in parameters if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), path
    refs = re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', str(doc).replace("'", '"'))
    assert refs
    for section, name in refs:
        assert name in doc["components"][section]


def _query_parameters(doc: dict, path: str) -> dict[str, dict]:
    """The schema of each query parameter of a call, an object parameter's properties included."""
    found = {}
    for p in doc["paths"][path]["get"].get("parameters", []):
        if p["in"] == "query":
            found.update(p["schema"].get("properties", {p["name"]: p["schema"]}))
    return found


def test_the_document_takes_each_list_of_values_from_its_one_source(client) -> None:
    from graphapp.analytics.suggestions import MODES
    from graphapp.contactmap import VIEW_KINDS
    from graphapp.exports import FORMATS
    from graphapp.queries.coverage import M49_REGIONS
    from graphapp.queries.schema import LEVELS
    from graphapp.queries.subgraph import AGGREGATES

    doc = client.get("/api/openapi.json").get_json()
    members = _query_parameters(doc, "/api/members")
    assert members["level"]["enum"] == ["", *LEVELS] and members["region"]["enum"] == ["", *M49_REGIONS]
    assert _query_parameters(doc, "/api/members/{member}/suggestions")["mode"]["enum"] == ["", *MODES]
    for path in ("/api/subgraph", "/api/export/{fmt}"):
        view = _query_parameters(doc, path)
        assert view["kind"]["enum"] == ["", *VIEW_KINDS] and view["aggregate"]["enum"] == ["", *AGGREGATES]
    (fmt,) = doc["paths"]["/api/export/{fmt}"]["parameters"]
    assert fmt["schema"]["enum"] == list(FORMATS)


def test_the_api_serves_its_document_and_no_docs_ui(app) -> None:
    """Anonymous callers get the document; no Swagger/ReDoc page (they load scripts from a CDN)."""
    anonymous = app.test_client().get("/api/openapi.json")
    assert anonymous.status_code == 200 and anonymous.get_json()["info"]["title"] == "graphapp"
    assert not [r.rule for r in app.url_map.iter_rules() if re.search("swagger|redoc|rapidoc", r.rule)]
    assert "api-docs" not in app.blueprints  # (flask-smorest's, were it configured to serve one)


@pytest.mark.parametrize(
    ("query", "allowed"),
    [
        ({}, True),
        ({"kind": "topic", "value": "record-linkage"}, True),
        ({"kind": "country", "value": "fra", "aggregate": "organisation"}, True),
        ({"kind": "network", "aggregate": "topic", "depth": 2}, True),
        ({"kind": "member", "value": "m-nope", "depth": 2}, True),
        ({"kind": "topic"}, False),
        ({"kind": "workstream", "value": "  "}, False),
        ({"kind": "member", "value": "m-nope", "aggregate": "topic"}, False),
        ({"kind": "galaxy", "value": "x"}, False),
        ({"depth": 3}, False),
    ],
)
def test_a_view_the_document_allows_is_accepted_and_one_it_refuses_is_a_400(
    client, demo, query, allowed
) -> None:
    """Parameters that depend on each other: the document's rules and the app's answers agree."""
    import jsonschema_rs

    doc = client.get("/api/openapi.json").get_json()
    for path in ("/api/subgraph", "/api/export/cyjs"):
        (view,) = [
            p for p in doc["paths"][path.replace("cyjs", "{fmt}")]["get"]["parameters"] if p["in"] == "query"
        ]
        assert (view["style"], view["explode"]) == ("form", True)  # (the same query string as ever)
        assert jsonschema_rs.validator_for(view["schema"]).is_valid(query) is allowed
        response = client.get(path, query_string=query)
        assert (response.status_code != 400) is allowed, response.get_json()
        assert response.status_code in ((200, 404) if allowed else (400,))


def test_pages_and_the_api_refuse_a_parameter_in_the_same_words(client, demo) -> None:
    for url in ("members?per_page=500", "members?level=guru"):
        api = client.get(f"/api/{url}")
        page = client.get(f"/{url}")
        assert api.status_code == page.status_code == 400
        message = api.get_json()["error"]["message"]
        assert message.split(",")[0] in page.get_data(as_text=True).replace("&#39;", "'")
    # The explorer's form asks a person for a name, in its own words (issue 15 §2), with the same status.
    assert client.get("/api/subgraph?kind=topic").status_code == 400
    page = client.get("/explore?kind=topic")
    assert page.status_code == 400 and "Type the name of a topic to show." in page.get_data(as_text=True)


def test_members_search_with_filters_and_pages(client, demo) -> None:
    expected = demo.read(member_ids, MemberFilter(region="Asia", level="learning"))
    body = client.get("/api/members?region=Asia&level=learning&per_page=5&page=2").get_json()
    assert body["total"] == len(expected) and body["page"] == 2 and body["per_page"] == 5
    assert body["filters"] == {"region": "Asia", "level": "learning"}
    assert len(body["items"]) == min(5, len(expected) - 5)
    assert all(m["region"] == "Asia" for m in body["items"])
    assert any(i["level"] == "learning" for m in body["items"] for i in m["interests"])
    assert body["facets"]["topics"]


def test_member_suggestions_and_neighbourhood(client, demo) -> None:
    me = demo.read(member_ids, MemberFilter(topic="record-linkage"))[0]
    member = client.get(f"/api/members/{me}").get_json()
    assert member["id"] == me and "contacts" in member and member["interests"]
    body = client.get(f"/api/members/{me}/suggestions?mode=peers&limit=3").get_json()
    expected = wording.worded_suggestions(demo.read(suggest_peers, me, limit=3, mode="peers"))
    assert body == expected
    assert body["suggestions"][0]["reasons"] and body["suggestions"][0]["shared_topics"]
    hood = client.get(f"/api/members/{me}/neighbourhood?depth=2").get_json()
    assert f"Member:{me}" in {n["key"] for n in hood["nodes"]}


def test_lists_gaps_heat_map_and_subgraphs(client, demo) -> None:
    assert client.get("/api/topics?per_page=5").get_json()["total"] == 32
    assert client.get("/api/organisations").get_json()["total"] == 47
    assert {w["id"] for w in client.get("/api/workstreams").get_json()["items"]} >= {"WS1", "WS7"}
    gaps = client.get("/api/gaps").get_json()
    assert gaps["gaps"][0]["severity"] == 3
    assert any(g["kind"] == "workstream-without-lead" and g["subject"] == "WS4" for g in gaps["gaps"])
    heat = client.get("/api/heatmap").get_json()
    assert heat["regions"][:5] == ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    sub = client.get("/api/subgraph?kind=workstream&value=WS2").get_json()
    assert "Workstream:WS2" in {n["key"] for n in sub["nodes"]}
    agg = client.get("/api/subgraph?aggregate=organisation").get_json()
    assert {n["label"] for n in agg["nodes"]} == {"Organisation"}
    assert all(r["properties"]["weight"] >= 1 for r in agg["relationships"])


def test_gaps_and_heat_map_are_kept_until_the_graph_changes(client, demo, tmp_path: Path) -> None:
    """The dashboard's report is made once per graph revision; any write, here an import, remakes it."""

    def unheld(report: dict) -> set[str]:
        return {g["subject"] for g in report["gaps"] if g["kind"] == "topic-unheld"}

    def oceania(heat: dict) -> int:
        column = heat["regions"].index("Oceania")
        return sum(row["counts"][column] for row in heat["topics"])

    before, heat_before = client.get("/api/gaps").get_json(), client.get("/api/heatmap").get_json()
    assert "federated-learning" in unheld(before)
    assert client.get("/api/gaps").get_json() == before
    fay = member("Fay Example", "fay@example.org", country="NZL", topics="federated learning:expert")
    import_files(demo, [write_csv(tmp_path / "fay.csv", [fay])], new_topics=True)
    after = client.get("/api/gaps").get_json()
    assert "federated-learning" not in unheld(after)
    assert after["summary"]["members"] == before["summary"]["members"] + 1
    assert oceania(client.get("/api/heatmap").get_json()) == oceania(heat_before) + 1


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/api/members?level=guru", 400, "level must be one of"),
        ("/api/members?per_page=1000", 400, "per_page must be between 1 and 100"),
        ("/api/members?page=x", 400, "page must be a whole number"),
        ("/api/members/m-nope", 404, "no member with the id 'm-nope'"),
        ("/api/members/m-nope/suggestions", 404, "no member with the id or email 'm-nope'"),
        ("/api/members/m-nope/neighbourhood", 404, "no member with the id 'm-nope'"),
        ("/api/members/x/suggestions?mode=friends", 400, "mode must be one of"),
        ("/api/subgraph?kind=topic", 400, "say which topic to show"),
        ("/api/subgraph?kind=topic&value=nope", 404, "'nope' is not a topic of the network"),
        ("/api/subgraph?kind=topic&value=recrd%20linkage", 404, "Did you mean 'record linkage'?"),
        ("/api/subgraph?kind=galaxy&value=x", 400, "kind must be one of"),
        ("/api/export/docx", 404, "no export format 'docx'"),
        ("/api/nothing-here", 404, "not found"),
    ],
)
def test_errors_are_json_with_the_right_status(client, demo, url, status, words) -> None:
    response = client.get(url)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["status"] == status and words.lower() in error["message"].lower()


def test_a_database_that_is_down_is_a_503_in_json_and_on_pages(tmp_path) -> None:
    """A Neo4j nobody answers at (a closed loopback port): the driver fails fast, the app says 503."""
    import socket

    from graphapp import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free now, and nothing will listen on it
    app = create_app(
        {
            "TESTING": True,
            "NEO4J_URI": f"bolt://127.0.0.1:{port}",
            "NEO4J_RETRY_SECONDS": 1,
            "GRAPHAPP_PUBLIC": True,
        }
    )
    client = app.test_client()
    try:
        health = client.get("/api/health")
        assert health.status_code == 503 and "is not answering" in health.get_json()["error"]["message"]
        response = client.get("/api/summary")
        assert response.status_code == 503
        assert f"Neo4j at bolt://127.0.0.1:{port} is not answering" in response.get_json()["error"]["message"]
        page = client.get("/members")
        assert page.status_code == 503 and "The database is unavailable" in page.get_data(as_text=True)
    finally:
        if app.extensions.get("graphapp.store"):
            app.extensions["graphapp.store"].close()

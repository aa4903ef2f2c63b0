"""Refusals in the reader's language (issue 15), on both stores: a French reader is told on the page, in
French, why a project, a resource, a merge of topics or a page's parameter was refused; the same refusal
through the JSON API stays in English whoever asks (the API is read by programs)."""

from __future__ import annotations

import io
from html import unescape
from typing import Any

from graphapp.i18n import COOKIE
from tests.helpers import csrf_token

FRENCH = {"Accept-Language": "fr"}


def _french(client: Any) -> Any:
    client.set_cookie(COOKIE, "fr")
    return client


def _api(client: Any, method: str, url: str, body: Any) -> Any:
    token = csrf_token(client, "/me")
    return client.open(url, method=method, json=body, headers={"X-CSRFToken": token, **FRENCH})


def test_a_project_whose_days_are_out_of_order_is_refused_in_french_on_the_page_and_in_english_in_the_api(
    client, demo_app
) -> None:
    _french(client)
    form = {
        "title": "Linking the census",
        "description": "",
        "organisation": "",
        "workstream": "",
        "domain": "",
        "stage": "demonstration",
        "topics": "record linkage",
        "report": "",
        "code": "",
        "your_role": "",
        "add_member": "",
        "add_role": "",
        "day_idea": "2025-03-01",
        "day_demonstration": "2025-01-01",
    }
    page = client.post("/projects/new", data={**form, "csrf_token": csrf_token(client, "/projects/new")})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "est antérieure à celle de l’étape « idée » (2025-03-01)" in text
    assert "les dates doivent suivre l’ordre des étapes" in text
    assert "must follow the journey" not in text

    body = {
        "title": "Linking the census",
        "stage": "demonstration",
        "topics": ["record linkage"],
        "days": {"idea": "2025-03-01", "demonstration": "2025-01-01"},
    }
    api = _api(client, "POST", "/api/projects", body)
    assert api.status_code == 409
    assert (
        "days.demonstration: the day demonstration was reached (2025-01-01) is before the day it reached "
        "idea (2025-03-01): the days must follow the journey." in api.get_json()["error"]["message"]
    )


def test_a_resource_with_a_link_that_is_not_public_is_refused_in_french_on_the_page_and_in_english_in_the_api(
    client, demo_app
) -> None:
    _french(client)
    form = {
        "title": "A guide",
        "url": "javascript:alert(1)",
        "kind": "document",
        "language": "en",
        "topics": "record linkage",
        "workstream": "",
        "description": "",
    }
    page = client.post("/resources/new", data={**form, "csrf_token": csrf_token(client, "/resources/new")})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "url doit être un lien commençant par http:// ou https://" in text
    assert "url must be a link" not in text
    assert 'value="A guide"' in text  # (what was typed is kept)
    no_title = client.post(
        "/resources/new",
        data={
            **form,
            "title": "",
            "url": "https://example.org/g",
            "csrf_token": csrf_token(client, "/resources/new"),
        },
    )
    assert no_title.status_code == 400
    assert "title ne doit pas être vide" in no_title.get_data(as_text=True)

    body = {**form, "topics": ["record linkage"]}
    api = _api(client, "POST", "/api/resources", body)
    assert api.status_code == 400
    assert "url must be a link starting with http:// or https://" in api.get_json()["error"]["message"]
    untitled = _api(client, "POST", "/api/resources", {**body, "title": "", "url": "https://example.org/g"})
    assert (
        untitled.status_code == 400 and "title must not be empty" in untitled.get_json()["error"]["message"]
    )


def test_a_merge_of_a_topic_into_itself_is_refused_in_french_on_the_page_and_in_english_in_the_api(
    client, demo_app
) -> None:
    _french(client)
    url = "/topics/manage/record-linkage/merge"
    page = client.post(
        url, data={"into": "Record Linkage", "csrf_token": csrf_token(client, url + "?into=x")}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "sont le même sujet : il n’y a rien à fusionner." in text
    assert "nothing to merge" not in text

    api = _api(client, "POST", "/api/topics/record-linkage/merge", {"into": "Record Linkage"})
    assert api.status_code == 409
    assert "are the same topic: there is nothing to merge." in api.get_json()["error"]["message"]


def test_a_bad_parameter_of_a_page_is_refused_in_french_and_in_english_in_the_api(client, demo_app) -> None:
    _french(client)
    page = client.get("/members?page=abc")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "page doit être un nombre entier, et non" in text and "abc" in text
    assert "must be a whole number" not in text
    many = client.get("/members?per_page=500").get_data(as_text=True)
    assert "per_page doit être compris entre 1 et 100, et non 500" in many

    api = client.get("/api/members?page=abc", headers=FRENCH)
    assert api.status_code == 400
    assert api.get_json()["error"]["message"] == "page must be a whole number, not 'abc'"


def test_an_ask_without_topics_is_refused_in_french_on_the_page_and_in_english_in_the_api(
    app, demo_app
) -> None:
    from graphapp.queries.members import MemberFilter, member_ids
    from tests.helpers import signed_in

    asker = demo_app.read(member_ids, MemberFilter(topic="record-linkage"))[0]
    client = _french(signed_in(app, "asker@example.org", "member", asker))
    form = {"kind": "technical", "text": "How do you link a census to tax records?"}
    page = client.post("/asks", data={**form, "csrf_token": csrf_token(client, "/asks")})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "sujets : choisissez de 1 à 10 sujets" in text
    assert "pick from 1 to" not in text
    assert "How do you link a census to tax records?" in text  # (what was typed is kept)

    api = _api(client, "POST", "/api/asks", {**form, "topics": []})
    assert api.status_code == 400
    assert "topics: pick from 1 to 10 topics" in api.get_json()["error"]["message"]


def test_a_resource_renamed_to_nothing_is_refused_in_french_on_the_page_and_in_english_in_the_api(
    client, demo_app
) -> None:
    _french(client)
    held = client.get("/api/resources", headers=FRENCH).get_json()["items"][0]
    url = f"/resources/{held['id']}/edit"
    form = {
        "title": " ",
        "url": held["url"],
        "kind": held["kind"],
        "language": held["language"],
        "topics": "record linkage",
        "workstream": "",
        "description": "",
    }
    page = client.post(url, data={**form, "csrf_token": csrf_token(client, url)})
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "title ne doit pas être vide" in text and "must not be empty" not in text
    long = client.post(url, data={**form, "title": "x" * 301, "csrf_token": csrf_token(client, url)})
    assert long.status_code == 400
    assert "title est trop long" in long.get_data(as_text=True)

    api = _api(client, "PATCH", f"/api/resources/{held['id']}", {"title": " "})
    assert api.status_code == 400
    assert "title must not be empty" in api.get_json()["error"]["message"]
    assert client.get(f"/api/resources/{held['id']}").get_json()["title"] == held["title"]


def test_a_taxonomy_with_problems_is_refused_in_french_on_its_import_page(client, demo_app) -> None:
    _french(client)
    token = csrf_token(client, "/areas/import")
    bad = b"id,name,broader,description,source,topics\na,A,b,,,recrd linkage\n"
    answer = client.post(
        "/areas/import",
        data={"csrf_token": token, "file": (io.BytesIO(bad), "mine.csv")},
        content_type="multipart/form-data",
    )
    page = unescape(answer.get_data(as_text=True))
    assert answer.status_code == 400
    assert (
        "mine.csv, ligne 2, colonne « broader » : 'b' n’est l’identifiant d’aucun domaine de ce fichier"
        in page
    )
    assert "n’est pas un sujet du réseau ; vouliez-vous dire 'record linkage' ?" in page
    assert "is not the id" not in page and "did you mean" not in page

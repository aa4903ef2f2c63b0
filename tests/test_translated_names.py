"""Topic and organisation names stay as entered, with optional French and Russian names (issue 15 §5), on
both stores: imported from the ``name_fr`` and ``name_ru`` columns (the same file again changes nothing),
set and cleared on the manage page (one change in the history), and shown to a reader of that language
where the topic or organisation is the subject: the lists (sorted by the name shown), its page's heading
and title, the directory's filters. A reader of English, or of a language it has no name in, sees the name
as entered."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from graphapp.db import get_store
from graphapp.ingest import import_files
from graphapp.queries import history
from graphapp.queries.vocabulary import organisation_vocabulary, topic_vocabulary
from tests.helpers import csrf_token, write_csv

TOPICS = [
    {
        "id": "record-linkage",
        "name": "record linkage",
        "aliases": "",
        "name_fr": "couplage d'enregistrements",
        "name_ru": "",
    },
    # (sorts after "record linkage" in English, before "couplage ..." in French)
    {"id": "anomaly-detection", "name": "zz anomaly detection", "aliases": "", "name_fr": "", "name_ru": ""},
]
ORGANISATIONS = [
    {
        "id": "ons",
        "name": "Office for National Statistics",
        "kind": "NSO",
        "country": "GBR",
        "aliases": "ONS",
        "name_fr": "Office des statistiques nationales",
        "name_ru": "Управление национальной статистики",
    },
]


def files(folder: Path, topics: list[dict[str, str]] = TOPICS) -> list[Path]:
    members = write_csv(
        folder / "members.csv",
        [
            {
                "name": "Ana Example",
                "email": "ana@example.org",
                "organisation": "ons",
                "country": "GBR",
                "topics": "record linkage:expert; zz anomaly detection:learning",
            }
        ],
    )
    return [
        write_csv(folder / "topics.csv", topics),
        write_csv(folder / "organisations.csv", ORGANISATIONS),
        members,
    ]


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in rows}


@pytest.fixture
def net(app: Any, tmp_path: Path) -> Any:
    with app.app_context():
        store = get_store()
        import_files(store, files(tmp_path))
        return store


def page(client: Any, url: str, language: str | None = None, **headers: str) -> str:
    if language:
        client.set_cookie("graphapp_lang", language)
    else:
        client.delete_cookie("graphapp_lang")
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def heading(text: str) -> tuple[str, str]:
    """A page's <title> and <h1>, as text."""
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
    assert title and h1
    return " ".join(title.group(1).split()), re.sub(r"<[^>]+>", "", h1.group(1)).strip()


# --- Import ----------------------------------------------------------------------------------------------


def test_the_import_reads_the_translated_names_and_the_same_file_again_changes_nothing(
    store: Any, tmp_path: Path
) -> None:
    import_files(store, files(tmp_path))
    topics = by_id(store.read(topic_vocabulary))
    assert topics["record-linkage"]["name"] == "record linkage"
    assert (topics["record-linkage"]["name_fr"], topics["record-linkage"]["name_ru"]) == (
        "couplage d'enregistrements",
        "",
    )
    org = by_id(store.read(organisation_vocabulary))["ons"]
    assert (org["name_fr"], org["name_ru"]) == (
        "Office des statistiques nationales",
        "Управление национальной статистики",
    )
    again = import_files(store, files(tmp_path))
    assert again.is_empty()
    assert again.counts()["Topic"]["unchanged"] == 2
    assert again.counts()["Organisation"]["unchanged"] == 1


def test_a_file_without_the_columns_keeps_the_names_and_an_empty_cell_clears_one(
    store: Any, tmp_path: Path
) -> None:
    import_files(store, files(tmp_path))
    plain = write_csv(tmp_path / "plain.csv", [{"id": "record-linkage", "name": "record linkage"}])
    import_files(store, [plain], kind="topics")
    assert by_id(store.read(topic_vocabulary))["record-linkage"]["name_fr"] == "couplage d'enregistrements"
    changed = [
        {**TOPICS[0], "name_fr": "", "name_ru": "связывание записей"},
        TOPICS[1],
    ]
    plan = import_files(store, [write_csv(tmp_path / "changed.csv", changed)])
    assert plan.counts()["Topic"]["updated"] == 1
    topic = by_id(store.read(topic_vocabulary))["record-linkage"]
    assert (topic["name"], topic["name_fr"], topic["name_ru"]) == ("record linkage", "", "связывание записей")


# --- Editing ---------------------------------------------------------------------------------------------


def test_a_coordinator_sets_and_clears_the_names_on_the_manage_page_in_one_recorded_change(
    net: Any, client: Any
) -> None:
    url = "/topics/manage/anomaly-detection"
    assert 'name="name_fr"' in page(client, url)
    token = csrf_token(client, url)
    form = {"csrf_token": token, "action": "translate", "name_fr": " détection  d'anomalies ", "name_ru": ""}
    response = client.post(url, data=form)
    assert response.status_code == 302
    topic = by_id(net.read(topic_vocabulary))["anomaly-detection"]
    assert (topic["name"], topic["name_fr"], topic["name_ru"]) == (
        "zz anomaly detection",
        "détection d'anomalies",
        "",
    )
    [change] = net.read(
        lambda tx: history.changes(tx, limit=100, kind="topic", subject="topic:anomaly-detection")
    )
    assert history.values(change) == ({"name_fr": ""}, {"name_fr": "détection d'anomalies"})
    shown = page(client, url)
    assert "détection d'anomalies" in shown and "French and Russian names saved." in shown

    # Both at once, one change; then clearing both.
    form.update(name_fr="", name_ru="обнаружение аномалий")
    assert client.post(url, data=form).status_code == 302
    form.update(name_ru="")
    assert client.post(url, data=form).status_code == 302
    topic = by_id(net.read(topic_vocabulary))["anomaly-detection"]
    assert (topic["name_fr"], topic["name_ru"]) == ("", "")
    recorded = net.read(
        lambda tx: history.changes(tx, limit=100, kind="topic", subject="topic:anomaly-detection")
    )
    assert len(recorded) == 3
    assert {tuple(sorted(history.values(c)[1])) for c in recorded} == {
        ("name_fr",),
        ("name_fr", "name_ru"),
        ("name_ru",),
    }
    # The same names again change nothing, and record nothing.
    assert client.post(url, data=form).status_code == 302
    assert (
        len(
            net.read(
                lambda tx: history.changes(tx, limit=100, kind="topic", subject="topic:anomaly-detection")
            )
        )
        == 3
    )


def test_an_organisations_names_too_and_a_name_too_long_is_refused_keeping_what_was_typed(
    net: Any, client: Any
) -> None:
    url = "/organisations/manage/ons"
    token = csrf_token(client, url)
    too_long = "x" * 201
    response = client.post(
        url,
        data={"csrf_token": token, "action": "translate", "name_fr": "ONS en français", "name_ru": too_long},
    )
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "The Russian name is 201 characters long" in text
    assert 'value="ONS en français"' in text and too_long in text
    org = by_id(net.read(organisation_vocabulary))["ons"]
    assert org["name_fr"] == "Office des statistiques nationales"  # (nothing written)
    response = client.post(
        url, data={"csrf_token": token, "action": "translate", "name_fr": "ONS en français", "name_ru": ""}
    )
    assert response.status_code == 302
    org = by_id(net.read(organisation_vocabulary))["ons"]
    assert (org["name"], org["name_fr"], org["name_ru"]) == (
        "Office for National Statistics",
        "ONS en français",
        "",
    )


# --- Shown -----------------------------------------------------------------------------------------------


def test_a_french_reader_sees_the_french_name_on_the_topics_list_sorted_by_it_and_on_its_page(
    net: Any, client: Any
) -> None:
    listed = page(client, "/topics", "fr")
    assert "couplage d'enregistrements" in listed
    assert listed.index("couplage d'enregistrements") < listed.index("zz anomaly detection")
    title, h1 = heading(page(client, "/topics/record-linkage", "fr"))
    assert h1 == "couplage d'enregistrements" and "couplage d'enregistrements" in title
    # (the name as entered is still on the page: it heads the other names)
    assert "record linkage" in page(client, "/topics/record-linkage", "fr")
    # By the browser's language too.
    title, h1 = heading(
        page(client, "/topics/record-linkage", None, **{"Accept-Language": "fr-CH, fr;q=0.9"})
    )
    assert h1 == "couplage d'enregistrements"


def test_an_english_reader_and_a_russian_one_without_a_russian_name_see_the_name_as_entered(
    net: Any, client: Any
) -> None:
    for language in ("en", "ru"):
        listed = page(client, "/topics", language)
        assert "couplage" not in listed, language
        assert listed.index("record linkage") < listed.index("zz anomaly detection")
        title, h1 = heading(page(client, "/topics/record-linkage", language))
        assert h1 == "record linkage" and "record linkage" in title, language


def test_organisations_list_page_and_the_directorys_filters_show_the_readers_name(
    net: Any, client: Any
) -> None:
    assert "Управление национальной статистики" in page(client, "/organisations", "ru")
    title, h1 = heading(page(client, "/organisations/ons", "ru"))
    assert h1 == "Управление национальной статистики" and h1 in title
    title, h1 = heading(page(client, "/organisations/ons", "en"))
    assert h1 == "Office for National Statistics"
    members = page(client, "/members", "fr")
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', members))
    assert options["record-linkage"] == "couplage d'enregistrements"
    assert options["ons"] == "Office des statistiques nationales"
    assert options["anomaly-detection"] == "zz anomaly detection"
    # Elsewhere the name as entered: a member's profile lists her topics by it.
    assert "Office for National Statistics" in page(client, "/members", "fr")

"""English, French and Russian: every word marked, every marked word translated, the reader's language
chosen as a reader expects (the browser's, until they choose), and days, numbers and countries in it."""

from __future__ import annotations

from typing import Any

import pytest
from babel.messages.pofile import read_po

from devtools.i18n import TRANSLATIONS, all_bare, extract, missing
from graphapp.i18n import COOKIE, day, sort_key

LANGUAGES = ("fr", "ru")


@pytest.fixture(scope="module")
def marked() -> Any:
    return extract()


def test_no_template_has_a_word_that_is_not_marked_for_translation() -> None:
    bare = [f"{path.name}:{line}: {text}" for path, line, text in all_bare()]
    assert bare == [], "unmarked words (python -m devtools.i18n bare):\n" + "\n".join(bare[:40])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_is_translated(language: str, marked: Any) -> None:
    lacking = missing(language, marked)
    assert lacking == [], (
        f"{language}: {len(lacking)} untranslated (python -m devtools.i18n missing): {lacking[:20]}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    """A translation that drops or renames a %(name)s would show a broken sentence (or fail to render)."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale=language)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalogue.check() if errors]
    assert problems == []


def test_the_browsers_language_until_the_reader_chooses(anonymous: Any) -> None:
    page = anonymous.get("/login", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    text = page.get_data(as_text=True)
    assert '<html lang="fr">' in text and "Langue" in text
    english = anonymous.get("/login", headers={"Accept-Language": "de, ja"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Language" in english

    # The chooser (a form on every page, the sign-in page too) keeps the choice, over the browser's.
    token = _csrf(text)
    chose = anonymous.post("/language", data={"language": "ru", "next": "/login", "csrf_token": token})
    assert chose.status_code == 303 and chose.headers["Location"].endswith("/login")
    assert f"{COOKIE}=ru" in chose.headers["Set-Cookie"] and "Max-Age=31536000" in chose.headers["Set-Cookie"]
    russian = anonymous.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="ru">' in russian and "Язык" in russian


def test_the_chooser_goes_back_only_to_a_page_of_this_site(anonymous: Any) -> None:
    token = _csrf(anonymous.get("/login").get_data(as_text=True))
    for away in (
        "https://example.com/",
        "//example.com/x",
        "javascript:alert(1)",
        "/\t/example.com",
        "/\\example.com",
    ):
        chose = anonymous.post("/language", data={"language": "fr", "next": away, "csrf_token": token})
        assert chose.status_code == 303 and chose.headers["Location"] in ("/", "http://localhost/")
    unknown = anonymous.post("/language", data={"language": "xx", "next": "/login", "csrf_token": token})
    assert COOKIE not in unknown.headers.get("Set-Cookie", "")


def test_days_and_countries_in_the_readers_language(app: Any) -> None:
    country = app.jinja_env.from_string("{{ code|country_name }}")
    for language, expected_day, expected_country in (
        ("en", "Nov 30, 2026", "Switzerland"),
        ("fr", "30 nov. 2026", "Suisse"),
        ("ru", "30 нояб. 2026\u202fг.", "Швейцария"),
    ):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert day("2026-11-30T09:00:00+00:00") == expected_day
            assert country.render(code="CHE") == expected_country


def test_names_sort_as_a_reader_expects() -> None:
    countries = ["Suisse", "Canada", "Royaume-Uni", "France", "Ghana", "États-Unis"]
    assert sorted(countries, key=sort_key) == [
        "Canada",
        "États-Unis",
        "France",
        "Ghana",
        "Royaume-Uni",
        "Suisse",
    ]
    assert sorted(["Швейцария", "Ёмкость", "Австрия", "Ель"], key=sort_key) == [
        "Австрия",
        "Ель",
        "Ёмкость",
        "Швейцария",
    ]


def _csrf(page: str) -> str:
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_a_compiled_template_speaks_each_requests_language(app: Any) -> None:
    """Jinja folds a filter of constants into the compiled template unless the filter takes the context:
    the first request's language would then stick for every later reader."""
    template = app.jinja_env.from_string("{{ 'lead'|word('workstream_role') }} {{ 'CHE'|country_name }}")
    said = {}
    for language in ("ru", "en", "fr"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            said[language] = template.render()
    assert said == {"ru": "руководитель Швейцария", "en": "lead Switzerland", "fr": "responsable Suisse"}


def test_the_json_api_answers_in_english_whoever_asks(client: Any, demo_app: Any) -> None:
    """Programs read the API: a French or Russian browser's Accept-Language changes none of its words."""
    for language in ("fr", "ru"):
        headers = {"Accept-Language": language}
        missing = client.get("/api/nothing-here", headers=headers)
        assert missing.status_code == 404 and missing.is_json
        message = missing.get_json()["error"]["message"]
        assert message.isascii(), message
        journey = client.get("/api/journey", headers=headers).get_data(as_text=True)
        assert "Idea" in journey or "idea" in journey
        assert "Idée" not in journey and "Идея" not in journey

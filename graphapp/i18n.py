"""English, French and Russian: the reader's language, and the words, dates, numbers and countries in it.

The group meets under the UN Economic Commission for Europe, whose working languages these are. Strings
are marked with Flask-Babel's ``_()`` (``gettext``) in templates and Python; the catalogues live in
``graphapp/translations/<lang>/LC_MESSAGES/messages.po`` (kept in the repository) and are compiled to
``.mo`` when the package is built (``setup.py``) and by ``scripts/test`` before the suite runs
(``pybabel compile -d graphapp/translations``). ``babel.cfg`` says where ``pybabel extract`` looks.

The language is, in order: the one the reader chose with the chooser in every page's header (a cookie,
kept a year), else the best of the browser's ``Accept-Language``, else English. Topic and organisation
names stay as entered, with optional translated names (``name_fr``, ``name_ru``) shown where a topic or
an organisation is the subject (:func:`local_name`). Country names come from pycountry's own translations (ISO 3166-1); lists are sorted
by the name shown, with :func:`sort_key`.
"""

from __future__ import annotations

import gettext as _gettext
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, has_request_context, redirect, request
from flask_babel import Babel, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from werkzeug.wrappers import Response

__all__ = [
    "COOKIE",
    "LANGUAGES",
    "TRANSLATIONS",
    "WORDS",
    "country_in",
    "current_language",
    "day",
    "moment",
    "init_app",
    "local_name",
    "sort_key",
    "sorted_by_name",
    "word",
]

#: The languages graphapp speaks, in the chooser's order, each named in itself.
LANGUAGES = {"en": "English", "fr": "Français", "ru": "Русский"}

#: The cookie that keeps the reader's choice.
COOKIE = "graphapp_lang"

#: Where the catalogues are (``<lang>/LC_MESSAGES/messages.po``, compiled beside them to ``.mo``).
TRANSLATIONS = Path(__file__).parent / "translations"

T = TypeVar("T")


#: The words for the model's fixed values, by kind, in the reader's language (lazy: each is translated
#: when shown). Pages show a value with the filter ``{{ value|word('level') }}``; a value not listed is
#: shown as it is.
WORDS: dict[str, dict[str, Any]] = {
    "level": {"learning": _l("learning"), "practising": _l("practising"), "expert": _l("expert")},
    "workstream_role": {"lead": _l("lead"), "member": _l("member")},
    "stage": {
        "idea": _l("idea"),
        "demonstration": _l("demonstration"),
        "production": _l("production"),
        "maintenance": _l("maintenance"),
    },
    "theme_kind": {"theme": _l("theme"), "facilitator": _l("facilitator")},
    "resource_kind": {
        "document": _l("document"),
        "code": _l("code"),
        "course": _l("course"),
        "recording": _l("recording"),
    },
    "suggestion_kind": {
        "peer": _l("peer"),
        "mentor": _l("mentor"),
        "mentee": _l("mentee"),
        "been-there": _l("been there"),
        "two-steps": _l("two steps away"),
    },
    "ask_kind": {
        "technical": _l("technical"),
        "strategic": _l("strategic"),
        "organisational": _l("organisational"),
    },
    "ask_status": {"open": _l("open"), "resolved": _l("resolved"), "withdrawn": _l("withdrawn")},
    "proposal_status": {
        "waiting": _l("waiting"),
        "approved": _l("approved"),
        "mapped": _l("mapped"),
        "declined": _l("declined"),
    },
    "introduction_from": {
        "peer": _l("a suggested peer"),
        "mentor": _l("a suggested mentor"),
        "mentee": _l("a suggested mentee"),
        "been-there": _l("a suggestion of someone who has been there"),
        "two-steps": _l("a suggestion of someone two steps away"),
        "ask": _l("an ask"),
        "profile": _l("a profile"),
    },
    "role": {
        "public": _l("public visitor"),
        "member": _l("member"),
        "coordinator": _l("coordinator"),
        "admin": _l("admin"),
    },
    "region": {  # (the UN M49 regions, queries.coverage.M49_REGIONS)
        "Africa": _l("Africa"),
        "Americas": _l("Americas"),
        "Asia": _l("Asia"),
        "Europe": _l("Europe"),
        "Oceania": _l("Oceania"),
    },
    # The kinds of node a contact map draws (its legend), by label.
    "node_kind": {
        "Member": _l("person"),
        "Organisation": _l("organisation"),
        "Topic": _l("topic"),
        "Workstream": _l("workstream"),
        "Project": _l("project"),
        "Theme": _l("theme"),
        "Area": _l("competence area"),
        "Resource": _l("resource"),
    },
}


def word(value: str | None, kind: str) -> str:
    """The Jinja filter ``word``: a fixed value of the model (a level, a stage, a role...) in the reader's
    language, from :data:`WORDS`; anything not listed as it is.

    >>> word("expert", "level"), word("something else", "level")
    ('expert', 'something else')
    """
    found = WORDS.get(kind, {}).get(value or "")
    return str(found) if found is not None else (value or "")


def select_language() -> str:
    """The reader's language: the chooser's cookie, else the browser's preference, else English."""
    if not has_request_context():
        return "en"
    if request.path.startswith("/api/") and not request.path.startswith("/api/export/"):
        return (
            "en"  # the JSON API is read by programs: English, whoever asks (its downloads are read by people)
        )
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default="en") or "en"


def current_language() -> str:
    """The two-letter code of the language this request is answered in ("en" outside a request)."""
    if not has_request_context():
        return "en"
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


@cache
def _countries(language: str) -> _gettext.NullTranslations:
    import pycountry

    if language == "en":
        return _gettext.NullTranslations()
    return _gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_in(name: str, language: str | None = None) -> str:
    """A country's English (ISO 3166-1) name in ``language`` (the reader's by default), from pycountry.

    >>> country_in("Switzerland", "fr"), country_in("Switzerland", "ru"), country_in("Atlantis", "fr")
    ('Suisse', 'Швейцария', 'Atlantis')
    """
    return _countries(language or current_language()).gettext(name)


def sort_key(text: str) -> tuple[str, str]:
    """A key that sorts names as a reader of English, French or Russian expects: letters without their
    accents first (é with e, ё with е), case ignored, then the exact text to break ties.

    >>> sorted(["Zürich", "Écosse", "eau", "Ёлка", "Ель", "ель", "Яр", "Canada"], key=sort_key)
    ['Canada', 'eau', 'Écosse', 'Zürich', 'Ёлка', 'Ель', 'ель', 'Яр']
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)), text


def sorted_by_name(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` sorted by the name each is shown with (:func:`sort_key`)."""
    return sorted(items, key=lambda item: sort_key(name(item)))


def local_name(item: Any, language: str | None = None) -> str:
    """The Jinja filter ``local_name``: a topic's or organisation's name in the reader's language (its
    ``name_fr`` or ``name_ru``) when it has one, else its ``name`` as entered. ``item`` is a mapping (or
    an object) with ``name`` and optional ``name_fr``, ``name_ru``.

    >>> topic = {"name": "record linkage", "name_fr": "couplage d'enregistrements", "name_ru": ""}
    >>> local_name(topic, "fr"), local_name(topic, "ru"), local_name(topic, "en"), local_name(topic)
    ("couplage d'enregistrements", 'record linkage', 'record linkage', 'record linkage')
    """

    def get(key: str) -> str:
        value = item.get(key) if isinstance(item, dict) else getattr(item, key, None)
        return str(value or "").strip()

    language = language or current_language()
    return (get(f"name_{language}") if language != "en" else "") or get("name")


def day(value: str | None, form: str = "medium", language: str | None = None) -> str:
    """The Jinja filter ``day``: an ISO day ("2026-11-30", or a timestamp that starts with one) or month
    ("2026-11") in the reader's language (or ``language``'s: a mail's reader); anything else as it is.

    Outside a request (as here) the day is in English:

    >>> day("2026-11-30T10:00:00+00:00"), day("2026-11"), day(""), day("soon")
    ('Nov 30, 2026', 'November 2026', '', 'soon')
    """
    from datetime import date

    from babel.dates import format_date

    text = (value or "").strip()
    language = language or current_language()
    try:
        if len(text) == 7:
            return format_date(date.fromisoformat(text + "-01"), "LLLL y", locale=language)
        return format_date(date.fromisoformat(text[:10]), form, locale=language)
    except ValueError:
        return text


def moment(value: str | None) -> str:
    """The Jinja filter ``moment``: an ISO timestamp as a date and time in the reader's language, in UTC
    (anything else as it is). Outside a request, in English:

    >>> moment("2026-01-02T03:04:05+00:00"), moment("")
    ('Jan 2, 2026, 3:04:05\u202fAM UTC', '')
    """
    from datetime import UTC, datetime

    from babel.dates import format_datetime

    text = (value or "").strip()
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return text
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    return format_datetime(at, "medium", tzinfo=UTC, locale=current_language()) + " UTC"


def init_app(app: Flask) -> None:
    """Flask-Babel on ``app`` (``_``, ``gettext``, ``ngettext`` in every template), the chooser's route
    ``POST /language``, and the template globals ``ui_languages``, the filters ``day``, ``word``, ``local_name``, ``sort_by_name``, ``country_name``, ``current_language`` and ``country_in``."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=select_language)
    app.jinja_env.globals.update(
        ui_languages=LANGUAGES, current_language=current_language, country_in=country_in
    )
    # Each filter takes the render's context, so that Jinja never folds ``{{ 'lead'|word(...) }}`` into a
    # constant when it compiles a template: the words must be those of each request's language.
    for name, function in (
        ("sort_by_name", _sort_filter),
        ("day", day),
        ("moment", moment),
        ("word", word),
        ("local_name", local_name),
    ):
        app.jinja_env.filters[name] = _per_request(function)
    app.add_url_rule("/language", "language", choose_language, methods=["POST"])
    if not any(TRANSLATIONS.glob("*/LC_MESSAGES/messages.mo")):
        app.logger.warning(
            "graphapp: no compiled catalogues in %s: pages show English only (run: pybabel compile -d %s)",
            TRANSLATIONS,
            TRANSLATIONS,
        )


def _per_request(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` as a Jinja filter that is evaluated at every render (a context filter), never at
    compile time."""

    @pass_context
    def filter_(_context: Any, *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return filter_


def _sort_filter(items: Iterable[Any], attribute: str | None = None) -> list[Any]:
    """The Jinja filter ``sort_by_name``: ``items`` (strings, or mappings/objects by ``attribute``) sorted
    by :func:`sort_key`."""

    def name(item: Any) -> str:
        if attribute is None:
            return str(item)
        value = item.get(attribute) if isinstance(item, dict) else getattr(item, attribute, "")
        return str(value or "")

    return sorted_by_name(items, name)


def choose_language() -> Response:
    """The chooser's form: keep the choice in a cookie for a year and go back to the page it was made on.
    A signed-in member's choice is kept with them too: their mails are written in it."""
    from graphapp.store import StoreUnavailable

    language = request.form.get("language", "")
    response = redirect(_local_page(request.form.get("next", "")), code=303)
    if language in LANGUAGES:
        response.set_cookie(
            COOKIE,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
        try:
            _keep_for_mail(language)
        except StoreUnavailable as e:  # the cookie still goes out: the page saying so can be read too
            current_app.logger.warning("graphapp: the language chosen is not kept for mail: %s", e)
    return response


def _local_page(back: str) -> str:
    """``back`` if it is a page of this site (a path with no scheme or host, however written), else "/".

    >>> _local_page("/members?page=2"), _local_page("//evil.example/"), _local_page("/\t/evil.example")
    ('/members?page=2', '/', '/')
    >>> _local_page("/\\\\evil.example"), _local_page("https://evil.example/"), _local_page("")
    ('/', '/', '/')
    """
    from urllib.parse import urlsplit

    if not back or any(ord(c) < 0x21 or c == "\\" for c in back):
        return "/"
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not back.startswith("/") or back.startswith("//"):
        return "/"
    return back


def _keep_for_mail(language: str) -> None:
    """The signed-in viewer's member keeps ``language`` for their mails (in one write, recorded)."""
    from graphapp.auth import current_viewer
    from graphapp.db import get_store
    from graphapp.queries.history import acting_as
    from graphapp.queries.mail import set_language, written_language

    member = getattr(current_viewer(), "member", None)
    if not member:
        return
    store = get_store()
    if store.read(written_language, member) == language:
        return

    def save(tx: Any) -> None:
        tx.touched([])  # (a member's language changes nothing derived from the network)
        set_language(tx, member, language)

    # (the chooser is open to anyone, so the request's actor is "visitor": the change is the account's)
    with acting_as(f"account:{current_viewer().login}"):
        store.write(save)


# Re-exported so that modules mark strings with one import: ``from graphapp.i18n import _, _l``.
__all__ += ["_", "_l"]

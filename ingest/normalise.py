"""Normal forms: topic keys and slugs, member ids, emails, countries and their UN M49 regions."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from graphapp.ingest.problems import Reason, reason

__all__ = [
    "LINK",
    "Country",
    "closest",
    "link_key",
    "public_link",
    "resource_id",
    "lookup_country",
    "member_id",
    "normalise_email",
    "project_id",
    "slugify",
    "split_list",
    "topic_key",
]

_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]{2,}$")
_NOT_ALNUM = re.compile(r"[\W_]+")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")

# What a link may not hold: ASCII controls and space, C1 controls, Unicode blanks, and the invisible
# format characters (zero-width, bidirectional) that would make one link look like another.
_NOT_IN_LINK = (
    "\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u3000\\ufeff"
)
# A letter of a host name: an ASCII letter or digit, or any other visible character (a host name in
# Cyrillic, say); with the hyphen, inside a label.
_HOST = f"[^{_NOT_IN_LINK}\\u0021-\\u002f\\u003a-\\u0040\\u005b-\\u0060\\u007b-\\u007e]"
_HOST_OR_HYPHEN = (
    f"[^{_NOT_IN_LINK}\\u0021-\\u002c\\u002e\\u002f\\u003a-\\u0040\\u005b-\\u0060\\u007b-\\u007e]"
)
_LABEL = f"{_HOST}(?:{_HOST_OR_HYPHEN}*{_HOST})?"
#: A public link, for a shared resource on the web and in an import alike: http or https, a host name (with
#: or without a dot: an office's intranet is ``https://intranet/...``; in any script) and perhaps a port,
#: then anything but blanks and controls (a path in French or Russian as typed, or percent-encoded as a
#: browser copies it). Written with ``\\uXXXX`` escapes only, so that it means the same to Python and to
#: the ECMAScript of the API's document, which gives it.
LINK = f"^[Hh][Tt][Tt][Pp][Ss]?://{_LABEL}(?:\\.{_LABEL})*(?::[0-9]{{1,5}})?(?:[/?#][^{_NOT_IN_LINK}]*)?$"
_LINK = re.compile(LINK)


def public_link(text: str) -> bool:
    """Whether ``text`` is a public link (:data:`LINK`).

    >>> [public_link(u) for u in ("https://example.org/a b", "javascript:alert(1)", "ftp://example.org")]
    [False, False, False]
    >>> [public_link(u) for u in ("https://intranet/doc", "http://статистика.рф/обучение", "HTTPS://x.org:8443/é")]
    [True, True, True]
    """
    return bool(_LINK.match(text))


def link_key(url: str) -> str:
    """What two links that lead to the same place have in common: the link without its scheme, with its
    host in lower case, without a default port, a trailing slash or a fragment.

    >>> link_key("HTTPS://Example.ORG:443/a/b/#part") == link_key("http://example.org/a/b")
    True
    >>> link_key("https://example.org/a?x=1") == link_key("https://example.org/a?x=2")
    False
    """
    m = re.match(r"^[A-Za-z]+://([^/?#]*)([^?#]*)(\?[^#]*)?", url.strip())
    if not m:
        return url.strip()
    host, path, query = m.group(1).lower(), m.group(2), m.group(3) or ""
    host = re.sub(r":(80|443)$", "", host)
    path = path.rstrip("/")
    return f"{host}{path}{query if query != '?' else ''}"


def resource_id(url: str) -> str:
    """The id a resource gets from its link, on the web and in an import: ``r-`` and the first 12 hex
    digits of the SHA-256 of its :func:`link_key` (the same link, shared twice at once, makes the same id:
    the store refuses the second).

    >>> resource_id("https://example.org/a") == resource_id("http://EXAMPLE.org/a/")
    True
    """
    return "r-" + hashlib.sha256(link_key(url).encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=65536)
def topic_key(text: str) -> str:
    """The key under which two spellings of one topic meet: case, accents, spacing and punctuation do
    not count.

    >>> topic_key("  Record-Linkage ")
    'record linkage'
    >>> topic_key("Edit & Imputation") == topic_key("edit and imputation")
    True
    >>> topic_key("Natural Language Processing (NLP)")
    'natural language processing nlp'
    >>> topic_key("Qualité des données") == topic_key("QUALITE DES DONNEES")
    True
    >>> topic_key("Машинное обучение")
    'машинное обучение'
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    decomposed = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return _NOT_ALNUM.sub(" ", text).strip()


def closest(text: str, names: Mapping[str, str], limit: int = 3, cutoff: float = 75.0) -> list[str]:
    """The names closest to ``text`` ("did you mean ...?"), best first: ``names`` maps every spelling
    (name or alias) to the name to offer; each offered once. Matched on :func:`topic_key`, by RapidFuzz's
    weighted ratio (so a typo, a missing word or another word order all come close).

    >>> vocabulary = {"record linkage": "record linkage", "RL": "record linkage",
    ...               "large language models": "large language models", "satellite imagery": "satellite imagery"}
    >>> closest("recrd linkage", vocabulary)
    ['record linkage']
    >>> closest("large languag models", vocabulary)
    ['large language models']
    >>> closest("astrophysics", vocabulary)
    []
    """
    from rapidfuzz import fuzz, process, utils

    keys: dict[str, str] = {}
    for spelling, name in names.items():
        keys.setdefault(topic_key(spelling), name)
    found: list[str] = []
    for key, _score, _index in process.extract(
        topic_key(text),
        list(keys),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit * 4,
        score_cutoff=cutoff,
    ):
        name = keys[key]
        if name not in found:
            found.append(name)
    return found[:limit]


def slugify(text: str) -> str:
    """An id made of lower-case ASCII letters, digits and hyphens (safe in URLs, GraphML and GEXF).

    Text with no Latin letters at all gets a short stable hash instead.

    >>> slugify("Statistique Canada / Statistics Canada")
    'statistique-canada-statistics-canada'
    >>> slugify("Éducation & compétences")
    'education-and-competences'
    >>> slugify("統計")
    'x-beb8f56ae0'
    """
    folded = unicodedata.normalize("NFKD", topic_key(text))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    slug = "-".join(ascii_text.split())
    return slug or "x-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def project_id(title: str) -> str:
    """A project's id when none is given: ``p-`` and the slug of its title, whole, so that the same title
    is the same project in an import and on the web (which adds ``-2``, ``-3`` to a title already held).

    >>> project_id("Coding occupations from free text")
    'p-coding-occupations-from-free-text'
    """
    return "p-" + slugify(title)


def normalise_email(text: str) -> str | None:
    """An email in lower case, or None if it does not look like an address.

    >>> normalise_email(" Ana.Example@Example.ORG ")
    'ana.example@example.org'
    >>> normalise_email("ana@") is None
    True
    """
    text = text.strip().lower()
    return text if _EMAIL.match(text) else None


def member_id(email: str) -> str:
    """A stable member id derived from the email, which does not reveal the email.

    >>> member_id("ana.example@example.org")
    'm-f5ea11f4169c'
    """
    return "m-" + hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:12]


def valid_id(text: str) -> bool:
    """Ids given in files: letters, digits, '.', '_' and '-', starting with a letter or digit.

    >>> valid_id("WS7"), valid_id("ons-uk"), valid_id("a b"), valid_id("-x")
    (True, True, False, False)
    """
    return bool(_ID.match(text))


def split_list(value: object) -> list[str]:
    """A ';'-separated cell, or a list (from JSON), as a list of trimmed non-empty strings.

    >>> split_list("record linkage:expert; ; satellite imagery ")
    ['record linkage:expert', 'satellite imagery']
    >>> split_list(["a", " b "])
    ['a', 'b']
    """
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    return [str(item).strip() for item in items if str(item).strip()]


@dataclass(frozen=True)
class Country:
    alpha3: str
    name: str
    region: str | None  # UN M49 region, e.g. "Europe"
    subregion: str | None  # UN M49 sub-region, e.g. "Northern Europe"


# ISO 3166-1 "exceptionally reserved" codes that statistical offices use every day (Eurostat's EL and UK).
_EXCEPTIONAL = {"UK": "GBR", "EL": "GRC"}


@lru_cache(maxsize=1024)
def lookup_country(text: str) -> Country | None:
    """A country from its ISO 3166-1 alpha-3 or alpha-2 code or its name, with its UN M49 region.

    >>> lookup_country("NLD")
    Country(alpha3='NLD', name='Netherlands', region='Europe', subregion='Western Europe')
    >>> lookup_country("uk").alpha3, lookup_country("Mexico").region
    ('GBR', 'Americas')
    >>> lookup_country("Atlantis") is None
    True
    """
    import pycountry

    text = text.strip()
    if not text:
        return None
    code = _EXCEPTIONAL.get(text.upper(), text)
    try:
        found = pycountry.countries.lookup(code)
    except LookupError:
        return None
    region, subregion = _m49(found.alpha_3)
    return Country(found.alpha_3, getattr(found, "common_name", None) or found.name, region, subregion)


def country_suggestion(text: str) -> Reason:
    """Why ``text`` is not a country, with a hint: the closest country, or how countries are written.

    >>> print(country_suggestion("Netherland"))
    is not a country; did you mean NLD (Netherlands)?
    >>> print(country_suggestion("Atlantis"))
    is not a country; use an ISO 3166-1 code such as NLD or NL, or the country's English name
    """
    import pycountry

    try:
        matches = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return reason(
            "is not a country; use an ISO 3166-1 code such as NLD or NL, or the country's English name"
        )
    best = matches[0]
    return reason(
        "is not a country; did you mean %(code)s (%(country)s)?",
        code=best.alpha_3,
        country=getattr(best, "common_name", None) or best.name,
    )


@lru_cache(maxsize=512)
def _m49(alpha3: str) -> tuple[str | None, str | None]:
    from countryinfo import CountryInfo

    try:
        info = CountryInfo(alpha3)
        return info.region() or None, info.subregion() or None
    except (KeyError, AttributeError, ValueError, TypeError):
        return None, None

"""The translation catalogues' upkeep: what is not marked, what is not translated, and the update.

Run from the repository root with the project's Python:

- ``python -m devtools.i18n bare [template ...]``: the words in templates that are not marked for
  translation (text and the attributes a person reads: ``title``, ``alt``, ``placeholder``,
  ``aria-label``, a button's ``value``), with file and line. ``tests/test_i18n.py`` fails on any.
- ``python -m devtools.i18n update``: extract every marked string (``babel.cfg``) and merge it into each language's ``messages.po`` (new strings
  arrive untranslated; strings no longer used are dropped). Then translate, and compile with
  ``pybabel compile -d graphapp/translations``.
- ``python -m devtools.i18n fill FILE.json ...``: put translations into the catalogues from JSON files
  of ``{"English text": {"fr": "...", "ru": "..."}}`` (a plural: a list with as many forms as the catalogue's
  Plural-Forms: 3 in French (1, millions, other), 3 in Russian), for the strings the catalogues have (run ``update`` first); says which it did not know.
- ``python -m devtools.i18n missing``: per language, the marked strings its catalogue lacks or leaves
  untranslated or fuzzy. ``tests/test_i18n.py`` fails on any.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TRANSLATIONS = ROOT / "graphapp" / "translations"
LANGUAGES = ("fr", "ru")  # English is the source language
KEYWORDS = {
    "reason": None,  # ingest.problems.reason: an import problem's reason, said on pages in the reader's language
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "_n": (1, 2),
}
#: Words that are names, not language: the same in every language.
NAMES = {
    "graphapp",
    "English",
    "Français",
    "Русский",
    "JSON",
    "API",
    "OpenAPI",
    "GEXF",
    "GraphML",
    "vCard",
    "CSV",
    "XLSX",
    "PNG",
    "SVG",
    "GSBPM",
    "EDISON",
    "EDSF",
    "ID",
    "UNECE",
    "HLG-MOS",
    "ORCID",
    "URL",
}
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}

_STATEMENT = re.compile(r"\{#.*?#\}|\{%.*?%\}", re.S)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
_LETTER = re.compile(r"[^\W\d_]", re.U)


def _blank(match: re.Match[str]) -> str:
    """A Jinja expression replaced by as many newlines as it spans (so that line numbers hold) and a marker."""
    return "\n" * match.group(0).count("\n") + "\x00"


def _drop(match: re.Match[str]) -> str:
    """A Jinja statement or comment replaced by as many newlines as it spans: tags inside HTML tags go."""
    return "\n" * match.group(0).count("\n")


def _has_words(text: str) -> bool:
    words = re.findall(r"[^\W\d_][\w'’-]*", text.replace("\x00", " "))
    return any(w not in NAMES and sum(c.isalpha() for c in w) > 1 for w in words)


class _Bare(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (
                name == "value"
                and tag == "input"  # (a <button>'s value is sent, not shown: it must stay as it is)
                and values.get("type") in ("submit", "button", "reset")
            )
            if readable and value and _has_words(value):
                self.found.append((self.getpos()[0], f'{name}="{value.strip()}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _has_words(data):
            line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
            self.found.append((line, " ".join(data.replace("\x00", "…").split())))


def bare(template: Path) -> list[tuple[int, str]]:
    """(line, text) of each unmarked piece of readable text in ``template``."""
    parser = _Bare()
    parser.feed(_EXPRESSION.sub(_blank, _STATEMENT.sub(_drop, template.read_text(encoding="utf-8"))))
    parser.close()
    return parser.found


_SENTENCE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")
_TITLE_WORD = re.compile(r"[A-Z][a-z]{2,}")
_GETTEXT = {"_", "gettext", "ngettext", "_l", "lazy_gettext", "pgettext"}


def bare_literals(template: Path) -> list[tuple[int, str]]:
    """(line, text) of each string literal in ``template``'s Jinja code that reads as words for a person
    (two words or more, or one capitalised word) and is not inside a ``_()``/``gettext()`` call, e.g. the
    ``'a former member'`` of ``{{ name or 'a former member' }}`` or a label in a ``{% set %}`` list."""
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # (only lexed, never rendered)
    found: list[tuple[int, str]] = []
    stack: list[bool] = []  # per open parenthesis: is it a gettext call's?
    previous = ("", "")
    for line, kind, value in env.lex(template.read_text(encoding="utf-8")):
        if (kind, value) == ("operator", "("):
            stack.append(previous[0] == "name" and previous[1] in _GETTEXT)
        elif (kind, value) == ("operator", ")") and stack:
            stack.pop()
        elif kind == "string" and not any(stack):
            text = value.strip("'\"")
            if _SENTENCE.search(text) or _TITLE_WORD.fullmatch(text):
                found.append((line, repr(text)))
        if kind != "whitespace":
            previous = (kind, value)
    return found


def all_bare(templates: list[Path] | None = None) -> Iterator[tuple[Path, int, str]]:
    for template in templates or sorted(TEMPLATES.rglob("*.html")):
        for line, text in sorted(bare(template) + bare_literals(template)):
            yield template, line, text


def extract() -> Catalog:
    """Every string marked in the source (``babel.cfg``'s places), as one catalogue."""
    catalog = Catalog(project="graphapp", msgid_bugs_address="", charset="utf-8")
    methods = [
        ("graphapp/**.py", "python"),
        ("ingest/**.py", "python"),
        ("queries/**.py", "python"),
        ("templates/**.html", "jinja2"),
    ]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT),
        method_map=methods,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        if "/.venv/" in filename or filename.startswith((".venv", "build")):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogue(language: str) -> Catalog:
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Catalog(locale=language, project="graphapp", fuzzy=False)
    with path.open("rb") as f:
        return read_po(f, locale=language)


def missing(language: str, source: Catalog | None = None) -> list[str]:
    """The marked strings that ``language``'s catalogue lacks, or leaves untranslated or fuzzy."""
    source = source or extract()
    have = catalogue(language)
    out = []
    for message in source:
        if not message.id:
            continue
        found = have.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        texts = strings if isinstance(strings, (list, tuple)) else (strings,)
        if found is None or found.fuzzy or not all(texts):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def _write(path: Path, catalog: Catalog) -> None:
    """``catalog`` to ``path`` as the repository keeps catalogues: sorted, no source lines (so that a
    change elsewhere in the code does not touch them), nothing obsolete, not marked fuzzy."""
    catalog.fuzzy = False
    buffer = BytesIO()
    write_po(
        buffer,
        catalog,
        width=110,
        ignore_obsolete=True,
        include_previous=False,
        no_location=True,
        sort_output=True,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update() -> None:
    source = extract()
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        old = catalogue(language)
        old.locale = language  # type: ignore[assignment]
        old.update(source, no_fuzzy_matching=True)
        path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, old)
        print(f"{path.relative_to(ROOT)}: {len(missing(language, source))} to translate")


def fill(files: list[str]) -> None:
    import json

    wanted: dict[str, dict[str, str | list[str]]] = {}
    for name in files:
        wanted.update(json.loads(Path(name).read_text(encoding="utf-8")))
    for language in LANGUAGES:
        have = catalogue(language)
        unknown = 0
        for msgid, texts in wanted.items():
            text = texts.get(language)
            if not text:
                continue
            found = next(
                (m for m in have if m.id == msgid or (isinstance(m.id, tuple) and m.id[0] == msgid)), None
            )
            if found is None:
                unknown += 1
                continue
            found.string = (
                tuple(text) if isinstance(found.id, tuple) else (text if isinstance(text, str) else text[0])
            )
            found.flags.discard("fuzzy")
        path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        _write(path, have)
        print(
            f"{language}: {unknown} given strings are not in the catalogue (not marked, or spelt otherwise)"
        )


def main(argv: list[str]) -> int:
    command, *rest = argv or ["bare"]
    if command == "bare":
        found = list(all_bare([Path(p).resolve() for p in rest] or None))
        for path, line, text in found:
            print(f"{path.relative_to(ROOT)}:{line}: {text}")
        return 1 if found else 0
    if command == "update":
        update()
        return 0
    if command == "fill":
        fill(rest)
        return 0
    if command == "missing":
        source = extract()
        status = 0
        for language in LANGUAGES:
            lacking = missing(language, source)
            print(f"{language}: {len(lacking)} untranslated of {len(source)}")
            for text in lacking[:50] if "-v" not in rest else lacking:
                print(f"  {text!r}")
            status |= bool(lacking)
        return status
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

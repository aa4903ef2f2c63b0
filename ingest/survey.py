"""A survey tool's export as it is: its header row of questions, its answers, and the words people answer
with (levels of experience, countries), in English, French and Russian.

A survey export is not in graphapp's import format: its columns are questions ("What is your name?",
"How would you describe your experience with record linkage?"), an XLSX export may carry merged title rows
above the header, and a CSV one a UTF-8 BOM. :func:`read_survey` reads it as a person sees it (each answer
with the spreadsheet row it is on); :mod:`graphapp.ingest.mapping` turns it into graphapp's own rows.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphapp.ingest.normalise import closest, lookup_country, topic_key
from graphapp.ingest.problems import ImportRejected, Problem, reason
from graphapp.ingest.readers import COLUMNS, KIND_ALIASES, _cell, _decode, csv_delimiter, normalise_header

__all__ = [
    "NO_INTEREST",
    "Survey",
    "country_code",
    "country_suggestions",
    "is_blank_answer",
    "is_graphapp_file",
    "level_of",
    "level_suggestions",
    "read_survey",
]

#: How many rows above the header a survey export may have (titles, notes), when the header is guessed.
HEADER_SEARCH = 12


@dataclass
class Survey:
    """A survey export: its questions (the header row's cells, as written) and its answers, each row
    with the row number a spreadsheet shows for it."""

    file: str
    header_row: int  # 1-based, as a spreadsheet numbers rows
    questions: list[str]
    rows: list[tuple[int, list[str | None]]] = field(default_factory=list)

    def answers(self, question: str) -> list[str]:
        """Every non-blank answer to ``question``, in row order."""
        i = self.questions.index(question)
        return [str(cells[i]) for _n, cells in self.rows if i < len(cells) and cells[i]]

    def samples(self, question: str, n: int = 3) -> list[str]:
        """A few distinct answers to ``question``, to show a person what the column holds."""
        return list(dict.fromkeys(self.answers(question)))[:n]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    cell = _cell(value)
    if cell is None or isinstance(cell, list | dict):
        return None
    text = " ".join(str(cell).split()) if "\n" not in str(cell) else str(cell).strip()
    return text or None


def _grid(path: Path, data: bytes) -> list[list[str | None]]:
    """The first sheet (or the CSV file) as rows of cells, every row kept (blank ones too), so that a
    row's index is the row number a spreadsheet shows, less one."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import zipfile

        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
            raise ImportRejected(
                [
                    Problem(
                        name, "", "", "", reason("is not a readable XLSX workbook (%(error)s)", error=str(e))
                    )
                ]
            ) from e
        try:
            sheet = workbook.worksheets[0] if workbook.worksheets else None
            if sheet is None:
                return []
            grid: list[list[str | None]] = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                # (read-only sheets skip nothing, but a row's cells may stop early: pad by position)
                while len(grid) < number - 1:
                    grid.append([])
                grid.append([_text(c) for c in row])
            return grid
        finally:
            workbook.close()
    if suffix in (".csv", ".txt", ".tsv"):
        text = _decode(name, data)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text), strict=True)
        try:
            return [[_text(c) for c in record] for record in reader]
        except csv.Error as e:
            raise ImportRejected(
                [
                    Problem(
                        name,
                        f"row {reader.line_num}",
                        "",
                        "",
                        reason("is not well-formed CSV: %(error)s", error=str(e)),
                    )
                ]
            ) from e
    raise ImportRejected(
        [Problem(name, "", "", "", reason("is not a survey export: use a .csv or .xlsx file"))]
    )


def guess_header_row(grid: list[list[str | None]]) -> int:
    """The row of questions: the first of the top rows with the most filled cells (title rows above a
    header, merged across it, fill one cell).

    >>> guess_header_row([["Survey of 2026"], [], ["Name", "Email", "Topics"], ["Ana", None, "x"]])
    3
    """
    top = grid[:HEADER_SEARCH]
    counts = [sum(1 for c in row if c) for row in top]
    if not counts or max(counts) == 0:
        return 1
    return counts.index(max(counts)) + 1


def read_survey(
    path: str | os.PathLike[str], header_row: int | None = None, max_bytes: int | None = None
) -> Survey:
    """Read a survey export (CSV or the first sheet of an XLSX workbook) whose header is on ``header_row``
    (None: guessed). Raise :class:`ImportRejected` when it cannot be read."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ImportRejected(
            [Problem(name, "", "", "", reason("cannot be read: %(error)s", error=str(e.strerror)))]
        ) from e
    if max_bytes is not None and size > max_bytes:
        mib, limit = f"{size / 2**20:.1f}", f"{max_bytes / 2**20:.1f}"
        raise ImportRejected(
            [
                Problem(
                    name,
                    "",
                    "",
                    "",
                    reason("is %(size)s MiB, over the %(limit)s MiB limit", size=mib, limit=limit),
                )
            ]
        )
    grid = _grid(path, path.read_bytes())
    if header_row is None:
        header_row = guess_header_row(grid)
    if header_row < 1 or header_row > len(grid) or not any(grid[header_row - 1]):
        raise ImportRejected(
            [
                Problem(
                    name,
                    f"row {header_row}",
                    "",
                    "",
                    reason(
                        "holds no questions: the header row is not there (check the mapping's header_row)"
                    ),
                )
            ]
        )
    header = list(grid[header_row - 1])
    while header and not header[-1]:
        header.pop()
    problems: list[Problem] = []
    questions = told_apart(header)
    survey = Survey(name, header_row, questions)
    for number, cells in enumerate(grid[header_row:], start=header_row + 1):
        if not any(cells):
            continue  # blank lines carry nothing
        extra = [c for c in cells[len(questions) :] if c]
        if extra:
            problems.append(
                Problem(
                    name,
                    f"row {number}",
                    "",
                    extra[0],
                    reason("has more cells than the header has columns (%(count)s)", count=len(questions)),
                )
            )
            continue
        survey.rows.append((number, list(cells[: len(questions)]) + [None] * (len(questions) - len(cells))))
    if problems:
        raise ImportRejected(problems)
    return survey


def told_apart(header: list[str | None]) -> list[str]:
    """The questions of a header row, each told apart from the others: a blank one is "column N", and a
    question asked again ("Other (please specify)" after each multi-select question, as Google Forms and
    SurveyMonkey export) is numbered from its second time on, "Other (please specify) [2]".

    >>> told_apart(["Name", "Other (please specify)", None, "Other (please specify)"])
    ['Name', 'Other (please specify)', 'column 3', 'Other (please specify) [2]']
    """
    questions: list[str] = []
    seen: dict[str, int] = {}
    for i, q in enumerate(header):
        text = q or f"column {i + 1}"
        key = " ".join(text.split())
        seen[key] = seen.get(key, 0) + 1
        number = seen[key]
        while number > 1 and f"{key} [{number}]" in seen:
            number += 1
        if number > 1:
            text = f"{key} [{number}]"
            seen[text] = 1
        questions.append(text)
    return questions


def is_graphapp_file(path: str | os.PathLike[str]) -> bool:
    """Whether a file is in graphapp's own import format (at least half the columns of its first row are
    graphapp's), rather than a survey tool's export. JSON files are always graphapp's."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        return True
    try:
        grid = _grid(path, path.read_bytes())
    except (ImportRejected, OSError):
        return True  # (the importer says what is wrong with it)
    if not grid:
        return True
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            if any(KIND_ALIASES.get(s.strip().lower()) for s in workbook.sheetnames):
                return True  # a sheet named after a kind of record: graphapp's workbook
        finally:
            workbook.close()
    known = {c for columns in COLUMNS.values() for c in columns}
    header = [normalise_header(c) for c in grid[0] if c]
    # (at least half of its columns graphapp's: a file with a misspelt column is still graphapp's, and the
    # importer says "did you mean ...")
    return bool(header) and 2 * sum(c in known for c in header) >= len(header)


# --- Levels of experience -------------------------------------------------------------------------------

#: The level an answer says nothing of interest ("no experience"): the topic is left out for that person.
NO_INTEREST = "none"

#: Answers to "how would you describe your experience with ...", in English, French and Russian, and the
#: level each means (``none``: no interest, the topic is left out).
LEVEL_WORDS: dict[str, str] = {
    # learning
    "learning": "learning",
    "beginner": "learning",
    "novice": "learning",
    "basic": "learning",
    "basic knowledge": "learning",
    "some knowledge": "learning",
    "interested": "learning",
    "I would like to learn": "learning",
    "just starting": "learning",
    "débutant": "learning",
    "débutante": "learning",
    "notions de base": "learning",
    "j'apprends": "learning",
    "en apprentissage": "learning",
    "intéressé": "learning",
    "intéressée": "learning",
    "начинающий": "learning",
    "начальный": "learning",
    "начальный уровень": "learning",
    "базовый": "learning",
    "изучаю": "learning",
    "хочу изучить": "learning",
    # practising
    "practising": "practising",
    "practicing": "practising",
    "intermediate": "practising",
    "some experience": "practising",
    "experienced": "practising",
    "I use it": "practising",
    "I use it in my work": "practising",
    "working on it": "practising",
    "intermédiaire": "practising",
    "une certaine expérience": "practising",
    "quelque expérience": "practising",
    "je pratique": "practising",
    "je l'utilise dans mon travail": "practising",
    "средний": "practising",
    "средний уровень": "practising",
    "есть опыт": "practising",
    "некоторый опыт": "practising",
    "применяю в работе": "practising",
    # expert
    "expert": "expert",
    "experte": "expert",
    "advanced": "expert",
    "I lead projects on it": "expert",
    "I lead projects": "expert",
    "avancé": "expert",
    "je dirige des projets": "expert",
    "je dirige des projets sur ce sujet": "expert",
    "эксперт": "expert",
    "продвинутый": "expert",
    "продвинутый уровень": "expert",
    "руковожу проектами": "expert",
    "руковожу проектами по этой теме": "expert",
    # no interest
    "none": NO_INTEREST,
    "no experience": NO_INTEREST,
    "not applicable": NO_INTEREST,
    "n/a": NO_INTEREST,
    "aucune": NO_INTEREST,
    "aucune expérience": NO_INTEREST,
    "sans objet": NO_INTEREST,
    "нет": NO_INTEREST,
    "нет опыта": NO_INTEREST,
    "не применимо": NO_INTEREST,
}
_LEVEL_KEYS = {topic_key(k): v for k, v in LEVEL_WORDS.items()} | {"n a": NO_INTEREST}


def level_of(text: str) -> str | None:
    """The level an answer means (learning, practising, expert, or ``none``), or None if it is not one of
    :data:`LEVEL_WORDS` (in any case, with or without accents).

    >>> level_of("Some experience"), level_of("DÉBUTANT"), level_of("Руковожу проектами"), level_of("N/A")
    ('practising', 'learning', 'expert', 'none')
    >>> level_of("it depends") is None
    True
    """
    return _LEVEL_KEYS.get(topic_key(text))


def level_suggestions(text: str) -> list[str]:
    """The levels an unknown answer may mean, closest first (all of them if none is close).

    >>> level_suggestions("some experiance")
    ['practising']
    """
    found = closest(text, {k: v for k, v in LEVEL_WORDS.items()}, limit=3, cutoff=80.0)
    return found or ["learning", "practising", "expert", NO_INTEREST]


# --- Countries ----------------------------------------------------------------------------------------

#: Common spellings that neither ISO 3166 nor the CLDR's names give.
COUNTRY_SPELLINGS = {
    "holland": "NLD",
    "the netherlands": "NLD",
    "great britain": "GBR",
    "britain": "GBR",
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "usa": "USA",
    "u s a": "USA",
    "america": "USA",
    "united states of america": "USA",
    "russia": "RUS",
    "south korea": "KOR",
    "republic of korea": "KOR",
    "turkey": "TUR",
    "türkiye": "TUR",
    "czechia": "CZE",
    "czech republic": "CZE",
    "moldova": "MDA",
    "kyrgyzstan": "KGZ",
    "ivory coast": "CIV",
    "macedonia": "MKD",
    "россия": "RUS",
    "российская федерация": "RUS",
    "fédération de russie": "RUS",
    "соединенные штаты америки": "USA",
    "соединённое королевство": "GBR",
    "royaume uni de grande bretagne et d irlande du nord": "GBR",
    "рф": "RUS",
    "сша": "USA",
    "великобритания": "GBR",
    "англия": "GBR",
    "голландия": "NLD",
    "pays bas": "NLD",
    "royaume uni": "GBR",
    "états unis": "USA",
    "etats unis": "USA",
}


#: Names that fit more than one country: never read as either, the answer is unmapped with both offered.
AMBIGUOUS_COUNTRIES: dict[str, tuple[str, ...]] = {
    "congo": ("COG", "COD"),
    "конго": ("COG", "COD"),
    "korea": ("KOR", "PRK"),
    "corée": ("KOR", "PRK"),
    "корея": ("KOR", "PRK"),
    "virgin islands": ("VGB", "VIR"),
    "îles vierges": ("VGB", "VIR"),
    "виргинские острова": ("VGB", "VIR"),
}

#: Answers that say "no answer" ("N/A", "-", "none", "no"): a country question answered so is blank.
BLANK_ANSWERS = frozenset(
    {
        "",
        "na",
        "n a",
        "n d",
        "none",
        "no",
        "nil",
        "null",
        "not applicable",
        "nothing",
        "unknown",
        "aucun",
        "aucune",
        "sans objet",
        "néant",
        "inconnu",
        "нет",
        "не применимо",
        "неизвестно",
    }
)


def is_blank_answer(text: str | None) -> bool:
    """Whether an answer says nothing: blank, a dash, or "N/A", "none", "no" and the like.

    >>> [is_blank_answer(t) for t in ("N/A", "-", "none", "No", "Norway", "—", "?")]
    [True, True, True, True, False, True, True]
    """
    if text is None or not text.strip():
        return True
    if not any(ch.isalnum() for ch in text):
        return True  # ("-", "—", "?", "...")
    return topic_key(text) in BLANK_ANSWERS


@lru_cache(maxsize=1)
def _country_index() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Every name of every country graphapp knows, in English, French and Russian (Babel's CLDR data) and
    ISO 3166's, as topic keys, mapped to its ISO 3166-1 alpha-3 code; and the names that fit several."""
    import pycountry
    from babel import Locale

    found: dict[str, set[str]] = {}
    alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)):
            if name:
                found.setdefault(topic_key(name), set()).add(c.alpha_3)
    for language in ("en", "fr", "ru"):
        for code, name in Locale(language).territories.items():
            if code in alpha3:
                found.setdefault(topic_key(name), set()).add(alpha3[code])
    names = {key: next(iter(codes)) for key, codes in found.items() if len(codes) == 1}
    ambiguous = {key: tuple(sorted(codes)) for key, codes in found.items() if len(codes) > 1}
    for spelling, code in COUNTRY_SPELLINGS.items():
        names[topic_key(spelling)] = code
    for spelling, codes in AMBIGUOUS_COUNTRIES.items():
        ambiguous[topic_key(spelling)] = codes
        names.pop(topic_key(spelling), None)
    return names, ambiguous


def _country_names() -> dict[str, str]:
    return _country_index()[0]


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of a country named in any common spelling, in English, French or
    Russian, or by its code written in capitals; None if it names none, or more than one (Congo, Korea).
    Nothing short is guessed: "no", "in" and "NA" name no country (a code is 2 or 3 capital letters).

    >>> country_code("Pays-Bas"), country_code("Нидерланды"), country_code("Holland"), country_code("NL")
    ('NLD', 'NLD', 'NLD', 'NLD')
    >>> country_code("Allemagne"), country_code("Германия"), country_code("United Kingdom")
    ('DEU', 'DEU', 'GBR')
    >>> [country_code(t) for t in ("Atlantis", "no", "in", "nl", "Congo", "Korea")]
    [None, None, None, None, None, None]
    """
    key = topic_key(text)
    if not key or is_blank_answer(text):
        return None
    names, ambiguous = _country_index()
    if key in ambiguous:
        return None
    found = names.get(key)
    if found is not None and len(key.replace(" ", "")) > 3:
        return found
    bare = text.strip()
    if re.fullmatch(r"[A-Z]{2,3}", bare):
        country = lookup_country(bare)
        return country.alpha3 if country else found
    # (a short word in small letters, "no", "in", "us", is not a code: only names of 4 letters or more,
    # and a few fixed spellings such as "USA", "РФ", are read)
    return found if found is not None and key in {topic_key(s) for s in COUNTRY_SPELLINGS} else None


def country_suggestions(text: str) -> list[str]:
    """The countries (English names) closest to an answer that names none.

    >>> country_suggestions("Nederlands")
    ['Netherlands']
    """
    import pycountry

    english = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    both = _country_index()[1].get(topic_key(text))
    if both:
        return [english.get(code, code) for code in both]
    spellings = {key: english.get(code, code) for key, code in _country_names().items()}
    return closest(text, spellings, limit=3, cutoff=80.0)

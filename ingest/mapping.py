"""Survey exports imported through a mapping: which question is which member field, and what the answers
mean, so that a survey tool's own CSV or XLSX becomes exactly the member rows graphapp's import reads.

A mapping (:class:`Mapping`, plain JSON: docs/import-formats.md) names the row that holds the questions,
says for each question what it is (a member field, a list of topics, one topic whose answers are levels,
"other (please specify)" text read as topics, or nothing), and maps answers that graphapp cannot read by
itself (levels, countries, organisations, topics) to what they mean. :func:`map_survey` applies it in a
transaction (it reads the vocabulary, the organisations and the members that answers may be): every answer
that maps to nothing is a problem offering the closest matches, and nothing is guessed. :func:`import_survey`
then hands the rows to the usual all-or-nothing, idempotent import (``plan_import``), with every problem
pinned to the survey's own file, row and question.

Answers update the people who already are members: matched by email; else by name and organisation, which
must be confirmed (``confirm``). A survey adds to a member's topics and workstreams and never removes any.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graphapp.ingest.normalise import normalise_email, topic_key
from graphapp.ingest.plan import (
    MEMBERS_BY_EMAIL,
    NameIndex,
    Plan,
    apply_plan,
    held_nodes,
    name_key,
    plan_import,
)
from graphapp.ingest.problems import ImportRejected, Problem, Reason, reason
from graphapp.ingest.readers import RawRow, Table
from graphapp.ingest.survey import (
    NO_INTEREST,
    Survey,
    country_code,
    country_suggestions,
    guess_header_row,
    is_blank_answer,
    level_of,
    level_suggestions,
    read_survey,
)
from graphapp.queries import history
from graphapp.queries.cypher import Store, Tx
from graphapp.queries.schema import LEVELS, RELS_FROM, batches
from graphapp.queries.surveys import mapping_by_id, mappings, members_at, put_mapping

__all__ = [
    "FIELDS",
    "Column",
    "Mapped",
    "Mapping",
    "Match",
    "SurveyImport",
    "SurveyRejected",
    "Unmapped",
    "guess_header_row",
    "guess_mapping",
    "header_of",
    "import_survey",
    "load_mapping",
    "map_survey",
    "mapping_id",
    "plan_survey",
    "read_mapping",
    "read_mapping_file",
    "save_mapping",
    "saved_mapping",
]

#: What a column may be. The member fields take one answer each; ``topics`` lists several topics
#: (joined by ``separator``) at one ``level``; ``topic_level`` is one topic (``topic``) whose answers are
#: levels; ``other_topics`` is "other (please specify)" text read as topics; ``ignore``: nothing.
FIELDS = (
    "name",
    "email",
    "organisation",
    "country",
    "title",
    "workstreams",
    "contacts",
    "topics",
    "topic_level",
    "other_topics",
    "ignore",
)
MEMBER_FIELDS = ("name", "email", "organisation", "country", "title", "workstreams", "contacts")
#: The kinds of answers a mapping's ``values`` maps, each answer to what it means.
VALUE_KINDS = ("levels", "countries", "organisations", "topics")
IGNORE = "ignore"
NEW = "new"  # (organisations and topics: create it, as written)
DEFAULT_SEPARATORS = ";"
#: The level of a topic a list names, when the list's column gives none: it adds the topic to a member who
#: does not hold it, and never lowers the level of one they hold.
LIST_LEVEL = "practising"
OTHER_SEPARATORS = ",;\n"


@dataclass
class Column:
    """What one question of the survey is."""

    question: str
    field: str = IGNORE
    separator: str | None = None  # topics, other_topics, workstreams, contacts: what joins the answers
    level: str | None = None  # topics, other_topics: the level of every topic listed (default practising)
    topic: str | None = None  # topic_level: the topic the question asks about

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"question": self.question, "field": self.field}
        for key in ("separator", "level", "topic"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass
class Mapping:
    """How a survey's export is read as members (see the module's docstring and docs/import-formats.md)."""

    name: str
    columns: list[Column]
    header_row: int | None = None  # None: guessed (the first of the top rows with the most cells)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "header_row": self.header_row,
            "columns": [c.as_json() for c in self.columns],
            "values": {k: dict(self.values.get(k, {})) for k in VALUE_KINDS},
        }

    def dumps(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=1)

    def column(self, question: str) -> Column | None:
        key = " ".join(question.split())
        return next((c for c in self.columns if " ".join(c.question.split()) == key), None)

    def value(self, kind: str, answer: str) -> str | None:
        """What the mapping says ``answer`` means (None: it says nothing)."""
        key = topic_key(answer) or answer.strip().casefold()
        for given, meant in self.values.get(kind, {}).items():
            if (topic_key(given) or given.strip().casefold()) == key:
                return meant
        return None

    @property
    def id(self) -> str:
        return mapping_id(self.name)


def mapping_id(name: str) -> str:
    """The id a mapping is saved under: its name casefolded, NFC-normalised, its spacing collapsed, in
    any script (two names that differ only in case or spacing are the same mapping; any others are not).

    >>> mapping_id("Webinar  survey 2026"), mapping_id("Опрос офисов 2026"), mapping_id("Анкета 2026")
    ('webinar survey 2026', 'опрос офисов 2026', 'анкета 2026')
    """
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def load_mapping(data: str | bytes | dict[str, Any], label: str = "mapping") -> Mapping:
    """A mapping from its JSON (text or parsed); :class:`ImportRejected` says what is wrong with it."""
    mapping, problems = read_mapping(data, label)
    if problems:
        raise ImportRejected(problems)
    return mapping


def read_mapping(data: str | bytes | dict[str, Any], label: str = "mapping") -> tuple[Mapping, list[Problem]]:
    """A mapping from its JSON (text or parsed), read leniently: each choice kept as it was made (a wrong
    field is read as ignore), with every problem it has, each naming its question (the mapping page shows
    a form as it was filled in, with each problem beside its question). A level written in words, in
    English, French or Russian ("Beginner", "débutant"), is read as :func:`level_of` reads answers.

    >>> m, problems = read_mapping({"name": "x", "columns": [{"question": "Q", "field": "topic_level"}],
    ...                             "values": {"levels": {"meh": "Beginner"}}})
    >>> m.values["levels"], [(p.column, p.value) for p in problems]
    ({'meh': 'learning'}, [('Q', '')])
    """
    problems: list[Problem] = []
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ImportRejected(
                [Problem(label, "", "", "", reason("is not valid JSON: %(error)s", error=str(e)))]
            ) from e
    if not isinstance(data, dict):
        raise ImportRejected([Problem(label, "", "", "", reason("must be a JSON object"))])
    return _read_mapping(data, label, problems)


def _read_mapping(data: dict[str, Any], label: str, problems: list[Problem]) -> tuple[Mapping, list[Problem]]:
    def bad(column: str, value: Any, why: Reason) -> None:
        problems.append(Problem(label, "", column, "" if value is None else str(value), why))

    name = str(data.get("name") or "").strip()
    if not name:
        bad("name", None, reason("is empty: a mapping needs a name"))
    header_row = data.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        bad("header_row", header_row, reason("must be a row number (1 for the first row), or null"))
        header_row = None
    columns: list[Column] = []
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        bad("columns", None, reason("must be a list of the survey's questions, each with its field"))
        raw_columns = []
    for item in raw_columns:
        if not isinstance(item, dict) or not str(item.get("question") or "").strip():
            bad("columns", json.dumps(item, ensure_ascii=False), reason("each column needs its question"))
            continue
        question = " ".join(str(item["question"]).split())
        what = str(item.get("field") or IGNORE)
        if what not in FIELDS:
            bad(question, what, reason("is not a field; use one of %(fields)s", fields=", ".join(FIELDS)))
            what = IGNORE
        level = item.get("level")
        if level is not None and level not in LEVELS:
            bad(question, level, reason("is not a level; use one of %(levels)s", levels=", ".join(LEVELS)))
            level = None
        topic = item.get("topic")
        if what == "topic_level" and not str(topic or "").strip():
            bad(question, None, reason('is a topic\'s level: say which topic ("topic")'))
        separator = item.get("separator")
        if separator is not None and (not isinstance(separator, str) or not separator):
            bad(question, separator, reason('must be the characters that join several answers, e.g. ";"'))
            separator = None
        columns.append(Column(question, what, separator, level, str(topic).strip() if topic else None))
    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        bad(
            "values",
            None,
            reason("must map %(kinds)s to answers and what they mean", kinds=", ".join(VALUE_KINDS)),
        )
        raw_values = {}
    for kind, answers in raw_values.items():
        if kind not in VALUE_KINDS:
            bad(
                "values", kind, reason("is not a kind of answer; use %(kinds)s", kinds=", ".join(VALUE_KINDS))
            )
            continue
        if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
            bad("values", kind, reason("must map each answer to what it means, as text"))
            continue
        values[kind] = {str(k): v.strip() for k, v in answers.items()}
        if kind == "levels":
            for answer, meant in values[kind].items():
                said = level_of(meant) if meant not in (*LEVELS, IGNORE) else None
                if said is not None:
                    meant = values[kind][answer] = IGNORE if said == NO_INTEREST else said
                if meant not in (*LEVELS, IGNORE):
                    bad(
                        "values",
                        answer,
                        reason(
                            "means %(meant)s, which is not a level (%(levels)s, or ignore)",
                            meant=meant,
                            levels=", ".join(LEVELS),
                        ),
                    )
        if kind == "countries":
            for answer, meant in values[kind].items():
                if meant != IGNORE and country_code(meant) is None:
                    bad("values", answer, reason("means %(meant)s, which is not a country", meant=meant))
    return Mapping(name, columns, header_row, values), problems


def read_mapping_file(path: str | os.PathLike[str]) -> Mapping:
    """A mapping from a JSON file."""
    from pathlib import Path

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ImportRejected(
            [Problem(p.name, "", "", "", reason("cannot be read: %(error)s", error=str(e.strerror)))]
        ) from e
    return load_mapping(data, p.name)


# --- A first guess, from the questions ----------------------------------------------------------------

_GUESSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ignore", ("timestamp", "horodateur", "submitted", "отметка времени", "start time", "completion time")),
    ("other_topics", ("please specify", "other topics", "préciser", "precisez", "укажите", "другое")),
    ("email", ("email", "e mail", "courriel", "mail address", "почта", "электронн")),
    ("country", ("country", "pays", "страна")),
    (
        "organisation",
        (
            "organisation",
            "organization",
            "institution",
            "agency",
            "employer",
            "организац",
            "ведомств",
        ),
    ),
    ("title", ("job title", "position", "title", "fonction", "poste", "должность", "role")),
    ("workstreams", ("workstream", "axe de travail", "рабочее направление", "рабочие направления")),
    ("topics", ("topics", "topic", "sujets", "sujet", "темы", "тема", "areas of work")),
    ("name", ("name", "nom", "имя", "фио")),
)


def _guess_field(question: str, answers: list[str]) -> str:
    key = topic_key(question)
    if answers and sum("@" in a for a in answers) >= max(1, len(answers) // 2):
        return "email"
    if answers and sum(level_of(a) is not None for a in answers) >= max(1, len(answers) * 2 // 3):
        return "topic_level"
    for what, words in _GUESSES:
        if any(
            f" {topic_key(w)} " in f" {key} " or (len(topic_key(w)) > 5 and topic_key(w) in key)
            for w in words
        ):
            return what
    return IGNORE


def _guess_topic(question: str, vocabulary: Iterable[str]) -> str:
    """The topic a level question asks about: the longest topic name the question holds, else its words
    after the last "with", "in" or "of"."""
    key = f" {topic_key(question)} "
    found = [name for name in vocabulary if topic_key(name) and f" {topic_key(name)} " in key]
    if found:
        return max(found, key=lambda n: len(topic_key(n)))
    words = question.rstrip(" ?:.").split()
    for marker in ("with", "in", "of", "avec", "en", "de", "с", "в"):
        if marker in words:
            i = len(words) - 1 - words[::-1].index(marker)
            if i + 1 < len(words):
                return " ".join(words[i + 1 :])
    return question.rstrip(" ?:.")


def guess_mapping(survey: Survey, name: str | None = None, vocabulary: Iterable[str] = ()) -> Mapping:
    """A first guess at a survey's mapping, from its questions and answers, for a person to correct: an
    email-looking column is the email, "name" the name, a column answered with levels a topic's level
    (the topic named in the question, from ``vocabulary`` if it holds it), and so on; anything else is
    ignored.

    >>> s = Survey("s.csv", 1, ["Timestamp", "What is your name?", "Email address", "Your experience with record linkage?"],
    ...            [(2, ["2026-01-01", "Ana", "ana@example.org", "Beginner"])])
    >>> [(c.field, c.topic) for c in guess_mapping(s, vocabulary=["record linkage"]).columns]
    [('ignore', None), ('name', None), ('email', None), ('topic_level', 'record linkage')]
    """
    names = list(vocabulary)
    columns = []
    for question in survey.questions:
        answers = survey.answers(question)
        what = _guess_field(question, answers)
        column = Column(question, what)
        if what in ("topics", "workstreams", "contacts"):
            column.separator = (
                ";" if any(";" in a for a in answers) else ("," if any("," in a for a in answers) else ";")
            )
        if what == "other_topics":
            column.separator = ","
        if what == "topic_level":
            column.topic = _guess_topic(question, names)
        columns.append(column)
    return Mapping(
        name or survey.file.rsplit(".", 1)[0], columns, survey.header_row, {k: {} for k in VALUE_KINDS}
    )


# --- Applying a mapping -------------------------------------------------------------------------------


@dataclass
class Unmapped:
    """An answer the mapping does not say the meaning of, with the closest things it may mean."""

    kind: str  # one of VALUE_KINDS
    value: str
    suggestions: list[str]
    where: list[tuple[str, str]] = field(default_factory=list)  # (row, question)


@dataclass
class Match:
    """A row that may be an existing member: same name, same organisation, another (or no) email."""

    row: str
    name: str
    email: str | None  # the survey's
    member: str  # the member's id
    member_name: str
    member_email: str | None
    organisation: str
    confirmed: bool


@dataclass
class Mapped:
    """A survey read through a mapping: graphapp's member rows, and what stands in the way."""

    survey: Survey
    table: Table
    problems: list[Problem] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    new_topics: bool = False
    #: For each row, which question each graphapp column (and each topic, by key) came from.
    origin: dict[str, dict[str, str]] = field(default_factory=dict)

    def pinned(self, p: Problem) -> Problem:
        """An import problem about one of these rows, pinned to the question it came from."""
        if p.file != self.table.file or p.row not in self.origin:
            return p
        origin = self.origin[p.row]
        question = origin.get(f"topic:{topic_key(p.value)}") if p.column == "topics" else None
        question = question or origin.get(p.column) or origin.get(COLUMN_OF.get(p.column, ""))
        if question is None:
            return p
        return Problem(p.file, p.row, question, p.value, p.reason, p.suggestions)


#: The graphapp column each member field is written to.
COLUMN_OF = {"contacts": "knows", "knows": "contacts", "id": "email"}


class SurveyRejected(ImportRejected):
    """A survey's answers have problems; nothing was written. ``mapped`` says what was read."""

    def __init__(self, problems: list[Problem], mapped: Mapped | None) -> None:
        super().__init__(problems)
        self.mapped = mapped


def _split(text: str, separators: str) -> list[str]:
    parts = [text]
    for sep in separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [" ".join(p.split()) for p in parts if p.strip()]


class _Reader:
    """Reads one survey's answers through a mapping, collecting what maps to nothing."""

    def __init__(self, tx: Tx, survey: Survey, mapping: Mapping) -> None:
        self.survey = survey
        self.mapping = mapping
        self.topics = NameIndex("topic", held_nodes(tx, "Topic"))
        self.organisations = NameIndex("organisation", held_nodes(tx, "Organisation"))
        self.problems: list[Problem] = []
        self.unmapped: dict[tuple[str, str], Unmapped] = {}
        self.new_topics = False

    def _unmapped(self, kind: str, value: str, row: str, question: str, suggestions: list[str]) -> None:
        key = (kind, topic_key(value) or value.casefold())
        entry = self.unmapped.setdefault(key, Unmapped(kind, value, suggestions))
        entry.where.append((row, question))
        hint = {
            "levels": (
                reason(
                    "is not a level graphapp knows (closest: %(closest)s): say in the mapping's levels what it means (learning, practising, expert, or ignore)",
                    closest=", ".join(suggestions),
                )
            ),
            "countries": (
                reason(
                    "is not a country graphapp knows (closest: %(closest)s): say in the mapping's countries which it is, or ignore",
                    closest=", ".join(suggestions),
                )
                if suggestions
                else reason(
                    "is not a country graphapp knows: say in the mapping's countries which it is, or ignore"
                )
            ),
            "organisations": (
                reason(
                    "is not an organisation in the network (closest: %(closest)s): say in the mapping's organisations which it is, new, or ignore",
                    closest=", ".join(suggestions),
                )
                if suggestions
                else reason(
                    "is not an organisation in the network: say in the mapping's organisations which it is, new, or ignore"
                )
            ),
            "topics": (
                reason(
                    "is not a topic in the vocabulary (closest: %(closest)s): say in the mapping's topics which it is, new, or ignore",
                    closest=", ".join(suggestions),
                )
                if suggestions
                else reason(
                    "is not a topic in the vocabulary: say in the mapping's topics which it is, new, or ignore"
                )
            ),
        }[kind]
        self.problems.append(Problem(self.survey.file, row, question, value, hint, tuple(suggestions)))

    def _meant_wrong(self, kind: str, value: str, meant: str, row: str, question: str) -> None:
        why = (
            reason("is mapped to %(meant)s, which is not a topic in the vocabulary", meant=meant)
            if kind == "topics"
            else reason("is mapped to %(meant)s, which is not an organisation in the network", meant=meant)
        )
        self.problems.append(Problem(self.survey.file, row, question, value, why))

    def topic(self, text: str, row: str, question: str) -> str | None:
        """The vocabulary's name for a topic answer (None: ignored or unmapped)."""
        meant = self.mapping.value("topics", text)
        if meant == IGNORE:
            return None
        if meant == NEW:
            self.new_topics = True
            return text
        found = self.topics.find(meant or text)
        if found is None:
            if meant is not None:
                self._meant_wrong("topics", text, meant, row, question)
            else:
                self._unmapped("topics", text, row, question, self.topics.closest(text))
            return None
        return str(self.topics.nodes[found]["name"])

    def organisation(self, text: str, row: str, question: str) -> tuple[str | None, str | None]:
        """(the organisation's name as graphapp holds it, its id; None for a new one) for an answer."""
        meant = self.mapping.value("organisations", text)
        if meant == IGNORE:
            return None, None
        if meant == NEW:
            return text, None
        found = self.organisations.find(meant or text)
        if found is None:
            if meant is not None:
                self._meant_wrong("organisations", text, meant, row, question)
            else:
                self._unmapped("organisations", text, row, question, self.organisations.closest(text))
            return None, None
        return str(self.organisations.nodes[found]["name"]), found

    def country(self, text: str, row: str, question: str) -> str | None:
        meant = self.mapping.value("countries", text)
        if meant == IGNORE:
            return None
        code = country_code(meant or text)
        if code is None:
            self._unmapped("countries", text, row, question, country_suggestions(text))
        return code

    def level(self, text: str, row: str, question: str) -> str | None:
        meant = self.mapping.value("levels", text)
        if meant is not None:
            return None if meant == IGNORE else meant
        level = level_of(text)
        if level is None:
            self._unmapped("levels", text, row, question, level_suggestions(text))
            return None
        return None if level == NO_INTEREST else level


def _higher(a: str | None, b: str) -> str:
    return b if a is None or LEVELS.index(b) > LEVELS.index(a) else a


def map_survey(tx: Tx, survey: Survey, mapping: Mapping, confirm: bool | Collection[str] = False) -> Mapped:
    """The survey's answers as graphapp's member rows, read through ``mapping`` against what the graph
    holds. ``confirm``: the matches by name and organisation to take (True: all; else their rows)."""
    reader = _Reader(tx, survey, mapping)
    file, header = survey.file, f"row {survey.header_row}"
    columns: list[tuple[int, Column]] = []
    for i, question in enumerate(survey.questions):
        column = mapping.column(question)
        if column is None:
            reader.problems.append(
                Problem(
                    file,
                    header,
                    question,
                    "",
                    reason("is a question the mapping does not mention: map it to a field, or to ignore"),
                )
            )
        elif column.field != IGNORE:
            columns.append((i, column))
    asked = {" ".join(q.split()) for q in survey.questions}
    for column in mapping.columns:
        if column.field != IGNORE and " ".join(column.question.split()) not in asked:
            reader.problems.append(
                Problem(
                    file,
                    header,
                    column.question,
                    "",
                    reason("is a question of the mapping that this file does not have"),
                )
            )
    fields = {c.field for _i, c in columns}
    if not any(c.field == "name" for c in mapping.columns):
        reader.problems.append(
            Problem(file, header, "", "", reason("the mapping maps no question to the member's name"))
        )
    if not fields & {"email"}:
        reader.problems.append(
            Problem(file, header, "", "", reason("the mapping maps no question to the member's email"))
        )
    level_topics: dict[str, str | None] = {}
    for _i, column in columns:
        if column.field == "topic_level" and column.topic:
            level_topics[column.question] = reader.topic(column.topic, header, column.question)
    has_topics = bool(fields & {"topics", "topic_level", "other_topics"})
    rows: list[RawRow] = []
    origin: dict[str, dict[str, str]] = {}
    orgs_of: dict[str, str] = {}  # row -> organisation id (an existing one)
    only_listed: dict[str, set[str]] = {}  # row -> the topics only a list names, at the list's default level
    for number, cells in survey.rows:
        where = f"row {number}"
        values: dict[str, Any] = {}
        came: dict[str, str] = {}
        interests: dict[str, str] = {}
        said: dict[str, str] = {}  # topic -> the level a topic_level answer, or a column's own level, gives
        workstreams: list[str] = []
        knows: list[str] = []
        for i, column in columns:
            text = cells[i]
            q = column.question
            what = column.field
            if what == "name":
                values["name"] = text
            if what in MEMBER_FIELDS:
                came.setdefault(COLUMN_OF.get(what, what) if what == "contacts" else what, q)
            if not text:
                continue  # a blank answer says nothing (and clears nothing)
            if what in ("email", "title"):
                values[what] = text
                came[what] = q
            elif what == "country":
                came["country"] = q
                if is_blank_answer(text):
                    continue  # ("N/A", "-", "none": no answer, not Namibia or Norway)
                code = reader.country(text, where, q)
                if code:
                    values["country"] = code
            elif what == "organisation":
                came["organisation"] = q
                name, org_id = reader.organisation(text, where, q)
                if name:
                    values["organisation"] = name
                    if org_id:
                        orgs_of[where] = org_id
            elif what == "workstreams":
                came["workstreams"] = q
                workstreams += _split(text, column.separator or DEFAULT_SEPARATORS)
            elif what == "contacts":
                came["knows"] = q
                knows += _split(text, column.separator or DEFAULT_SEPARATORS)
            elif what in ("topics", "other_topics"):
                default = column.separator or (
                    OTHER_SEPARATORS if what == "other_topics" else DEFAULT_SEPARATORS
                )
                for item in _split(text, default):
                    name = reader.topic(item, where, q)
                    if name:
                        interests[name] = _higher(interests.get(name), column.level or LIST_LEVEL)
                        if column.level:
                            said[name] = _higher(said.get(name), column.level)
                        came[f"topic:{topic_key(name)}"] = q
            elif what == "topic_level":
                topic = level_topics.get(q)
                level = reader.level(text, where, q)
                if topic and level:
                    # (a topic's own level question says more than a list: it wins over the list's level)
                    interests[topic] = level
                    said[topic] = level
                    came[f"topic:{topic_key(topic)}"] = q
        if has_topics:
            values["topics"] = [{"name": n, "level": lv} for n, lv in interests.items()]
        if "workstreams" in fields:
            values["workstreams"] = workstreams
        if "contacts" in fields:
            values["knows"] = knows
        came.setdefault(
            "topics",
            next(
                (c.question for _i, c in columns if c.field in ("topics", "topic_level", "other_topics")), ""
            ),
        )
        rows.append(RawRow(file, where, values))
        only_listed[where] = {topic_key(n) for n in interests if n not in said}
        origin[where] = {k: v for k, v in came.items() if v}
    mapped = Mapped(
        survey,
        Table(file, "members", tuple(sorted({k for r in rows for k in r.values})), rows),
        origin=origin,
    )
    mapped.matches = _match_people(tx, mapped, orgs_of, confirm)
    _keep_what_they_hold(tx, mapped, reader, has_topics, "workstreams" in fields, only_listed)
    mapped.problems = reader.problems + mapped.problems
    mapped.unmapped = list(reader.unmapped.values())
    mapped.new_topics = reader.new_topics
    return mapped


def _match_people(
    tx: Tx, mapped: Mapped, orgs_of: dict[str, str], confirm: bool | Collection[str]
) -> list[Match]:
    """Rows whose email no member has, but whose name and organisation a member has: matches, taken only
    when confirmed (else each is a problem)."""
    emails = sorted(
        {e for r in mapped.table.rows if (e := normalise_email(str(r.values.get("email") or "")))}
    )
    held: dict[str, str] = {}
    for batch in batches(emails):
        held.update({r["email"]: r["id"] for r in MEMBERS_BY_EMAIL.run(tx, emails=batch)})
    people: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for m in members_at(tx, list(orgs_of.values())):
        people.setdefault((m["organisation"], name_key(str(m["name"] or ""))), []).append(m)
    matches = []
    for row in mapped.table.rows:
        email = normalise_email(str(row.values.get("email") or ""))
        if (email and email in held) or row.where not in orgs_of or not row.values.get("name"):
            continue
        found = people.get((orgs_of[row.where], name_key(str(row.values["name"]))), [])
        if len(found) != 1:
            continue
        m = found[0]
        taken = confirm is True or (not isinstance(confirm, bool) and row.where in confirm)
        match = Match(
            row.where,
            str(row.values["name"]),
            email,
            str(m["id"]),
            str(m["name"]),
            m.get("email"),
            str(row.values.get("organisation")),
            taken,
        )
        matches.append(match)
        if taken:
            # (they are that member: the row updates them, and their email stays the one they gave graphapp)
            row.values["id"] = m["id"]
            row.values.pop("email", None)
            if m.get("email"):
                row.values["email"] = m["email"]
        else:
            question = mapped.origin.get(row.where, {}).get("name", "")
            mapped.problems.append(
                Problem(
                    mapped.table.file,
                    row.where,
                    question,
                    match.name,
                    reason(
                        "may be the member %(member)s of %(organisation)s, who gave graphapp another email: "
                        "confirm the match to update them (on the command line, --confirm-matches)",
                        member=match.member_name,
                        organisation=match.organisation,
                    ),
                )
            )
    return matches


def _keep_what_they_hold(
    tx: Tx,
    mapped: Mapped,
    reader: _Reader,
    topics: bool,
    workstreams: bool,
    only_listed: dict[str, set[str]],
) -> None:
    """A survey adds to a member's topics and workstreams: those they hold stay (at their level and role,
    unless a topic's own level question, or a list's own level, gives another level). A topic ticked in a
    list at its default level never lowers the level a member holds: the higher of the two is kept."""
    if not (topics or workstreams):
        return
    from graphapp.ingest.normalise import member_id

    ids: dict[str, RawRow] = {}
    for row in mapped.table.rows:
        given = row.values.get("id")
        email = normalise_email(str(row.values.get("email") or ""))
        member = given or (member_id(email) if email else None)
        if member:
            ids[member] = row
    held_topics: dict[str, dict[str, str]] = {}
    held_ws: dict[str, dict[str, str]] = {}
    for batch in batches(sorted(ids)):
        if topics:
            for r in RELS_FROM["INTERESTED_IN"].run(tx, ids=batch):
                node = reader.topics.nodes.get(r["target"])
                if node:
                    held_topics.setdefault(r["source"], {})[str(node["name"])] = str(
                        r.get("level") or "practising"
                    )
        if workstreams:
            for r in RELS_FROM["MEMBER_OF"].run(tx, ids=batch):
                held_ws.setdefault(r["source"], {})[str(r["target"])] = str(r.get("role") or "member")
    for member, row in ids.items():
        if topics and member in held_topics:
            given = {topic_key(t["name"]): t for t in row.values.get("topics", [])}
            listed = only_listed.get(row.where, set())
            for name, level in held_topics[member].items():
                key = topic_key(name)
                if key in given and key in listed and level in LEVELS:
                    given[key] = {**given[key], "level": _higher(level, given[key]["level"])}
            kept = [
                {"name": name, "level": level}
                for name, level in held_topics[member].items()
                if topic_key(name) not in given
            ]
            row.values["topics"] = kept + list(given.values())
        if workstreams and member in held_ws:
            from graphapp.ingest.records import workstream_key

            said = {workstream_key(w) for w in row.values.get("workstreams", [])}
            row.values["workstreams"] = [
                {"id": ws, "role": role}
                for ws, role in held_ws[member].items()
                if workstream_key(ws) not in said
            ] + list(row.values.get("workstreams", []))


@dataclass
class SurveyImport:
    """What importing a survey did (or, in a dry run, would do)."""

    plan: Plan
    mapped: Mapped


def plan_survey(
    tx: Tx, survey: Survey, mapping: Mapping, confirm: bool | Collection[str] = False
) -> SurveyImport:
    """Map the survey and plan its import; :class:`SurveyRejected` lists every problem, each pinned to
    the survey's row and question."""
    mapped = map_survey(tx, survey, mapping, confirm)
    try:
        plan = plan_import(tx, [mapped.table], new_topics=mapped.new_topics)
    except ImportRejected as e:
        raise SurveyRejected(mapped.problems + [mapped.pinned(p) for p in e.problems], mapped) from e
    if mapped.problems:
        raise SurveyRejected(mapped.problems, mapped)
    plan.files = [survey.file]
    return SurveyImport(plan, mapped)


def import_survey(
    store: Store,
    path: str | os.PathLike[str],
    mapping: Mapping,
    dry_run: bool = False,
    confirm: bool | Collection[str] = False,
    max_bytes: int | None = None,
) -> SurveyImport:
    """Read a survey export through ``mapping`` and import it like any import: checked whole, written in
    one transaction (unless ``dry_run``), recorded in the history, idempotent. Raises
    :class:`ImportRejected` (:class:`SurveyRejected` once the file was read)."""
    survey = read_survey(path, mapping.header_row, max_bytes)
    if dry_run:
        return store.read(plan_survey, survey, mapping, confirm)

    def plan_and_apply(tx: Tx) -> SurveyImport:
        done = plan_survey(tx, survey, mapping, confirm)
        apply_plan(tx, done.plan)
        return done

    return store.write(plan_and_apply)


# --- Saved mappings -----------------------------------------------------------------------------------


def _saved_id(tx: Tx, name: str) -> str | None:
    """The id of the mapping saved under ``name`` (the same once casefolded and its spacing collapsed),
    whatever id it was saved under (older versions saved under the name's slug), or None."""
    key = mapping_id(name)
    return next((str(r["id"]) for r in mappings(tx) if mapping_id(str(r["name"] or "")) == key), None)


def save_mapping(tx: Tx, mapping: Mapping) -> None:
    """Save ``mapping`` under its name (replacing the one saved under the same name, and never one saved
    under another name), in the history."""
    saved_as = _saved_id(tx, mapping.name)
    before = mapping_by_id(tx, saved_as) if saved_as else None
    if saved_as is None:
        saved_as, n = mapping.id, 1
        while mapping_by_id(tx, saved_as) is not None:  # (an older mapping's slug id: keep it)
            n += 1
            saved_as = f"{mapping.id} [{n}]"
    text = mapping.dumps()
    put_mapping(tx, saved_as, mapping.name, text, datetime.now(UTC).isoformat(), history.actor())
    history.record(
        tx,
        "mapping",
        subject=f"mapping:{saved_as}",
        summary=f"survey mapping {mapping.name} saved",
        before={"mapping": before["mapping"]} if before else {},
        after={"mapping": text},
    )
    tx.touched([])


def saved_mapping(tx: Tx, name: str) -> Mapping | None:
    """The mapping saved under ``name`` (or its id), or None."""
    found = _saved_id(tx, name)
    row = mapping_by_id(tx, found) if found else mapping_by_id(tx, name)
    return load_mapping(row["mapping"], row["name"]) if row else None


def header_of(path: str | os.PathLike[str], max_bytes: int | None = None) -> Survey:
    """The survey with its header guessed (for a first-guess mapping)."""
    return read_survey(path, None, max_bytes)

"""The query-string parameters of pages and the API, described once.

Each set of parameters is a marshmallow schema: its fields check every value against what it may be and
say in words which parameter is wrong and why (a :class:`BadRequest`, status 400), and flask-smorest
writes the OpenAPI document from the same schemas (see :mod:`graphapp.api`). Pages call the thin
functions at the end (``member_filter(request.args)``...), the API names the schemas in its decorators.

>>> view_args({"kind": "country", "value": "fra"})
View(kind='country', value='FRA', depth=1, aggregate='')
>>> page_args({"per_page": "500"})
Traceback (most recent call last):
graphapp.params.BadRequest: per_page must be between 1 and 100, not 500
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any, ClassVar

import marshmallow as ma

from graphapp.analytics.suggestions import MODES
from graphapp.contactmap import VIEW_KINDS, View
from graphapp.i18n import _, _l
from graphapp.queries.asks import ASK_KINDS, ASK_OUTCOMES, TEXT_LIMIT
from graphapp.queries.asks import NOTE_LIMIT as OFFER_NOTE_LIMIT
from graphapp.queries.coverage import M49_REGIONS
from graphapp.queries.history import KINDS as HISTORY_KINDS
from graphapp.queries.introductions import INTRODUCTION_KINDS
from graphapp.queries.introductions import NOTE_LIMIT as INTRODUCTION_NOTE_LIMIT
from graphapp.queries.members import MemberFilter
from graphapp.queries.schema import LEVELS
from graphapp.queries.subgraph import AGGREGATES, SUBGRAPH_KINDS
from graphapp.queries.workstreams import NOTE_LIMIT as PROGRESS_NOTE_LIMIT

__all__ = [
    "AnswerBody",
    "AreaCoverageArgs",
    "area_region_arg",
    "AskBody",
    "BadRequest",
    "CloseBody",
    "IntroductionBody",
    "MergeBody",
    "OrganisationChangeBody",
    "ProgressNoteBody",
    "ProgressNoteChangeBody",
    "TopicChangeBody",
    "load_body",
    "OfferBody",
    "DepthArgs",
    "HistoryArgs",
    "history_args",
    "MemberFilterArgs",
    "ModeArgs",
    "Param",
    "SuggestionArgs",
    "ViewArgs",
    "member_filter",
    "mode_arg",
    "page_args",
    "paging",
    "view_args",
]

MAX_PER_PAGE = 100

#: The body fields' refusals as marshmallow says them (in English), each with the message it was made
#: from and its values, so that :meth:`BadRequest.of` words it in the reader's language.
_SAID: dict[str, tuple[str, dict[str, Any]]] = {}


def _says(message: Any, **values: Any) -> str:
    """A body field's refusal, ``message`` marked with ``_l``: the English words marshmallow keeps (a
    str, made at import), remembered so that a page shows them in its reader's language."""
    msgid: str = message._args[0]  # (the English, untranslated: no request here)
    english = msgid % values if values else msgid
    _SAID[english] = (msgid, values)
    return english


class BadRequest(ValueError):
    """A request parameter that cannot be used, with the reason in words (shown to the user, status 400)."""

    @classmethod
    def of(cls, error: ma.ValidationError) -> BadRequest:
        """The first reason marshmallow gives (each names its parameter)."""
        messages: Any = error.messages
        while not isinstance(messages, str):
            messages = next(iter(messages.values())) if isinstance(messages, Mapping) else messages[0]
        said = _SAID.get(messages)
        if said is not None:  # (a body field's refusal: in the reader's language, English in the API)
            messages = _(said[0], **said[1])
        return cls(messages)


# Fields: a value from the query string, where empty means "not given" (what a form sends for a field left
# unset). Each knows its JSON Schema, which the OpenAPI document shows.


class Param(ma.fields.Field[Any]):  # (each kind of parameter loads its own type)
    """A query-string parameter: empty or absent gives the default; otherwise :meth:`parse` decides."""

    def __init__(self, description: str, default: Any) -> None:
        super().__init__(load_default=default, metadata={"description": description})

    @property
    def label(self) -> str:
        """The parameter's name as the query string writes it (what a refusal names)."""
        return self.data_key or self.name or ""

    def fail_with(self, reason: str) -> ma.ValidationError:
        """A refusal: ``reason`` is the whole sentence, naming the parameter (in the reader's language)."""
        return ma.ValidationError(str(reason))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value in (None, ""):
            return self.load_default
        return self.parse(str(value))

    def parse(self, value: str) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        """How the value is written, for the OpenAPI document."""
        raise NotImplementedError


class Text(Param):
    """Free text (an id, a code, part of a name), at most ``limit`` characters, spaces around dropped."""

    def __init__(self, description: str, limit: int = 200) -> None:
        super().__init__(description, "")
        self.limit = limit

    def parse(self, value: str) -> str:
        if len(value) > self.limit:
            raise self.fail_with(
                _(
                    "%(name)s is too long (%(count)s characters; at most %(limit)s)",
                    name=self.label,
                    count=len(value),
                    limit=self.limit,
                )
            )
        return value.strip()

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.limit}


class WholeNumber(Param):
    """A whole number from ``low`` to ``high``."""

    def __init__(self, description: str, default: int, low: int, high: int) -> None:
        super().__init__(description, default)
        self.low, self.high = low, high

    def parse(self, value: str) -> int:
        # As JSON Schema counts: 60.0 is a whole number (int() alone would also take " 1" and "1_0").
        whole = re.fullmatch(r"([+-]?[0-9]+)(?:\.0*)?", value)
        if not whole:
            raise self.fail_with(
                _("%(name)s must be a whole number, not %(value)s", name=self.label, value=repr(value))
            )
        number = int(whole[1])
        if not self.low <= number <= self.high:
            raise self.fail_with(
                _(
                    "%(name)s must be between %(low)s and %(high)s, not %(value)s",
                    name=self.label,
                    low=self.low,
                    high=self.high,
                    value=number,
                )
            )
        return number

    def json_schema(self) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "integer", "minimum": self.low, "maximum": self.high},
                {"type": "string", "maxLength": 0},
            ]
        }


class Choice(Param):
    """One of ``allowed``, written exactly."""

    def __init__(self, description: str, allowed: tuple[str, ...], default: str | bool = "") -> None:
        super().__init__(description, default)
        self.allowed = allowed

    def parse(self, value: str) -> str:
        if value not in self.allowed:
            raise self.fail_with(
                _(
                    "%(name)s must be one of %(allowed)s, not %(value)s",
                    name=self.label,
                    allowed=", ".join(self.allowed),
                    value=repr(value),
                )
            )
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": ["", *self.allowed]}


class Flag(Choice):
    """Yes or no: 1, true or yes; 0, false or no (absent: no)."""

    YES = ("1", "true", "yes")

    def __init__(self, description: str) -> None:
        super().__init__(description, (*self.YES, "0", "false", "no"), default=False)

    def parse(self, value: str) -> bool:  # type: ignore[override]
        return super().parse(value) in self.YES


class Day(Param):
    """A day, written YYYY-MM-DD."""

    def __init__(self, description: str) -> None:
        super().__init__(description, "")

    def parse(self, value: str) -> str:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise self.fail_with(
                _(
                    "%(name)s must be a day written YYYY-MM-DD, not %(value)s",
                    name=self.label,
                    value=repr(value),
                )
            )
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise self.fail_with(
                _("%(name)s is not a day of the calendar: %(value)s", name=self.label, value=repr(value))
            ) from None

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "anyOf": [{"format": "date"}, {"maxLength": 0}]}


# The sets of parameters.


class Args(ma.Schema):
    """Parameters of one request. Others in the query string are left alone (a page may take more)."""

    class Meta:
        unknown = ma.EXCLUDE

    #: What OpenAPI cannot say of separate parameters: JSON Schema rules between them. A set with rules is
    #: documented as one object parameter (``style: form, explode: true``: the same query string), whose
    #: schema holds the rules, so that a request the document allows is one the app accepts.
    rules: ClassVar[dict[str, Any]] = {}


@cache
def paging(default: int) -> type[Args]:
    """``page`` (from 1) and ``per_page`` (at most 100; ``default`` unless asked), loaded as the pair
    ``(page, per_page)``."""

    class Paging(Args):
        page = WholeNumber("Page number, from 1.", 1, 1, 1_000_000)
        per_page = WholeNumber("Items per page.", default, 1, MAX_PER_PAGE)

        @ma.post_load
        def pair(self, data: dict[str, int], **kwargs: Any) -> tuple[int, int]:
            return data["page"], data["per_page"]

    Paging.__name__ = Paging.__qualname__ = f"Paging{default}"
    return Paging


class MemberFilterArgs(Args):
    """The directory's filters, loaded as a :class:`MemberFilter`."""

    q = Text("Part of a member's name, any case.")
    topic = Text("A topic: its id, name or an alias, any case (e.g. record-linkage or Record Linkage).")
    level = Choice("A level of interest (with topic: on that topic).", LEVELS)
    workstream = Text("A workstream id, e.g. WS2.")
    organisation = Text("An organisation id.")
    country = Text("An ISO 3166-1 alpha-3 code, any case.")
    region = Choice("A UN M49 region.", M49_REGIONS)

    @ma.post_load
    def make(self, data: dict[str, str], **kwargs: Any) -> MemberFilter:
        return MemberFilter(**{**data, "country": data["country"].upper()})


class ViewArgs(Args):
    """Which part of the network: its kind, the value naming it (a country code in any case), the depth
    around a member, and whether to aggregate (loaded as a :class:`~graphapp.contactmap.View`)."""

    kind = Choice("Which part of the network.", VIEW_KINDS, "network")
    value = Text("The id of the topic, workstream, organisation or member, the country code or region.")
    depth = WholeNumber("For a member: hops around them.", 1, 1, 2)
    aggregate = Choice("Show organisations or topics as nodes (not around a member).", AGGREGATES)

    #: The whole network (what an empty or absent kind means), a part of it named by its value, or a
    #: member's neighbourhood, which is drawn person by person (never aggregated).
    rules: ClassVar[dict[str, Any]] = {
        "anyOf": [
            {"properties": {"kind": {"enum": ["", "network"]}}},
            {
                "properties": {"kind": {"enum": list(SUBGRAPH_KINDS)}, "value": {"pattern": r"\S"}},
                "required": ["kind", "value"],
            },
            {
                "properties": {
                    "kind": {"const": "member"},
                    "value": {"pattern": r"\S"},
                    "aggregate": {"const": ""},
                },
                "required": ["kind", "value"],
            },
        ]
    }

    @ma.post_load
    def make(self, data: dict[str, Any], **kwargs: Any) -> View:
        kind, value = data["kind"], data["value"]
        try:
            return View(
                kind=kind,
                value="" if kind == "network" else value.upper() if kind == "country" else value,
                depth=data["depth"],
                aggregate=data["aggregate"],
            )
        except ValueError as e:
            raise ma.ValidationError(str(e)) from None


class HistoryArgs(Args):
    """The history's filters: whose, what kind, by whom, between which days (both included), which import."""

    member = Text("A member's name (part of it, any case) or id.")
    kind = Choice("The kind of change.", tuple(HISTORY_KINDS))
    by = Text("Who made it, as the history writes it: account:<login>, cli:<user>, link:..., visitor.")
    since = Day("From this day on (UTC, YYYY-MM-DD).")
    until = Day("Up to and with this day (UTC, YYYY-MM-DD).")
    batch = Text("The changes of one import (the id its summary line links to).", 64)


class DepthArgs(Args):
    """How far around a member: ``depth`` 1 or 2."""

    depth = WholeNumber("Hops around the member.", 1, 1, 2)


class ModeArgs(Args):
    """Which kind of match a member's suggestions are: ``mode``."""

    mode = Choice("Which kind of match.", MODES, "all")


class SuggestionArgs(ModeArgs):
    """A member's suggestions, loaded as the keyword arguments of ``suggest_peers``."""

    limit = WholeNumber("How many.", 10, 1, 100)
    topic = Text("Only people holding this topic (its id, name or an alias, any case).")
    workstream = Text("Only people in this workstream.")
    region = Choice("Only people in this UN M49 region.", M49_REGIONS)
    include_known = Flag("Also people the member knows.")
    include_own_organisation = Flag("Also colleagues.")

    @ma.post_load
    def make(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {
            "limit": data["limit"],
            "mode": data["mode"],
            "exclude_known": not data["include_known"],
            "exclude_own_organisation": not data["include_own_organisation"],
            "topic": data["topic"] or None,
            "workstream": data["workstream"] or None,
            "region": data["region"] or None,
        }


# What pages call: the same schemas, a BadRequest on a value that cannot be used.


@cache
def _schema(kind: type[Args]) -> Args:
    return kind()


def load(kind: type[Args], args: Mapping[str, str]) -> Any:
    """The parameters ``kind`` describes, read from ``args`` (a query string)."""
    try:
        return _schema(kind).load(args)
    except ma.ValidationError as e:
        raise BadRequest.of(e) from None


def member_filter(args: Mapping[str, str]) -> MemberFilter:
    """The directory's filters (see :class:`MemberFilterArgs`)."""
    return load(MemberFilterArgs, args)  # type: ignore[no-any-return]


def page_args(args: Mapping[str, str], per_page: int = 25) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (at most 100)."""
    return load(paging(per_page), args)  # type: ignore[no-any-return]


def history_args(args: Mapping[str, str]) -> dict[str, str]:
    """The history's filters (see :class:`HistoryArgs`)."""
    return load(HistoryArgs, args)  # type: ignore[no-any-return]


def view_args(args: Mapping[str, str]) -> View:
    """Which part of the network (see :class:`ViewArgs`)."""
    return load(ViewArgs, args)  # type: ignore[no-any-return]


def mode_arg(args: Mapping[str, str]) -> str:
    """Which kind of match (one of :data:`~graphapp.analytics.suggestions.MODES`; all unless asked)."""
    return load(ModeArgs, args)["mode"]  # type: ignore[no-any-return]


# What the API's writes take, as JSON bodies (the pages' forms are read into the same schemas). Each
# message names its field, as the query-string parameters' do.

#: What counts as blank around or instead of text: the white space of Python's ``str.strip`` and of the
#: JSON Schema (ECMAScript) ``\s`` together, written out, so that the document and the app agree on what
#: "not empty" means (Python also counts the separators U+001C..U+001F and U+0085; ECMAScript U+FEFF).
BLANK = (
    " \t\n\r\f\v\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
#: Some text that is not only blank.
_SOMETHING = "[\\s\\S]*[^" + "".join(f"\\u{ord(c):04x}" for c in BLANK) + "][\\s\\S]*"


def tidy(text: str) -> str:
    """Text as it is kept: without blank around it, and with anything that is not Unicode text (a lone
    surrogate, which JSON can carry) replaced.

    >>> tidy("\\x1e  a note\\n"), tidy("\\ud800x")
    ('a note', '?x')
    """
    return text.encode("utf-8", "replace").decode("utf-8").strip(BLANK)


def _too_long(name: str, limit: int) -> str:
    """The refusal of text in field ``name`` longer than ``limit`` characters (see :func:`_says`)."""
    return _says(_l("%(name)s is too long (at most %(limit)s characters)"), name=name, limit=limit)


def _empty(name: str) -> str:
    """The refusal of field ``name`` left empty (see :func:`_says`)."""
    return _says(_l("%(name)s must not be empty"), name=name)


def _not_text(name: str) -> str:
    """The refusal of field ``name`` given something else than text (see :func:`_says`)."""
    return _says(_l("%(name)s must be text"), name=name)


def _text(name: str, description: str, limit: int, required: bool = True) -> ma.fields.String:
    checks: list[ma.validate.Validator] = [ma.validate.Length(max=limit, error=_too_long(name, limit))]
    if required:
        checks.append(ma.validate.Regexp(_SOMETHING, error=_empty(name)))
    options: dict[str, Any] = {"required": True} if required else {"load_default": ""}
    return ma.fields.String(
        **options,
        validate=checks,
        error_messages={
            "required": _says(_l("%(name)s is required"), name=name),
            "invalid": _says(_l("%(name)s must be text"), name=name),
        },
        metadata={"description": description},
    )


def _choice(name: str, description: str, allowed: tuple[str, ...], **options: Any) -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.OneOf(
            allowed,
            error=_says(_l("%(name)s must be one of %(allowed)s"), name=name, allowed=", ".join(allowed)),
        ),
        error_messages={
            "required": _says(_l("%(name)s is required"), name=name),
            "invalid": _says(_l("%(name)s must be text"), name=name),
        },
        metadata={"description": description},
        **options,
    )


class Body(ma.Schema):
    """A JSON body. Other fields are left alone; text is kept :func:`tidy`."""

    class Meta:
        unknown = ma.EXCLUDE

    @ma.post_load
    def tidied(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: tidy(v) if isinstance(v, str) else v for k, v in data.items()}


#: The most topics an ask may name.
ASK_TOPICS = 10


class AskBody(Body):
    """A new ask: what kind of issue, the text, and the topics it is on (topic ids)."""

    kind = _choice("kind", "What kind of issue.", ASK_KINDS, required=True)
    text = _text("text", "The issue, in a few sentences.", TEXT_LIMIT)
    topics = ma.fields.List(
        ma.fields.String(
            validate=ma.validate.Length(min=1, max=200, error=_says(_l("each topic is a topic id")))
        ),
        required=True,
        validate=ma.validate.Length(
            min=1,
            max=ASK_TOPICS,
            error=_says(_l("topics: pick from 1 to %(count)s topics"), count=ASK_TOPICS),
        ),
        error_messages={
            "required": _says(_l("topics: pick at least one topic")),
            "invalid": _says(_l("topics must be a list")),
        },
        metadata={"description": "Topic ids, e.g. record-linkage."},
    )


class OfferBody(Body):
    """An offer to help with an ask, with a short note to the asker."""

    note = _text("note", "A short note to the asker.", OFFER_NOTE_LIMIT, required=False)


class CloseBody(Body):
    """How an ask ends."""

    outcome = _choice("outcome", "Resolved, or withdrawn.", ASK_OUTCOMES, required=True)


class IntroductionBody(Body):
    """A request to be introduced to a member, with a short note only the two of you see."""

    to = _text("to", "The member's id.", 200)
    note = _text("note", "A short note to them: who you are and why.", INTRODUCTION_NOTE_LIMIT)
    kind = _choice(
        "kind",
        "Where it is asked from: a kind of suggestion, an ask, a profile.",
        INTRODUCTION_KINDS,
        load_default="profile",
    )
    ask = _text("ask", "With kind ask: the ask's id.", 200, required=False)


class AnswerBody(Body):
    """The answer to a request to be introduced."""

    answer = _choice("answer", "Accept or decline.", ("accept", "decline"), required=True)


def load_body(kind: type[ma.Schema], data: Mapping[str, Any]) -> Any:
    """A form or JSON body ``kind`` describes; a :class:`BadRequest` naming the field otherwise."""
    try:
        return kind().load(data)
    except ma.ValidationError as e:
        raise BadRequest.of(e) from None


# --- The network over time (the coverage page's "as it stood on", the growth CSV) -----------------------


class DateDay(Param):
    """A day, written YYYY-MM-DD, as a date (absent: None); :class:`Day` gives it as text, for filters."""

    def __init__(self, description: str) -> None:
        super().__init__(description, None)

    def parse(self, value: str) -> date:
        day = None
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                day = None
        if day is None:
            raise self.fail_with(
                _(
                    "%(name)s must be a day written YYYY-MM-DD, not %(value)s",
                    name=self.label,
                    value=repr(value),
                )
            )
        return day

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}


class AsOfArgs(Args):
    """``as_of``: the day whose network to report on, as it stood at the end of it (UTC)."""

    as_of = DateDay(
        "The network as it stood at the end of this day (UTC), rebuilt from the history; now unless given."
    )


class GrowthArgs(Args):
    """``by``: the growth of the whole network, or of each workstream or region."""

    by = Choice(
        "The whole network (unless given), or each workstream or region.",
        ("network", "workstream", "region"),
        "network",
    )


def as_of_arg(args: Mapping[str, str]) -> date | None:
    """The day asked for with ``as_of`` (see :class:`AsOfArgs`), or None."""
    return load(AsOfArgs, args)["as_of"]  # type: ignore[no-any-return]


def growth_by_arg(args: Mapping[str, str]) -> str:
    """How the growth is broken down (see :class:`GrowthArgs`)."""
    return load(GrowthArgs, args)["by"]  # type: ignore[no-any-return]


def _names(name: str, description: str) -> ma.fields.List[Any]:
    return ma.fields.List(
        ma.fields.String(
            validate=[
                ma.validate.Length(
                    max=200,
                    error=_says(_l("%(name)s: each is at most %(limit)s characters"), name=name, limit=200),
                ),
                ma.validate.Regexp(
                    _SOMETHING, error=_says(_l("%(name)s: each must not be empty"), name=name)
                ),
            ]
        ),
        load_default=list,
        validate=ma.validate.Length(
            max=50, error=_says(_l("%(name)s: at most %(count)s"), name=name, count=50)
        ),
        error_messages={"invalid": _says(_l("%(name)s must be a list of names"), name=name)},
        metadata={"description": description},
    )


class OrganisationChangeBody(Body):
    """Changes of one organisation, made in one transaction in this order: rename (the old name stays an
    alias), add aliases, remove aliases. Each field is optional."""

    name = ma.fields.String(
        validate=[
            ma.validate.Length(max=200, error=_too_long("name", 200)),
            ma.validate.Regexp(_SOMETHING, error=_empty("name")),
        ],
        error_messages={"invalid": _not_text("name")},
        metadata={"description": "The new name (the old one stays as an alias)."},
    )
    add_aliases = _names("add_aliases", "Other names to add (refused if one names another).")
    remove_aliases = _names("remove_aliases", "Other names to remove.")

    @ma.post_load
    def tidied(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: [tidy(x) for x in v] if isinstance(v, list) else tidy(v) for k, v in data.items()}


class TopicChangeBody(OrganisationChangeBody):
    """Changes of one topic, made in one transaction in this order: rename (the old name stays an alias),
    add aliases, remove aliases, describe, retire or put back in use. Each field is optional."""

    description = ma.fields.String(
        validate=ma.validate.Length(max=2000, error=_too_long("description", 2000)),
        error_messages={"invalid": _not_text("description")},
        metadata={"description": "What the topic covers (empty: none)."},
    )
    status = _choice("status", 'retired, or "" to put it back in use.', ("", "retired"))


class MergeBody(Body):
    """A merge of this topic or organisation into another."""

    into = _text("into", "The one to merge into: its id, name or an alias.", 200)
    dry_run = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only say what would move; write nothing."}
    )


# --- A workstream's progress notes (issue 14 §5: workstreams) --------------------------------------------


def _note_day() -> ma.fields.Date:
    return ma.fields.Date(
        error_messages={
            "invalid": _says(_l("date must be a day written YYYY-MM-DD")),
            "null": _says(_l("date must be a day")),
        },
        metadata={"description": "The day the progress is as of, YYYY-MM-DD (absent: today)."},
    )


def _note_text(required: bool) -> ma.fields.String:
    return ma.fields.String(
        required=required,
        validate=[
            ma.validate.Length(max=PROGRESS_NOTE_LIMIT, error=_too_long("text", PROGRESS_NOTE_LIMIT)),
            ma.validate.Regexp(_SOMETHING, error=_empty("text")),
        ],
        error_messages={
            "required": _says(_l("%(name)s is required"), name="text"),
            "invalid": _not_text("text"),
        },
        metadata={"description": "The progress, as plain text (blank lines part paragraphs)."},
    )


class ProgressNoteBody(Body):
    """A new progress note of a workstream: its day and its text."""

    date = _note_day()
    text = _note_text(required=True)


class ProgressNoteChangeBody(Body):
    """A change of a progress note: its day, its text, or both (a field left out is kept)."""

    date = _note_day()
    text = _note_text(required=False)


# --- Shared resources (issue 14 §4: the library; graphapp.library) ----------------------------------------

from graphapp.library import (  # noqa: E402 (the library's own block)
    DESCRIPTION_LIMIT,
    LINK,
    RESOURCE_TOPICS,
    TITLE_LIMIT,
    URL_LIMIT,
    languages,
)
from graphapp.queries.schema import RESOURCE_KINDS  # noqa: E402

#: The ISO 639-1 codes a resource's language may be (the group's own first).
LANGUAGE_CODES = tuple(code for code, _ in languages())


class ResourceFilterArgs(Args):
    """The resources' filters (each optional)."""

    topic = Text("A topic: its id, name or an alias, any case (e.g. record-linkage).")
    kind = Choice("What kind of resource.", RESOURCE_KINDS)
    language = Choice("An ISO 639-1 language code, e.g. en.", LANGUAGE_CODES)
    workstream = Text("A workstream id, e.g. WS2.")


def _resource_link(required: bool) -> ma.fields.String:
    return ma.fields.String(
        required=required,
        validate=[
            ma.validate.Length(
                max=URL_LIMIT,
                error=_says(
                    _l("%(name)s is too long (at most %(limit)s characters)"), name="url", limit=URL_LIMIT
                ),
            ),
            ma.validate.Regexp(
                LINK,
                error=_says(
                    _l("url must be a link starting with http:// or https://, e.g. https://example.org/guide")
                ),
            ),
        ],
        error_messages={
            "required": _says(_l("%(name)s is required"), name="url"),
            "invalid": _says(_l("%(name)s must be text"), name="url"),
        },
        metadata={"description": "Its public link (http or https)."},
    )


def _resource_topics(required: bool) -> ma.fields.List[Any]:
    return ma.fields.List(
        ma.fields.String(
            validate=[
                ma.validate.Length(
                    max=200, error=_says(_l("topics: each is at most %(limit)s characters"), limit=200)
                ),
                ma.validate.Regexp(_SOMETHING, error=_says(_l("topics: each must not be empty"))),
            ]
        ),
        required=required,
        validate=ma.validate.Length(
            min=1,
            max=RESOURCE_TOPICS,
            error=_says(_l("topics: name from 1 to %(count)s topics"), count=RESOURCE_TOPICS),
        ),
        error_messages={
            "required": _says(_l("topics: name at least one topic")),
            "invalid": _says(_l("topics must be a list")),
        },
        metadata={"description": "Its topics: each an id, name or alias (any case)."},
    )


class ResourceBody(Body):
    """A resource to share: title, link, kind, language, topics; a workstream and a description if any."""

    title = _text("title", "Its title.", TITLE_LIMIT)
    url = _resource_link(required=True)
    kind = _choice("kind", "What kind of resource.", RESOURCE_KINDS, required=True)
    language = _choice("language", "Its language: an ISO 639-1 code, e.g. en.", LANGUAGE_CODES, required=True)
    topics = _resource_topics(required=True)
    workstream = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=50, error=_too_long("workstream", 50)),
        error_messages={"invalid": _not_text("workstream")},
        metadata={"description": 'The workstream it is for, e.g. WS2 ("" or absent: none).'},
    )
    description = _text("description", "What it is, in a few words.", DESCRIPTION_LIMIT, required=False)

    @ma.post_load
    def tidied(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: [tidy(x) for x in v] if isinstance(v, list) else tidy(v) for k, v in data.items()}


class ResourceChangeBody(Body):
    """Changes of a resource: each field optional, as in :class:`ResourceBody`."""

    title = ma.fields.String(
        validate=[
            ma.validate.Length(max=TITLE_LIMIT, error=_too_long("title", TITLE_LIMIT)),
            ma.validate.Regexp(_SOMETHING, error=_empty("title")),
        ],
        error_messages={"invalid": _not_text("title")},
        metadata={"description": "Its title."},
    )
    url = _resource_link(required=False)
    kind = _choice("kind", "What kind of resource.", RESOURCE_KINDS)
    language = _choice("language", "Its language: an ISO 639-1 code.", LANGUAGE_CODES)
    topics = _resource_topics(required=False)
    workstream = ma.fields.String(
        validate=ma.validate.Length(max=50, error=_too_long("workstream", 50)),
        error_messages={"invalid": _not_text("workstream")},
        metadata={"description": 'The workstream it is for ("": none).'},
    )
    description = ma.fields.String(
        validate=ma.validate.Length(max=DESCRIPTION_LIMIT, error=_too_long("description", DESCRIPTION_LIMIT)),
        error_messages={"invalid": _not_text("description")},
        metadata={"description": 'What it is ("": nothing).'},
    )

    @ma.post_load
    def tidied(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: [tidy(x) for x in v] if isinstance(v, list) else tidy(v) for k, v in data.items()}


# --- Projects (issue 14 §1: the projects part) -----------------------------------------------------------

from graphapp.queries.schema import STAGES  # noqa: E402  (kept with the block that uses it)


class ProjectFilterArgs(Args):
    """The projects list's filters: a stage, a topic (id, name or alias), an organisation, a workstream."""

    stage = Choice("Only projects at this stage.", STAGES)
    topic = Text("Only projects on this topic: its id, name or an alias, any case.")
    organisation = Text("Only projects run by this organisation (its id).")
    workstream = Text("Only projects in this workstream (its id, e.g. WS1).")


def project_filter(args: Mapping[str, str]) -> dict[str, str]:
    """The projects list's filters (see :class:`ProjectFilterArgs`)."""
    return load(ProjectFilterArgs, args)  # type: ignore[no-any-return]


#: A day of the calendar written YYYY-MM-DD (from the year 1; 29 February in leap years only), or nothing
#: (not reached, or not known): exactly the days the app accepts, so that the document says what it does.
_YEAR = "(?!0000)[0-9]{4}"
_LEAP = "([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)"
_DAY_OR_NOTHING = (
    f"^({_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|{_YEAR}-(0[13-9]|1[0-2])-(29|30)"
    f"|{_YEAR}-(0[13578]|1[02])-31|{_LEAP}-02-29)?$"
)
#: A public link: http or https, with no blank in it (the blanks of :data:`BLANK`, as the document says).
_LINK = (
    "^([hH][tT][tT][pP][sS]?://[^"
    + "".join(f"\\u{ord(c):04x}" for c in BLANK)
    + "/?#]+[^"
    + "".join(f"\\u{ord(c):04x}" for c in BLANK)
    + "]*)?$"
)


def _project_text(name: str, description: str, limit: int) -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.Length(max=limit, error=_too_long(name, limit)),
        error_messages={"invalid": _not_text(name)},
        metadata={"description": description},
    )


def _stage_day(stage: str) -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.Regexp(
            _DAY_OR_NOTHING,
            error=_says(_l("%(name)s must be a day written YYYY-MM-DD (or empty)"), name=f"days.{stage}"),
        ),
        error_messages={"invalid": _not_text(f"days.{stage}")},
        metadata={"description": f"The day it reached {stage} (empty: not reached, or not known)."},
    )


class StageDays(Body):
    """The day each stage was reached."""

    idea = _stage_day("idea")
    demonstration = _stage_day("demonstration")
    production = _stage_day("production")
    maintenance = _stage_day("maintenance")


class ProjectMember(Body):
    """One of a project's members and their role in it."""

    member = _text("member", "The member: their id, email or name as in the directory.", 200)
    role = _text("role", "What they do in the project, e.g. lead, data scientist.", 100)


def _project_link(name: str, description: str) -> ma.fields.String:
    return ma.fields.String(
        validate=[
            ma.validate.Length(max=2000, error=_too_long(name, 2000)),
            ma.validate.Regexp(
                _LINK, error=_says(_l("%(name)s: only a public http:// or https:// link"), name=name)
            ),
        ],
        error_messages={"invalid": _not_text(name)},
        metadata={"description": description},
    )


class ProjectChangeBody(Body):
    """Changes to a project: each field is optional (absent: as it is). ``days`` gives stages one by one;
    ``members``, when given, is the whole list."""

    title = ma.fields.String(
        validate=[
            ma.validate.Length(max=200, error=_too_long("title", 200)),
            ma.validate.Regexp(_SOMETHING, error=_empty("title")),
        ],
        error_messages={"invalid": _not_text("title")},
        metadata={"description": "The project's title."},
    )
    description = _project_text("description", "What it does, in a few sentences.", 5000)
    organisation = _project_text(
        "organisation", "The organisation running it: its id or name (empty: none).", 200
    )
    workstream = _project_text("workstream", "The workstream it belongs to, e.g. WS1 (empty: none).", 200)
    domain = _project_text(
        "domain", "The GSBPM sub-process it serves: its code or name, e.g. 5.4 (empty: none).", 200
    )
    stage = _choice("stage", "The furthest stage of the journey it reached.", STAGES)
    days = ma.fields.Nested(StageDays, metadata={"description": "The day each stage was reached."})
    topics = ma.fields.List(
        ma.fields.String(
            validate=ma.validate.Length(min=1, max=200, error=_says(_l("each topic is a topic's name or id")))
        ),
        validate=ma.validate.Length(
            max=20, error=_says(_l("%(name)s: at most %(count)s"), name="topics", count=20)
        ),
        error_messages={"invalid": _says(_l("topics must be a list"))},
        metadata={"description": "Its topics, each by id, name or alias."},
    )
    report = _project_link("report", "A public link to its report (http or https; empty: none).")
    code = _project_link("code", "A public link to its code (http or https; empty: none).")
    members = ma.fields.List(
        ma.fields.Nested(ProjectMember),
        validate=ma.validate.Length(
            max=100, error=_says(_l("%(name)s: at most %(count)s"), name="members", count=100)
        ),
        error_messages={"invalid": _says(_l("%(name)s must be a list"), name="members")},
        metadata={"description": "Its members and their roles (when given: the whole list)."},
    )


class ProjectBody(ProjectChangeBody):
    """A new project. A member adding one becomes one of its members, with ``role``."""

    title = _text("title", "The project's title.", 200)
    role = _project_text(
        "role", "Your role in it (a member adding a project becomes one of its members).", 100
    )


# --- Coverage by competence area and region (issue 14 §3, rollup) -------------------------------------------


class AreaCoverageArgs(Args):
    """``region``: one UN M49 region's column only (beside the network's)."""

    region = Choice(
        "Only this UN M49 region (beside the whole network); every region unless given.", M49_REGIONS
    )


def area_region_arg(args: Mapping[str, str]) -> str:
    """The region asked for with ``region`` (see :class:`AreaCoverageArgs`), or "" for every region."""
    return load(AreaCoverageArgs, args)["region"]  # type: ignore[no-any-return]

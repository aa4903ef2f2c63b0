"""Row-level validation: raw rows become typed records, or problems naming file, row, column and value.

Everything here is checked without the database; references between records (topics, organisations,
workstreams, contacts) are resolved later, in :mod:`graphapp.ingest.plan`, against what the graph already holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from graphapp.ingest.normalise import (
    country_suggestion,
    lookup_country,
    member_id,
    normalise_email,
    split_list,
    topic_key,
    valid_id,
)
from graphapp.ingest.problems import Problem
from graphapp.ingest.readers import RawRow
from graphapp.queries.schema import (
    EMAIL_VISIBILITY,
    LEVELS,
    ORGANISATION_KINDS,
    SUGGESTIBLE,
    WORKSTREAM_ROLES,
)

DEFAULT_LEVEL = "practising"
DEFAULT_ROLE = "member"
LEVEL_SPELLINGS = {
    "learning": "learning",
    "practising": "practising",
    "practicing": "practising",
    "expert": "expert",
}


@dataclass
class Source:
    """Where a record came from, to point at it in a problem."""

    file: str
    where: str

    def problem(self, column: str, value: Any, reason: str) -> Problem:
        text = (
            "; ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))
        )
        return Problem(self.file, self.where, column, text, reason)


@dataclass
class OrganisationRecord:
    source: Source
    present: frozenset[str]
    id: str | None
    name: str
    kind: str | None
    country: str | None
    region: str | None
    subregion: str | None
    aliases: list[str]


@dataclass
class TopicRecord:
    source: Source
    present: frozenset[str]
    id: str | None
    name: str
    aliases: list[str]


@dataclass
class WorkstreamRecord:
    source: Source
    present: frozenset[str]
    id: str
    name: str
    description: str | None
    covers: list[str]


@dataclass
class Interest:
    topic: str  # as written; resolved to a topic id later
    level: str


@dataclass
class MemberRecord:
    source: Source
    present: frozenset[str]
    id: str
    name: str
    email: str | None
    title: str | None
    country: str | None
    region: str | None
    subregion: str | None
    organisation: str | None
    organisation_kind: str | None
    email_visibility: str | None = None  # the member's consent, when the file says it
    suggestible: str | None = None
    joined: str | None = (
        None  # when they joined the network (ISO date), for members who joined before graphapp
    )
    interests: list[Interest] = field(default_factory=list)
    workstreams: list[tuple[str, str]] = field(default_factory=list)  # (workstream as written, role)
    knows: list[str] = field(default_factory=list)  # emails, normalised


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | dict):
        return None
    text = " ".join(str(value).split())
    return text or None


def _present(row: RawRow) -> frozenset[str]:
    return frozenset(row.values)


def _country(src: Source, value: Any, problems: list[Problem]) -> tuple[str | None, str | None, str | None]:
    text = _text(value)
    if text is None:
        return None, None, None
    country = lookup_country(text)
    if country is None:
        problems.append(src.problem("country", text, f"is not a country; {country_suggestion(text)}"))
        return None, None, None
    return country.alpha3, country.region, country.subregion


def _kind(src: Source, column: str, value: Any, problems: list[Problem]) -> str | None:
    text = _text(value)
    if text is None:
        return None
    by_lower = {k.lower(): k for k in ORGANISATION_KINDS}
    kind = by_lower.get(text.lower())
    if kind is None:
        problems.append(
            src.problem(column, text, f"is not a kind of organisation; use {', '.join(ORGANISATION_KINDS)}")
        )
    return kind


def _one_of(
    src: Source, column: str, value: Any, allowed: tuple[str, ...], problems: list[Problem]
) -> str | None:
    """A value from a short list, any case; a problem naming the choices otherwise."""
    text = _text(value)
    if text is None:
        return None
    if text.lower() not in allowed:
        problems.append(src.problem(column, text, f"must be one of {', '.join(allowed)}"))
        return None
    return text.lower()


def _joined(src: Source, value: Any, problems: list[Problem], today: date | None = None) -> str | None:
    """When a member joined the network, as an ISO date: ``YYYY-MM-DD``, or ``YYYY-MM`` (the month's first
    day; a spreadsheet's date cell is taken as it is). Not in the future.

    >>> found: list[Problem] = []
    >>> s = Source("m.csv", "row 2")
    >>> _joined(s, "2021-03", found), _joined(s, " 2022-11-30 ", found), _joined(s, "", found), found
    ('2021-03-01', '2022-11-30', None, [])
    >>> _joined(s, "31/01/2022", found), _joined(s, "2999-01-01", found, today=date(2026, 1, 1))
    (None, None)
    >>> [p.reason for p in found]
    ['is not a date: write it as YYYY-MM-DD (or YYYY-MM for a month)', 'is in the future (today is 2026-01-01)']
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day: date | None = value
        text = value.isoformat()
    else:
        given = _text(value)
        if given is None:
            return None
        text, day = given, None
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                day = date.fromisoformat(text)
            elif re.fullmatch(r"\d{4}-\d{2}", text):
                day = date.fromisoformat(text + "-01")
        except ValueError:
            day = None
    if day is None:
        problems.append(
            src.problem("joined", text, "is not a date: write it as YYYY-MM-DD (or YYYY-MM for a month)")
        )
        return None
    today = today or datetime.now(UTC).date()
    if day > today:
        problems.append(src.problem("joined", text, f"is in the future (today is {today.isoformat()})"))
        return None
    return day.isoformat()


def _given_id(src: Source, value: Any, problems: list[Problem]) -> str | None:
    text = _text(value)
    if text is not None and not valid_id(text):
        problems.append(
            src.problem("id", text, "is not a valid id: use letters, digits, '.', '_' and '-', no spaces")
        )
        return None
    return text


def _required_text(src: Source, row: RawRow, column: str, problems: list[Problem]) -> str:
    text = _text(row.values.get(column))
    if text is None:
        problems.append(src.problem(column, row.values.get(column), "is empty: every row needs one"))
        return ""
    return text


def parse_organisation(row: RawRow, problems: list[Problem]) -> OrganisationRecord:
    src = Source(row.file, row.where)
    country, region, subregion = _country(src, row.values.get("country"), problems)
    return OrganisationRecord(
        source=src,
        present=_present(row),
        id=_given_id(src, row.values.get("id"), problems),
        name=_required_text(src, row, "name", problems),
        kind=_kind(src, "kind", row.values.get("kind"), problems),
        country=country,
        region=region,
        subregion=subregion,
        aliases=split_list(row.values.get("aliases")),
    )


def parse_topic(row: RawRow, problems: list[Problem]) -> TopicRecord:
    src = Source(row.file, row.where)
    return TopicRecord(
        source=src,
        present=_present(row),
        id=_given_id(src, row.values.get("id"), problems),
        name=_required_text(src, row, "name", problems),
        aliases=[" ".join(a.split()) for a in split_list(row.values.get("aliases"))],
    )


def parse_workstream(row: RawRow, problems: list[Problem]) -> WorkstreamRecord:
    src = Source(row.file, row.where)
    ws_id = _given_id(src, row.values.get("id"), problems)
    if _text(row.values.get("id")) is None:
        problems.append(src.problem("id", None, "is empty: every workstream needs an id such as WS1"))
    return WorkstreamRecord(
        source=src,
        present=_present(row),
        id=workstream_key(ws_id or ""),
        name=_required_text(src, row, "name", problems),
        description=_text(row.values.get("description")),
        covers=[" ".join(c.split()) for c in split_list(row.values.get("covers"))],
    )


def workstream_key(text: str) -> str:
    """Workstream ids are matched without regard to case, spaces, hyphens or underscores.

    >>> workstream_key("ws 7"), workstream_key("WS-2")
    ('WS7', 'WS2')
    """
    return "".join(ch for ch in text.upper() if ch not in " -_")


def parse_member(row: RawRow, problems: list[Problem]) -> MemberRecord:
    src = Source(row.file, row.where)
    values = row.values
    raw_email = _text(values.get("email"))
    email = None
    if raw_email is not None:
        email = normalise_email(raw_email)
        if email is None:
            problems.append(src.problem("email", raw_email, "is not an email address"))
    given = _given_id(src, values.get("id"), problems)
    if given is None and raw_email is None and _text(values.get("id")) is None:
        problems.append(src.problem("email", None, "is empty: a member needs an email (or an id)"))
    country, region, subregion = _country(src, values.get("country"), problems)
    record = MemberRecord(
        source=src,
        present=_present(row),
        id=given or (member_id(email) if email else ""),
        name=_required_text(src, row, "name", problems),
        email=email,
        title=_text(values.get("title")),
        country=country,
        region=region,
        subregion=subregion,
        organisation=_text(values.get("organisation")),
        organisation_kind=_kind(src, "organisation_kind", values.get("organisation_kind"), problems),
        email_visibility=_one_of(
            src, "email_visibility", values.get("email_visibility"), EMAIL_VISIBILITY, problems
        ),
        suggestible=_one_of(src, "suggestible", values.get("suggestible"), SUGGESTIBLE, problems),
        joined=_joined(src, values.get("joined"), problems),
    )
    record.interests = _interests(src, values.get("topics"), problems)
    record.workstreams = _workstreams(src, values.get("workstreams"), problems)
    for item in split_list(values.get("knows")):
        contact = normalise_email(item)
        if contact is None:
            problems.append(src.problem("knows", item, "is not an email address"))
        elif contact == email:
            problems.append(src.problem("knows", item, "is the member's own email"))
        else:
            record.knows.append(contact)
    return record


def _split_level(
    src: Source, column: str, item: Any, words: dict[str, str], default: str, problems: list[Problem]
) -> tuple[str, str] | None:
    """``"record linkage:expert"`` -> ("record linkage", "expert"); JSON may give {"name":..., "level":...}."""
    if isinstance(item, dict):
        name = _text(item.get("name") or item.get("topic") or item.get("id"))
        qualifier = _text(item.get("level") or item.get("role"))
    else:
        text = str(item)
        name, sep, qualifier = text.rpartition(":")
        if not sep:
            name, qualifier = text, None
        name = _text(name)
        qualifier = _text(qualifier)
    if not name:
        problems.append(src.problem(column, item, "has an entry with no name"))
        return None
    if qualifier is None:
        return name, default
    word = words.get(qualifier.lower())
    if word is None:
        allowed = ", ".join(sorted(set(words.values()), key=list(words.values()).index))
        problems.append(src.problem(column, item, f"has '{qualifier}' after the colon; use {allowed}"))
        return None
    return name, word


def _interests(src: Source, value: Any, problems: list[Problem]) -> list[Interest]:
    interests: dict[str, Interest] = {}
    for item in value if isinstance(value, list) else split_list(value):
        parsed = _split_level(src, "topics", item, LEVEL_SPELLINGS, DEFAULT_LEVEL, problems)
        if parsed is None:
            continue
        name, level = parsed
        key = topic_key(name)
        if key in interests and interests[key].level != level:
            problems.append(src.problem("topics", value, f"lists '{name}' twice with different levels"))
        interests[key] = Interest(name, level)
    return list(interests.values())


def _workstreams(src: Source, value: Any, problems: list[Problem]) -> list[tuple[str, str]]:
    result: dict[str, str] = {}
    for item in value if isinstance(value, list) else split_list(value):
        parsed = _split_level(
            src, "workstreams", item, {r: r for r in WORKSTREAM_ROLES}, DEFAULT_ROLE, problems
        )
        if parsed is None:
            continue
        ws, role = parsed
        key = workstream_key(ws)
        if key in result and result[key] != role:
            problems.append(src.problem("workstreams", value, f"lists {key} twice with different roles"))
        result[key] = role
    return list(result.items())


assert set(LEVEL_SPELLINGS.values()) == set(LEVELS)

"""Row-level validation: raw rows become typed records, or problems naming file, row, column and value.

Everything here is checked without the database; references between records (topics, organisations,
workstreams, contacts) are resolved later, in :mod:`graphapp.ingest.plan`, against what the graph already holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from graphapp.ingest.gsbpm import PHASES, domain_code
from graphapp.ingest.normalise import (
    country_suggestion,
    lookup_country,
    member_id,
    normalise_email,
    project_id,
    public_link,
    split_list,
    topic_key,
    valid_id,
)
from graphapp.ingest.problems import Problem, reason
from graphapp.ingest.readers import STAGE_COLUMNS, RawRow
from graphapp.queries.schema import (
    EMAIL_VISIBILITY,
    LEVELS,
    ORGANISATION_KINDS,
    RESOURCE_KINDS,
    STAGES,
    SUGGESTIBLE,
    THEME_KINDS,
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
    name_fr: str | None = None  # the optional translated names (shown to readers of that language)
    name_ru: str | None = None


@dataclass
class TopicRecord:
    source: Source
    present: frozenset[str]
    id: str | None
    name: str
    aliases: list[str]
    themes: list[str] = field(default_factory=list)  # theme ids or names, as written
    name_fr: str | None = None  # the optional translated names (shown to readers of that language)
    name_ru: str | None = None


@dataclass
class WorkstreamRecord:
    source: Source
    present: frozenset[str]
    id: str
    name: str
    description: str | None
    covers: list[str]
    #: The themes it serves, as written, each with the stages it takes in it (empty: every stage).
    serves: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


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
        problems.append(src.problem("country", text, country_suggestion(text)))
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
            src.problem(
                column,
                text,
                reason(
                    "is not a kind of organisation; use %(allowed)s", allowed=", ".join(ORGANISATION_KINDS)
                ),
            )
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
        problems.append(
            src.problem(column, text, reason("must be one of %(allowed)s", allowed=", ".join(allowed)))
        )
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
    return _day(src, "joined", value, problems, today, month=True)


def _given_id(src: Source, value: Any, problems: list[Problem]) -> str | None:
    text = _text(value)
    if text is not None and not valid_id(text):
        problems.append(
            src.problem(
                "id", text, reason("is not a valid id: use letters, digits, '.', '_' and '-', no spaces")
            )
        )
        return None
    return text


def _required_text(src: Source, row: RawRow, column: str, problems: list[Problem]) -> str:
    text = _text(row.values.get(column))
    if text is None:
        problems.append(src.problem(column, row.values.get(column), reason("is empty: every row needs one")))
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
        name_fr=_text(row.values.get("name_fr")),
        name_ru=_text(row.values.get("name_ru")),
    )


def parse_topic(row: RawRow, problems: list[Problem]) -> TopicRecord:
    src = Source(row.file, row.where)
    return TopicRecord(
        source=src,
        present=_present(row),
        id=_given_id(src, row.values.get("id"), problems),
        name=_required_text(src, row, "name", problems),
        aliases=[" ".join(a.split()) for a in split_list(row.values.get("aliases"))],
        themes=[" ".join(t.split()) for t in split_list(row.values.get("themes"))],
        name_fr=_text(row.values.get("name_fr")),
        name_ru=_text(row.values.get("name_ru")),
    )


def parse_workstream(row: RawRow, problems: list[Problem]) -> WorkstreamRecord:
    src = Source(row.file, row.where)
    ws_id = _given_id(src, row.values.get("id"), problems)
    if _text(row.values.get("id")) is None:
        problems.append(src.problem("id", None, reason("is empty: every workstream needs an id such as WS1")))
    return WorkstreamRecord(
        source=src,
        present=_present(row),
        id=workstream_key(ws_id or ""),
        name=_required_text(src, row, "name", problems),
        description=_text(row.values.get("description")),
        covers=[" ".join(c.split()) for c in split_list(row.values.get("covers"))],
        serves=_serves(src, row.values.get("serves"), problems),
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
            problems.append(src.problem("email", raw_email, reason("is not an email address")))
    given = _given_id(src, values.get("id"), problems)
    if given is None and raw_email is None and _text(values.get("id")) is None:
        problems.append(src.problem("email", None, reason("is empty: a member needs an email (or an id)")))
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
            problems.append(src.problem("knows", item, reason("is not an email address")))
        elif contact == email:
            problems.append(src.problem("knows", item, reason("is the member's own email")))
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
        problems.append(src.problem(column, item, reason("has an entry with no name")))
        return None
    if qualifier is None:
        return name, default
    word = words.get(qualifier.lower())
    if word is None:
        allowed = ", ".join(sorted(set(words.values()), key=list(words.values()).index))
        problems.append(
            src.problem(
                column,
                item,
                reason("has '%(word)s' after the colon; use %(allowed)s", word=qualifier, allowed=allowed),
            )
        )
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
            problems.append(
                src.problem(
                    "topics", value, reason("lists '%(name)s' twice with different levels", name=name)
                )
            )
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
            problems.append(
                src.problem(
                    "workstreams", value, reason("lists %(name)s twice with different roles", name=key)
                )
            )
        result[key] = role
    return list(result.items())


# --- The journey (issue 14): themes, projects, resources -----------------------------------------------


@dataclass
class ThemeRecord:
    source: Source
    present: frozenset[str]
    id: str | None  # as given (None: the theme its name names, or a slug of the name)
    name: str
    description: str | None
    kind: str | None
    position: str | None  # zero-padded, so that themes sort as the file lists them


@dataclass
class ProjectRecord:
    source: Source
    present: frozenset[str]
    id: str
    title: str
    description: str | None
    organisation: str | None
    #: (member as written: an email, normalised, or an id; role or None)
    members: list[tuple[str, str | None]]
    topics: list[str]
    workstream: str | None
    domain: str | None
    stage: str | None  # as given (None: the dates say it, the column is absent, or it is not a stage)
    stage_written: bool  # whether the cell held anything (a stage, or something refused)
    dates: dict[str, str | None]  # stage -> ISO day, for the stage columns the file has
    report: str | None
    code: str | None
    id_given: bool = False  # (False: the id is the title's, which another organisation's project may hold)


@dataclass
class ResourceRecord:
    source: Source
    present: frozenset[str]
    id: str | None  # as given (None: the resource that holds its link, or the id its link gives)
    title: str
    url: str | None
    kind: str | None
    language: str | None
    topics: list[str]
    workstream: str | None
    shared_by: str | None  # an email (normalised) or a member id
    description: str | None
    added: str | None


def _serves(src: Source, value: Any, problems: list[Problem]) -> list[tuple[str, tuple[str, ...]]]:
    """``quality; training data (demonstration, production)``: the themes a workstream serves, each with
    the stages of the journey it takes in it (none written: every stage).

    >>> found: list[Problem] = []
    >>> _serves(Source("w.csv", "row 2"), "quality; training data (Production, demonstration)", found)
    [('quality', ()), ('training data', ('demonstration', 'production'))]
    >>> _serves(Source("w.csv", "row 2"), "quality (pilot)", found), found[0].reason
    ([], "has 'pilot' in brackets; stages are idea, demonstration, production, maintenance")
    """
    served: list[tuple[str, tuple[str, ...]]] = []
    for item in value if isinstance(value, list) else split_list(value):
        if isinstance(item, dict):
            theme = _text(item.get("theme") or item.get("name") or item.get("id")) or ""
            given = item.get("stages") or []
            words = given if isinstance(given, list) else str(given).split(",")
        else:
            text = str(item)
            match = re.fullmatch(r"\s*([^()]*?)\s*(?:\(([^()]*)\))?\s*", text)
            if match is None:
                problems.append(
                    src.problem(
                        "serves", text, reason("is not 'theme' or 'theme (stage, stage)': check the brackets")
                    )
                )
                continue
            theme, words = match.group(1), (match.group(2) or "").split(",")
        if not theme:
            problems.append(src.problem("serves", item, reason("has an entry with no theme")))
            continue
        stages: set[str] = set()
        for word in (str(w).strip().lower() for w in words):
            if not word:
                continue
            if word not in STAGES:
                problems.append(
                    src.problem(
                        "serves",
                        item,
                        reason(
                            "has '%(word)s' in brackets; stages are %(allowed)s",
                            word=word,
                            allowed=", ".join(STAGES),
                        ),
                    )
                )
                break
            stages.add(word)
        else:
            served.append((" ".join(theme.split()), tuple(s for s in STAGES if s in stages)))
    return served


def parse_theme(row: RawRow, problems: list[Problem]) -> ThemeRecord:
    src = Source(row.file, row.where)
    name = _required_text(src, row, "name", problems)
    given = _given_id(src, row.values.get("id"), problems)
    position = _text(row.values.get("position"))
    if position is not None:
        if position.isdigit() and len(position) <= 6:
            position = position.zfill(3)
        else:
            problems.append(src.problem("position", position, reason("is not a whole number (1, 2, 3 ...)")))
            position = None
    return ThemeRecord(
        source=src,
        present=_present(row),
        id=given,
        name=name,
        description=_text(row.values.get("description")),
        kind=_one_of(src, "kind", row.values.get("kind"), THEME_KINDS, problems),
        position=position,
    )


#: What an import says of a link that is not a public web link.
NOT_A_LINK = reason("is not a public web link: write it in full, starting with https:// (or http://)")


def _web_link(src: Source, column: str, value: Any, problems: list[Problem]) -> str | None:
    """A public web link: ``http`` or ``https`` with a host; anything else (``javascript:``, ``file:``, a
    bare word) is a problem.

    >>> found: list[Problem] = []
    >>> s = Source("p.csv", "row 2")
    >>> _web_link(s, "code", " https://example.org/x ", found), _web_link(s, "code", "javascript:alert(1)", found)
    ('https://example.org/x', None)
    >>> found[0].reason
    'is not a public web link: write it in full, starting with https:// (or http://)'
    """
    text = _text(value)
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
        problems.append(
            src.problem(
                column,
                text,
                NOT_A_LINK,
            )
        )
        return None
    return text


def _day(
    src: Source,
    column: str,
    value: Any,
    problems: list[Problem],
    today: date | None = None,
    month: bool = False,
) -> str | None:
    """An ISO day (``YYYY-MM-DD``; a spreadsheet's date cell as it is; with ``month``, ``YYYY-MM`` too,
    the month's first day), not in the future."""
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
            elif month and re.fullmatch(r"\d{4}-\d{2}", text):
                day = date.fromisoformat(text + "-01")
        except ValueError:
            day = None
    if day is None:
        why = (
            reason("is not a date: write it as YYYY-MM-DD (or YYYY-MM for a month)")
            if month
            else reason("is not a date: write it as YYYY-MM-DD")
        )
        problems.append(src.problem(column, text, why))
        return None
    today = today or datetime.now(UTC).date()
    if day > today:
        problems.append(
            src.problem(
                column, text, reason("is in the future (today is %(today)s)", today=today.isoformat())
            )
        )
        return None
    return day.isoformat()


def _member_ref(src: Source, column: str, text: str, problems: list[Problem]) -> str | None:
    """A member named by email (kept in lower case) or by id."""
    if "@" in text:
        email = normalise_email(text)
        if email is None:
            problems.append(src.problem(column, text, reason("is not an email address")))
        return email
    if not valid_id(text):
        problems.append(src.problem(column, text, reason("is neither an email address nor a member id")))
        return None
    return text


def _project_members(src: Source, value: Any, problems: list[Problem]) -> list[tuple[str, str | None]]:
    """``ana@example.org: lead; m-1234``: members by email or id, each with an optional role (free text)."""
    members: dict[str, str | None] = {}
    for item in value if isinstance(value, list) else split_list(value):
        if isinstance(item, dict):
            who = _text(item.get("email") or item.get("member") or item.get("id")) or ""
            role = _text(item.get("role"))
        else:
            who, _, role_text = str(item).partition(":")
            who, role = who.strip(), _text(role_text)
        if not who:
            problems.append(src.problem("members", item, reason("has an entry with no email or member id")))
            continue
        ref = _member_ref(src, "members", who, problems)
        if ref is None:
            continue
        if ref in members and members[ref] != role:
            problems.append(
                src.problem("members", value, reason("lists %(name)s twice with different roles", name=who))
            )
        members[ref] = role
    return list(members.items())


#: How a project's GSBPM domain is written, for the problem that says it was not understood (the phases
#: written out, so that a page says their names in its reader's language with the rest).
DOMAIN_HINT = reason(
    "is not a GSBPM phase or sub-process: write its code (5.4 or 5), its name (Edit and impute) or both "
    "(5.4 Edit and impute); phases are 1 Specify needs, 2 Design, 3 Build, 4 Collect, 5 Process, "
    "6 Analyse, 7 Disseminate, 8 Evaluate"
)
assert DOMAIN_HINT.endswith(", ".join(f"{k} {v}" for k, v in PHASES.items()))


def parse_project(row: RawRow, problems: list[Problem]) -> ProjectRecord:
    src = Source(row.file, row.where)
    values = row.values
    title = _required_text(src, row, "title", problems)
    given = _given_id(src, values.get("id"), problems)
    domain = None
    domain_text = _text(values.get("domain"))
    if domain_text is not None:
        domain = domain_code(domain_text)
        if domain is None:
            problems.append(src.problem("domain", domain_text, DOMAIN_HINT))
    stage = _one_of(src, "stage", values.get("stage"), STAGES, problems)
    dates = {s: _day(src, s, values.get(s), problems) for s in STAGE_COLUMNS if s in values}
    check_stages(src, stage, dates, problems)
    return ProjectRecord(
        source=src,
        present=_present(row),
        id=given or (project_id(title) if title else ""),
        id_given=given is not None,
        title=title,
        description=_text(values.get("description")),
        organisation=_text(values.get("organisation")),
        members=_project_members(src, values.get("members"), problems),
        topics=[" ".join(t.split()) for t in split_list(values.get("topics"))],
        workstream=_workstream_ref(values.get("workstream")),
        domain=domain,
        stage=stage,
        stage_written=_text(values.get("stage")) is not None,
        dates=dates,
        report=_web_link(src, "report", values.get("report"), problems),
        code=_web_link(src, "code", values.get("code"), problems),
    )


def stage_problems(stage: str | None, dates: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """What is wrong with a project's stage and the days it reached each, as (stage, why) pairs: a day for
    a stage beyond its stage, a day before an earlier stage's. One check for the import and the web.

    >>> stage_problems("demonstration", {"idea": "2023-05-01", "production": "2024-01-01"})
    [('production', "is the day it reached production, a stage beyond the project's stage (demonstration)")]
    >>> stage_problems(None, {"idea": "2023-05-01", "demonstration": "2022-01-01"})
    [('demonstration', 'is before the day it reached idea (2023-05-01): the days must follow the journey')]
    """
    found: list[tuple[str, str]] = []
    given = [s for s in STAGES if dates.get(s)]
    if stage is not None:
        for s in given:
            if STAGES.index(s) > STAGES.index(stage):
                found.append(
                    (
                        s,
                        reason(
                            "is the day it reached %(reached)s, a stage beyond the project's stage (%(stage)s)",
                            reached=s,
                            stage=stage,
                        ),
                    )
                )
    for earlier, later in zip(given, given[1:], strict=False):
        if str(dates[earlier]) > str(dates[later]):
            found.append(
                (
                    later,
                    reason(
                        "is before the day it reached %(earlier)s (%(day)s): the days must follow the journey",
                        earlier=earlier,
                        day=dates[earlier],
                    ),
                )
            )
    return found


def check_stages(
    src: Source, stage: str | None, dates: dict[str, str | None], problems: list[Problem]
) -> None:
    """A project's stage and the days it reached each (:func:`stage_problems`), as problems of its row.

    >>> found: list[Problem] = []
    >>> check_stages(Source("p.csv", "row 2"), "demonstration", {"idea": "2023-05-01", "production": "2024-01-01"}, found)
    >>> [(p.column, p.reason) for p in found]
    [('production', "is the day it reached production, a stage beyond the project's stage (demonstration)")]
    """
    for s, why in stage_problems(stage, dates):
        problems.append(src.problem(s, dates[s], why))


def _workstream_ref(value: Any) -> str | None:
    text = _text(value)
    return workstream_key(text) if text else None


def _language(src: Source, value: Any, problems: list[Problem]) -> str | None:
    """An ISO 639-1 code from a code (``fr``, ``fra``) or an English name (``French``).

    >>> found: list[Problem] = []
    >>> s = Source("r.csv", "row 2")
    >>> _language(s, "French", found), _language(s, "EN", found), _language(s, "Klingonese", found)
    ('fr', 'en', None)
    """
    import pycountry

    text = _text(value)
    if text is None:
        return None
    # Two letters are an ISO 639-1 code first ("en" is also the name of another language).
    found = pycountry.languages.get(alpha_2=text.lower()) if len(text) == 2 else None
    if found is None:
        try:
            found = pycountry.languages.lookup(text)
        except LookupError:
            found = None
    code = getattr(found, "alpha_2", None)
    if code is None:
        problems.append(
            src.problem(
                "language",
                text,
                reason("is not a language with an ISO 639-1 code: write en, fr, es, ... or English"),
            )
        )
        return None
    return str(code)


def parse_resource(row: RawRow, problems: list[Problem]) -> ResourceRecord:
    src = Source(row.file, row.where)
    values = row.values
    title = _required_text(src, row, "title", problems)
    given = _given_id(src, values.get("id"), problems)
    url = _text(values.get("url"))
    if url is None:
        problems.append(src.problem("url", None, reason("is empty: every resource needs its public link")))
    elif not public_link(url):  # (the web's own check: an intranet's host and non-ASCII paths are fine)
        problems.append(src.problem("url", url, NOT_A_LINK))
        url = None
    # A language and a topic, as the web asks of every resource (so that one imported can be edited there);
    # a column the file lacks is checked against the resource held, in the plan.
    if "language" in values and _text(values.get("language")) is None:
        problems.append(
            src.problem(
                "language", None, reason("is empty: every resource needs its language (en, fr, ru, ...)")
            )
        )
    topics = [" ".join(t.split()) for t in split_list(values.get("topics"))]
    if "topics" in values and not topics:
        problems.append(
            src.problem("topics", None, reason("is empty: every resource needs at least one topic"))
        )
    shared = _text(values.get("shared_by"))
    return ResourceRecord(
        source=src,
        present=_present(row),
        id=given,
        title=title,
        url=url,
        kind=_one_of(src, "kind", values.get("kind"), RESOURCE_KINDS, problems),
        language=_language(src, values.get("language"), problems),
        topics=topics,
        workstream=_workstream_ref(values.get("workstream")),
        shared_by=_member_ref(src, "shared_by", shared, problems) if shared else None,
        description=_text(values.get("description")),
        added=_day(src, "added", values.get("added"), problems),
    )


assert set(LEVEL_SPELLINGS.values()) == set(LEVELS)
assert STAGE_COLUMNS == STAGES

"""The history of every change, as people read it: the history page for admins and coordinators (filtered
by member, kind, who and days, newest first, an import as one line that opens its changes), its CSV
export, and a member's own history (``/members/<id>/history``, for the member and coordinators).

Each change is put in words here (``describe``), from what the history recorded and the names the ids
have now; a member's email is shown only where the viewer may see it, as on the profile.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from flask import Response, abort, render_template, request
from flask_babel import gettext

from graphapp.analytics.interest_index import InterestIndex
from graphapp.auth import Viewer, current_viewer
from graphapp.db import get_store
from graphapp.exports import country_name, neutralise
from graphapp.i18n import _l, country_in, word
from graphapp.pages import bp
from graphapp.params import history_args, page_args
from graphapp.queries import history
from graphapp.queries.asks import open_asks
from graphapp.queries.cypher import Cypher, Tx
from graphapp.queries.members import Page
from graphapp.queries.schema import RELS_FROM, batches
from graphapp.reports import interest_index, members_added


def _(text: str, **values: Any) -> str:
    """A message in the reader's language (Flask-Babel's ``gettext``, typed)."""
    return str(gettext(text, **values))


__all__ = [
    "CSV_COLUMNS",
    "Words",
    "history_page",
    "history_rows",
    "member_history_page",
    "when",
    "whats_new",
]

PER_PAGE = 50
#: At most this many changes in one CSV export (narrow the filters for more).
CSV_LIMIT = 100_000
CSV_COLUMNS = ("at", "by", "kind", "member", "subject", "what", "fields", "before", "after", "batch")

#: How a person reads each field a change names (in the reader's language; a field not listed as it is).
FIELD_WORDS = {
    "name": _l("name"),
    "title": _l("title"),
    "email": _l("email"),
    "organisation": _l("organisation"),
    "country": _l("country"),
    "region": _l("region"),
    "subregion": _l("subregion"),
    "topics": _l("topics"),
    "workstreams": _l("workstreams"),
    "email_visibility": _l("email shown to"),
    "suggestible": _l("suggested to others"),
    "introductions": _l("open to introductions"),
    "mail_off": _l("mail turned off"),
    "knows": _l("contacts"),
    "covers": _l("topics covered"),
    "active": _l("may sign in"),
    "member": _l("tied to member"),
    "role": _l("role"),
    "date": _l("date"),
    "text": _l("text"),
    "description": _l("description"),
    "aliases": _l("also known as"),
    "status": _l("status"),
    "joined": _l("joined"),
    "added": _l("added on"),
    "kind": _l("kind"),
    "language": _l("language"),
    "shared_by": _l("shared by"),
    "url": _l("link"),
    "workstream": _l("workstream"),
    "members": _l("members"),
    "stage": _l("stage"),
    "idea": _l("idea since"),
    "demonstration": _l("demonstration since"),
    "production": _l("production since"),
    "maintenance": _l("maintenance since"),
    "domain": _l("domain"),
    "links": _l("links"),
    "themes": _l("themes"),
    "areas": _l("competence areas"),
}

#: Each kind of change in words, in the reader's language (queries.history.KINDS has them in English,
#: for the API and the CSV).
KIND_WORDS = {
    "import": _l("import of a file"),
    "profile": _l("profile edit"),
    "consent": _l("consent change"),
    "confirm": _l("profile confirmed"),
    "reminder": _l("freshness reminder"),
    "lapse": _l("left out for not confirming"),
    "role": _l("account role change"),
    "account": _l("account created or blocked"),
    "approval": _l("request to join decided"),
    "introduction": _l("introduction"),
    "ask": _l("ask"),
    "topic": _l("topic vocabulary change"),
    "organisation": _l("organisation change"),
    "proposal": _l("topic proposal"),
    "forget": _l("member forgotten"),
    "restore": _l("restore from a backup"),
    "taxonomy": _l("competence taxonomy imported"),
    "progress": _l("workstream progress note"),
    "resource": _l("shared resource added, changed or removed"),
    "project": _l("project added, changed or deleted"),
    "theme": _l("theme of the journey changed"),
    "mapping": _l("survey mapping saved"),
}

#: The summaries the writers record in fixed words (in English, in the history), in the reader's words;
#: a summary that names things (an import's files, a note's workstream) is shown as recorded.
SUMMARY_WORDS = {
    "resource shared": _l("resource shared"),
    "resource removed": _l("resource removed"),
    "resource changed": _l("resource changed"),
    "request to join declined": _l("request to join declined"),
    "password changed": _l("password changed"),
    "left out of suggestions: no answer to two reminders": _l(
        "left out of suggestions: no answer to two reminders"
    ),
    "gave their consent again": _l("gave their consent again"),
    "contact made by an introduction": _l("contact made by an introduction"),
    "asked to be introduced": _l("asked to be introduced"),
    "account created": _l("account created"),
    "a member was forgotten": _l("a member was forgotten"),
    "(names a member who was later forgotten)": _l("(names a member who was later forgotten)"),
}

#: What a change is about, per kind of node, with its name.
SUBJECT_WORDS = {
    "topic": _l("the topic %(name)s"),
    "organisation": _l("the organisation %(name)s"),
    "workstream": _l("the workstream %(name)s"),
}


def kind_words(kind: str) -> str:
    """A kind of change in the reader's words (an unknown kind as recorded)."""
    found = KIND_WORDS.get(kind)
    return str(found) if found is not None else history.KINDS.get(kind, kind)


def field_words(field: str) -> str:
    """A field's name in the reader's words."""
    found = FIELD_WORDS.get(field)
    return str(found) if found is not None else field


#: The order in which a change's fields are said (the rest after these, by name).
FIELD_ORDER = {
    f: i
    for i, f in enumerate(
        ("name", "title", "email", "organisation", "country", "region", "subregion", "topics", "workstreams")
    )
}
HIDDEN = _l("(hidden)")
NONE = _l("(none)")


def when(at: str) -> str:
    """A recorded time as people read it, in UTC.

    >>> when("2026-11-03T14:02:31.123456+00:00")
    '3 Nov 2026 14:02'
    """
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    return f"{moment.day} {moment:%b %Y %H:%M}"


def _period(filters: dict[str, str]) -> tuple[str | None, str | None]:
    """The filters' days as the bounds of :func:`history.changes` (``until`` is the day after the last)."""
    since = f"{filters['since']}T00:00:00" if filters.get("since") else None
    until = None
    if filters.get("until"):  # (after every time of that day; 9999-12-31 too, which has no day after it)
        until = f"{date.fromisoformat(filters['until']).isoformat()}T99"
    return since, until


class Words:
    """Puts changes in words for one viewer, with the names the ids have now (``history.names_in``)."""

    def __init__(
        self, names: dict[str, dict[str, Any]], viewer: Viewer, accounts: dict[str, str] | None = None
    ) -> None:
        self.names = names
        self.viewer = viewer
        #: Each login's member (logins are email addresses: only admins, who manage accounts, read them;
        #: others read "the account of <member>").
        self.accounts = accounts or {}

    def account(self, login: str) -> str:
        """An account as this viewer may read it: its login for admins; else whose account it is."""
        if self.viewer.at_least("admin"):
            return login
        if self.viewer.login and login == self.viewer.login:
            return _("your account")
        member = self.accounts.get(login)
        return _("the account of %(name)s", name=self.member(member)) if member else _("an account")

    def member(self, member: str) -> str:
        found = self.names["Member"].get(member)
        return found["name"] if found else _("a member no longer in the network")

    def sees_email(self, member: str) -> bool:
        found = self.names["Member"].get(member)
        return found is not None and self.viewer.sees_email_of(member, found.get("email_visibility"))

    def value(self, field: str, value: Any, member: str) -> str:
        """One value of a field, in words (an email only where the viewer may see it)."""
        if value in ("", None, []):
            return str(NONE)
        if field == "email" and not self.sees_email(member):
            return str(HIDDEN)
        if field == "topics":
            return ", ".join(self._named("Topic", t, level) for t, _sep, level in _pairs(value))
        if field == "workstreams":
            return ", ".join(self._named("Workstream", w, role) for w, _sep, role in _pairs(value))
        if field == "covers":
            return ", ".join(self.names["Topic"].get(t, t) for t in value)
        if field == "knows":
            return ", ".join(self.member(m) for m in value)
        if field == "member":
            return self.member(value)
        if field == "organisation":
            return str(self.names["Organisation"].get(value, value))
        if field == "country" and isinstance(value, str):
            return country_in(country_name(value))
        if field == "region" and isinstance(value, str):
            return word(value, "region")
        if field == "role" and isinstance(value, str):
            return word(value, "role")
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)

    def _named(self, label: str, node: str, detail: str) -> str:
        name = self.names[label].get(node, node)
        if not detail:
            return str(name)
        shown = word(detail, "level" if label == "Topic" else "workstream_role")
        return _("%(name)s (%(detail)s)", name=name, detail=shown)

    def subject(self, row: dict[str, Any]) -> str:
        kind, _sep, node = (row["subject"] or "").partition(":")
        if kind == "member":
            return self.member(node)
        if kind in ("topic", "organisation", "workstream"):
            label = kind.capitalize()
            return str(SUBJECT_WORDS[kind]) % {"name": self.names[label].get(node, node)}
        if kind == "account":
            return self.account(node)
        return ""

    def describe(self, row: dict[str, Any]) -> str:
        """What a change did, in a line: "Ana Example's title: Analyst → Head of unit"."""
        before, after = history.values(row)
        if row["subject"] == "import":
            return _("Import of %(files)s", files=row["summary"])
        who = self.subject(row)
        member = row["member"] or (row["subject"] or "").partition(":")[2]
        fields = sorted(set(before) | set(after), key=lambda f: (FIELD_ORDER.get(f, len(FIELD_ORDER)), f))
        others = [self.member(m) for m in row.get("about") or [] if m != row["member"]]
        said = str(SUMMARY_WORDS.get(row["summary"], row["summary"] or ""))
        if row["kind"] == "introduction" and "contacts" not in (row["summary"] or ""):
            # Who asked whom, and how it was answered, is for the two people only (the request's mail
            # promises a decline is told to nobody else): others read that an introduction was handled.
            if not self.is_party(row):
                name = self.member(row["member"]) if row["member"] else ""
                if name:
                    return _("%(name)s: an introduction was asked for or answered", name=name)
                return _("an introduction")
            if others:
                said = _("%(summary)s (with %(names)s)", summary=said, names=", ".join(others))
        if not fields:
            if who and said:
                return _("%(who)s: %(what)s", who=who, what=said)
            return who or said or kind_words(row["kind"])
        if not before and who:
            added = "; ".join(
                _("%(field)s %(value)s", field=field_words(f), value=self.value(f, after[f], member))
                for f in fields
            )
            if said:
                return _("%(who)s, %(what)s: %(added)s", who=who, what=said, added=added)
            return _("%(who)s added: %(added)s", who=who, added=added)
        changes = "; ".join(
            _(
                "%(field)s: %(before)s → %(after)s",
                field=field_words(f),
                before=self.value(f, before.get(f), member),
                after=self.value(f, after.get(f), member),
            )
            for f in fields
        )
        line = _("%(who)s — %(changes)s", who=who, changes=changes) if who else changes
        return _("%(line)s (%(what)s)", line=line, what=said) if said else line

    def is_party(self, row: dict[str, Any]) -> bool:
        """Whether the viewer is one of the members a change is filed under or names."""
        member = self.viewer.member
        return bool(member) and (member == row["member"] or member in (row.get("about") or []))

    def by(self, row: dict[str, Any]) -> str:
        """Who made a change: as recorded, for coordinators; for a member, "you" or who in general."""
        by = row["by"] or ""
        if self.viewer.login and by == f"account:{self.viewer.login}":
            return _("you")
        kind, _sep, login = by.partition(":")
        if self.viewer.at_least("admin") or (self.viewer.at_least("coordinator") and kind != "account"):
            return by
        if self.viewer.at_least("coordinator"):
            return self.account(login)
        return {
            "account": _("another account"),
            "cli": _("a command on the server"),
            "link": _("a link in a mail"),
        }.get(kind, by)

    def visible(self, row: dict[str, Any]) -> dict[str, Any]:
        """A change with its emails removed where the viewer may not see them (for the CSV and the API)."""
        before, after = history.values(row)
        member = row["member"] or ""
        if ("email" in before or "email" in after) and not self.sees_email(member):
            before = {**before, **({"email": str(HIDDEN)} if "email" in before else {})}
            after = {**after, **({"email": str(HIDDEN)} if "email" in after else {})}
        subject = row["subject"]
        if subject.startswith("account:") and not self.viewer.at_least("admin"):
            subject = "account"
        if (
            row["kind"] == "introduction"
            and not self.is_party(row)
            and "contacts" not in (row["summary"] or "")
        ):
            before, after = {}, {}
        return {
            "id": row["id"],
            "at": row["at"],
            "by": self.by(row),
            "kind": row["kind"],
            "member": member,
            "member_name": self.member(member) if member else "",
            "subject": subject,
            "summary": row["summary"] if row["kind"] != "introduction" or self.is_party(row) else "",
            "fields": list(row.get("fields") or []),
            "before": before,
            "after": after,
            "batch": row["batch"] or "",
            "what": self.describe(row),
            "when": when(row["at"] or ""),
        }


ACCOUNT_MEMBERS = Cypher(
    "UNWIND $ids AS id MATCH (a:Account {id: id}) RETURN a.id AS login, a.member AS member"
)


def _words(tx: Tx, rows: list[dict[str, Any]], viewer: Viewer) -> Words:
    """The words of ``rows`` for ``viewer``: the names their ids have now, and whose account each login is."""
    logins = sorted(
        {
            value.partition(":")[2]
            for r in rows
            for value in (r.get("by") or "", r.get("subject") or "")
            if value.startswith("account:")
        }
    )
    accounts = {a["login"]: a["member"] for a in tx.run(ACCOUNT_MEMBERS, ids=logins) if a["member"]}
    extra = [{"member": m, "subject": "", "before": "{}", "after": "{}"} for m in accounts.values()]
    return Words(history.names_in(tx, [*rows, *extra]), viewer, accounts)


def _pairs(values: list[str]) -> list[tuple[str, str, str]]:
    """``id:detail`` values as (id, ":", detail); a value with no detail (a resource's topics) as (id, "", "")."""
    return [v.rpartition(":") if ":" in v else (v, "", "") for v in values]


def _query(tx: Tx, filters: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The keyword arguments of :func:`history.changes` for the filters, and the members a name matched
    (several: the page asks which one; none: nothing is shown)."""
    since, until = _period(filters)
    query: dict[str, Any] = {
        "kind": filters.get("kind") or None,
        "by": filters.get("by") or None,
        "since": since,
        "until": until,
        "batch": filters.get("batch") or None,
    }
    matches: list[dict[str, Any]] = []
    if filters.get("member"):
        matches = history.members_named(tx, filters["member"])
        exact = [m for m in matches if m["id"] == filters["member"].strip()]
        matches = exact or matches
        query["member"] = matches[0]["id"] if len(matches) == 1 else "\x00"  # (none or several: none shown)
    # An import reads as one line, which opens its changes, unless those of a member or an import are asked.
    query["collapse"] = not (query.get("member") or query["batch"] or query["kind"] not in (None, "import"))
    return query, matches


def history_page(tx: Tx, filters: dict[str, str], page: int, per_page: int, viewer: Viewer) -> dict[str, Any]:
    """The history page: one page of the changes that pass the filters, in words, and the choices of the form."""
    query, matches = _query(tx, filters)
    total = history.count(tx, **query)
    rows = history.changes(tx, **query, limit=per_page, offset=(page - 1) * per_page)
    words = _words(tx, rows, viewer)
    sizes = history.batch_sizes(tx, sorted({r["batch"] for r in rows if r["subject"] == "import"}))
    items = [
        {**words.visible(r), "opens": sizes.get(r["batch"], 0) if r["subject"] == "import" else 0}
        for r in rows
    ]
    return {
        "results": Page(items, total, page, per_page),
        "matches": matches,
        # (logins are email addresses: only admins choose by them; others filter by member)
        "actors": [a for a in history.actors(tx) if viewer.at_least("admin") or not a.startswith("account:")],
        "kinds": {k: kind_words(k) for k in history.KINDS},
    }


def history_rows(
    tx: Tx, filters: dict[str, str], viewer: Viewer, limit: int = CSV_LIMIT
) -> list[dict[str, Any]]:
    """Every change that passes the filters (an import's too), in words, newest first: for the CSV."""
    query, _matches = _query(tx, filters)
    query["collapse"] = False
    rows = history.changes(tx, **query, limit=limit)
    words = _words(tx, rows, viewer)
    return [words.visible(r) for r in rows]


def history_api_page(tx: Tx, filters: dict[str, str], page: int, per_page: int, viewer: Viewer) -> Page:
    """One page of every change that passes the filters (an import's too), for the API."""
    query, _matches = _query(tx, filters)
    query["collapse"] = False
    total = history.count(tx, **query)
    rows = history.changes(tx, **query, limit=per_page, offset=(page - 1) * per_page)
    words = _words(tx, rows, viewer)
    return Page([words.visible(r) for r in rows], total, page, per_page)


def member_history_page(
    tx: Tx, member: str, page: int, per_page: int, viewer: Viewer
) -> dict[str, Any] | None:
    """A member's own history: the changes filed under them (None: no such member)."""
    named = history.names_in(tx, [{"member": member, "subject": "", "before": "{}", "after": "{}"}])
    if member not in named["Member"]:
        return None
    total = history.count(tx, member=member, own=True)
    rows = history.changes(tx, member=member, own=True, limit=per_page, offset=(page - 1) * per_page)
    words = _words(tx, rows, viewer)
    return {
        "name": named["Member"][member]["name"],
        "member": member,
        "results": Page([words.visible(r) for r in rows], total, page, per_page),
    }


#: A member who never visited (or whose last visit is not known) sees what is new in this many days.
FIRST_VISIT_DAYS = 30
#: What's new always covers at least this many days (a member who was here yesterday sees the week).
AT_LEAST_DAYS = 7
#: At most this many new members and asks are listed in "what's new".
WHATS_NEW_LIMIT = 8


def whats_new(tx: Tx, viewer: Viewer) -> dict[str, Any] | None:
    """The home page's "what's new" for a member: members added, and asks posted, since their last visit
    (the account's ``seen``; at least the last week), who share a topic or a workstream with them (an ask: on one of their topics,
    or by someone in one of their workstreams). None for an account that is no member."""
    if not viewer.member:
        return None
    now = datetime.now(UTC)
    # (at least the last week: the visit is noted before the page, so a second page of the same visit
    # would otherwise show nothing)
    week_ago = (now - timedelta(days=AT_LEAST_DAYS)).isoformat(timespec="seconds")
    since = (
        min(viewer.seen, week_ago)
        if viewer.seen
        else (now - timedelta(days=FIRST_VISIT_DAYS)).isoformat(timespec="seconds")
    )
    index = interest_index(tx)  # (kept per graph revision: every new member's topics and workstreams)
    me = index.member.get(viewer.member)
    mine: tuple[set[str], set[str]] = (
        (set(index.topics_of(me)), set(index.details(me)["workstreams"]))
        if me is not None
        else (set(), set())
    )
    # (kept per graph revision: members_added; those since the visit, by id as before)
    added = members_added(tx)
    new = sorted({m for _, m in added[bisect.bisect_left(added, (since, "")) :]} - {viewer.member})
    members = []
    sharing = _sharing(index, mine, [index.member.get(m, -1) for m in new])
    for i in sharing[:WHATS_NEW_LIMIT].tolist():
        them = index.details(i)
        members.append(
            {
                "id": them["id"],
                "name": them["name"],
                "topics": sorted(set(index.topics_of(i)) & mine[0]),
                "workstreams": sorted(set(them["workstreams"]) & mine[1]),
            }
        )
    asks = [a for a in open_asks(tx) if (a["created"] or "") >= since and a["member"] != viewer.member]
    askers = _ties(tx, sorted({a["member"] for a in asks}))
    shown_asks = []
    for a in asks:
        on = set(a["topics"] or []) & mine[0]
        via = askers.get(a["member"], (set(), set()))[1] & mine[1]
        if on or via:
            shown_asks.append({**a, "shared_topics": sorted(on), "shared_workstreams": sorted(via)})
    topic_names = {r["id"]: r["name"] for r in tx.run(history.NAMES["Topic"], ids=sorted(mine[0]))}
    workstream_names = {r["id"]: r["name"] for r in tx.run(history.NAMES["Workstream"], ids=sorted(mine[1]))}
    return {
        "since": since,  # (an ISO timestamp: the page writes it in the reader's language)
        "first": not viewer.seen,
        "week": bool(viewer.seen) and viewer.seen > week_ago,
        "members": members,
        "more_members": max(0, len(sharing) - WHATS_NEW_LIMIT),
        "asks": shown_asks[:WHATS_NEW_LIMIT],
        "more_asks": max(0, len(shown_asks) - WHATS_NEW_LIMIT),
        "topics": topic_names,
        "workstreams": workstream_names,
    }


def _sharing(index: InterestIndex, mine: tuple[set[str], set[str]], new: list[int]) -> np.ndarray:
    """Of the members numbered ``new`` (-1: not in the index), in that order, those who share a topic or a
    workstream in ``mine`` and agree to be suggested: counted over the interest index's arrays, not read
    again (after an import of 100,000 people, every member's home page read all of them: 13 s).

    >>> ix = InterestIndex.of({"a": {"nlp": "expert"}, "b": {"cv": "expert"}, "c": {"nlp": "learning"}})
    >>> _sharing(ix, ({"nlp"}, set()), [ix.member["c"], ix.member["b"], -1]).tolist() == [ix.member["c"]]
    True
    """
    numbers = np.array([i for i in new if i >= 0], dtype=np.int64)
    if not len(numbers):
        return numbers
    held = np.zeros(len(index.topic_ids), bool)
    held[[index.topic[t] for t in mine[0] if t in index.topic]] = True
    owner, their = index.by_member.entries(numbers)
    shares = np.bincount(owner, weights=held[their], minlength=len(numbers))
    in_mine = np.zeros(index.size, bool)
    for w in mine[1]:
        in_mine[index.workstream_members.get(w, [])] = True
    keep = ((shares > 0) | in_mine[numbers]) & index.suggestible[numbers]
    sharing: np.ndarray = numbers[keep]
    return sharing


def _ties(tx: Tx, members: list[str]) -> dict[str, tuple[set[str], set[str]]]:
    """Each member's topics and workstreams (ids)."""
    found: dict[str, tuple[set[str], set[str]]] = {m: (set(), set()) for m in members}
    for chunk in batches(members):
        for r in RELS_FROM["INTERESTED_IN"].run(tx, ids=chunk):
            found[r["source"]][0].add(r["target"])
        for r in RELS_FROM["MEMBER_OF"].run(tx, ids=chunk):
            found[r["source"]][1].add(r["target"])
    return found


def _filters() -> tuple[dict[str, str], int, int]:
    """The filters and the page asked for (a value that cannot be used: 400, saying which and why)."""
    return history_args(request.args), *page_args(request.args, PER_PAGE)


@bp.get("/history")
def history_list() -> str:
    """The history: every change, newest first, filtered by member, kind, who and days."""
    filters, page, per_page = _filters()
    shown = get_store().read(history_page, filters, page, per_page, current_viewer())
    return render_template("pages/history.html", filters=filters, **shown)


@bp.get("/history.csv")
def history_csv() -> Response:
    """The filtered history as CSV (every change, an import's one by one), newest first."""
    filters, _page, _per_page = _filters()
    rows = get_store().read(history_rows, filters, current_viewer())
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {
            **row,
            "member": row["member_name"],
            "fields": "; ".join(row["fields"]),
            "before": json.dumps(row["before"], sort_keys=True, ensure_ascii=False),
            "after": json.dumps(row["after"], sort_keys=True, ensure_ascii=False),
        }
        # (a name or title typed as "=HYPERLINK(...)" must not run as a formula in a spreadsheet)
        writer.writerow({k: neutralise(v) if isinstance(v, str) else v for k, v in cells.items()})
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=history.csv"},
    )


@bp.get("/members/<member>/history")
def member_history(member: str) -> str:
    """The history of a member's profile: for the member themself and for coordinators."""
    viewer = current_viewer()
    if viewer.member != member and not viewer.at_least("coordinator"):
        abort(403, _("Only the member themself and coordinators may read the history of a profile."))
    page, per_page = page_args(request.args, PER_PAGE)
    shown = get_store().read(member_history_page, member, page, per_page, viewer)
    if shown is None:
        abort(404, _("There is no member with the id “%(id)s”.", id=member))
    return render_template("pages/history_member.html", **shown)

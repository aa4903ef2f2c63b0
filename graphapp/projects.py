"""Projects as actions (issue 14 §1): add one, change it (its stage among them), delete it. Write
functions ``fn(tx, ...)`` shared by the pages, the API and the command line; each checks every field
against the graph, writes in the caller's transaction, records itself in the history (kind "project",
subject ``project:<id>``) and declares that it changed no member's interests (``tx.touched([])``).

Who may: any member with a profile adds a project (and becomes one of its members, with the role they
give), coordinators and admins too; the project's members and coordinators change and delete it. A
refusal is a :class:`~graphapp.introductions.Refused` (403, 404); input that cannot be used is a
:class:`ProjectRejected` naming each field and why, with nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from graphapp.i18n import _, word
from graphapp.ingest.gsbpm import domain_code
from graphapp.ingest.normalise import project_id
from graphapp.ingest.records import stage_problems
from graphapp.introductions import Refused
from graphapp.proposals import UnknownTopic, vocabulary
from graphapp.queries import history
from graphapp.queries.cypher import Tx
from graphapp.queries.projects import (
    delete_project,
    members_by_id,
    members_named,
    project,
    project_exists,
    write_project,
)
from graphapp.queries.schema import ALL_NODES, STAGES

__all__ = [
    "LIMITS",
    "ProjectRejected",
    "add_project",
    "change_project",
    "editable",
    "history_fields",
    "remove_project",
    "safe_link",
]

#: The most characters each text field may have.
LIMITS = {"title": 200, "description": 5000, "role": 100, "link": 2000}
#: The most topics and members a project may have.
MAX_TOPICS = 20
MAX_MEMBERS = 100


class ProjectRejected(Exception):
    """Input that cannot be used, nothing written: ``problems`` maps each field to why, in words;
    ``status`` is 404 when every problem is something named that is not there (a topic, a member...),
    409 when the days reached do not follow the journey or lie ahead, else 400."""

    def __init__(self, problems: dict[str, str], status: int = 400) -> None:
        self.problems = problems
        self.status = status
        self.message = "; ".join(f"{field}: {why}" for field, why in problems.items())
        super().__init__(self.message)


def safe_link(text: str) -> bool:
    """Whether ``text`` is a link a page may show: http or https, nothing else.

    >>> safe_link("https://example.org/report.pdf"), safe_link("javascript:alert(1)")
    (True, False)
    >>> safe_link("http://"), safe_link("https://example.org/a b")
    (False, False)
    """
    return bool(re.fullmatch(r"https?://[^\s/?#]+[^\s]*", text.strip(), flags=re.IGNORECASE)) and not any(
        c.isspace() for c in text.strip()
    )


def _day(text: str) -> str | None:
    """A day written YYYY-MM-DD, as kept; None if it is not one."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def history_fields(p: Mapping[str, Any] | None) -> dict[str, Any]:
    """A project in the history's format: its properties by name, ``organisation`` and ``workstream`` as
    ids, ``topics`` sorted ids, ``members`` sorted "member-id:role" (unset fields left out)."""
    if not p:
        return {}
    out: dict[str, Any] = {
        k: p.get(k) or ""
        for k in (
            "title",
            "description",
            "domain",
            "stage",
            *STAGES,
            "report",
            "code",
        )
    }
    out["organisation"] = (p.get("organisation") or {}).get("id", "")
    out["workstream"] = (p.get("workstream") or {}).get("id", "")
    out["topics"] = sorted(t["id"] for t in p.get("topics") or [])
    out["members"] = sorted(f"{m['id']}:{m.get('role') or ''}" for m in p.get("members") or [])
    return {k: v for k, v in out.items() if v not in ("", [])}


def editable(p: Mapping[str, Any]) -> dict[str, Any]:
    """A project as the values its form (and the API's changes) take."""
    return {
        "title": p.get("title") or "",
        "description": p.get("description") or "",
        "organisation": (p.get("organisation") or {}).get("id", ""),
        "workstream": (p.get("workstream") or {}).get("id", ""),
        "topics": [t["name"] or t["id"] for t in p.get("topics") or []],
        "domain": p.get("domain") or "",
        "stage": p.get("stage") or STAGES[0],
        "days": {s: p.get(s) or "" for s in STAGES},
        "report": p.get("report") or "",
        "code": p.get("code") or "",
        "members": [{"member": m["id"], "role": m.get("role") or ""} for m in p.get("members") or []],
    }


def _text(values: Mapping[str, Any], field: str) -> str:
    value = values.get(field)
    return value.strip() if isinstance(value, str) else ""


def _checked(
    tx: Tx,
    values: Mapping[str, Any],
    before: dict[str, Any] | None,
    today: str,
    sees_email: Callable[[str, str | None], bool],
) -> dict[str, Any]:
    """The project ``values`` describe (see :func:`editable`), checked against the graph, with each stage's
    day settled; raises :class:`ProjectRejected` naming every field that cannot be used."""
    problems: dict[str, str] = {}
    missing: set[str] = set()  # (fields naming something that is not there: 404 when alone)
    journey: set[str] = set()  # (days that do not follow the journey or lie ahead: 409 when alone)
    out: dict[str, Any] = {}

    title = _text(values, "title")
    if not title:
        problems["title"] = _("give the project a title.")
    elif len(title) > LIMITS["title"]:
        problems["title"] = _(
            "too long (%(count)s characters; at most %(limit)s).", count=len(title), limit=LIMITS["title"]
        )
    out["title"] = title
    description = _text(values, "description")
    if len(description) > LIMITS["description"]:
        problems["description"] = _(
            "too long (%(count)s characters; at most %(limit)s).",
            count=len(description),
            limit=LIMITS["description"],
        )
    out["description"] = description

    organisation = _text(values, "organisation")
    out["organisation"] = None
    if organisation:
        key = organisation.casefold()
        found = [
            o
            for o in ALL_NODES["Organisation"].run(tx)
            if o["id"] == organisation
            or (o["name"] or "").casefold() == key
            or key in {a.casefold() for a in o.get("aliases") or []}
        ]
        if found:
            out["organisation"] = {"id": found[0]["id"], "name": found[0]["name"]}
        else:
            problems["organisation"] = _(
                "there is no organisation %(name)s; pick one from the list.", name=repr(organisation)
            )
            missing.add("organisation")

    workstream = _text(values, "workstream")
    out["workstream"] = None
    if workstream:
        key = re.sub(r"[\s-]", "", workstream).casefold()
        match = [
            w for w in ALL_NODES["Workstream"].run(tx) if re.sub(r"[\s-]", "", w["id"]).casefold() == key
        ]
        if match:
            out["workstream"] = {"id": match[0]["id"], "name": match[0]["name"]}
        else:
            problems["workstream"] = _(
                "there is no workstream %(name)s; pick one from the list.", name=repr(workstream)
            )
            missing.add("workstream")

    raw_topics = values.get("topics") or []
    if isinstance(raw_topics, str):
        raw_topics = raw_topics.split(";")
    typed = [t.strip() for t in raw_topics if isinstance(t, str) and t.strip()]
    vocab = vocabulary(tx)
    keep = {t["id"] for t in (before or {}).get("topics") or []}  # (a retired topic it has stays)
    topics: dict[str, dict[str, str]] = {}
    unknown = []
    for text in typed:
        try:
            tid = vocab.resolve(text, keep)
        except UnknownTopic as e:
            unknown.append(e.words)
            continue
        topics[tid] = {"id": tid, "name": vocab.topics[tid]["name"] or tid}
    if unknown:
        problems["topics"] = " ".join(unknown)
        missing.add("topics")
    elif len(topics) > MAX_TOPICS:
        problems["topics"] = _("at most %(count)s topics.", count=MAX_TOPICS)
    out["topics"] = sorted(topics.values(), key=lambda t: (t["name"].casefold(), t["id"]))

    domain = _text(values, "domain")
    out["domain"] = ""
    if domain:
        code = domain_code(domain)
        if code is None:
            problems["domain"] = _(
                "%(domain)s is not a GSBPM sub-process; give its code or name, e.g. 5.4 or Edit and impute.",
                domain=repr(domain),
            )
            missing.add("domain")
        else:
            out["domain"] = code

    stage = _text(values, "stage") or STAGES[0]
    if stage not in STAGES:
        problems["stage"] = _(
            "must be one of %(stages)s, not %(stage)s.",
            stages=", ".join(word(s, "stage") for s in STAGES),
            stage=repr(stage),
        )
        stage = STAGES[0]
    out["stage"] = stage
    days = values.get("days") or {}
    reached = STAGES.index(stage)
    was = STAGES.index(before["stage"]) if before and before.get("stage") in STAGES else -1
    for i, s in enumerate(STAGES):
        typed_day = days.get(s) if isinstance(days, Mapping) else ""
        typed_day = typed_day.strip() if isinstance(typed_day, str) else ""
        day = _day(typed_day) if typed_day else ""
        if day is None:
            problems[f"days.{s}"] = _(
                "the day %(stage)s was reached must be a day written YYYY-MM-DD, not %(typed)s.",
                stage=word(s, "stage"),
                typed=repr(typed_day),
            )
            day = ""
        if i > reached:
            day = ""  # (not reached: moved back, its day is in the history)
        elif i == reached and not day and reached > was:
            day = today  # (moved forward today, unless another day is given)
        if day > today:
            problems[f"days.{s}"] = _(
                "the day %(stage)s was reached, %(day)s, is after today (%(today)s).",
                stage=word(s, "stage"),
                day=day,
                today=today,
            )
            journey.add(f"days.{s}")
        out[s] = day
    for s, _why in stage_problems(stage, {s: out[s] for s in STAGES}):  # (as the import checks them)
        problems.setdefault(f"days.{s}", _journey_problem(stage, s, out))
        journey.add(f"days.{s}")

    for field in ("report", "code"):
        link = _text(values, field)
        if link and (len(link) > LIMITS["link"] or not safe_link(link)):
            problems[field] = _("only a public http:// or https:// link, not %(link)s.", link=repr(link[:80]))
        out[field] = link

    entries = [
        (str(entry.get("member") or "").strip(), str(entry.get("role") or "").strip())
        for entry in values.get("members") or []
    ]
    entries = [(text, role) for text, role in entries if text]
    by_id = {r["id"]: r for r in members_by_id(tx, [text for text, _role in entries])}
    named: dict[str, list[dict[str, Any]]] = {}
    for r in members_named(tx, [text for text, _role in entries if text not in by_id]):
        named.setdefault(r["text"], []).append(r)
    members: dict[str, dict[str, str]] = {}
    for text, role in entries:
        rows = named.get(text, [])
        by_email = [
            r
            for r in rows
            if (r["email"] or "") == text.lower() and sees_email(r["id"], r["email_visibility"])
        ]
        by_name = [r for r in rows if (r["name"] or "").lower() == text.lower()]
        found = [by_id[text]] if text in by_id else by_email or by_name
        if not found:
            problems["members"] = _(
                "there is no member %(text)s; give their name as in the directory, or email.",
                text=repr(text),
            )
            missing.add("members")
            continue
        if len({r["id"] for r in found}) > 1:
            problems["members"] = _(
                "several members are called %(text)s; give the email of the one you mean.", text=repr(text)
            )
            continue
        who = found[0]
        if not role:
            problems["members"] = _("say what %(name)s does in the project (their role).", name=who["name"])
        elif len(role) > LIMITS["role"]:
            problems["members"] = _(
                "%(name)s's role is too long (at most %(limit)s characters).",
                name=who["name"],
                limit=LIMITS["role"],
            )
        members[who["id"]] = {"id": who["id"], "name": who["name"], "role": role}
    if len(members) > MAX_MEMBERS:
        problems["members"] = _("at most %(count)s members.", count=MAX_MEMBERS)
    out["members"] = sorted(members.values(), key=lambda m: ((m["name"] or "").casefold(), m["id"]))

    if problems:
        # 404: only something named that is not there; 409: days that are well written but do not follow
        # the journey or lie ahead (what a schema cannot say); 400: anything else.
        if set(problems) <= missing:
            status = 404
        elif set(problems) <= missing | journey:
            status = 409
        else:
            status = 400
        raise ProjectRejected(problems, status)
    return out


def _journey_problem(stage: str, s: str, out: dict[str, Any]) -> str:
    """Why the day stage ``s`` was reached does not fit (as :func:`stage_problems` finds it), in the reader's
    language: a stage beyond the project's own, or a day before an earlier stage's."""
    if STAGES.index(s) > STAGES.index(stage):
        beyond: str = _(
            "the day %(stage)s was reached (%(day)s) is the day it reached %(stage)s, a stage beyond the "
            "project's stage (%(current)s).",
            stage=word(s, "stage"),
            day=out[s],
            current=word(stage, "stage"),
        )
        return beyond
    given = [g for g in STAGES if out.get(g)]
    earlier = given[given.index(s) - 1]
    before: str = _(
        "the day %(stage)s was reached (%(day)s) is before the day it reached %(earlier)s (%(earlier_day)s): "
        "the days must follow the journey.",
        stage=word(s, "stage"),
        day=out[s],
        earlier=word(earlier, "stage"),
        earlier_day=out[earlier],
    )
    return before


def _record(tx: Tx, pid: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    """The history of one change of a project (only the fields that changed); False if none did."""
    old, new = history_fields(before), history_fields(after)
    changed = sorted(k for k in {*old, *new} if old.get(k) != new.get(k))
    if not changed:
        return False
    title = (after or before or {}).get("title", "")
    if before is None:
        summary = f"project '{title}' added, at the {new.get('stage')} stage"
    elif after is None:
        summary = f"project '{title}' deleted"
    elif old.get("stage") != new.get("stage"):
        summary = f"project '{title}' moved from {old.get('stage')} to {new.get('stage')}"
    else:
        summary = f"project '{title}' changed"
    people = {m["id"] for p in (before, after) if p for m in p.get("members") or []}
    history.record(
        tx,
        "project",
        member="",
        subject=f"project:{pid}",
        summary=summary,
        before={k: old[k] for k in changed if k in old},
        after={k: new[k] for k in changed if k in new},
        about=sorted(people),
    )
    return True


def _new_id(tx: Tx, title: str) -> str:
    base = project_id(title)
    pid, n = base, 1
    while project_exists(tx, pid):
        n += 1
        pid = f"{base}-{n}"
    return pid


def _everyone(_: str, __: str | None) -> bool:
    return True


def add_project(
    tx: Tx,
    values: Mapping[str, Any],
    creator: str | None,
    coordinator: bool,
    today: str,
    own_role: str = "",
    sees_email: Callable[[str, str | None], bool] = _everyone,
) -> dict[str, Any]:
    """Add a project (``values`` as :func:`editable` gives them), as member ``creator`` (who becomes one
    of its members, with ``own_role``) or as a coordinator; returns it."""
    tx.touched([])
    if not coordinator and not creator:
        raise Refused(
            403,
            _(
                "Your account is not tied to a member of the network: a coordinator can add the project for you."
            ),
        )
    members = list(values.get("members") or [])
    extra: dict[str, str] = {}
    if creator and not any(str(m.get("member") or "").strip() == creator for m in members):
        if own_role.strip():
            members.insert(0, {"member": creator, "role": own_role})
        elif not coordinator:
            extra["role"] = _("say what your role in the project is (you become one of its members).")
    try:
        checked = _checked(tx, {**values, "members": members}, None, today, sees_email)
    except ProjectRejected as e:
        raise ProjectRejected({**extra, **e.problems}, 400 if extra else e.status) from None
    if extra:
        raise ProjectRejected(extra)
    after = {"id": _new_id(tx, checked["title"]), **checked}
    write_project(tx, None, after)
    _record(tx, after["id"], None, after)
    return project(tx, after["id"]) or after


def _may_change(tx: Tx, pid: str, member: str | None, coordinator: bool, what: str) -> dict[str, Any]:
    """The project, if this person may change it (its members, coordinators); else 403 or 404."""
    found = project(tx, pid)
    if not coordinator and (found is None or member not in {m["id"] for m in found["members"]}):
        raise Refused(
            403,
            _("Only the project's members and coordinators can delete it.")
            if what == "delete"
            else _("Only the project's members and coordinators can change it."),
        )
    if found is None:
        raise Refused(404, _("There is no project with the id %(id)s.", id=repr(pid)))
    return found


def change_project(
    tx: Tx,
    pid: str,
    changes: Mapping[str, Any],
    member: str | None,
    coordinator: bool,
    today: str,
    sees_email: Callable[[str, str | None], bool] = _everyone,
) -> dict[str, Any]:
    """Change a project: ``changes`` holds the fields given (the others stay as they are; ``days``
    stage by stage); a stage moved forward is reached today unless a day is given, one moved back keeps
    the days before it. Returns the project as it is now."""
    tx.touched([])
    before = _may_change(tx, pid, member, coordinator, "change")
    current = editable(before)
    values = {**current, **{k: v for k, v in changes.items() if k in current}}
    if "days" in changes:
        values["days"] = {**current["days"], **(changes.get("days") or {})}
    checked = _checked(tx, values, before, today, sees_email)
    if before["members"] and not checked["members"] and not coordinator:
        raise ProjectRejected(
            {
                "members": _(
                    "a project needs at least one member: only a coordinator can leave it with "
                    "none (then only coordinators could change it)."
                )
            }
        )
    after = {"id": pid, **checked}
    if _record(tx, pid, before, after):
        write_project(tx, before, after)
    return project(tx, pid) or after


def remove_project(tx: Tx, pid: str, member: str | None, coordinator: bool) -> dict[str, Any]:
    """Delete a project (its members, organisation, topics and workstream stay); the history keeps what
    it was. Returns it as it was."""
    tx.touched([])
    before = _may_change(tx, pid, member, coordinator, "delete")
    _record(tx, pid, before, None)
    delete_project(tx, pid)
    return before

"""Fresh profiles and lasting consent (issue 13): when a profile was last confirmed, the reminders that
ask its owner to confirm it, and what happens to a member who answers none.

After ``GRAPHAPP_CONFIRM_MONTHS`` (default 12) since a member last confirmed their profile (or joined),
``graphapp remind`` mails them a link (a signed token, :func:`confirmation_token`) to a page that shows the
profile and confirms it in one click. A second reminder follows after ``GRAPHAPP_REMINDER_DAYS`` (default
30); a member who answers neither within that time again is *lapsed*: left out of suggestions (not
deleted) and listed for coordinators, and asked for their consent again before they come back
(:func:`renew_consent`). Saving one's own profile confirms it too.

The state is the member's ``reminders`` ("1", "2"), ``reminded`` and ``lapsed``; :func:`next_step`
decides from it alone, so :func:`remind` can run from cron any number of times and from two processes at
once: each batch takes its members' locks, reads their state again and decides and queues in one write
transaction, so the same reminder never goes twice. Every step is in the history.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from graphapp import reports
from graphapp.analytics.coverage import stale_share
from graphapp.queries import history
from graphapp.queries.cypher import Store, Tx
from graphapp.queries.freshness import (
    every_freshness,
    freshness_of,
    hold_members,
    renew_consent_fields,
    set_confirmed,
    set_reminder_state,
)
from graphapp.queries.schema import graph_revision

__all__ = [
    "CONSENT_FIELDS",
    "STEPS",
    "Timing",
    "add_months",
    "ago",
    "confirm_profile",
    "confirmation_token",
    "due_at",
    "is_stale",
    "last_confirmed",
    "member_of_confirmation_token",
    "next_step",
    "remind",
    "renew_consent",
    "stale_coverage",
    "stale_members",
    "status_of",
]

#: The choices a lapsed member makes again before they come back.
CONSENT_FIELDS = ("email_visibility", "suggestible", "introductions")
#: What :func:`remind` can do to a member, in order.
STEPS = ("first", "second", "lapse")


@dataclass(frozen=True)
class Timing:
    """How long a confirmation lasts (months) and how long each reminder waits for an answer (days)."""

    months: int = 12
    days: int = 30

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Timing:
        """From the GRAPHAPP_CONFIRM_MONTHS and GRAPHAPP_REMINDER_DAYS settings; a clear error if unusable."""
        values = {}
        for name, key in (("months", "GRAPHAPP_CONFIRM_MONTHS"), ("days", "GRAPHAPP_REMINDER_DAYS")):
            raw = config.get(key)
            try:
                values[name] = int(raw if raw not in (None, "") else getattr(cls, name))
            except (TypeError, ValueError):
                raise ValueError(f"{key} must be a whole number, not {raw!r}") from None
            if values[name] < 1:
                raise ValueError(f"{key} must be at least 1, not {values[name]}")
        return cls(**values)


def parse(stamp: str | None) -> datetime | None:
    """An ISO 8601 date or time as an aware UTC time; None for an empty or unreadable one.

    >>> parse("2025-03-01"), parse(""), parse("2025-03-01T10:00:00+01:00")
    (datetime.datetime(2025, 3, 1, 0, 0, tzinfo=datetime.timezone.utc), None, datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.timezone.utc))
    """
    if not stamp:
        return None
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def add_months(at: datetime, months: int) -> datetime:
    """``at`` moved on by calendar months, the day kept where the month has it (else its last day).

    >>> add_months(datetime(2025, 1, 31, tzinfo=UTC), 1).date(), add_months(datetime(2024, 2, 29), 12).date()
    (datetime.date(2025, 2, 28), datetime.date(2025, 2, 28))
    """
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def last_confirmed(member: Mapping[str, Any]) -> str:
    """When the member last confirmed their profile: ``confirmed``, else ``joined``, else '' (never)."""
    return str(member.get("confirmed") or member.get("joined") or "")


def due_at(member: Mapping[str, Any], timing: Timing) -> datetime | None:
    """When the member's profile is due for confirming; None: it never was confirmed (due now)."""
    last = parse(last_confirmed(member))
    return add_months(last, timing.months) if last else None


def next_step(member: Mapping[str, Any], now: datetime, timing: Timing) -> str | None:
    """What :func:`remind` does to the member now: "first" or "second" reminder, "lapse", or None.

    >>> t, now = Timing(12, 30), datetime(2026, 6, 1, tzinfo=UTC)
    >>> next_step({"joined": "2025-07-01"}, now, t), next_step({"joined": "2025-05-01"}, now, t)
    (None, 'first')
    >>> next_step({"joined": "2025-05-01", "reminders": "1", "reminded": "2026-05-10"}, now, t)
    >>> next_step({"joined": "2025-05-01", "reminders": "1", "reminded": "2026-05-01"}, now, t)
    'second'
    >>> next_step({"joined": "2025-05-01", "reminders": "2", "reminded": "2026-05-01"}, now, t)
    'lapse'
    >>> next_step({"joined": "2025-05-01", "reminders": "2", "reminded": "2026-05-01", "lapsed": "2026-05-31"}, now, t)
    """
    if member.get("lapsed"):
        return None
    sent = str(member.get("reminders") or "")
    if not sent:
        due = due_at(member, timing)
        return "first" if due is None or due <= now else None
    reminded = parse(member.get("reminded"))
    if reminded is not None and now < reminded + timedelta(days=timing.days):
        return None
    return "second" if sent == "1" else "lapse"


def is_stale(member: Mapping[str, Any], now: datetime, timing: Timing) -> bool:
    """Past the confirm time, reminded, or lapsed."""
    if member.get("lapsed") or member.get("reminders"):
        return True
    due = due_at(member, timing)
    return due is None or due <= now


def status_of(member: Mapping[str, Any]) -> str:
    """Where the member stands, in words for coordinators.

    >>> status_of({"reminders": "2"}), status_of({"lapsed": "2026-01-02T03:04:05+00:00"})
    ('reminded twice, no answer yet', 'left out of suggestions since Jan 2, 2026')
    """
    from graphapp.i18n import _, day

    if member.get("lapsed"):
        return str(_("left out of suggestions since %(day)s", day=day(str(member["lapsed"]))))
    return str(
        {
            "": _("due for a reminder"),
            "1": _("reminded once, no answer yet"),
            "2": _("reminded twice, no answer yet"),
        }.get(str(member.get("reminders") or ""), _("reminded"))
    )


def ago(stamp: str | None, now: datetime) -> str:
    """How long ago ``stamp`` was, in words ("never" for none).

    >>> now = datetime(2026, 6, 1, tzinfo=UTC)
    >>> [ago(s, now) for s in ("", "2026-06-01", "2026-05-31", "2026-05-20", "2026-02-20", "2025-05-01", "2023-01-01")]
    ['never', 'today', 'yesterday', '12 days ago', '3 months ago', '1 year ago', '3 years ago']
    """
    from flask_babel import ngettext

    from graphapp.i18n import _

    at = parse(stamp)
    if at is None:
        return str(_("never"))
    days = (now - at).days
    if days < 1:
        return str(_("today"))
    if days == 1:
        return str(_("yesterday"))
    if days < 45:
        return str(ngettext("%(num)d day ago", "%(num)d days ago", days))
    if days < 365:
        return str(ngettext("%(num)d month ago", "%(num)d months ago", round(days / 30.44)))
    return str(ngettext("%(num)d year ago", "%(num)d years ago", days // 365))


# --- The link in a reminder ---------------------------------------------------------------------------

_CONFIRMATION = "graphapp profile confirmation"


#: How many reminder periods (GRAPHAPP_REMINDER_DAYS) a reminder's link lasts: long enough for the
#: second reminder and for a lapsed member to come back, not for ever (a forwarded or kept mail would
#: otherwise change a member's consent years later). After that, the member signs in and confirms
#: from their own profile, which shows a fresh link.
LINK_PERIODS = 3


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_CONFIRMATION)


def link_days(config: Mapping[str, Any]) -> int:
    """How many days a confirmation link lasts."""
    return LINK_PERIODS * Timing.from_config(config).days


def confirmation_token(member: str) -> str:
    """A token, signed with the app's secret key and dated, that opens ``member``'s confirmation page
    without signing in (the link in a reminder) for :func:`link_days`. It names the member and nothing
    else."""
    return _signer().dumps(member)


def member_of_confirmation_token(token: str) -> str | None:
    """The member a confirmation token was made for, or None if this site did not make it or it is older
    than :func:`link_days`."""
    try:
        member = _signer().loads(token, max_age=link_days(current_app.config) * 86400)
    except BadSignature:  # (SignatureExpired is one)
        return None
    return member if isinstance(member, str) else None


# --- Actions: fn(tx, ...), one transaction each, in the history ----------------------------------------


def _subject(member: str) -> str:
    return f"member:{member}"


def confirm_profile(tx: Tx, member: str, at: str, how: str = "confirmed their profile") -> bool:
    """The member confirms their profile at ``at`` (an ISO time): recorded, the reminders start again.
    A lapsed member stays lapsed until they renew their consent (:func:`renew_consent`). False: no such
    member."""
    hold_members(tx, [member])  # (first: a reminder being decided meanwhile has committed, or waits)
    found = freshness_of(tx, [member])
    if not found or not set_confirmed(tx, member, at):
        return False
    old = found[0]
    before: dict[str, Any] = {"confirmed": old["confirmed"]}
    after: dict[str, Any] = {"confirmed": at}
    if old["reminders"]:
        before["reminders"], after["reminders"] = old["reminders"], ""
    history.record(
        tx, "confirm", member=member, subject=_subject(member), summary=how, before=before, after=after
    )
    return True


def renew_consent(tx: Tx, member: str, choices: Mapping[str, str], at: str) -> bool:
    """A member gives their consent choices again (``email_visibility``, ``suggestible``,
    ``introductions``) and confirms their profile: a lapsed member comes back. False: no such member."""
    hold_members(tx, [member])
    found = freshness_of(tx, [member])
    if not found:
        return False
    old = found[0]
    wanted = {f: choices[f] for f in CONSENT_FIELDS}
    if not renew_consent_fields(tx, member, wanted):
        return False
    before = {f: old[f] for f in CONSENT_FIELDS if old[f] != wanted[f]}
    after = {f: wanted[f] for f in CONSENT_FIELDS if old[f] != wanted[f]}
    if old["lapsed"]:
        before["lapsed"], after["lapsed"] = old["lapsed"], ""
    history.record(
        tx,
        "consent",
        member=member,
        subject=_subject(member),
        summary="gave their consent again" if old["lapsed"] else "confirmed their consent",
        before=before,
        after=after,
    )
    return confirm_profile(tx, member, at)


def _reminder_mail(member: Mapping[str, Any], step: str, timing: Timing, language: str) -> tuple[str, str]:
    """A reminder's subject and body, in ``language`` (the member's)."""
    from flask_babel import ngettext

    from graphapp.i18n import _
    from graphapp.mail import link, mail_day, written_in

    url = link("pages.confirm_link", token=confirmation_token(member["id"]))
    last = last_confirmed(member)
    with written_in(language):
        values = {"name": member["name"], "day": mail_day(last, language), "link": url}
        if step == "first":
            subject = _("Is your profile in the network still right?")
            opening = (
                _(
                    "Hello %(name)s,\n\nYour profile in the network has not been confirmed since %(day)s. "
                    "Other members find you, and are suggested to you, by what it says.",
                    **values,
                )
                if last
                else _(
                    "Hello %(name)s,\n\nYour profile in the network has not been confirmed since you joined. "
                    "Other members find you, and are suggested to you, by what it says.",
                    **values,
                )
            )
            warning = ngettext(
                "If there is no answer within %(num)d day of a second reminder, you will be left out of "
                "suggestions to others (your profile is kept) until you confirm it and your choices again.",
                "If there is no answer within %(num)d days of a second reminder, you will be left out of "
                "suggestions to others (your profile is kept) until you confirm it and your choices again.",
                timing.days,
            )
        else:
            subject = _("Reminder: please confirm your profile in the network")
            opening = ngettext(
                "Hello %(name)s,\n\nWe wrote %(num)d day ago asking you to confirm your profile, and have "
                "had no answer.",
                "Hello %(name)s,\n\nWe wrote %(num)d days ago asking you to confirm your profile, and have "
                "had no answer.",
                timing.days,
                **values,
            )
            warning = ngettext(
                "If there is no answer within %(num)d day, you will be left out of suggestions to others "
                "(your profile is kept) until you confirm it and your choices again.",
                "If there is no answer within %(num)d days, you will be left out of suggestions to others "
                "(your profile is kept) until you confirm it and your choices again.",
                timing.days,
            )
        see = _("See it and confirm it in one click, or change it:\n%(link)s", **values)
    return subject, f"{opening}\n\n{see}\n\n{warning}"


def _decide(
    tx: Tx, member: Mapping[str, Any], step: str, stamp: str, timing: Timing
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """Do ``step`` to the member: its mail queued here; its new state and its change returned, to be
    written with the batch's; and what was done (for the command's report)."""
    from graphapp.mail import queue_mail, recipient_language

    mid = member["id"]
    if step == "lapse":
        state = {"id": mid, "reminders": member["reminders"], "reminded": member["reminded"], "lapsed": stamp}
        change = history.change(
            "lapse",
            member=mid,
            subject=_subject(mid),
            summary="left out of suggestions: no answer to two reminders",
            before={"lapsed": ""},
            after={"lapsed": stamp},
        )
        return state, change, {"id": mid, "name": member["name"], "step": step, "mailed": False}
    count = "1" if step == "first" else "2"
    mailed = False
    if member["email"]:
        language = recipient_language(tx, mid)
        subject, body = _reminder_mail(member, step, timing, language)
        mailed = queue_mail(
            tx, "profile_reminder", member["email"], subject, body, member=mid, language=language
        )
    change = history.change(
        "reminder",
        member=mid,
        subject=_subject(mid),
        summary=f"{step} reminder "
        + ("mailed" if mailed else "not mailed (no address, or reminders turned off)"),
        before={"reminders": member["reminders"], "reminded": member["reminded"]},
        after={"reminders": count, "reminded": stamp},
    )
    state = {"id": mid, "reminders": count, "reminded": stamp, "lapsed": ""}
    return state, change, {"id": mid, "name": member["name"], "step": step, "mailed": mailed}


def remind_batch(tx: Tx, ids: list[str], stamp: str, timing: Timing) -> list[dict[str, Any]]:
    """Lock these members, read their state again (another process may have reminded them meanwhile),
    and remind or lapse those still due, in this write transaction."""
    hold_members(tx, ids)
    now = parse(stamp)
    assert now is not None
    states, changes, done = [], [], []
    for member in sorted(freshness_of(tx, ids), key=lambda m: m["id"]):
        step = next_step(member, now, timing)
        if step:
            state, change, row = _decide(tx, member, step, stamp, timing)
            states.append(state)
            changes.append(change)
            done.append(row)
    if states:
        set_reminder_state(tx, states)
        history.record_many(tx, changes)
    return done


def plan_reminders(rows: Sequence[Mapping[str, Any]], now: datetime, timing: Timing) -> list[dict[str, Any]]:
    """Who would be reminded or left out now, and how (id, name, step), by id."""
    planned = []
    for m in sorted(rows, key=lambda m: m["id"]):
        step = next_step(m, now, timing)
        if step:
            planned.append({"id": m["id"], "name": m["name"], "step": step, "mailed": bool(m["email"])})
    return planned


def remind(
    store: Store,
    timing: Timing,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = 200,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Send the reminders that are due and leave out those who answered neither: what was done (or, with
    ``dry_run``, would be), one row per member (``id``, ``name``, ``step``, ``mailed``). Needs an app
    context and a request context for the mails' links (as the CLI makes). Safe to run any number of times
    and from several processes at once."""
    at = now or datetime.now(UTC)
    planned = plan_reminders(store.read(every_freshness), at, timing)
    if dry_run:
        return planned
    stamp = at.isoformat(timespec="seconds")
    done: list[dict[str, Any]] = []
    for start in range(0, len(planned), batch):
        ids = [p["id"] for p in planned[start : start + batch]]
        for row in store.write(remind_batch, ids, stamp, timing):
            done.append(row)
            if progress:
                progress(row)
    return done


# --- Reading ------------------------------------------------------------------------------------------


def stale_members(tx: Tx, now: datetime, timing: Timing) -> list[dict[str, Any]]:
    """The stale profiles (past the confirm time, reminded or lapsed), lapsed first, then the longest
    unconfirmed: each with ``last`` (last confirmed), ``ago``, ``status`` and whether it can be mailed."""
    rows = []
    for m in every_freshness(tx):
        if not is_stale(m, now, timing):
            continue
        last = last_confirmed(m)
        off = "profile_reminder" in (m["mail_off"] or "").split(",")
        rows.append(
            {
                **m,
                "last": last,
                "ago": ago(last, now),
                "status": status_of(m),
                "mailable": bool(m["email"]) and not off,
            }
        )
    rows.sort(key=lambda r: (not r["lapsed"], r["last"], r["name"], r["id"]))
    return rows


def stale_coverage(tx: Tx, now: datetime, timing: Timing) -> dict[str, Any]:
    """For the coverage report: how many profiles are stale (``stale``, of them ``reminded`` and
    ``lapsed``, of ``members``), how much of each gap rests on them and which topics' experts are all
    stale (:func:`graphapp.analytics.coverage.stale_share`). Kept per graph revision and day."""

    def build() -> dict[str, Any]:
        report = reports.coverage_report(tx)
        index = reports.interest_index(tx)
        rows = every_freshness(tx)
        stale = [r for r in rows if is_stale(r, now, timing)]
        ids = {r["id"] for r in stale}
        mask = np.array([m in ids for m in index.member_ids], dtype=bool)
        return {
            "members": len(rows),
            "stale": len(stale),
            "reminded": sum(1 for r in stale if r["reminders"] and not r["lapsed"]),
            "lapsed": sum(1 for r in stale if r["lapsed"]),
            **stale_share(index, report["gaps"], mask),
        }

    revision = (graph_revision(tx), now.date().isoformat(), timing)
    return tx.derived.get("stale-coverage", revision, build)

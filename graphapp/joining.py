"""Asking to join: checking a request, confirming its address, and a coordinator's approval or decline.

No Flask views here (they are in :mod:`graphapp.pages.join`); the mails are queued with
:func:`graphapp.mail.queue_mail` in the transaction of the action that causes them, so these functions
need an app context for the links. The statements are in :mod:`graphapp.queries.joining`.

A request's life: the form is checked (:func:`check_request`), stored unconfirmed with the SHA-256 of a
confirmation token whose link is mailed (:func:`submit_request`); following the link confirms it
(:func:`confirm_request`), and if the address's domain is trusted approves it at once. Otherwise a
coordinator approves (:func:`approve_request`: the member, their organisation, topics, workstreams, choices,
their issue as an open ask and an account invitation, in one transaction) or declines with a reason
(:func:`decline_request`). Unconfirmed requests expire after ``GRAPHAPP_JOIN_DAYS`` days; expired ones are
refused at once and deleted by the next request, confirmation or decision (:func:`drop_stale`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from flask_babel import ngettext

from graphapp.accounts import INVITATION_DAYS, SignInLimit, token_hash
from graphapp.asks import mail_the_experts
from graphapp.i18n import _, _l, current_language, word
from graphapp.ingest.normalise import lookup_country, member_id, normalise_email, slugify
from graphapp.ingest.plan import apply_plan, name_key, plan_import
from graphapp.ingest.problems import ImportRejected
from graphapp.ingest.readers import RawRow, Table
from graphapp.mail import language_or_english, link, mail_day, queue_mail, written_in
from graphapp.queries import history
from graphapp.queries.accounts import create_invitation
from graphapp.queries.asks import ASK_KINDS, create_ask
from graphapp.queries.cypher import Store, Tx
from graphapp.queries.introductions import set_introductions
from graphapp.queries.joining import (
    confirm_request as mark_confirmed,
)
from graphapp.queries.joining import (
    create_request,
    decide_request,
    drop_stale_requests,
    is_trusted_domain,
    join_request,
    join_request_by_token,
    members_at,
    members_with_emails,
)
from graphapp.queries.mail import set_language
from graphapp.queries.members import member_exists
from graphapp.queries.schema import ALL_NODES, EMAIL_VISIBILITY, INTRODUCTIONS, LEVELS, SUGGESTIBLE
from graphapp.uploads import said

__all__ = [
    "ISSUE_KINDS",
    "LIMITS",
    "ApprovalRefused",
    "JoinLimits",
    "approve_request",
    "check_request",
    "confirm_request",
    "decline_request",
    "domain_problem",
    "duplicates",
    "follow_confirmation",
    "form_catalog",
    "read_form",
    "submit_request",
]

ISSUE_KINDS = ASK_KINDS  # (the issue becomes an ask: the same kinds)
#: The most characters each text field of the form may hold (and the most topics and workstreams).
LIMITS = {
    "name": 200,
    "email": 254,
    "new_organisation": 200,
    "country": 100,
    "title": 200,
    "issue_text": 2000,
    "reason": 2000,
    "topics": 60,
    "new_topic": 120,
    "workstreams": 30,
    "issue_topics": 10,
}
#: The default number of days an unconfirmed request waits for its link to be followed.
DEFAULT_DAYS = 3
#: How long a declined request is kept (so that coordinators can see what was declined lately).
DECLINED_DAYS = 30
#: The form's fields as its problems name them (lazy: in the reader's language when shown).
FIELD_LABELS: dict[str, Any] = {
    "name": _l("Name"),
    "email": _l("Email"),
    "organisation": _l("Organisation"),
    "new_organisation": _l("New organisation"),
    "country": _l("Country"),
    "title": _l("Title"),
    "topics": _l("Topics"),
    "new_topic": _l("New topic"),
    "workstreams": _l("Workstreams"),
    "issue_kind": _l("Kind of issue"),
    "issue_text": _l("Issue"),
    "issue_topics": _l("Topics of the issue"),
    "email_visibility": _l("Who sees my email"),
    "suggestible": _l("May I be suggested"),
    "introductions": _l("May others ask to be introduced"),
}


class FormData(Protocol):
    """What a submitted form offers (Werkzeug's MultiDict): one value, or every value of a field."""

    def get(self, key: str) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


def now_iso() -> str:
    """Now, in UTC, to the microsecond (so that requests made in one second keep their order)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _later(now: str, days: float, timespec: str = "microseconds") -> str:
    return (datetime.fromisoformat(now) + timedelta(days=days)).isoformat(timespec=timespec)


# --- The form ---------------------------------------------------------------------------------------------


def form_catalog(tx: Tx) -> dict[str, list[dict[str, Any]]]:
    """What the form offers: every topic in use and every organisation (id and name) by name, every
    workstream by id."""

    def listed(label: str) -> list[dict[str, Any]]:
        # (a retired topic is offered for nothing new)
        rows = [r for r in ALL_NODES[label].run(tx) if r.get("status") != "retired" or label != "Topic"]
        return sorted(({"id": r["id"], "name": r["name"] or r["id"]} for r in rows), key=_by_name)

    return {
        "topics": listed("Topic"),
        "organisations": listed("Organisation"),
        "workstreams": sorted(
            listed("Workstream"), key=lambda w: w["id"]
        ),  # (WS1, WS2...: the group's order)
    }


def _by_name(row: dict[str, Any]) -> tuple[str, str]:
    return (str(row["name"]).casefold(), row["id"])


def read_form(form: FormData) -> dict[str, Any]:
    """The form's values as typed (texts stripped; the topics as {topic id: level}), to check and to show
    again when something is wrong."""
    text = {
        f: str(form.get(f) or "").strip()
        for f in (
            "name",
            "email",
            "organisation",
            "new_organisation",
            "country",
            "title",
            "issue_kind",
            "issue_text",
            "email_visibility",
            "suggestible",
            "introductions",
            "website",
            "new_topic",
            "new_topic_level",
            "new_topic_anyway",
        )
    }
    topics = {str(t): str(form.get(f"level-{t}") or "") for t in form.getlist("topic")}
    return {
        **text,
        "topics": topics,
        "workstreams": [str(w) for w in form.getlist("workstream")],
        "issue_topics": [str(t) for t in form.getlist("issue_topic")],
    }


def check_request(typed: dict[str, Any], catalog: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """What is wrong with a request, field by field (an empty dict: nothing). ``typed`` is
    :func:`read_form`'s; a proposed organisation that names one the network has becomes that one
    (``typed`` is changed in place)."""
    problems: dict[str, str] = {}
    for f, most in LIMITS.items():
        value = typed.get(f)
        if isinstance(value, str) and len(value) > most:
            problems[f] = ngettext(
                "is too long: at most %(num)d character (this has %(length)d).",
                "is too long: at most %(num)d characters (this has %(length)d).",
                most,
                length=len(value),
            )
        elif isinstance(value, dict | list) and len(value) > most:
            problems[f] = _("has too many: at most %(most)d.", most=most)
    if not typed["name"]:
        problems.setdefault("name", _("is empty: give your name as colleagues know it."))
    if not typed["email"]:
        problems.setdefault("email", _("is empty: the request is confirmed by a mail to this address."))
    elif normalise_email(typed["email"]) is None:
        problems.setdefault("email", _("is not an email address (it should look like name@example.org)."))
    organisations = {o["id"]: o for o in catalog["organisations"]}
    if typed["organisation"] and typed["new_organisation"]:
        problems["organisation"] = _("pick one from the list or propose a new one, not both.")
    elif typed["organisation"] and typed["organisation"] not in organisations:
        problems["organisation"] = _("is not an organisation of the network; pick one from the list.")
    elif typed["new_organisation"]:
        held = {name_key(o["name"]): o["id"] for o in catalog["organisations"]}
        found = held.get(name_key(typed["new_organisation"]))
        if found and "new_organisation" not in problems:  # (one the network has, spelt another way)
            typed["organisation"], typed["new_organisation"] = found, ""
    elif not typed["organisation"]:
        problems["organisation"] = _("is empty: pick your organisation, or propose it if it is not listed.")
    if not typed["country"]:
        problems["country"] = _("is empty: give the country you work in.")
    elif "country" not in problems and lookup_country(typed["country"]) is None:
        problems["country"] = _("is not a country; give its English name or a code such as NLD or NL.")
    topics = {t["id"] for t in catalog["topics"]}
    _check_new_topic(typed, catalog, problems)
    if not typed["topics"] and not typed.get("new_topic"):
        problems["topics"] = _("need at least one: tick a topic you work on and pick your level.")
    elif "topics" not in problems:
        unknown = sorted(t for t in typed["topics"] if t not in topics)
        bad_level = sorted(t for t, level in typed["topics"].items() if level not in LEVELS)
        if unknown:
            problems["topics"] = _("pick topics from the list only (a new topic cannot be proposed here).")
        elif bad_level:
            problems["topics"] = _("pick a level for each topic: %(levels)s.", levels=_levels())
    workstreams = {w["id"] for w in catalog["workstreams"]}
    if "workstreams" not in problems and any(w not in workstreams for w in typed["workstreams"]):
        problems["workstreams"] = _("pick workstreams from the list only.")
    kinds = ", ".join(word(k, "ask_kind") for k in ISSUE_KINDS)
    if typed["issue_kind"] and typed["issue_kind"] not in ISSUE_KINDS:
        problems["issue_kind"] = _("must be one of %(values)s.", values=kinds)
    if typed["issue_text"] and not typed["issue_kind"]:
        problems["issue_kind"] = _("say what kind of issue it is: %(kinds)s.", kinds=kinds)
    if typed["issue_kind"] and not typed["issue_text"] and "issue_text" not in problems:
        problems["issue_text"] = _("is empty: say in a few words what you want to discuss.")
    if "issue_topics" not in problems and any(t not in topics for t in typed["issue_topics"]):
        problems["issue_topics"] = _("pick topics from the list only.")
    for f, allowed in (
        ("email_visibility", EMAIL_VISIBILITY),
        ("suggestible", SUGGESTIBLE),
        ("introductions", INTRODUCTIONS),
    ):
        if typed[f] not in allowed:
            problems[f] = _("must be one of %(values)s.", values=", ".join(allowed))
    return problems


def _levels() -> str:
    return ", ".join(word(level, "level") for level in LEVELS)


def _check_new_topic(
    typed: dict[str, Any], catalog: dict[str, list[dict[str, Any]]], problems: dict[str, str]
) -> None:
    """A topic proposed on the form: one the network has (any spelling) is ticked instead; one close to a
    topic it has is a problem saying "did you mean", until the person says to propose it anyway."""
    from graphapp.ingest.normalise import closest

    name = " ".join(str(typed.get("new_topic") or "").split())
    typed["new_topic"] = name
    if not name or "new_topic" in problems:
        return
    if typed.get("new_topic_level") not in LEVELS:
        problems["new_topic"] = _("pick your level in it: %(levels)s.", levels=_levels())
        return
    held = {name_key(t["name"]): t["id"] for t in catalog["topics"]}
    found = held.get(name_key(name))
    if found:  # (a topic the network has, spelt another way: ticked, with the level given)
        typed["topics"][found] = typed["new_topic_level"]
        typed["new_topic"] = ""
        return
    near = closest(name, {t["name"]: t["name"] for t in catalog["topics"]})
    if near and typed.get("new_topic_anyway") != "yes":
        problems["new_topic"] = _(
            "is close to topics the network has: did you mean %(topics)s? Tick it in the list above, or "
            "tick “propose it anyway” and send again.",
            topics=_(" or ").join(f"‘{n}’" for n in near),
        )
        typed["new_topic_near"] = near


def request_row(typed: dict[str, Any], token: str, now: str, days: float) -> dict[str, Any]:
    """A checked request as it is stored: unconfirmed, with the token's hash only."""
    country = lookup_country(typed["country"])
    return {
        "id": uuid.uuid4().hex,
        "token_hash": token_hash(token),
        "status": "unconfirmed",
        "email": normalise_email(typed["email"]) or "",
        "name": " ".join(typed["name"].split()),
        "organisation": typed["organisation"],
        "new_organisation": " ".join(typed["new_organisation"].split()),
        "country": country.alpha3 if country else "",
        "title": " ".join(typed["title"].split()),
        "topics": [f"{t}:{level}" for t, level in sorted(typed["topics"].items())],
        "new_topics": [f"{typed['new_topic']}:{typed['new_topic_level']}"] if typed.get("new_topic") else [],
        "workstreams": sorted(set(typed["workstreams"])),
        "issue_kind": typed["issue_kind"],
        "issue_text": typed["issue_text"],
        "issue_topics": sorted(set(typed["issue_topics"])),
        "email_visibility": typed["email_visibility"],
        "suggestible": typed["suggestible"],
        "introductions": typed["introductions"],
        "created": now,
        "expires": _later(now, days),
        "confirmed": "",
        "decided": "",
        "decided_by": "",
        "reason": "",
        "member": "",
        "language": language_or_english(typed.get("language") or current_language()),
    }


# --- Abuse: how often one may ask -------------------------------------------------------------------------


def network_of(address: str) -> str:
    """The network an address belongs to, for the limit per network: its /24 (IPv4) or /48 (IPv6, a
    site's usual allocation, so that one site cannot rotate through its addresses).

    >>> network_of("192.0.2.77"), network_of("2001:db8:1:2::5")
    ('192.0.2.0/24', '2001:db8:1::/48')
    >>> network_of("not an address")
    'not an address'
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class JoinLimits:
    """How many requests one address, one network and one email address may send: each is a
    :class:`graphapp.accounts.SignInLimit` on keys of its own (``join-ip:``, ``join-net:``,
    ``join-email:``), counted in the graph so that the limits hold across processes."""

    per_address: SignInLimit = field(default_factory=lambda: SignInLimit(limit=5, window=3600))
    per_network: SignInLimit = field(default_factory=lambda: SignInLimit(limit=20, window=3600))
    per_email: SignInLimit = field(default_factory=lambda: SignInLimit(limit=3, window=3600))

    def wait(self, store: Store, address: str, email: str) -> tuple[str, int]:
        """Count a request; ("", 0) if it may go ahead, else which limit refused it (address, network or
        email) and the seconds until it may be tried again."""
        for what, limit, key in (
            ("network", self.per_network, f"join-net:{network_of(address)}"),
            ("address", self.per_address, f"join-ip:{address}"),
            ("email", self.per_email, f"join-email:{email}"),
        ):
            seconds = limit.wait(store, [key])
            if seconds:
                return what, seconds
        return "", 0


# --- Submitting and confirming ----------------------------------------------------------------------------


def drop_stale(tx: Tx, now: str) -> None:
    """Delete unconfirmed requests past their time and declined ones kept long enough."""
    drop_stale_requests(tx, now, _later(now, -DECLINED_DAYS))


def submit_request(tx: Tx, typed: dict[str, Any], token: str, now: str, days: float) -> str:
    """Store a checked request and queue the mail with its confirmation link; returns the request's id."""
    drop_stale(tx, now)
    row = request_row(typed, token, now, days)
    create_request(tx, row)
    with written_in(row["language"]) as language:
        expires = mail_day(row["expires"], language)
        body = _(
            "Hello %(name)s,\n\n"
            "Someone (we hope you) asked to join graphapp, the network of data science leaders in official "
            "statistics, with this address. To confirm that it is yours, follow this link by "
            "%(day)s:\n\n%(link)s\n\n"
            "A coordinator will then look at your request, and you will get a mail with their answer.",
            name=row["name"],
            day=expires,
            link=link("pages.join_confirm", token=token),
        )
        subject = _("Confirm your request to join graphapp")
    queue_mail(tx, "join_confirm", row["email"], subject, body, language=language)
    return str(row["id"])


def confirm_request(tx: Tx, token: str, now: str) -> dict[str, Any]:
    """Follow a confirmation link: ``{"outcome": ...}`` with ``confirmed`` (it now waits for a
    coordinator; ``trusted`` names its domain if that is a trusted one), ``already`` (confirmed before;
    ``status`` says how it stands) or ``unknown`` (no such link, or it expired). Changes nothing of the
    network: run it with ``store.bookkeep``."""
    drop_stale(tx, now)
    found = join_request_by_token(tx, token_hash(token))
    if found is None or (found["status"] == "unconfirmed" and found["expires"] < now):
        return {"outcome": "unknown"}
    if found["status"] != "unconfirmed":
        return {"outcome": "already", "status": found["status"], "request": found}
    mark_confirmed(tx, found["id"], now)
    domain = found["email"].rpartition("@")[2]
    return {
        "outcome": "confirmed",
        "request": found,
        "trusted": domain if is_trusted_domain(tx, domain) else "",
    }


def follow_confirmation(store: Store, token: str) -> dict[str, Any]:
    """A confirmation link followed: the request confirmed (bookkeeping, which leaves the network's
    revision alone, so that links, good or bad, never make the suggestions be rebuilt) and, if its domain
    is trusted, approved at once in a write of its own (``outcome`` is then ``approved``). An approval
    that is refused (the address is already a member's) leaves the request for a coordinator."""
    outcome = store.bookkeep(confirm_request, token, now_iso())
    if outcome.get("trusted"):
        try:
            store.write(
                approve_request,
                outcome["request"]["id"],
                f"domain:{outcome['trusted']}",
                new_token(),
                now_iso(),
            )
        except ApprovalRefused:
            return outcome
        outcome["outcome"] = "approved"
    return outcome


# --- Duplicates -------------------------------------------------------------------------------------------


def duplicates(tx: Tx, requests: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """For each request, the members it may duplicate: the same email, or the same name (any case, any
    accents) at the same organisation. {request id: [{"id", "name", "why"}]}."""
    by_email: dict[str, list[dict[str, Any]]] = {}
    for m in members_with_emails(tx, [r["email"] for r in requests]):
        by_email.setdefault(m["email"], []).append(m)
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for m in members_at(tx, [r["organisation"] for r in requests if r["organisation"]]):
        by_name.setdefault((m["organisation"], slugify(m["name"] or "")), []).append(m)
    out: dict[str, list[dict[str, str]]] = {}
    for r in requests:
        found: dict[str, dict[str, str]] = {}
        for m in by_email.get(r["email"], []):
            found[m["id"]] = {"id": m["id"], "name": m["name"], "why": _("the same email address")}
        for m in by_name.get((r["organisation"], slugify(r["name"] or "")), []):
            found.setdefault(
                m["id"],
                {"id": m["id"], "name": m["name"], "why": _("the same name at the same organisation")},
            )
        out[r["id"]] = sorted(found.values(), key=lambda m: (m["name"], m["id"]))
    return out


# --- Deciding ---------------------------------------------------------------------------------------------


class ApprovalRefused(Exception):
    """A request cannot be approved as it stands (nothing was written); the message says why."""


def _names(tx: Tx, label: str) -> dict[str, str]:
    return {r["id"]: r["name"] or r["id"] for r in ALL_NODES[label].run(tx)}


def approve_request(tx: Tx, request_id: str, decided_by: str, invitation_token: str, now: str) -> str:
    """Approve a confirmed request, all in this transaction: the member (made as an import of one row
    makes one: id from the email, country and region, the organisation picked or a new one, topics with
    levels, workstreams as a member, their choices), their issue as an open ask, an invitation to an
    account tied to them and its mail. Returns the new member's id; raises ApprovalRefused."""
    found = join_request(tx, request_id)
    if found is None or found["status"] != "confirmed":
        raise ApprovalRefused(_("This request is not waiting for a decision (it was decided or withdrawn)."))
    email = found["email"]
    same = members_with_emails(tx, [email])
    if same:
        raise ApprovalRefused(
            _(
                "%(name)s is already a member with this email address: decline this request, saying so.",
                name=same[0]["name"],
            )
        )
    member = member_id(email)
    if member_exists(tx, member):
        raise ApprovalRefused(
            _("A member made from this email address exists already (under another address).")
        )
    organisation = found["new_organisation"]
    if found["organisation"]:
        organisation = _names(tx, "Organisation").get(found["organisation"], "")
        if not organisation:
            raise ApprovalRefused(_("The organisation this request picked is no longer in the network."))
    topic_names, workstreams = _names(tx, "Topic"), _names(tx, "Workstream")
    topics = [(t, level) for t, _, level in (item.rpartition(":") for item in found["topics"] or [])]
    values = {
        "id": member,
        "name": found["name"],
        "email": email,
        "title": found["title"],
        "country": found["country"],
        "organisation": organisation,
        # (by name: the import finds each topic by any of its spellings; gone topics are left out)
        "topics": "; ".join(f"{topic_names[t]}:{level}" for t, level in topics if t in topic_names),
        "workstreams": "; ".join(f"{w}:member" for w in found["workstreams"] or [] if w in workstreams),
        "email_visibility": found["email_visibility"],
        "suggestible": found["suggestible"],
    }
    table = Table(
        "the request to join", "members", tuple(values), [RawRow("the request to join", "", values)]
    )
    try:
        plan = plan_import(tx, [table])
    except ImportRejected as e:
        raise ApprovalRefused("; ".join(said(p.reason) for p in e.problems)) from e
    # Decided first (only a request still waiting is), so that nothing is written for one decided meanwhile.
    if not decide_request(tx, request_id, "approved", now, decided_by, member=member):
        raise ApprovalRefused(_("This request was decided meanwhile."))
    # (the new member's change is of kind "approval"; a domain the network trusts approves by itself)
    with history.acting_as(decided_by) if decided_by.startswith("domain:") else contextlib.nullcontext():
        apply_plan(tx, plan)
        _propose_new_topics(tx, member, found.get("new_topics") or [], now)
        set_introductions(tx, member, found["introductions"] or "yes")
        language = language_or_english(found.get("language"))
        if language != "en":  # (their mails in the language they asked in; unset is English)
            set_language(tx, member, language)
    if found["issue_text"]:
        issue_topics = [t for t in found["issue_topics"] or [] if t in topic_names]
        ask = uuid.uuid4().hex[:12]
        create_ask(tx, ask, member, found["issue_kind"], found["issue_text"], issue_topics, now)
        # (the experts hear of it as of any new ask: a newcomer's first question reaches someone)
        mail_the_experts(
            tx,
            ask,
            {"id": member, "name": found["name"]},
            found["issue_kind"],
            found["issue_text"],
            issue_topics,
        )
    create_invitation(
        tx,
        token_hash(invitation_token),
        "member",
        member,
        _later(now, INVITATION_DAYS, "seconds"),
        decided_by,
    )
    with written_in(language):
        values = {
            "name": found["name"],
            "day": mail_day(_later(now, INVITATION_DAYS, "seconds"), language),
            "link": link("auth.invitation", token=invitation_token),
        }
        if decided_by.startswith("domain:"):
            body = _(
                "Hello %(name)s,\n\nYour request to join graphapp was approved at once: your "
                "organisation's email domain is one the network trusts. Your profile is in the network now. "
                "Create your account (you choose a password) with this link, by %(day)s:\n\n%(link)s\n\n"
                "Use this email address as your login.",
                **values,
            )
        else:
            body = _(
                "Hello %(name)s,\n\nA coordinator approved your request to join graphapp. Your profile is "
                "in the network now. Create your account (you choose a password) with this link, by "
                "%(day)s:\n\n%(link)s\n\nUse this email address as your login.",
                **values,
            )
        subject = _("Welcome to graphapp: create your account")
    # (to the new member: its footer links to their mail preferences, where the other kinds can be turned off)
    queue_mail(tx, "join_approved", email, subject, body, member=member, language=language)
    return member


def _propose_new_topics(tx: Tx, member: str, items: list[str], now: str) -> None:
    """The topics a request proposed become the new member's proposals, waiting for a coordinator; one the
    network has come to have meanwhile is given to them at once."""
    from graphapp.introductions import Refused
    from graphapp.proposals import propose_topic, vocabulary
    from graphapp.queries.proposals import set_interests

    for item in items:
        name, _, level = item.rpartition(":")
        found = vocabulary(tx).find(name)
        if found is not None:
            if found.get("status") != "retired" and level in LEVELS:
                set_interests(tx, [{"member": member, "topic": found["id"], "level": level}], [])
            continue
        try:
            propose_topic(tx, member, name, level, now)
        except Refused:  # (a name that cannot be proposed: the request was checked, so nothing to say)
            continue


def decline_request(tx: Tx, request_id: str, decided_by: str, reason: str, now: str) -> bool:
    """Decline a confirmed request and mail the reason; False if it is not waiting."""
    found = join_request(tx, request_id)
    if found is None or not decide_request(tx, request_id, "declined", now, decided_by, reason=reason):
        return False
    history.record(
        tx,
        "approval",
        subject=f"request:{request_id}",
        summary="request to join declined",
        before={"status": found["status"]},
        after={"status": "declined"},
    )
    with written_in(found.get("language")) as language:
        body = _(
            "Hello %(name)s,\n\nA coordinator of graphapp looked at your request to join the network and "
            "declined it, for this reason:\n\n%(reason)s\n\nYou may ask again at %(link)s if things change.",
            name=found["name"],
            reason=reason,
            link=link("pages.join"),
        )
        subject = _("Your request to join graphapp")
    queue_mail(tx, "join_declined", found["email"], subject, body, language=language)
    return True


def new_token() -> str:
    """A token for a mailed link (only its SHA-256 is stored)."""
    return secrets.token_urlsafe(32)


# --- Trusted domains --------------------------------------------------------------------------------------

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def domain_problem(domain: str) -> str | None:
    """What is wrong with an email domain an admin types, or None.

    >>> domain_problem("stat.example.org") is None, domain_problem("@example.org"), domain_problem("org")
    (True, 'Give the domain only, without @ (e.g. example.org).', 'That is not a domain name such as example.org.')
    """
    if "@" in domain:
        return str(_("Give the domain only, without @ (e.g. example.org)."))
    if not _DOMAIN.match(domain):
        return str(_("That is not a domain name such as example.org."))
    return None

"""Introductions, with consent on both sides, as actions: a member asks to be introduced to another (from
a suggestion, an ask or a profile) with a short note, and the other accepts or declines (by the mailed
link, whose token is kept only as its SHA-256, or signed in). On accept both see each other's email and a
contact is recorded (``via`` introduction, with its date); a decline is told to the asker only, without a
reason. Write functions ``fn(tx, ...)`` shared by the pages and the API (no Flask views here); what they
refuse is a :class:`Refused` with the status and the reason in words.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask_babel import LazyString, force_locale

from graphapp.accounts import token_hash
from graphapp.i18n import WORDS, _, _l
from graphapp.mail import link, queue_mail, recipient_language, written_in
from graphapp.queries import history
from graphapp.queries.asks import ask_by_id
from graphapp.queries.cypher import Tx
from graphapp.queries.introductions import (
    WEEKLY_LIMIT,
    answer_introduction,
    asked_since,
    create_introduction,
    introduction_by_id,
    introduction_partners,
    open_introduction_between,
    person_to_introduce,
    record_contact,
)
from graphapp.queries.introductions import introduction_by_token as find_by_token
from graphapp.wording import INTRODUCTION_FROM

__all__ = ["SUGGESTION_KINDS", "Refused", "answer", "member_of", "request_introduction", "week_ago"]

#: Where an introduction was asked from, in the words of the mail to the person asked (lazy: in their
#: language when the mail is written): the one table of those words, graphapp.i18n's.
MAIL_FROM: dict[str, Any] = WORDS["introduction_from"]

#: The kinds of suggestion (a suggestion's ``kind``): asked from a list that leaves out whoever said no.
SUGGESTION_KINDS = ("peer", "mentor", "mentee", "two-steps")


class Refused(Exception):
    """An action that cannot be done, with the status to answer (404 not there, 409 not now, 429 too
    many) and the reason in words: ``words`` in the reader's language (pages), ``message`` in English
    (the API and the CLI). A reason marked with ``_l`` (or any object whose ``str()`` words it) is
    translated when shown; a plain string is shown as it is."""

    def __init__(self, status: int, message: str | LazyString | object) -> None:
        super().__init__(message)
        self.status = status
        self.reason = message

    @property
    def words(self) -> str:
        """The reason, in the reader's language (for a page)."""
        return str(self.reason)

    @property
    def message(self) -> str:
        """The reason, in English (for the API's JSON and the CLI)."""
        with force_locale("en"):
            return str(self.reason)


def member_of(viewer_member: str | None) -> str:
    if not viewer_member:
        raise Refused(409, _l("Your account is not tied to a member of the network."))
    return viewer_member


def week_ago(now: str) -> str:
    return (datetime.fromisoformat(now) - timedelta(days=7)).isoformat(timespec="seconds")


def request_introduction(
    tx: Tx, asker: str | None, to: str, note: str, kind: str, ask: str, now: str
) -> dict[str, Any]:
    """Ask, as member ``asker``, to be introduced to member ``to``: checked, stored and mailed in this
    transaction. Returns the introduction (``id``, ``to_name``)."""
    me = person_to_introduce(tx, member_of(asker))
    them = person_to_introduce(tx, to)
    if me is None:
        raise Refused(409, _l("Your account's member is no longer in the network."))
    if them is None:
        raise Refused(404, _l("There is no member with the id '%(id)s'.", id=to))
    if them["id"] == me["id"]:
        raise Refused(409, _l("You cannot ask to be introduced to yourself."))
    if them["introductions"] == "no":
        raise Refused(409, _l("%(name)s has chosen not to be introduced to anyone.", name=them["name"]))
    if kind in SUGGESTION_KINDS and them["suggestible"] == "no":
        raise Refused(
            409,
            _l(
                "%(name)s has chosen not to be suggested; you can still ask from their profile.",
                name=them["name"],
            ),
        )
    if kind == "ask":
        found = ask_by_id(tx, ask) if ask else None
        if found is None or found["status"] != "open" or me["id"] not in (found["member"], them["id"]):
            raise Refused(404, _l("There is no open ask of yours (or theirs) with that id."))
    else:
        ask = ""
    if them["id"] in introduction_partners(tx, me["id"]):
        raise Refused(409, _l("You have been introduced to %(name)s already.", name=them["name"]))
    if open_introduction_between(tx, me["id"], them["id"]):
        raise Refused(
            409,
            _l(
                "An introduction between you and %(name)s is already waiting for an answer.",
                name=them["name"],
            ),
        )
    if asked_since(tx, me["id"], week_ago(now)) >= WEEKLY_LIMIT:
        raise Refused(
            429,
            _l(
                "You have asked for %(limit)s introductions in the last seven days; try again later.",
                limit=WEEKLY_LIMIT,
            ),
        )
    token = secrets.token_urlsafe(32)
    introduction = {
        "id": uuid.uuid4().hex,
        "token_hash": token_hash(token),
        "from_member": me["id"],
        "to_member": them["id"],
        "note": note,
        "kind": kind,
        "ask": ask,
        "status": "asked",
        "created": now,
        "decided": "",
    }
    create_introduction(tx, **introduction)
    history.record(
        tx,
        "introduction",
        member=me["id"],
        subject=f"introduction:{introduction['id']}",
        summary="asked to be introduced",
        after={"status": "asked", "kind": kind},
        about=[them["id"]],
    )
    tx.touched([])  # (an introduction asked for changes no member: what is derived from them is kept)
    if them["email"]:
        # (in their language; the note itself stays in graphapp, for the two of them: never in a mail,
        # which admins may read in the outbox)
        with written_in(recipient_language(tx, them["id"])) as language:
            body = _(
                "%(name)s asks to be introduced to you on graphapp, from %(where)s, with a note for you."
                "\n\nRead it, and accept or decline, here (no need to sign in); if you accept, you both see "
                "each other’s email address and the contact is recorded on both profiles. If you decline, "
                "they are told only that you did not take it up, and nobody else is told:\n%(link)s\n",
                name=me["name"],
                where=MAIL_FROM.get(kind, INTRODUCTION_FROM.get(kind, kind)),
                link=link("pages.introduction_by_token", token=token),
            )
            subject = _("%(name)s asks to be introduced to you", name=me["name"])
        queue_mail(
            tx,
            "introduction_request",
            them["email"],
            subject,
            body,
            member=them["id"],
            about=[me["id"]],
            language=language,
        )
    return {"id": introduction["id"], "to": them["id"], "to_name": them["name"], "status": "asked"}


def answer(
    tx: Tx, accept: bool, now: str, *, introduction: str = "", token: str = "", member: str | None = None
) -> dict[str, Any]:
    """Accept or decline an introduction (by id, answered by ``member``, who must be the one asked; or by
    the token of its mailed link, which is the key): recorded, the contact made (on accept), the asker told
    by mail, in this transaction."""
    found = introduction_by_id(tx, introduction) if introduction else find_by_token(tx, token_hash(token))
    if found is None or (token == "" and found["to_member"] != member):
        raise Refused(404, _l("There is no such introduction waiting for your answer."))
    introduction = found["id"]
    status = "accepted" if accept else "declined"
    if not answer_introduction(tx, introduction, status, now):
        raise Refused(409, _l("This introduction has been answered already."))
    history.record(
        tx,
        "introduction",
        member=found["to_member"],
        subject=f"introduction:{introduction}",
        summary=f"introduction {status}",
        before={"status": found["status"]},
        after={"status": status},
        about=[found["from_member"]],
    )
    asker = person_to_introduce(tx, found["from_member"])
    them = person_to_introduce(tx, found["to_member"])
    if accept and asker and them:
        record_contact(tx, asker["id"], them["id"], now[:10])
    tx.touched([asker["id"], them["id"]] if accept and asker and them else [])  # (suggestions: patched)
    if asker and asker["email"] and them:
        with written_in(recipient_language(tx, asker["id"])) as language:
            if accept:
                text = _(
                    "%(name)s accepted your request to be introduced. You can now write to each other: "
                    "%(email)s.\n\nThe contact is on both your profiles: %(link)s\n",
                    name=them["name"],
                    email=them["email"] or _("they have no email address in graphapp"),
                    link=link("pages.member", member=them["id"]),
                )
                subject = _("%(name)s accepted your introduction", name=them["name"])
            else:
                text = _("%(name)s did not take up your request to be introduced.\n", name=them["name"])
                subject = _("Your request to be introduced to %(name)s", name=them["name"])
        queue_mail(
            tx,
            "introduction_answer",
            asker["email"],
            subject,
            text,
            member=asker["id"],
            about=[them["id"]],
            language=language,
        )
    return {**found, "status": status, "decided": now}


# --- What the pages read --------------------------------------------------------------------------------

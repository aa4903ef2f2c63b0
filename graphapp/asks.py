"""Asks as actions: a member posts an ask (an issue to discuss, technical, strategic or organisational, on
some topics) and the experts best placed to help get a mail; others offer to help (the asker gets a mail);
the asker picks an offer, which introduces the two at once (both consented: one by offering, the other by
picking), and closes the ask as resolved or withdrawn. Write functions ``fn(tx, ...)`` shared by the pages,
the API and joining (no Flask views here); what they refuse is a :class:`~graphapp.introductions.Refused`.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from graphapp import reports
from graphapp.accounts import token_hash
from graphapp.i18n import WORDS, _, _l, word
from graphapp.introductions import Refused
from graphapp.mail import by_language, link, queue_mail, recipient_language, written_in
from graphapp.queries import history
from graphapp.queries.asks import (
    add_offer,
    ask_by_id,
    close_ask,
    create_ask,
    offer_by_id,
    offers_of,
)
from graphapp.queries.cypher import Tx
from graphapp.queries.introductions import (
    create_introduction,
    introduction_partners,
    person_to_introduce,
    record_contact,
)
from graphapp.queries.members import topic_list
from graphapp.queries.schema import LEVELS
from graphapp.queries.vocabulary import retired_topics

__all__ = [
    "HELPERS",
    "MATCH_MAILS",
    "close",
    "mail_the_experts",
    "member_of",
    "offer_help",
    "open_ask",
    "pick_offer",
    "post_ask",
]

#: How many of the best placed helpers get a mail about a new ask on topics they hold as experts.
MATCH_MAILS = 5
#: How many helpers an ask lists.
HELPERS = 10


def member_of(viewer_member: str | None) -> str:
    if not viewer_member:
        raise Refused(409, _l("Your account is not tied to a member of the network."))
    return viewer_member


def post_ask(tx: Tx, asker: str | None, kind: str, text: str, topics: list[str], now: str) -> dict[str, Any]:
    """Store a new ask of member ``asker`` (its body already checked by :class:`graphapp.params.AskBody`)
    and mail the best placed experts, in this transaction. Returns the ask."""
    me = person_to_introduce(tx, member_of(asker))
    if me is None:
        raise Refused(409, _l("Your account's member is no longer in the network."))
    known = {t["id"]: t for t in topic_list(tx)}
    wanted = list(dict.fromkeys(t.strip() for t in topics))
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise Refused(
            404, _l("topics: there is no topic '%(topic)s'; pick topics from the list.", topic=unknown[0])
        )
    retired = [known[t]["name"] for t in wanted if t in retired_topics(tx)]
    if retired:
        raise Refused(
            409,
            _l("topics: '%(topic)s' was retired by a coordinator; pick a topic in use.", topic=retired[0]),
        )
    ask = {"id": uuid.uuid4().hex[:12], "member": me["id"], "kind": kind, "text": text, "topics": wanted}
    create_ask(tx, **ask, created=now)
    record_ask(tx, ask["id"], me["id"], kind, wanted)
    mail_the_experts(tx, ask["id"], me, kind, text, wanted)
    return {**ask, "status": "open", "created": now}


def record_ask(tx: Tx, ask: str, member: str, kind: str, topics: list[str]) -> None:
    """The history of a new ask (its text stays on the ask: the history says what kind, on which topics)."""
    history.record(
        tx,
        "ask",
        member=member,
        subject=f"ask:{ask}",
        summary=f"{kind} ask posted",
        after={"status": "open", "kind": kind, "topics": sorted(topics)},
    )


def mail_the_experts(
    tx: Tx, ask: str, asker: dict[str, Any], kind: str, text: str, topics: list[str]
) -> None:
    """Mail, about a new ask, the experts among the :data:`MATCH_MAILS` best placed to help (in the
    transaction that stores the ask: from the asks page, the API, or a request to join that came with an
    issue to discuss)."""
    by_id = {t["id"]: t["name"] for t in topic_list(tx)}
    names = ", ".join(by_id[t] for t in topics if t in by_id)

    def compose() -> tuple[str, str]:
        """The mail's subject and body (the same for every expert: written once per language)."""
        body = _(
            "%(name)s posted an ask (%(kind)s) on %(topics)s, where you are an expert:\n\n%(text)s\n\n"
            "Offer to help, or just read it: %(link)s\n",
            name=asker["name"],
            kind=word(kind, "ask_kind"),
            topics=names,
            text=text,
            link=link("pages.ask", ask=ask),
        )
        return _("An ask on %(topics)s", topics=names), body

    written = by_language(compose)
    for h in reports.ask_helpers(tx, asker["id"], topics, limit=MATCH_MAILS).helpers:
        if not any(t.level == LEVELS[-1] for t in h.topics):
            continue
        person = person_to_introduce(tx, h.id)
        if person and person["email"]:
            language = recipient_language(tx, h.id)
            subject, body = written(language)
            queue_mail(
                tx,
                "ask_match",
                person["email"],
                subject,
                body,
                member=h.id,
                about=[asker["id"]],
                language=language,
            )


def open_ask(tx: Tx, ask: str) -> dict[str, Any]:
    found = ask_by_id(tx, ask)
    if found is None:
        raise Refused(404, _l("There is no ask with the id '%(id)s'.", id=ask))
    if found["status"] != "open":
        raise Refused(
            409,
            _l(
                "This ask is closed (%(status)s).",
                status=WORDS["ask_status"].get(found["status"], found["status"]),
            ),
        )
    return found


def offer_help(tx: Tx, helper: str | None, ask: str, note: str, now: str) -> dict[str, Any]:
    """Offer, as member ``helper``, to help with an open ask; the asker gets a mail."""
    me = person_to_introduce(tx, member_of(helper))
    found = open_ask(tx, ask)
    if me is None:
        raise Refused(409, _l("Your account's member is no longer in the network."))
    if found["member"] == me["id"]:
        raise Refused(409, _l("This is your own ask."))
    if any(o["member"] == me["id"] for o in offers_of(tx, ask)):
        raise Refused(409, _l("You have offered to help with this ask already."))
    offer = {"id": uuid.uuid4().hex[:12], "ask": ask, "member": me["id"], "note": note}
    add_offer(tx, **offer, created=now)
    asker = person_to_introduce(tx, found["member"])
    if asker and asker["email"]:
        with written_in(recipient_language(tx, asker["id"])) as language:
            values = {"name": me["name"], "text": found["text"], "link": link("pages.ask", ask=ask)}
            if note:
                body = _(
                    "%(name)s offers to help with your ask:\n\n%(text)s\n\nThey left you a note, on the "
                    "ask’s page.\n\nPick their offer to be introduced to each other: %(link)s\n",
                    **values,
                )
            else:
                body = _(
                    "%(name)s offers to help with your ask:\n\n%(text)s\n\n"
                    "Pick their offer to be introduced to each other: %(link)s\n",
                    **values,
                )
            subject = _("%(name)s offers to help", name=me["name"])
        queue_mail(
            tx,
            "ask_offer",
            asker["email"],
            subject,
            body,
            member=asker["id"],
            about=[me["id"]],
            language=language,
        )
    return {**offer, "created": now}


def pick_offer(tx: Tx, asker: str | None, ask: str, offer: str, now: str) -> dict[str, Any]:
    """The asker picks an offer: the two are introduced at once (an accepted introduction from the ask,
    the contact recorded) and the helper gets a mail."""
    me = member_of(asker)
    found = open_ask(tx, ask)
    chosen = offer_by_id(tx, offer)
    if found["member"] != me or chosen is None or chosen["ask"] != ask:
        raise Refused(404, _l("There is no such offer on an ask of yours."))
    if chosen["member"] in introduction_partners(tx, me):
        raise Refused(409, _l("You have been introduced to %(name)s already.", name=chosen["member_name"]))
    create_introduction(
        tx,
        id=uuid.uuid4().hex,
        token_hash=token_hash(secrets.token_urlsafe(32)),  # (answered already: nobody needs the link)
        from_member=me,
        to_member=chosen["member"],
        note="",
        kind="ask",
        ask=ask,
        status="accepted",
        created=now,
        decided=now,
    )
    record_contact(tx, me, chosen["member"], now[:10])
    helper = person_to_introduce(tx, chosen["member"])
    if helper and helper["email"]:
        asker_person = person_to_introduce(tx, me)
        with written_in(recipient_language(tx, helper["id"])) as language:
            email = (asker_person or {}).get("email") or _("no email address in graphapp")
            body = _(
                "%(name)s picked your offer to help with their ask:\n\n%(text)s\n\n"
                "You are introduced: you can now write to each other (%(email)s). "
                "The contact is on both your profiles: %(link)s\n",
                name=found["member_name"],
                text=found["text"],
                email=email,
                link=link("pages.member", member=me),
            )
            subject = _("%(name)s picked your offer", name=found["member_name"])
        queue_mail(
            tx,
            "introduction_answer",
            helper["email"],
            subject,
            body,
            member=helper["id"],
            about=[me],
            language=language,
        )
    return {"ask": ask, "offer": offer, "introduced": chosen["member"], "status": "accepted"}


def close(tx: Tx, asker: str | None, ask: str, outcome: str, now: str) -> dict[str, Any]:
    """The asker closes their ask as resolved or withdrawn."""
    me = member_of(asker)
    found = open_ask(tx, ask)
    if found["member"] != me:
        raise Refused(404, _l("There is no such open ask of yours."))
    close_ask(tx, ask, outcome, now)
    history.record(
        tx,
        "ask",
        member=me,
        subject=f"ask:{ask}",
        summary=f"ask closed as {outcome}",
        before={"status": "open"},
        after={"status": outcome},
    )
    return {**found, "status": outcome, "closed": now}

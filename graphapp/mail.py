"""graphapp's mails: what kinds there are, how one is written and queued, and (below) how the queue is
delivered.

An action queues its mail with :func:`queue_mail` inside its own write transaction (the mail is a
``Mail`` node, :mod:`graphapp.queries.mail`), so the two commit together; delivery happens afterwards,
by the server's worker or ``graphapp mail send-queued``. Every mail has a plain-text part (and an HTML
part made from it), says why it was sent, and, when it is to a member, links to their mail preferences,
where each kind that :data:`KINDS` marks optional can be turned off.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass

from flask import current_app, has_request_context, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from graphapp.accounts import now_iso
from graphapp.queries.cypher import Tx
from graphapp.queries.mail import enqueue, mail_off

__all__ = ["KINDS", "MailKind", "link", "member_of_preferences_token", "preferences_token", "queue_mail"]


@dataclass(frozen=True)
class MailKind:
    """One kind of mail: what members see on their preferences page, and the line that says why it came."""

    label: str
    why: str
    #: Whether a member may turn it off (mails that answer what the person just did cannot be).
    optional: bool = True


#: Every kind of mail graphapp sends.
KINDS: dict[str, MailKind] = {
    "join_confirm": MailKind(
        "Confirming a request to join",
        "You get this mail because someone asked to join graphapp with this address. If it was not you, "
        "ignore it: the request is dropped unless the link is followed.",
        optional=False,
    ),
    "join_approved": MailKind(
        "Your request to join was approved",
        "You get this mail because you asked to join graphapp and a coordinator approved it.",
        optional=False,
    ),
    "join_declined": MailKind(
        "Your request to join was declined",
        "You get this mail because you asked to join graphapp and a coordinator answered.",
        optional=False,
    ),
    "introduction_request": MailKind(
        "Someone asks to be introduced to me",
        "You get this mail because a member of the network asked to be introduced to you.",
    ),
    "introduction_answer": MailKind(
        "My requests for an introduction are answered",
        "You get this mail because you asked to be introduced and the other person answered.",
    ),
    "ask_offer": MailKind(
        "Someone offers to help with my ask",
        "You get this mail because you posted an ask and a member offered to help.",
    ),
    "ask_match": MailKind(
        "A new ask on topics where I am an expert",
        "You get this mail because a member posted an ask on topics you hold as an expert.",
    ),
}


def link(endpoint: str, **values: str) -> str:
    """An absolute link for a mail: on ``GRAPHAPP_BASE_URL`` where it is set, else on the address of the
    request being answered."""
    path = url_for(endpoint, **values)
    base = (current_app.config.get("GRAPHAPP_BASE_URL") or "").rstrip("/")
    if not base and has_request_context():
        base = request.host_url.rstrip("/")
    return base + path


_URL = re.compile(r"https?://[^\s<>\"]+")


def html_part(text: str) -> str:
    """The HTML part of a mail: its text, escaped, with its links clickable.

    >>> html_part("See https://example.org/a?b=1&c=2 <now>")
    '<p>See <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a> &lt;now&gt;</p>'
    """
    out = []
    for paragraph in text.split("\n\n"):
        escaped = html.escape(paragraph, quote=True)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        out.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return "\n".join(out)


def queue_mail(tx: Tx, kind: str, recipient: str, subject: str, body: str, member: str | None = None) -> bool:
    """Queue a mail of ``kind`` in this write transaction; False (nothing queued) if ``member`` turned
    this kind off. ``body`` is plain text; the line saying why it was sent and, for a member, the link to
    their mail preferences are added here. Needs an app context (for the links)."""
    about = KINDS[kind]
    if member and about.optional and kind in mail_off(tx, member):
        return False
    footer = [about.why]
    if member:
        footer.append(
            f"Choose which mails you get: {link('pages.mail_preferences', token=preferences_token(member))}"
        )
    text = body.rstrip() + "\n\n-- \n" + "\n".join(footer) + "\n"
    enqueue(
        tx,
        id=uuid.uuid4().hex,
        recipient=recipient,
        member=member or "",
        kind=kind,
        subject=subject,
        text=text,
        html=html_part(text),
        created=now_iso("microseconds"),
    )
    return True


_PREFERENCES = "graphapp mail preferences"


def preferences_token(member: str) -> str:
    """A token, signed with the app's secret key, that opens ``member``'s mail preferences without signing
    in (the link in every mail to a member). It names the member and nothing else."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_PREFERENCES).dumps(member)


def member_of_preferences_token(token: str) -> str | None:
    """The member a preferences token was made for, or None if it was not made by this site."""
    try:
        member = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_PREFERENCES).loads(token)
    except BadSignature:
        return None
    return member if isinstance(member, str) else None

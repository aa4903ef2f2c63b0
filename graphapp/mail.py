"""graphapp's mails: what kinds there are, how one is written and queued, and (below) how the queue is
delivered.

Every mail is written in its recipient's language (English, French or Russian): the member's own
(:func:`recipient_language`: the one they last chose in the header's chooser while signed in, or that of
the page they asked to join on), or for a request to join the language of its form. Whoever composes a
mail writes its subject and body inside ``with written_in(language):`` (Flask-Babel's ``force_locale``),
so that ``_()`` and :func:`mail_day` speak that language; :func:`queue_mail` writes the footer in it too.
A mail to several people is composed once per language (:func:`by_language`).

An action queues its mail with :func:`queue_mail` inside its own write transaction (the mail is a
``Mail`` node, :mod:`graphapp.queries.mail`), so the two commit together; delivery happens afterwards,
by the server's worker or ``graphapp mail send-queued``. Every mail has a plain-text part (and an HTML
part made from it), says why it was sent, and, when it is to a member, links to their mail preferences,
where each kind that :data:`KINDS` marks optional can be turned off.
"""

from __future__ import annotations

import html
import re
import smtplib
import ssl
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer

from graphapp.accounts import now_iso
from graphapp.i18n import LANGUAGES, _, _l
from graphapp.queries.cypher import Store, Tx
from graphapp.queries.mail import claim_due, enqueue, mail_off, mark, written_language

__all__ = [
    "KINDS",
    "MAX_ATTEMPTS",
    "MailKind",
    "SmtpSettings",
    "by_language",
    "deliver_queued",
    "language_or_english",
    "link",
    "mail_day",
    "member_of_preferences_token",
    "preferences_token",
    "queue_mail",
    "recipient_language",
    "retry_delay",
    "written_in",
]


@dataclass(frozen=True)
class MailKind:
    """One kind of mail: what members see on their preferences page, and the line that says why it came."""

    label: Any  # (lazy strings: translated when shown or written)
    why: Any
    #: Whether a member may turn it off (mails that answer what the person just did cannot be).
    optional: bool = True


#: Every kind of mail graphapp sends.
KINDS: dict[str, MailKind] = {
    "join_confirm": MailKind(
        _l("Confirming a request to join"),
        _l(
            "You get this mail because someone asked to join graphapp with this address. If it was not "
            "you, ignore it: the request is dropped unless the link is followed."
        ),
        optional=False,
    ),
    "join_approved": MailKind(
        _l("Your request to join was approved"),
        _l("You get this mail because you asked to join graphapp and a coordinator approved it."),
        optional=False,
    ),
    "join_declined": MailKind(
        _l("Your request to join was declined"),
        _l("You get this mail because you asked to join graphapp and a coordinator answered."),
        optional=False,
    ),
    "introduction_request": MailKind(
        _l("Someone asks to be introduced to me"),
        _l("You get this mail because a member of the network asked to be introduced to you."),
    ),
    "introduction_answer": MailKind(
        _l("My requests for an introduction are answered"),
        _l("You get this mail because you asked to be introduced and the other person answered."),
    ),
    "ask_offer": MailKind(
        _l("Someone offers to help with my ask"),
        _l("You get this mail because you posted an ask and a member offered to help."),
    ),
    "ask_match": MailKind(
        _l("A new ask on topics where I am an expert"),
        _l("You get this mail because a member posted an ask on topics you hold as an expert."),
    ),
    "profile_reminder": MailKind(
        _l("Reminders to confirm my profile"),
        _l(
            "You get this mail because your profile in the network has not been confirmed for a while. "
            "If you turn these reminders off, you are still left out of suggestions when a profile goes "
            "unconfirmed."
        ),
    ),
    "topic_proposal": MailKind(
        _l("A topic I proposed was declined"),
        _l("You get this mail because you proposed a new topic and a coordinator declined it."),
        optional=False,
    ),
}


def link(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail: on ``GRAPHAPP_BASE_URL`` where it is set (production requires it),
    else, when trying graphapp out, on the address of the request being answered."""
    path = url_for(endpoint, **values)
    base = (current_app.config.get("GRAPHAPP_BASE_URL") or "").rstrip("/")
    if not base and has_request_context():
        base = request.host_url.rstrip("/")
    return base + path


def language_or_english(language: str | None) -> str:
    """``language`` if graphapp speaks it, else English.

    >>> language_or_english("fr"), language_or_english("de"), language_or_english(None)
    ('fr', 'en', 'en')
    """
    return language if language in LANGUAGES else "en"


@contextmanager
def written_in(language: str | None) -> Iterator[str]:
    """Compose a mail in ``language`` (English if graphapp does not speak it): inside, ``_()``,
    ``ngettext`` and :func:`mail_day` speak it, whatever the language of the page being answered.
    Needs an app context."""
    chosen = language_or_english(language)
    with force_locale(chosen):
        yield chosen


def recipient_language(tx: Tx, member: str | None) -> str:
    """The language ``member``'s mails are written in (English if they never chose one)."""
    return language_or_english(written_language(tx, member) if member else "")


def mail_day(value: str | None, language: str) -> str:
    """An ISO day or timestamp as a date in ``language``, for a mail (in a request or not).

    >>> mail_day("2026-11-30T10:00:00+00:00", "fr"), mail_day("2026-11-30", "ru"), mail_day("", "en")
    ('30 nov. 2026', '30 нояб. 2026\\u202fг.', '')
    """
    from graphapp.i18n import day

    return day(value, language=language_or_english(language))


def by_language(compose: Callable[[], Any]) -> Callable[[str], Any]:
    """``compose`` (the words of a mail to several people) made once per language: the function returned
    gives, for a language, what ``compose`` gives inside :func:`written_in` of it, composing it only the
    first time that language is asked for."""
    made: dict[str, Any] = {}

    def in_language(language: str) -> Any:
        chosen = language_or_english(language)
        if chosen not in made:
            with written_in(chosen):
                made[chosen] = compose()
        return made[chosen]

    return in_language


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


def queue_mail(
    tx: Tx,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    member: str | None = None,
    about: Sequence[str] = (),
    language: str | None = None,
) -> bool:
    """Queue a mail of ``kind`` in this write transaction; False (nothing queued) if ``member`` turned
    this kind off. ``body`` is plain text, written (with ``subject``) in the recipient's language; the line
    saying why it was sent and, for a member, the link to their mail preferences are added here, in
    ``language`` (by default the member's own, :func:`recipient_language`); ``about``: the other members
    the mail speaks of (forgetting one of them drops it while it waits). Needs an app context (for the
    links)."""
    what = KINDS[kind]
    if member and what.optional and kind in mail_off(tx, member):
        return False
    with written_in(language or recipient_language(tx, member)):
        footer = [str(what.why)]
        if member:
            preferences = link("pages.mail_preferences", token=preferences_token(member))
            footer.append(_("Choose which mails you get: %(link)s", link=preferences))
    text = body.rstrip() + "\n\n-- \n" + "\n".join(footer) + "\n"
    enqueue(
        tx,
        id=uuid.uuid4().hex,
        recipient=recipient,
        member=member or "",
        about=sorted(set(about)),
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


# --- Delivery ---------------------------------------------------------------------------------------------

#: How long a deliverer's claim on a mail lasts: one that stops mid-send leaves it due again after this.
LEASE = timedelta(minutes=5)
#: After this many failed attempts a mail is given up ("failed") and shown to admins.
MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before the next try after ``attempts`` failed ones: doubling from one minute,
    at most six hours.

    >>> [int(retry_delay(n).total_seconds() // 60) for n in (1, 2, 3, 9, 12)]
    [1, 2, 4, 256, 360]
    """
    return min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes, from the GRAPHAPP_SMTP_* and GRAPHAPP_MAIL_FROM settings; no host: the outbox."""

    host: str
    port: int
    security: str  # starttls, tls or none
    user: str
    password: str
    sender: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        security = str(config.get("GRAPHAPP_SMTP_SECURITY") or "starttls").strip().lower()
        if security not in ("starttls", "tls", "none"):
            raise ValueError(f"GRAPHAPP_SMTP_SECURITY must be starttls, tls or none, not {security!r}")
        return cls(
            host=str(config.get("GRAPHAPP_SMTP_HOST") or ""),
            port=int(config.get("GRAPHAPP_SMTP_PORT") or 25),
            security=security,
            user=str(config.get("GRAPHAPP_SMTP_USER") or ""),
            password=str(config.get("GRAPHAPP_SMTP_PASSWORD") or ""),
            sender=str(config.get("GRAPHAPP_MAIL_FROM") or "graphapp@localhost"),
        )

    def connect(self, timeout: float = 30) -> smtplib.SMTP:
        """A connection to the mail server, secured and signed in as the settings say. Certificates are
        checked against the system's trusted authorities (``SSL_CERT_FILE`` adds one)."""
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if self.security == "tls":
            server = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=timeout)
        try:
            if self.security == "starttls":
                server.starttls(context=context)
            if self.user:
                server.login(self.user, self.password)
        except BaseException:
            server.close()
            raise
        return server


def message(mail: Mapping[str, Any], sender: str) -> EmailMessage:
    """A queued mail as a message: its plain-text part, then the HTML part made from the same text."""
    out = EmailMessage()
    out["From"] = sender
    out["To"] = mail["recipient"]
    out["Subject"] = mail["subject"]
    out["Date"] = formatdate(localtime=False)
    out["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    out["Auto-Submitted"] = "auto-generated"  # (RFC 3834: out-of-office replies are not sent back)
    out.set_content(mail["text"])
    if mail.get("html"):
        out.add_alternative(mail["html"], subtype="html")
    return out


def deliver_queued(
    store: Store, config: Mapping[str, Any], now: datetime | None = None, batch: int = 50
) -> dict[str, int]:
    """Deliver every due mail once: through the mail server the settings name, or, with none, to the
    outbox. Returns how many were sent, kept in the outbox, put back for a later try, and given up.

    Each batch is claimed in a write transaction first, so that several processes delivering at once
    never send a mail twice; what became of each is written after the batch is sent. A failure never
    loses a mail: it is tried again later (doubling waits, :func:`retry_delay`) until
    :data:`MAX_ATTEMPTS`, then kept as failed for admins, who can put it back in the queue.
    """
    settings = SmtpSettings.from_config(config)
    claim = uuid.uuid4().hex
    tally = {"sent": 0, "outbox": 0, "retry": 0, "failed": 0}
    while True:
        at = now or datetime.now(UTC)
        stamp = at.isoformat(timespec="microseconds")
        claimed = store.bookkeep(
            claim_due, claim, stamp, (at + LEASE).isoformat(timespec="microseconds"), batch
        )
        if not claimed:
            return tally
        outcomes = _send(settings, claimed, at)
        store.bookkeep(mark, claim, outcomes)
        for row in outcomes:
            tally[row["tally"]] += 1
        if len(claimed) < batch or now is not None:
            return tally


def _send(settings: SmtpSettings, mails: list[dict[str, Any]], at: datetime) -> list[dict[str, Any]]:
    stamp = at.isoformat(timespec="microseconds")
    if not settings.host:
        return [_outcome(m, "outbox", m["attempts"], stamp, "", stamp) for m in mails]
    try:
        server = settings.connect()
    except (OSError, smtplib.SMTPException) as e:  # the server is down or refuses us: every mail waits
        return [_failed(m, at, f"cannot reach the mail server: {e}", permanent=False) for m in mails]
    outcomes = []
    with server:
        for m in mails:
            try:
                server.send_message(message(m, settings.sender))
            except smtplib.SMTPRecipientsRefused as e:
                codes = [code for code, _ in e.recipients.values()]
                outcomes.append(_failed(m, at, f"refused: {e.recipients}", permanent=min(codes) >= 500))
            except smtplib.SMTPResponseException as e:
                outcomes.append(
                    _failed(m, at, f"{e.smtp_code} {e.smtp_error!r}", permanent=e.smtp_code >= 500)
                )
            except (OSError, smtplib.SMTPException) as e:
                outcomes.append(_failed(m, at, str(e) or type(e).__name__, permanent=False))
            else:
                outcomes.append(_outcome(m, "sent", str(int(m["attempts"] or 0) + 1), stamp, "", stamp))
    return outcomes


def _outcome(
    m: Mapping[str, Any], status: str, attempts: str, next_try: str, error: str, sent: str
) -> dict[str, Any]:
    tally = {"sent": "sent", "outbox": "outbox", "queued": "retry", "failed": "failed"}[status]
    return {
        "id": m["id"],
        "status": status,
        "attempts": attempts,
        "next_try": next_try,
        "last_error": error,
        "sent": sent,
        "tally": tally,
    }


def _failed(m: Mapping[str, Any], at: datetime, error: str, permanent: bool) -> dict[str, Any]:
    attempts = int(m["attempts"] or 0) + 1
    give_up = permanent or attempts >= MAX_ATTEMPTS
    next_try = "" if give_up else (at + retry_delay(attempts)).isoformat(timespec="microseconds")
    return _outcome(m, "failed" if give_up else "queued", str(attempts), next_try, error[:500], "")

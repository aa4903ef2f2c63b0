"""Accounts as the web app and the ``graphapp account`` commands both handle them: passwords, invitations
and the limit on failed sign-ins. No Flask here; the statements are in :mod:`graphapp.queries.accounts`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext
from werkzeug.security import generate_password_hash

from graphapp.queries.accounts import (
    attempt_keys,
    count_attempt,
    create_invitation,
    forget_attempts,
    uncount_attempt,
)
from graphapp.queries.cypher import Store, Tx
from graphapp.queries.members import MemberFilter, find_members, node


def _(text: str, **values: Any) -> str:
    """A message in the reader's language (Flask-Babel's ``gettext``, typed)."""
    return str(gettext(text, **values))


__all__ = [
    "MIN_PASSWORD",
    "SignInLimit",
    "UnknownInvitee",
    "hash_password",
    "invitee",
    "new_invitation",
    "password_problem",
    "token_hash",
]

MIN_PASSWORD = 12
#: How long an invitation link stays usable, unless said otherwise.
INVITATION_DAYS = 7


def hash_password(password: str) -> str:
    """A salted scrypt hash (werkzeug's default: a current, memory-hard algorithm)."""
    return generate_password_hash(password, method="scrypt")


def password_problem(password: str, again: str) -> str | None:
    """What is wrong with a new password (typed twice), or None.

    >>> password_problem("short", "short")
    'Choose a password of at least 12 characters.'
    >>> password_problem("correct horse battery", "correct horse battery") is None
    True
    """
    if len(password) < MIN_PASSWORD:
        return _("Choose a password of at least %(num)d characters.", num=MIN_PASSWORD)
    if password != again:
        return _("The two passwords differ.")
    return None


def token_hash(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256 (the token itself is shown once, never kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


def now_iso(timespec: str = "seconds") -> str:
    return datetime.now(UTC).isoformat(timespec=timespec)


class UnknownInvitee(ValueError):
    """An invitation named a member the network does not have (an account tied to nobody is refused)."""

    def __init__(self, member: str) -> None:
        super().__init__(f"there is no member with the id {member!r}")
        self.member = member


def invitee(tx: Tx, typed: str, limit: int = 10) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The member an admin means by what they typed in an invitation's form (an id, or a name: the whole
    name, any case, if only one member has it), else None and the members whose names contain it (at most
    ``limit``, to choose from)."""
    typed = typed.strip()
    found = node(tx, "Member", typed) if typed else None
    if found is not None:
        return found, []
    matches = find_members(tx, MemberFilter(q=typed), 1, limit).items if typed else []
    exact = [m for m in matches if str(m["name"]).casefold() == typed.casefold()]
    if len(exact) == 1:
        return exact[0], []
    return None, matches


def new_invitation(store: Store, role: str, member: str, created_by: str, days: int = INVITATION_DAYS) -> str:
    """Store an invitation for ``role`` (and, if given, ``member``) and return its token: the Accounts page
    and ``graphapp account invite`` both make invitations here. Raises ValueError for an unknown role and
    :class:`UnknownInvitee` for a member id the network does not have."""
    token = secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")

    def create(tx: Tx) -> None:
        if member and node(tx, "Member", member) is None:
            raise UnknownInvitee(member)
        create_invitation(tx, token_hash(token), role, member, expires, created_by)

    store.write(create)
    return token


@dataclass(frozen=True)
class SignInLimit:
    """At most ``limit`` failed sign-ins per key (an address, a login) within ``window`` seconds.

    The failures are kept in the graph (``LoginAttempt`` nodes), so the limit holds across every process
    that shares the database and across restarts. An attempt is counted before the password is checked
    (and forgotten if it was right), so attempts sent in parallel cannot slip past the limit.
    """

    limit: int = 5
    window: float = 300

    def wait(self, store: Store, keys: list[str], now: datetime | None = None) -> int:
        """Count an attempt against ``keys`` and return 0, or, if they have failed too often, count nothing
        and return the seconds until they may try again."""
        now = now or datetime.now(UTC)
        since = (now - timedelta(seconds=self.window)).isoformat(timespec="microseconds")
        oldest = store.bookkeep(
            count_attempt, keys, now.isoformat(timespec="microseconds"), since, self.limit
        )
        if oldest is None:
            return 0
        free_at = datetime.fromisoformat(oldest) + timedelta(seconds=self.window)
        return max(1, int((free_at - now).total_seconds()))

    def forget(self, store: Store, keys: list[str]) -> None:
        """Clear the keys' failures."""
        store.bookkeep(forget_attempts, keys)

    def signed_in(self, store: Store, address: str, login: str, at: datetime) -> None:
        """The attempt made at ``at`` succeeded: the login's failures are cleared, and the address loses
        only this attempt from its count (whoever else signs in from it keeps theirs)."""
        address_key, login_key = attempt_keys(address, login)

        def succeeded(tx: Tx) -> None:
            forget_attempts(tx, [login_key])
            uncount_attempt(tx, [address_key], at.isoformat(timespec="microseconds"))

        store.bookkeep(succeeded)

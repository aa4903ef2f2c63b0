"""Forgetting a member: every step, in one list (:data:`FORGET_STEPS`), run in one write transaction by
:func:`graphapp.queries.members.forget_member` (from "My data", ``graphapp forget`` and the API alike).

Each step is ``fn(tx, member, email)``: the member's id and the email address they had, so that what was
filed under either (a join request sent before they were a member, a mail to their address) goes too.
An area that keeps something of a member's adds one line here.
"""

from __future__ import annotations

from collections.abc import Callable

from graphapp.queries.accounts import delete_accounts_of_member
from graphapp.queries.asks import forget_member_asks
from graphapp.queries.cypher import Cypher, Tx
from graphapp.queries.history import forget as forget_history
from graphapp.queries.introductions import forget_member_introductions
from graphapp.queries.joining import forget_requests_of
from graphapp.queries.mail import forget_mail_to
from graphapp.queries.proposals import forget_proposals_of
from graphapp.queries.workstreams import forget_notes_of

__all__ = ["FORGET_STEPS", "Step", "forget_everything"]

Step = Callable[[Tx, str, str], None]

MEMBER_EMAIL = Cypher("MATCH (m:Member {id: $id}) RETURN m.email AS email")
FORGET_INVITATIONS = Cypher("MATCH (i:Invitation) WHERE i.member = $member DELETE i")
FORGET_MEMBER = Cypher("MATCH (m:Member {id: $member}) DETACH DELETE m")


def _asks(tx: Tx, member: str, email: str) -> None:
    forget_member_asks(tx, member)


def _introductions(tx: Tx, member: str, email: str) -> None:
    forget_member_introductions(tx, member)


def _mail(tx: Tx, member: str, email: str) -> None:
    forget_mail_to(tx, member, email)


def _accounts(tx: Tx, member: str, email: str) -> None:
    delete_accounts_of_member(tx, member)
    tx.run(FORGET_INVITATIONS, member=member)


def _member(tx: Tx, member: str, email: str) -> None:
    """Last: the member node, and every relationship of it (organisation, topics, workstreams, contacts)."""
    tx.run(FORGET_MEMBER, member=member)


#: What forgetting a member removes, in order.
FORGET_STEPS: tuple[Step, ...] = (
    forget_requests_of,  # their requests to join, by the member they became and by their address
    _asks,  # their asks and the offers on them, and their offers on others' asks
    _introductions,  # introductions both ways, with their notes
    _mail,  # every mail to them, queued or sent
    _accounts,  # their accounts (and failed sign-ins), and invitations naming them
    forget_proposals_of,  # the topics they proposed (waiting or decided)
    forget_notes_of,  # the workstream progress notes they wrote stay, no longer saying who wrote them
    forget_history,  # the changes filed under them; what others' changes say of them; "a member was forgotten"
    _member,
)


def forget_everything(tx: Tx, member: str) -> bool:
    """Run every step of :data:`FORGET_STEPS` for ``member``; False (nothing done) if there is none."""
    found = tx.run(MEMBER_EMAIL, id=member)
    if not found:
        return False
    email = found[0]["email"] or ""
    for step in FORGET_STEPS:
        step(tx, member, email)
    return True

"""One topic vocabulary, as people type it: finding the topic a person means (any case, any accents, by
name, alias or id), "did you mean ...?" when nothing matches, and members' proposals of new topics, which
wait for a coordinator to approve (the topic is made), map (to a topic the vocabulary has) or decline.

No Flask views here (they are in :mod:`graphapp.pages.proposals`): these are the actions shared by pages,
API and CLI, each one transaction that records itself in the history (:mod:`graphapp.queries.history`).
The statements are in :mod:`graphapp.queries.proposals`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphapp.i18n import WORDS, _, _l, current_language
from graphapp.ingest.normalise import closest, slugify
from graphapp.ingest.plan import name_key
from graphapp.introductions import Refused
from graphapp.queries import history
from graphapp.queries import proposals as q
from graphapp.queries.cypher import Tx
from graphapp.queries.schema import LEVELS

__all__ = [
    "UnknownTopic",
    "Vocabulary",
    "approve_proposal",
    "decline_proposal",
    "find_topic",
    "map_proposal",
    "propose_topic",
    "vocabulary",
]

#: The most characters a proposed topic's name may have, and a decline's reason.
NAME_LIMIT = 120
REASON_LIMIT = 2000


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class UnknownTopic(Exception):
    """A topic typed that the vocabulary does not have (or has retired); ``suggestions`` are the closest
    topics in use, best first."""

    def __init__(self, text: str, suggestions: list[str], retired: bool = False) -> None:
        self.text = text
        self.suggestions = suggestions
        self.retired = retired
        did_you_mean = (
            " Did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?" if suggestions else ""
        )
        what = "was retired by a coordinator." if retired else "is not a topic of the network."
        self.message = f"'{text}' {what}{did_you_mean}"  # (in English: the API and the CLI)
        super().__init__(self.message)

    @property
    def words(self) -> str:
        """The message in the reader's language (for a page); in English, ``message`` itself."""
        if current_language() == "en":
            return self.message
        if self.retired:
            what = _("'%(text)s' was retired by a coordinator.", text=self.text)
        else:
            what = _("'%(text)s' is not a topic of the network.", text=self.text)
        if not self.suggestions:
            return str(what)
        names = ", ".join(f"'{s}'" for s in self.suggestions)
        return str(_("%(problem)s Did you mean %(names)s?", problem=what, names=names))


class _Worded:
    """An :class:`UnknownTopic`'s words as a refusal's reason: worded when shown (the reader's language on
    a page, English in the API)."""

    def __init__(self, unknown: UnknownTopic) -> None:
        self.unknown = unknown

    def __str__(self) -> str:
        return self.unknown.words


@dataclass
class Vocabulary:
    """Every topic, and each one's spellings (id, name, aliases) under their :func:`name_key`."""

    topics: dict[str, dict[str, Any]]

    def __post_init__(self) -> None:
        self.ids: dict[str, str] = {}
        for t in sorted(self.topics.values(), key=lambda t: t["id"]):
            spellings = [t["name"] or "", *(t.get("aliases") or [])]
            for key in [name_key(s) for s in spellings] + [name_key(t["id"].replace("-", " "))]:
                if key:
                    self.ids.setdefault(key, t["id"])

    def find(self, text: str) -> dict[str, Any] | None:
        """The topic ``text`` names (id, name or alias, any case or accents), retired or not."""
        if text in self.topics:
            return self.topics[text]
        tid = self.ids.get(name_key(text))
        return self.topics[tid] if tid else None

    def in_use(self) -> list[dict[str, Any]]:
        """The topics that are not retired, by name: what pickers offer."""
        return sorted(
            (t for t in self.topics.values() if t.get("status") != "retired"),
            key=lambda t: ((t["name"] or t["id"]).casefold(), t["id"]),
        )

    def closest(self, text: str, limit: int = 3, but: str | None = None) -> list[str]:
        """The names of the topics in use closest to ``text`` (never the topic ``but``)."""
        spellings: dict[str, str] = {}
        for t in self.in_use():
            if t["id"] != but:
                for s in (t["name"] or t["id"], *(t.get("aliases") or [])):
                    spellings.setdefault(s, t["name"] or t["id"])
        return closest(text, spellings, limit=limit)

    def resolve(self, text: str, keep: set[str] | frozenset[str] = frozenset()) -> str:
        """The id of the topic in use that ``text`` names (a retired one only if in ``keep``); raises
        :class:`UnknownTopic` with the closest topics."""
        found = self.find(text)
        if found is None:
            raise UnknownTopic(text, self.closest(text))
        if found.get("status") == "retired" and found["id"] not in keep:
            raise UnknownTopic(text, self.closest(found["name"] or text, but=found["id"]), retired=True)
        return str(found["id"])


def vocabulary(tx: Tx) -> Vocabulary:
    """The topic vocabulary as it is in this transaction."""
    return Vocabulary({t["id"]: t for t in q.topic_vocabulary(tx)})


def find_topic(tx: Tx, text: str) -> str:
    """The id of the topic ``text`` names (name, alias or id, any case or accents, retired ones too: a
    filter finds those who hold one); raises :class:`UnknownTopic` with "did you mean ...?"."""
    vocab = vocabulary(tx)
    found = vocab.find(text)
    if found is None:
        raise UnknownTopic(text, vocab.closest(text))
    return str(found["id"])


# --- Proposing --------------------------------------------------------------------------------------------


def check_proposal(vocab: Vocabulary, name: str, level: str) -> str | None:
    """What is wrong with a proposed topic (None: nothing): empty, too long, a bad level, or a topic the
    vocabulary has already."""
    if not name.strip() or not name_key(name):
        return str(_("The proposed topic is empty: type its name."))
    if len(name) > NAME_LIMIT:
        return str(
            _("The proposed topic's name is too long: at most %(limit)s characters.", limit=NAME_LIMIT)
        )
    if level not in LEVELS:
        return str(
            _(
                "Pick a level for the proposed topic: %(levels)s.",
                levels=", ".join(str(WORDS["level"].get(x, x)) for x in LEVELS),
            )
        )
    found = vocab.find(name)
    if found is not None:
        if found.get("status") == "retired":
            return str(
                _("'%(name)s' is a topic a coordinator retired; it cannot be proposed again.", name=name)
            )
        return str(
            _("'%(name)s' is a topic already ('%(topic)s'): pick it instead.", name=name, topic=found["name"])
        )
    return None


def propose_topic(tx: Tx, member: str, name: str, level: str, now: str | None = None) -> dict[str, Any]:
    """File a member's proposal of a new topic, with their level, in this transaction (one waiting
    proposal per member and spelling: proposing it again keeps the first, with the new level). Raises
    :class:`Refused` (400) if the name is empty, too long, has a bad level or names a topic already."""
    name = " ".join(name.split())
    problem = check_proposal(vocabulary(tx), name, level)
    if problem:
        raise Refused(400, problem)
    now = now or now_iso()
    for held in q.proposals_of(tx, member):
        if name_key(held["name"]) == name_key(name):
            return held
    row = {
        "id": uuid.uuid4().hex[:12],
        "name": name,
        "member": member,
        "level": level,
        "status": "waiting",
        "topic": "",
        "created": now,
        "decided": "",
        "decided_by": "",
    }
    q.create_proposal(tx, row)
    history.record(
        tx,
        "proposal",
        member=member,
        subject=f"proposal:{row['id']}",
        summary=f"proposed a new topic: {name} ({level})",
    )
    return row


# --- Deciding ---------------------------------------------------------------------------------------------


def _waiting(tx: Tx, proposal_id: str, lock: str) -> dict[str, Any]:
    """The proposal, locked first (a second decision at the same moment waits, then finds it decided)."""
    q.lock_proposals(tx, [proposal_id], lock)
    found = q.proposal(tx, proposal_id)
    if found is None:
        raise Refused(404, _l("There is no such topic proposal."))
    if found["status"] != "waiting":
        raise Refused(
            409,
            _l(
                "This proposal was %(status)s already.",
                status=WORDS["proposal_status"].get(found["status"], found["status"]),
            ),
        )
    return found


def _same_spelling(tx: Tx, first: dict[str, Any], lock: str) -> list[dict[str, Any]]:
    """Every waiting proposal spelt like ``first`` (any case, accents, punctuation), ``first`` first; locked."""
    same = [
        p
        for p in q.proposals_with_status(tx, "waiting")
        if p["id"] != first["id"] and name_key(p["name"]) == name_key(first["name"])
    ]
    if same:
        q.lock_proposals(tx, [p["id"] for p in same], lock)
    return [first, *same]


def _give_interests(
    tx: Tx, proposals: list[dict[str, Any]], topic: str, batch: str, summary: str
) -> list[str]:
    """Give each proposer the topic at their proposed level (keeping the higher level where they hold it
    already); record each member whose topics changed in the history. Returns those members."""
    members = sorted({p["member"] for p in proposals if p["member"]})
    exists = q.member_names(tx, members)
    members = [m for m in members if m in exists]
    before = q.member_topics(tx, members)
    held = q.held_levels(tx, members, topic)
    wanted: dict[str, str] = {}
    for p in proposals:
        if p["member"] in exists and p["level"] in LEVELS:
            wanted[p["member"]] = max(wanted.get(p["member"], p["level"]), p["level"], key=LEVELS.index)
    new = [{"member": m, "topic": topic, "level": lv} for m, lv in sorted(wanted.items()) if m not in held]
    raised = [
        {"member": m, "topic": topic, "level": lv}
        for m, lv in sorted(wanted.items())
        if m in held and LEVELS.index(lv) > LEVELS.index(held[m])
    ]
    q.set_interests(tx, new, raised)
    after = q.member_topics(tx, members)
    rows = history.member_changes("proposal", "topics", before, after, summary, batch)
    history.record_many(tx, rows)
    return [r["member"] for r in rows]


def approve_proposal(
    tx: Tx, proposal_id: str, decided_by: str, name: str = "", now: str | None = None
) -> dict[str, Any]:
    """Approve a proposal: the topic is made (named ``name`` if the coordinator corrects the spelling,
    else as proposed) and given, with their levels, to its proposer and to everyone whose waiting proposal
    is spelt the same way. One transaction, in the history. Returns {"topic", "name", "members"}."""
    now = now or now_iso()
    first = _waiting(tx, proposal_id, now)
    name = " ".join((name or first["name"]).split())
    vocab = vocabulary(tx)
    if len(name) > NAME_LIMIT or not name_key(name):
        raise Refused(
            400,
            _l("A topic's name has letters or digits and at most %(limit)s characters.", limit=NAME_LIMIT),
        )
    if vocab.find(name) is not None:
        found = vocab.find(name) or {}
        raise Refused(
            409,
            _l(
                "'%(name)s' is a topic already ('%(topic)s'): map the proposal to it instead.",
                name=name,
                topic=found.get("name"),
            ),
        )
    proposals = _same_spelling(tx, first, now)
    topic = slugify(name)
    n = 2
    while topic in vocab.topics:
        topic, n = f"{slugify(name)}-{n}", n + 1
    aliases = sorted({p["name"] for p in proposals if name_key(p["name"]) != name_key(name)})
    tx.bulk_create(
        "Topic", [{"id": topic, "name": name, "aliases": aliases, "description": None, "status": None}]
    )
    decided = q.decide_proposal(tx, [p["id"] for p in proposals], "approved", topic, now, decided_by)
    proposals = [p for p in proposals if p["id"] in decided]
    batch = history.new_batch()
    members = sorted({p["member"] for p in proposals})
    history.record(
        tx,
        "proposal",
        subject=f"topic:{topic}",
        summary=f"approved the proposed topic {name}",
        before={},
        after={"name": name, **({"aliases": aliases} if aliases else {})},
        about=members,
        batch=batch,
    )
    changed = _give_interests(tx, proposals, topic, batch, f"topic {name} approved (proposed)")
    return {"topic": topic, "name": name, "members": changed, "proposals": [p["id"] for p in proposals]}


def map_proposal(
    tx: Tx, proposal_id: str, target: str, decided_by: str, now: str | None = None
) -> dict[str, Any]:
    """Map a proposal (and every waiting one spelt the same way) to a topic the vocabulary has, named by
    ``target`` (name, alias or id): the proposers hold it at their levels. Returns {"topic", "name",
    "members"}; raises :class:`Refused` (400, with "did you mean") if ``target`` names no topic in use."""
    now = now or now_iso()
    first = _waiting(tx, proposal_id, now)
    vocab = vocabulary(tx)
    try:
        topic = vocab.resolve(target)
    except UnknownTopic as e:
        raise Refused(400, _Worded(e)) from e
    name = vocab.topics[topic]["name"] or topic
    proposals = _same_spelling(tx, first, now)
    decided = q.decide_proposal(tx, [p["id"] for p in proposals], "mapped", topic, now, decided_by)
    proposals = [p for p in proposals if p["id"] in decided]
    batch = history.new_batch()
    for p in proposals:
        history.record(
            tx,
            "proposal",
            member=p["member"],
            subject=f"proposal:{p['id']}",
            summary=f"proposed topic {p['name']} mapped to {name}",
            batch=batch,
        )
    changed = _give_interests(tx, proposals, topic, batch, f"proposed topic {first['name']} mapped to {name}")
    return {"topic": topic, "name": name, "members": changed, "proposals": [p["id"] for p in proposals]}


def decline_proposal(
    tx: Tx, proposal_id: str, decided_by: str, reason: str, now: str | None = None
) -> dict[str, Any]:
    """Decline one proposal with a reason, mailed to its proposer (kind ``topic_proposal``). Needs an app
    context (for the mail's links)."""
    from graphapp.i18n import _
    from graphapp.mail import link, queue_mail, recipient_language, written_in

    reason = reason.strip()
    if not reason:
        raise Refused(400, _l("Give a reason: it is mailed to the member who proposed the topic."))
    if len(reason) > REASON_LIMIT:
        raise Refused(400, _l("The reason is too long: at most %(limit)s characters.", limit=REASON_LIMIT))
    now = now or now_iso()
    found = _waiting(tx, proposal_id, now)
    q.decide_proposal(tx, [proposal_id], "declined", "", now, decided_by)
    history.record(
        tx,
        "proposal",
        member=found["member"],
        subject=f"proposal:{proposal_id}",
        summary=f"proposed topic {found['name']} declined",
        before={},
        after={},
    )
    who = q.member_names(tx, [found["member"]]).get(found["member"])
    if who and who.get("email"):
        with written_in(recipient_language(tx, found["member"])) as language:
            body = _(
                "Hello %(name)s,\n\nYou proposed ‘%(topic)s’ as a new topic of graphapp. A coordinator "
                "declined it, for this reason:\n\n%(reason)s\n\nYou can pick a topic the network has on your "
                "profile: %(link)s",
                name=who["name"],
                topic=found["name"],
                reason=reason,
                link=link("profiles.edit_member", member=found["member"]),
            )
            subject = _("Your proposed topic ‘%(topic)s’", topic=found["name"])
        queue_mail(
            tx,
            "topic_proposal",
            who["email"],
            subject,
            body,
            member=found["member"],
            language=language,
        )
    return {"proposal": proposal_id, "name": found["name"], "member": found["member"]}


def named_topic(tx: Tx, where: Any) -> Any:
    """A directory filter (:class:`~graphapp.queries.members.MemberFilter`) whose ``topic`` may be typed as
    a name or alias: the same filter naming the topic's id. Raises :class:`UnknownTopic`."""
    from dataclasses import replace

    if not where.topic:
        return where
    return replace(where, topic=find_topic(tx, where.topic))

"""Topic proposals: a topic a member typed that is not in the vocabulary, waiting for a coordinator
(label ``TopicProposal``, see :data:`graphapp.queries.schema.WORKFLOW_LABELS`), and the reads and writes
of interests and topics that deciding one needs. Every value is a string (times ISO 8601, UTC).

A proposal goes ``waiting`` -> ``approved`` (its topic was made), ``mapped`` (to a topic the vocabulary
had) or ``declined``. The member's interest is kept on the proposal (``level``) until then.
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.schema import WORKFLOW_LABELS

__all__ = [
    "PROPOSAL_FIELDS",
    "create_proposal",
    "decide_proposal",
    "forget_proposals_of",
    "held_levels",
    "lock_proposals",
    "member_names",
    "member_topics",
    "proposal",
    "proposals_of",
    "proposals_with_status",
    "set_interests",
    "topic_vocabulary",
    "waiting_count",
]

#: What a proposal holds (its ``lock`` is bookkeeping of the decision, not part of it).
PROPOSAL_FIELDS = tuple(p for p in WORKFLOW_LABELS["TopicProposal"].properties if p != "lock")
_COLUMNS = {p: f"p.{p}" for p in PROPOSAL_FIELDS}

CREATE = Cypher(
    "CREATE (p:TopicProposal {id: $id}) SET "
    + ", ".join(f"p.{p} = ${p}" for p in PROPOSAL_FIELDS if p != "id")
)
FIND = Rows("MATCH (p:TopicProposal {id: $id})", **_COLUMNS)
WITH_STATUS = Rows("MATCH (p:TopicProposal) WHERE p.status = $status", **_COLUMNS)
OF_MEMBER = Rows("MATCH (p:TopicProposal) WHERE p.member = $member AND p.status = 'waiting'", **_COLUMNS)
COUNT_WAITING = Cypher("MATCH (p:TopicProposal) WHERE p.status = 'waiting' RETURN count(p) AS n")
# A decision writes `lock` (a plain value, read from nothing) first: that takes the proposals' write locks,
# so a second coordinator deciding at the same moment waits for the first to commit, then finds them decided.
LOCK = Cypher("UNWIND $ids AS pid MATCH (p:TopicProposal {id: pid}) SET p.lock = $lock")
DECIDE = Cypher(
    "UNWIND $ids AS pid MATCH (p:TopicProposal {id: pid}) WHERE p.status = 'waiting' "
    "SET p.status = $status, p.topic = $topic, p.decided = $now, p.decided_by = $decided_by "
    "RETURN p.id AS id"
)
FORGET = Cypher("MATCH (p:TopicProposal) WHERE p.member = $member DELETE p")

TOPICS = Rows(
    "MATCH (t:Topic)",
    id="t.id",
    name="t.name",
    aliases="t.aliases",
    status="t.status",
    description="t.description",
)
# The levels members hold on these topics (to keep the higher one where an interest moves onto one held).
LEVELS_HELD = Rows(
    "UNWIND $members AS mid MATCH (m:Member {id: mid}) "
    "OPTIONAL MATCH (m)-[r:INTERESTED_IN]->(t:Topic {id: $topic}) WITH m, r, t WHERE t IS NOT NULL",
    member="m.id",
    level="r.level",
)
MEMBER_TOPICS = Rows(
    "UNWIND $members AS mid MATCH (m:Member {id: mid}) "
    "OPTIONAL MATCH (m)-[r:INTERESTED_IN]->(t:Topic) WITH m, r, t WHERE t IS NOT NULL",
    member="m.id",
    topic="t.id",
    level="r.level",
)
MEMBER_NAMES = Rows(
    "UNWIND $members AS mid MATCH (m:Member {id: mid})", id="m.id", name="m.name", email="m.email"
)
ADD_INTEREST = Cypher(
    "UNWIND $rows AS row MATCH (m:Member {id: row.member}), (t:Topic {id: row.topic}) "
    "CREATE (m)-[:INTERESTED_IN {level: row.level}]->(t)"
)
SET_LEVEL = Cypher(
    "UNWIND $rows AS row MATCH (m:Member {id: row.member})-[r:INTERESTED_IN]->(t:Topic {id: row.topic}) "
    "SET r.level = row.level"
)


def create_proposal(tx: Tx, row: dict[str, Any]) -> None:
    """Store a proposal (``row`` has every property of :data:`PROPOSAL_FIELDS`)."""
    tx.run(CREATE, **{p: row.get(p) or "" for p in PROPOSAL_FIELDS})


def proposal(tx: Tx, proposal_id: str) -> dict[str, Any] | None:
    rows = FIND.run(tx, id=proposal_id)
    return rows[0] if rows else None


def proposals_with_status(tx: Tx, status: str) -> list[dict[str, Any]]:
    """The proposals in one state, oldest first."""
    return sorted(WITH_STATUS.run(tx, status=status), key=lambda p: (p["created"] or "", p["id"]))


def proposals_of(tx: Tx, member: str) -> list[dict[str, Any]]:
    """A member's waiting proposals, oldest first."""
    return sorted(OF_MEMBER.run(tx, member=member), key=lambda p: (p["created"] or "", p["id"]))


def waiting_count(tx: Tx) -> int:
    return int(tx.run(COUNT_WAITING)[0]["n"])


def lock_proposals(tx: Tx, ids: list[str], lock: str) -> None:
    tx.run(LOCK, ids=ids, lock=lock)


def decide_proposal(tx: Tx, ids: list[str], status: str, topic: str, now: str, decided_by: str) -> list[str]:
    """Mark waiting proposals decided; returns the ids that were still waiting."""
    if status not in ("approved", "mapped", "declined"):
        raise ValueError("a proposal is approved, mapped or declined")
    rows = tx.run(DECIDE, ids=ids, status=status, topic=topic, now=now, decided_by=decided_by)
    return [r["id"] for r in rows]


def forget_proposals_of(tx: Tx, member: str, email: str) -> None:
    """Every proposal of this member (a step of forgetting them)."""
    tx.run(FORGET, member=member)


def topic_vocabulary(tx: Tx) -> list[dict[str, Any]]:
    """Every topic: id, name, aliases, status and description."""
    rows = TOPICS.run(tx)
    for r in rows:
        r["aliases"] = list(r["aliases"] or [])
    return rows


def held_levels(tx: Tx, members: list[str], topic: str) -> dict[str, str]:
    """{member: level} for those of ``members`` who hold ``topic``."""
    return {r["member"]: r["level"] for r in LEVELS_HELD.run(tx, members=sorted(set(members)), topic=topic)}


def member_topics(tx: Tx, members: list[str]) -> dict[str, list[str]]:
    """Each member's interests as the history writes them: a sorted list of "topic-id:level"."""
    out: dict[str, list[str]] = {m: [] for m in members}
    for r in MEMBER_TOPICS.run(tx, members=sorted(set(members))):
        out[r["member"]].append(f"{r['topic']}:{r['level']}")
    return {m: sorted(v) for m, v in out.items()}


def member_names(tx: Tx, members: list[str]) -> dict[str, dict[str, Any]]:
    """{id: {id, name, email}} of these members (those that exist)."""
    return {r["id"]: r for r in MEMBER_NAMES.run(tx, members=sorted(set(members)))}


def set_interests(tx: Tx, new: list[dict[str, str]], changed: list[dict[str, str]]) -> None:
    """Add interests (``member``, ``topic``, ``level``) and set the level of held ones."""
    if new:
        tx.run(ADD_INTEREST, rows=new)
    if changed:
        tx.run(SET_LEVEL, rows=changed)

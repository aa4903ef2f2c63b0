"""A workstream as its page and the API show it (issue 14 §5): its leads and members, the themes it serves
at the stages it takes in each, the topics it covers, its projects by stage, and its dated progress notes
(``ProgressNote``, a workflow label: see :data:`graphapp.queries.schema.WORKFLOW_LABELS`), with the
statements that write the notes (the actions that check and record them are :mod:`graphapp.progress`).

A note names its workstream and the lead who wrote it by id in a property, as asks name their asker, so
that forgetting the lead finds their notes by one property (and blanks it: the note stays).
"""

from __future__ import annotations

from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.schema import STAGES

__all__ = [
    "NOTE_LIMIT",
    "NOTE_FIELDS",
    "create_note",
    "delete_note",
    "forget_notes_of",
    "is_lead",
    "note_by_id",
    "progress_notes",
    "stages_of",
    "update_note",
    "workstream_leads",
    "workstream_exists",
    "workstream_members",
    "workstream_projects",
    "workstream_themes",
    "workstream_topics",
    "workstream_view",
]

#: The longest a progress note's text may be, in characters (an update of a few paragraphs).
NOTE_LIMIT = 5000
#: A note's properties, as stored.
NOTE_FIELDS = ("id", "workstream", "member", "date", "text", "created", "updated")

WORKSTREAM = Cypher(
    "MATCH (w:Workstream {id: $id}) RETURN w.id AS id, w.name AS name, w.description AS description"
)
MEMBERS = Rows(
    "MATCH (m:Member)-[r:MEMBER_OF]->(:Workstream {id: $id}) OPTIONAL MATCH (m)-[:WORKS_AT]->(o:Organisation)",
    id="m.id",
    name="m.name",
    title="m.title",
    email="m.email",
    email_visibility="m.email_visibility",
    role="r.role",
    organisation_id="o.id",
    organisation="o.name",
)
LEADS = Rows(
    "MATCH (m:Member)-[r:MEMBER_OF]->(:Workstream {id: $id}) WHERE r.role = 'lead' "
    "OPTIONAL MATCH (m)-[:WORKS_AT]->(o:Organisation)",
    id="m.id",
    name="m.name",
    title="m.title",
    organisation_id="o.id",
    organisation="o.name",
)
IS_LEAD = Cypher(
    "MATCH (m:Member {id: $member})-[r:MEMBER_OF]->(:Workstream {id: $id}) WHERE r.role = 'lead' "
    "RETURN m.id AS id"
)
THEMES = Rows(
    "MATCH (:Workstream {id: $id})-[s:SERVES]->(t:Theme)",
    id="t.id",
    name="t.name",
    kind="t.kind",
    position="t.position",
    stages="s.stages",
)
TOPICS = Rows(
    "MATCH (:Workstream {id: $id})-[:COVERS]->(t:Topic)",
    id="t.id",
    name="t.name",
    status="t.status",
)
PROJECTS = Rows(
    "MATCH (p:Project)-[:IN_WORKSTREAM]->(:Workstream {id: $id}) OPTIONAL MATCH (p)-[:RUN_BY]->(o:Organisation)",
    id="p.id",
    title="p.title",
    stage="p.stage",
    idea="p.idea",
    demonstration="p.demonstration",
    production="p.production",
    maintenance="p.maintenance",
    organisation_id="o.id",
    organisation="o.name",
)
# A note with its writer's name, if the writer is still a member (blank once they were forgotten).
NOTES = Rows(
    "MATCH (n:ProgressNote) WHERE n.workstream = $id OPTIONAL MATCH (m:Member {id: n.member})",
    **{f: f"n.{f}" for f in NOTE_FIELDS},
    member_name="m.name",
)
NOTE = Rows(
    "MATCH (n:ProgressNote {id: $id}) OPTIONAL MATCH (m:Member {id: n.member})",
    **{f: f"n.{f}" for f in NOTE_FIELDS},
    member_name="m.name",
)
CREATE_NOTE = Cypher(
    "CREATE (n:ProgressNote {id: $id}) SET n.workstream = $workstream, n.member = $member, n.date = $date, "
    "n.text = $text, n.created = $created, n.updated = $updated"
)
# A note by a coordinator whose account is no member names no one: its member stays unset (a forgotten
# writer's is blank, ""), so that the page can tell the two apart. (LadybugDB cannot bind a null parameter.)
CREATE_UNSIGNED_NOTE = Cypher(
    "CREATE (n:ProgressNote {id: $id}) SET n.workstream = $workstream, n.date = $date, n.text = $text, "
    "n.created = $created, n.updated = $updated"
)
# (Setting a property first takes the note's write lock: an edit and a delete at the same moment are done
# one after the other, the second finding what the first left.)
UPDATE_NOTE = Cypher(
    "MATCH (n:ProgressNote {id: $id}) SET n.date = $date, n.text = $text, n.updated = $updated "
    "RETURN n.id AS id"
)
DELETE_NOTE = Cypher("MATCH (n:ProgressNote {id: $id}) DELETE n")
FORGET_NOTES_OF = Cypher("MATCH (n:ProgressNote) WHERE n.member = $member SET n.member = ''")

_STAGE_ORDER = {stage: i for i, stage in enumerate(STAGES)}


def workstream_exists(tx: Tx, workstream: str) -> bool:
    return bool(tx.run(WORKSTREAM, id=workstream))


def workstream_members(tx: Tx, workstream: str) -> list[dict[str, Any]]:
    """Everyone in the workstream, leads first, then by name: id, name, title, email (and the member's
    choice of who sees it: redact before showing), role, organisation."""
    return sorted(
        MEMBERS.run(tx, id=workstream),
        key=lambda m: (m["role"] != "lead", m["name"] or "", m["id"]),
    )


def workstream_leads(tx: Tx, workstream: str) -> list[dict[str, Any]]:
    """The workstream's leads by name, with their organisation (no contact details)."""
    return sorted(LEADS.run(tx, id=workstream), key=lambda m: (m["name"] or "", m["id"]))


def is_lead(tx: Tx, workstream: str, member: str | None) -> bool:
    """Whether ``member`` leads the workstream."""
    return bool(member) and bool(tx.run(IS_LEAD, id=workstream, member=member))


def stages_of(text: str | None) -> list[str]:
    """The stages a ``SERVES`` relationship names (comma-separated; empty: every stage), in journey order.

    >>> stages_of("production, demonstration")
    ['demonstration', 'production']
    >>> stages_of("") == list(STAGES)
    True
    """
    named = [s.strip() for s in (text or "").split(",") if s.strip()]
    if not named:
        return list(STAGES)
    return sorted(dict.fromkeys(named), key=lambda s: _STAGE_ORDER.get(s, len(STAGES)))


def workstream_themes(tx: Tx, workstream: str) -> list[dict[str, Any]]:
    """The themes the workstream serves, down the map (by position), each with the stages it takes in it
    (``stages``, in journey order) and whether that is every stage (``every_stage``)."""
    themes = []
    for row in THEMES.run(tx, id=workstream):
        stages = stages_of(row.pop("stages"))
        themes.append({**row, "stages": stages, "every_stage": stages == list(STAGES)})
    return sorted(themes, key=lambda t: (t["position"] or "", t["name"] or "", t["id"]))


def workstream_topics(tx: Tx, workstream: str) -> list[dict[str, Any]]:
    """The topics the workstream covers, by name (``retired`` marks one a coordinator retired)."""
    rows = [{**r, "retired": r.pop("status") == "retired"} for r in TOPICS.run(tx, id=workstream)]
    return sorted(rows, key=lambda t: (t["name"] or "", t["id"]))


def workstream_projects(tx: Tx, workstream: str) -> dict[str, list[dict[str, Any]]]:
    """The workstream's projects by the stage they reached (every stage of ``STAGES``, in order, each
    possibly empty; then ``""`` for projects whose stage is not given), each with its organisation and
    the day it reached that stage (``reached``, "" if not known), most recent first."""
    grouped: dict[str, list[dict[str, Any]]] = {stage: [] for stage in (*STAGES, "")}
    for row in PROJECTS.run(tx, id=workstream):
        stage = row["stage"] if row["stage"] in _STAGE_ORDER else ""
        grouped[stage].append(
            {
                "id": row["id"],
                "title": row["title"],
                "stage": stage,
                "reached": (row[stage] or "") if stage else "",
                "organisation_id": row["organisation_id"],
                "organisation": row["organisation"],
            }
        )
    for projects in grouped.values():
        projects.sort(key=lambda p: p["title"] or "")
        projects.sort(key=lambda p: p["reached"], reverse=True)
    return grouped


def _note(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "text": row["text"] or "", "date": row["date"] or ""}


def progress_notes(tx: Tx, workstream: str) -> list[dict[str, Any]]:
    """The workstream's progress notes, newest first (by date, then by when written), each with its
    writer's id and name (``member`` "" and ``member_name`` None once the writer was forgotten; ``member``
    None for a note by a coordinator whose account is no member)."""
    notes = [_note(r) for r in NOTES.run(tx, id=workstream)]
    return sorted(notes, key=lambda n: (n["date"], n["created"] or "", n["id"]), reverse=True)


def note_by_id(tx: Tx, note: str) -> dict[str, Any] | None:
    """One note, with its writer's name; None if there is none."""
    rows = NOTE.run(tx, id=note)
    return _note(rows[0]) if rows else None


def create_note(tx: Tx, **note: str | None) -> None:
    """Store a new note (already checked: see :mod:`graphapp.progress`): every field of NOTE_FIELDS,
    ``member`` None for one that names no one."""
    if note["member"]:
        tx.run(CREATE_NOTE, **{f: note[f] for f in NOTE_FIELDS})
    else:
        tx.run(CREATE_UNSIGNED_NOTE, **{f: note[f] for f in NOTE_FIELDS if f != "member"})


def update_note(tx: Tx, id: str, date: str, text: str, updated: str) -> bool:
    """Change a note's date and text; False if it is not there."""
    return bool(tx.run(UPDATE_NOTE, id=id, date=date, text=text, updated=updated))


def delete_note(tx: Tx, id: str) -> None:
    tx.run(DELETE_NOTE, id=id)


def forget_notes_of(tx: Tx, member: str, email: str) -> None:
    """Forgetting's step: the member's notes stay with the workstream, no longer saying who wrote them."""
    tx.run(FORGET_NOTES_OF, member=member)


def workstream_view(tx: Tx, workstream: str) -> dict[str, Any] | None:
    """Everything the workstream's page and ``GET /api/workstreams/<id>`` show besides its directory:
    its node, leads, themes, topics, projects by stage and notes; None if there is no such workstream."""
    found = tx.run(WORKSTREAM, id=workstream)
    if not found:
        return None
    return {
        "workstream": found[0],
        "leads": workstream_leads(tx, workstream),
        "themes": workstream_themes(tx, workstream),
        "topics": workstream_topics(tx, workstream),
        "projects": workstream_projects(tx, workstream),
        "notes": progress_notes(tx, workstream),
    }

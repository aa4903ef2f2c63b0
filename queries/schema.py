"""The graph model: labels, relationship types, properties, constraints, and the schema version.

This module is the single source of truth for the model. The DDL of both stores, the generic
create/update statements used by import and restore, and the backup format are all derived from
:data:`NODES` and :data:`RELATIONSHIPS`. Statement texts are built here, at import time, from these
constants only: nothing user-given ever becomes part of a label, type or property name.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphapp.queries.cypher import Cypher, Dialect, Rows, Store, Tx

__all__ = [
    "ACCOUNT_LABELS",
    "BACKED_UP_ACCOUNT_LABELS",
    "NODES",
    "WORKFLOW_LABELS",
    "RELATIONSHIPS",
    "SCHEMA_VERSION",
    "NodeSpec",
    "RelSpec",
    "create_schema",
    "schema_version",
]

#: Bump when the model changes, and add a step to :data:`MIGRATIONS`.
SCHEMA_VERSION = 9


@dataclass(frozen=True)
class NodeSpec:
    label: str
    properties: tuple[str, ...]  # ``id`` first; every value is a string unless listed in list_properties
    list_properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelSpec:
    type: str
    source: str
    target: str
    properties: tuple[str, ...] = ()
    undirected: bool = False  # stored once, source id < target id, matched in both directions


NODES: dict[str, NodeSpec] = {
    spec.label: spec
    for spec in (
        NodeSpec(
            "Member",
            # email_visibility (members, coordinators, nobody), suggestible (yes, no) and introductions
            # (yes, no: may others ask to be introduced) are the member's consent; unset means the defaults,
            # "members", "yes" and "yes". mail_off: the kinds of mail (graphapp.mail.KINDS) they turned
            # off, comma-separated (a plain string, so that members still load by COPY on LadybugDB).
            # Freshness (issue 13): joined, the day they joined the network (an import's `joined` column
            # for those who joined before graphapp, else the day they were added); confirmed, when they last
            # confirmed their profile (unset: never, so joined counts); reminded, when the last reminder
            # went; reminders, how many were sent since the last confirmation ("1", "2"); lapsed, when they
            # were left out of suggestions for answering neither (unset while current: their consent is
            # asked again before they come back). Dates and times are ISO 8601, UTC. language: the language
            # their mails are written in ("en", "fr", "ru"; unset: English), the one they last chose in the
            # header's chooser while signed in, or that of the page they asked to join on (issue 15).
            (
                "id",
                "name",
                "email",
                "title",
                "country",
                "region",
                "subregion",
                "email_visibility",
                "suggestible",
                "introductions",
                "mail_off",
                "joined",
                "confirmed",
                "reminded",
                "reminders",
                "lapsed",
                "language",
            ),
        ),
        NodeSpec(
            "Organisation",
            ("id", "name", "kind", "country", "region", "subregion", "aliases", "name_fr", "name_ru"),
            list_properties=("aliases",),
        ),
        # status: unset while in use; "retired" once a coordinator retired it (kept, with its interests, but no
        # longer offered or matched for new ones, nor reported as a gap).
        # name_fr, name_ru (Topic and Organisation): optional translated names, shown to readers of that
        # language (graphapp.i18n.local_name); name stays as entered.
        NodeSpec(
            "Topic",
            ("id", "name", "aliases", "description", "status", "name_fr", "name_ru"),
            list_properties=("aliases",),
        ),
        NodeSpec("Workstream", ("id", "name", "description")),
        # A competence area of the taxonomy (issue 14 §3: graphapp.taxonomy), e.g. the EDSF's "Data Science
        # Analytics" and its competences. position: its place in the imported file (zero-padded, so that
        # areas sort as the framework lists them); source: the attribution of the framework it came from
        # (shown at the foot of the areas page). A taxonomy import replaces every area.
        NodeSpec("Area", ("id", "name", "description", "position", "source")),
        # The journey (issue 14). A project is one machine-learning use: its stage is the furthest of STAGES
        # it has reached, and each stage's property (idea, demonstration, production, maintenance) holds the
        # ISO day it was reached (unset: not reached, or not known). domain: the GSBPM sub-process it serves
        # (e.g. "5.4"; optional). report and code: public links (http or https). Its organisation, members
        # (with their role), topics and workstream are relationships.
        NodeSpec(
            "Project",
            (
                "id",
                "title",
                "description",
                "domain",
                "stage",
                "idea",
                "demonstration",
                "production",
                "maintenance",
                "report",
                "code",
            ),
        ),
        # A theme of the group's map (quality, good training data, ... : THEME_KINDS "theme"), or what
        # facilitates the work ("organisation", "sharing and collaboration": THEME_KINDS "facilitator").
        # position: its place down the map (zero-padded).
        NodeSpec("Theme", ("id", "name", "description", "kind", "position")),
        # A shared resource: a document, code repository, course or recording (RESOURCE_KINDS), by its
        # public link only (graphapp never keeps a copy). language: an ISO 639-1 code ("en", "fr", "ru"...);
        # added: the ISO day it was added. Who shared it is a relationship (SHARED), so that forgetting the
        # member drops the link and keeps the resource.
        NodeSpec("Resource", ("id", "title", "url", "kind", "language", "description", "added")),
    )
}

RELATIONSHIPS: dict[str, RelSpec] = {
    spec.type: spec
    for spec in (
        RelSpec("WORKS_AT", "Member", "Organisation"),
        RelSpec("INTERESTED_IN", "Member", "Topic", ("level",)),
        RelSpec("MEMBER_OF", "Member", "Workstream", ("role",)),
        RelSpec("COVERS", "Workstream", "Topic"),
        # via: where the contact came from ("introduction"; unset: a file or a profile), since: its date.
        RelSpec("KNOWS", "Member", "Member", ("via", "since"), undirected=True),
        # The taxonomy: a narrower area to its broader one (at most one each), and a topic to the areas it
        # sits in (any number).
        RelSpec("BROADER", "Area", "Area"),
        RelSpec("IN_AREA", "Topic", "Area"),
        # The journey (issue 14): a project's organisation (at most one), its members with their role in
        # it (free text, e.g. "lead", "data scientist"), its topics and its workstream (at most one).
        RelSpec("RUN_BY", "Project", "Organisation"),
        RelSpec("WORKS_ON", "Member", "Project", ("role",)),
        RelSpec("ON_TOPIC", "Project", "Topic"),
        RelSpec("IN_WORKSTREAM", "Project", "Workstream"),
        # The themes a workstream serves, at the stages of the journey it takes in them (STAGES ids,
        # comma-separated; empty: every stage), and the themes a topic serves.
        RelSpec("SERVES", "Workstream", "Theme", ("stages",)),
        RelSpec("OF_THEME", "Topic", "Theme"),
        # A resource's topics and workstream (at most one), and the member who shared it (at: the ISO day).
        RelSpec("ABOUT", "Resource", "Topic"),
        RelSpec("FOR_WORKSTREAM", "Resource", "Workstream"),
        RelSpec("SHARED", "Member", "Resource", ("at",)),
    )
}

ORGANISATION_KINDS = ("NSO", "international", "academic", "other")
#: The levels of interest in a topic, from least to most: the order the scorer ranks them in.
LEVELS = ("learning", "practising", "expert")
#: A level's code (its place in LEVELS) packed beside a member's key in one integer: key * LEVEL_BASE + code,
#: where the code len(LEVELS) stands for a level graphapp does not know.
LEVEL_BASE = len(LEVELS) + 1
#: A member's roles in a workstream (not an account's roles: those are graphapp.queries.accounts.ROLES).
WORKSTREAM_ROLES = ("lead", "member")
EMAIL_VISIBILITY = ("members", "coordinators", "nobody")
#: The journey every machine-learning use goes through, in order (a Project's stage; SERVES stages).
STAGES = ("idea", "demonstration", "production", "maintenance")
#: What a Theme is: a theme of the map, or what facilitates the work.
THEME_KINDS = ("theme", "facilitator")
#: What a Resource is.
RESOURCE_KINDS = ("document", "code", "course", "recording")
SUGGESTIBLE = ("yes", "no")
INTRODUCTIONS = ("yes", "no")

# The schema version lives in the graph itself, on one node.
META_LABEL = "GraphappMeta"
#: Logins, invitations to create one, and recent failed sign-ins (per address and per login, so that the
#: limit holds across every process sharing the graph). Not part of the network (never drawn, exported or
#: backed up): kept apart from NODES on purpose. Every value is a string (times are ISO 8601, UTC), or a list of them (a LoginAttempt's failures).
ACCOUNT_LABELS: dict[str, NodeSpec] = {
    spec.label: spec
    for spec in (
        # seen: when the account last opened a page (for "what's new since my last visit").
        NodeSpec("Account", ("id", "password_hash", "role", "member", "active", "created", "seen")),
        NodeSpec("Invitation", ("id", "role", "member", "expires", "created_by")),
        NodeSpec("LoginAttempt", ("id", "last", "failures"), list_properties=("failures",)),
    )
}
#: The account labels a backup carries (with the password hashes, so that a restore onto an empty store
#: gives back a service people can sign in to); failed sign-ins are not kept.
BACKED_UP_ACCOUNT_LABELS = ("Account", "Invitation")

#: What people ask of each other and of graphapp, kept in the graph beside the network: requests to join,
#: asks (issues to discuss) and the offers to help with them, introductions, the mail queue, and the email
#: domains whose confirmed join requests are approved at once. Never drawn or exported as part of the
#: network; in backups. Members are named by id in a property (``member``, ``from_member``...), as accounts
#: name theirs, so that forgetting a member finds everything of theirs by one property. Every value is a
#: string (times ISO 8601, UTC) or a list of strings; tokens are kept only as their SHA-256.
WORKFLOW_LABELS: dict[str, NodeSpec] = {
    spec.label: spec
    for spec in (
        NodeSpec(
            "JoinRequest",
            (
                "id",
                "token_hash",  # the email confirmation link's token
                "status",  # unconfirmed, confirmed, approved, declined
                "email",
                "name",
                "organisation",  # an existing organisation's id, or empty with new_organisation
                "new_organisation",
                "country",
                "title",
                "topics",  # "topic-id:level" each
                "new_topics",  # topics proposed on the form, "name:level" each: proposals of the member made
                "workstreams",
                "issue_kind",  # technical, strategic, organisational (or empty)
                "issue_text",
                "issue_topics",
                "email_visibility",
                "suggestible",
                "introductions",
                "created",
                "expires",  # an unconfirmed request is dropped after this
                "confirmed",
                "decided",
                "decided_by",  # a coordinator's login, or "domain:<domain>" for a trusted domain
                "reason",  # a decline's reason (mailed to the person)
                "member",  # the member made on approval
                "lock",  # written first by a decision, to take the request's lock (see queries.joining)
                "language",  # the language of the page it was made on: its mails are written in it
            ),
            list_properties=("topics", "new_topics", "workstreams", "issue_topics"),
        ),
        NodeSpec(
            "Ask",
            ("id", "member", "kind", "text", "topics", "status", "created", "closed", "lock"),
            list_properties=("topics",),
        ),
        NodeSpec("Offer", ("id", "ask", "member", "note", "created")),
        NodeSpec(
            "Introduction",
            (
                "id",
                "token_hash",  # the mailed link's token, which answers without signing in
                "from_member",
                "to_member",
                "note",
                "kind",  # where it was asked from: a suggestion mode (peer, mentor...), ask, profile
                "ask",
                "status",  # asked, accepted, declined
                "created",
                "decided",
                "lock",  # written first by an answer, to take the introduction's lock
            ),
        ),
        NodeSpec(
            "Mail",
            (
                "id",
                "recipient",  # the address
                "member",  # the member it is to, if it is to one
                "about",  # the members it speaks of (the asker of an introduction...): forgetting one drops it
                "kind",
                "subject",
                "text",
                "html",
                "status",  # queued, sending, sent, failed (given up), outbox (no mail server configured)
                "attempts",
                "next_try",  # when it is due; while sending, when the sender's claim lapses
                "claim",  # the deliverer sending it
                "lock",  # written first by a deliverer about to claim it, to take the mail's lock
                "last_error",
                "created",
                "sent",
            ),
            list_properties=("about",),
        ),
        NodeSpec("TrustedDomain", ("id", "added_by", "added")),
        # The history (issue 13): one node per change, append-only (see graphapp.history). Forgetting a
        # member drops the changes filed under them and blanks them from the changes that name them in
        # `about`, leaving one change that says a member was forgotten, and by whom.
        NodeSpec(
            "Change",
            (
                "id",
                "at",  # when (ISO 8601, UTC, microseconds: sorts as it happened)
                "by",  # who: "account:<login>", "cli:<os user>", "system", "join:<request>", "link:<kind>"
                "kind",  # graphapp.history.KINDS
                "member",  # the member it changed or is about (empty: none)
                "subject",  # what else it changed: "topic:<id>", "organisation:<id>", "account:<login>", ...
                "summary",  # one line for people: "members.csv: 3 new, 2 changed"
                "fields",  # the fields it changed
                "before",  # those fields before, as a JSON object (strings, or lists of strings)
                "after",  # and after
                "about",  # other members it names (an introduction's other side): forgetting one blanks it
                "batch",  # the import or action it was part of (one id for every change of one import)
            ),
            list_properties=("fields", "about"),
        ),
        # A topic a member typed that is not in the vocabulary, waiting for a coordinator (issue 13): the
        # member's interest is kept here until the topic is approved (made, and the interest with it),
        # mapped to an existing topic, or declined.
        # A workstream's dated progress note (issue 14 §5), written by one of its leads: published with the
        # workstream, in the history and the API. member: the lead who wrote it (forgetting them blanks it
        # and keeps the note); date: the ISO day the progress is as of; created/updated: when written.
        NodeSpec("ProgressNote", ("id", "workstream", "member", "date", "text", "created", "updated")),
        NodeSpec(
            "TopicProposal",
            (
                "id",
                "name",  # as the member typed it
                "member",
                "level",
                "status",  # waiting, approved, mapped, declined
                "topic",  # the topic it became or was mapped to
                "created",
                "decided",
                "decided_by",
                "lock",
            ),
        ),
        # A survey mapping saved under a name (issue 16: graphapp.ingest.mapping): how a survey tool's export
        # is read as members (mapping: the mapping's JSON), reused for the next export of the same survey.
        NodeSpec("SurveyMapping", ("id", "name", "mapping", "saved", "saved_by")),
    )
}


def _ladybug_type(spec: NodeSpec, prop: str) -> str:
    return "STRING[]" if prop in spec.list_properties else "STRING"


def _ladybug_ddl() -> list[str]:
    statements = [f"CREATE NODE TABLE IF NOT EXISTS {META_LABEL}(key STRING PRIMARY KEY, value STRING)"]
    for spec in (*NODES.values(), *ACCOUNT_LABELS.values(), *WORKFLOW_LABELS.values()):
        columns = ", ".join(
            f"{p} {_ladybug_type(spec, p)}{' PRIMARY KEY' if p == 'id' else ''}" for p in spec.properties
        )
        statements.append(f"CREATE NODE TABLE IF NOT EXISTS {spec.label}({columns})")
    for rel in RELATIONSHIPS.values():
        rel_props = "".join(f", {p} STRING" for p in rel.properties)
        statements.append(
            f"CREATE REL TABLE IF NOT EXISTS {rel.type}(FROM {rel.source} TO {rel.target}{rel_props})"
        )
    return statements


def _neo4j_ddl() -> list[str]:
    statements = [
        f"CREATE CONSTRAINT graphapp_meta_key IF NOT EXISTS FOR (n:{META_LABEL}) REQUIRE n.key IS UNIQUE"
    ]
    for spec in NODES.values():
        statements.append(
            f"CREATE CONSTRAINT {spec.label.lower()}_id IF NOT EXISTS "
            f"FOR (n:{spec.label}) REQUIRE n.id IS UNIQUE"
        )
    for label in (*ACCOUNT_LABELS, *WORKFLOW_LABELS):
        statements.append(
            f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        )
    # Members are matched by email when a file lists contacts (the `knows` column).
    statements.append("CREATE INDEX member_email IF NOT EXISTS FOR (n:Member) ON (n.email)")
    # The history is read by member and by time.
    statements.append("CREATE INDEX change_member IF NOT EXISTS FOR (n:Change) ON (n.member)")
    statements.append("CREATE INDEX change_at IF NOT EXISTS FOR (n:Change) ON (n.at)")
    return statements


DDL: dict[Dialect, list[str]] = {"neo4j": _neo4j_ddl(), "ladybug": _ladybug_ddl()}

READ_VERSION = Cypher(f"MATCH (m:{META_LABEL} {{key: 'schema_version'}}) RETURN m.value AS version")
WRITE_VERSION = Cypher(f"MERGE (m:{META_LABEL} {{key: 'schema_version'}}) SET m.value = $version")
# Every write transaction stamps the graph with a new revision (see graphapp.store and stamp_revision), so
# that data derived from the whole graph (the suggestion index) can tell whether it is still current, in
# any process.
READ_REVISION = Cypher(f"MATCH (m:{META_LABEL} {{key: 'revision'}}) RETURN m.value AS revision")
META_TABLE_EXISTS = Cypher(
    neo4j=f"MATCH (m:{META_LABEL}) RETURN count(m) AS n",
    ladybug=f"CALL show_tables() WITH * WHERE name = '{META_LABEL}' RETURN count(*) AS n",
)

#: Steps that bring a database from version N-1 to N, per dialect, run after the (idempotent) DDL above,
#: which creates any new table. A new database gets the DDL of the current version and no steps.
MIGRATIONS: dict[int, dict[Dialect, list[str]]] = {
    # 2: members' consent (email_visibility, suggestible); accounts and invitations (new tables, in DDL).
    2: {
        "ladybug": [
            "ALTER TABLE Member ADD email_visibility STRING",
            "ALTER TABLE Member ADD suggestible STRING",
        ],
        "neo4j": [],  # properties need no declaring in Neo4j; the constraints are in the DDL
    },
    # 3: failed sign-ins kept in the graph (LoginAttempt: a new table and constraint, in the DDL).
    3: {"ladybug": [], "neo4j": []},
    # 4: joining, asks, introductions, mail (new tables, in the DDL); a member's introductions and mail
    # choices; where a contact came from.
    4: {
        "ladybug": [
            "ALTER TABLE Member ADD introductions STRING",
            "ALTER TABLE Member ADD mail_off STRING",
            "ALTER TABLE KNOWS ADD via STRING",
            "ALTER TABLE KNOWS ADD since STRING",
        ],
        "neo4j": [],
    },
    # 5: one topic vocabulary, fresh profiles, the history (Change, TopicProposal: new tables, in the DDL).
    5: {
        "ladybug": [
            *(
                f"ALTER TABLE Member ADD IF NOT EXISTS {p} STRING"
                for p in ("joined", "confirmed", "reminded", "reminders", "lapsed")
            ),
            "ALTER TABLE Topic ADD IF NOT EXISTS description STRING",
            "ALTER TABLE Topic ADD IF NOT EXISTS status STRING",
            "ALTER TABLE Account ADD IF NOT EXISTS seen STRING",
            "ALTER TABLE JoinRequest ADD IF NOT EXISTS new_topics STRING[]",  # (new in a version 4 file only)
        ],
        "neo4j": [],
    },
    # 6: the competence taxonomy (Area, BROADER, IN_AREA: new tables and a constraint, in the DDL).
    6: {"ladybug": [], "neo4j": []},
    # 7: the journey: projects, themes, resources, progress notes (new tables and constraints, in the DDL).
    7: {"ladybug": [], "neo4j": []},
    # 8: the language a member's (and a request to join's) mails are written in, the optional French and
    # Russian names of topics and organisations (issue 15).
    8: {
        "ladybug": [
            "ALTER TABLE Member ADD IF NOT EXISTS language STRING",
            "ALTER TABLE JoinRequest ADD IF NOT EXISTS language STRING",
            *(
                f"ALTER TABLE {table} ADD IF NOT EXISTS {p} STRING"
                for table in ("Topic", "Organisation")
                for p in ("name_fr", "name_ru")
            ),
        ],
        "neo4j": [],
    },
    # 9: saved survey mappings (SurveyMapping: a new table and constraint, in the DDL; issue 16).
    9: {"ladybug": [], "neo4j": []},
}


def schema_version(tx: Tx) -> int | None:
    """The schema version recorded in the database, or None for a database graphapp never initialised."""
    if tx.dialect == "ladybug" and not tx.run(META_TABLE_EXISTS)[0]["n"]:
        return None
    rows = tx.run(READ_VERSION)
    return int(rows[0]["version"]) if rows else None


def create_schema(store: Store) -> tuple[int | None, int]:
    """Create the schema, or migrate it to :data:`SCHEMA_VERSION`. Idempotent.

    Neo4j refuses schema changes and data writes in one transaction, so each DDL statement runs in a
    transaction of its own; every statement is ``IF NOT EXISTS``, so a run cut short is simply run again.
    Returns the version found before and the version now.
    """
    before = store.read(schema_version)
    if before is not None and before > SCHEMA_VERSION:
        raise SchemaTooNew(before)
    steps = list(DDL[store.dialect])
    for version in range((before or SCHEMA_VERSION) + 1, SCHEMA_VERSION + 1):
        steps += MIGRATIONS[version][store.dialect]
    for statement in steps:
        store.schema(statement)
    if before != SCHEMA_VERSION:
        store.write(_run_one, WRITE_VERSION, version=str(SCHEMA_VERSION))
    return before, SCHEMA_VERSION


def _run_one(tx: Tx, /, statement: Cypher | str, **params: Any) -> None:
    tx.run(statement, **params)


def graph_revision(tx: Tx) -> str | None:
    """The graph's revision: a new value after every write transaction (None before the first)."""
    rows = tx.run(READ_REVISION)
    return rows[0]["revision"] if rows else None


# --- The revision log: which members each recent write changed ----------------------------------------
#
# Beside the revision, the meta node 'revision-log' keeps the last writes as a JSON list of
# [revision, previous revision, the ids of the members it changed, or null for everything]. A reader that
# kept data derived at revision R follows the entries back from the current revision to R and learns
# which members changed since (graphapp.reports patches the interest index with just them). The log is
# written in the write's own transaction, after taking the revision node's write lock on Neo4j, so that
# two writes that began from one revision are logged one after the other, the second naming the first as
# its previous revision: no reader can skip one.

#: How many writes the log keeps; a reader further behind builds anew.
LOG_WRITES = 64
#: How many member ids the log keeps in all; a write that changed more is logged as a change of everything
#: (patching that many costs about as much as building anew).
LOG_MEMBERS = 1000

# Writing a property takes the node's write lock for the rest of the transaction: writers queue here, and
# each then reads what the one before it wrote. Not `SET m.value = m.value`: measured, that reads the value
# before it waits for the lock and writes it back, so a writer that waited saw the revision the one before
# it replaced (and named it as its previous). A property written and removed leaves nothing behind.
# LadybugDB has one writer at a time.
LOCK_REVISION = Cypher(f"MERGE (m:{META_LABEL} {{key: 'revision'}}) SET m.lock = true REMOVE m.lock")
READ_REVISION_LOG = Cypher(
    f"MATCH (m:{META_LABEL}) WHERE m.key IN ['revision', 'revision-log'] RETURN m.key AS key, m.value AS value"
)
READ_LOG = Cypher(f"MATCH (m:{META_LABEL} {{key: 'revision-log'}}) RETURN m.value AS log")
WRITE_META = Cypher(f"UNWIND $rows AS row MERGE (m:{META_LABEL} {{key: row.key}}) SET m.value = row.value")


def _log(text: str | None) -> list[list[Any]]:
    """The log's entries (oldest first); none if it is missing or unreadable (readers then build anew)."""
    try:
        entries = json.loads(text or "[]")
    except ValueError:
        return []
    return entries if isinstance(entries, list) else []


def stamp_revision(tx: Tx, changed: Collection[str] | None = None) -> None:
    """Give the graph a new revision, and log it with the members the write ``changed`` (None: it may
    have changed anything). The stores call this at the end of every write transaction."""
    if tx.dialect == "neo4j":
        tx.run(LOCK_REVISION)
    meta = {row["key"]: row["value"] for row in tx.run(READ_REVISION_LOG)}
    revision = uuid.uuid4().hex
    members = None if changed is None or len(changed) > LOG_MEMBERS else sorted(changed)
    entries = [*_log(meta.get("revision-log")), [revision, meta.get("revision"), members]]
    kept, held = 0, 0
    for entry in reversed(entries):
        held += len(entry[2] or ())
        if kept == LOG_WRITES or held > LOG_MEMBERS:
            break
        kept += 1
    rows = [
        {"key": "revision", "value": revision},
        {"key": "revision-log", "value": json.dumps(entries[-kept:], separators=(",", ":"))},
    ]
    tx.run(WRITE_META, rows=rows)


#: Labels whose nodes, and whose relationships, change no member's interests or properties (what the
#: suggestion index holds): an import of only these declares that it changed no member.
CHANGE_NO_MEMBER = frozenset({"Project", "Theme", "Resource"})


def changed_members(
    nodes: Sequence[Mapping[str, Sequence[Mapping[str, Any]]]],
    relationships: Sequence[Mapping[str, Sequence[Mapping[str, Any]]]],
) -> set[str] | None:
    """The ids of the members that writing these rows changes (``nodes``: rows by label, ``id`` each;
    ``relationships``: rows by type, ``source`` and ``target`` each), or None when they change more than
    members and their relationships (a topic, an organisation, what a workstream covers...): what an
    import declares (:meth:`Tx.touched`).

    >>> sorted(changed_members([{"Member": [{"id": "ana"}]}], [{"KNOWS": [{"source": "bo", "target": "cy"}]}]))
    ['ana', 'bo', 'cy']
    >>> changed_members([{"Member": [], "Topic": [{"id": "nlp"}]}], []) is None
    True

    Projects, themes and resources, and their links (even to members: who works on a project, who
    shared a resource), change no member's interests or properties:

    >>> changed_members([{"Project": [{"id": "p-1"}], "Theme": [{"id": "quality"}]}],
    ...                 [{"WORKS_ON": [{"source": "ana", "target": "p-1"}], "SERVES": [{"source": "WS2", "target": "quality"}]}])
    set()
    """
    changed: set[str] = set()
    for by_label in nodes:
        for label, rows in by_label.items():
            if label in CHANGE_NO_MEMBER:
                continue
            if rows and label != "Member":
                return None
            changed.update(row["id"] for row in rows)
    for by_type in relationships:
        for rel_type, rows in by_type.items():
            spec = RELATIONSHIPS[rel_type]
            if spec.source in CHANGE_NO_MEMBER or spec.target in CHANGE_NO_MEMBER:
                continue
            if rows and spec.source != "Member":
                return None
            for row in rows:
                changed.add(row["source"])
                if spec.target == "Member":
                    changed.add(row["target"])
    return changed


def revision_and_log(tx: Tx) -> tuple[str | None, str | None]:
    """The graph's revision (:func:`graph_revision`) and the revision log's text, in one statement: what a
    reader of kept data needs, the log for :func:`members_changed` should the revision have moved."""
    meta = {row["key"]: row["value"] for row in tx.run(READ_REVISION_LOG)}
    return meta.get("revision"), meta.get("revision-log")


def members_changed(tx: Tx, since: str | None, now: str | None, log: str | None = None) -> set[str] | None:
    """The ids of the members changed between revisions ``since`` and ``now`` (read in this transaction),
    from the revision log (read here unless given, as :func:`revision_and_log` read it); None when it
    cannot say: a write between them that may have changed anything, or one the log no longer holds (or
    never did: ``since`` from before the log, or from another graph)."""
    if since is None or now is None:
        return None
    if since == now:
        return set()
    if log is None:
        rows = tx.run(READ_LOG)
        log = rows[0]["log"] if rows else None
    entries: dict[Any, list[Any]] = {entry[0]: entry for entry in _log(log) if len(entry) == 3}
    changed: set[str] = set()
    at: Any = now
    for _ in range(len(entries)):
        entry = entries.get(at)
        if entry is None or entry[2] is None:
            return None
        changed.update(entry[2])
        at = entry[1]
        if at == since:
            return changed
    return None


class SchemaTooNew(Exception):
    """The database was written by a newer graphapp."""

    def __init__(self, found: int) -> None:
        super().__init__(
            f"the database has schema version {found}, newer than this graphapp understands "
            f"({SCHEMA_VERSION}); upgrade graphapp"
        )


# --- Generic statements derived from the model, used by import, restore and backup ----------------


def _set_clause(var: str, props: tuple[str, ...]) -> str:
    return ", ".join(f"{var}.{p} = row.{p}" for p in props)


def _match_pair(rel: RelSpec) -> str:
    return f"MATCH (a:{rel.source} {{id: row.source}}), (b:{rel.target} {{id: row.target}})"


CREATE_NODES: dict[str, Cypher] = {
    # LadybugDB wants the primary key inside the CREATE pattern.
    label: Cypher(
        f"UNWIND $rows AS row CREATE (n:{label} {{id: row.id}}) SET {_set_clause('n', spec.properties[1:])}"
    )
    for label, spec in NODES.items()
}
UPDATE_NODES: dict[str, Cypher] = {
    label: Cypher(
        f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) SET {_set_clause('n', spec.properties[1:])}"
    )
    for label, spec in NODES.items()
}


def _props(var: str, props: tuple[str, ...]) -> dict[str, str]:
    return {p: f"{var}.{p}" for p in props}


#: Every node of a label (callers sort; `collect` does not promise an order).
ALL_NODES: dict[str, Rows] = {
    label: Rows(f"MATCH (n:{label})", **_props("n", spec.properties)) for label, spec in NODES.items()
}
# Look-ups by a list of ids UNWIND the list and seek each id: on LadybugDB that is a primary-key look-up,
# several times faster than `WHERE n.id IN $ids`, which scans; on Neo4j both seek the uniqueness index.
NODES_BY_ID: dict[str, Rows] = {
    label: Rows(f"UNWIND $ids AS id MATCH (n:{label} {{id: id}})", **_props("n", spec.properties))
    for label, spec in NODES.items()
}

CREATE_RELS: dict[str, Cypher] = {
    t: Cypher(
        f"UNWIND $rows AS row {_match_pair(rel)} CREATE (a)-[r:{t}]->(b)"
        + (f" SET {_set_clause('r', rel.properties)}" if rel.properties else "")
    )
    for t, rel in RELATIONSHIPS.items()
}
UPDATE_RELS: dict[str, Cypher] = {
    t: Cypher(
        f"UNWIND $rows AS row MATCH (a:{rel.source} {{id: row.source}})-[r:{t}]->(b:{rel.target} {{id: row.target}}) "
        f"SET {_set_clause('r', rel.properties)}"
    )
    for t, rel in RELATIONSHIPS.items()
    if rel.properties
}
DELETE_RELS: dict[str, Cypher] = {
    t: Cypher(
        f"UNWIND $rows AS row MATCH (a:{rel.source} {{id: row.source}})-[r:{t}]->(b:{rel.target} {{id: row.target}}) "
        "DELETE r"
    )
    for t, rel in RELATIONSHIPS.items()
}


def csv_columns(table: str) -> tuple[str, ...]:
    """The columns of a CSV file of ``table``'s rows, in the order a bulk load reads them: a label's
    properties, or a relationship type's ``source``, ``target`` and properties.

    >>> csv_columns("INTERESTED_IN")
    ('source', 'target', 'level')
    """
    if table in NODES:
        return NODES[table].properties
    return ("source", "target", *RELATIONSHIPS[table].properties)


def _rel_columns(rel: RelSpec) -> dict[str, str]:
    return {"source": "a.id", "target": "b.id", **_props("r", rel.properties)}


ALL_RELS: dict[str, Rows] = {
    t: Rows(f"MATCH (a:{rel.source})-[r:{t}]->(b:{rel.target})", **_rel_columns(rel))
    for t, rel in RELATIONSHIPS.items()
}
# The far end is left unlabelled on purpose (each type joins one pair of labels): the planner then has to
# expand from the ids it was given, even with a plan cached while the graph was still empty.
RELS_FROM: dict[str, Rows] = {
    t: Rows(f"UNWIND $ids AS id MATCH (a:{rel.source} {{id: id}})-[r:{t}]->(b)", **_rel_columns(rel))
    for t, rel in RELATIONSHIPS.items()
}
RELS_TO: dict[str, Rows] = {
    t: Rows(f"UNWIND $ids AS id MATCH (b:{rel.target} {{id: id}})<-[r:{t}]-(a)", **_rel_columns(rel))
    for t, rel in RELATIONSHIPS.items()
}
#: Relationships of an undirected type (KNOWS) that touch any of the ids, each once, as stored.
RELS_TOUCHING: dict[str, Rows] = {
    t: Rows(
        f"UNWIND $ids AS id MATCH (a:{rel.source} {{id: id}})-[r:{t}]-(b) "
        "WITH DISTINCT CASE WHEN a.id < b.id THEN a.id ELSE b.id END AS source, "
        "CASE WHEN a.id < b.id THEN b.id ELSE a.id END AS target",
        source="source",
        target="target",
    )
    for t, rel in RELATIONSHIPS.items()
    if rel.undirected
}
DELETE_ALL = Cypher("MATCH (n) DETACH DELETE n")
DELETE_LABEL: dict[str, Cypher] = {label: Cypher(f"MATCH (n:{label}) DETACH DELETE n") for label in NODES}
COUNT_NODES: dict[str, Cypher] = {label: Cypher(f"MATCH (n:{label}) RETURN count(n) AS n") for label in NODES}
# (Each type joins one pair of labels. Without labels on its ends, Neo4j answers from its count store
# instead of expanding every relationship: the home page's counts took 0.6 s at 100,000 members.)
COUNT_RELS: dict[str, Cypher] = {
    t: Cypher(f"MATCH ()-[r:{t}]->() RETURN count(r) AS n") for t in RELATIONSHIPS
}

BATCH_SIZE = 5000


def batches(rows: list[Any], size: int = BATCH_SIZE) -> list[list[Any]]:
    """Split rows into UNWIND-sized batches.

    >>> [len(b) for b in batches(list(range(12)), 5)]
    [5, 5, 2]
    """
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def counts(tx: Tx) -> dict[str, int]:
    """How many nodes of each label and relationships of each type the graph holds."""
    result = {label: tx.run(q)[0]["n"] for label, q in COUNT_NODES.items()}
    result.update({t: tx.run(q)[0]["n"] for t, q in COUNT_RELS.items()})
    return result

"""What coordinators do to keep the vocabulary true: rename topics and organisations (the old name stays as
an alias), add and remove aliases, describe and retire topics, and merge two into one.

Each action is ``fn(tx, ...)``, one write transaction shared by the pages, the API and the CLI, and records
itself in the history in that transaction (kind "topic" or "organisation", subject "topic:<id>"...; a
merge also records, with one batch id, one member-format change per member whose interests or
organisation moved, and one per workstream whose covered topics moved). A refusal is
:class:`graphapp.introductions.Refused` (status and words); nothing is written then.

Names are matched as an import matches them (:func:`graphapp.ingest.plan.name_key`: case, accents, spacing
and punctuation do not count), by id, name or alias.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from graphapp.i18n import _
from graphapp.ingest.plan import NameIndex, name_key
from graphapp.introductions import Refused
from graphapp.queries import history
from graphapp.queries import vocabulary as q
from graphapp.queries.cypher import Tx
from graphapp.queries.schema import LEVELS
from graphapp.queries.taxonomy import move_places

__all__ = [
    "KINDS",
    "LIMITS",
    "MergePlan",
    "ACTIONS",
    "add_alias",
    "change",
    "describe",
    "find",
    "merge",
    "plan_merge",
    "remove_alias",
    "rename",
    "retire",
    "translate",
    "update",
]

P = ParamSpec("P")
T = TypeVar("T")

#: The two vocabularies: what people call them, and their label in the graph.
KINDS = {"topic": "Topic", "organisation": "Organisation"}
#: The most characters a name, an alias and a description may hold, and the most aliases.
LIMITS = {"name": 200, "alias": 200, "description": 2000, "aliases": 50}


def _one_at_a_time(action: Callable[Concatenate[Tx, P], T]) -> Callable[Concatenate[Tx, P], T]:
    """A write action that first takes the vocabulary's lock (:func:`graphapp.queries.vocabulary.hold_vocabulary`),
    so that its checks and its writes see no other change in between."""

    @functools.wraps(action)
    def held(tx: Tx, /, *args: P.args, **kwargs: P.kwargs) -> T:
        q.hold_vocabulary(tx)
        return action(tx, *args, **kwargs)

    return held


def _kind(what: str) -> str:
    if what not in KINDS:
        raise ValueError(f"unknown vocabulary {what!r}")
    return KINDS[what]


def _nodes(tx: Tx, what: str) -> dict[str, dict[str, Any]]:
    read = q.topic_vocabulary if what == "topic" else q.organisation_vocabulary
    return {n["id"]: n for n in read(tx)}


def _index(nodes: dict[str, dict[str, Any]], what: str) -> NameIndex:
    return NameIndex(what, nodes)


def find(tx: Tx, what: str, text: str) -> dict[str, Any]:
    """The topic or organisation that ``text`` names (its id, name or an alias, matched as the import
    matches); refused (404) with the closest names when none does."""
    nodes = _nodes(tx, what)
    text = (text or "").strip()
    found = text if text in nodes else _index(nodes, what).find(text) if text else None
    if found is None:
        from graphapp.ingest.normalise import closest

        names = {n["name"]: n["name"] for n in nodes.values()}
        near = closest(text, names) if text else []
        if what == "topic":
            missing = _("There is no topic named %(text)s.", text=repr(text))
        else:
            missing = _("There is no organisation named %(text)s.", text=repr(text))
        if near:
            missing = _(
                "%(problem)s Did you mean %(names)s?",
                problem=missing,
                names=str(_(" or ")).join(repr(n) for n in near),
            )
        raise Refused(404, missing)
    return nodes[found]


def _clean(text: str, field_name: str, limit: int) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise Refused(
            400,
            _("The new name cannot be empty.")
            if field_name == "new name"
            else _("The alias cannot be empty."),
        )
    if len(text) > limit:
        if field_name == "new name":
            raise Refused(
                400,
                _(
                    "The new name is %(count)s characters long; at most %(limit)s are allowed.",
                    count=len(text),
                    limit=limit,
                ),
            )
        raise Refused(
            400,
            _(
                "The alias is %(count)s characters long; at most %(limit)s are allowed.",
                count=len(text),
                limit=limit,
            ),
        )
    return text


def _check_free(tx: Tx, what: str, node_id: str, spellings: list[str]) -> None:
    """Refuse (409) if a spelling already names another topic (or organisation)."""
    nodes = _nodes(tx, what)
    index = _index(nodes, what)
    for spelling in spellings:
        other = index.ids.get(name_key(spelling))
        if other is not None and other != node_id:
            if what == "topic":
                taken = _(
                    "'%(spelling)s' already names the topic '%(name)s'.",
                    spelling=spelling,
                    name=nodes[other]["name"],
                )
            else:
                taken = _(
                    "'%(spelling)s' already names the organisation '%(name)s'.",
                    spelling=spelling,
                    name=nodes[other]["name"],
                )
            raise Refused(409, taken)


def _fields(what: str, node: dict[str, Any]) -> dict[str, Any]:
    out = {"name": node.get("name") or "", "aliases": sorted(node.get("aliases") or [])}
    out.update(name_fr=node.get("name_fr") or "", name_ru=node.get("name_ru") or "")
    if what == "topic":
        out.update(description=node.get("description") or "", status=node.get("status") or "")
    return out


def _write(
    tx: Tx, what: str, node_id: str, before: dict[str, Any], after: dict[str, Any], summary: str
) -> None:
    """Write a node's vocabulary fields and record what changed (nothing, if nothing did)."""
    changed = [k for k in after if before.get(k) != after[k]]
    if not changed:
        return
    if what == "topic":
        q.set_topic(tx, node_id, after["name"], after["aliases"], after["description"], after["status"])
    else:
        q.set_organisation(tx, node_id, after["name"], after["aliases"])
    if {"name_fr", "name_ru"} & set(changed):
        q.set_translated_names(tx, _kind(what), node_id, after["name_fr"], after["name_ru"])
    history.record(
        tx,
        what,
        subject=f"{what}:{node_id}",
        summary=summary,
        before={k: before.get(k, "") for k in changed},
        after={k: after[k] for k in changed},
    )


def _aliases_without(aliases: list[str], *spellings: str) -> list[str]:
    """The aliases, each spelling once, without those that spell one of ``spellings``."""
    out: dict[str, str] = {}
    dropped = {name_key(s) for s in spellings}
    for alias in aliases:
        key = name_key(alias)
        if key not in dropped and key not in out:
            out[key] = alias
    return sorted(out.values(), key=str.casefold)


@_one_at_a_time
def rename(tx: Tx, what: str, text: str, new_name: str) -> dict[str, Any]:
    """Rename a topic or organisation; its old name becomes an alias (so that files and people using it
    still find it). Refused if the new name names another one."""
    node = find(tx, what, text)
    new_name = _clean(new_name, "new name", LIMITS["name"])
    _check_free(tx, what, node["id"], [new_name])
    before = _fields(what, node)
    aliases = before["aliases"] + ([before["name"]] if name_key(before["name"]) != name_key(new_name) else [])
    after = {**before, "name": new_name, "aliases": _aliases_without(aliases, new_name)}
    _write(tx, what, node["id"], before, after, f"renamed the {what} '{before['name']}' to '{new_name}'")
    return {**node, **after}


@_one_at_a_time
def add_alias(tx: Tx, what: str, text: str, alias: str) -> dict[str, Any]:
    """Another name for a topic or organisation ("ONS" for "Office for National Statistics"). Refused
    if it names another one already."""
    node = find(tx, what, text)
    alias = _clean(alias, "alias", LIMITS["alias"])
    _check_free(tx, what, node["id"], [alias])
    before = _fields(what, node)
    if name_key(alias) in {name_key(before["name"]), *map(name_key, before["aliases"])}:
        return {**node, **before}  # (already a spelling of it: nothing to do)
    if len(before["aliases"]) >= LIMITS["aliases"]:
        raise Refused(
            400,
            _("A topic may have at most %(count)s aliases.", count=LIMITS["aliases"])
            if what == "topic"
            else _("An organisation may have at most %(count)s aliases.", count=LIMITS["aliases"]),
        )
    after = {**before, "aliases": sorted([*before["aliases"], alias], key=str.casefold)}
    _write(
        tx, what, node["id"], before, after, f"'{alias}' is another name for the {what} '{before['name']}'"
    )
    return {**node, **after}


@_one_at_a_time
def remove_alias(tx: Tx, what: str, text: str, alias: str) -> dict[str, Any]:
    """Drop an alias (matched as names are: case and accents do not count). Refused if it is not one."""
    node = find(tx, what, text)
    before = _fields(what, node)
    kept = [a for a in before["aliases"] if name_key(a) != name_key(alias or "")]
    if len(kept) == len(before["aliases"]):
        raise Refused(
            404,
            _("'%(alias)s' is not an alias of the topic '%(name)s'.", alias=alias, name=before["name"])
            if what == "topic"
            else _(
                "'%(alias)s' is not an alias of the organisation '%(name)s'.",
                alias=alias,
                name=before["name"],
            ),
        )
    after = {**before, "aliases": kept}
    _write(tx, what, node["id"], before, after, f"'{alias}' no longer names the {what} '{before['name']}'")
    return {**node, **after}


@_one_at_a_time
def translate(tx: Tx, what: str, text: str, name_fr: str = "", name_ru: str = "") -> dict[str, Any]:
    """Set a topic's or organisation's French and Russian names (shown to readers of that language where
    it is the subject; its name stays as entered); an empty one clears it."""
    node = find(tx, what, text)
    names = {}
    for key, value in (("name_fr", name_fr), ("name_ru", name_ru)):
        value = " ".join((value or "").split())
        if len(value) > LIMITS["name"]:
            count, limit = len(value), LIMITS["name"]
            raise Refused(
                400,
                _(
                    "The French name is %(count)s characters long; at most %(limit)s are allowed.",
                    count=count,
                    limit=limit,
                )
                if key == "name_fr"
                else _(
                    "The Russian name is %(count)s characters long; at most %(limit)s are allowed.",
                    count=count,
                    limit=limit,
                ),
            )
        names[key] = value
    before = _fields(what, node)
    after = {**before, **names}
    _write(tx, what, node["id"], before, after, f"translated the name of the {what} '{before['name']}'")
    return {**node, **after}


@_one_at_a_time
def describe(tx: Tx, text: str, description: str) -> dict[str, Any]:
    """Set (or, with an empty text, clear) a topic's description."""
    node = find(tx, "topic", text)
    description = (description or "").strip()
    if len(description) > LIMITS["description"]:
        raise Refused(
            400,
            _(
                "The description is %(count)s characters long; at most %(limit)s are allowed.",
                count=len(description),
                limit=LIMITS["description"],
            ),
        )
    before = _fields("topic", node)
    after = {**before, "description": description}
    _write(tx, "topic", node["id"], before, after, f"described the topic '{before['name']}'")
    return {**node, **after}


@_one_at_a_time
def retire(tx: Tx, text: str, retired: bool = True) -> dict[str, Any]:
    """Retire a topic (kept with its interests, no longer offered nor matched for new ones, nor reported as
    a gap), or with ``retired=False`` put it back in use."""
    node = find(tx, "topic", text)
    before = _fields("topic", node)
    after = {**before, "status": q.RETIRED if retired else ""}
    verb = "retired" if retired else "put back in use"
    _write(tx, "topic", node["id"], before, after, f"{verb} the topic '{before['name']}'")
    return {**node, **after}


#: The changes of one topic or organisation that :func:`change` makes, by name (those of topics only:
#: describe, retire, unretire), as the edit page's forms name them.
ACTIONS = ("rename", "alias", "unalias", "translate", "describe", "retire", "unretire")
TOPIC_ONLY = ("describe", "retire", "unretire")


@_one_at_a_time
def change(tx: Tx, what: str, text: str, action: str, value: str = "", value_ru: str = "") -> dict[str, Any]:
    """One of :data:`ACTIONS` on the topic or organisation ``text`` names: ``value`` is the new name, the
    alias, the description or (to translate) the French name, ``value_ru`` the Russian name (unused to
    retire). Returns the node as it is now."""
    if action not in ACTIONS or (what != "topic" and action in TOPIC_ONLY):
        allowed = [a for a in ACTIONS if what == "topic" or a not in TOPIC_ONLY]
        raise Refused(
            400,
            _(
                "A topic can be changed by %(actions)s; not by %(action)s.",
                actions=", ".join(allowed),
                action=repr(action),
            )
            if what == "topic"
            else _(
                "An organisation can be changed by %(actions)s; not by %(action)s.",
                actions=", ".join(allowed),
                action=repr(action),
            ),
        )
    if action == "rename":
        return rename(tx, what, text, value)
    if action == "alias":
        return add_alias(tx, what, text, value)
    if action == "unalias":
        return remove_alias(tx, what, text, value)
    if action == "translate":
        return translate(tx, what, text, value, value_ru)
    if action == "describe":
        return describe(tx, text, value)
    return retire(tx, text, action == "retire")


@_one_at_a_time
def update(
    tx: Tx,
    what: str,
    text: str,
    name: str | None = None,
    add_aliases: list[str] | tuple[str, ...] = (),
    remove_aliases: list[str] | tuple[str, ...] = (),
    description: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """Several changes of one topic or organisation in this transaction (the API's), in this order:
    rename, add aliases, remove aliases, describe, retire (``status`` "retired") or put back in use ("").
    Each is recorded as it is made; any refusal undoes them all. Returns the node as it is now."""
    node = find(tx, what, text)
    if what != "topic" and (description is not None or status is not None):
        raise Refused(400, _("An organisation has no description or status."))
    if name is not None:
        node = rename(tx, what, node["id"], name)
    for alias in add_aliases:
        node = add_alias(tx, what, node["id"], alias)
    for alias in remove_aliases:
        node = remove_alias(tx, what, node["id"], alias)
    if description is not None:
        node = describe(tx, node["id"], description)
    if status is not None:
        node = retire(tx, node["id"], status == q.RETIRED)
    return node


# --- Merging ---------------------------------------------------------------------------------------------


@dataclass
class MergePlan:
    """What a merge of ``merged`` into ``kept`` moves: said before it is done (the confirmation step and
    ``--dry-run``), and done by :func:`merge`."""

    what: str
    merged: dict[str, Any]
    kept: dict[str, Any]
    #: Members whose interest (or organisation) moves, each with its level after the merge.
    moved: dict[str, str] = field(default_factory=dict)
    #: Members who held both topics: the level they held each at, and the one kept (the higher).
    both: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: Workstreams that covered the merged topic and not the kept one (their cover moves).
    covers: list[str] = field(default_factory=list)
    #: The names the kept one will have as aliases.
    aliases: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """In words: "12 interests of 12 members move to record linkage; 2 members held both: the higher
        level is kept"."""
        merged, kept = self.merged["name"], self.kept["name"]
        if self.what == "organisation":
            text = f"{_n(len(self.moved), 'member')} of {merged} move to {kept}"
        else:
            text = f"{_n(len(self.moved) + len(self.both), 'interest')} of {_n(len(self.moved) + len(self.both), 'member')} move to {kept}"
            if self.both:
                held = "member held" if len(self.both) == 1 else "members held"
                text += f"; {len(self.both)} {held} both: the higher level is kept"
            if self.covers:
                text += f"; {_n(len(self.covers), 'workstream')} now cover{'s' if len(self.covers) == 1 else ''} {kept}"
        return f"{text}; '{merged}' becomes another name for {kept}, and {merged} is removed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.what,
            "merged": {"id": self.merged["id"], "name": self.merged["name"]},
            "kept": {"id": self.kept["id"], "name": self.kept["name"]},
            "members": len(self.moved) + len(self.both),
            "held_both": len(self.both),
            "workstreams": list(self.covers),
            "aliases": list(self.aliases),
            "summary": self.summary(),
        }


def _n(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _higher(a: str, b: str) -> str:
    """The higher of two levels.

    >>> _higher("learning", "expert"), _higher("practising", "learning")
    ('expert', 'practising')
    """
    rank = {level: i for i, level in enumerate(LEVELS)}
    return a if rank.get(a, -1) >= rank.get(b, -1) else b


def plan_merge(tx: Tx, what: str, merged_text: str, kept_text: str) -> MergePlan:
    """What merging ``merged_text`` into ``kept_text`` would move (nothing is written). Refused if they
    are one and the same, or (for topics) if the kept one is retired."""
    merged, kept = find(tx, what, merged_text), find(tx, what, kept_text)
    if merged["id"] == kept["id"]:
        raise Refused(
            409,
            _(
                "'%(merged)s' and '%(kept)s' are the same topic: there is nothing to merge.",
                merged=merged_text,
                kept=kept_text,
            )
            if what == "topic"
            else _(
                "'%(merged)s' and '%(kept)s' are the same organisation: there is nothing to merge.",
                merged=merged_text,
                kept=kept_text,
            ),
        )
    if what == "topic" and kept.get("status") == q.RETIRED:
        raise Refused(
            409,
            _(
                "The topic '%(name)s' is retired: put it back in use before merging into it.",
                name=kept["name"],
            ),
        )
    aliases = _aliases_without(
        [*(kept.get("aliases") or []), merged["name"], *(merged.get("aliases") or [])], kept["name"]
    )
    plan = MergePlan(what, merged, kept, aliases=aliases)
    if what == "topic":
        theirs, ours = q.holders(tx, merged["id"]), q.holders(tx, kept["id"])
        for member, level in theirs.items():
            if member in ours:
                plan.both[member] = (level, ours[member], _higher(level, ours[member]))
            else:
                plan.moved[member] = level
        covering = {w["workstream"] for w in q.covering_workstreams(tx, kept["id"])}
        plan.covers = [
            w["workstream"]
            for w in q.covering_workstreams(tx, merged["id"])
            if w["workstream"] not in covering
        ]
    else:
        ours_set = set(q.employees(tx, kept["id"]))
        plan.moved = {m: "" for m in q.employees(tx, merged["id"]) if m not in ours_set}
    return plan


@_one_at_a_time
def merge(tx: Tx, what: str, merged_text: str, kept_text: str) -> MergePlan:
    """Merge one topic (or organisation) into another, in this transaction: every interest moves to the
    kept topic, keeping the higher level where a member held both, and workstreams' covers move too (for
    an organisation: every member working there); asks and requests to join follow; the merged one's name
    and aliases become aliases of the kept one; the merged node is removed. Recorded in the history with
    one batch id: the kept and the merged node, and each member (and workstream) whose links moved."""
    plan = plan_merge(tx, what, merged_text, kept_text)
    merged, kept, label = plan.merged, plan.kept, _kind(what)
    batch = history.new_batch()
    summary = f"merged the {what} '{merged['name']}' into '{kept['name']}'"
    rows: list[dict[str, Any]] = []
    if what == "topic":
        members = sorted({*plan.moved, *plan.both})
        before = q.interests_of(tx, members)
        q.set_levels(
            tx, kept["id"], [{"member": m, "level": lv} for m, (_, old, lv) in plan.both.items() if lv != old]
        )
        q.add_interests(tx, kept["id"], [{"member": m, "level": lv} for m, lv in plan.moved.items()])
        q.add_covers(tx, kept["id"], plan.covers)
        move_places(tx, merged["id"], kept["id"])  # (the kept topic sits in the merged one's areas too)
        q.rename_topic_references(tx, merged["id"], kept["id"])
        q.delete_node(tx, label, merged["id"])
        after = q.interests_of(tx, members)
        rows += history.member_changes("topic", "topics", before, after, summary, batch)
        covered = {w: q.topics_covered(tx, w) for w in plan.covers}  # (after the merge)
        rows += [
            history.change(
                "topic",
                subject=f"workstream:{w}",
                summary=summary,
                before={"covers": sorted({*(t for t in topics if t != kept["id"]), merged["id"]})},
                after={"covers": topics},
                batch=batch,
            )
            for w, topics in covered.items()
        ]
    else:
        members = sorted(plan.moved)
        q.add_employees(tx, kept["id"], members)
        q.rename_organisation_references(tx, merged["id"], kept["id"])
        q.delete_node(tx, label, merged["id"])
        rows += [
            history.change(
                "organisation",
                member=m,
                subject=f"member:{m}",
                summary=summary,
                before={"organisation": merged["id"]},
                after={"organisation": kept["id"]},
                batch=batch,
            )
            for m in members
        ]
    kept_before = _fields(what, kept)
    kept_after = {**kept_before, "aliases": plan.aliases}
    if what == "topic":
        q.set_topic(
            tx, kept["id"], kept["name"], plan.aliases, kept_after["description"], kept_after["status"]
        )
    else:
        q.set_organisation(tx, kept["id"], kept["name"], plan.aliases)
    rows.append(
        history.change(
            what,
            subject=f"{what}:{kept['id']}",
            summary=f"{summary}: {plan.summary()}",
            before={"aliases": kept_before["aliases"]},
            after={"aliases": plan.aliases},
            batch=batch,
        )
    )
    rows.append(
        history.change(
            what,
            subject=f"{what}:{merged['id']}",
            summary=summary,
            before={k: v for k, v in _fields(what, merged).items() if v},
            after={},
            batch=batch,
        )
    )
    history.record_many(tx, rows)
    return plan

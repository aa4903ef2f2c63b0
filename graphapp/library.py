"""Shared resources as actions (issue 14 §4): a member shares a document, code repository, course or recording
by its public link, on some topics and perhaps for a workstream; the member who shared it, and coordinators,
edit or remove it. Write functions ``fn(tx, ...)`` shared by the pages, the API and the CLI (no Flask here);
each is one transaction that records itself in the history (kind "resource", subject ``resource:<id>``,
``about`` the sharer, so that forgetting them blanks it) and declares that it changed no member's interests
(``tx.touched([])``). What they refuse is a :class:`~graphapp.introductions.Refused`.

A link is refused unless it is a public link (:data:`LINK`, the check an import makes too: http or https,
an intranet's host or a non-ASCII path allowed), and when it is a link already held, compared after
:func:`link_key` (scheme, case of the host, default port, trailing slash and fragment set aside).
:data:`LINK`, :func:`link_key` and :func:`resource_id` live in :mod:`graphapp.ingest.normalise`, below
both, so that an import gives a resource the id and the link check the web gives it.
"""

from __future__ import annotations

import re
import uuid
from functools import cache
from typing import Any

import pycountry

from graphapp.i18n import _, word
from graphapp.ingest.normalise import LINK, link_key, public_link, resource_id
from graphapp.introductions import Refused
from graphapp.proposals import UnknownTopic, vocabulary
from graphapp.queries import history
from graphapp.queries import library as q
from graphapp.queries.cypher import Tx
from graphapp.queries.members import node
from graphapp.queries.schema import RESOURCE_KINDS

__all__ = [
    "DuplicateLink",
    "NotYours",
    "DESCRIPTION_LIMIT",
    "GROUP_LANGUAGES",
    "LINK",
    "RESOURCE_TOPICS",
    "TITLE_LIMIT",
    "URL_LIMIT",
    "add_resource",
    "edit_resource",
    "language_name",
    "languages",
    "link_key",
    "may_change",
    "remove_resource",
    "resource_id",
]

#: The longest a title, a link and a description may be, in characters; the most topics a resource names.
TITLE_LIMIT = 300
URL_LIMIT = 2000
DESCRIPTION_LIMIT = 2000
RESOURCE_TOPICS = 10
#: The group's own languages, offered first (the rest follow by name).
GROUP_LANGUAGES = ("en", "fr", "ru")


@cache
def languages(reader: str = "en") -> tuple[tuple[str, str], ...]:
    """Every ISO 639-1 language as (code, name in the ``reader``'s language, from Babel's CLDR data, else
    pycountry's English name): the group's languages first, then by name as that reader sorts them.

    >>> languages()[:3]
    (('en', 'English'), ('fr', 'French'), ('ru', 'Russian'))
    >>> languages("fr")[:3], languages("ru")[1]
    ((('en', 'anglais'), ('fr', 'français'), ('ru', 'russe')), ('fr', 'французский'))
    >>> len(languages()) > 150
    True
    """
    from babel import Locale

    shown = Locale.parse(reader).languages
    every = {
        lang.alpha_2: shown.get(lang.alpha_2) or lang.name
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2")
    }
    first = [(code, every[code]) for code in GROUP_LANGUAGES]
    rest = sorted(
        ((c, n) for c, n in every.items() if c not in GROUP_LANGUAGES), key=lambda x: _sort_key(x[1])
    )
    return (*first, *rest)


def _sort_key(text: str) -> tuple[str, str]:
    """Names sorted as a reader expects (accents and case set aside); as :func:`graphapp.i18n.sort_key`,
    which this Flask-free module does not import."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)), text


def language_name(code: str, reader: str = "en") -> str:
    """A language's name from its ISO 639-1 code, in the ``reader``'s language (the code itself if it is
    not one).

    >>> language_name("fr"), language_name("fr", "ru"), language_name("xx")
    ('French', 'французский', 'xx')
    """
    return dict(languages(reader)).get(code, code)


class DuplicateLink(Refused):
    """A link already held: ``held`` is the id of the resource that holds it."""

    def __init__(self, held: str, title: str) -> None:
        super().__init__(409, _("url: this link is shared already, as '%(title)s'.", title=title))
        self.held = held


class NotYours(Refused):
    """A resource that is not there (404), or not the asker's to change (403): a page answers it as such,
    not as a problem with the form."""


def may_change(resource: dict[str, Any], member: str | None, coordinator: bool) -> bool:
    """Whether someone may edit or remove a resource: the member who shared it, and coordinators."""
    sharer = resource.get("shared_by")
    return coordinator or bool(member and sharer and sharer["id"] == member)


def _check_form(url: str) -> None:
    if not public_link(url):
        raise Refused(
            400, _("url must be a link starting with http:// or https://, e.g. https://example.org/guide")
        )


def _check_link(tx: Tx, url: str, but: str | None = None) -> None:
    """Refuse a link that is not public, or that a resource other than ``but`` holds. Every link is read:
    a resource's id is the hash of the link it was shared with, not always of the one it holds (its link
    edited since, an id given in an import, one made before ids were hashes), so the id cannot find it."""
    _check_form(url)
    key = link_key(url)
    for held in q.resource_links(tx):
        if held["id"] != but and link_key(held["url"] or "") == key:
            raise DuplicateLink(held["id"], held["title"] or "")


def _checked(tx: Tx, values: dict[str, Any], keep: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The values with their topics and workstream as ids (a retired topic only if already held)."""
    if values["kind"] not in RESOURCE_KINDS:
        raise Refused(
            400,
            _(
                "kind must be one of %(kinds)s",
                kinds=", ".join(word(k, "resource_kind") for k in RESOURCE_KINDS),
            ),
        )
    if values["language"] not in dict(languages()):
        raise Refused(400, _("language must be an ISO 639-1 code, e.g. en, fr or ru"))
    vocab = vocabulary(tx)
    topics: list[str] = []
    for text in values["topics"]:
        try:
            found = vocab.resolve(text, keep)
        except UnknownTopic as e:
            raise Refused(404, _("topics: %(problem)s", problem=e.words)) from None
        if found not in topics:
            topics.append(found)
    if not topics:
        raise Refused(400, _("topics: name at least one topic"))
    workstream = ""
    if values.get("workstream"):
        wanted = _squeezed(values["workstream"])
        from graphapp.queries.members import workstream_list

        held = {_squeezed(w["id"]): w["id"] for w in workstream_list(tx)}
        if wanted not in held:
            raise Refused(
                404,
                _(
                    "workstream: there is no workstream %(name)s; they are %(names)s",
                    name=repr(values["workstream"]),
                    names=", ".join(sorted(held.values())),
                ),
            )
        workstream = held[wanted]
    return {**values, "topics": sorted(topics), "workstream": workstream}


def _squeezed(text: str) -> str:
    return re.sub(r"[\s_-]", "", text).casefold()


def _recorded(values: dict[str, Any]) -> dict[str, Any]:
    """A resource's fields as the history keeps them: properties by name, topics and workstream as ids."""
    return {
        "title": values["title"],
        "url": values["url"],
        "kind": values["kind"],
        "language": values["language"],
        "description": values["description"],
        "topics": sorted(t["id"] if isinstance(t, dict) else t for t in values["topics"]),
        "workstream": (
            values["workstream"]["id"]
            if isinstance(values["workstream"], dict)
            else values["workstream"] or ""
        ),
    }


def _sharer_of(tx: Tx, member: str | None, coordinator: bool) -> str | None:
    """Who shares: the member's id (a member with a profile); None for a coordinator who has none."""
    if member and node(tx, "Member", member) is not None:
        return member
    if coordinator:
        return None
    raise NotYours(
        403, _("Sharing a resource needs a profile in the network, and your account is tied to none.")
    )


def add_resource(
    tx: Tx, member: str | None, coordinator: bool, values: dict[str, Any], today: str
) -> dict[str, Any]:
    """Share a resource (``values``: title, url, kind, language, description, topics as typed, workstream
    or ""), as ``member`` (a coordinator with no profile shares it without a sharer). Returns it."""
    sharer = _sharer_of(tx, member, coordinator)
    _check_link(tx, values["url"])
    checked = _checked(tx, values)
    new_id = resource_id(values["url"])
    if q.resource_exists(tx, new_id):  # (a resource whose link was edited since it was shared)
        new_id = f"r-{uuid.uuid4().hex[:12]}"
    q.create_resource(tx, new_id, checked, sharer, today)
    history.record(
        tx,
        "resource",
        subject=f"resource:{new_id}",
        summary="resource shared",
        after=_recorded(checked),
        about=[sharer] if sharer else [],
    )
    tx.touched([])
    found = q.resource_by_id(tx, new_id)
    assert found is not None
    return found


def _found(tx: Tx, resource: str, member: str | None, coordinator: bool) -> dict[str, Any]:
    found = q.resource_by_id(tx, resource)
    if found is None:
        raise NotYours(404, _("There is no resource with the id %(id)s.", id=repr(resource)))
    if not may_change(found, member, coordinator):
        raise NotYours(403, _("Only the member who shared this resource, and coordinators, may change it."))
    return found


def edit_resource(
    tx: Tx, member: str | None, coordinator: bool, resource: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change a resource's title, link, kind, language, description, topics or workstream (each optional
    in ``changes``), by its sharer or a coordinator. Returns it as it is now."""
    found = _found(tx, resource, member, coordinator)
    before = _recorded(found)
    wanted = {**before, **{k: v for k, v in changes.items() if k in before}}
    if "url" in changes:
        # (a link kept, as the form always sends it, is not checked against the others: a copy made
        # before imports compared links must stay editable)
        if link_key(wanted["url"]) != link_key(before["url"]):
            _check_link(tx, wanted["url"], but=resource)
        else:
            _check_form(wanted["url"])
    checked = _checked(tx, wanted, keep=frozenset(before["topics"]))
    after = _recorded(checked)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        q.set_resource(tx, resource, checked)
        history.record(
            tx,
            "resource",
            subject=f"resource:{resource}",
            summary="resource changed",
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
            about=[found["shared_by"]["id"]] if found["shared_by"] else [],
        )
    tx.touched([])
    now = q.resource_by_id(tx, resource)
    assert now is not None
    return now


def remove_resource(tx: Tx, member: str | None, coordinator: bool, resource: str) -> dict[str, Any]:
    """Remove a resource (its topics, workstream and sharer stay), by its sharer or a coordinator."""
    found = _found(tx, resource, member, coordinator)
    q.delete_resource(tx, resource)
    history.record(
        tx,
        "resource",
        subject=f"resource:{resource}",
        summary="resource removed",
        before=_recorded(found),
        about=[found["shared_by"]["id"]] if found["shared_by"] else [],
    )
    tx.touched([])
    return found

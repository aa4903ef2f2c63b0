"""The main part of a heavy page as every reader of one language and role sees it, kept per graph revision.

The coverage dashboard (1.4 MB of HTML at 100,000 members) and the explorer's whole network (3.1 MB) are
the same for every coordinator, or every member, reading in one language: rendering them took 0.1-0.3 s
of Python a view, which at 16 people at once held the interpreter from everyone else's pages (issue 17
§1). Only their default view is kept (no query arguments: the first view, not a page of the gaps or a
filtered map), beside the store's other data derived from the whole graph (``store.derived``), and made
again after any write, or on a new day (the coverage's stale shares are counted against today).
The page around it (the viewer's name, the sign-out form) is rendered for each request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from graphapp.auth import current_viewer
from graphapp.db import get_store
from graphapp.i18n import current_language
from graphapp.queries.cypher import Tx
from graphapp.queries.schema import graph_revision

__all__ = ["kept_part"]

T = TypeVar("T")


def kept_part(name: str, render: Callable[[Tx], T]) -> T:
    """``render(tx)``'s result for page ``name``, kept for this request's language and the viewer's role
    (what the part shows depends on nothing else: it links to what the role may open) until the graph
    changes or the day does. One read transaction, as every page reads what it shows: the revision, and
    when the part is not current, what ``render`` reads to make it again."""

    def read(tx: Tx) -> T:
        key = ("page-part", name, current_language(), current_viewer().role)
        return tx.derived.get(key, (graph_revision(tx), datetime.now(UTC).date()), lambda: render(tx))

    return get_store().read(read)

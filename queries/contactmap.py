"""Reading a contact map: which query of :mod:`graphapp.queries.subgraph` reads which part of the network
(all of it, a topic, workstream, organisation, country or region, a member's neighbourhood, or one of
these aggregated), and how many people a part holds. Returns plain data, as those queries give it.

The part is described by anything with ``kind``, ``value``, ``depth`` and ``aggregate`` (a
:class:`MapView`): the web app's :class:`graphapp.contactmap.View` is one; this layer does not import it.
"""

from __future__ import annotations

from typing import Any, Protocol

from graphapp.queries.cypher import Tx
from graphapp.queries.members import COUNT_FILTERED, MemberFilter
from graphapp.queries.subgraph import SUBGRAPH_KINDS, aggregated, neighbourhood, subgraph, whole_network

__all__ = ["MAP_KINDS", "MapView", "map_filter", "people_in_view", "read_map"]

#: The parts of the network a contact map can show.
MAP_KINDS = ("network", *SUBGRAPH_KINDS, "member")


class MapView(Protocol):
    """Which part of the network to read: ``kind`` (one of :data:`MAP_KINDS`), ``value`` (the id of the
    topic, member, ...), ``depth`` (1 or 2, around a member) and ``aggregate`` ("", organisation, topic)."""

    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def depth(self) -> int: ...
    @property
    def aggregate(self) -> str: ...


def map_filter(kind: str, value: str) -> MemberFilter:
    """The people of a part of the network, as a directory filter (no filter: everyone).

    >>> map_filter("topic", "record-linkage").active()
    {'topic': 'record-linkage'}
    >>> map_filter("network", "").active()
    {}
    """
    if kind in SUBGRAPH_KINDS:
        return MemberFilter(**{kind: value})
    return MemberFilter()


def read_map(tx: Tx, view: MapView) -> dict[str, Any]:
    """The nodes and relationships of a part of the network (see :mod:`graphapp.queries.subgraph` for
    their shape). Raises :class:`~graphapp.queries.subgraph.UnknownSubject` for a subject not there."""
    if view.aggregate:
        return aggregated(tx, view.aggregate, map_filter(view.kind, view.value))
    if view.kind == "member":
        return neighbourhood(tx, view.value, view.depth)
    if view.kind == "network":
        return whole_network(tx)
    return subgraph(tx, view.kind, view.value)


def people_in_view(tx: Tx, view: MapView) -> int:
    """How many people a part of the network holds (0 for a member's neighbourhood, which is always drawn
    person by person), to choose between the person-by-person and the aggregated map."""
    if view.kind == "member":
        return 0
    return int(tx.run(COUNT_FILTERED, **map_filter(view.kind, view.value).params())[0]["n"])

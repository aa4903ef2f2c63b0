"""The transaction protocol shared by both stores, and statements with one spelling per dialect."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, Literal, ParamSpec, Protocol, TypeVar

Dialect = Literal["neo4j", "ladybug"]
P = ParamSpec("P")
T = TypeVar("T")
DIALECTS: tuple[Dialect, ...] = ("neo4j", "ladybug")


@dataclass(frozen=True)
class Cypher:
    """One statement, spelt for Neo4j and for LadybugDB.

    Most statements read the same in both dialects; give ``ladybug`` only where it differs, so the
    difference is visible in one place.

    >>> count = Cypher("MATCH (n:Topic) RETURN count(n) AS n")
    >>> count.text("ladybug") == count.text("neo4j")
    True
    >>> kinds = Cypher(neo4j="RETURN labels(n)[0] AS kind", ladybug="RETURN label(n) AS kind")
    >>> kinds.text("ladybug")
    'RETURN label(n) AS kind'
    """

    neo4j: str
    ladybug: str | None = None

    def text(self, dialect: Dialect) -> str:
        if dialect == "ladybug" and self.ladybug is not None:
            return self.ladybug
        return self.neo4j


class Rows:
    """A read that returns many rows, in the fastest shape for each store.

    Neo4j's Python driver pays some 40 µs per record (a socket read each), so 80,000 small records take
    about 3 s where one record holding a list of 80,000 maps takes 0.1 s: on Neo4j the rows are collected
    into one list. LadybugDB is the other way round (building the list costs more than returning the
    rows), so there they come back as plain rows. ``match`` is the statement up to its RETURN;
    ``columns`` names each value and the expression that gives it.

    >>> q = Rows("MATCH (t:Topic)", id="t.id", name="t.name")
    >>> q.statement.text("neo4j")
    'MATCH (t:Topic) RETURN collect({id: t.id, name: t.name}) AS rows'
    >>> q.statement.text("ladybug")
    'MATCH (t:Topic) RETURN t.id AS id, t.name AS name'
    """

    def __init__(self, match: str, ladybug: str | None = None, **columns: str) -> None:
        fields = ", ".join(f"{name}: {expr}" for name, expr in columns.items())
        plain = ", ".join(f"{expr} AS {name}" for name, expr in columns.items())
        self.statement = Cypher(
            f"{match} RETURN collect({{{fields}}}) AS rows", f"{ladybug or match} RETURN {plain}"
        )

    def run(self, tx: Tx, **params: Any) -> list[dict[str, Any]]:
        return self.shape(tx.run(self.statement, **params), tx.dialect)

    @staticmethod
    def shape(rows: list[dict[str, Any]], dialect: Dialect) -> list[dict[str, Any]]:
        """The rows, from what ``self.statement`` returned on a store of this dialect."""
        if dialect == "ladybug":
            return rows
        return [dict(row) for row in rows[0]["rows"]] if rows else []


class _CollectorPause:
    """Python's cycle collector off while whole-graph work runs, on again when the last such work ends.

    Building the interest index and the coverage report at 100,000 members allocates millions of lists,
    dicts and tuples while as many live on; the collector's full passes over them took a quarter of the
    report's time (measured: 4.5 s with it, 3.5 s without). Reference counting still frees everything
    that is not in a cycle; cycles made meanwhile are collected once the collector is back. It is left
    alone if someone else had turned it off.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._turned_off = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._running == 0:
                self._turned_off = gc.isenabled()
                gc.disable()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0 and self._turned_off:
                    gc.enable()


#: ``with collector_paused(): ...`` around work over the whole graph (see :class:`_CollectorPause`).
collector_paused = _CollectorPause()


class Derived:
    """Data derived from the whole graph, kept for the life of a store and rebuilt when the graph changes.

    Each item is stamped with the graph revision it was built from (:func:`graphapp.queries.schema.graph_revision`,
    which every write transaction renews, in whatever process it runs); ``get`` returns the item while the
    revision is unchanged and builds it again otherwise. One build at a time: a second reader waits for
    the first one's result rather than building the same thing again.
    """

    def __init__(self) -> None:
        self._items: dict[Hashable, tuple[Any, Any]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(
        self,
        name: Hashable,
        revision: Any,
        build: Callable[[], T],
        update: Callable[[T, Any], T | None] | None = None,
    ) -> T:
        """The item at ``revision``: kept, else ``update(kept item, its revision)`` when given (it returns
        the item brought up to date, without changing the one given, or None when it cannot), else
        ``build()``."""
        # One lock per item, so that building one item may use another (the coverage report uses the
        # interest index) and different items are built side by side.
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            item = self._items.get(name)
            if item is None or item[0] != revision:
                with collector_paused():
                    updated = update(item[1], item[0]) if item is not None and update is not None else None
                    item = (revision, updated if updated is not None else build())
                self._items[name] = item
            return item[1]


class Tx(Protocol):
    """What a query function receives: a transaction that runs statements and returns plain rows."""

    dialect: Dialect
    #: The store's cache of data derived from the whole graph (see :class:`Derived`).
    derived: Derived

    def run(self, statement: Cypher | str, **params: Any) -> list[dict[str, Any]]:
        """Run one parameterised statement and return its rows as dicts keyed by the RETURN aliases."""
        ...

    def side_by_side(self, works: Sequence[Callable[[Tx], T]]) -> list[T]:
        """Run several read functions ``work(tx)`` and return their results, side by side where the
        store can.

        On Neo4j, in a read transaction, the works after the first run in read transactions of their
        own, in other threads, while the first runs in this one: the server gives each statement a core,
        and Python work in one (searching the contact network) goes on while another waits for the
        server. Use it only for reads whose consistency with each other does not matter or is checked
        otherwise (data derived from the whole graph, stamped with the revision read before them).
        Elsewhere, and in a write transaction, they run one after the other in this transaction.
        """
        ...

    def run_all(self, statements: Sequence[Cypher | str]) -> list[list[dict[str, Any]]]:
        """Run several statements without parameters, side by side as :meth:`side_by_side`; each
        one's rows."""
        ...

    def touched(self, members: Iterable[str] | None) -> None:
        """Declare, in a write transaction, that of the network it changes only these members (their
        properties and relationships; none: nothing of the network), or with None everything. A write
        that declares nothing changes everything: data derived from the whole graph is built again after
        it. Declarations add up; one None makes the whole transaction a change of everything. See
        :func:`graphapp.queries.schema.stamp_revision`."""
        ...

    def bulk_create(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Create nodes (or relationships) known not to exist yet, as fast as the store allows.

        ``table`` is a label or relationship type from :mod:`graphapp.queries.schema`; each row holds the properties
        (for a relationship also ``source`` and ``target``, the endpoints' ids).
        """
        ...

    def bulk_create_csv(self, table: str, path: str) -> int:
        """As :meth:`bulk_create`, from a CSV file written as :func:`graphapp.queries.schema.csv_columns`
        says (a header, then one row per node or relationship; an empty cell is unset), without holding
        its rows in memory where the store can read the file itself. Returns how many rows it created.
        """
        ...


class Store(Protocol):
    """What runs query functions: a store (:mod:`graphapp.store` has the two). ``work(tx, *args,
    **kwargs)`` runs in one transaction, whose ``tx`` is a :class:`Tx`.

    A Protocol, declared here beside :class:`Tx`, because ``queries`` (the lower layer) names the store in
    its signatures and must not import the stores themselves; the stores subclass it explicitly, so that
    mypy checks that they keep it and they inherit ``with store: ...``.
    """

    dialect: Dialect
    #: Says which database this is, for people (e.g. "Neo4j at neo4j://...").
    description: str
    #: Data derived from the whole graph, kept for the life of the store (see :class:`Derived`).
    derived: Derived

    def read(self, work: Callable[Concatenate[Tx, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``work`` in a read transaction."""
        ...

    def write(self, work: Callable[Concatenate[Tx, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``work`` in a write transaction, which ends by giving the graph a new revision."""
        ...

    def bookkeep(self, work: Callable[Concatenate[Tx, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``work`` in a write transaction that changes nothing of the network (sign-in attempts), so
        the graph keeps its revision and nothing derived from it is rebuilt."""
        ...

    def schema(self, statement: Cypher | str) -> None:
        """Run one schema statement (DDL) in a transaction of its own."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

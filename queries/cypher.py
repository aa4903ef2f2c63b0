"""The transaction protocol shared by both stores, and statements with one spelling per dialect."""

from __future__ import annotations

from collections.abc import Callable
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


class Tx(Protocol):
    """What a query function receives: a transaction that runs statements and returns plain rows."""

    dialect: Dialect

    def run(self, statement: Cypher | str, **params: Any) -> list[dict[str, Any]]:
        """Run one parameterised statement and return its rows as dicts keyed by the RETURN aliases."""
        ...

    def bulk_create(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Create nodes (or relationships) known not to exist yet, as fast as the store allows.

        ``table`` is a label or relationship type from :mod:`queries.schema`; each row holds the properties
        (for a relationship also ``source`` and ``target``, the endpoints' ids).
        """
        ...


class TransactionRunner(Protocol):
    """What runs query functions: a store. ``work(tx, *args, **kwargs)`` runs in one transaction."""

    dialect: Dialect

    def read(self, work: Callable[Concatenate[Tx, P], T], *args: P.args, **kwargs: P.kwargs) -> T: ...

    def write(self, work: Callable[Concatenate[Tx, P], T], *args: P.args, **kwargs: P.kwargs) -> T: ...

"""The two stores behind one interface (:class:`graphapp.queries.cypher.Store`): Neo4j (shared, production) and an
embedded LadybugDB file (default).

Both run the same query functions from :mod:`queries`. A query function takes a transaction ``tx`` whose
``run(statement, **params)`` returns plain rows (dicts keyed by the RETURN aliases), and the store runs it
in one transaction: ``store.read(fn, ...)`` or ``store.write(fn, ...)``. On Neo4j these are the driver's
managed transactions, so transient failures are retried and ``neo4j://`` URIs are routed across a cluster;
on LadybugDB they are explicit ``BEGIN TRANSACTION`` / ``COMMIT`` blocks, with one writer at a time.

Every write transaction ends by giving the graph a new revision (:func:`graphapp.queries.schema.stamp_revision`),
in the same transaction, so that data derived from the whole graph and kept in memory (``tx.derived``,
for example the suggestion index) is rebuilt after any change, whichever process made it. A write that
declares the members it changed (``tx.touched(ids)``) has them logged with its revision, and the
suggestion index is then patched rather than rebuilt (see :mod:`graphapp.reports`); bookkeeping
outside the network (sign-in attempts) goes through ``store.bookkeep(fn, ...)``, which does not. Schema
statements run through ``store.schema(statement)`` instead: Neo4j does not allow them beside a data write.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from graphapp.queries.cypher import Cypher, Derived, Dialect, Store
from graphapp.queries.schema import (
    BATCH_SIZE,
    CREATE_NODES,
    CREATE_RELS,
    NODES,
    RELATIONSHIPS,
    batches,
    stamp_revision,
)
from graphapp.settings import BY_NAME as SETTINGS_BY_NAME
from graphapp.settings import switched_on

if TYPE_CHECKING:
    import neo4j  # (imported at run time only when Neo4j is used)

__all__ = [
    "LadybugStore",
    "Neo4jStore",
    "Store",
    "StoreLocked",
    "StoreUnavailable",
    "TransactionTooLarge",
    "open_store",
]

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)

DEFAULT_DB_PATH: str = SETTINGS_BY_NAME["GRAPHAPP_DB"].default


class StoreUnavailable(Exception):
    """The database cannot be reached (Neo4j down, or the embedded file cannot be opened)."""


class StoreLocked(StoreUnavailable):
    """Another process holds the embedded database file open for writing."""


class TransactionTooLarge(StoreUnavailable):
    """Neo4j had not the memory a transaction needed (its limit for one transaction, or for all of them
    together, as its configuration sets them); the transaction was rolled back. One that passed the limit
    for one transaction is not retried (it would build the same transaction again, in vain); one that
    found the memory shared by all transactions taken is retried for the driver's retry time, as others
    may finish meanwhile, and so is one that passed a limit while committing (the driver decides that).
    ``wrote``: it was a write (nothing of it was written), for the words a page shows."""

    def __init__(self, message: str, wrote: bool = False) -> None:
        super().__init__(message)
        self.wrote = wrote


#: The Neo4j errors of a transaction that would pass a memory limit.
MEMORY_LIMITS = (
    "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
    "Neo.ClientError.General.TransactionOutOfMemoryError",
)
#: How the server's message names the limit for one transaction (the shared ones are "...total.max").
ONE_TRANSACTION_LIMIT = "db.memory.transaction.max"


def too_large(description: str, error: Exception, wrote: bool) -> TransactionTooLarge:
    """What to tell the user: what the server said, for a write that nothing was written, and what helps."""
    said = getattr(error, "message", None) or str(error)
    if wrote:
        return TransactionTooLarge(
            f"{description} has not the memory this transaction needs ({said}); nothing was written. "
            "Give the server more heap (server.memory.heap.max_size) or raise "
            "db.memory.transaction.total.max and db.memory.transaction.max, or do it in smaller parts "
            "(e.g. import the file in parts; a whole network into an empty store: graphapp import --initial, "
            "which writes in parts of its own).",
            wrote=True,
        )
    return TransactionTooLarge(
        f"{description} has not the memory to answer this ({said}). If the server is busy with a large "
        "import, try again when it is done; otherwise give it more heap (server.memory.heap.max_size) or "
        "raise db.memory.transaction.total.max and db.memory.transaction.max."
    )


# --- Neo4j ------------------------------------------------------------------------------------------


def _run_one(statement: Cypher | str, tx: Neo4jTx) -> list[dict[str, Any]]:
    return tx.run(statement)


def _plain(record: neo4j.Record) -> dict[str, Any]:
    """A record as a dict. The driver already gives plain values (numbers, strings, lists, maps) for
    everything graphapp's statements return; ``record.data()`` walks every value again in Python, which
    for the index's lists of 800,000 numbers costs more than the query itself. Whole nodes, relationships
    or paths (graphapp returns none) still become dicts through ``data()``."""
    row = dict(record)
    graph_types = _graph_types()
    if any(isinstance(v, graph_types) for v in row.values()):
        return record.data()
    return row


@functools.cache
def _graph_types() -> tuple[type, ...]:
    from neo4j.graph import Node, Path, Relationship  # (the driver is imported only when Neo4j is used)

    return (Node, Relationship, Path)


#: How many read transactions ``side_by_side`` opens beside the calling one (the server gives each its
#: own core; more than the cores of a small server only queue).
SIDE_READS = 2


class _Declared:
    """What a write transaction said it changed (:meth:`graphapp.queries.cypher.Tx.touched`): nothing said
    is everything."""

    def __init__(self) -> None:
        self._members: set[str] = set()
        self._said = False
        self._everything = False

    def touched(self, members: Iterable[str] | None) -> None:
        self._said = True
        if members is None:
            self._everything = True
        else:
            self._members.update(members)

    def changed(self) -> set[str] | None:
        """The members the transaction changed, or None for everything."""
        return None if self._everything or not self._said else self._members


@contextlib.contextmanager
def _memory_limit() -> Iterator[None]:
    """A statement that passes the memory limit for one transaction ends the transaction function with
    an error the driver does not retry (a retry would build the same transaction again, in vain);
    :meth:`Neo4jStore._run` says it, with the store's name."""
    import neo4j

    try:
        yield
    except neo4j.exceptions.Neo4jError as e:
        if e.code in MEMORY_LIMITS and ONE_TRANSACTION_LIMIT in (e.message or ""):
            raise _MemoryLimit(e) from e
        raise


class _MemoryLimit(Exception):
    """(Carries a memory-limit error out of a transaction function; not a Neo4j error, so not retried.)"""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class Neo4jTx(_Declared):
    dialect: Dialect = "neo4j"

    def __init__(
        self, tx: Any, derived: Derived, read_aside: Callable[[Callable[[Any], Any]], Any] | None = None
    ) -> None:
        super().__init__()
        self._tx = tx
        self.derived = derived
        self._read_aside = read_aside  # runs work(tx) in a read transaction of its own; None in a write

    def run(self, statement: Cypher | str, **params: Any) -> list[dict[str, Any]]:
        text = statement.text("neo4j") if isinstance(statement, Cypher) else statement
        with _memory_limit():
            return [_plain(record) for record in self._tx.run(text, params)]

    def run_all(self, statements: Sequence[Cypher | str]) -> list[list[dict[str, Any]]]:
        return self.side_by_side([functools.partial(_run_one, s) for s in statements])

    def side_by_side(self, works: Sequence[Callable[[Any], T]]) -> list[T]:
        if self._read_aside is None or len(works) < 2:
            return [work(self) for work in works]
        with ThreadPoolExecutor(max_workers=SIDE_READS, thread_name_prefix="graphapp-read") as pool:
            aside = [pool.submit(self._read_aside, work) for work in works[1:]]
            first = works[0](self)
            return [first, *(f.result() for f in aside)]

    def bulk_create(self, table: str, rows: list[dict[str, Any]]) -> None:
        statement = CREATE_NODES[table] if table in NODES else CREATE_RELS[table]
        for batch in batches(rows):
            with _memory_limit():
                self._tx.run(statement.text("neo4j"), {"rows": batch}).consume()

    def bulk_create_csv(self, table: str, path: str) -> int:
        # (neo4j-admin import reads CSV too, but only into a stopped, new database: here the file's rows
        # go through the same batched UNWIND as bulk_create, a batch at a time)
        done = 0
        for batch in _csv_batches(table, path):
            self.bulk_create(table, batch)
            done += len(batch)
        return done


class Neo4jStore(Store):
    """Neo4j 5 through the official driver: one driver per process, managed transactions."""

    dialect: Dialect = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        **driver_config: Any,
    ) -> None:
        import neo4j

        self._neo4j = neo4j
        auth = (user, password or "") if user else None
        # The server's warnings (a deprecated function or syntax, a statement it cannot run well...) are
        # always sent and logged by the driver (logger neo4j.notifications). With GRAPHAPP_NEO4J_WARNINGS
        # (the test run sets it) they are also raised as Python warnings (neo4j.warnings.Neo4jWarning; a
        # deprecation is a Neo4jDeprecationWarning), which the tests turn into failures: the next Neo4j
        # upgrade is seen in CI, not in production. Not by default: the driver then inspects every
        # result's summary, which cost suggestions about 40% of their time (measured: 10.7 ms against
        # 18.0 ms p50 at 100,000 members). Left out: a label or property that no node has yet
        # ("unrecognized"), which every young or empty graph has.
        driver_config.setdefault("notifications_min_severity", "WARNING")
        driver_config.setdefault("notifications_disabled_classifications", ["UNRECOGNIZED"])
        if switched_on(os.environ.get("GRAPHAPP_NEO4J_WARNINGS")):
            driver_config.setdefault("warn_notification_severity", "WARNING")
        self.driver = neo4j.GraphDatabase.driver(uri, auth=auth, **driver_config)
        self.database = database or None
        self.uri = uri
        self.description = f"Neo4j at {uri}" + (f" (database {database})" if database else "")
        self.derived = Derived()

    def _home_database(self) -> str:
        """The database to use when none is named: the user's home database, asked once. Without a name
        the driver resolves it for every session, which costs a round trip (about 3 ms here) each time."""
        if self.database is None:
            with self.driver.session() as session:
                self.database = session.run("CALL db.info() YIELD name RETURN name").single(strict=True)[
                    "name"
                ]
        return self.database

    def _session(self, **config: Any) -> neo4j.Session:
        # One bookmark manager for every session of the store: in a cluster, a read then waits for the
        # store's earlier writes to reach the member that serves it (on one server this costs nothing).
        return self.driver.session(
            database=self._home_database(),
            bookmark_manager=self.driver.execute_query_bookmark_manager,
            **config,
        )

    def _read_aside(self, work: Callable[[Any], T]) -> T:
        # (Its transaction has no read_aside: what it runs side by side runs one after the other.)
        with self._session(default_access_mode=self._neo4j.READ_ACCESS) as session:
            return session.execute_read(lambda tx: work(Neo4jTx(tx, self.derived)))

    def _run(self, mode: str, work: Callable[..., T], args: Any, kwargs: Any) -> T:
        neo4j = self._neo4j

        def transaction(tx: Any) -> T:
            wrapped = Neo4jTx(tx, self.derived, self._read_aside if mode == "read" else None)
            result = work(wrapped, *args, **kwargs)
            if mode == "write":
                stamp_revision(wrapped, wrapped.changed())
            return result

        try:
            with self._session() as session:
                execute = session.execute_read if mode == "read" else session.execute_write
                return execute(transaction)
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired) as e:
            raise StoreUnavailable(f"{self.description} is not answering: {e}") from e
        except neo4j.exceptions.DatabaseUnavailable as e:
            # The server answers but the database is stopped or starting (seen when Neo4j is stopped
            # mid-run): the same to the user, and the transaction was rolled back.
            raise StoreUnavailable(f"{self.description} is not answering: the database is unavailable") from e
        except neo4j.exceptions.AuthError as e:
            raise StoreUnavailable(f"{self.description} refused the credentials: {e.message}") from e
        except _MemoryLimit as e:  # (a statement passed the limit for one transaction)
            raise too_large(self.description, e.error, wrote=mode != "read") from e.error
        except neo4j.exceptions.Neo4jError as e:
            if e.code in MEMORY_LIMITS:  # (a shared limit, or the commit's, after the driver's retries)
                raise too_large(self.description, e, wrote=mode != "read") from e
            raise

    def read(self, work: Callable[Concatenate[Any, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        return self._run("read", work, args, kwargs)

    def write(self, work: Callable[Concatenate[Any, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        return self._run("write", work, args, kwargs)

    def bookkeep(self, work: Callable[Concatenate[Any, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        return self._run("bookkeep", work, args, kwargs)

    def schema(self, statement: Cypher | str) -> None:
        self._run("schema", _run_statement, (statement,), {})

    def close(self) -> None:
        self.driver.close()


# --- LadybugDB --------------------------------------------------------------------------------------

_LOCK_MESSAGE = re.compile(r"Could not set lock on file.*?(?:PID (\d+))?\)", re.S)


class LadybugTx(_Declared):
    dialect: Dialect = "ladybug"

    def __init__(self, conn: Any, derived: Derived) -> None:
        super().__init__()
        self._conn = conn
        self.derived = derived

    def run(self, statement: Cypher | str, **params: Any) -> list[dict[str, Any]]:
        text = statement.text("ladybug") if isinstance(statement, Cypher) else statement
        result = self._conn.execute(text, params)
        columns = result.get_column_names()
        return [dict(zip(columns, row, strict=True)) for row in result.get_all()]

    # One connection: side by side means one after the other, in this transaction.
    def run_all(self, statements: Sequence[Cypher | str]) -> list[list[dict[str, Any]]]:
        return [self.run(s) for s in statements]

    def side_by_side(self, works: Sequence[Callable[[Any], T]]) -> list[T]:
        return [work(self) for work in works]

    def bulk_create(self, table: str, rows: list[dict[str, Any]]) -> None:
        """``COPY ... FROM`` a temporary CSV: about 40x faster than UNWIND on LadybugDB.

        List-valued properties have no safe CSV spelling, so tables that have them (few rows: topics and
        organisations) go through UNWIND instead.
        """
        if not rows:
            return
        if table in NODES:
            spec = NODES[table]
            if spec.list_properties:
                # UNWIND reads rows as structs, which must name every field: an absent optional one is null.
                whole = [{c: row.get(c) for c in spec.properties} for row in rows]
                for batch in batches(whole):
                    self.run(CREATE_NODES[table], rows=batch)
                return
            columns: tuple[str, ...] = spec.properties
        else:
            columns = ("source", "target", *RELATIONSHIPS[table].properties)
        with tempfile.TemporaryDirectory(prefix="graphapp-copy-") as tmp:
            path = Path(tmp) / f"{table}.csv"
            with path.open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(columns)
                writer.writerows([row.get(c) for c in columns] for row in rows)
            self._copy(table, path)

    def bulk_create_csv(self, table: str, path: str) -> int:
        if table in NODES and NODES[table].list_properties:  # (no safe CSV spelling: see bulk_create)
            done = 0
            for batch in _csv_batches(table, path):
                self.bulk_create(table, batch)
                done += len(batch)
            return done
        result = self._copy(table, Path(path))
        rows = result.get_all() if result is not None else []
        # (COPY answers with a message such as "1000 tuples have been copied to the Member table.")
        found = re.match(r"\s*(\d+)", str(rows[0][0])) if rows and rows[0] else None
        return int(found.group(1)) if found else 0

    def _copy(self, table: str, path: Path) -> Any:
        # The path is ours (a temporary file graphapp wrote) and the table name comes from graphapp.queries.schema.
        # COPY takes no parameter for its file, so the path is spelled as a string literal: a quote or a
        # backslash in the temporary folder's name (TMPDIR) escaped.
        spelled = path.as_posix().replace("\\", "\\\\").replace("'", "\\'")
        return self._conn.execute(f"COPY {table} FROM '{spelled}' (header=true, parallel=false)")


class LadybugStore(Store):
    """An embedded LadybugDB file. One process may open it for writing at a time."""

    dialect: Dialect = "ladybug"

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False) -> None:
        import ladybug

        self.path = Path(path)
        self.description = f"the embedded database {self.path}"
        if read_only and not self.path.exists():
            raise StoreUnavailable(f"{self.description} does not exist; run `graphapp init` first")
        try:
            self.db = ladybug.Database(str(self.path), read_only=read_only)
        except RuntimeError as e:
            match = _LOCK_MESSAGE.search(str(e))
            if match:
                pid = f" (PID {match.group(1)})" if match.group(1) else ""
                raise StoreLocked(
                    f"{self.description} is in use by another process{pid}, most likely `graphapp serve`. "
                    "An embedded database has one writer at a time: stop that process and run this command "
                    "again, or keep the data in a Neo4j server (set NEO4J_URI), which any number of "
                    "processes can share."
                ) from e
            raise StoreUnavailable(f"cannot open {self.description}: {e}") from e
        self._ladybug = ladybug
        self._local = threading.local()
        self._connections: list[Any] = []
        self._write_lock = threading.Lock()
        self.derived = Derived()

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._ladybug.Connection(self.db)
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    def _transaction(
        self, begin: str, work: Callable[..., T], args: Any, kwargs: Any, stamp: bool = False
    ) -> T:
        conn = self._connection()
        conn.execute(begin)
        try:
            tx = LadybugTx(conn, self.derived)
            result = work(tx, *args, **kwargs)
            if stamp:
                stamp_revision(tx, tx.changed())
        except BaseException:
            # LadybugDB has already rolled back a transaction in which a statement failed.
            with contextlib.suppress(RuntimeError):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def read(self, work: Callable[Concatenate[Any, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        return self._transaction("BEGIN TRANSACTION READ ONLY", work, args, kwargs)

    def write(self, work: Callable[Concatenate[Any, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        with self._write_lock:
            return self._transaction("BEGIN TRANSACTION", work, args, kwargs, stamp=True)

    def bookkeep(self, work: Callable[Concatenate[Any, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        with self._write_lock:
            return self._transaction("BEGIN TRANSACTION", work, args, kwargs)

    def schema(self, statement: Cypher | str) -> None:
        with self._write_lock:
            self._transaction("BEGIN TRANSACTION", _run_statement, (statement,), {})

    def close(self) -> None:
        for conn in self._connections:
            conn.close()
        self._connections.clear()
        self._local = threading.local()
        self.db.close()


def _csv_batches(table: str, path: str) -> Iterator[list[dict[str, Any]]]:
    """The rows of a CSV file of ``table`` (:func:`graphapp.queries.schema.csv_columns`), a batch at a
    time; an empty cell is unset (None), as LadybugDB's ``COPY`` reads it."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        columns = next(reader)
        batch: list[dict[str, Any]] = []
        for cells in reader:
            batch.append({c: v or None for c, v in zip(columns, cells, strict=True)})
            if len(batch) == BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch


def _run_statement(tx: Any, statement: Cypher | str) -> None:
    tx.run(statement)


# --- Choosing a store -------------------------------------------------------------------------------


def open_store(config: Mapping[str, Any] | None = None) -> Store:
    """Open the store the configuration names: Neo4j when ``NEO4J_URI`` is set, else the embedded file.

    ``config`` defaults to the environment; its keys are the store settings of :mod:`graphapp.settings`
    (``NEO4J_URI`` and its credentials, ``GRAPHAPP_DB``, ``NEO4J_RETRY_SECONDS``). Without
    ``NEO4J_RETRY_SECONDS`` a transaction is retried for the driver's default, 30 s, which suits batch work;
    the web app's default is a few seconds, so that a page says 503 promptly.
    """
    config = os.environ if config is None else config
    uri = config.get("NEO4J_URI")
    if uri:
        extra: dict[str, Any] = {}
        if config.get("NEO4J_RETRY_SECONDS") not in (None, ""):
            extra["max_transaction_retry_time"] = float(config["NEO4J_RETRY_SECONDS"])
            extra["connection_timeout"] = max(1.0, float(config["NEO4J_RETRY_SECONDS"]))
        return Neo4jStore(
            uri,
            user=config.get("NEO4J_USER") or None,
            password=config.get("NEO4J_PASSWORD") or None,
            database=config.get("NEO4J_DATABASE") or None,
            **extra,
        )
    return LadybugStore(config.get("GRAPHAPP_DB") or DEFAULT_DB_PATH)

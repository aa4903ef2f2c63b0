"""Every Cypher statement graphapp runs, grouped by area.

Each statement is a named constant next to the function that runs it. Functions take a transaction (``tx``)
so that a multi-query read stays in one transaction; the store decides how that transaction is run
(a managed transaction on Neo4j, an explicit one on LadybugDB). Where the two dialects differ, a
:class:`~graphapp.queries.cypher.Cypher` holds both spellings side by side.
"""

from graphapp.queries.cypher import Cypher, Rows, Store, Tx

__all__ = ["Cypher", "Rows", "Store", "Tx"]

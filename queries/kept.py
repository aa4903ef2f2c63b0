"""What a backup keeps besides the network: the workflow nodes (join requests, asks, offers, introductions,
the mail queue, trusted domains: :data:`~graphapp.queries.schema.WORKFLOW_LABELS`) and the accounts with
their password hashes and pending invitations (:data:`~graphapp.queries.schema.BACKED_UP_ACCOUNT_LABELS`);
never the failed sign-ins. Read, counted, removed and created here, for :mod:`graphapp.backup`."""

from __future__ import annotations

from itertools import combinations
from typing import Any

from graphapp.queries.cypher import Cypher, Rows, Tx
from graphapp.queries.schema import (
    ACCOUNT_LABELS,
    BACKED_UP_ACCOUNT_LABELS,
    WORKFLOW_LABELS,
    NodeSpec,
    batches,
)

__all__ = ["KEPT", "count_kept", "create_kept", "delete_kept", "read_kept"]

#: The labels a backup keeps beside the network, in the order they are written.
KEPT: dict[str, NodeSpec] = {
    **WORKFLOW_LABELS,
    **{label: ACCOUNT_LABELS[label] for label in BACKED_UP_ACCOUNT_LABELS},
}
#: Removed by a restore that replaces the graph, though never backed up (failed sign-ins).
DROPPED_ON_REPLACE = tuple(label for label in ACCOUNT_LABELS if label not in BACKED_UP_ACCOUNT_LABELS)

READ: dict[str, Rows] = {
    label: Rows(f"MATCH (n:{label})", **{p: f"n.{p}" for p in spec.properties})
    for label, spec in KEPT.items()
}
COUNT: dict[str, Cypher] = {label: Cypher(f"MATCH (n:{label}) RETURN count(n) AS n") for label in KEPT}
DELETE: dict[str, Cypher] = {
    label: Cypher(f"MATCH (n:{label}) DETACH DELETE n") for label in (*KEPT, *DROPPED_ON_REPLACE)
}


def _create(label: str, spec: NodeSpec, lists: tuple[str, ...]) -> Cypher:
    # LadybugDB cannot type a list property that is null in every row of a batch: a statement per set of
    # list properties present, each row sent with the one that sets just those.
    props = [p for p in spec.properties[1:] if p not in spec.list_properties or p in lists]
    sets = ", ".join(f"n.{p} = row.{p}" for p in props)
    return Cypher(f"UNWIND $rows AS row CREATE (n:{label} {{id: row.id}})" + (f" SET {sets}" if sets else ""))


CREATE: dict[tuple[str, tuple[str, ...]], Cypher] = {
    (label, lists): _create(label, spec, lists)
    for label, spec in KEPT.items()
    for n in range(len(spec.list_properties) + 1)
    for lists in combinations(spec.list_properties, n)
}


def read_kept(tx: Tx, label: str) -> list[dict[str, Any]]:
    """Every node of a kept label, as property maps (nulls included; callers sort)."""
    return READ[label].run(tx)


def count_kept(tx: Tx) -> dict[str, int]:
    """How many nodes of each kept label the graph holds."""
    return {label: int(tx.run(q)[0]["n"]) for label, q in COUNT.items()}


def delete_kept(tx: Tx) -> None:
    """Remove every kept node, and the failed sign-ins (a restore that replaces the graph)."""
    for q in DELETE.values():
        tx.run(q)


def create_kept(tx: Tx, label: str, rows: list[dict[str, Any]]) -> None:
    """Create nodes of a kept label from property maps (a missing property stays unset)."""
    spec = KEPT[label]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        lists = tuple(p for p in spec.list_properties if row.get(p) is not None)
        groups.setdefault(lists, []).append({p: row.get(p) for p in spec.properties})
    for lists, group in groups.items():
        for batch in batches(group):
            tx.run(CREATE[(label, lists)], rows=batch)

"""Import speed: 10,000 synthetic members (~80,000 interest edges) into each store, and a naive baseline.

    .venv/bin/python -m benchmarks.import_speed [--members 10000] [--naive-members 2000]

Each store gets the full import through the real path (read the CSV files, validate, plan, write in one
transaction). Beside it, on the same Neo4j in the same run, the naive import: the same planned rows written
one statement per row, each in its own transaction, as a script that loops over a CSV would. The naive
import runs on the first ``--naive-members`` members (and everything they bring) to keep the run short;
its rate is per row, so the ratio compares like with like. The batched figure includes reading,
validating and planning; the naive one is the writes alone, which favours the baseline. Figures, not assertions: see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.demo import synthetic
from graphapp.ingest import import_files, read_files
from graphapp.ingest.plan import Plan, plan_import
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries.schema import (
    CREATE_NODES,
    CREATE_RELS,
    DELETE_ALL,
    NODES,
    RELATIONSHIPS,
    counts,
    create_schema,
)
from graphapp.store import LadybugStore, Neo4jStore, Store

RESULTS = Path(__file__).resolve().parent / "results"


def rows_in(plan: Plan) -> int:
    return sum(len(v) for v in plan.create_nodes.values()) + sum(len(v) for v in plan.create_rels.values())


def timed_import(store: Store, files: list[Path], warm_up: list[Path]) -> dict[str, Any]:
    """Import into an empty store (after a small warm-up import, then wiped), then import again."""
    create_schema(store)
    import_files(store, warm_up)
    store.write(lambda tx: tx.run(DELETE_ALL))
    create_schema(store)
    started = time.perf_counter()
    plan = import_files(store, files)
    seconds = time.perf_counter() - started
    held = store.read(counts)
    started = time.perf_counter()
    again = import_files(store, files)
    reimport = time.perf_counter() - started
    assert again.is_empty()
    return {
        "seconds": round(seconds, 3),
        "reimport_seconds": round(reimport, 3),
        "members": held["Member"],
        "interest_edges": held["INTERESTED_IN"],
        "rows_written": rows_in(plan),
        "rows_per_second": round(rows_in(plan) / seconds),
        "members_per_second": round(held["Member"] / seconds),
    }


def naive_import(store: Neo4jStore, files: list[Path]) -> dict[str, Any]:
    """The same rows, one auto-commit statement each."""
    tables = read_files(files)
    plan = store.read(plan_import, tables)
    statements: list[tuple[str, dict[str, Any]]] = []
    for label in NODES:
        statements += [
            (CREATE_NODES[label].text("neo4j"), {"rows": [row]}) for row in plan.create_nodes[label]
        ]
    for t in RELATIONSHIPS:
        statements += [(CREATE_RELS[t].text("neo4j"), {"rows": [row]}) for row in plan.create_rels[t]]
    started = time.perf_counter()
    with store.driver.session(database=store.database) as session:
        for text, params in statements:
            session.run(text, params).consume()
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "rows_written": len(statements),
        "rows_per_second": round(len(statements) / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--naive-members", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--heap", default="4g", help="the Neo4j server's heap (default 4g)")
    parser.add_argument("--neo4j-only", action="store_true", help="leave LadybugDB out")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="graphapp-bench-") as tmp:
        tmp_path = Path(tmp)
        dataset = synthetic(args.members, seed=args.seed)
        files = write_dataset(dataset, tmp_path / "full")
        small = synthetic(args.members, seed=args.seed)
        small.members = small.members[: args.naive_members]
        emails = {m["email"] for m in small.members}
        for m in small.members:  # keep contacts inside the subset
            m["knows"] = "; ".join(e for e in m["knows"].split("; ") if e in emails)
        small_files = write_dataset(small, tmp_path / "small")
        warm_up = write_dataset(synthetic(500, seed=args.seed + 1), tmp_path / "warm")

        results: dict[str, Any] = {"machine": platform.platform(), "members": args.members, "seed": args.seed}
        if not args.neo4j_only:
            with LadybugStore(tmp_path / "bench.lbug") as ladybug:
                results["ladybug_batched"] = timed_import(ladybug, files, warm_up)
            print(f"LadybugDB batched: {results['ladybug_batched']}", flush=True)

        results["neo4j_heap"] = args.heap
        with (
            ThrowawayNeo4j(heap=args.heap, pagecache_mb=1024) as server,
            Neo4jStore(server.uri or "") as neo4j,
        ):
            results["neo4j_batched"] = timed_import(neo4j, files, warm_up)
            print(f"Neo4j batched:     {results['neo4j_batched']}", flush=True)
            neo4j.write(lambda tx: tx.run(DELETE_ALL))
            results["neo4j_naive"] = naive_import(neo4j, small_files)
            print(f"Neo4j naive:       {results['neo4j_naive']}", flush=True)

    ratio = results["neo4j_batched"]["rows_per_second"] / results["neo4j_naive"]["rows_per_second"]
    results["neo4j_batched_over_naive"] = round(ratio, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import_speed.json").write_text(json.dumps(results, indent=1))
    print()
    print(
        f"| import of {args.members:,} members | seconds | rows written | rows/s | members/s | re-import (no-op) s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, key in (("LadybugDB, batched", "ladybug_batched"), ("Neo4j, batched", "neo4j_batched")):
        if key not in results:
            continue
        r = results[key]
        print(
            f"| {name} | {r['seconds']} | {r['rows_written']:,} | {r['rows_per_second']:,} | "
            f"{r['members_per_second']:,} | {r['reimport_seconds']} |"
        )
    r = results["neo4j_naive"]
    print(
        f"| Neo4j, naive, one statement per row ({args.naive_members:,} members, writes only) | {r['seconds']} | "
        f"{r['rows_written']:,} | {r['rows_per_second']:,} | | |"
    )
    print(f"\nNeo4j batched / naive: {ratio:.1f}x (target: at least 20x)")


if __name__ == "__main__":
    main()

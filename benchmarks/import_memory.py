"""Import memory on Neo4j: how much of the server's transaction memory an import takes, per member, with
its history and without (the baseline, in the same run on the same server).

    .venv/bin/python -m benchmarks.import_memory [--members 2000,10000,30000]

An import is one transaction (all or nothing), and Neo4j limits what transactions may hold: by default
70% of the heap for all of them together (``db.memory.transaction.total.max``). While each import runs,
a second connection polls ``SHOW TRANSACTIONS`` every 50 ms for the import's estimated heap; the largest
figure seen is the import's peak before it commits (committing needs some more). "Without the history"
runs the same import with ``plan_history`` returning nothing, on a wiped graph. Figures, not assertions:
see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import functools
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from unittest import mock

import neo4j

from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.demo import synthetic
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries.schema import DELETE_ALL, create_schema
from graphapp.store import Neo4jStore

RESULTS = Path(__file__).resolve().parent / "results"
POLL = (
    "SHOW TRANSACTIONS YIELD currentQuery, estimatedUsedHeapMemory "
    "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN max(estimatedUsedHeapMemory) AS bytes"
)


def peak_while(uri: str, work: Any) -> tuple[int, float]:
    """Run ``work()``; the largest estimated heap of any other transaction meanwhile, and the seconds."""
    peak, done = 0, threading.Event()

    def poll() -> None:
        nonlocal peak
        with neo4j.GraphDatabase.driver(uri) as driver:
            while not done.is_set():
                records, _, _ = driver.execute_query(POLL, database_="neo4j")
                peak = max(peak, records[0]["bytes"] or 0)
                time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    started = time.perf_counter()
    try:
        work()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        poller.join()
    return peak, seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", default="2000,10000,30000")
    parser.add_argument("--heap", default="4g")
    args = parser.parse_args()
    sizes = [int(n) for n in args.members.split(",")]
    results: dict[str, Any] = {"heap": args.heap, "runs": []}
    with (
        tempfile.TemporaryDirectory(prefix="graphapp-bench-") as tmp,
        ThrowawayNeo4j(heap=args.heap, pagecache_mb=1024) as server,
        Neo4jStore(server.uri or "") as store,
    ):
        create_schema(store)
        for n in sizes:
            files = write_dataset(synthetic(n, seed=0), Path(tmp) / f"m{n}")
            run: dict[str, Any] = {"members": n}
            for name, history in (("without_history", False), ("with_history", True)):
                store.write(lambda tx: tx.run(DELETE_ALL))
                create_schema(store)
                work = functools.partial(import_files, store, files)
                if history:
                    peak, seconds = peak_while(server.uri or "", work)
                else:
                    with mock.patch("graphapp.ingest.plan.plan_history", return_value=[]):
                        peak, seconds = peak_while(server.uri or "", work)
                run[name] = {
                    "peak_mib": round(peak / 2**20, 1),
                    "per_member_kib": round(peak / n / 1024, 1),
                    "seconds": round(seconds, 1),
                }
                print(n, name, run[name], flush=True)
            results["runs"].append(run)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import_memory.json").write_text(json.dumps(results, indent=1))
    print("\n| members | without the history: peak MiB (KiB per member) | with it | with / without |")
    print("|---:|---:|---:|---:|")
    for r in results["runs"]:
        a, b = r["without_history"], r["with_history"]
        ratio = b["peak_mib"] / a["peak_mib"] if a["peak_mib"] else float("nan")
        print(
            f"| {r['members']:,} | {a['peak_mib']:,} ({a['per_member_kib']}) | "
            f"{b['peak_mib']:,} ({b['per_member_kib']}) | {ratio:.2f} |"
        )


if __name__ == "__main__":
    main()

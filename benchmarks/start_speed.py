"""Starting: a fresh `graphapp serve`, its first page and its first coverage view (issue 17 §3).

    .venv/bin/python -m benchmarks.start_speed --members 10000

N synthetic members (seed 0) on each store. Each run starts a new `graphapp serve` (on Neo4j, the first
run meets a Neo4j that has run nothing yet since the import, the later ones a warm one) and, as soon as it listens, a coordinator opens the
sign-in page (the first page), signs in and opens the coverage page. The baseline is main's behaviour,
in the same run: the same server with GRAPHAPP_WARM_UP=0, each cache made by its first reader. With the
warm-up, twice: the coverage page asked at once (it waits for the warm-up's build rather than making its
own) and asked once /api/health says ready (what a load balancer that checks readiness sends). Memory:
the server's resident set as it begins listening and after the coverage view (what it keeps for one
revision of the graph: the interest index, the coverage report, the heat map...).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.serving import Person, environment, make_accounts, serve
from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.demo import synthetic
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries.schema import create_schema
from graphapp.store import LadybugStore, Neo4jStore, Store

RESULTS = Path(__file__).parent / "results"
#: Neo4j's heap: an import of 100,000 members in one transaction needs about 3.7 GiB of transaction
#: memory (docs/benchmarks.md, "Transaction memory on Neo4j"), more than a 4 GiB heap allows.
HEAP = "6g"
#: The warm-up first: on Neo4j it meets the server that has run nothing yet, the baseline a warm one.
RUNS = (
    ("warm-up, coverage asked at once", "1", False),
    ("baseline: no warm-up (main)", "0", False),
    ("warm-up, coverage asked when ready", "1", True),
)


def one_start(env: dict[str, str], log: Path, wait_ready: bool) -> dict[str, Any]:
    with serve(env, log) as server:
        rss_start = server.rss_mib()
        person = Person(server.url)
        first, status, _ = person.get("/login")
        assert status == 200, status
        ready = server.until_ready() if wait_ready else None
        person.sign_in("coordinator0@example.org")
        took, status, page = person.get("/coverage")
        assert status == 200 and "gap" in page.lower(), status
        since_listening = time.monotonic() - server.listening
        health = server.health()
        ready_after = (
            ready if ready is not None else (server.until_ready() if health["caches"] != "off" else None)
        )
        return {
            "listening_s": round(server.listening - server.started, 2),
            "first_page_s": round(first, 3),
            "coverage_s": round(took, 2),
            "coverage_done_after_listening_s": round(since_listening, 2),
            "ready_after_listening_s": round(ready_after, 2) if ready_after is not None else None,
            "cache_seconds": health["cache_seconds"],
            "rss_listening_mib": rss_start,
            "rss_after_coverage_mib": server.rss_mib(),
        }


@contextmanager
def ladybug(files: list[Path], tmp: Path) -> Iterator[tuple[dict[str, str], Callable[[], None]]]:
    path = tmp / "start.lbug"
    with LadybugStore(path) as store:
        prepare(store, files)
    yield {"GRAPHAPP_DB": str(path)}, lambda: None


@contextmanager
def neo4j(files: list[Path], tmp: Path) -> Iterator[tuple[dict[str, str], Callable[[], None]]]:
    with ThrowawayNeo4j(heap=HEAP, pagecache_mb=2048) as server:
        with Neo4jStore(server.uri or "") as store:
            prepare(store, files)

        # (Not restarted between runs: the harness starts an empty database again.)
        yield {"NEO4J_URI": server.uri or ""}, lambda: None


def prepare(store: Store, files: list[Path]) -> None:
    create_schema(store)
    import_files(store, files)
    make_accounts(store, [], coordinators=1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--stores", default="ladybug,neo4j")
    args = parser.parse_args()
    results: dict[str, Any] = {"members": args.members, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="graphapp-start-") as name:
        tmp = Path(name)
        files = write_dataset(synthetic(args.members, seed=0), tmp / "data")
        for store_name in args.stores.split(","):
            opened = {"ladybug": ladybug, "neo4j": neo4j}[store_name]
            with opened(files, tmp) as (store_env, restart):
                for label, warm, wait_ready in RUNS:
                    restart()
                    env = environment(store_env, GRAPHAPP_WARM_UP=warm)
                    run = one_start(env, tmp / f"{store_name}-{warm}-{wait_ready}.log", wait_ready)
                    results.setdefault(store_name, {})[label] = run
                    print(store_name, label, run, flush=True)
    results["load_after"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "start_speed.json").write_text(json.dumps(results, indent=1))
    print(
        f"\n{args.members:,} members; load average before {results['load_before']}, after {results['load_after']}"
    )
    print(
        "\n| store | run | first page s | coverage view s | coverage done after listening s "
        "| caches ready after listening s | RSS listening MiB | RSS after coverage MiB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for store_name in args.stores.split(","):
        for label, run in results[store_name].items():
            ready = run["ready_after_listening_s"]
            print(
                f"| {store_name} | {label} | {run['first_page_s']} | {run['coverage_s']} | "
                f"{run['coverage_done_after_listening_s']} | {ready if ready is not None else '-'} | "
                f"{run['rss_listening_mib']} | {run['rss_after_coverage_mib']} |"
            )


if __name__ == "__main__":
    main()

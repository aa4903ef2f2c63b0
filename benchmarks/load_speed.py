"""Many people at once: a load benchmark with Locust against `graphapp serve` (issue 17 §1).

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m benchmarks.load_speed --members 100000 --users 1,4,16,64 --seconds 60

N synthetic members (seed 0) on each store, with a member account for each of 64 of them and 8
coordinators. Locust (headless, in a process of its own, benchmarks/load_locustfile.py) runs signed-in
members who, one page after another, each read for ``--think`` seconds on average (0.5 to 1.5 times it;
0: no pause, what the server can do at most), open profiles (each with its ten suggestions), their
suggestions page and API, the directory and the explorer, and coordinators who open the coverage page
every 2 to 4 seconds; each step is bounded in time (``--seconds``) and in requests
(``--max-requests``). The figures per kind of request: requests, throughput, p50/p95/p99 (Locust's, in
whole milliseconds) and failures (any answer but 2xx/3xx). The baseline, in the same run: the same
scenario against a single-threaded server (``--threads 1``), so that the figures show what the server's
threads buy. With ``--before-python``, the same again against another checkout's server (the commit
before a change), so that what the change moved is measured in the same run. Each server has prepared
its caches (/api/health ready) and served a first step, not counted (``--prime`` seconds at the most
users), before the steps that are.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.serving import environment, make_accounts, serve
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
LOCUSTFILE = Path(__file__).parent / "load_locustfile.py"
ACCOUNTS = 64
COORDINATORS = 8


def prepare(store: Store, files: list[Path], accounts_path: Path) -> None:
    """Import the members, make the accounts, and write what the Locust people need."""
    create_schema(store)
    import_files(store, files)
    ids = sorted(r["id"] for r in store.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id")))
    rng = random.Random(1)
    accounts = make_accounts(store, rng.sample(ids, ACCOUNTS), COORDINATORS)
    accounts["profiles"] = rng.sample(ids, min(len(ids), 2_000))
    accounts_path.write_text(json.dumps(accounts))


def locust(
    url: str, users: int, seconds: int, max_requests: int, accounts: Path, out: Path, think: float = 0.0
) -> list[dict[str, Any]]:
    """One headless Locust run; its rows per kind of request, and their sum."""
    coordinators = users // 4  # (one user in four opens the coverage page now and then; one user: a member)
    env = {
        **os.environ,
        "GRAPHAPP_LOAD_ACCOUNTS": str(accounts),
        "GRAPHAPP_LOAD_MAX_REQUESTS": str(max_requests),
        "GRAPHAPP_LOAD_COORDINATORS": str(coordinators),
        "GRAPHAPP_LOAD_THINK": str(think),
    }
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        url.rstrip("/"),
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--reset-stats",  # (the sign-ins of the start are not counted)
        "--only-summary",
        "--csv",
        str(out),
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
        *(["Member", "Coordinator"] if coordinators else ["Member"]),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 300)
    if done.returncode != 0:
        raise RuntimeError(f"locust failed ({done.returncode}):\n{done.stderr[-3000:]}")
    with Path(f"{out}_failures.csv").open(newline="") as f:
        failures = [f"{r['Occurrences']} x {r['Name']}: {r['Error']}" for r in csv.DictReader(f)]
    if failures:
        print(f"failures ({out.name}):", *failures[:10], sep="\n  ", flush=True)
    with Path(f"{out}_stats.csv").open(newline="") as f:
        rows = [
            r for r in csv.DictReader(f) if not r["Name"].startswith("sign in") and r["Name"] != "Aggregated"
        ]
    kinds = [
        {
            "kind": row["Name"],
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "per_s": round(float(row["Requests/s"]), 1),
            "p50_ms": row["50%"],
            "p95_ms": row["95%"],
            "p99_ms": row["99%"],
        }
        for row in rows
    ]
    # In all (but the sign-ins, which each user makes once as it starts): percentiles are per kind only.
    total = {"kind": "all but sign-in", "p50_ms": "", "p95_ms": "", "p99_ms": ""}
    total.update({k: sum(r[k] for r in kinds) for k in ("requests", "failures")})
    total["per_s"] = round(sum(r["per_s"] for r in kinds), 1)
    return [*kinds, total]


@contextmanager
def store_env(name: str, files: list[Path], tmp: Path, accounts: Path) -> Iterator[dict[str, str]]:
    if name == "ladybug":
        path = tmp / "load.lbug"
        with LadybugStore(path) as store:
            prepare(store, files, accounts)
        yield {"GRAPHAPP_DB": str(path)}
        return
    with ThrowawayNeo4j(heap=HEAP, pagecache_mb=2048) as server:
        with Neo4jStore(server.uri or "") as store:
            prepare(store, files, accounts)
        yield {"NEO4J_URI": server.uri or ""}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--stores", default="ladybug,neo4j")
    parser.add_argument("--users", default="1,4,16,64", help="concurrent users, one step each")
    parser.add_argument("--seconds", type=int, default=60, help="the most each step runs")
    parser.add_argument("--prime", type=int, default=20, help="seconds of a first step, not counted")
    parser.add_argument("--max-requests", type=int, default=20_000, help="the most each step sends")
    parser.add_argument("--threads", type=int, default=8, help="the server's threads (the baseline has 1)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="a member's pause between pages, s on average (0: none)"
    )
    parser.add_argument(
        "--before-python",
        help="also the same scenario against another checkout's server (its venv's python; e.g. the commit "
        "before a change), with the same threads: what the change moved, measured in the same run",
    )
    args = parser.parse_args()
    steps = [int(u) for u in args.users.split(",")]
    servers = [
        (f"graphapp serve, {args.threads} threads", args.threads, sys.executable),
        ("baseline: 1 thread", 1, sys.executable),
    ]
    if args.before_python:
        servers.append((f"before: {args.threads} threads", args.threads, args.before_python))
    results: dict[str, Any] = {
        "members": args.members,
        "think_s": args.think,
        "load_before": os.getloadavg(),
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="graphapp-load-") as name:
        tmp = Path(name)
        files = write_dataset(synthetic(args.members, seed=0), tmp / "data")
        accounts = tmp / "accounts.json"
        for store_name in args.stores.split(","):
            with store_env(store_name, files, tmp, accounts) as env_of_store:
                for k, (label, threads, python) in enumerate(servers):
                    env = environment(env_of_store, GRAPHAPP_PROXIES="1")  # (each user's own address)
                    log = tmp / f"{store_name}-{k}-{threads}.log"
                    with serve(env, log, threads=threads, python=python) as server:
                        server.until_ready()
                        # A first step, not counted: every kind of page once served, the JIT of the
                        # server (Neo4j) and the operating system's caches as they are in a running site.
                        locust(
                            server.url,
                            max(steps),
                            args.prime,
                            args.max_requests,
                            accounts,
                            tmp / "prime",
                            args.think,
                        )
                        for users in steps:
                            out = tmp / f"{store_name}-{k}-{threads}-{users}"
                            rows = locust(
                                server.url, users, args.seconds, args.max_requests, accounts, out, args.think
                            )
                            run = {"store": store_name, "server": label, "users": users, "rows": rows}
                            run["rss_mib"] = server.rss_mib()
                            results["runs"].append(run)
                            print(json.dumps(run), flush=True)
    results["load_after"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load_speed.json").write_text(json.dumps(results, indent=1))
    print(
        f"\n{args.members:,} members, members pausing {args.think} s on average between pages; "
        f"load average before {results['load_before']}, after {results['load_after']}"
    )
    print("\n| store | server | users | request | requests | per s | p50 ms | p95 ms | p99 ms | failures |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for run in results["runs"]:
        for row in run["rows"]:
            print(
                f"| {run['store']} | {run['server']} | {run['users']} | {row['kind']} | {row['requests']} | "
                f"{row['per_s']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['failures']} |"
            )
    print("\n| store | server | users | server RSS after the step MiB |")
    print("|---|---|---:|---:|")
    for run in results["runs"]:
        print(f"| {run['store']} | {run['server']} | {run['users']} | {run['rss_mib']} |")


if __name__ == "__main__":
    main()

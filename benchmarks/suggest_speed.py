"""Suggestion and coverage speed at scale, on each store, beside a naive networkx baseline.

    .venv/bin/python -m benchmarks.suggest_speed [--members 100000] [--sample 200]

The synthetic generator's N members (seed 0; at 100,000 about 800,000 interest edges) go into each store.
For ``--sample`` members drawn with a fixed seed: the time ``suggest_peers`` takes (default options, top
10), as p50 and p95; and, in the same run, the time networkx takes to score the same member against
everyone with the same formula on an in-memory bipartite graph (the naive baseline; building that graph is
not counted). Then the coverage report (read + analyse) once per store. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx

from graphapp.analytics import coverage_gaps
from graphapp.demo import synthetic
from graphapp.store import LadybugStore, Neo4jStore, Store
from ingest import import_files
from ingest.synthetic import write_dataset
from queries.coverage import read_network
from queries.peers import level_fit, suggest_peers
from queries.schema import create_schema
from tests.neo4j_harness.throwaway import ThrowawayNeo4j

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def naive_scores(B: nx.Graph, n: int, me: str) -> list[tuple[float, str]]:
    """Score ``me`` against every other member, the obvious way."""
    mine = {t: B[me][t]["level"] for t in B[me]}
    scores = []
    for other in (x for x, d in B.nodes(data=True) if d.get("member") and x != me):
        dot = sum(
            math.log(n / B.degree(t)) * level_fit(mine[t], B[other][t]["level"], "all")
            for t in B[other]
            if t in mine
        )
        if dot > 0:
            scores.append((dot / math.sqrt(len(mine) * B.degree(other)), other))
    scores.sort(reverse=True)
    return scores[:10]


def time_store(store: Store, sample: list[str]) -> dict[str, Any]:
    store.read(suggest_peers, sample[0])  # warm up
    times = []
    for me in sample:
        started = time.perf_counter()
        store.read(suggest_peers, me)
        times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    report = coverage_gaps(store.read(read_network))
    coverage = time.perf_counter() - started
    return {
        "suggest_p50_ms": round(statistics.median(times), 1),
        "suggest_p95_ms": round(percentile(times, 95), 1),
        "suggest_max_ms": round(max(times), 1),
        "coverage_seconds": round(coverage, 2),
        "gaps": len(report["gaps"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--baseline-sample", type=int, default=20)
    args = parser.parse_args()
    dataset = synthetic(args.members, seed=0)
    results: dict[str, Any] = {"members": args.members, "sample": args.sample}
    with tempfile.TemporaryDirectory(prefix="graphapp-bench-") as tmp:
        files = write_dataset(dataset, Path(tmp) / "data")
        with LadybugStore(Path(tmp) / "bench.lbug") as ladybug:
            create_schema(ladybug)
            import_files(ladybug, files)
            ids = sorted(
                r["id"] for r in ladybug.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id"))
            )
            sample = random.Random(1).sample(ids, args.sample)
            edges = ladybug.read(
                lambda tx: tx.run(
                    "MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic) RETURN m.id AS m, t.id AS t, r.level AS level"
                )
            )
            results["ladybug"] = time_store(ladybug, sample)
            print("LadybugDB:", results["ladybug"], flush=True)

        B = nx.Graph()
        B.add_nodes_from(ids, member=True)
        B.add_edges_from((e["m"], "t:" + e["t"], {"level": e["level"]}) for e in edges)
        times = []
        for me in sample[: args.baseline_sample]:
            started = time.perf_counter()
            naive_scores(B, len(ids), me)
            times.append((time.perf_counter() - started) * 1000)
        results["networkx_naive"] = {
            "suggest_p50_ms": round(statistics.median(times), 1),
            "suggest_p95_ms": round(percentile(times, 95), 1),
            "members_timed": len(times),
        }
        print("networkx naive:", results["networkx_naive"], flush=True)

        with ThrowawayNeo4j(heap="6g", pagecache_mb=2048) as server, Neo4jStore(server.uri or "") as neo4j:
            create_schema(neo4j)
            started = time.perf_counter()
            import_files(neo4j, files)
            results["neo4j_import_seconds"] = round(time.perf_counter() - started, 1)
            results["neo4j"] = time_store(neo4j, sample)
            print("Neo4j:", results["neo4j"], flush=True)

    base = results["networkx_naive"]["suggest_p50_ms"]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "suggest_speed.json").write_text(json.dumps(results, indent=1))
    print(f"\n| {args.members:,} members | suggest p50 ms | p95 ms | vs networkx p50 | coverage report s |")
    print("|---|---:|---:|---:|---:|")
    for name, key in (("LadybugDB", "ladybug"), ("Neo4j", "neo4j")):
        r = results[key]
        print(
            f"| {name} | {r['suggest_p50_ms']} | {r['suggest_p95_ms']} | {base / r['suggest_p50_ms']:.1f}x faster "
            f"| {r['coverage_seconds']} |"
        )
    r = results["networkx_naive"]
    print(
        f"| networkx, naive ({r['members_timed']} members) | {r['suggest_p50_ms']} | {r['suggest_p95_ms']} | 1x | |"
    )


if __name__ == "__main__":
    main()

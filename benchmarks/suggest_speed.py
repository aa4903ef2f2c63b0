"""Suggestion and coverage speed at scale, on each store, beside a naive networkx baseline.

    .venv/bin/python -m benchmarks.suggest_speed [--members 100000] [--sample 200]
        [--baseline-python OTHER_CHECKOUT/.venv/bin/python] [--rounds 2]

The synthetic generator's N members (seed 0; at 100,000 about 800,000 interest edges) go into each store.
Per store, in this order:

- the coverage report on a store and server that have run nothing yet (``server cold``);
- then, on the warmed-up server, after a write (which renews the graph revision): the first suggestion,
  which builds the interest index (``--writes`` times: median and max);
- for ``--sample`` members drawn with a fixed seed, the time ``suggest_peers`` takes (default options,
  top 10) with the index current, as p50, p95 and max; then the same for up to ``--sample`` other
  members, timed next (``settled``): the first group runs on a server that has just taken the import and
  the writes, the second on one that has also answered the first group;
- after another write (``--writes`` times: median and max): the coverage report as the dashboard first
  makes it (index rebuilt), again with the index current, and as the dashboard gets it a second time
  (kept per revision). The write sets a value to what it is: nothing is kept by content, so any write
  costs the same rebuild as a real edit.

With ``--baseline-python``, the suggestions of another checkout (its own venv's python, e.g. the commit
before a change) are timed on the **same stores and server, in the same run**: per store, a fresh process of
that python and one of this checkout's, each building the interest index once and then timing
``suggest_peers`` for the same sample (p50, p95, max), taking turns ``--rounds`` times (this checkout first),
so that the machine's load weighs on both alike. The two checkouts must read the same stored graph.

In the same run, the time networkx takes to score the same members against everyone with the same
formula on an in-memory bipartite graph (the naive baseline; building that graph is not counted).
Figures and ratios, not assertions.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from devtools.neo4j_harness.throwaway import ThrowawayNeo4j
from graphapp.analytics.suggestions import level_fit
from graphapp.demo import synthetic
from graphapp.ingest import import_files
from graphapp.ingest.synthetic import write_dataset
from graphapp.queries.schema import create_schema
from graphapp.reports import coverage_report, coverage_report_of, suggest_peers
from graphapp.store import LadybugStore, Neo4jStore, Store

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def naive_scores(B: nx.Graph, n: int, me: str) -> list[tuple[float, str]]:
    """Score ``me`` against every other member, the obvious way: the shared-topic score, plus 0.1 of the
    score two steps away (each member's first score passed on through the topics they hold, over the sum
    of first scores: docs/suggestions.md; the synthetic members all agree to be suggested)."""
    mine = {t: B[me][t]["level"] for t in B[me]}
    members = [x for x, d in B.nodes(data=True) if d.get("member") and x != me]
    first = {}
    for other in members:
        dot = sum(
            math.log(n / B.degree(t)) * level_fit(mine[t], B[other][t]["level"], "all")
            for t in B[other]
            if t in mine
        )
        if dot > 0:
            first[other] = dot  # no normalisation since issue 18 (docs/suggestions.md)
    total = sum(first.values())
    passed = {t: sum(first.get(p, 0.0) for p in B[t]) for t in B if not B.nodes[t].get("member")}
    scores = []
    for other in members:
        second = sum(math.log(n / B.degree(t)) * passed[t] for t in B[other]) / total if total else 0.0
        score = first.get(other, 0.0) + 0.1 * second
        if score > 0:
            scores.append((score, other))
    scores.sort(reverse=True)
    return scores[:10]


def seconds(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def touch(store: Store, member: str) -> None:
    """A write that changes nothing a report shows (a member's consent set to what it is): the graph gets a
    new revision, as after any profile edit, so everything kept per revision is made again."""
    store.write(lambda tx: tx.run(TOUCH, id=member))


TOUCH = "MATCH (m:Member {id: $id}) SET m.suggestible = m.suggestible"


def time_store(
    open_store: Callable[[], Store], sample: list[str], writes: int, settled: list[str]
) -> dict[str, Any]:
    """The coverage report on a store and server nothing has run on yet; then, on the warmed-up server,
    what users meet after a write (each figure over ``writes`` writes: median and max): the first
    suggestion (index rebuilt), suggestions with the index current (``sample``, then the members
    ``settled``), the coverage report after a write (index rebuilt), with the index current, and
    kept."""
    with open_store() as store:
        server_cold, report = seconds(lambda: store.read(coverage_report_of))
    with open_store() as store:
        store.read(suggest_peers, sample[-1])  # a connection and the statements' plans, as a running app has
        builds = []
        for _ in range(writes):
            touch(store, sample[-1])
            builds.append(seconds(lambda: store.read(suggest_peers, sample[0]))[0])
        times, then = [], []
        for me in sample:
            took, _ = seconds(lambda me=me: store.read(suggest_peers, me))
            times.append(took * 1000)
        for me in settled:
            took, _ = seconds(lambda me=me: store.read(suggest_peers, me))
            then.append(took * 1000)
        after_write, index_current = [], []
        for _ in range(writes):
            touch(store, sample[-1])
            after_write.append(seconds(lambda: store.read(coverage_report))[0])
            index_current.append(seconds(lambda: store.read(coverage_report_of))[0])
        kept, _ = seconds(lambda: store.read(coverage_report))
    return {
        "first_suggestion_after_a_write_s": round(statistics.median(builds), 2),
        "first_suggestion_after_a_write_max_s": round(max(builds), 2),
        "suggest_p50_ms": round(statistics.median(times), 1),
        "suggest_p95_ms": round(percentile(times, 95), 1),
        "suggest_max_ms": round(max(times), 1),
        "suggest_settled_p50_ms": round(statistics.median(then), 1),
        "suggest_settled_p95_ms": round(percentile(then, 95), 1),
        "suggest_settled_max_ms": round(max(then), 1),
        "coverage_server_cold_s": round(server_cold, 2),
        "coverage_after_a_write_s": round(statistics.median(after_write), 2),
        "coverage_after_a_write_max_s": round(max(after_write), 2),
        "coverage_index_current_s": round(statistics.median(index_current), 2),
        "coverage_kept_ms": round(kept * 1000, 1),
        "writes": writes,
        "gaps": len(report["gaps"]),
    }


#: Run by each checkout's python, in a directory of its own (so that it imports that checkout's graphapp):
#: opens the store, builds the interest index with one suggestion, then times one suggestion per member
#: of the sample (read from stdin as JSON) and prints the milliseconds as JSON.
TIMER = """
import json, sys, time
import graphapp
from graphapp.reports import suggest_peers
from graphapp.store import LadybugStore, Neo4jStore
kind, where = sys.argv[1], sys.argv[2]
sample = json.loads(sys.stdin.read())
with (LadybugStore(where) if kind == "ladybug" else Neo4jStore(where)) as store:
    for me in sample[-3:]:
        store.read(suggest_peers, me)
    times = []
    for me in sample:
        started = time.perf_counter()
        store.read(suggest_peers, me)
        times.append((time.perf_counter() - started) * 1000)
print(json.dumps({"times": times, "graphapp": graphapp.__file__}))
"""


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def time_checkout(python: str, kind: str, where: str, sample: list[str]) -> dict[str, Any]:
    """Suggestions' p50, p95 and max (ms) for ``sample``, in a fresh process of ``python``."""
    with tempfile.TemporaryDirectory(prefix="graphapp-timer-") as here:
        done = subprocess.run(
            [python, "-c", TIMER, kind, where],
            input=json.dumps(sample),
            capture_output=True,
            text=True,
            cwd=here,
            check=True,
        )
    said = json.loads(done.stdout)
    times = said["times"]
    return {
        "graphapp": said["graphapp"],
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "load_average": load_average(),
    }


def before_and_after(
    baseline_python: str, kind: str, where: str, sample: list[str], rounds: int
) -> list[dict[str, Any]]:
    """This checkout's suggestions and the baseline's, taking turns (this checkout first)."""
    runs = []
    for r in range(rounds):
        for label, python in (("after", sys.executable), ("before", baseline_python)):
            runs.append({"round": r + 1, "code": label, **time_checkout(python, kind, where, sample)})
            print(f"{kind} {label}:", runs[-1], flush=True)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--baseline-sample", type=int, default=20)
    parser.add_argument("--writes", type=int, default=5, help="writes to time what follows one (median, max)")
    parser.add_argument(
        "--baseline-python",
        help="another checkout's python (its venv) whose suggestions are timed on the same stores",
    )
    parser.add_argument("--rounds", type=int, default=2, help="turns each checkout takes per store")
    args = parser.parse_args()
    dataset = synthetic(args.members, seed=0)
    results: dict[str, Any] = {
        "members": args.members,
        "sample": args.sample,
        # neo4j-rust-ext (a dependency) decodes what the server sends; without it the driver's Python does
        "neo4j_driver_decoder": "rust" if importlib.util.find_spec("neo4j._rust") else "python",
    }
    with tempfile.TemporaryDirectory(prefix="graphapp-bench-") as tmp:
        files = write_dataset(dataset, Path(tmp) / "data")
        path = Path(tmp) / "bench.lbug"
        with LadybugStore(path) as ladybug:
            create_schema(ladybug)
            import_files(ladybug, files)
            ids = sorted(
                r["id"] for r in ladybug.read(lambda tx: tx.run("MATCH (m:Member) RETURN m.id AS id"))
            )
            sample = random.Random(1).sample(ids, args.sample)
            rest = sorted(set(ids) - set(sample))
            settled = random.Random(2).sample(rest, min(args.sample, len(rest))) or sample
            edges = ladybug.read(
                lambda tx: tx.run(
                    "MATCH (m:Member)-[r:INTERESTED_IN]->(t:Topic) RETURN m.id AS m, t.id AS t, r.level AS level"
                )
            )
        results["ladybug"] = time_store(lambda: LadybugStore(path), sample, args.writes, settled)
        results["ladybug"]["load_average"] = load_average()
        print("LadybugDB:", results["ladybug"], flush=True)
        if args.baseline_python:
            results["ladybug_before_and_after"] = before_and_after(
                args.baseline_python, "ladybug", str(path), sample, args.rounds
            )

        B = nx.Graph()
        B.add_nodes_from(ids, member=True)
        B.add_edges_from((e["m"], "t:" + e["t"], {"level": e["level"]}) for e in edges)
        times, naive = [], {}
        for me in sample[: args.baseline_sample]:
            took, naive[me] = seconds(lambda me=me: naive_scores(B, len(ids), me))
            times.append(took * 1000)
        # The same answers: graphapp's top 10 (nobody left out) against the baseline's, member by member.
        with LadybugStore(path) as ladybug:
            differ = [
                me
                for me, best in naive.items()
                if [round(score, 6) for score, _ in best]
                != [
                    s.score
                    for s in ladybug.read(
                        suggest_peers, me, exclude_known=False, exclude_own_organisation=False
                    ).suggestions
                ]
            ]
        results["networkx_naive"] = {
            "suggest_p50_ms": round(statistics.median(times), 1),
            "suggest_p95_ms": round(percentile(times, 95), 1),
            "members_timed": len(times),
            "members_whose_top_10_scores_differ_from_graphapp": len(differ),
        }
        print("networkx naive:", results["networkx_naive"], flush=True)

        with ThrowawayNeo4j(heap="6g", pagecache_mb=2048) as server:
            uri = server.uri or ""
            with Neo4jStore(uri) as neo4j:
                create_schema(neo4j)
                took, _ = seconds(lambda: import_files(neo4j, files))
            results["neo4j_import_seconds"] = round(took, 1)
            results["neo4j"] = time_store(lambda: Neo4jStore(uri), sample, args.writes, settled)
            results["neo4j"]["load_average"] = load_average()
            print("Neo4j:", results["neo4j"], flush=True)
            if args.baseline_python:
                results["neo4j_before_and_after"] = before_and_after(
                    args.baseline_python, "neo4j", uri, sample, args.rounds
                )

    base = results["networkx_naive"]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "suggest_speed.json").write_text(json.dumps(results, indent=1))
    print(
        f"\n| {args.members:,} members | suggest p50 ms | p95 ms | max ms "
        f"| {args.sample} other members, p50 / p95 / max ms | p50 / p95 vs networkx naive "
        f"| first suggestion after a write s (median / max of {args.writes}) "
        f"| coverage report after a write s (median / max of {args.writes}) | with the index current s "
        "| server cold s | kept ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, key in (("LadybugDB", "ladybug"), ("Neo4j", "neo4j")):
        r = results[key]
        print(
            f"| {name} | {r['suggest_p50_ms']} | {r['suggest_p95_ms']} | {r['suggest_max_ms']} "
            f"| {r['suggest_settled_p50_ms']} / {r['suggest_settled_p95_ms']} / {r['suggest_settled_max_ms']} "
            f"| {base['suggest_p50_ms'] / r['suggest_p50_ms']:.0f}x / {base['suggest_p95_ms'] / r['suggest_p95_ms']:.0f}x "
            f"| {r['first_suggestion_after_a_write_s']} / {r['first_suggestion_after_a_write_max_s']} "
            f"| {r['coverage_after_a_write_s']} / {r['coverage_after_a_write_max_s']} "
            f"| {r['coverage_index_current_s']} | {r['coverage_server_cold_s']} | {r['coverage_kept_ms']} |"
        )
    print(
        f"| networkx, naive ({base['members_timed']} members) | {base['suggest_p50_ms']} "
        f"| {base['suggest_p95_ms']} | | | 1x | | | | | |"
    )
    print(f"(Neo4j driver decoder: {results['neo4j_driver_decoder']})")
    if args.baseline_python:
        print("\n| store, code (round) | suggest p50 ms | p95 ms | max ms | load average (1, 5, 15 min) |")
        print("|---|---:|---:|---:|---|")
        for name, key in (("LadybugDB", "ladybug"), ("Neo4j", "neo4j")):
            for r in results[f"{key}_before_and_after"]:
                print(
                    f"| {name}, {r['code']} ({r['round']}) | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} "
                    f"| {r['load_average']} |"
                )


if __name__ == "__main__":
    main()
